"""The published result and turnout (docs/record-format.md §8.5): the board's computation
(voting/record/results.py, used by ``evote election result``), the verifier's own (voting/verifier/result.py,
stated by ``evote-verify``) and the manifest's ``number_elected`` (§2)."""

from __future__ import annotations

import copy
import csv
import io
import json
import urllib.request
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from support.board_world import MANIFEST, make_app
from support.evote_tools import edited, nth, read_entries
from support.evote_world import EvoteWorld
from support.processes import serve_board
from support.ranked_result_world import ranked_result_election

from bulletin_board.cli_election import election as election_cli
from bulletin_board.log_format.export import export_from_log
from voting.errors import ManifestError
from voting.manifest import parse_manifest
from voting.record.lifecycle import BALLOT_KINDS, ElectionState, apply_entry
from voting.record.mixing import tie_seed
from voting.record.results import election_result, result_text, winners_and_tie
from voting.record.results_ranked import ranked_result
from voting.verifier import result as verifier_result
from voting.verifier.checks.mix_count import count_contest
from voting.verifier.cli import main as verify_main


def _manifest(**mayor) -> dict:
    document = copy.deepcopy(MANIFEST)
    document["contests"][0].update(mayor)
    return document


# --- number_elected (record-format §2) ------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, -1, 3, True, "1", 1.0])
def test_number_elected_must_be_a_positive_integer_at_most_the_options(value):
    with pytest.raises(ManifestError) as refused:
        parse_manifest(_manifest(number_elected=value))
    assert refused.value.field == "contests[0].number_elected"


def test_number_elected_is_optional_and_covered_by_the_manifest_hash():
    without = parse_manifest(_manifest())
    with_seats = parse_manifest(_manifest(number_elected=2))
    assert without.contests[0].number_elected is None
    assert with_seats.contests[0].number_elected == 2
    assert without.canonical_bytes != with_seats.canonical_bytes


# --- winners and ties, computed twice -------------------------------------------------------------------

COUNCIL = {"label": "council", "votes_allowed": 2, "options": [{"label": x} for x in ("dan", "eve", "fay", "gus")]}


def _both(seats: int | None, votes: dict[str, int]):
    contest_doc = dict(COUNCIL, **({"number_elected": seats} if seats else {}))
    document = dict(copy.deepcopy(MANIFEST), contests=[contest_doc], ballot_styles=[{"label": "all", "contests": ["council"]}])
    contest = parse_manifest(document).contests[0]
    board_winners, board_tie = winners_and_tie(contest, votes)
    winners, tie = verifier_result._winners(contest, votes)
    board = (list(board_winners), None if board_tie is None else {"options": list(board_tie.options), "seats": board_tie.seats})
    assert board == (winners, tie)
    return winners, tie


@pytest.mark.parametrize(
    "seats, votes, winners, tie",
    [
        (None, {"dan": 5, "eve": 3, "fay": 1, "gus": 0}, [], None),
        (1, {"dan": 5, "eve": 3, "fay": 1, "gus": 0}, ["dan"], None),
        (2, {"dan": 5, "eve": 3, "fay": 3, "gus": 0}, ["dan"], {"options": ["eve", "fay"], "seats": 1}),
        (1, {"dan": 2, "eve": 2, "fay": 2, "gus": 0}, [], {"options": ["dan", "eve", "fay"], "seats": 1}),
        (3, {"dan": 4, "eve": 2, "fay": 2, "gus": 2}, ["dan"], {"options": ["eve", "fay", "gus"], "seats": 2}),
        (2, {"dan": 3, "eve": 3, "fay": 1, "gus": 0}, ["dan", "eve"], None),  # equal, but both elected: no tie
        (4, {"dan": 0, "eve": 0, "fay": 0, "gus": 0}, ["dan", "eve", "fay", "gus"], None),
    ],
)
def test_winners_and_ties_are_reported_never_broken(seats, votes, winners, tie):
    assert _both(seats, votes) == (winners, tie)


def test_a_tie_is_put_in_words():
    names = {"dan": "Dan", "eve": "Eve", "fay": "Fay"}
    assert verifier_result.tie_text({"options": ["eve", "fay"], "seats": 1}, names) == "tie between Eve and Fay for the last seat"
    assert (
        verifier_result.tie_text({"options": ["dan", "eve", "fay"], "seats": 2}, names)
        == "tie between Dan, Eve and Fay for the last 2 seats"
    )


# --- the rich election: the verifier's result, the board's, and a hand count ----------------------------


