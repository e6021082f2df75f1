"""`evote vote` in ranked and graded contests (docs/record-format.md §12.1): the order of a ranked contest's
--choice options is the ranking, a graded contest's are OPTION=GRADE with the manifest's grade texts; a
challenged ballot posted to a real board opens, in the core, to those ranks and grades; mistakes are one line
naming the contest."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from support.booth_board import entries_of, live_board, open_election
from support.ranked_manifests import RANKED_MANIFEST

from evote.cli import main
from voting.booth.cli_vote import VoteError, counted_choices
from voting.challenge import open_challenged_ballot
from voting.manifest import parse_manifest
from voting.record.submission import parse_submission

MANIFEST = parse_manifest(RANKED_MANIFEST)


def test_the_order_of_a_ranked_contest_s_choices_is_the_ranking():
    assert counted_choices(MANIFEST, {"mayor": ["cyd", "ada"], "bridge": ["yes"]}) == {"mayor": {"cyd": 1, "ada": 2}, "bridge": ["yes"]}


def test_grades_are_named_by_their_text_and_ungraded_options_keep_the_lowest():
    assert counted_choices(MANIFEST, {"park": ["play=excellent", "trees=Poor"]}) == {"park": {"pond": 0, "play": 3, "trees": 1}}


@pytest.mark.parametrize(
    "choices, words",
    [
        ({"mayor": ["ada", "cyd", "ada"]}, "'ada' is ranked twice"),
        ({"mayor": ["ada", "ben", "cyd", "dev", "eve"]}, "at most 4"),
        ({"park": ["play=Great"]}, "'Great' is not a grade of this contest (grades, lowest first: Reject, Poor, Good, Excellent)"),
        ({"park": ["play"]}, "park=OPTION=GRADE"),
        ({"park": ["play=Good", "play=Poor"]}, "'play' is graded twice"),
    ],
)
def test_mistakes_are_named(choices, words):
    with pytest.raises(VoteError, match=words.replace("(", r"\(").replace(")", r"\)")):
        counted_choices(MANIFEST, choices)


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with live_board(tmp_path_factory.mktemp("cli-ranked-board")) as live:
        yield live


def test_a_challenged_ranked_ballot_opens_to_the_ranking_and_grades_given(board, tmp_path):
    election = open_election(board, "cli-ranked", RANKED_MANIFEST, voters=1)
    (tmp_path / "card.txt").write_text(election.credentials[0] + "\n")
    result = CliRunner().invoke(main, [
        "vote", "--board", board.url, "--election", election.election_id, "--credential-file", str(tmp_path / "card.txt"),
        "--choice", "mayor=dev", "--choice", "mayor=ada", "--choice", "park=pond=Good", "--choice", "bridge=no", "--challenge",
    ], catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = [e for e in entries_of(board, election.election_id) if e["kind"] == "ballot.challenged"][-1]["payload"]
    assert payload["reveal"]["choices"] == {"mayor": {"dev": 1, "ada": 2}, "park": {"pond": 2}, "bridge": {"no": 1}}  # the record's form
    ballot = parse_submission(payload, MANIFEST).ballot
    plain = open_challenged_ballot(ballot, MANIFEST, election.state(board).context, bytes.fromhex(payload["reveal"]["nonce"]),
                                   payload["reveal"]["choices"])  # fmt: skip
    assert [c.votes for c in plain.contests] == [(2, 0, 0, 1), (2, 0, 0), (0, 1)]


def test_a_mistake_is_one_line_without_a_traceback(board, tmp_path):
    election = open_election(board, "cli-ranked-mistake", RANKED_MANIFEST, voters=1)
    (tmp_path / "card.txt").write_text(election.credentials[0] + "\n")
    result = CliRunner().invoke(main, [
        "vote", "--board", board.url, "--election", election.election_id, "--credential-file", str(tmp_path / "card.txt"),
        "--choice", "mayor=dev", "--choice", "mayor=dev",
    ])  # fmt: skip
    assert result.exit_code == 1
    assert result.output.strip() == "error: --choice mayor: 'dev' is ranked twice; name each candidate once, your 1st choice first"
