"""The public voiding rule (R1-R5, G1-G2) and the lots: behaviour, not published examples."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from counting.counting_support import TEST_SEED_DEFEATS_ALL_LOTS as SEED
from voting.counting import (
    CountingError,
    count_borda,
    count_irv,
    count_majority_judgment,
    count_schulze,
    count_stv_scottish,
    draw_lot,
    plain,
    read_grades,
    read_rankings,
)
from voting.counting.ballots import VOID_BLANK, VOID_EQUAL, VOID_GAP, VOID_GRADE, VOID_LENGTH, VOID_RANGE


@pytest.mark.parametrize("row, reason", [
    ([1, 2], VOID_LENGTH),
    ([1, 2, 4], VOID_RANGE),
    ([1, -1, 0], VOID_RANGE),
    ([1, True, 0], VOID_RANGE),
    ([1, "2", 0], VOID_RANGE),
    ([1, 1, 2], VOID_EQUAL),
    ([1, 1, 1], VOID_EQUAL),  # every cell at 1 passes a range proof per cell, and is void here
    ([1, 3, 0], VOID_GAP),
    ([2, 0, 0], VOID_GAP),
    ([0, 0, 0], VOID_BLANK),
])
def test_invalid_rankings_are_voided_with_their_rule(row, reason):
    ballots = read_rankings([[3, 1, 2], row], 3)
    assert ballots.preferences == ((1, 2, 0),)
    assert [(v.row, v.reason) for v in ballots.voided] == [(1, reason)]


def test_partial_rankings_are_valid_and_max_rank_is_enforced():
    assert read_rankings([[0, 1, 0], [2, 1, 0]], 3).preferences == ((1,), (1, 0))
    assert read_rankings([[1, 2, 3]], 3, max_rank=2).voided[0].reason == VOID_RANGE
    with pytest.raises(CountingError, match="max_rank"):
        read_rankings([], 3, max_rank=4)


def test_grades_out_of_range_are_voided():
    ballots = read_grades([[0, 3], [4, 0], [1]], 2, 4)
    assert ballots.grades == ((0, 3),)
    assert [(v.row, v.reason) for v in ballots.voided] == [(1, VOID_GRADE), (2, VOID_LENGTH)]


def test_voided_rows_count_for_no_one_and_enter_no_quota():
    rows = [[1, 2, 0]] * 3 + [[1, 1, 0]] * 50 + [[0, 0, 0]] * 7
    irv = count_irv(["a", "b", "c"], rows, SEED)
    assert (irv.winner, irv.valid, len(irv.voided)) == ("a", 3, 57)
    stv = count_stv_scottish(["a", "b", "c"], rows, 1, SEED)
    assert stv.quota == 3 // 2 + 1


@pytest.mark.parametrize("call, field", [
    (lambda: count_irv([], [], SEED), "candidates"),
    (lambda: count_irv(["a", "a"], [], SEED), "candidates"),
    (lambda: count_irv(["a", ""], [], SEED), "candidates[1]"),
    (lambda: count_irv(["a", "b"], [], b"short"), "seed"),
    (lambda: count_stv_scottish(["a", "b"], [], 3, SEED), "seats"),
    (lambda: count_stv_scottish(["a", "b"], [], 0, SEED), "seats"),
    (lambda: count_majority_judgment(["a"], [], 1, SEED), "grades"),
])
def test_bad_inputs_name_their_field(call, field):
    with pytest.raises(CountingError) as error:
        call()
    assert error.value.field == field


def test_a_lot_is_the_documented_hmac():
    lot = draw_lot(SEED, "irv", "eliminate", 3, ["b", "a", "c"])
    def lp(text: str) -> bytes:
        return len(text.encode()).to_bytes(4, "big") + text.encode()
    message = b"evote tie" + lp("irv") + lp("eliminate") + (3).to_bytes(4, "big") + lp("a") + lp("b") + lp("c")
    digest = hmac.new(SEED, message, hashlib.sha256).digest()
    assert lot.among == ("a", "b", "c")
    assert lot.digest == digest.hex().upper()  # upper-case hex, as every hash output of the record (record-format §1)
    assert lot.chosen == "abc"[int.from_bytes(digest, "big") % 3]


def test_a_lot_depends_on_the_seed_and_the_stage_not_on_the_order_given():
    draws = {draw_lot(bytes([i]) * 32, "irv", "eliminate", 1, ["a", "b", "c", "d"]).chosen for i in range(40)}
    assert draws == {"a", "b", "c", "d"}
    assert draw_lot(SEED, "borda", "winner", 0, ["x", "y"]) == draw_lot(SEED, "borda", "winner", 0, ["y", "x"])
    assert draw_lot(SEED, "irv", "eliminate", 1, ["a", "b"]).digest != draw_lot(SEED, "irv", "eliminate", 2, ["a", "b"]).digest


def test_a_tied_irv_count_reports_its_lot():
    result = count_irv(["a", "b"], [[1, 2], [2, 1]], SEED)
    lot = result.rounds[0].lot
    assert lot is not None and lot.among == ("a", "b")
    assert result.rounds[0].eliminated == lot.chosen and result.winner != lot.chosen


@pytest.mark.parametrize("rows", [[], [[0, 0, 0], [1, 1, 0]]], ids=["no row", "every row voided"])
def test_no_valid_ballot_elects_no_one(rows):
    """docs/counting.md "No valid ballot": no winner, no lot, and each method's data show the empty count."""
    labels = ["a", "b", "c"]
    irv = count_irv(labels, rows, SEED)
    assert (irv.winner, irv.valid, len(irv.voided)) == (None, 0, len(rows))
    assert [(r.tallies, r.elected, r.eliminated, r.lot) for r in irv.rounds] == [({"a": 0, "b": 0, "c": 0}, None, None, None)]
    stv = count_stv_scottish(labels, rows, 2, SEED)
    assert stv.elected == () and [(s.action, s.elected, s.lots) for s in stv.stages] == [("first preferences", (), ())]
    assert set(stv.stages[0].totals.values()) == {0}
    for single in (count_schulze(labels, rows, SEED), count_borda(labels, rows, SEED)):
        assert (single.winner, single.lot, single.ranking, single.valid) == (None, None, (("a", "b", "c"),), 0)
    graded = count_majority_judgment(labels, [[0, 9, 0], [1]][: len(rows)], 3, SEED)  # a grade out of range, one cell
    assert (graded.winner, graded.lot, graded.majority_grades, graded.tie_breaks, graded.valid) == (None, None, {}, (), 0)
    assert plain(irv)["winner"] is None and plain(stv)["elected"] == []


def test_one_valid_ballot_still_elects():
    assert count_irv(["a", "b"], [[0, 1], [1, 1]], SEED).winner == "b"
    assert count_borda(["a", "b"], [[0, 1]], SEED).winner == "b"
