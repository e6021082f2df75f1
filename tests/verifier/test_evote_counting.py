"""The revoting rule as the verifier applies it (record-format §8.3), against a literal reading of the text:
"the ballot.cast entries between election.opened and election.closed, one per credential: with last the one
with the highest seq; with first [...] a second cast by the same credential" is refused (the first counts)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from voting.verifier.checks.eligibility import BallotCounter

CREDENTIALS = [bytes([n]) * 32 for n in range(4)]


def literal(events, rule):
    opened = next((seq for seq, kind, _ in events if kind == "election.opened"), None)
    closed = next((seq for seq, kind, _ in events if kind == "election.closed" and opened is not None and seq > opened), None)
    casts = [
        (seq, who) for seq, kind, who in events
        if kind == "ballot.cast" and opened is not None and seq > opened and (closed is None or seq < closed)
    ]  # fmt: skip
    chosen = {}
    for seq, who in sorted(casts, reverse=(rule == "last")):
        chosen.setdefault(who, seq)
    return set(chosen.values()), len(casts)


@st.composite
def records(draw):
    kinds = draw(
        st.lists(
            st.sampled_from(["ballot.cast", "ballot.cast", "ballot.cast", "election.opened", "election.closed"]), max_size=30
        )
    )
    return [(seq, kind, draw(st.sampled_from(CREDENTIALS))) for seq, kind in enumerate(kinds)]


@given(records(), st.sampled_from(["last", "first"]))
def test_counter_counts_what_the_text_says(events, rule):
    counter = BallotCounter(rule)
    for seq, kind, who in events:
        if kind == "ballot.cast":
            counter.cast(seq, who)
        else:
            counter.control(seq, kind)
    counting = counter.result()
    counted, in_period = literal(events, rule)
    assert counting.counted == counted and counting.cast_entries == in_period
    assert len(counting.superseded) + len(counting.second_casts) == in_period - len(counted)
    assert (rule == "first" or not counting.second_casts) and (rule == "last" or not counting.superseded)


def test_unreadable_credential_is_not_counted():
    counter = BallotCounter("last")
    counter.control(0, "election.opened")
    counter.cast(1, None)
    counter.cast(2, CREDENTIALS[0])
    counting = counter.result()
    assert counting.counted == {2} and counting.unreadable == (1,) and counting.outside == ()
