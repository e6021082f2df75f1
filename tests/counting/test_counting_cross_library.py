"""evote's counting against pref_voting (voting-tools/pref_voting, a test-only dependency) on generated profiles.

pref_voting is the oracle, never the producer: evote counts with its own code (voting/counting), and these
tests check that both agree wherever both follow the same rule. Where the rule sets differ, the comparison is
restricted, and said so:
- IRV: pref_voting eliminates all candidates tied for fewest at once; evote draws a lot. Compared when evote
  drew no lot (then no tie occurred and both eliminate the same candidate each round).
- STV: pref_voting's ``stv_scottish`` uses floats and transfers at a paper's current value (its documented
  departure from rule 48(3)); compared on the elected set when evote drew no lot.
- Schulze: pref_voting's ``beat_path`` measures links by margins; on complete rankings margins and winning votes
  order the links alike, so compared on complete rankings.
- Borda: compared on complete rankings (the truncated-ballot conventions differ).
- Majority judgment: pref_voting's ``majority_judgement`` separates equal majority grades by the majority gauge
  (p versus q, Balinski and Laraki 2010); it agrees with evote's majority values when its winner is unique.
Outside CI a missing pref_voting skips these tests with the reason; under CI=true it fails them.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.environment import require_module

from counting.counting_support import TEST_SEED_DEFEATS_ALL_LOTS as SEED
from counting.counting_support import profiles, rows_from
from voting.counting import count_borda, count_irv, count_majority_judgment, count_schulze, count_stv_scottish

REASON = "pref_voting (the cross-check oracle) is a test-only dependency: pip install 'pref_voting==1.18.2'"
EXAMPLES = settings(max_examples=1000, deadline=None)
LOTTED = settings(max_examples=2000, deadline=None)  # about a third draw a lot and are not compared


@pytest.fixture(scope="module")
def pv():
    require_module("pref_voting", REASON)
    import pref_voting.grade_methods
    import pref_voting.grade_profiles
    import pref_voting.iterative_methods
    import pref_voting.margin_based_methods
    import pref_voting.profiles
    import pref_voting.profiles_with_ties
    import pref_voting.proportional_methods
    import pref_voting.scoring_methods

    return pref_voting


def truncated_profile(pv, n, preferences):
    return pv.profiles_with_ties.ProfileWithTies(
        [{c: rank for rank, c in enumerate(p, start=1)} for p in preferences], candidates=list(range(n)))


@LOTTED
@given(case=profiles(max_voters=60))
def test_irv_agrees(pv, case):
    labels, preferences = case
    ours = count_irv(labels, rows_from(labels, preferences), SEED)
    if any(r.lot for r in ours.rounds):
        return
    theirs = pv.iterative_methods.instant_runoff_for_truncated_linear_orders(truncated_profile(pv, len(labels), preferences))
    assert [labels[c] for c in theirs] == [ours.winner]


@LOTTED
@given(case=profiles(min_candidates=3, max_candidates=6, max_voters=60), seats=st.integers(1, 3))
def test_stv_scottish_agrees(pv, case, seats):
    labels, preferences = case
    seats = min(seats, len(labels) - 1)
    ours = count_stv_scottish(labels, rows_from(labels, preferences), seats, SEED)
    if any(stage.lots for stage in ours.stages):
        return
    theirs = pv.proportional_methods.stv_scottish(truncated_profile(pv, len(labels), preferences), num_seats=seats)
    assert sorted(labels[c] for c in theirs) == sorted(ours.elected)


@EXAMPLES
@given(case=profiles(max_voters=60, full=True))
def test_schulze_agrees(pv, case):
    labels, preferences = case
    ours = count_schulze(labels, rows_from(labels, preferences), SEED)
    theirs = pv.margin_based_methods.beat_path(pv.profiles.Profile([list(p) for p in preferences]))
    assert [labels[c] for c in theirs] == sorted(ours.ranking[0], key=labels.index)


@EXAMPLES
@given(case=profiles(max_voters=60, full=True))
def test_borda_agrees(pv, case):
    labels, preferences = case
    ours = count_borda(labels, rows_from(labels, preferences), SEED)
    profile = pv.profiles.Profile([list(p) for p in preferences])
    assert [ours.scores[label] for label in labels] == [profile.borda_scores()[c] for c in range(len(labels))]
    assert [labels[c] for c in pv.scoring_methods.borda(profile)] == sorted(ours.ranking[0], key=labels.index)


@EXAMPLES
@given(data=st.data(), n=st.integers(2, 5), grades=st.integers(2, 6))
def test_majority_judgment_agrees(pv, data, n, grades):
    labels = [f"c{i}" for i in range(n)]
    rows = data.draw(st.lists(st.lists(st.integers(0, grades - 1), min_size=n, max_size=n), min_size=1, max_size=60))
    ours = count_majority_judgment(labels, rows, grades, SEED)
    profile = pv.grade_profiles.GradeProfile([dict(enumerate(row)) for row in rows], list(range(grades)))
    theirs = pv.grade_methods.majority_judgement(profile)
    assert [ours.majority_grades[label] for label in labels] == [profile.median(c) for c in range(n)]
    if len(theirs) == 1:
        assert labels[theirs[0]] in ours.ranking[0]
