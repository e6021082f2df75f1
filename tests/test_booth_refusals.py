"""What the booth tells a voter when the board refuses a ballot for a reason that pressing the same button again
cannot cure (issue 13, item 1): the credential's limits, the limit on the voter's address, an election that is
closing or closed. The booth's own script (static/js/booth/errors_text.js ``refusalText``, which
vote_page.js shows instead of the board's message and the "try again" line) runs in Node on the board's real
answers, with the page's real string catalogue in English and in French."""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser

import pytest
from attacks.web_support import ballot, ballots_url, open_world
from sqlalchemy import insert
from support.booth_js_support import REPO_ROOT, in_ci, node_executable

from bulletin_board.storage import election_closing

SMALL = {
    "label": "Booth refusals",
    "spec_version": "v2.0.0",
    "contests": [{"label": "mayor", "votes_allowed": 1, "options": [{"label": "alice"}, {"label": "bob"}]}],
    "ballot_styles": [{"label": "all", "contests": ["mayor"]}],
}
SCRIPT = """
const catalogue = process.argv[1];
globalThis.document = { getElementById: (id) => (id === 'booth-strings' ? { textContent: catalogue } : null) };
const { BoardRefusal } = await import('./voting/booth/static/js/booth/api.js');
const { refusalText } = await import('./voting/booth/static/js/booth/errors_text.js');
const answers = JSON.parse(process.argv[2]);
const { isRetryable } = await import('./voting/booth/static/js/booth/api.js');
console.log(JSON.stringify(answers.map(([status, body]) => [refusalText(new BoardRefusal(status, body.error)),
  isRetryable(new BoardRefusal(status, body.error))])));
"""


class _Strings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside, self.text = False, ""

    def handle_starttag(self, tag, attrs):
        self.inside = tag == "script" and ("id", "booth-strings") in attrs

    def handle_data(self, data):
        if self.inside:
            self.text += data


def catalogue_of(page: str) -> str:
    parser = _Strings()
    parser.feed(page)
    return parser.text


@pytest.fixture(scope="module")
def refusals(tmp_path_factory):
    """The board's real answers (status, JSON) for each refusal, and the booth's vote page in each language."""
    world = open_world(tmp_path_factory.mktemp("refusals"), voters=1, manifest=SMALL, EVOTE_RATELIMIT_CREDENTIAL_CASTS="1 per hour",
                       EVOTE_RATELIMIT_CREDENTIAL_CHALLENGES="0 per hour", EVOTE_RATELIMIT_SUBMIT_PER_CLIENT="2 per minute")  # fmt: skip
    post = lambda payload, address: world.client.post(ballots_url(world), json=payload, environ_base={"REMOTE_ADDR": address})  # noqa: E731
    answers = {}
    assert post(ballot(world, 0), "192.0.2.1").status_code == 201
    answers["limit.casts"] = post(ballot(world, 0), "192.0.2.2")
    challenge, _ = world.submission(world.credentials[0], {"mayor": ["bob"]}, action="challenge", reveal=True)
    answers["limit.challenges"] = post(challenge, "192.0.2.3")
    for _ in range(2):
        post({}, "192.0.2.4")
    answers["limit.address"] = post(ballot(world, 0), "192.0.2.4")
    engine = world.app.extensions["evote_board"].log.engine
    with engine.begin() as conn:  # what a close in progress has written (bulletin_board/elections/closing.py)
        conn.execute(insert(election_closing).values(election_id=world.election_id, requested_at=0, expires_at=2**62))
    answers["post.closed (closing)"] = post(ballot(world, 0), "192.0.2.5")
    codes = {key: (answer.status_code, answer.get_json()["error"]["code"]) for key, answer in answers.items()}
    assert codes == {"limit.casts": (429, "rate_limited_casts"), "limit.challenges": (429, "rate_limited_challenges"),
                     "limit.address": (429, "rate_limited"), "post.closed (closing)": (409, "election_closing")}  # fmt: skip
    pages = {
        lang: world.client.get(f"/booth/elections/{world.election_id}/vote?lang={lang}").get_data(as_text=True)
        for lang in ("en", "fr")
    }
    return {key: (answer.status_code, answer.get_json()) for key, answer in answers.items()}, pages


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_booth_says_why_in_plain_words_and_promises_no_retry_that_cannot_succeed(refusals, language):
    node = node_executable()
    if node is None:
        if in_ci():
            pytest.fail("node is not on PATH: the booth's scripts need Node 20+")
        pytest.skip("node is not on PATH")
    answers, pages = refusals
    catalogue = catalogue_of(pages[language])
    strings = json.loads(catalogue)
    keys = list(answers)
    completed = subprocess.run([node, "--input-type=module", "-e", SCRIPT, catalogue, json.dumps([answers[k] for k in keys])],
                               cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    results = dict(zip(keys, json.loads(completed.stdout), strict=True))
    assert [key for key, (_, retryable) in results.items() if retryable] == []  # a refusal never offers "Try again"
    shown = {key: text for key, (text, _) in results.items()}
    for key, text in shown.items():
        assert text == strings[key.split(" ")[0]], (key, text)
        assert not re.search(r"\d", text) and "EVOTE_" not in text and strings["post.retry_same"] not in text
        assert not text.startswith(strings["error.refused"].split("%")[0])  # not "The board refused the request: …"
    if language == "fr":
        assert shown["limit.casts"].startswith("Cette carte de vote")


def test_the_vote_page_offers_a_retry_only_where_retrying_can_help():
    """vote_page.js shows every failure through page_common.js showError, which adds "Try again" only for an
    error that api.js isRetryable accepts (no answer, or a 5xx); the browser tests drive both
    (tests/test_booth_dead_ends_browser.py)."""
    vote_page = (REPO_ROOT / "voting/booth/static/js/booth/vote_page.js").read_text()
    common = (REPO_ROOT / "voting/booth/static/js/booth/page_common.js").read_text()
    assert "showError(where.error, error, () => send(submission, where)" in vote_page
    assert "alertMessage(" not in vote_page
    assert "const retryable = retry !== null && isRetryable(error);" in common