def _hand_count(record) -> dict:
    """Decrypt nothing: the t values of tally.result, and the turnout counted from the entries by hand."""
    entries = read_entries(record)
    manifest = nth(entries, "election.created")["payload"]["manifest"]
    t = {(c["contest"], o["option"]): o["t"] for c in nth(entries, "tally.result")["payload"]["contests"] for o in c["options"]}
    contests = []
    for c in manifest["contests"]:
        total = sum(t[(c["label"], o["label"])] for o in c["options"])
        options = [{"option": o["label"], "name": o.get("name", o["label"]), "votes": t[(c["label"], o["label"])],
                    "share": round(t[(c["label"], o["label"])] / total, 6)} for o in c["options"]]  # fmt: skip
        contests.append({"contest": c["label"], "title": c.get("title", c["label"]), "number_elected": None, "votes": total,
                         "options": options, "winners": [], "tie": None})  # fmt: skip
    listed = {k for e in entries if e["kind"] == "credentials.published" for k in e["payload"]["credentials"]}
    revoked = {k for e in entries if e["kind"] == "credentials.revoked" for k in e["payload"]["credentials"]}
    last: dict[str, int] = {}
    superseded = 0
    for e in entries:
        if e["kind"] == "ballot.cast":
            superseded += e["payload"]["credential"] in last
            last[e["payload"]["credential"]] = e["seq"]
    turnout = {"credentials_issued": len(listed - revoked), "ballots_counted": len(last),
               "ballots_challenged": sum(e["kind"] == "ballot.challenged" for e in entries), "ballots_superseded": superseded}  # fmt: skip
    return {"weighted": False, "total_weight": None, "contests": contests, "turnout": turnout}


def _board_result(record) -> dict:
    """The board's computation, on the export's entries replayed by the board's engine."""
    entries = read_entries(record)
    state = ElectionState()
    for e in entries:
        apply_entry(state, e["seq"], e["kind"], e["payload"], bytes.fromhex(e["entry_hash"]), lambda seq: entries[seq]["payload"])
    return election_result(state, ((e["seq"], e["kind"], e["payload"]) for e in entries if e["kind"] in BALLOT_KINDS)).to_json()


def _verify(record, tmp_path):
    out_json, out_html = tmp_path / "report.json", tmp_path / "report.html"
    outcome = CliRunner().invoke(verify_main, [str(record), "--workers", "1", "--json", str(out_json), "--html", str(out_html)])
    return outcome, json.loads(out_json.read_text()), out_html.read_text()


@pytest.fixture(scope="module")
def rich_verified(rich, tmp_path_factory):
    return _verify(rich.path, tmp_path_factory.mktemp("rich-verified"))


def test_verifier_states_the_result_it_verified_equal_to_a_hand_count(rich, rich_verified):
    outcome, report, page = rich_verified
    assert outcome.exit_code == 0, outcome.output
    hand = _hand_count(rich.path)
    assert hand["turnout"] == {"credentials_issued": 5, "ballots_counted": 5, "ballots_challenged": 2, "ballots_superseded": 1}
    assert report["verified_result"] == hand
    terminal = outcome.output[outcome.output.index("VERIFIED") :]
    assert "Verified result" in terminal
    for words, value in (("credentials issued", 5), ("ballots counted", 5), ("ballots challenged", 2), ("ballots superseded", 1)):
        assert f"{words}: {value}" in terminal
        assert f'<th scope="row">{words}</th><td class="n">{value}</td>' in page
    mayor = hand["contests"][0]["options"]
    assert f"{mayor[0]['name']}: {mayor[0]['votes']} votes, {mayor[0]['share'] * 100:.1f}%" in terminal
    assert '<h2 id="verified-result">Verified result</h2>' in page and "<script" not in page.lower()
    assert f'style="width: {mayor[0]["share"] * 100:.1f}%"' in page


def test_board_and_verifier_compute_the_same_result(rich, rich_verified):
    assert _board_result(rich.path) == rich_verified[1]["verified_result"]


def test_a_tampered_tally_result_leaves_the_report_without_a_result(rich, tmp_path):
    def change(entries):
        option = nth(entries, "tally.result")["payload"]["contests"][0]["options"][0]
        option["t"] += 1

    record = edited(rich.path, tmp_path / "tampered", change, key_file=rich.key_file)
    outcome, report, page = _verify(record, tmp_path)
    assert outcome.exit_code == 1
    assert "verified_result" not in report
    assert report["verified_result_absent_because"] == "the record did not verify: no result is stated"
    assert "Verified result" not in outcome.output
    assert "No result is stated: the record did not verify" in page
    with pytest.raises(Exception):  # the board's engine refuses the same record (Verifications 9-10)
        _board_result(record)


# --- evote election result, against a real board ----------------------------------------------------------


