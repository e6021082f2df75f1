"""The published result of a contest with counting (docs/record-format.md §8.5 "Ranked and graded contests",
§12.3): decrypted rows built by hand → the board's result (voting/record/results.py, results_ranked.py), its
JSON and its words (results_text.py): instant-runoff rounds, STV transfers, majority judgment grades, voided
rows counted and named, and the tie seed of §12.3 behind every lot."""

from __future__ import annotations

import copy
import hashlib
import json
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from support.board_world import MANIFEST
from support.evote_support import serve_app
from support.ranked_result_world import ranked_result_election

from bulletin_board.cli_election import election as election_cli
from voting.counting import draw_lot
from voting.decryption import DecryptionProof
from voting.elgamal import Ciphertext
from voting.group import ElementModQ, g_pow
from voting.manifest import parse_manifest
from voting.record.mixing import rows_digest
from voting.record.results import result_csv_rows, result_from_headers, result_text
from voting.record.results_ranked import contest_seed, ranked_result
from voting.record.results_text import irv_round_words
from voting.record.tallying import DecryptedValue, TallyResult

H_E = bytes(range(32))
SEED = hashlib.sha256(b"a test seed, not a tie seed").digest()


def _contest(counting: dict, options=("alice", "bob", "carol"), label="mayor"):
    document = copy.deepcopy(MANIFEST)
    contest = {"label": label, "title": "Mayor", "counting": counting,
               "options": [{"label": o, "name": o.title()} for o in options]}  # fmt: skip
    document["contests"] = [contest]
    document["ballot_styles"] = [{"label": "all", "contests": [label]}]
    return parse_manifest(document).contests[0]


# --- instant-runoff: rounds in words ------------------------------------------------------------------------

IRV_ROWS = [[1, 2, 3]] * 4 + [[2, 1, 0]] * 3 + [[2, 0, 1]] * 1 + [[0, 0, 1]] * 1 + [[1, 1, 0], [0, 0, 0]]


def test_irv_names_the_method_the_winner_and_every_round_in_words():
    result = ranked_result(_contest({"method": "irv"}), IRV_ROWS, SEED)
    data = result.to_json()
    assert (data["winners"], data["number_elected"], data["votes"], data["tie"]) == (["alice"], 1, 9, None)
    assert data["options"] == [{"option": "alice", "name": "Alice"}, {"option": "bob", "name": "Bob"}, {"option": "carol", "name": "Carol"}]
    counting = data["counting"]
    assert (counting["method"], counting["words"], counting["rule_set"]) == ("irv", "instant-runoff", None)
    assert (counting["rows"], counting["valid"], counting["seed"]) == (11, 9, SEED.hex().upper())
    first, second = counting["rounds"]
    assert first["tallies"] == {"alice": 4, "bob": 3, "carol": 2} and first["eliminated"] == "carol"
    assert first["transfers"] == {"alice": 1, "bob": 0} and first["exhausted_by_transfer"] == 1
    assert second["tallies"] == {"alice": 5, "bob": 3} and second["elected"] == "alice"
    lines = result_text_lines(result)
    assert "Mayor (counted by instant-runoff; 11 ballots, 9 valid)" in lines
    assert "  Round 1: Alice 4, Bob 3, Carol 2. Carol is eliminated; Carol's 2 votes go to Alice 1, exhausted 1." in lines
    assert "  Round 2: Alice 5, Bob 3 (exhausted 1). Alice is elected with 5 of 8 votes, more than half." in lines
    assert json.loads(json.dumps(data)) == data  # JSON-ready: no tuple, no Fraction, no bytes


def result_text_lines(result) -> list[str]:
    return result_text(SimpleNamespace(total_weight=None, contests=(result,), turnout=SimpleNamespace(
        credentials_issued=1, ballots_counted=1, ballots_challenged=0, ballots_superseded=0))).split("\n")  # fmt: skip


def test_an_irv_round_that_passes_on_one_vote_or_none_says_so():
    names = {"a": "Ann", "b": "Ben"}
    one = {"number": 3, "tallies": {"a": 2, "b": 1}, "exhausted": 0, "elected": None, "eliminated": "b",
           "transfers": {"a": 1}, "exhausted_by_transfer": 0, "lot": None}  # fmt: skip
    assert irv_round_words(one, names) == "Round 3: Ann 2, Ben 1. Ben is eliminated; Ben's 1 vote goes to Ann 1."
    none = dict(one, tallies={"a": 2, "b": 0}, transfers={"a": 0}, lot={"chosen": "b"})
    assert irv_round_words(none, names) == "Round 3: Ann 2, Ben 0. Ben is eliminated by lot; Ben had no votes to pass on."
    exhausted = dict(one, tallies={"a": 2, "b": 2}, transfers={"a": 0}, exhausted_by_transfer=2)  # Ben's voters ranked no one else
    assert irv_round_words(exhausted, names) == (
        "Round 3: Ann 2, Ben 2. Ben is eliminated; Ben's 2 votes are exhausted (no further preference)."
    )


