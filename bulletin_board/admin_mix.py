"""The administrator's side of the mix (record-format §12.2; issue 20 item 3), for ``evote election`` and the demo.

After the close, each contest counted from rows gets its ``mix.input``: the rows of the counted ballots,
computed here from the ballots on the board (and recomputed by the board before it appends). The trustees then
mix in turn (``evote-trustee mix``); the encrypted tally waits until every such contest has at least k mixes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from voting.record import counted_rows, mixing
from voting.record.lifecycle import ElectionState
from voting.record.phases import CLOSED_PHASE

from .admin_ops import ballot_entries, post_admin_entry
from .election_follower import ElectionFollower, election_state
from .log_format.client import BoardClient

Say = Callable[[str], None]


def post_mix_inputs(client: BoardClient, election_id: str, say: Say) -> dict[str, int]:
    """Post the ``mix.input`` of every counted contest that has none yet (the election must be closed);
    returns each such contest's number of rows. Running it again posts nothing new."""
    state, entries = election_state(client, election_id)
    contests = mixing.counting_contests(state.definition.manifest)
    if not contests:
        return {}
    missing = [c.label for c in contests if c.label not in state.mix_inputs]
    if missing and state.phase != CLOSED_PHASE:
        raise ValueError(f"{election_id} is {state.phase}: the mix starts after the close (evote election close). Nothing was posted.")
    definition = state.definition
    expected = counted_rows.mix_inputs_from_entries(definition.manifest, definition.revote_rule, lambda: ballot_entries(entries)) if missing else {}
    for label in missing:
        mix_input = expected[label]
        post_admin_entry(client, election_id, mixing.MIX_INPUT, mixing.mix_input_payload(label, mix_input.ballots, mix_input.rows))
        say(f"contest {label}: mix.input posted, {len(mix_input.rows)} row(s) of the counted ballots for the trustees to mix")
    return {c.label: len((state.mix_inputs.get(c.label) or expected[c.label]).rows) for c in contests}


@dataclass
class ContestMix:
    """Where one contest's mix stands (``evote election mix-status``)."""

    contest: str
    rows: int | None  # None: no mix.input yet
    mixes: list[dict[str, Any]] = field(default_factory=list)  # {"position", "trustee", "name"}
    awaiting: str = ""
    ready: bool = False  # what the encrypted tally needs of this contest is on the board (record-format §12.3)

    def to_json(self) -> dict[str, Any]:
        return {"contest": self.contest, "rows": self.rows, "mixes": self.mixes, "awaiting": self.awaiting, "ready_for_tally": self.ready}


def mix_status(state: ElectionState) -> list[ContestMix]:
    """Per counted contest: its rows, the mixes done (by whom) and what it still waits for, in plain words."""
    definition = state.definition
    names = {t.index: t.name for t in definition.trustees}
    k, n = definition.k, definition.n
    out = []
    for contest in mixing.counting_contests(definition.manifest):
        posted = state.mix_inputs.get(contest.label)
        done = state.mixes.get(contest.label, [])
        status = ContestMix(contest.label, None if posted is None else len(posted.rows))
        status.mixes = [{"position": m.position, "trustee": m.guardian, "name": names.get(m.guardian, "")} for m in done]
        others = [i for i in range(1, n + 1) if all(m.guardian != i for m in done)]
        status.ready = posted is not None and (not posted.rows or len(done) >= k)
        if posted is None:
            status.awaiting = "the administrator's mix.input (after the close: evote election tally posts it)"
        elif not posted.rows:
            status.awaiting = "nothing: no counted ballot has this contest, so there is nothing to mix"
        elif len(done) < k:
            status.awaiting = f"{k - len(done)} more mix(es) before the tally (k = {k}), from trustee(s) {others} (evote-trustee mix)"
        elif len(done) < n and others:
            status.awaiting = f"nothing for the tally (k = {k} mixes done); trustee(s) {others} may still mix until the tally is posted"
        else:
            status.awaiting = "nothing: every trustee has mixed"
        out.append(status)
    return out


def new_mixes(state: ElectionState, seen: set[tuple[str, int]]) -> Iterator[tuple[str, mixing.MixShuffled]]:
    """The mixes on the board not in ``seen`` (contest, position), which is updated."""
    for label, done in state.mixes.items():
        for shuffled in done:
            if (label, shuffled.position) not in seen:
                seen.add((label, shuffled.position))
                yield label, shuffled


def mix_words(state: ElectionState, label: str, shuffled: mixing.MixShuffled) -> str:
    """One appended mix, in plain words."""
    name = next((t.name for t in state.definition.trustees if t.index == shuffled.guardian), "?")
    return (f"contest {label}: mix {shuffled.position} by trustee {shuffled.guardian} ({name}), {len(shuffled.rows)} row(s) permuted "
            "and re-encrypted; the board checked its proof of shuffle")  # fmt: skip


def wait_for_mixes(client: BoardClient, election_id: str, *, wait_seconds: float, say: Say, poll_seconds: float = 0.5,
                   on_mix: Callable[[ElectionState], None] | None = None) -> ElectionState:  # fmt: skip
    """Follow the board until every counted contest has its mix.input and at least k mixes (what
    ``tally.encrypted`` needs, record-format §12.3); say each new mix. Raises ValueError after ``wait_seconds``."""
    follower = ElectionFollower(client, election_id)
    deadline = time.monotonic() + wait_seconds
    seen: set[tuple[str, int]] = set()
    while True:
        state = follower.refresh()
        for label, shuffled in new_mixes(state, seen):
            say(mix_words(state, label, shuffled))
        if on_mix is not None:
            on_mix(state)
        if not state.mix_pending():
            return state
        if time.monotonic() > deadline:
            waiting = "; ".join(f"{s.contest}: {s.awaiting}" for s in mix_status(state) if not s.ready)
            raise ValueError(f"gave up waiting for the mix: {waiting}. Ask the trustees to run `evote-trustee mix`, then run "
                             "this command again.")  # fmt: skip
        time.sleep(poll_seconds)


def prepare_tally(client: BoardClient, election_id: str, *, wait_seconds: float, say: Say,
                  on_mix: Callable[[ElectionState], None] | None = None) -> None:  # fmt: skip
    """For an election with contests counted from rows: post their mix.input and wait for k mixes each.
    Nothing to do for an election without such contests."""
    if post_mix_inputs(client, election_id, say):
        wait_for_mixes(client, election_id, wait_seconds=wait_seconds, say=say, on_mix=on_mix)
