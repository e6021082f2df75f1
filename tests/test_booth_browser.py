"""The booth in Debian's Chromium against a real board (create_app + register_booth on a loopback port, an
election run through the API): cast and challenge end to end, checked with the Python core; keyboard-only
voting; axe-core on every page and step; a markup candidate name shown as text; nothing secret on the wire,
in the server's log or in the database; one entry for a double click, a reload or the Back button."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.booth_board import MANIFEST, XSS_NAME, entries_of, live_board, open_election
from support.booth_js_support import axe_source

from bulletin_board.log_format.checkpoint import election_origin
from bulletin_board.log_format.client_checks import check_entry_included
from bulletin_board.log_format.note import NoteVerifier
from voting.ballot_checks import check_ballot
from voting.challenge import open_challenged_ballot
from voting.credentials import contest_data_digest, derive_voter_key, parse_credential
from voting.manifest import parse_manifest
from voting.record.submission import parse_submission

pytestmark = pytest.mark.browser

OPTION_LABELS = [o["label"] for c in MANIFEST["contests"] for o in c["options"]]
OPTION_NAMES = [o["name"] for c in MANIFEST["contests"] for o in c["options"]]
CAST_CHOICES = {"mayor": ["opt-birch"], "council": ["opt-elm", "opt-gorse"]}  # options 2; 2 and 4



def _image_width(page, selector: str, timeout: float = 30.0) -> int:
    """The image's natural width once it has loaded (polled: the page's CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while True:
        width = page.evaluate(f"(() => {{ const i = document.querySelector('{selector}'); return i && i.complete ? i.naturalWidth : 0; }})()")
        if width or time.monotonic() > deadline:
            return width
        page.wait_for_timeout(100)


# --- fixtures ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser(chromium):
    return chromium


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with live_board(tmp_path_factory.mktemp("booth-board")) as live:
        yield live


@dataclass
class Tab:
    """A page in a fresh browser context (a fresh device), with everything it sends and every error."""

    page: object
    requests: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)
    axe: dict[str, list] = field(default_factory=dict)

    def posts(self, fragment: str = "/ballots") -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and fragment in r["url"]]

    def step(self, name: str, timeout: float = 30_000) -> None:
        self.page.wait_for_selector(f"#step-{name}:not([hidden])", timeout=timeout)

    def axe_violations(self) -> dict[str, list]:
        return {where: found for where, found in self.axe.items() if found}

    def check_axe(self, where: str) -> list:
        """Runs axe-core (WCAG 2.x A/AA, best practices, and AAA contrast 7:1) on the page as it is now."""
        if not self.page.evaluate("typeof window.axe === 'object'"):  # once per document (injected in tests only)
            self.page.evaluate(AXE_SOURCE)
        violations = self.page.evaluate(
            """async () => (await axe.run(document, { rules: { 'color-contrast-enhanced': { enabled: true } } }))
                 .violations.map((v) => ({ id: v.id, impact: v.impact,
                   nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }))"""
        )
        self.axe[where] = violations
        return violations


AXE_SOURCE = ""


