"""Board entries and their hashes (docs/record-format.md, section 6).

    genesis(id)  = SHA-256("evote/genesis/v1" ∥ 0x00 ∥ id)
    entry_hash   = SHA-256("evote/entry/v1" ∥ 0x00 ∥ u64be(seq) ∥ prev_hash ∥ u32be(len(kind)) ∥ kind
                           ∥ u64be(received_at_us) ∥ u64be(len(payload)) ∥ payload)

where ``id`` and ``kind`` are UTF-8 (ASCII by their patterns) and ``payload`` is the exact RFC 8785 bytes.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass

from .errors import InvalidInput

ELECTION_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
KIND_PATTERN = re.compile(r"[a-z][a-z0-9_.]{0,63}")
HASH_PATTERN = re.compile(r"[0-9A-F]{64}")  # a SHA-256 output as the board writes it (record-format §6.1)
GENESIS_TAG = b"evote/genesis/v1"
ENTRY_TAG = b"evote/entry/v1"
HASH_SIZE = 32
MAX_U64 = (1 << 64) - 1
MAX_SEQ = (1 << 63) - 1  # seqs and sizes fit a signed 64-bit database column

__all__ = ["Entry", "genesis_hash", "compute_entry_hash", "check_election_id", "check_kind", "check_seq",
           "ELECTION_ID_PATTERN", "KIND_PATTERN", "HASH_PATTERN", "parse_hash"]


@dataclass(frozen=True)
class Entry:
    """One log entry exactly as hashed: ``payload`` is the canonical bytes, hashes are 32 raw bytes."""

    election_id: str
    seq: int
    kind: str
    payload: bytes
    prev_hash: bytes
    entry_hash: bytes
    received_at: int  # microseconds since the Unix epoch, UTC

    def recompute_hash(self) -> bytes:
        return compute_entry_hash(self.seq, self.prev_hash, self.kind, self.received_at, self.payload)


def parse_hash(value: object, field: str) -> bytes:
    """A 32-byte hash from exactly 64 upper-case ASCII hex digits (``bytes.fromhex`` alone skips whitespace)."""
    if not isinstance(value, str) or not HASH_PATTERN.fullmatch(value):
        raise InvalidInput(field, "must be 64 upper-case hex digits")
    return bytes.fromhex(value)


def check_election_id(value: object, field: str = "election_id") -> str:
    if not isinstance(value, str):
        raise InvalidInput(field, f"must be a string, not {type(value).__name__}")
    if not ELECTION_ID_PATTERN.fullmatch(value):
        raise InvalidInput(field, "must be 1-64 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit")
    return value


def check_kind(value: object, field: str = "kind") -> str:
    if not isinstance(value, str):
        raise InvalidInput(field, f"must be a string, not {type(value).__name__}")
    if not KIND_PATTERN.fullmatch(value):
        raise InvalidInput(field, "must be 1-64 characters from a-z 0-9 _ ., starting with a letter")
    return value


def check_seq(value: object, field: str = "seq") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, f"must be an integer, not {type(value).__name__}")
    if not 0 <= value <= MAX_SEQ:
        raise InvalidInput(field, "must be between 0 and 2^63-1")
    return value


def genesis_hash(election_id: str) -> bytes:
    """prev_hash of seq 0."""
    check_election_id(election_id)
    return hashlib.sha256(GENESIS_TAG + b"\x00" + election_id.encode("utf-8")).digest()


def compute_entry_hash(seq: int, prev_hash: bytes, kind: str, received_at: int, payload: bytes) -> bytes:
    if len(prev_hash) != HASH_SIZE:
        raise InvalidInput("prev_hash", f"must be {HASH_SIZE} bytes, not {len(prev_hash)}")
    if not 0 <= received_at <= MAX_U64:
        raise InvalidInput("received_at", "must be between 0 and 2^64-1")
    kind_bytes = kind.encode("utf-8")
    h = hashlib.sha256(ENTRY_TAG + b"\x00")
    h.update(struct.pack(">Q", check_seq(seq)))
    h.update(prev_hash)
    h.update(struct.pack(">I", len(kind_bytes)))
    h.update(kind_bytes)
    h.update(struct.pack(">QQ", received_at, len(payload)))
    h.update(payload)
    return h.digest()
