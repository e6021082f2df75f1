"""The booth in Debian's Chromium on a version-2 election (record format §4.1): three wards, each credential
bound to its ward's ballot style (tests/support/styled_world.py). A South Ward voter types the credential and
sees only the South Ward ballot, casts it, and the board holds a ballot of style "south" signed under
evote/ballot/v3; a credential that is not on the list, was revoked, or already cast (revote rule "first") is
refused at the first step in a plain sentence, before anything is marked; axe-core finds no violation on the
credential step, its refusal and the ballot. Screenshots go to /tmp/booth-styles-*.png."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.booth_board import entries_of, live_board, styled_election
from support.booth_js_support import axe_source
from support.styled_world import WARDS_MANIFEST

from voting.credentials import new_credential
from voting.record.submission import check_submission, parse_submission

pytestmark = pytest.mark.browser

SOUTH = 3  # voters[3] of the roll: South Ward, weight 1
REVOKED = 1  # a North Ward voter whose credential is withdrawn before the opening
CONTESTS = {c["label"]: c for c in WARDS_MANIFEST["contests"]}
SCREENSHOTS = Path("/tmp")



def wait_for_text(page, selector: str, expected: str, timeout: float = 30.0) -> str:
    """The element's text once it is ``expected``, or its last text after ``timeout`` (polled: the booth's CSP
    forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while (text := page.text_content(selector) or "") != expected and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    return text


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with live_board(tmp_path_factory.mktemp("styles-board")) as live:
        yield live


@pytest.fixture(scope="module")
def wards(board):
    return styled_election(board, "wards-2026", revote_rule="first", revoked=(REVOKED,))


@dataclass
class Device:
    """A fresh browser context on the vote page, with what it posts, its errors and axe's findings."""

    page: object
    posts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    axe: dict[str, list] = field(default_factory=dict)

    def step(self, name: str, timeout: float = 60_000) -> None:
        self.page.wait_for_selector(f"#step-{name}:not([hidden])", timeout=timeout)

    def check_axe(self, where: str) -> None:
        """axe-core (WCAG 2.x A/AA, best practices, AAA contrast) on the page as it is now."""
        if not self.page.evaluate("typeof window.axe === 'object'"):
            self.page.evaluate(axe_source())
        self.axe[where] = self.page.evaluate(
            """async () => (await axe.run(document, { rules: { 'color-contrast-enhanced': { enabled: true } } }))
                 .violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }))"""
        )

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SCREENSHOTS / f"booth-styles-{name}.png"), full_page=True)

    def type_credential(self, credential: str) -> None:
        self.page.fill("#credential-input", credential)
        self.page.click("#credential-submit")


@pytest.fixture(scope="module")
def device(browser, board, wards):
    contexts = []

    def make() -> Device:
        context = browser.new_context(locale="en-US")
        contexts.append(context)
        page = context.new_page()
        opened = Device(page)
        context.on("request", lambda r: opened.posts.append(r.url) if r.method == "POST" else None)
        page.on("pageerror", lambda error: opened.errors.append(f"page error: {error}"))
        page.on("console", lambda m: opened.errors.append(m.text) if m.type in ("error", "warning") else None)
        page.goto(f"{board.url}/booth/elections/{wards.election_id}/vote")
        opened.step("credential")
        return opened

    yield make
    for context in contexts:
        context.close()


@dataclass
class SouthCast:
    device: Device
    legends: list[str]
    style_line: str
    style_choice_visible: bool
    code: str
    receipt_check: str


@pytest.fixture(scope="module")
def south_cast(device, wards) -> SouthCast:
    """The South Ward voter's whole visit: credential, ballot, review, encryption, cast, receipt."""
    voter = device()
    page = voter.page
    voter.check_axe("credential step")
    voter.shot("credential")
    style_choice_visible = page.is_visible("#style-choice")
    voter.type_credential(wards.voters[SOUTH].credential)
    voter.step("ballot")
    legends = page.locator("#ballot-contests legend").all_text_contents()
    style_line = page.text_content("#ballot-style")
    page.click("#contest-1-option-2")  # mayor: bob
    page.click("#contest-2-option-1")  # south-council: sam
    voter.check_axe("ballot")
    voter.shot("ballot")
    page.click("#ballot-submit")
    voter.step("review")
    page.click("#review-encrypt")
    voter.step("code")
    code = page.text_content("#code-value").replace(" ", "")
    page.click("#cast-button")
    voter.step("receipt")
    receipt_check = wait_for_text(page, "#receipt-check", "Checked on this device: the public ballot box has signed a record that contains your ballot.")
    voter.shot("receipt")
    return SouthCast(voter, legends, style_line, style_choice_visible, code, receipt_check)