@pytest.fixture(scope="module")
def seated(tmp_path_factory):
    """n = k = 1; the mayor elects 1 (bob), the council 1 (a tie between dan and eve); exported, then served by
    ``evote board serve``. Yields (board URL, export)."""
    directory = tmp_path_factory.mktemp("seated")
    manifest = copy.deepcopy(MANIFEST)
    manifest["contests"][0]["number_elected"] = 1
    manifest["contests"][1]["number_elected"] = 1
    app = make_app(directory)
    world = EvoteWorld(app.test_client(), election_id="seated", n=1, k=1, voters=3, manifest=manifest)
    world.keygen()
    world.open()
    c = world.credentials
    world.cast(c[0], {"mayor": ["alice"], "council": ["dan", "eve"]})
    world.cast(c[1], {"mayor": ["bob"], "council": ["dan", "fay"]})
    world.cast(c[2], {"mayor": ["alice"], "council": ["eve"]})
    world.cast(c[2], {"mayor": ["bob"], "council": ["eve"]})  # supersedes the cast above
    world.close_and_tally()
    world.decrypt(available={1})
    export = world.export(app, directory / "record")
    with serve_board(directory) as board:
        yield board, export


@pytest.fixture(scope="module")
def seated_board(seated):
    return seated[0]


def _cli(board, *args):
    return CliRunner().invoke(election_cli, ["result", "seated", "--board", str(board), *args])


def test_election_result_json_names_winners_and_the_tie(seated_board):
    outcome = _cli(seated_board, "--format", "json")
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(outcome.output)
    mayor, council = data["contests"]
    assert [(o["option"], o["votes"]) for o in mayor["options"]] == [("alice", 1), ("bob", 2)]
    assert mayor["winners"] == ["bob"] and mayor["tie"] is None
    assert [(o["option"], o["votes"]) for o in council["options"]] == [("dan", 2), ("eve", 2), ("fay", 1)]
    assert council["winners"] == [] and council["tie"] == {"options": ["dan", "eve"], "seats": 1}
    assert data["turnout"] == {"credentials_issued": 3, "ballots_counted": 3, "ballots_challenged": 0, "ballots_superseded": 1}


def test_election_result_text_and_csv(seated_board):
    text = _cli(seated_board)
    assert text.exit_code == 0, text.output
    assert "bob: 2 votes, 66.7%  elected" in text.output and "alice: 1 vote, 33.3%\n" in text.output
    assert "ballots superseded: 1" in text.output and "credentials issued: 3" in text.output
    assert "tie between dan and eve for the last seat: not broken, no winner declared for it" in text.output
    table = _cli(seated_board, "--format", "csv")
    assert table.exit_code == 0, table.output
    rows = list(csv.reader(io.StringIO(table.output)))
    assert rows[0] == ["contest", "option", "votes", "share", "elected"]
    assert rows[1:] == [
        ["mayor", "alice", "1", "0.333333", "no"],
        ["mayor", "bob", "2", "0.666667", "yes"],
        ["council", "dan", "2", "0.400000", "tie"],
        ["council", "eve", "2", "0.400000", "tie"],
        ["council", "fay", "1", "0.200000", "no"],
    ]


def test_election_result_before_the_tally_is_an_error_line(seated_board):
    outcome = CliRunner().invoke(election_cli, ["result", "no-such-election", "--board", str(seated_board)])
    assert outcome.exit_code == 1
    assert outcome.output.startswith("error: ") and "Traceback" not in outcome.output


def test_verifier_states_the_winners_and_the_tie_the_board_prints(seated, tmp_path):
    board, export = seated
    outcome, report, page = _verify(export, tmp_path)
    assert outcome.exit_code == 0, outcome.output
    printed = json.loads(_cli(board, "--format", "json").output)
    assert report["verified_result"] == printed == _board_result(export)
    assert "tie between dan and eve for the last seat: not broken" in outcome.output
    assert "bob: 2 votes, 66.7%  elected" in outcome.output and "alice: 1 vote, 33.3%\n" in outcome.output
    assert "<strong>tie between dan and eve for the last seat</strong>" in page
    assert page.count("<td>tied</td>") == 2 and page.count("<td>elected</td>") == 1


def test_the_boards_context_carries_the_same_result(seated_board):
    """/context computes the result from the board's ballot index; the command from the entries it downloads."""
    with urllib.request.urlopen(f"{seated_board}/api/v1/elections/seated/context", timeout=30) as response:
        context = json.loads(response.read())
    assert context["result"] == json.loads(_cli(seated_board, "--format", "json").output)


# --- ranked and graded contests (record-format §8.5 "Ranked and graded contests", §12.3) -------------------