@pytest.fixture(scope="module")
def open_tab(browser):
    global AXE_SOURCE
    AXE_SOURCE = AXE_SOURCE or axe_source()
    contexts = []

    def make(locale: str = "en-US") -> Tab:
        context = browser.new_context(locale=locale, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page)
        context.on("request", lambda request: tab.requests.append(
            {"method": request.method, "url": request.url, "body": request.post_data_buffer or b"", "request": request}))
        page.on("pageerror", lambda error: tab.errors.append(f"page error: {error}"))
        page.on("console", lambda m: tab.errors.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("response", lambda r: tab.failed_responses.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
        return tab

    yield make
    for context in contexts:
        context.close()


def start_voting(tab: Tab, board, election, credential: str) -> None:
    page = tab.page
    page.goto(f"{board.url}/booth/elections/{election.election_id}/vote")
    tab.step("credential")
    page.fill("#credential-input", credential)
    page.click("#credential-submit")
    tab.step("ballot")


def mark(tab: Tab, choices: dict) -> None:
    for i, contest in enumerate(MANIFEST["contests"], 1):
        for j, option in enumerate(contest["options"], 1):
            box = f"#contest-{i}-option-{j}"
            if (option["label"] in choices.get(contest["label"], [])) != tab.page.is_checked(box):
                tab.page.click(box)


def encrypt(tab: Tab) -> str:
    tab.page.click("#ballot-submit")
    tab.step("review")
    tab.page.click("#review-encrypt")
    tab.step("code")
    return tab.page.text_content("#code-value").replace(" ", "")


def secret_forms(credential: str, election_id: str) -> list[str]:
    """Every spelling of the credential and of what it derives that must never leave the browser."""
    compact = credential.replace("-", "")
    random_part = parse_credential(credential)
    seed = bytes(derive_voter_key(credential, election_id).signing_key)
    return [credential, compact, credential.lower(), compact.lower(), random_part.hex(), random_part.hex().upper(),
            seed.hex(), seed.hex().upper()]


# --- one cast, recorded once, examined by several tests --------------------------------------------------

@dataclass
class CastRun:
    election: object
    credential: str
    tab: Tab
    code: str
    receipt: dict
    downloaded: dict
    stored: str
    names_before: dict
    texts: dict


@pytest.fixture(scope="module")
def cast_run(board, open_tab) -> CastRun:
    election = open_election(board, "cast-2026", voters=4)
    credential = election.credentials[0]
    names_before = {name: board.stored_bytes().count(name.encode()) for name in OPTION_NAMES}
    tab = open_tab()
    page = tab.page
    texts = {}
    # arrive from the election page, as a voter would (and so that Back has somewhere to go)
    page.goto(f"{board.url}/booth/elections/{election.election_id}/")
    page.wait_for_selector("#election-details:not([hidden])")
    tab.check_axe("election information")
    texts["election title"] = page.text_content("#election-title")
    texts["election page b elements"] = page.locator("#election-title b").count()
    page.click("#vote-link")
    tab.step("credential")
    tab.check_axe("credential")
    page.click("#credential-submit")  # empty
    texts["empty credential"] = page.text_content("#credential-error")
    page.fill("#credential-input", credential[:-1] + ("0" if credential[-1] != "0" else "1"))
    page.click("#credential-submit")
    texts["mistyped credential"] = page.text_content("#credential-error")
    tab.check_axe("credential error")
    page.fill("#credential-input", credential.lower().replace("-", " "))
    page.click("#credential-submit")
    tab.step("ballot")
    texts["credential input after"] = page.input_value("#credential-input")
    # only radio groups have a name, and no input belongs to a form: a submitted form would send nothing
    texts["named ballot inputs"] = page.eval_on_selector_all("#ballot-contests input", "els => els.filter((e) => e.form || (e.name && e.type !== 'radio')).length")
    texts["xss label"] = page.text_content("label[for='contest-1-option-3']")
    texts["images in ballot"] = page.locator("#ballot-contests img").count()
    mark(tab, CAST_CHOICES)
    page.click("#contest-2-option-1")  # a third council choice: refused
    texts["overvote checked"] = page.is_checked("#contest-2-option-1")
    texts["overvote message"] = page.text_content("#contest-2-message")
    page.wait_for_selector("#ballot-announcer:not(:empty)", state="attached")  # (wait_for_function would need eval)
    texts["overvote announced"] = page.text_content("#ballot-announcer")
    tab.check_axe("ballot with overvote message")
    page.click("#ballot-submit")
    tab.step("review")
    texts["review"] = page.text_content("#review-list")
    tab.check_axe("review")
    page.click("#review-back")
    tab.step("ballot")
    code = encrypt(tab)
    tab.check_axe("confirmation code")
    page.dblclick("#cast-button")  # a double click casts once
    tab.step("receipt")
    page.wait_for_selector("#receipt-check.verdict")
    texts["receipt check"] = page.text_content("#receipt-check")
    texts["receipt qr loaded"] = _image_width(page, "#receipt-qr")
    tab.check_axe("receipt")
    with page.expect_download() as download:
        page.click("#receipt-download")
    downloaded = json.loads(Path(download.value.path()).read_text())
    stored = page.evaluate("JSON.stringify(window.sessionStorage)")
    page.reload()
    tab.step("receipt")
    page.wait_for_selector("#receipt-check.verdict")
    texts["receipt after reload"] = page.text_content("#receipt-check")
    page.go_back()
    page.wait_for_selector("#election-details:not([hidden])")
    page.go_forward()
    tab.step("receipt")
    texts["code after back and forward"] = page.text_content("#receipt-facts")
    receipt = json.loads(json.loads(stored)[f"evote-booth/{election.election_id}/receipt"])
    return CastRun(election, credential, tab, code, receipt, downloaded, stored, names_before, texts)


def test_cast_ballot_is_on_the_board_and_verifies_with_the_core(board, cast_run):
    entries = entries_of(board, cast_run.election.election_id)
    ballots = [e for e in entries if e["kind"].startswith("ballot.")]
    assert len(ballots) == 1, "exactly one entry for one voter, whatever the clicks and reloads"
    entry = ballots[0]
    receipt = cast_run.receipt
    assert receipt == cast_run.downloaded
    assert entry["seq"] == receipt["seq"] and entry["entry_hash"] == receipt["entry_hash"]
    assert entry["kind"] == "ballot.cast" and entry["payload"]["ballot"]["confirmation_code"] == cast_run.code
    manifest = parse_manifest(MANIFEST)
    submission = parse_submission(entry["payload"], manifest)
    context = cast_run.election.state(board).context
    check_ballot(submission.ballot, manifest, context)  # Verifications 5-7 in the Python core
    assert submission.credential == derive_voter_key(cast_run.credential, cast_run.election.election_id).public_key_hex
    board_key = receipt["board"]
    check_entry_included(receipt["checkpoint"], [NoteVerifier(board_key["key_name"], bytes.fromhex(board_key["public_key"]))],
                         election_origin(board_key["origin"], receipt["election_id"]), receipt["seq"],
                         bytes.fromhex(receipt["entry_hash"]), [bytes.fromhex(h) for h in receipt["inclusion_proof"]["hashes"]])
    assert cast_run.texts["receipt check"].startswith("Checked on this device:")
    assert cast_run.texts["receipt qr loaded"] > 0
    assert cast_run.tab.errors == [] and cast_run.tab.dialogs == []


def test_double_click_reload_and_back_post_the_ballot_once(board, cast_run):
    posts = cast_run.tab.posts()
    assert len(posts) == 1
    assert cast_run.texts["receipt after reload"].startswith("Checked on this device:")
    assert cast_run.code[:4] in cast_run.texts["code after back and forward"]
    # The board itself answers an identical resubmission with the same receipt and appends nothing.
    before = len(entries_of(board, cast_run.election.election_id))
    request = urllib.request.Request(posts[0]["url"], data=posts[0]["body"], method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
        assert json.loads(response.read())["receipt"]["entry_hash"] == cast_run.receipt["entry_hash"]
    assert len(entries_of(board, cast_run.election.election_id)) == before


def test_credential_and_choices_stay_in_the_browser(board, cast_run):
    """No request URL or body carries the credential (in any spelling or derivation) or a choice; the cast
    body is the signed encrypted ballot, which lists every option of every contest whatever was chosen."""
    secrets = secret_forms(cast_run.credential, cast_run.election.election_id)
    for request in cast_run.tab.requests:
        url = request["url"]
        for text in secrets + OPTION_LABELS + OPTION_NAMES + ["choices", "nonce", "reveal"]:
            assert text not in url, (text, url)
    bodies = [r for r in cast_run.tab.requests if r["body"]]
    assert len(bodies) == 1  # the cast, nothing else
    body = json.loads(bodies[0]["body"])
    assert set(body) == {"action", "ballot", "credential", "signature"} and body["action"] == "cast"
    listed = [[s["option"] for s in contest["selections"]] for contest in body["ballot"]["contests"]]
    assert listed == [[o["label"] for o in c["options"]] for c in MANIFEST["contests"]]
    for contest in body["ballot"]["contests"]:
        for selection in contest["selections"]:
            del selection["option"]
    rest = json.dumps(body)
    for text in secrets + OPTION_LABELS + OPTION_NAMES:
        assert text not in rest, text
    stored = cast_run.stored
    for text in secrets + OPTION_LABELS + OPTION_NAMES:
        assert text not in stored, text
    assert cast_run.texts["credential input after"] == ""
    # the page holds a session cookie (the language form's CSRF token), but API requests never carry it
    api = [r for r in cast_run.tab.requests if "/api/v1/" in r["url"]]
    assert api and all("cookie" not in r["request"].all_headers() for r in api)
    assert any("cookie" in r["request"].all_headers() for r in cast_run.tab.requests if "/booth/elections/" in r["url"])
    post = cast_run.tab.posts()[0]["request"].all_headers()
    assert post["content-type"] == "application/json" and "referer" not in post


def test_server_log_and_database_hold_no_credential_or_choice(board, cast_run):
    secrets = secret_forms(cast_run.credential, cast_run.election.election_id)
    log = "\n".join(board.log_lines)
    assert "POST /api/v1/elections/cast-2026/ballots" in log  # the log was recorded
    for text in secrets + OPTION_LABELS + OPTION_NAMES:
        assert text not in log, text
    stored = board.stored_bytes()
    for text in secrets:
        assert text.encode() not in stored, text
    # The cast added no candidate name anywhere, and the only places option labels were added are the
    # encrypted ballot's option fields: every label of a contest as often as every other, chosen or not.
    assert {name: stored.count(name.encode()) for name in OPTION_NAMES} == cast_run.names_before
    with sqlite3.connect(board.database) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        text = ""
        for table in tables:
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            where = " WHERE election_id = 'cast-2026'" if "election_id" in columns else ""
            if table == "entries":
                where += " AND kind LIKE 'ballot.%'"
            for row in db.execute(f"SELECT * FROM {table}{where}"):
                text += "\n".join(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row)
    for contest in MANIFEST["contests"]:
        counts = {o["label"]: text.count(f'"{o["label"]}"') for o in contest["options"]}
        assert set(counts.values()) == {1}, counts
    assert '"reveal"' not in text and '"choices"' not in text


def test_markup_in_names_is_shown_as_text(cast_run):
    texts = cast_run.texts
    assert texts["xss label"] == XSS_NAME
    assert texts["images in ballot"] == 0
    assert texts["election title"] == MANIFEST["label"] and texts["election page b elements"] == 0
    assert cast_run.tab.dialogs == []


def test_ballot_refuses_an_overvote_and_explains_why(cast_run):
    texts = cast_run.texts
    assert texts["overvote checked"] is False
    assert texts["overvote message"] == "You can choose at most 2 in “City council”. Remove a choice before adding another."
    assert texts["overvote announced"] == texts["overvote message"]
    assert texts["named ballot inputs"] == 0
    assert "Birch Umber" in texts["review"] and "Elm Wren" in texts["review"] and "Gorse Yarrow" in texts["review"]
    assert texts["empty credential"] == "Please type your voting credential."
    assert texts["mistyped credential"].startswith("This credential has a typing mistake")


# --- challenge, then cast ------------------------------------------------------------------------------

@dataclass
class ChallengeRun:
    election: object
    tab: Tab
    challenged_code: str
    cast_code: str
    check_tab: Tab
    texts: dict


@pytest.fixture(scope="module")
def challenge_run(board, open_tab) -> ChallengeRun:
    election = open_election(board, "challenge-2026", voters=3)
    tab = open_tab()
    page = tab.page
    texts = {}
    start_voting(tab, board, election, election.credentials[0])
    mark(tab, {"mayor": ["opt-cedar"], "council": ["opt-fern"]})
    challenged = encrypt(tab)
    page.click("#challenge-button")
    tab.step("challenged")
    texts["challenged choices"] = page.text_content("#challenged-choices")
    texts["check link"] = page.get_attribute("#challenged-check-link", "href")
    tab.check_axe("challenged")
    # another device checks the challenged ballot from its confirmation code
    check = open_tab()
    check.page.goto(texts["check link"])
    check.page.wait_for_selector("#check-result:not([hidden])", timeout=30_000)
    texts["check verdict"] = check.page.text_content("#check-verdict")
    texts["check choices"] = check.page.text_content("#check-choices")
    check.check_axe("check page result")
    # back on the voting device: mark again (the marks are kept), encrypt afresh and cast
    page.click("#again-button")
    tab.step("ballot")
    texts["focus after again"] = page.evaluate("document.activeElement.id")
    cast = encrypt(tab)
    page.click("#cast-button")
    tab.step("receipt")
    page.wait_for_selector("#receipt-check.verdict")
    texts["receipt check"] = page.text_content("#receipt-check")
    return ChallengeRun(election, tab, challenged, cast, check, texts)


def test_challenged_ballot_is_published_with_a_reveal_that_opens_it(board, challenge_run):
    entries = [e for e in entries_of(board, challenge_run.election.election_id) if e["kind"].startswith("ballot.")]
    assert [e["kind"] for e in entries] == ["ballot.challenged", "ballot.cast"]
    challenged = entries[0]["payload"]
    assert challenged["ballot"]["confirmation_code"] == challenge_run.challenged_code
    manifest = parse_manifest(MANIFEST)
    context = challenge_run.election.state(board).context
    submission = parse_submission(challenged, manifest)
    check_ballot(submission.ballot, manifest, context)
    plain = open_challenged_ballot(submission.ballot, manifest, context, bytes.fromhex(challenged["reveal"]["nonce"]),
                                   challenged["reveal"]["choices"])
    assert [c.votes for c in plain.contests] == [(0, 0, 1), (0, 0, 1, 0)]
    assert XSS_NAME in challenge_run.texts["challenged choices"] and "Fern Xylo" in challenge_run.texts["challenged choices"]
    assert challenge_run.tab.errors == [] and challenge_run.tab.dialogs == []


def test_check_page_on_another_device_confirms_the_challenge(challenge_run):
    texts = challenge_run.texts
    assert texts["check link"].endswith(f"/check?code={challenge_run.challenged_code}")
    assert texts["check verdict"].startswith("Correct:")
    assert XSS_NAME in texts["check choices"] and "Fern Xylo" in texts["check choices"]
    assert challenge_run.check_tab.errors == []


def test_a_challenged_ballot_is_never_cast(board, challenge_run):
    """The booth encrypts afresh after a challenge, and the board refuses the challenged ballot as a cast."""
    texts = challenge_run.texts
    assert challenge_run.cast_code != challenge_run.challenged_code
    assert texts["receipt check"].startswith("Checked on this device:")
    assert texts["focus after again"] == "step-ballot-heading"
    posts = challenge_run.tab.posts()
    assert [json.loads(p["body"])["action"] for p in posts] == ["challenge", "cast"]
    cast_body = json.loads(posts[1]["body"])
    assert cast_body["ballot"]["confirmation_code"] == challenge_run.cast_code and "reveal" not in cast_body
    # re-signing the challenged ballot as a cast (what a dishonest booth would do) is refused by the board
    election = challenge_run.election
    challenged = json.loads(posts[0]["body"])
    voter = derive_voter_key(election.credentials[1], election.election_id)
    context = election.state(board).context
    forged = {"action": "cast", "ballot": challenged["ballot"], "credential": voter.public_key_hex,
              "signature": voter.sign_ballot(election.election_id, context.H_E, "cast",
                                             bytes.fromhex(challenged["ballot"]["confirmation_code"]),
                                             contest_data_digest(challenged["ballot"]))}
    response = board.app.test_client().post(f"/api/v1/elections/{election.election_id}/ballots", json=forged)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "duplicate_ballot"


def test_check_page_detects_a_reveal_that_does_not_match(board, challenge_run, open_tab):
    entry = [e for e in entries_of(board, challenge_run.election.election_id) if e["kind"] == "ballot.challenged"][0]
    tampered = json.loads(json.dumps(entry))
    tampered["payload"]["reveal"]["choices"] = {"mayor": ["opt-alder"], "council": ["opt-fern"]}
    tab = open_tab()
    tab.page.goto(f"{board.url}/booth/elections/{challenge_run.election.election_id}/check")
    tab.page.wait_for_selector("#page-status:empty", state="attached")
    results = {}
    for name, value in [("honest", entry), ("tampered", tampered)]:
        tab.page.fill("#check-json", json.dumps(value))
        tab.page.click("#check-submit")
        tab.page.wait_for_selector("#check-result:not([hidden])")
        tab.page.wait_for_selector("#check-submit:not([disabled])")
        results[name] = tab.page.text_content("#check-verdict")
    assert results["honest"].startswith("Correct:")
    assert results["tampered"].startswith("The check FAILED")


# --- keyboard only -------------------------------------------------------------------------------------

def press_tab_until(page, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only_voting(board, open_tab):
    election = open_election(board, "keyboard-2026", voters=1)
    tab = open_tab()
    page = tab.page
    page.goto(f"{board.url}/booth/elections/{election.election_id}/vote")
    tab.step("credential")
    focus = [page.evaluate("document.activeElement.id")]
    press_tab_until(page, "#credential-input")
    page.keyboard.type(election.credentials[0])
    page.keyboard.press("Enter")
    tab.step("ballot")
    focus.append(page.evaluate("document.activeElement.id"))
    press_tab_until(page, "#contest-1-option-1")
    page.keyboard.press("Space")
    for option in (1, 2, 3):  # the third is refused: votes_allowed is 2
        press_tab_until(page, f"#contest-2-option-{option}")
        page.keyboard.press("Space")
    assert [page.is_checked(f"#contest-2-option-{i}") for i in (1, 2, 3)] == [True, True, False]
    assert "at most 2" in page.text_content("#contest-2-message")
    press_tab_until(page, "#ballot-submit")
    page.keyboard.press("Enter")
    tab.step("review")
    focus.append(page.evaluate("document.activeElement.id"))
    press_tab_until(page, "#review-encrypt")
    page.keyboard.press("Enter")
    tab.step("code")
    focus.append(page.evaluate("document.activeElement.id"))
    press_tab_until(page, "#cast-button")
    page.keyboard.press("Enter")
    tab.step("receipt")
    focus.append(page.evaluate("document.activeElement.id"))
    assert focus == ["step-credential-heading", "step-ballot-heading", "step-review-heading", "step-code-heading",
                     "step-receipt-heading"]
    entries = [e for e in entries_of(board, election.election_id) if e["kind"] == "ballot.cast"]
    plain_labels = [[s["option"] for s in c["selections"]] for c in entries[0]["payload"]["ballot"]["contests"]]
    assert len(entries) == 1 and plain_labels[0] == ["opt-alder", "opt-birch", "opt-cedar"]
    assert tab.errors == []


# --- the other pages, French, and axe everywhere ------------------------------------------------------------

def test_lookup_page_finds_a_ballot_by_code_and_by_receipt(board, cast_run, open_tab):
    tab = open_tab()
    page = tab.page
    election_id = cast_run.election.election_id
    page.goto(f"{board.url}/booth/elections/{election_id}/lookup?code={cast_run.code}")
    page.wait_for_selector("#lookup-result:not([hidden])")
    by_code = page.text_content("#lookup-verdict"), page.text_content("#lookup-checks")
    tab.check_axe("lookup result")
    page.fill("#lookup-code", "")
    page.fill("#lookup-receipt", json.dumps(cast_run.downloaded))
    page.click("#lookup-submit")
    page.wait_for_selector("#lookup-checks li:nth-child(4)", state="attached")  # inside "Details for checking"
    by_receipt = [li.text_content() for li in page.query_selector_all("#lookup-checks li")]
    page.fill("#lookup-receipt", "")
    page.fill("#lookup-code", "ab" * 32)
    page.click("#lookup-submit")
    page.wait_for_selector("#lookup-verdict:has-text('No ballot')")
    assert by_code[0] == "This ballot is in the public ballot box. It is recorded, and it counts unless its voter votes again."
    assert by_code[1].count("✓") == 2 and "✗" not in by_code[1]
    assert all(line.startswith("✓") for line in by_receipt), by_receipt
    # the unknown code's 404 is the only failed request (Chromium logs it as a console error)
    assert tab.failed_responses == [f"404 {board.url}/api/v1/elections/{election_id}/ballots/{'AB' * 32}"]
    assert [e for e in tab.errors if "status of 404" not in e] == [] and tab.axe_violations() == {}


def test_french_booth_and_language_switcher(board, cast_run, open_tab):
    tab = open_tab(locale="fr-FR")
    page = tab.page
    page.goto(f"{board.url}/booth/elections/{cast_run.election.election_id}/vote")
    tab.step("credential")
    assert page.get_attribute("html", "lang") == "fr"
    assert page.text_content("#step-credential-heading") == "Étape 1 sur 5 : saisissez votre identifiant de vote"
    page.fill("#credential-input", cast_run.election.credentials[1])
    page.click("#credential-submit")
    tab.step("ballot")
    assert page.text_content("#contest-1-rule") == "Choisissez une option."
    assert page.text_content("#contest-2-rule") == "Choisissez jusqu’à 2 options."
    tab.check_axe("ballot in French")
    page.select_option("#language-select", "en")
    page.click(".language-form button")
    tab.step("credential")
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content("#step-credential-heading") == "Step 1 of 5: Enter your voting credential"
    assert tab.errors == [] and tab.axe_violations() == {}


def test_start_closed_and_check_pages(board, cast_run, open_tab):
    tab = open_tab()
    page = tab.page
    page.goto(f"{board.url}/booth/")
    page.wait_for_selector("#elections-list li")
    assert "cast-2026" in page.text_content("#elections-list")
    tab.check_axe("start page")
    closed = open_election(board, "closed-2026", voters=1)
    from support.booth_board import ADMIN_TOKEN

    board.app.test_client().post(f"/api/v1/admin/elections/{closed.election_id}/entries",
                                 json={"kind": "election.closed", "payload": {}},
                                 headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    page.goto(f"{board.url}/booth/elections/{closed.election_id}/vote")
    tab.step("closed")
    assert page.text_content("#step-closed-heading") == "Voting has closed"
    assert page.text_content("#closed-reason") == "No more ballots are accepted. The votes will be counted and the results published."
    tab.check_axe("closed election")
    page.goto(f"{board.url}/booth/elections/{cast_run.election.election_id}/check?code={cast_run.code}")
    page.wait_for_selector("#check-result:not([hidden])")
    assert page.text_content("#check-verdict").startswith("This ballot was cast, not challenged.")
    assert page.text_content("#check-choices") == ""  # a cast ballot is never opened
    tab.check_axe("check page on a cast ballot")
    assert tab.errors == [] and tab.axe_violations() == {}


def test_axe_finds_no_violation_on_any_page_or_step(cast_run, challenge_run, open_tab, board):
    """Every axe run of the tests above (each page and each booth step, English and French) found nothing;
    and the same check does catch a planted violation, so it can fail."""
    tab = open_tab()
    tab.page.goto(f"{board.url}/booth/elections/{cast_run.election.election_id}/lookup")
    tab.page.evaluate("document.querySelector('main').append(Object.assign(document.createElement('input'), {type: 'text'}))")
    planted = tab.check_axe("planted")
    assert any(v["id"] == "label" for v in planted)
    runs = {**cast_run.tab.axe, **challenge_run.tab.axe, **challenge_run.check_tab.axe}
    assert {"election information", "credential", "ballot with overvote message", "review", "confirmation code", "receipt",
            "challenged", "check page result"} <= set(runs)
    assert {where: v for where, v in runs.items() if v} == {}