# --- voided rows ---------------------------------------------------------------------------------------------


def test_voided_rows_are_counted_named_by_position_and_rule_and_count_for_no_one():
    rows = [[1, 2, 3], [1, 1, 0], [0, 0, 0], [1, 2, 4], [1, 3, 0], [2, 1, 3]]
    result = ranked_result(_contest({"method": "irv"}), rows, SEED)
    counting = result.to_json()["counting"]
    assert (counting["rows"], counting["valid"]) == (6, 2)
    assert counting["voided"] == [{"row": 1, "reason": "R3: equal ranks"}, {"row": 2, "reason": "blank"},
                                  {"row": 3, "reason": "R2: rank out of range"}, {"row": 4, "reason": "R4: gap in ranks"}]  # fmt: skip
    assert sum(counting["rounds"][0]["tallies"].values()) == 2
    assert ("  Voided rows: 4, counted for no option: 1 with two options given the same rank (rule R3); 1 with no option "
            "ranked (blank); 1 with a rank out of range (rule R2); 1 with a gap in the ranks, such as 1, 2, 4 (rule R4).") in result_text_lines(result)  # fmt: skip
    assert "  Voided rows: none." in result_text_lines(ranked_result(_contest({"method": "irv"}), rows[:1], SEED))


# --- STV transfers ---------------------------------------------------------------------------------------------


def test_stv_reports_the_quota_the_surplus_transfer_at_its_value_and_the_order_of_election():
    # 10 valid, 2 seats: quota 4. Alice 6 (surplus 2 over 6 papers: value 0.33333), Bob 1, Carol 3.
    rows = [[1, 2, 0]] * 3 + [[1, 0, 2]] * 3 + [[0, 1, 0]] + [[0, 0, 1]] * 3
    contest = _contest({"method": "stv", "rule_set": "scottish", "seats": 2})
    result = ranked_result(contest, rows, SEED)
    data = result.to_json()
    counting = data["counting"]
    assert (counting["words"], counting["rule_set"], counting["quota"], data["number_elected"]) == (
        "single transferable vote (Scottish rules)", "scottish", 4, 2)
    first, surplus = counting["stages"][:2]
    assert first["elected"] == ["alice"] and first["totals"] == {"alice": "6", "bob": "1", "carol": "3"}
    assert surplus["action"] == "surplus" and surplus["candidate"] == "alice"
    assert surplus["transfer_values"] == {"1": "0.33333"}
    assert surplus["transfers"] == {"bob": "0.99999", "carol": "0.99999"} and surplus["rounding"] == "0.00002"
    assert surplus["elected"] == []  # Carol is 0.00001 short of the quota
    exclusion, last = counting["stages"][2:]
    assert (exclusion["action"], exclusion["candidate"], exclusion["non_transferable"]) == ("exclusion", "bob", "1.99999")
    assert (last["action"], last["elected"]) == ("last vacancies", ["carol"])
    assert data["winners"] == ["alice", "carol"]
    assert result_text_lines(result)[:9] == [
        "Mayor (counted by single transferable vote (Scottish rules), 2 seats; 10 ballots, 10 valid)",
        "  Elected, in order of election: Alice and Carol.",
        "  Voided rows: none.",
        "  Quota: 4 votes (the valid ballots divided by seats + 1, rounded down, plus 1).",
        "  Stage 1, first preferences: Alice 6, Bob 1, Carol 3. Elected: Alice.",
        "  Stage 2, surplus of Alice (transfer value 1 → 0.33333): Bob +0.99999, Carol +0.99999; non-transferable 0; "
        "rounding 0.00002. Votes: Alice 4, Bob 1.99999, Carol 3.99999.",
        "  Stage 3, exclusion of Bob: nothing passed on; non-transferable 1.99999. Votes: Alice 4, Bob 0, Carol 3.99999.",
        "  Stage 4, last vacancies, as many options left as seats: Alice 4, Bob 0, Carol 3.99999. Elected: Carol.",
        "Turnout",
    ]


# --- Schulze, Borda, majority judgment ----------------------------------------------------------------------


def test_schulze_gives_the_pairwise_and_strongest_path_matrices_and_borda_the_points():
    rows = [[1, 2, 3]] * 3 + [[3, 1, 2]] * 2 + [[2, 3, 1]] * 2
    schulze = ranked_result(_contest({"method": "schulze"}), rows, SEED).to_json()["counting"]
    assert schulze["pairwise"] == [[0, 5, 3], [2, 0, 5], [4, 2, 0]]
    assert schulze["strongest_paths"] == [[0, 5, 5], [4, 0, 5], [4, 4, 0]]
    assert schulze["ranking"] == [["alice"], ["bob"], ["carol"]]
    borda = ranked_result(_contest({"method": "borda"}), rows, SEED)
    assert borda.to_json()["counting"]["scores"] == {"alice": 8, "bob": 7, "carol": 6}
    assert "  Points: Alice 8, Bob 7, Carol 6." in result_text_lines(borda)


