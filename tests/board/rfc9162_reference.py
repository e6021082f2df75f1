"""A deliberately literal transcription of RFC 9162 §2.1.1-2.1.4 (MTH, PATH, PROOF, SUBPROOF).

Only for testing the board's O(log n) generator and the iterative verifiers against the RFC's own
recursive definitions; it recomputes everything from the leaves and is far too slow for real use.
"""

from __future__ import annotations

import hashlib


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 §2.1.1, where d holds the inputs (the board's entry hashes)."""
    n = len(d)
    if n == 0:
        return _sha256(b"")
    if n == 1:
        return _sha256(b"\x00" + d[0])
    k = _k(n)
    return _sha256(b"\x01" + mth(d[0:k]) + mth(d[k:n]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1."""
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return path(m, d[0:k]) + [mth(d[k:n])]
    return path(m - k, d[k:n]) + [mth(d[0:k])]


def proof(m: int, d: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1."""
    return subproof(m, d, True)


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = _k(n)
    if m <= k:
        return subproof(m, d[0:k], b) + [mth(d[k:n])]
    return subproof(m - k, d[k:n], False) + [mth(d[0:k])]
