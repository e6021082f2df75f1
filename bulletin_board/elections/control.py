"""The replayed :class:`ElectionState` of each election, cached per process.

Control entries (everything but ballots) are few; replaying them re-checks every key ceremony proof, so a
process keeps the replayed state and reuses it while no new control entry has been appended (by this
process or another worker). Inside an append's hook the state is brought up to date under the log's
lock, the new entry is applied to it, and the cache records the entry's seq; should the transaction not
commit, the next reader sees a different last control seq and replays.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from voting.record.lifecycle import BALLOT_KINDS, ElectionState, replay

from ..storage.schema import entries


@dataclass
class _Cached:
    last_control_seq: int
    state: ElectionState


def last_control_seq(conn: Connection, election_id: str) -> int:
    value = conn.execute(
        select(func.max(entries.c.seq)).where(entries.c.election_id == election_id).where(entries.c.kind.not_in(BALLOT_KINDS))
    ).scalar()
    return -1 if value is None else int(value)


def payload_at(conn: Connection, election_id: str, seq: int) -> dict:
    row = conn.execute(select(entries.c.payload).where(entries.c.election_id == election_id).where(entries.c.seq == seq)).first()
    if row is None:
        raise LookupError(f"no entry {seq}")
    return json.loads(row[0])


def _replay(conn: Connection, election_id: str) -> ElectionState:
    rows = conn.execute(
        select(entries.c.seq, entries.c.kind, entries.c.payload, entries.c.entry_hash)
        .where(entries.c.election_id == election_id)
        .where(entries.c.kind.not_in(BALLOT_KINDS))
        .order_by(entries.c.seq)
    )
    return replay(
        ((seq, kind, json.loads(payload), bytes(entry_hash)) for seq, kind, payload, entry_hash in rows),
        lambda seq: payload_at(conn, election_id, seq),
        shuffles_checked=True,  # each mix.shuffled's proof was checked before it was appended (async_checks)
    )


class ControlStates:
    """Per-process cache of replayed election states, one lock per election."""

    def __init__(self) -> None:
        self._cache: dict[str, _Cached] = {}
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()

    def lock(self, election_id: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(election_id, threading.RLock())

    def current(self, conn: Connection, election_id: str) -> ElectionState:
        """The state after the last committed control entry (caller holds ``lock(election_id)``)."""
        seq = last_control_seq(conn, election_id)
        cached = self._cache.get(election_id)
        if cached is None or cached.last_control_seq != seq:
            cached = _Cached(seq, _replay(conn, election_id))
            self._cache[election_id] = cached
        return cached.state

    def applied(self, election_id: str, seq: int) -> None:
        """Record that the cached state now includes the control entry at ``seq``."""
        cached = self._cache.get(election_id)
        if cached is not None:
            cached.last_control_seq = seq

    def forget(self, election_id: str) -> None:
        self._cache.pop(election_id, None)
