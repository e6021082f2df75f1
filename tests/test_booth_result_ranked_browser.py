"""The booth's election page of a tallied election with ranked and graded contests, in Debian's Chromium
(record-format §8.5 "Ranked and graded contests", §12.3): a real election on a board application — ballots
cast, mixed by the trustee with its proof of shuffle, decrypted row by row — whose page shows each ranked
contest's method, winners, valid and voided ballots, the instant-runoff rounds and STV stages in real tables
with headers and plain words, and the grades of majority judgment, with the numbers of the board's published
result; axe-core finds no violation, in English and French. Saves docs/screenshots/result-ranked.png."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from support.booth_js_support import axe_source
from support.evote_support import serve_app
from support.ranked_result_world import ranked_result_election

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshots" / "result-ranked.png"


@pytest.fixture(scope="module")
def ranked_board(tmp_path_factory):
    """A tallied election with IRV, STV, majority judgment and a yes/no contest (support.ranked_result_world),
    served on a loopback port; yields (URL, election id)."""
    app, world = ranked_result_election(tmp_path_factory.mktemp("ranked-result"))
    with serve_app(app) as url:
        yield url, world.election_id


@pytest.fixture(scope="module")
def published(ranked_board):
    """The board's published result (record-format §8.5), as /context carries it."""
    url, election_id = ranked_board
    with urllib.request.urlopen(f"{url}/api/v1/elections/{election_id}/context", timeout=30) as response:
        return {c["contest"]: c for c in json.loads(response.read())["result"]["contests"]}


@pytest.fixture(scope="module")
def page_factory(chromium):
    contexts = []

    def make(locale: str, width: int = 1280):
        context = chromium.new_context(locale=locale, viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda m: page.errors.append(m.text) if m.type in ("error", "warning") else None)
        return page

    yield make
    for context in contexts:
        context.close()


def _open(page_factory, ranked_board, locale: str, width: int = 1280):
    url, election_id = ranked_board
    page = page_factory(locale, width)
    page.goto(f"{url}/booth/elections/{election_id}/?lang={locale[:2]}")
    page.wait_for_selector("#result-section:not([hidden])", timeout=30_000)
    return page


def _axe(page) -> list:
    page.evaluate(axe_source())
    return page.evaluate(
        """async () => (await axe.run(document, { rules: { 'color-contrast-enhanced': { enabled: true } } }))
             .violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }))"""
    )


def _block(page, contest: str) -> dict:
    """What a contest's block shows: its paragraphs and each of its tables as caption, headers and rows."""
    return page.evaluate(
        """(label) => {
          const block = document.querySelector(`#result-contests [data-contest="${label}"]`);
          const text = (n) => n.textContent.replace(/[\\u2068\\u2069]/g, '');
          return {
            heading: text(block.querySelector('h3')),
            method: text(block.querySelector('.result-method')),
            outcome: text(block.querySelector('.result-outcome')),
            voided: block.querySelector('.result-voided') ? text(block.querySelector('.result-voided')) : null,
            paragraphs: [...block.querySelectorAll(':scope > p')].map(text),
            tables: [...block.querySelectorAll('table')].map((t) => ({
              kind: t.dataset.table, caption: text(t.querySelector('caption')),
              cols: [...t.querySelectorAll('thead th')].map((th) => [th.getAttribute('scope'), text(th)]),
              rows: [...t.querySelectorAll('tbody tr')].map((r) => [r.querySelector('th').getAttribute('scope'),
                ...[...r.cells].map(text)]) })),
          };
        }""",
        contest,
    )


