"""RFC 9162 §2.1.1 hashing primitives shared by proof generation and proof checking.

    MTH({})        = SHA-256("")
    leaf hash      = SHA-256(0x00 ∥ d)          where the board's d is the 32-byte entry_hash
    interior node  = SHA-256(0x01 ∥ left ∥ right)
"""

from __future__ import annotations

import hashlib

EMPTY_ROOT = hashlib.sha256(b"").digest()
HASH_SIZE = 32

__all__ = ["EMPTY_ROOT", "HASH_SIZE", "leaf_hash", "node_hash", "largest_power_of_two_below"]


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162's split: the largest power of two smaller than n (requires n > 1)."""
    if n < 2:
        raise ValueError(f"n must be > 1, not {n}")
    return 1 << ((n - 1).bit_length() - 1)

class RootAccumulator:
    """RFC 9162 MTH of a growing list of leaf hashes in O(log n) memory (a compact range starting at leaf 0)."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []

    def append_leaf(self, leaf: bytes) -> None:
        level, value = 0, leaf
        while self._stack and self._stack[-1][0] == level:
            value = node_hash(self._stack.pop()[1], value)
            level += 1
        self._stack.append((level, value))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        value = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            value = node_hash(left, value)
        return value