@pytest.fixture(scope="module")
def ranked_exported(tmp_path_factory):
    """support.ranked_result_world's tallied election (IRV, STV, majority judgment and a plain contest), its
    board's published result (/context's ``result``) and the verifier's report of its export."""
    directory = tmp_path_factory.mktemp("ranked-result")
    app, world = ranked_result_election(directory)
    published = world.expect(world.client.get(f"/api/v1/elections/{world.election_id}/context"), 200)["result"]
    record = export_from_log(app.extensions["evote_board"].log, world.election_id, directory / "record")
    return published, record, _verify(record, directory)


@pytest.mark.slow
def test_board_and_verifier_compute_the_same_ranked_result(ranked_exported):
    published, record, (outcome, report, page) = ranked_exported
    assert outcome.exit_code == 0, outcome.output
    assert report["verified_result"] == published == _board_result(record)
    mayor, council, park, bridge = published["contests"]
    assert (mayor["winners"], mayor["number_elected"], mayor["votes"], mayor["counting"]["rows"]) == (["ben"], 1, 10, 11)
    assert (council["winners"], council["number_elected"], council["counting"]["words"]) == (["eve", "fay"], 2, "single transferable vote (Scottish rules)")
    assert park["counting"]["grades"] == ["Reject", "Poor", "Good", "Excellent"] and "counting" not in bridge
    terminal = outcome.output[outcome.output.index("VERIFIED") :]
    assert "Mayor (11 ballots, 10 valid, counted from the mixed rows by instant-runoff)" in terminal
    assert "method irv: elected Ben Okri; 10 valid rows, 1 voided" in terminal and "voided row " in terminal
    assert "Council (2 seats) (11 ballots, 11 valid, counted from the mixed rows by single transferable vote (Scottish rules), 2 seats)" in terminal
    assert "<h3>Mayor (11 ballots, 10 valid, counted from the mixed rows by instant-runoff)</h3>" in page


def _counting_contest(counting: dict, options=("alice", "bob", "carol")):
    document = copy.deepcopy(MANIFEST) | {"languages": ["en", "fr"]}
    document["contests"] = [{"label": "mayor", "title": "Mayor", "counting": counting,
                             "options": [{"label": o, "name": o.title()} for o in options]}]  # fmt: skip
    document["ballot_styles"] = [{"label": "all", "contests": ["mayor"]}]
    return parse_manifest(document).contests[0]


METHODS = [
    {"method": "irv"},
    {"method": "stv", "rule_set": "scottish", "seats": 2},
    {"method": "schulze"},
    {"method": "borda"},
    {"method": "majority_judgment", "grades": [{"en": "Bad", "fr": "Mauvais"}, "Fair", "Good"]},
]
# Rows with a lot in every method's count (IRV and STV: a tie for the fewest; the others: a tie at the top) and
# a voided row, and rows none of which is valid.
TIED = {"ranked": [[1, 2, 0], [2, 1, 0], [0, 0, 1], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 1, 1]], "graded": [[2, 1, 0], [1, 2, 0], [0, 0, 2], [7, 0, 0]]}
NONE_VALID = {"ranked": [[0, 0, 0], [1, 1, 0]], "graded": [[0, 0, 5], [1]]}
H_E = bytes(range(32))


@pytest.mark.parametrize("rows", [TIED, NONE_VALID], ids=["tied", "none valid"])
@pytest.mark.parametrize("counting", METHODS, ids=lambda c: c["method"])
def test_the_verifiers_ranked_contest_has_the_boards_shape_for_every_method(counting, rows):
    """M.5's count put in §8.5's shape by the verifier's own code equals the board's, lots and no-winner included."""
    contest = _counting_contest(counting)
    values = rows["graded" if counting["method"] == "majority_judgment" else "ranked"]
    digest = bytes(32)  # D(mix.input): any fixed digest, both sides get the same
    seed = tie_seed(H_E, contest.label, digest, values)
    for language in (None, "fr"):
        board = ranked_result(contest, values, seed, language)
        verifier = verifier_result.counted_contest(contest, count_contest(contest, values, H_E, digest), language)
        assert verifier == board.to_json()
    words = "\n".join(result_text_lines(board) + verifier_result.counting_lines(verifier))
    if rows is NONE_VALID:
        assert verifier["winners"] == [] and verifier["counting"]["valid"] == 0 and verifier["counting"]["lots"] == []
        assert words.count("no winner: no valid ballot") >= 2, words  # the board's words and the verifier's
    else:
        assert verifier["counting"]["lots"] and len(verifier["winners"]) == contest.counting.seats_elected
        assert all(lot["digest"] == lot["digest"].upper() and len(lot["digest"]) == 64 for lot in verifier["counting"]["lots"])


def result_text_lines(contest_result) -> list[str]:
    return result_text(SimpleNamespace(total_weight=None, contests=(contest_result,), turnout=SimpleNamespace(
        credentials_issued=1, ballots_counted=1, ballots_challenged=0, ballots_superseded=0))).split("\n")  # fmt: skip
