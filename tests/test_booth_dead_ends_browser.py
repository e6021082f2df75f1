"""No dead ends in the booth (issue 19, items 1-3 and the radio buttons of 5), in Debian's Chromium against a real
board, at 1280 px and 390 px wide, with axe-core on every state:

- a board that hangs (its answer lost after it recorded the ballot), then fails with a 503: the voter sees
  "still trying", then a plain sentence and "Try again", which resends the byte-identical submission; the
  board ends with exactly one ballot, the one whose confirmation code the voter was shown;
- a refusal (a credential not on the list, a ballot the board refuses) offers no retry; a 500 while loading does;
- a close between opening the page and marking is told before marking, and a close after marking before
  anything is encrypted or sent;
- fifteen challenges (with their reveal, as the booth sends them) and then a cast: the cast is accepted;
- a vote-for-one contest is a radio group (arrow keys, a button to clear it), the others checkboxes;
- an election that has not opened says so in words.

Screenshots go to /tmp/booth19-deadends-<state>-<width>.png.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from support.booth_board import ADMIN_TOKEN, MANIFEST, entries_of, live_board, open_election
from support.booth_js_support import axe_source

from trustee_tools.state import TrusteeState
from voting.credentials import new_credential
from voting.record.election import define_election

pytestmark = pytest.mark.browser

WIDTHS = [1280, 390]
TIMING = {"slowMs": 400, "timeoutMs": 4000}  # api.js reads these from sessionStorage (tests only)
JARGON = ("board", "entry", "Entry", "checkpoint", "kind", "phase", "keygen", "ballot.cast")
CHOICES = {"mayor": ["opt-birch"], "council": ["opt-elm"]}



@dataclass
class Device:
    page: object
    width: int
    posts: list[bytes] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    axe: dict[str, list] = field(default_factory=dict)

    def step(self, name: str, timeout: float = 30_000) -> None:
        self.page.wait_for_selector(f"#step-{name}:not([hidden])", timeout=timeout)

    def shot(self, state: str) -> None:
        self.page.screenshot(path=f"/tmp/booth19-deadends-{state}-{self.width}.png", full_page=True)

    def check_axe(self, where: str) -> None:
        if not self.page.evaluate("typeof window.axe === 'object'"):
            self.page.evaluate(AXE[0])
        self.axe[where] = self.page.evaluate(
            """async () => (await axe.run(document, { rules: { 'color-contrast-enhanced': { enabled: true } } }))
                 .violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }))"""
        )

    def violations(self) -> dict[str, list]:
        return {where: found for where, found in self.axe.items() if found}

    def visible_text(self) -> str:
        """What the voter reads (closed <details> and hidden steps are not rendered, so not in innerText)."""
        return self.page.inner_text("main")

    def unexpected_errors(self) -> list[str]:
        """Console errors other than the failed loads each test provokes on purpose."""
        return [e for e in self.errors if "Failed to load resource" not in e]


AXE: list[str] = []


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with live_board(tmp_path_factory.mktemp("dead-ends-board")) as live:
        yield live


@pytest.fixture(scope="module")
def election(board):
    return open_election(board, "dead-ends-2026", voters=10)


@pytest.fixture(scope="module")
def device(chromium):
    if not AXE:
        AXE.append(axe_source())
    contexts = []

    def make(width: int, locale: str = "en-US") -> Device:
        context = chromium.new_context(viewport={"width": width, "height": 844 if width < 600 else 900}, locale=locale)
        contexts.append(context)
        context.add_init_script(
            "if (typeof sessionStorage !== 'undefined') "
            f"sessionStorage.setItem('evote-booth/request-timing', '{json.dumps(TIMING)}');")
        page = context.new_page()
        dev = Device(page, width)
        context.on("request", lambda r: dev.posts.append(r.post_data_buffer) if r.method == "POST" and r.url.endswith("/ballots") else None)
        page.on("pageerror", lambda error: dev.errors.append(f"page error: {error}"))
        page.on("console", lambda m: dev.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        return dev

    yield make
    for context in contexts:
        context.close()


def admin_entry(board, election_id: str, kind: str) -> None:
    response = board.app.test_client().post(f"/api/v1/admin/elections/{election_id}/entries", json={"kind": kind, "payload": {}},
                                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 201, response.get_json()


def ballots_of(board, election_id: str) -> list[dict]:
    return [e for e in entries_of(board, election_id) if e["kind"].startswith("ballot.")]


def enter_credential(dev: Device, board, election_id: str, credential: str, step: str = "ballot") -> None:
    page = dev.page
    page.goto(f"{board.url}/booth/elections/{election_id}/vote")
    dev.step("credential")
    page.fill("#credential-input", credential)
    page.click("#credential-submit")
    if step:
        dev.step(step)


def mark(dev: Device, choices: dict) -> None:
    for i, contest in enumerate(MANIFEST["contests"], 1):
        for j, option in enumerate(contest["options"], 1):
            if option["label"] in choices.get(contest["label"], []) and not dev.page.is_checked(f"#contest-{i}-option-{j}"):
                dev.page.click(f"#contest-{i}-option-{j}")


def encrypt(dev: Device) -> str:
    dev.page.click("#ballot-submit")
    dev.step("review")
    dev.page.click("#review-encrypt")
    dev.step("code")
    return dev.page.text_content("#code-value").replace(" ", "")


# --- a board that hangs, then fails, then answers ---------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
def test_a_hanging_then_failing_board_is_retried_with_the_same_bytes_and_records_one_ballot(board, election, device, width):
    dev = device(width)
    page = dev.page
    credential = election.credentials[WIDTHS.index(width)]
    enter_credential(dev, board, election.election_id, credential)
    mark(dev, CHOICES)
    code = encrypt(dev)
    before = len(ballots_of(board, election.election_id))
    answers = []

    def board_route(route):
        if route.request.method != "POST":
            route.continue_()
            return
        if not answers:  # the board records the ballot, but its answer never reaches the voter
            answers.append(route.fetch().status)
            return
        if len(answers) == 1:
            answers.append(503)
            route.fulfill(status=503, content_type="application/json",
                          body=json.dumps({"error": {"code": "unavailable", "field": None, "message": "overloaded"}}))
            return
        route.continue_()
        answers.append("passed")

    page.route("**/ballots", board_route)
    page.click("#cast-button")
    page.wait_for_selector("#post-status.still-trying")
    still_trying = page.text_content("#post-status")
    dev.shot("still-trying")
    dev.check_axe("still trying")
    page.wait_for_selector("#post-error .retry-button")
    no_answer = page.text_content("#post-error p")
    cast_disabled = page.is_disabled("#cast-button") and page.is_disabled("#challenge-button")
    dev.shot("no-answer")
    dev.check_axe("no answer")
    assert len(ballots_of(board, election.election_id)) == before + 1  # recorded, though the voter was not told
    page.click("#post-error .retry-button")
    page.wait_for_selector("#post-error:has-text('problem at the moment') .retry-button")
    unavailable = page.text_content("#post-error p")
    dev.shot("unavailable")
    dev.check_axe("board unavailable")
    page.click("#post-error .retry-button")
    dev.step("receipt")
    page.wait_for_selector("#receipt-check.verdict")
    summary = page.text_content("#receipt-summary")
    shown_code = page.text_content("#receipt-code").replace(" ", "")
    visible = dev.visible_text()
    dev.shot("receipt")
    dev.check_axe("receipt")
    page.click("#step-receipt .details-for-checking summary")
    details = page.inner_text("#receipt-facts")
    dev.shot("receipt-details")
    stored = page.evaluate("JSON.stringify(window.sessionStorage)")
    page.click("#receipt-lookup-link")  # the receipt's own link, as a voter would follow it
    page.wait_for_selector("#lookup-result:not([hidden])")
    page.wait_for_selector("#lookup-checks li:nth-child(2)", state="attached")
    lookup_verdict = page.text_content("#lookup-verdict")
    lookup_visible = dev.visible_text()
    dev.shot("lookup")
    dev.check_axe("lookup")

    assert answers == [201, 503, "passed"]
    assert still_trying == "Still trying: the public ballot box is slow to answer. Please wait…"
    assert no_answer == ("The public ballot box did not answer. Check your internet connection, then try again. The booth does "
                         "not know whether your ballot arrived. Trying again sends exactly the same ballot, so it can never be "
                         "recorded twice.")
    assert unavailable.startswith("The public ballot box has a problem at the moment; this is not your fault.")
    assert cast_disabled  # the way on is "Try again", with the same bytes: never a second action
    assert len(dev.posts) == 3 and dev.posts[0] == dev.posts[1] == dev.posts[2]  # byte for byte
    ballots = ballots_of(board, election.election_id)
    mine = [e for e in ballots if e["payload"]["credential"] == json.loads(dev.posts[0])["credential"]]
    assert len(ballots) == before + 1 and len(mine) == 1
    assert mine[0]["kind"] == "ballot.cast" and mine[0]["payload"]["ballot"]["confirmation_code"] == code == shown_code
    assert summary == "Your ballot is recorded. It counts unless you vote again: only your last ballot counts."
    assert not [word for word in JARGON if word in visible], visible
    assert "ballot.cast" in details and str(mine[0]["seq"]) in details  # the technical facts, behind the disclosure
    assert lookup_verdict == "This ballot is in the public ballot box. It is recorded, and it counts unless its voter votes again."
    assert not [word for word in JARGON if word in lookup_visible], lookup_visible
    assert "/pending" not in stored  # the kept submission is dropped once the board has answered
    assert dev.unexpected_errors() == [] and dev.violations() == {}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_page_reloaded_while_a_ballot_hung_sends_the_same_ballot_again(board, election, device, width):
    """The kept submission survives a reload: the page offers to send it again, never a new encryption."""
    dev = device(width)
    page = dev.page
    enter_credential(dev, board, election.election_id, election.credentials[2 + WIDTHS.index(width)])
    mark(dev, CHOICES)
    code = encrypt(dev)
    hung = []
    page.route("**/ballots", lambda route: hung.append(route) if route.request.method == "POST" else route.continue_())
    page.click("#cast-button")
    page.wait_for_selector("#post-status.still-trying")
    page.unroute("**/ballots")
    page.reload()
    dev.step("pending")
    dev.shot("pending")
    dev.check_axe("pending after reload")
    page.click("#pending-retry")
    dev.step("receipt")
    page.wait_for_selector("#receipt-check.verdict")
    assert page.text_content("#receipt-code").replace(" ", "") == code
    assert len(hung) == 1 and len(dev.posts) == 2 and dev.posts[0] == dev.posts[1]
    codes = [e["payload"]["ballot"]["confirmation_code"] for e in ballots_of(board, election.election_id)]
    assert codes.count(code) == 1
    assert dev.unexpected_errors() == [] and dev.violations() == {}


# --- refusals offer no retry; a failure to load does ----------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
def test_a_refusal_offers_no_retry_and_a_failure_to_load_does(board, election, device, width):
    dev = device(width)
    page = dev.page
    failed = []

    def context_route(route):
        if not failed:
            failed.append(500)
            route.fulfill(status=500, content_type="application/json",
                          body=json.dumps({"error": {"code": "internal_error", "field": None, "message": "internal error"}}))
        else:
            route.continue_()

    page.route("**/context", context_route)
    page.goto(f"{board.url}/booth/elections/{election.election_id}/vote")
    page.wait_for_selector("#page-error .retry-button")
    load_error = page.text_content("#page-error p")
    dev.shot("load-failed")
    dev.check_axe("load failed")
    page.click("#page-error .retry-button")
    dev.step("credential")
    page.unroute("**/context")

    page.fill("#credential-input", new_credential())  # well formed, not on this election's list
    page.click("#credential-submit")
    page.wait_for_selector("#credential-error:not([hidden])")
    unknown = page.text_content("#credential-error")
    unknown_buttons = page.locator(".retry-button").count()
    dev.shot("unknown-credential")
    dev.check_axe("unknown credential")

    page.fill("#credential-input", election.credentials[4 + WIDTHS.index(width)])
    page.click("#credential-submit")
    dev.step("ballot")
    mark(dev, CHOICES)
    encrypt(dev)
    before = len(ballots_of(board, election.election_id))
    page.route("**/ballots", lambda route: route.fulfill(
        status=400, content_type="application/json",
        body=json.dumps({"error": {"code": "invalid_input", "field": "signature", "message": "the signature does not verify"}}))
        if route.request.method == "POST" else route.continue_())
    page.click("#cast-button")
    page.wait_for_selector("#post-error:not([hidden])")
    refused = page.text_content("#post-error")
    refused_buttons = page.locator("#post-error button").count()
    cast_disabled = page.is_disabled("#cast-button")
    dev.shot("refused")
    dev.check_axe("refused")

    assert failed == [500]
    assert load_error == "The public ballot box has a problem at the moment; this is not your fault. Please try again in a minute."
    assert unknown.startswith("This credential is not on the list of voters of this election.") and unknown_buttons == 0
    assert refused == ("This was not accepted. The reason given: the signature does not verify. If you need help, contact "
                       "the election's organizers.")
    assert refused_buttons == 0 and cast_disabled  # pressing Cast again would get the same refusal
    assert len(ballots_of(board, election.election_id)) == before
    assert dev.unexpected_errors() == [] and dev.violations() == {}


# --- a close while the page is open ----------------------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
def test_a_close_after_the_page_opened_is_told_before_marking_and_before_encrypting(board, device, width):
    dev = device(width)
    page = dev.page
    early = open_election(board, f"closes-early-{width}", voters=1)
    page.goto(f"{board.url}/booth/elections/{early.election_id}/vote")
    dev.step("credential")
    admin_entry(board, early.election_id, "election.closed")
    page.fill("#credential-input", early.credentials[0])
    page.click("#credential-submit")
    dev.step("closed")
    early_words = page.text_content("#step-closed-heading"), page.text_content("#closed-reason"), page.text_content("#closed-next")
    ballot_shown = page.is_visible("#step-ballot")
    dev.shot("closed-before-marking")
    dev.check_axe("closed before marking")

    late = open_election(board, f"closes-late-{width}", voters=1)
    enter_credential(dev, board, late.election_id, late.credentials[0])
    mark(dev, CHOICES)
    page.click("#ballot-submit")
    dev.step("review")
    admin_entry(board, late.election_id, "election.closed")
    page.click("#review-encrypt")
    dev.step("closed")
    late_reason = page.text_content("#closed-reason")
    dev.shot("closed-before-encrypting")
    dev.check_axe("closed before encrypting")

    assert early_words == ("Voting has closed", "Voting closed after this page was opened: no more ballots are accepted.",
                           "The election information page will show the results once the votes are counted.")
    assert not ballot_shown
    assert late_reason == early_words[1]
    assert dev.posts == [] and ballots_of(board, late.election_id) == []
    assert dev.unexpected_errors() == [] and dev.violations() == {}


def test_an_election_not_yet_open_says_so_in_words(board, device):
    trustee = TrusteeState.new("Trustee 1")
    roster = [{"index": 1, "name": trustee.name, "identity_key": trustee.identity_public_key}]
    definition = define_election("not-yet-2026", MANIFEST, roster, 1, "last")
    response = board.app.test_client().post("/api/v1/admin/elections", json=definition.to_payload(),
                                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 201, response.get_json()
    dev = device(390)
    dev.page.goto(f"{board.url}/booth/elections/not-yet-2026/vote")
    dev.step("closed")
    words = dev.page.text_content("#step-closed-heading"), dev.page.text_content("#closed-reason")
    visible = dev.visible_text()
    dev.shot("not-started")
    dev.check_axe("not started")
    assert words == ("Voting has not started yet", "The election is still being prepared. You can vote once it opens.")
    assert not [word for word in JARGON if word in visible], visible
    assert dev.unexpected_errors() == [] and dev.violations() == {}


# --- challenges never lock a voter out ---------------------------------------------------------------------

def test_fifteen_challenges_then_a_cast_is_accepted(board, election, device):
    """The board's default per-credential limits (docs/board.md "Rate limits and abuse") count casts, revealed
    challenges and sealed challenges apart: a voter who challenges fifteen times, as the booth does (with the
    reveal), can still cast."""
    dev = device(1280)
    page = dev.page
    enter_credential(dev, board, election.election_id, election.credentials[6])
    challenged = []
    for _ in range(15):
        mark(dev, CHOICES)
        challenged.append(encrypt(dev))
        page.click("#challenge-button")
        dev.step("challenged")
        if len(challenged) == 1:
            visible = dev.visible_text()
            dev.shot("challenged")
            dev.check_axe("challenged")
        page.click("#again-button")
        dev.step("ballot")
    dev.check_axe("ballot after fifteen challenges")
    cast = encrypt(dev)
    page.click("#cast-button")
    dev.step("receipt")
    page.wait_for_selector("#receipt-check.verdict")
    dev.shot("cast-after-15-challenges")
    key = json.loads(dev.posts[0])["credential"]
    mine = [e for e in ballots_of(board, election.election_id) if e["payload"]["credential"] == key]
    assert [e["kind"] for e in mine] == ["ballot.challenged"] * 15 + ["ballot.cast"]
    assert [e["payload"]["ballot"]["confirmation_code"] for e in mine] == [*challenged, cast]
    assert all("reveal" in e["payload"] for e in mine[:15])
    assert "It does not count" in visible and not [word for word in JARGON if word in visible], visible
    assert dev.unexpected_errors() == [] and dev.violations() == {}


# --- radio buttons for one choice ------------------------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
def test_vote_for_one_is_a_radio_group_and_the_others_are_checkboxes(board, election, device, width):
    dev = device(width)
    page = dev.page
    enter_credential(dev, board, election.election_id, election.credentials[7 + WIDTHS.index(width)])
    types = page.eval_on_selector_all("#ballot-contests fieldset", "fs => fs.map((f) => [...f.querySelectorAll('input')].map((i) => i.type))")
    clear_hidden_at_first = page.is_hidden("#contest-1-clear")
    page.focus("#contest-1-option-1")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # a radio group: the arrow keys move the choice
    after_arrow = [page.is_checked(f"#contest-1-option-{j}") for j in (1, 2, 3)]
    count = page.text_content("#contest-1-count")
    dev.shot("radio-chosen")
    dev.check_axe("radio chosen")
    page.click("#contest-1-clear")
    cleared = [page.is_checked(f"#contest-1-option-{j}") for j in (1, 2, 3)]
    focus = page.evaluate("document.activeElement.id")
    page.click("#contest-1-option-3")
    page.click("#contest-1-option-1")  # changing one's mind takes one click
    changed = [page.is_checked(f"#contest-1-option-{j}") for j in (1, 2, 3)]
    page.click("#ballot-submit")
    dev.step("review")
    review = page.text_content("#review-list")

    assert types == [["radio"] * 3, ["checkbox"] * 4]
    assert page.eval_on_selector_all("#ballot-contests input", "els => els.filter((e) => e.form !== null).length") == 0
    assert clear_hidden_at_first
    assert after_arrow == [False, True, False] and count == "Chosen: 1 of 1."
    assert cleared == [False, False, False] and focus == "contest-1-option-1"
    assert changed == [True, False, False] and "Alder Quince" in review
    assert dev.unexpected_errors() == [] and dev.violations() == {}


# --- the same dead ends in Arabic, right to left, on a phone ------------------------------------------------


def test_in_arabic_on_a_phone_no_answer_offers_the_same_ballot_again_and_a_refusal_offers_nothing(board, election, device):
    """The browser asks for Arabic: the page is right to left, the sentences are the Arabic catalogue's, the
    retry after a lost answer resends the same bytes, an unknown credential gets no retry, and axe finds nothing."""
    from voting.booth.i18n import load_catalogues

    arabic = load_catalogues()["ar"].gettext
    dev = device(390, locale="ar")
    page = dev.page
    page.goto(f"{board.url}/booth/elections/{election.election_id}/vote")
    dev.step("credential")
    assert (page.get_attribute("html", "lang"), page.get_attribute("html", "dir")) == ("ar", "rtl")
    page.fill("#credential-input", new_credential())  # well formed, not on this election's list
    page.click("#credential-submit")
    page.wait_for_selector("#credential-error:not([hidden])")
    refused = page.text_content("#credential-error") or ""
    refused_retries = page.locator(".retry-button").count()
    dev.check_axe("unknown credential, Arabic")

    page.fill("#credential-input", election.credentials[9])
    page.click("#credential-submit")
    dev.step("ballot")
    mark(dev, CHOICES)
    code = encrypt(dev)
    lost = []

    def board_route(route):
        if route.request.method == "POST" and not lost:
            lost.append(route.fetch().status)  # recorded by the board; the answer never reaches the phone
            return
        route.continue_()

    page.route("**/ballots", board_route)
    page.click("#cast-button")
    page.wait_for_selector("#post-error .retry-button")
    no_answer = page.text_content("#post-error p") or ""
    dev.shot("no-answer-ar")
    dev.check_axe("no answer, Arabic")
    page.click("#post-error .retry-button")
    dev.step("receipt")
    dev.check_axe("receipt, Arabic")
    dev.shot("receipt-ar")

    assert refused_retries == 0
    assert refused == arabic("This credential is not on the list of voters of this election. Check that you are voting in the "
                             "right election, and compare the credential with your voting card.")
    assert no_answer.startswith(arabic("The public ballot box did not answer. Check your internet connection, then try again."))
    assert lost == [201] and len(dev.posts) == 2 and dev.posts[0] == dev.posts[1]
    assert page.text_content("#receipt-code").replace(" ", "") == code
    assert dev.unexpected_errors() == [] and dev.violations() == {}
