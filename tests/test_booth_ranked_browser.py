"""Ranked and graded contests in the booth (docs/record-format.md §12.1, issue 20 item 1), in Debian's
Chromium against a real board: a voter ranks candidates with the keyboard alone, another with taps on a touch
screen; equal ranks and gaps never reach the ballot (the booth moves or refuses, and says why); grades start
at the lowest; the review lists the ranking in order; the board takes the ballot, and a challenged ballot
opens, in the Python core, to exactly the ranks and grades that were marked. axe-core finds no violation.

The screenshots docs/screenshots/ranked-ballot.png and graded-ballot.png come from this run:

    EVOTE_BOOTH_SCREENSHOTS=docs/screenshots .venv/bin/python -m pytest tests/test_booth_ranked_browser.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.booth_board import entries_of, live_board, open_election
from support.booth_js_support import axe_source
from support.ranked_manifests import RANKED_MANIFEST

from voting.ballot_checks import check_ballot
from voting.challenge import open_challenged_ballot
from voting.manifest import parse_manifest
from voting.record.submission import parse_submission

pytestmark = pytest.mark.browser

MAYOR = "#contest-1-option-{}"  # Ada, Ben, Cyd, Dev
PARK = "#contest-2-option-{}-grade-{}"  # pond, playground, trees × Reject, Poor, Good, Excellent


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with live_board(tmp_path_factory.mktemp("ranked-board")) as live:
        yield live


@pytest.fixture(scope="module")
def election(board):
    return open_election(board, "ranked-2026", RANKED_MANIFEST, voters=3)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    chosen = os.environ.get("EVOTE_BOOTH_SCREENSHOTS")
    directory = Path(chosen) if chosen else tmp_path_factory.mktemp("ranked-screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


class Visit:
    """One voter's page, with every script error and axe-core's findings per step."""

    def __init__(self, context, board, election, voter: int) -> None:
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.axe: dict[str, list] = {}
        self.page.goto(f"{board.url}/booth/elections/{election.election_id}/vote")
        self.step("credential")
        self.page.fill("#credential-input", election.credentials[voter])
        self.page.click("#credential-submit")
        self.step("ballot")

    def step(self, name: str) -> None:
        self.page.wait_for_selector(f"#step-{name}:not([hidden])", timeout=60_000)

    def text(self, selector: str) -> str:
        return " ".join((self.page.text_content(selector) or "").split())

    def ranks(self) -> list[str]:
        return [self.page.input_value(MAYOR.format(j)) for j in range(1, 5)]

    def check_axe(self, where: str) -> None:
        if not self.page.evaluate("typeof window.axe === 'object'"):
            self.page.evaluate(axe_source())
        self.axe[where] = self.page.evaluate(
            """async () => (await axe.run(document, { rules: { 'color-contrast-enhanced': { enabled: true } } })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)"""
        )

    def review_and(self, action: str) -> dict:
        self.page.click("#ballot-submit")
        self.step("review")
        review = [" ".join(t.split()) for t in self.page.locator("#review-list li, #review-list p").all_text_contents()]
        self.check_axe("review")
        self.page.click("#review-encrypt")
        self.step("code")
        self.page.click("#cast-button" if action == "cast" else "#challenge-button")
        self.step("receipt" if action == "cast" else "challenged")
        return {"review": review}


def test_a_ranking_by_keyboard_alone_is_cast_and_the_board_takes_it(chromium, board, election, screenshots):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    visit = Visit(context, board, election, 0)
    page = visit.page
    rule = visit.text("#contest-1-rule")
    assert "Rank the candidates in order of preference" in rule and "irv" not in rule.lower()
    # Tab from the contest's first control: the label order is the focus order, one select per candidate.
    page.focus(MAYOR.format(1))
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "contest-1-option-3"
    page.keyboard.press("ArrowDown")  # Cyd: 1st choice
    assert visit.ranks() == ["0", "0", "1", "0"]
    assert visit.text("#contest-1-status") == "Cyd Charisse is now your 1st choice."
    page.focus(MAYOR.format(1))
    page.keyboard.press("ArrowDown")  # Ada: 1st choice, Cyd moves down: never two at one rank
    assert visit.ranks() == ["1", "0", "2", "0"]
    assert visit.text("#contest-1-status") == "Ada Lovelace is now your 1st choice. Cyd Charisse moves to 2nd choice."
    page.keyboard.press("ArrowDown")  # Ada: 2nd choice, Cyd back to 1st
    assert visit.ranks() == ["2", "0", "1", "0"]
    # Dev by arrows: 1st, 2nd, 3rd (the others move to make room); 4th would leave a gap (two others ranked)
    page.focus(MAYOR.format(4))
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    assert visit.ranks() == ["2", "0", "1", "3"]
    assert visit.text("#contest-1-message") == "Ranks go in order, without gaps: the next rank you can give is 3rd choice."
    assert page.evaluate("document.activeElement.id") == "contest-1-option-4"  # focus stays where the voter is
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # back to Not ranked
    assert visit.ranks() == ["2", "0", "1", "0"]
    assert page.locator("#contest-1-ranking li").all_text_contents() == ["1st choice: Cyd Charisse", "2nd choice: Ada Lovelace"]
    # grades with the arrow keys: the lowest is chosen from the start
    assert page.is_checked(PARK.format(1, 0)) and page.is_checked(PARK.format(2, 0)) and page.is_checked(PARK.format(3, 0))
    page.focus(PARK.format(1, 0))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # the pond: Good
    assert page.is_checked(PARK.format(1, 2))
    page.focus("#contest-3-option-1")
    page.keyboard.press("Space")  # the footbridge: yes
    visit.check_axe("ballot")
    page.screenshot(path=str(screenshots / "ranked-ballot.png"), full_page=True)
    done = visit.review_and("cast")
    assert done["review"] == ["1st choice: Cyd Charisse", "2nd choice: Ada Lovelace", "You ranked 2 of the 4 candidates you could rank.",
                              "A pond: Good", "A playground: Reject", "More trees: Reject", "Yes"]
    cast = [e for e in entries_of(board, election.election_id) if e["kind"] == "ballot.cast"]
    assert len(cast) == 1
    manifest = parse_manifest(RANKED_MANIFEST)
    check_ballot(parse_submission(cast[0]["payload"], manifest).ballot, manifest, election.state(board).context)
    assert visit.errors == [] and {k: v for k, v in visit.axe.items() if v} == {}
    context.close()


def test_a_ranking_by_taps_is_challenged_and_opens_to_the_ranks_and_grades_marked(chromium, board, election, screenshots):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, locale="en-US")
    visit = Visit(context, board, election, 1)
    page = visit.page
    page.select_option(MAYOR.format(2), "1")  # Ben 1st (the system's picker sets the value, as a tap does)
    page.select_option(MAYOR.format(4), "2")  # Dev 2nd
    page.select_option(MAYOR.format(1), "3")  # Ada 3rd
    page.select_option(MAYOR.format(3), "1")  # Cyd 1st: the others move down
    assert visit.ranks() == ["4", "2", "1", "3"]
    page.select_option(MAYOR.format(2), "0")  # Ben no longer ranked: the later ones move up, no gap
    assert visit.ranks() == ["3", "0", "1", "2"]
    assert visit.text("#contest-1-status") == "Ben Okri is no longer ranked. Dev Patel moves to 2nd choice. Ada Lovelace moves to 3rd choice."
    page.tap(f"label[for='{PARK.format(2, 3)[1:]}']")  # the playground: Excellent
    page.tap(f"label[for='{PARK.format(3, 1)[1:]}']")  # more trees: Poor
    assert page.is_checked(PARK.format(2, 3)) and page.is_checked(PARK.format(3, 1))
    page.locator("#contest-2").screenshot(path=str(screenshots / "graded-ballot.png"))
    visit.check_axe("ballot")
    done = visit.review_and("challenge")
    assert done["review"][:4] == ["1st choice: Cyd Charisse", "2nd choice: Dev Patel", "3rd choice: Ada Lovelace",
                                  "You ranked 3 of the 4 candidates you could rank."]
    challenged = [e for e in entries_of(board, election.election_id) if e["kind"] == "ballot.challenged"][-1]["payload"]
    manifest = parse_manifest(RANKED_MANIFEST)
    context_ = election.state(board).context
    ballot = parse_submission(challenged, manifest).ballot
    check_ballot(ballot, manifest, context_)
    plain = open_challenged_ballot(ballot, manifest, context_, bytes.fromhex(challenged["reveal"]["nonce"]), challenged["reveal"]["choices"])
    assert [c.votes for c in plain.contests] == [(3, 0, 1, 2), (0, 3, 1), (0, 0)]
    assert "Cyd Charisse" in visit.text("#challenged-choices")
    assert visit.errors == [] and {k: v for k, v in visit.axe.items() if v} == {}
    context.close()


def test_a_ranking_cannot_go_past_the_declared_ranks(chromium, board, tmp_path):
    manifest = {**RANKED_MANIFEST, "contests": [{**RANKED_MANIFEST["contests"][0], "counting": {"method": "schulze", "ranks": 2}}],
                "ballot_styles": [{"label": "town", "contests": ["mayor"]}]}
    election = open_election(board, "ranked-two", manifest, voters=1)
    context = chromium.new_context(locale="en-US")
    visit = Visit(context, board, election, 0)
    page = visit.page
    assert "You may rank up to 2 of them." in visit.text("#contest-1-rule")
    assert [o.strip() for o in page.locator(f"{MAYOR.format(1)} option").all_text_contents()] == ["Not ranked", "1st choice", "2nd choice"]
    page.select_option(MAYOR.format(1), "1")
    page.select_option(MAYOR.format(2), "2")
    page.select_option(MAYOR.format(3), "1")
    assert visit.ranks() == ["1", "2", "0", "0"]
    assert visit.text("#contest-1-message") == "You can rank at most 2 candidates. To rank another, first set one to “Not ranked”."
    page.click("#contest-1-clear")
    assert visit.ranks() == ["0", "0", "0", "0"] and page.evaluate("document.activeElement.id") == "contest-1-option-1"
    page.click("#ballot-submit")
    visit.step("review")
    assert page.locator("#review-list p").all_text_contents() == ["No choice: this contest is left blank."]
    assert visit.errors == []
    context.close()
