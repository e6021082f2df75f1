"""The booth and the board's schedule and cancel (issue 18), in Debian's Chromium with the voter in Paris
(Playwright's timezone_id): the election page says when voting closes in the voter's time zone, named; an
election that opens later says so on its vote page; a ballot the board refuses as outside the voting hours (409
outside_voting_hours) is explained in words; a cancelled election is absent from the index, and its pages say it
was cancelled and why, the vote page closed. axe-core finds no violation on any of these pages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from support.booth_board import ADMIN_TOKEN, MANIFEST, live_board, open_election
from support.booth_js_support import axe_source

from trustee_tools.state import TrusteeState
from voting.record.election import define_election

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")
REASON = "A trustee's key was stale: the election is run again as town-2026b"
AXE_RUN = """async () => (await axe.run(document, { rules: { 'color-contrast-enhanced': { enabled: true } } }))
  .violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }))"""


def utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def at_17(days: int) -> datetime:
    """17:00 UTC, `days` days from now."""
    return (datetime.now(timezone.utc) + timedelta(days=days)).replace(hour=17, minute=0, second=0, microsecond=0)


def english(moment: datetime) -> str:
    """How the booth writes a moment in English in Paris: "Thursday, December 3, 2026 at 6:00 PM"."""
    local = moment.astimezone(PARIS)
    hour = local.hour % 12 or 12
    return rf"{local:%A}, {local:%B} {local.day}, {local.year} at {hour}:00\s{'PM' if local.hour >= 12 else 'AM'}"


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with live_board(tmp_path_factory.mktemp("schedule-board")) as live:
        yield live


@pytest.fixture(scope="module")
def elections(board):
    closes = at_17(3)
    opened = open_election(board, "open-2026", voters=2,
                           schedule={"opens_at": utc(datetime.now(timezone.utc) - timedelta(hours=1)), "closes_at": utc(closes)})
    open_election(board, "cancelled-2026", voters=1)
    client, headers = board.app.test_client(), {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    response = client.post("/api/v1/admin/elections/cancelled-2026/entries",
                           json={"kind": "election.cancelled", "payload": {"reason": REASON}}, headers=headers)
    assert response.status_code == 201, response.get_json()
    # created with a schedule and left in its key ceremony: voting opens in two days
    trustee = TrusteeState.new("Trustee 1")
    roster = [{"index": 1, "name": trustee.name, "identity_key": trustee.identity_public_key}]
    later = {"opens_at": utc(at_17(2)), "closes_at": utc(at_17(4))}
    definition = define_election("later-2026", MANIFEST, roster, 1, "last", schedule=later)
    assert client.post("/api/v1/admin/elections", json=definition.to_payload(), headers=headers).status_code == 201
    return {"open": opened, "closes": closes, "later": later}


@pytest.fixture(scope="module")
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="Europe/Paris")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.axe = {}
    yield page
    context.close()


def check_axe(page, where: str) -> None:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    page.axe[where] = page.evaluate(AXE_RUN)


def test_the_closing_time_in_the_voters_time_zone_and_a_ballot_outside_the_hours(board, elections, page):
    page.goto(f"{board.url}/booth/elections/open-2026/")
    page.wait_for_selector("#election-schedule:not([hidden])", timeout=30_000)
    sentence = page.text_content("#election-schedule")
    assert re.fullmatch(rf"Voting closes on {english(elections['closes'])} \(Central European Time\)\.", sentence), sentence
    check_axe(page, "election page, open")
    page.goto(f"{board.url}/booth/elections/open-2026/?lang=fr")
    page.wait_for_selector("#election-schedule:not([hidden])")
    french = page.text_content("#election-schedule")
    assert french.startswith("Le vote se termine le ") and french.endswith(" (heure d’Europe centrale)."), french

    # the board's clock says the voting hours are over (409 outside_voting_hours): told in words, with the close
    page.route("**/ballots", lambda route: route.fulfill(status=409, content_type="application/json", body=(
        '{"error": {"code": "outside_voting_hours", "field": null, "message": "ballots are accepted from 2026-12-01T08:00:00Z"}}'))
        if route.request.method == "POST" else route.continue_())
    page.goto(f"{board.url}/booth/elections/open-2026/vote?lang=en")
    page.wait_for_selector("#step-credential:not([hidden])", timeout=30_000)
    page.fill("#credential-input", elections["open"].credentials[0])
    page.click("#credential-submit")
    page.wait_for_selector("#step-ballot:not([hidden])", timeout=30_000)
    page.click("#contest-1-option-1")
    page.click("#ballot-submit")
    page.wait_for_selector("#step-review:not([hidden])")
    page.click("#review-encrypt")
    page.wait_for_selector("#step-code:not([hidden])", timeout=60_000)
    page.click("#cast-button")
    page.wait_for_selector("#step-closed:not([hidden])", timeout=30_000)
    page.unroute("**/ballots")
    assert page.text_content("#step-closed-heading") == "Voting has closed"
    reason = page.text_content("#closed-reason")
    assert reason.startswith("This ballot was not recorded: the public ballot box accepts ballots only during the election's voting hours. Voting closed on ")
    assert "2026-12-01" not in reason  # the board's message (a setting's words) is not shown
    check_axe(page, "vote page, outside the voting hours")
    assert page.errors == [] and {k: v for k, v in page.axe.items() if v} == {}


def test_an_election_that_opens_later_says_when_on_its_vote_page(board, elections, page):
    page.goto(f"{board.url}/booth/elections/later-2026/vote")
    page.wait_for_selector("#step-closed:not([hidden])", timeout=30_000)
    assert page.text_content("#step-closed-heading") == "Voting has not started yet"
    opens, closes = (datetime.strptime(elections["later"][k], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) for k in ("opens_at", "closes_at"))
    reason = page.text_content("#closed-reason")
    assert re.fullmatch(rf"Voting opens on {english(opens)} \(Central European Time\)\. "
                        rf"Voting closes on {english(closes)} \(Central European Time\)\.", reason), reason
    assert page.text_content("#closed-next") == "Please come back then: you can vote on this page from that time."
    check_axe(page, "vote page, not yet open")
    assert page.errors == [] and {k: v for k, v in page.axe.items() if v} == {}


def test_a_cancelled_election_leaves_the_index_and_says_so_on_each_of_its_pages(board, elections, page):
    page.goto(f"{board.url}/booth/")
    page.wait_for_selector("#elections-list li", timeout=30_000)
    listed = page.text_content("#elections-list")
    assert "open-2026" in listed and "later-2026" in listed and "cancelled-2026" not in listed
    assert "Voting closes on" in listed and "Voting opens on" in listed  # each election's schedule under its title
    check_axe(page, "index")

    page.goto(f"{board.url}/booth/elections/cancelled-2026/")
    page.wait_for_selector("#election-details:not([hidden])", timeout=30_000)
    notice = page.text_content("#cancelled-notice")
    assert page.is_visible("#cancelled-notice") and notice.startswith("This election has been cancelled")
    assert f"The reason given by the election's organizers: {REASON}" in notice and "It was cancelled on " in notice
    assert "Cancelled" in page.text_content("#election-facts") and not page.is_visible("#vote-link")
    check_axe(page, "election page, cancelled")

    page.goto(f"{board.url}/booth/elections/cancelled-2026/vote")
    page.wait_for_selector("#step-closed:not([hidden])", timeout=30_000)
    assert page.text_content("#step-closed-heading") == "This election has been cancelled"
    assert page.text_content("#closed-reason") == f"The reason given by the election's organizers: {REASON}"
    assert page.is_visible("#cancelled-notice") and not page.is_visible("#step-credential")
    check_axe(page, "vote page, cancelled")
    for other in ("lookup", "ballots", "check"):
        page.goto(f"{board.url}/booth/elections/cancelled-2026/{other}")
        page.wait_for_selector("#cancelled-notice:not([hidden])", timeout=30_000)
    assert page.errors == [] and {k: v for k, v in page.axe.items() if v} == {}
