"""The booth's voter login in Debian's Chromium (issue 17 items 4 and 5; docs/booth.md, "Voter login"): a board
with an election whose ``election.created`` has ``voter_login`` and a real SMTP server in this process
(aiosmtpd, tests/support/login_world.py). A voter asks for a code, reads it in the mailbox, types a wrong code
(told how many tries are left) then the right one, votes and gets a receipt; every ballot carries
``Authorization: Voter <session>`` and the session is in no URL, cookie or localStorage. A session that ends
before the cast brings the sign-in back and the same encrypted ballot is sent afterwards; a second voting card
for the same login is refused in words. "Was anything cast in my name?" on the look-up page answers "none" for
an unused card and lists the ballot of a used one, and no request carries the credential. axe-core on every
step. Screenshots go to /tmp/booth-login-*.png."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.board_world import make_app
from support.booth_js_support import axe_source
from support.evote_support import serve_app
from support.login_world import LoginWorld, code_of, smtp_server

from bulletin_board import voter_login

pytestmark = pytest.mark.browser

SOUTH, EAST, EAST_TOO, UNUSED = 3, 6, 7, 0  # voters of the wards' roll (support/styled_world.py ROLL)
SCREENSHOTS = Path("/tmp")
SESSION_HEADER = "authorization"


def wait_for_text(page, selector: str, expected: str, timeout: float = 30.0) -> str:
    """The element's text once it contains ``expected``, or its last text (polled: the CSP forbids eval)."""
    deadline = time.monotonic() + timeout
    while expected not in (text := page.text_content(selector) or "") and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    return text


@pytest.fixture(scope="module")
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def board(tmp_path_factory, smtp):
    _, smtp_url = smtp
    app = make_app(tmp_path_factory.mktemp("booth-login"), EVOTE_SMTP_URL=smtp_url, EVOTE_SMTP_FROM="vote@board.example",
                   EVOTE_SECRET_KEY="booth-login-test-secret", EVOTE_RATELIMIT_LOGIN_PER_CLIENT="1000 per minute",
                   EVOTE_RATELIMIT_LOGIN_PER_VOTER="100 per minute")  # fmt: skip
    world = LoginWorld(app.test_client(), election_id="login-2026", n=1, k=1)
    world.keygen()
    world.upload_logins()
    world.open()
    with serve_app(app) as url:
        world.url = url
        yield world


@dataclass
class Device:
    """A fresh browser context, with every request it makes, its console and page errors, and axe's findings."""

    context: object
    page: object
    requests: list[dict] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    axe: dict[str, list] = field(default_factory=dict)

    def step(self, name: str, timeout: float = 60_000) -> None:
        self.page.wait_for_selector(f"#step-{name}:not([hidden])", timeout=timeout)

    def check_axe(self, where: str) -> None:
        if not self.page.evaluate("typeof window.axe === 'object'"):
            self.page.evaluate(axe_source())
        self.axe[where] = self.page.evaluate(
            """async () => (await axe.run(document, { rules: { 'color-contrast-enhanced': { enabled: true } } }))
                 .violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }))"""
        )

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SCREENSHOTS / f"booth-login-{name}.png"), full_page=True)

    def violations(self) -> dict:
        return {where: found for where, found in self.axe.items() if found}

    def sent(self) -> str:
        """Every URL, header and body this device sent, as one text to search."""
        return json.dumps(self.requests)


@pytest.fixture(scope="module")
def device(chromium, board):
    contexts = []

    def make(path: str) -> Device:
        context = chromium.new_context(locale="en-US")
        contexts.append(context)
        page = context.new_page()
        opened = Device(context, page)
        context.on(
            "request",
            lambda r: opened.requests.append({"method": r.method, "url": r.url, "headers": r.headers, "body": r.post_data}),
        )
        page.on("pageerror", lambda error: opened.console.append(f"page error: {error}"))
        page.on("console", lambda m: opened.console.append(f"{m.type}: {m.text}"))
        page.goto(f"{board.url}/booth/elections/{board.election_id}/{path}")
        return opened

    yield make
    for context in contexts:
        context.close()