def test_majority_judgment_gives_each_options_grades_by_name_and_its_majority_grade():
    contest = _contest({"method": "majority_judgment", "grades": ["Reject", "Fair", "Good", "Excellent"]})
    rows = [[3, 1, 0], [2, 2, 1], [2, 0, 3], [1, 2, 2], [0, 1, 2], [3, 3, 4]]
    result = ranked_result(contest, rows, SEED)
    data = result.to_json()
    counting = data["counting"]
    assert counting["grades"] == ["Reject", "Fair", "Good", "Excellent"]
    assert counting["grade_counts"] == {"alice": [1, 1, 2, 1], "bob": [1, 2, 2, 0], "carol": [1, 1, 2, 1]}
    assert counting["majority_grades"] == {"alice": 2, "bob": 1, "carol": 2}
    assert (counting["rows"], counting["valid"]) == (6, 5) and counting["voided"] == [{"row": 5, "reason": "G2: grade out of range"}]
    lines = result_text_lines(result)
    assert "  Bob: majority grade Fair; grades given: Reject 1, Fair 2, Good 2, Excellent 0." in lines
    assert any(line.startswith("  Alice and Carol share the majority grade Good") for line in lines)


# --- the tie seed -------------------------------------------------------------------------------------------------


def _ciphertexts(values) -> tuple[tuple[Ciphertext, ...], ...]:
    return tuple(tuple(Ciphertext(g_pow(ElementModQ.parse(v + 1)), g_pow(ElementModQ.parse(v + 2))) for v in row) for row in values)


def test_the_tie_seed_is_record_format_12_3_of_h_e_the_label_the_mix_input_and_the_votes():
    mix_input = _ciphertexts([[1, 2], [3, 4]])
    digest = hashlib.sha256(b"".join(x.value.to_bytes(512, "big") for row in mix_input for c in row for x in (c.alpha, c.beta))).digest()
    assert rows_digest(mix_input) == digest
    votes = [[2, 1], [1, 0], [0, 1]]
    R = hashlib.sha256(b"".join(v.to_bytes(4, "big") for row in sorted(map(tuple, votes)) for v in row)).digest()
    label = "mayor"
    expected = hashlib.sha256(b"evote/tie-seed/v1\x00" + H_E + len(label).to_bytes(4, "big") + label.encode() + digest + R).digest()
    assert contest_seed(H_E, label, mix_input, votes) == expected
    # no mix server can move it: the votes in another order give the same seed
    assert contest_seed(H_E, label, mix_input, votes[::-1]) == expected
    # another contest, mix input or vote gives another
    assert contest_seed(H_E, "council", mix_input, votes) != expected
    assert contest_seed(H_E, label, mix_input[::-1], votes) != expected
    assert contest_seed(H_E, label, mix_input, [[2, 1], [1, 0], [1, 0]]) != expected


def test_a_tie_is_broken_by_the_lot_of_the_contests_tie_seed():
    rows = [[1, 2, 0], [2, 1, 0], [0, 0, 1], [0, 1, 0]]  # bob 2, alice 1, carol 1: alice and carol tie for fewest
    seeds = [contest_seed(H_E, "mayor", _ciphertexts([[n, n]]), rows) for n in range(8)]
    chosen = set()
    for seed in seeds:
        counting = ranked_result(_contest({"method": "irv"}), rows, seed).to_json()["counting"]
        lot = draw_lot(seed, "irv", "eliminate", 1, ["alice", "carol"])
        assert counting["lots"] == [{"method": "irv", "purpose": "eliminate", "stage": 1, "among": ["alice", "carol"],
                                     "chosen": lot.chosen, "digest": lot.digest}]  # fmt: skip
        assert counting["rounds"][0]["eliminated"] == lot.chosen and counting["seed"] == seed.hex().upper()
        chosen.add(lot.chosen)
    assert chosen == {"alice", "carol"}  # the seed decides: another last output, another lot


# --- the whole published result, from a TallyResult with mixed rows ----------------------------------------------


def _cell(value: int) -> DecryptedValue:
    return DecryptedValue(value, g_pow(ElementModQ.parse(value)), DecryptionProof(bytes(32), ElementModQ.parse(0)))


