"""The booth's election page of a tallied election in Debian's Chromium: the result table, the bars, the turnout
words (docs/record-format.md §8.5) are the numbers ``evote-verify`` states for the same election read from the
same board; the page's verify line is a command that works; axe-core finds no violation, in English and French."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support.board_world import make_app
from support.booth_js_support import axe_source
from support.evote_support import serve_app
from support.styled_world import StyledWorld

from voting.verifier.cli import main as verify_main

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def rich_board(rich):
    """The rich election's board application (tallied), served on a loopback port."""
    with serve_app(rich.app) as url:
        yield url


@pytest.fixture(scope="module")
def page_factory(chromium):
    contexts = []

    def make(locale: str):
        context = chromium.new_context(locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda m: page.errors.append(m.text) if m.type in ("error", "warning") else None)
        return page

    yield make
    for context in contexts:
        context.close()


def _axe(page) -> list:
    page.evaluate(axe_source())
    return page.evaluate(
        """async () => (await axe.run(document, { rules: { 'color-contrast-enhanced': { enabled: true } } }))
             .violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }))"""
    )


def _shown(page) -> dict:
    """The numbers the page shows: per contest and option the votes, share text and bar width; the turnout."""
    return page.evaluate(
        """() => ({
          contests: [...document.querySelectorAll('#result-contests [data-contest]')].map((c) => ({
            contest: c.dataset.contest,
            caption: c.querySelector('caption').textContent,
            outcome: c.querySelector('.result-outcome').textContent,
            options: [...c.querySelectorAll('tbody tr')].map((r) => ({
              option: r.dataset.option, name: r.querySelector('th').textContent,
              votes: Number(r.cells[1].textContent), share: r.cells[2].textContent,
              bar: r.querySelector('.result-bar').style.width })) })),
          turnout: [...document.querySelectorAll('#turnout dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]),
          command: document.getElementById('verify-command').textContent,
          record: document.getElementById('record-link').href,
        })"""
    )


def _open(page_factory, board: str, election_id: str, locale: str):
    page = page_factory(locale)
    lang = locale[:2]
    page.goto(f"{board}/booth/elections/{election_id}/?lang={lang}")
    page.wait_for_selector("#result-section:not([hidden])", timeout=30_000)
    return page


def test_tallied_page_shows_what_evote_verify_states_and_axe_finds_nothing(rich, rich_board, page_factory, tmp_path):
    page = _open(page_factory, rich_board, rich.election_id, "en-US")
    shown = _shown(page)
    assert shown["command"] == f"evote-verify {rich_board}/{rich.election_id}"
    assert shown["record"] == f"{rich_board}/api/v1/elections/{rich.election_id}/entries"
    report_file = tmp_path / "report.json"
    outcome = CliRunner().invoke(verify_main, [*shown["command"].split()[1:], "--workers", "1", "--json", str(report_file)])
    assert outcome.exit_code == 0, outcome.output
    verified = json.loads(report_file.read_text())["verified_result"]
    assert [c["contest"] for c in shown["contests"]] == [c["contest"] for c in verified["contests"]]
    for on_page, stated in zip(shown["contests"], verified["contests"]):
        assert on_page["caption"] == f"{stated['title']}: {stated['votes']} votes"
        assert on_page["outcome"] == "No winner is declared: the election does not say how many are elected."
        for option, expected in zip(on_page["options"], stated["options"], strict=True):
            assert (option["option"], option["name"], option["votes"]) == (expected["option"], expected["name"], expected["votes"])
            assert option["share"] == f"{expected['share'] * 100:.1f}%"
            assert float(option["bar"].removesuffix("%")) == round(expected["share"] * 100, 1)  # the bar's width
    words = {"credentials_issued": "Credentials issued", "ballots_counted": "Ballots counted",
             "ballots_challenged": "Ballots challenged", "ballots_superseded": "Ballots superseded"}  # fmt: skip
    assert shown["turnout"] == [[words[key], str(value)] for key, value in verified["turnout"].items()]
    assert page.errors == []
    assert _axe(page) == []


def test_tallied_page_in_french_has_the_same_numbers_and_no_axe_violation(rich, rich_board, page_factory):
    page = _open(page_factory, rich_board, rich.election_id, "fr-FR")
    shown = _shown(page)
    assert [t[0] for t in shown["turnout"]] == ["Identifiants de vote émis", "Bulletins comptés", "Bulletins contestés", "Bulletins remplacés"]
    assert [t[1] for t in shown["turnout"]] == ["5", "5", "2", "1"]
    assert shown["contests"][0]["caption"].endswith(" voix")
    assert page.errors == []
    assert _axe(page) == []


@pytest.fixture(scope="module")
def wards_board(tmp_path_factory):
    """A tallied version-2 election (three wards, weights 1-3, support.styled_world), served on a loopback port."""
    app = make_app(tmp_path_factory.mktemp("wards-result"))
    world = StyledWorld(app.test_client(), election_id="wards-tallied")
    world.keygen()
    world.open()
    councils = {"north": ("north-council", "nora"), "south": ("south-council", "sue"), "east": ("east-council", "eva")}
    for n, voter in enumerate(world.voters):
        contest, option = councils[voter.style]
        world.cast(voter.credential, {"mayor": [("alice", "bob")[n % 2]], contest: [option]})
    world.close_and_tally()
    world.decrypt({1, 2})
    with serve_app(app) as url:
        yield url, world


def test_a_weighted_result_says_so_and_shows_the_weighted_totals_evote_verify_states(wards_board, page_factory, tmp_path):
    board, world = wards_board
    page = _open(page_factory, board, world.election_id, "en-US")
    shown = _shown(page)
    report_file = tmp_path / "report.json"
    outcome = CliRunner().invoke(verify_main, [*shown["command"].split()[1:], "--workers", "1", "--json", str(report_file)])
    assert outcome.exit_code == 0, outcome.output
    verified = json.loads(report_file.read_text())["verified_result"]
    total = sum(v.weight for v in world.voters)
    assert (verified["weighted"], verified["total_weight"]) == (True, total)
    assert page.text_content("#result-weighted") == (
        "Votes are weighted: each counted ballot counts as many votes as its credential's weight on the published list "
        f"(total weight of the counted ballots: {total})."
    )
    for on_page, stated in zip(shown["contests"], verified["contests"], strict=True):
        assert [(o["option"], o["votes"]) for o in on_page["options"]] == [(o["option"], o["votes"]) for o in stated["options"]]
    mayor = {o["option"]: o["votes"] for o in shown["contests"][0]["options"]}
    assert mayor == {"alice": sum(v.weight for n, v in enumerate(world.voters) if n % 2 == 0),
                     "bob": sum(v.weight for n, v in enumerate(world.voters) if n % 2 == 1)}  # fmt: skip
    assert [t[0] for t in shown["turnout"]] == ["Credentials issued", "Ballots counted", "Ballots challenged", "Ballots superseded"]
    assert "Ballots cast so far" not in (page.text_content("#election-facts") or "")  # the turnout's words only, once tallied
    page.screenshot(path="/tmp/booth-weighted-result.png", full_page=True)
    assert page.errors == []
    assert _axe(page) == []