def sign_in(voter: Device, board, inbox, index: int, *, wrong_first: bool = False) -> str | None:
    """On the login step: voter id, the code read from the mailbox (a wrong one first if asked); the message
    shown for the wrong code."""
    page = voter.page
    login = board.logins[index]
    before = len(inbox.to(login["email"]))
    if page.input_value("#login-voter-id") != login["voter_id"]:
        page.fill("#login-voter-id", login["voter_id"])
    page.click("#login-id-submit")
    page.wait_for_selector("#login-code-part:not([hidden])")
    code = code_of(inbox.wait_for(login["email"], before + 1))
    told = None
    if wrong_first:
        wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
        page.fill("#login-code", wrong[:4] + " " + wrong[4:])
        page.click("#login-code-submit")
        page.wait_for_selector("#login-code-error:not([hidden])")
        told = page.text_content("#login-code-error")
        voter.check_axe("wrong code")
        voter.shot("wrong-code")
    page.fill("#login-code", code)
    page.click("#login-code-submit")
    return told


def mark_and_encrypt(voter: Device, credential: str) -> str:
    page = voter.page
    page.fill("#credential-input", credential)
    page.click("#credential-submit")
    voter.step("ballot")
    page.click("#contest-1-option-2")  # mayor: bob
    page.click("#ballot-submit")
    voter.step("review")
    page.click("#review-encrypt")
    voter.step("code")
    return page.text_content("#code-value").replace(" ", "")


def ballot_posts(voter: Device) -> list[dict]:
    return [r for r in voter.requests if r["method"] == "POST" and r["url"].endswith("/ballots")]


@dataclass
class Visit:
    device: Device
    wrong_code_told: str
    code: str
    receipt_check: str
    channels: str


@pytest.fixture(scope="module")
def south_visit(device, board, smtp) -> Visit:
    """The South Ward voter: election page, sign-in (a wrong code, then the right one), vote, receipt."""
    inbox, _ = smtp
    info = device("")
    info.page.wait_for_selector("#login-section:not([hidden])")
    channels = info.page.text_content("#login-info")
    info.check_axe("election page")
    voter = device("vote")
    voter.step("login")
    voter.check_axe("login step")
    voter.shot("login")
    told = sign_in(voter, board, inbox, SOUTH, wrong_first=True)
    voter.step("credential")
    code = mark_and_encrypt(voter, board.credentials[SOUTH])
    voter.page.click("#cast-button")
    voter.step("receipt")
    check = wait_for_text(voter.page, "#receipt-check", "Checked on this device")
    voter.shot("receipt")
    voter.console.extend(info.console)
    voter.axe.update(info.axe)
    return Visit(voter, told, code, check, channels)


def test_a_voter_signs_in_with_the_emailed_code_and_casts(board, south_visit):
    voter = south_visit.device
    assert "sent by post and the codes by e-mail" in south_visit.channels
    assert south_visit.wrong_code_told == ("This is not the code we sent. Check the e-mail and type it again: "
                                           "you can try 4 more times.")  # fmt: skip
    assert south_visit.receipt_check.startswith("Checked on this device")
    listed = board.client.get(f"/api/v1/elections/{board.election_id}/credentials/{board.voters[SOUTH].public_key}").get_json()
    assert [(b["confirmation_code"], b["status"]) for b in listed["ballots"]] == [(south_visit.code, "cast")]
    posts = ballot_posts(voter)
    assert len(posts) == 1
    scheme, _, session = posts[0]["headers"].get(SESSION_HEADER, "").partition(" ")
    assert scheme == "Voter" and len(session) == 43
    # the session travels in that header only: no URL, no other request, no cookie, no localStorage, no console
    assert [r["url"] for r in voter.requests if session in json.dumps(r)] == [posts[0]["url"]]
    assert session not in posts[0]["url"] and session not in (posts[0]["body"] or "")
    assert voter.context.cookies() == [] or all(session not in c["value"] for c in voter.context.cookies())
    assert voter.page.evaluate("window.localStorage.length") == 0
    assert not any(session in line for line in voter.console)
    assert board.credentials[SOUTH] not in voter.sent()
    assert [
        line for line in voter.console if line.startswith(("error", "page error", "warning")) and "status of 401" not in line
    ] == []  # the wrong code's 401 is the only failed request
    assert voter.violations() == {}


