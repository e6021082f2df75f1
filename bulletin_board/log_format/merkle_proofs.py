"""Generating Merkle roots and proofs (RFC 9162 §2.1.2-2.1.4) from stored perfect subtrees.

A node key ``(level, index)`` names the perfect subtree over leaves [index·2^level, (index+1)·2^level).
Every range that RFC 9162's recursive definitions hash (MTH of D[k:n] and its siblings) starts at a
multiple of a power of two at least as large as the range, so it splits into the perfect subtrees given
by the binary digits of its size, largest first; its MTH is their right fold. Roots and proofs therefore
need O(log n) keys (O(log² n) in the worst case), fetched in one batch from a ``NodeSource``: the
database (``storage.nodes``) or the in-memory ``MemoryTree`` below. Checking lives in ``merkle_verify``.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Protocol, Sequence

from .errors import NodeStoreError
from .merkle_hash import EMPTY_ROOT, largest_power_of_two_below, leaf_hash, node_hash

NodeKey = tuple[int, int]

__all__ = ["NodeKey", "NodeSource", "MemoryTree", "subtree_keys", "inclusion_ranges", "consistency_ranges",
           "tree_root", "inclusion_proof", "consistency_proof", "new_nodes_for_append"]


class NodeSource(Protocol):
    def get_nodes(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        """The hashes of the given perfect subtrees; every key asked for must be present."""


def subtree_keys(start: int, end: int) -> list[NodeKey]:
    """The perfect subtrees covering [start, end), largest first. Requires aligned ``start`` (see above)."""
    keys = []
    size = end - start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            if start % (1 << level):
                raise ValueError(f"range [{start}, {end}) is not aligned at level {level}")
            keys.append((level, start >> level))
            start += 1 << level
    return keys


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTH form PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), bottom-up."""
    if not 0 <= index < size:
        raise ValueError(f"requires 0 <= index < size, got index={index}, size={size}")
    ranges = []
    start, end = 0, size
    while end - start > 1:
        k = largest_power_of_two_below(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTH form PROOF(old_size, D[0:new_size]) (RFC 9162 §2.1.4.1)."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"requires 0 <= old_size <= new_size, got {old_size}, {new_size}")
    if old_size in (0, new_size):
        return []
    ranges = []
    start, end, m, complete = 0, new_size, old_size, True
    while m != end - start:
        k = largest_power_of_two_below(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            m -= k
            complete = False
    if not complete:
        ranges.append((start, end))
    return ranges[::-1]


def _hash_ranges(source: NodeSource, ranges: Iterable[tuple[int, int]]) -> list[bytes]:
    ranges = list(ranges)
    plans = [subtree_keys(start, end) for start, end in ranges]
    wanted = sorted({key for plan in plans for key in plan})
    found = source.get_nodes(wanted) if wanted else {}
    missing = [key for key in wanted if key not in found]
    if missing:
        raise NodeStoreError(f"Merkle node store lacks subtrees {missing[:5]}")
    hashes = []
    for plan in plans:
        value = found[plan[-1]]
        for key in reversed(plan[:-1]):
            value = node_hash(found[key], value)
        hashes.append(value)
    return hashes


def tree_root(source: NodeSource, size: int) -> bytes:
    """MTH(D[0:size])."""
    if size < 0:
        raise ValueError(f"size must be >= 0, not {size}")
    if size == 0:
        return EMPTY_ROOT
    return _hash_ranges(source, [(0, size)])[0]


def inclusion_proof(source: NodeSource, index: int, size: int) -> list[bytes]:
    return _hash_ranges(source, inclusion_ranges(index, size))


def consistency_proof(source: NodeSource, old_size: int, new_size: int) -> list[bytes]:
    return _hash_ranges(source, consistency_ranges(old_size, new_size))


def frontier_keys_for_append(size: int) -> list[NodeKey]:
    """The existing subtrees that appending leaf number ``size`` completes into larger ones."""
    keys = []
    index, level = size, 0
    while index & 1:
        keys.append((level, index - 1))
        index >>= 1
        level += 1
    return keys


def new_nodes_for_append(size: int, entry_hash: bytes, frontier: Mapping[NodeKey, bytes]) -> list[tuple[int, int, bytes]]:
    """The (level, index, hash) rows that appending an entry at leaf ``size`` creates."""
    value = leaf_hash(entry_hash)
    rows = [(0, size, value)]
    index, level = size, 0
    while index & 1:
        value = node_hash(frontier[(level, index - 1)], value)
        index >>= 1
        level += 1
        rows.append((level, index, value))
    return rows


class MemoryTree:
    """All perfect subtrees of a list of entry hashes, in memory (exports, clients, tests)."""

    def __init__(self, entry_hashes: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for value in entry_hashes:
            self.append(value)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, entry_hash: bytes) -> None:
        value = leaf_hash(entry_hash)
        level = 0
        while True:
            row = self.levels[level]
            row.append(value)
            if len(row) % 2:
                return
            value = node_hash(row[-2], row[-1])
            level += 1
            if level == len(self.levels):
                self.levels.append([])

    def get_nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        return {(level, index): self.levels[level][index] for level, index in keys
                if level < len(self.levels) and index < len(self.levels[level])}

    def root(self, size: int | None = None) -> bytes:
        return tree_root(self, self.size if size is None else size)

