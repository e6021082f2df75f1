"""Properties of the counting methods on generated profiles (Hypothesis)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from counting.counting_support import TEST_SEED_DEFEATS_ALL_LOTS as SEED
from counting.counting_support import profiles, rows_from
from voting.counting import count_borda, count_irv, count_majority_judgment, count_schulze, count_stv_scottish, plain
from voting.counting.pairwise import pairwise_matrix

SETTINGS = settings(max_examples=300, deadline=None)


@SETTINGS
@given(case=profiles())
def test_irv_elects_a_majority_first_preference(case):
    labels, preferences = case
    firsts = [p[0] for p in preferences]
    leader = max(set(firsts), key=firsts.count)
    result = count_irv(labels, rows_from(labels, preferences), SEED)
    if 2 * firsts.count(leader) > len(firsts):
        assert result.winner == labels[leader] and len(result.rounds) == 1


@SETTINGS
@given(case=profiles())
def test_irv_rounds_neither_create_nor_lose_a_ballot(case):
    labels, preferences = case
    result = count_irv(labels, rows_from(labels, preferences), SEED)
    for before, after in zip(result.rounds, result.rounds[1:]):
        assert sum(before.tallies.values()) + before.exhausted == result.valid
        moved = sum(before.transfers.values()) + before.exhausted_by_transfer
        assert moved == before.tallies[before.eliminated]
        assert after.exhausted == before.exhausted + before.exhausted_by_transfer
    assert sum(result.rounds[-1].tallies.values()) + result.rounds[-1].exhausted == result.valid


@SETTINGS
@given(case=profiles())
def test_a_condorcet_winner_wins_schulze(case):
    labels, preferences = case
    d = pairwise_matrix(preferences, len(labels))
    condorcet = [i for i in range(len(labels)) if all(d[i][j] > d[j][i] for j in range(len(labels)) if j != i)]
    result = count_schulze(labels, rows_from(labels, preferences), SEED)
    if condorcet:
        assert result.ranking[0] == (labels[condorcet[0]],) and result.winner == labels[condorcet[0]]


@SETTINGS
@given(case=profiles(min_candidates=3, max_candidates=6), seats=st.integers(1, 4))
def test_stv_stages_neither_create_nor_lose_a_vote(case, seats):
    """Every stage: the candidates' votes + non-transferable + truncation losses = the valid papers, exactly."""
    labels, preferences = case
    seats = min(seats, len(labels))
    result = count_stv_scottish(labels, rows_from(labels, preferences), seats, SEED)
    lost = Fraction(0)
    for stage in result.stages:
        lost += stage.non_transferable + stage.rounding
        assert 0 <= stage.rounding and 0 <= stage.non_transferable
        assert sum(stage.totals.values()) + lost == result.valid
        assert all(v * 10**5 == int(v * 10**5) for v in stage.totals.values())  # five decimals, rule 48(3)
    assert len(result.elected) == seats == len(set(result.elected))


@SETTINGS
@given(case=profiles(max_candidates=4), data=st.data())
def test_results_do_not_depend_on_ballot_order(case, data):
    labels, preferences = case
    rows = rows_from(labels, preferences)
    shuffled = data.draw(st.permutations(rows))
    for count in (count_irv, count_schulze, count_borda):
        assert plain(count(labels, rows, SEED)) == plain(count(labels, shuffled, SEED))
    seats = min(2, len(labels))
    assert plain(count_stv_scottish(labels, rows, seats, SEED)) == plain(count_stv_scottish(labels, shuffled, seats, SEED))
    grades = [[min(r, 3) for r in row] for row in rows]
    assert plain(count_majority_judgment(labels, grades, 4, SEED)) == plain(count_majority_judgment(labels, data.draw(st.permutations(grades)), 4, SEED))


@SETTINGS
@given(case=profiles(max_candidates=4), seats=st.integers(1, 3))
def test_results_are_plain_data(case, seats):
    import json

    labels, preferences = case
    rows = rows_from(labels, preferences)
    for result in (count_irv(labels, rows, SEED), count_stv_scottish(labels, rows, min(seats, len(labels)), SEED),
                   count_schulze(labels, rows, SEED), count_borda(labels, rows, SEED)):
        data = plain(result)
        assert json.loads(json.dumps(data)) == data