def test_the_published_result_counts_tally_results_mixed_rows_with_the_contests_tie_seed():
    document = copy.deepcopy(MANIFEST)
    document["contests"].append({"label": "park", "title": "Park", "counting": {"method": "irv"},
                                 "options": [{"label": "pool", "name": "Pool"}, {"label": "garden", "name": "Garden"}]})  # fmt: skip
    document["ballot_styles"] = [{"label": "all", "contests": [c["label"] for c in document["contests"]]}]
    manifest = parse_manifest(document)
    plurality = {c.label: {o.label: _cell(i) for i, o in enumerate(c.options)} for c in manifest.contests if c.counting is None}
    values = [[1, 2], [2, 1], [1, 0], [0, 1]]  # pool 2, garden 2 after the first round: a lot
    mixed = {"park": tuple(tuple(_cell(v) for v in row) for row in values)}
    last = _ciphertexts(values)
    state = SimpleNamespace(
        result=TallyResult(1, plurality, (), mixed), definition=SimpleNamespace(manifest=manifest, revote_rule="last"),
        context=SimpleNamespace(H_E=H_E), mix_inputs={"park": SimpleNamespace(rows=last)}, eligible_credentials=set(), tally=None,
    )  # fmt: skip
    data = result_from_headers(state, []).to_json()
    by_label = {c["contest"]: c for c in data["contests"]}
    park = by_label.pop("park")
    expected = ranked_result(manifest.contest("park"), values, contest_seed(H_E, "park", last, values)).to_json()
    assert park == expected and park["counting"]["lots"][0]["among"] == ["garden", "pool"]
    for contest in by_label.values():  # the plurality contests as before: totals, shares, no "counting"
        assert "counting" not in contest and [o["votes"] for o in contest["options"]] == list(range(len(contest["options"])))
    rows = result_csv_rows(result_from_headers(state, []))
    assert ["park", park["winners"][0], "", "", "yes"] in rows


@pytest.mark.parametrize("method", ["irv", "schulze", "borda"])
def test_no_valid_ballot_still_gives_a_result_that_says_so(method):
    result = ranked_result(_contest({"method": method}), [[0, 0, 0]], SEED)
    data = result.to_json()
    assert (data["votes"], data["counting"]["rows"], len(data["counting"]["voided"])) == (0, 1, 1)
    assert "(counted by" in result_text_lines(result)[0] and "1 ballot, 0 valid" in result_text_lines(result)[0]


# --- evote election result, against a board holding a real mixed and decrypted election ---------------------


@pytest.fixture(scope="module")
def ranked_served(tmp_path_factory):
    """support.ranked_result_world's tallied election, served on a loopback port; yields (URL, BoardWorld)."""
    app, world = ranked_result_election(tmp_path_factory.mktemp("ranked-cli"))
    with serve_app(app) as url:
        yield url, world


@pytest.mark.slow
def test_evote_election_result_says_each_round_in_words_with_the_tie_seed_of_the_last_mix(ranked_served):
    url, world = ranked_served
    text = CliRunner().invoke(election_cli, ["result", world.election_id, "--board", url])
    assert text.exit_code == 0, text.output
    lines = text.output.split("\n")
    start = lines.index("Mayor (counted by instant-runoff; 11 ballots, 10 valid)")
    assert lines[start + 1 : start + 6] == [
        "  Elected: Ben Okri.",
        "  Voided rows: 1, counted for no option: 1 with two options given the same rank (rule R3).",
        "  Round 1: Ada Lovelace 4, Ben Okri 3, Cyd Charisse 2, Dev Patel 1. Dev Patel is eliminated; Dev Patel's 1 vote goes to Ben Okri 1.",
        "  Round 2: Ada Lovelace 4, Ben Okri 4, Cyd Charisse 2. Cyd Charisse is eliminated; Cyd Charisse's 2 votes go to Ben Okri 1, "
        "exhausted 1.",
        "  Round 3: Ada Lovelace 4, Ben Okri 5 (exhausted 1). Ben Okri is elected with 5 of 9 votes, more than half.",
    ]
    assert "  Elected, in order of election: Eve and Fay." in lines and "Rebuild the footbridge? (11 votes)" in lines
    published = json.loads(CliRunner().invoke(election_cli, ["result", world.election_id, "--board", url, "--format", "json"]).output)
    state = world.state()
    for contest in published["contests"][:3]:  # each counting contest's lots come from its tie seed (record-format §12.3)
        rows = tuple(tuple(cell.value for cell in row) for row in state.result.mixed[contest["contest"]])
        seed = contest_seed(state.context.H_E, contest["contest"], state.mix_inputs[contest["contest"]].rows, rows)
        assert contest["counting"]["seed"] == seed.hex().upper()
    assert "counting" not in published["contests"][3]
    table = CliRunner().invoke(election_cli, ["result", world.election_id, "--board", url, "--format", "csv"]).output
    assert "mayor,ben,,,yes\nmayor,cyd,,,no\n" in table
