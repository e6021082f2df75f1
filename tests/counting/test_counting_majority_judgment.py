"""Majority judgment's tie-breaks (docs/counting.md, rule M3): every step needed to order all the tied options."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from counting.counting_support import TEST_SEED_DEFEATS_ALL_LOTS as SEED
from voting.counting import count_majority_judgment
from voting.counting.majority_judgment import majority_value


def _columns_to_rows(*columns: list[int]) -> list[list[int]]:
    return [list(row) for row in zip(*columns)]


def test_three_tied_options_get_the_step_that_separates_the_last_two():
    # All three have the majority grade 2. At step 2 Cyd drops to 1 while Ada and Ben stay at 2 (Cyd is last); only step 3
    # separates Ben (3) from Ada (2). Stopping at the first difference would leave Ada and Ben unordered.
    ada, ben, cyd = [1, 2, 2, 2, 3], [2, 2, 2, 3, 3], [1, 1, 2, 3, 3]
    assert (majority_value(ada)[:3], majority_value(ben)[:3], majority_value(cyd)[:2]) == ((2, 2, 2), (2, 2, 3), (2, 1))
    result = count_majority_judgment(["ada", "ben", "cyd"], _columns_to_rows(ada, ben, cyd), 4, SEED)
    (tie,) = result.tie_breaks
    assert tie.candidates == ("ada", "ben", "cyd")
    assert tie.steps == ({"ada": 2, "ben": 2, "cyd": 2}, {"ada": 2, "ben": 2, "cyd": 1}, {"ada": 2, "ben": 3, "cyd": 3})
    assert result.ranking == (("ben",), ("ada",), ("cyd",)) and result.winner == "ben" and result.lot is None


def test_two_tied_options_stop_at_their_first_difference():
    result = count_majority_judgment(["a", "b"], _columns_to_rows([1, 2, 3], [2, 2, 2]), 4, SEED)
    assert result.tie_breaks[0].steps == ({"a": 2, "b": 2}, {"a": 1, "b": 2})


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_tie_break_steps_order_every_tied_option_and_no_step_is_spare(data):
    n = data.draw(st.integers(2, 5), label="candidates")
    rows = data.draw(st.lists(st.lists(st.integers(0, 3), min_size=n, max_size=n), min_size=1, max_size=12), label="rows")
    labels = [f"c{i}" for i in range(n)]
    result = count_majority_judgment(labels, rows, 4, SEED)
    values = {labels[c]: majority_value([row[c] for row in rows]) for c in range(n)}
    for tie in result.tie_breaks:
        k = len(tie.steps)
        assert all(step == {c: values[c][i] for c in tie.candidates} for i, step in enumerate(tie.steps))
        prefixes = {values[c][:k] for c in tie.candidates}
        identical = len({values[c] for c in tie.candidates}) < len(tie.candidates)
        if identical:  # two can never be ordered (M4): every step is shown
            assert k == len(rows)
        else:  # ordered by the steps shown, and not by one step fewer
            assert len(prefixes) == len(tie.candidates)
            assert len({values[c][: k - 1] for c in tie.candidates}) < len(tie.candidates)