def test_irv_rounds_show_who_was_eliminated_and_where_the_votes_went_in_a_real_table(ranked_board, published, page_factory):
    page = _open(page_factory, ranked_board, "en-US")
    mayor = published["mayor"]
    assert mayor["winners"] == ["ben"] and mayor["counting"]["voided"][0]["reason"] == "R3: equal ranks"
    shown = _block(page, "mayor")
    assert shown["heading"] == "Mayor"
    assert shown["method"] == "Counted by instant-runoff. Ballots: 11, of which 10 valid and 1 voided."
    assert shown["outcome"] == "Elected: Ben Okri."
    assert shown["voided"] == "Voided ballots, counted for no one: 1 with two options given the same rank (rule R3)."
    (rounds,) = shown["tables"]
    assert rounds["caption"] == "Mayor: the rounds of the count"
    assert rounds["cols"] == [["col", "Round"], ["col", "Ada Lovelace"], ["col", "Ben Okri"], ["col", "Cyd Charisse"],
                              ["col", "Dev Patel"], ["col", "Exhausted"], ["col", "What happened"]]  # fmt: skip
    assert rounds["rows"] == [
        ["row", "Round 1", "4", "3", "2", "1", "0", "Dev Patel is eliminated; Dev Patel's 1 vote goes to Ben Okri 1."],
        ["row", "Round 2", "4", "4", "2", "out", "0",
         "Cyd Charisse is eliminated; Cyd Charisse's 2 votes go to Ben Okri 1, exhausted 1."],
        ["row", "Round 3", "4", "5", "out", "out", "1", "Ben Okri is elected with 5 of the 9 votes, more than half."],
    ]  # fmt: skip
    for number, r in enumerate(mayor["counting"]["rounds"]):  # the page's numbers are the published result's
        assert [int(x) for x in rounds["rows"][number][2:6] if x != "out"] == list(r["tallies"].values())
    assert page.errors == []
    assert _axe(page) == []


def test_stv_stages_and_majority_judgment_grades_are_shown_beside_the_plain_contest(ranked_board, published, page_factory):
    page = _open(page_factory, ranked_board, "en-US")
    council = _block(page, "council")
    stv = published["council"]["counting"]
    assert council["method"] == "Counted by single transferable vote (Scottish rules) for 2 seats. Ballots: 11, of which 11 valid and 0 voided."
    assert council["outcome"] == "Elected, in the order of their election: " + " and ".join(
        {"eve": "Eve", "fay": "Fay", "gus": "Gus"}[label] for label in published["council"]["winners"]) + "."  # fmt: skip
    assert f"Quota: {stv['quota']} votes" in council["paragraphs"][2]
    (stages,) = council["tables"]
    assert [row[1] for row in stages["rows"]][:2] == ["Stage 1: first preferences", "Stage 2: surplus of Eve"]
    assert stages["rows"][0][2:5] == ["5", "3", "3"]
    assert stages["rows"][1][-1] == "Transfer value 1 → 0.2. Received: Fay +1. Elected: Fay."  # Eve's surplus of 1 over 5 papers
    assert [row[2:5] for row in stages["rows"]] == [[s["totals"][c] for c in ("eve", "fay", "gus")] for s in stv["stages"]]

    park = _block(page, "park")
    (grades,) = park["tables"]
    assert grades["cols"] == [["col", "Option"], ["col", "Reject"], ["col", "Poor"], ["col", "Good"], ["col", "Excellent"],
                              ["col", "Majority grade"]]  # fmt: skip
    counts = published["park"]["counting"]["grade_counts"]
    assert grades["rows"] == [["row", "A pond", *map(str, counts["pond"]), "Good"], ["row", "A playground", *map(str, counts["play"]), "Good"]]
    assert park["outcome"] == f"Elected: {'A pond' if published['park']['winners'] == ['pond'] else 'A playground'}."
    assert any(p.startswith("A pond and A playground share the majority grade Good;") for p in park["paragraphs"])

    bridge = page.locator('#result-contests [data-contest="bridge"] tbody tr')
    assert bridge.count() == 2  # the plain contest keeps its table of votes and shares
    assert page.text_content(".result-mixed").startswith("Ranked and graded contests are counted from each ballot's whole ranking")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.locator("#result-contests").screenshot(path=str(SCREENSHOT))  # no port number in it
    assert page.errors == []


def test_the_ranked_result_in_french_on_a_phone_has_its_words_and_no_axe_violation(ranked_board, page_factory):
    page = _open(page_factory, ranked_board, "fr-FR", width=390)
    mayor = _block(page, "mayor")
    assert mayor["tables"][0]["cols"][0] == ["col", "Tour"]
    assert _block(page, "park")["tables"][0]["cols"][1] == ["col", "Rejet"]  # the manifest's French grades
    assert page.errors == []
    assert _axe(page) == []
