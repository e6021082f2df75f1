"""Checking the hash chain: walk entries in order and name the first bad seq.

Checks per entry, in this order (the first failure raises ``ChainBroken``):
  1. ``election``: the entry belongs to the election being checked;
  2. ``seq``: the entry at position i has seq i (a larger seq means a gap, a smaller one a reordering);
  3. ``kind`` and ``payload``: the kind matches its pattern and the payload is canonical JSON;
  4. ``received_at``: an integer in [0, 2^64) and not earlier than the previous entry's;
  5. ``prev_hash``: equals the previous entry's entry_hash (the genesis hash for seq 0);
  6. ``entry_hash``: equals the hash recomputed from the entry's fields.
Generation lives in ``entry.py``; this module only checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .canonical import parse_canonical
from .entry import KIND_PATTERN, MAX_U64, Entry, genesis_hash
from .errors import CanonicalJsonError, ChainBroken

__all__ = ["ChainHead", "ChainChecker", "verify_chain"]


@dataclass(frozen=True)
class ChainHead:
    """What a successful walk proved: ``size`` entries whose last hash is ``head_hash``."""

    election_id: str
    size: int
    head_hash: bytes  # the genesis hash when size == 0


class ChainChecker:
    """Incremental checker: ``feed`` entries in order, then ``head()``."""

    def __init__(self, election_id: str, *, check_payloads: bool = True) -> None:
        self.election_id = election_id
        self.check_payloads = check_payloads
        self.size = 0
        self.last_hash = genesis_hash(election_id)
        self.last_time = 0

    def feed(self, entry: Entry) -> None:
        position = self.size
        if entry.election_id != self.election_id:
            raise ChainBroken(position, "election", self.election_id, entry.election_id)
        if isinstance(entry.seq, bool) or not isinstance(entry.seq, int):
            raise ChainBroken(position, "seq", position, entry.seq)
        if entry.seq != position:
            check = "seq (gap)" if entry.seq > position else "seq (reordered)"
            raise ChainBroken(position, check, position, entry.seq)
        if not isinstance(entry.kind, str) or not KIND_PATTERN.fullmatch(entry.kind):
            raise ChainBroken(position, "kind", "a kind matching " + KIND_PATTERN.pattern, entry.kind)
        if self.check_payloads:
            try:
                parse_canonical(entry.payload)
            except CanonicalJsonError as exc:
                raise ChainBroken(position, "payload", "canonical JSON object", entry.payload[:64],
                                  detail=exc.reason) from None
        if isinstance(entry.received_at, bool) or not isinstance(entry.received_at, int) \
                or not self.last_time <= entry.received_at <= MAX_U64:
            raise ChainBroken(position, "received_at", f"an integer from {self.last_time} to 2^64-1",
                              entry.received_at)
        if entry.prev_hash != self.last_hash:
            raise ChainBroken(position, "prev_hash", self.last_hash, entry.prev_hash)
        computed = entry.recompute_hash()
        if entry.entry_hash != computed:
            raise ChainBroken(position, "entry_hash", computed, entry.entry_hash)
        self.last_hash = entry.entry_hash
        self.last_time = entry.received_at
        self.size += 1

    def head(self) -> ChainHead:
        return ChainHead(self.election_id, self.size, self.last_hash)


def verify_chain(election_id: str, entries: Iterable[Entry], *, check_payloads: bool = True) -> ChainHead:
    """Check a whole chain from seq 0; raises ``ChainBroken`` naming the first bad seq."""
    checker = ChainChecker(election_id, check_payloads=check_payloads)
    for entry in entries:
        checker.feed(entry)
    return checker.head()
