"""Values returned by ``BoardLog`` and the context handed to an append's ``check`` hook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from .log_format.entry import check_seq

__all__ = ["ElectionInfo", "AppendResult", "AppendContext", "ReturnExisting", "InclusionProof",
           "ConsistencyProof", "CheckHook"]


@dataclass(frozen=True)
class ElectionInfo:
    election_id: str
    created_at: int
    state: str
    size: int
    head_hash: bytes  # entry_hash of the last entry, or the genesis hash of an empty log


@dataclass(frozen=True)
class AppendResult:
    """What an append acknowledged. ``appended`` is False when the hook returned an existing entry."""

    election_id: str
    seq: int
    entry_hash: bytes
    prev_hash: bytes
    received_at: int
    size: int  # the log's size once this entry is in it
    appended: bool = True


@dataclass(frozen=True)
class ReturnExisting:
    """Returned by a ``check`` hook: append nothing and answer with the entry already at ``seq``."""

    seq: int


@dataclass
class AppendContext:
    """Read access to an election inside the serialised write transaction, after the lock.

    ``seq`` is the position the new entry will take. The hook may query and insert rows (the index
    tables) through ``session`` or ``connection``; they commit with the entry or roll back with it.
    It rejects by raising (nothing is appended), accepts by returning None, or returns
    ``ctx.existing(seq)`` to answer with an entry already on the log without appending.
    Expensive checks (ballot proofs) belong before ``append``: the hook runs while writers wait.
    """

    election_id: str
    kind: str
    payload: dict
    payload_bytes: bytes
    seq: int
    state: str
    received_at: int
    session: Session
    connection: Connection
    new_state: Optional[str] = field(default=None)

    @property
    def last_seq(self) -> int | None:
        return self.seq - 1 if self.seq else None

    def set_state(self, state: str) -> None:
        """Change the election's state column together with this append."""
        if not isinstance(state, str) or not 0 < len(state) <= 64:
            raise ValueError("state must be a string of 1-64 characters")
        self.new_state = state

    def existing(self, seq: int) -> ReturnExisting:
        check_seq(seq)
        if seq >= self.seq:
            raise ValueError(f"seq {seq} is not on the log (size {self.seq})")
        return ReturnExisting(seq)


CheckHook = Callable[[AppendContext], Any]


@dataclass(frozen=True)
class InclusionProof:
    election_id: str
    seq: int
    size: int
    entry_hash: bytes
    proof: list[bytes]
    root: bytes


@dataclass(frozen=True)
class ConsistencyProof:
    election_id: str
    old_size: int
    new_size: int
    proof: list[bytes]
    old_root: bytes
    new_root: bytes
