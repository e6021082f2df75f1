"""Checking Merkle proofs: RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), for any client.

Both functions return nothing or raise: ``ProofError`` when the proof cannot be right for the given
index and sizes (too short, too long, bad element length, index beyond the tree), ``RootMismatch``
when it leads to another root. Each error keeps the proof, the sizes and both roots.
"""

from __future__ import annotations

from typing import Sequence

from .errors import ProofError, RootMismatch
from .merkle_hash import EMPTY_ROOT, HASH_SIZE, node_hash

__all__ = ["verify_inclusion", "verify_consistency", "root_from_inclusion_proof"]


def _check_hashes(proof: Sequence[bytes], **evidence: object) -> list[bytes]:
    items = list(proof)
    for position, item in enumerate(items):
        if not isinstance(item, (bytes, bytearray)) or len(item) != HASH_SIZE:
            raise ProofError(f"proof element {position} is not a {HASH_SIZE}-byte hash", proof=items, **evidence)
    return [bytes(item) for item in items]


def _check_hash(value: object, name: str, proof: list[bytes], **evidence: object) -> bytes:
    if not isinstance(value, (bytes, bytearray)) or len(value) != HASH_SIZE:
        raise ProofError(f"{name} is not a {HASH_SIZE}-byte hash", proof=proof, **evidence)
    return bytes(value)


def root_from_inclusion_proof(index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]) -> bytes:
    """Steps 1-4 of RFC 9162 §2.1.3.2: the root that ``proof`` yields for ``leaf_hash`` at ``index``."""
    proof = _check_hashes(proof, index=index, size=size)
    leaf_hash = _check_hash(leaf_hash, "leaf hash", proof, index=index, size=size)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}", proof=proof, index=index, size=size)
    fn, sn, r = index, size - 1, bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long", proof=proof, index=index, size=size)
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short", proof=proof, index=index, size=size)
    return r


def verify_inclusion(index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Leaf ``leaf_hash`` (RFC leaf hash, 0x00 ∥ data hashed) is number ``index`` of the tree with ``root``."""
    root = _check_hash(root, "root", list(proof), index=index, size=size)
    computed = root_from_inclusion_proof(index, size, leaf_hash, proof)
    if computed != root:
        raise RootMismatch("inclusion proof", root, computed, proof=list(proof), index=index, size=size)


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """The tree of ``new_size`` with ``new_root`` extends the tree of ``old_size`` with ``old_root``."""
    evidence = {"old_size": old_size, "new_size": new_size}
    proof = _check_hashes(proof, **evidence)
    old_root = _check_hash(old_root, "old root", proof, **evidence)
    new_root = _check_hash(new_root, "new root", proof, **evidence)
    if not 0 <= old_size <= new_size:
        raise ProofError(f"sizes must satisfy 0 <= old <= new, got {old_size} and {new_size}",
                         proof=proof, **evidence)
    if old_size == 0 or old_size == new_size:
        if proof:
            raise ProofError("the proof must be empty for these sizes", proof=proof, **evidence)
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise RootMismatch("consistency proof (old root of the empty tree)", old_root, EMPTY_ROOT,
                               proof=proof, **evidence)
        if old_size == new_size and old_root != new_root:
            raise RootMismatch("consistency proof (equal sizes)", old_root, new_root, proof=proof, **evidence)
        return
    if not proof:
        raise ProofError("consistency proof is empty", proof=proof, **evidence)
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # step 2: an exact power of 2
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long", proof=proof, **evidence)
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short", proof=proof, **evidence)
    if fr != old_root:
        raise RootMismatch("consistency proof (old root)", old_root, fr, proof=proof, **evidence)
    if sr != new_root:
        raise RootMismatch("consistency proof (new root)", new_root, sr, proof=proof, **evidence)