def test_a_session_that_ends_before_the_cast_signs_in_again_and_sends_the_same_ballot(
    board, smtp, device, south_visit, monkeypatch
):
    """The board no longer knows the session when the voter casts (its clock is two hours on): the booth asks to
    sign in again, keeps the encrypted ballot, and sends exactly it; then a second voting card for the same
    login is refused in words."""
    inbox, _ = smtp
    voter = device("vote")
    voter.step("login")
    sign_in(voter, board, inbox, EAST)
    voter.step("credential")
    code = mark_and_encrypt(voter, board.credentials[EAST])
    later = voter_login.clock() + 2 * 3600 * voter_login.US
    monkeypatch.setattr(voter_login, "clock", lambda: later)
    voter.page.click("#cast-button")
    voter.step("login")
    assert voter.page.is_visible("#login-again")
    assert voter.page.input_value("#login-voter-id") == board.logins[EAST]["voter_id"]  # kept to sign in again
    voter.check_axe("sign in again")
    sign_in(voter, board, inbox, EAST)
    voter.step("receipt", timeout=30_000)
    assert voter.page.text_content("#receipt-code").replace(" ", "") == code
    posts = ballot_posts(voter)
    assert len(posts) == 2 and posts[0]["body"] == posts[1]["body"]  # the same bytes, once refused, once recorded
    assert posts[0]["headers"][SESSION_HEADER] != posts[1]["headers"][SESSION_HEADER]
    listed = board.client.get(f"/api/v1/elections/{board.election_id}/credentials/{board.voters[EAST].public_key}").get_json()
    assert [b["confirmation_code"] for b in listed["ballots"]] == [code]

    # the same login with another East Ward card (same style and weight): the board refuses, the booth says why
    voter.page.click("#revote-button")
    voter.step("credential")
    mark_and_encrypt(voter, board.credentials[EAST_TOO])
    voter.page.click("#cast-button")
    voter.page.wait_for_selector("#post-error:not([hidden])")
    assert voter.page.text_content("#post-error p") == ("You have already voted with another voting card. Each voter votes "
                                                        "with one card only: to vote again, use the card you voted with first.")  # fmt: skip
    assert voter.page.is_visible("#post-error button") and not voter.page.is_visible("#post-error .retry-button")
    voter.check_axe("other card refused")
    voter.shot("other-card")
    assert voter.violations() == {}


def test_was_anything_cast_in_my_name(board, device, south_visit):
    """None for an unused card, the South Ward voter's ballot for theirs; only public keys leave the browser."""
    checker = device("lookup")
    page = checker.page
    page.wait_for_selector("#mine-form")
    page.fill("#mine-credential", board.credentials[UNUSED])
    page.click("#mine-submit")
    page.wait_for_selector("#mine-result:not([hidden])")
    assert page.text_content("#mine-verdict") == "No ballot has been cast or challenged with this voting card."
    assert page.locator("#mine-ballots li").count() == 0
    assert page.input_value("#mine-credential") == ""
    checker.check_axe("nothing cast")
    page.fill("#mine-credential", board.credentials[SOUTH].lower().replace("-", " "))
    page.click("#mine-submit")
    assert wait_for_text(page, "#mine-verdict", "One ballot") == "One ballot has been cast or challenged with this voting card:"
    items = page.locator("#mine-ballots li").all_text_contents()
    assert len(items) == 1
    grouped = " ".join(south_visit.code[i : i + 4] for i in range(0, 64, 4))
    assert items[0].startswith(grouped) and "cast; it counts; received 20" in items[0] and "UTC" in items[0]
    assert "someone else has used your voting card" in page.text_content("#mine-advice")
    checker.check_axe("one ballot")
    checker.shot("cast-in-my-name")
    sent = checker.sent()
    for index in (UNUSED, SOUTH):
        credential = board.credentials[index]
        for form in (credential, credential.replace("-", ""), credential.lower(), credential.replace("-", "").lower()):
            assert form not in sent
        assert f"/credentials/{board.voters[index].public_key}" in sent
    assert [r for r in checker.requests if r["method"] != "GET"] == []
    assert [line for line in checker.console if line.startswith(("error", "page error", "warning"))] == []
    assert checker.violations() == {}