def test_a_south_ward_voter_sees_only_the_south_ward_ballot(south_cast):
    """The credential decides the ballot: mayor and the South Ward council, no other ward's contest, no style
    to choose."""
    assert south_cast.legends == ["mayor", "south-council"]
    assert not any(ward in " ".join(south_cast.legends) for ward in ("north", "east"))
    assert south_cast.style_line == "Your ballot: south."
    assert not south_cast.style_choice_visible
    assert south_cast.device.errors == []
    assert {where: found for where, found in south_cast.device.axe.items() if found} == {}


def test_the_cast_ballot_is_on_the_board_with_style_south_signed_v3(board, wards, south_cast):
    assert south_cast.receipt_check == "Checked on this device: the public ballot box has signed a record that contains your ballot."
    voter = wards.voters[SOUTH]
    entries = [e for e in entries_of(board, wards.election_id) if e["kind"] == "ballot.cast"]
    assert [e["payload"]["ballot"]["confirmation_code"] for e in entries] == [south_cast.code]
    submission = parse_submission(entries[0]["payload"], wards.definition.manifest)
    assert (submission.ballot.style, submission.credential) == ("south", voter.public_key)
    context = wards.state().context
    check_submission(submission, wards.election_id, wards.definition.manifest, context, style_signed=True)
    lookup = board.app.test_client().get(f"/api/v1/elections/{wards.election_id}/credentials/{voter.public_key}").get_json()
    assert [(b["confirmation_code"], b["status"]) for b in lookup["ballots"]] == [(south_cast.code, "cast")]
    assert json.dumps(entries[0]["payload"]).count(voter.credential) == 0


REFUSALS = {
    "unknown": "This credential is not on the list of voters of this election. Check that you are voting in the right "
               "election, and compare the credential with your voting card.",
    "revoked": "This credential has been withdrawn by the election's organizers and can no longer vote. Please contact them.",
    "used": "A ballot has already been cast with this credential, and this election counts only the first ballot of "
            "each voter. This credential cannot vote again.",
}  # fmt: skip


def test_unknown_revoked_and_used_credentials_are_refused_at_the_first_step(board, wards, device, south_cast):
    """Refused in a plain sentence tied to the field, before anything is marked; nothing is posted."""
    before = len(entries_of(board, wards.election_id))
    voter = device()
    page = voter.page
    for why, credential in [("unknown", new_credential()), ("revoked", wards.voters[REVOKED].credential),
                            ("used", wards.voters[SOUTH].credential)]:  # fmt: skip
        voter.type_credential(credential)
        assert wait_for_text(page, "#credential-error", REFUSALS[why]) == REFUSALS[why], why
        assert page.is_visible("#credential-error")
        assert page.get_attribute("#credential-input", "aria-invalid") == "true"
        assert page.evaluate("document.activeElement.id") == "credential-input"
        assert not page.is_visible("#step-ballot") and page.locator("#ballot-contests fieldset").count() == 0
        if why == "unknown":
            voter.check_axe("credential refused")
            voter.shot("refused")
        page.fill("#credential-input", "")
    assert voter.posts == [] and len(entries_of(board, wards.election_id)) == before
    assert {where: found for where, found in voter.axe.items() if found} == {}
    # the unknown key's 404 is the only failed request (Chromium logs it as a console error)
    assert [e for e in voter.errors if "status of 404" not in e] == []


def test_an_east_ward_challenge_checks_on_another_device_under_v3(board, wards, device, south_cast):
    """The check page verifies a version-2 election's challenged ballot with the v3 signature (style signed)."""
    voter = device()
    page = voter.page
    voter.type_credential(wards.voters[6].credential)  # East Ward
    voter.step("ballot")
    assert page.locator("#ballot-contests legend").all_text_contents() == ["mayor", "east-council"]
    page.click("#contest-2-option-2")  # east-council: eva
    page.click("#ballot-submit")
    voter.step("review")
    page.click("#review-encrypt")
    voter.step("code")
    page.click("#challenge-button")
    voter.step("challenged")
    checker = device()
    checker.page.goto(page.get_attribute("#challenged-check-link", "href"))
    checker.page.wait_for_selector("#check-result:not([hidden])", timeout=60_000)
    assert checker.page.text_content("#check-verdict").startswith("Correct:"), checker.page.text_content("#check-verdict")
    assert "eva" in checker.page.text_content("#check-choices")
    assert voter.errors == [] and checker.errors == []
