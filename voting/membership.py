"""Subgroup membership of many elements at once (SPEC checks 2.A, 5.A, 6.A in bulk).

A single check x^q mod p = 1 costs one full modular exponentiation. For a batch x_1..x_n this module checks

1. 0 < x_i < p for every i;
2. the Legendre symbol (x_i | p) = 1 for every i (cheap: a Jacobi symbol computation);
3. y^q mod p = 1 for y = Π x_i^{e_i} with independent uniformly random 128-bit exponents e_i.

Why this is sound for the standard group is written out in docs/membership-batching.md: after step 2 every
x_i lies in the subgroup of order q·r' (r' = r/2 prime), and a non-member survives step 3 with probability at
most 2^-128. When the batch fails, every element is checked on its own so that the error names the first
offender. The product in step 3 is computed with a bucket (Pippenger) multi-exponentiation, so the batch
costs roughly one modexp plus a few multiplications per element.
"""

from __future__ import annotations

import secrets
from typing import Sequence

import gmpy2
from gmpy2 import mpz

from .encoding import parse_p_unchecked_membership
from .errors import NotInGroupError
from .group import ElementModP, Group

CHALLENGE_BITS = 128
BATCH_THRESHOLD = 3  # below this, plain x^q checks are as cheap


def multi_exponentiation(bases: Sequence[mpz], exponents: Sequence[int], p: mpz, exponent_bits: int) -> mpz:
    """Π bases[i]^exponents[i] mod p by the bucket method (windowed, shared squarings)."""
    n = len(bases)
    window = max(1, min(10, _best_window(n, exponent_bits)))
    mask = (1 << window) - 1
    windows = (exponent_bits + window - 1) // window
    result = mpz(1)
    for w in reversed(range(windows)):
        if result != 1:
            for _ in range(window):
                result = result * result % p
        buckets: dict[int, mpz] = {}
        shift = w * window
        for base, exponent in zip(bases, exponents):
            digit = (exponent >> shift) & mask
            if digit:
                bucket = buckets.get(digit)
                buckets[digit] = base if bucket is None else bucket * base % p
        if not buckets:
            continue
        running = mpz(1)
        window_sum = mpz(1)
        for digit in range(max(buckets), 0, -1):
            bucket = buckets.get(digit)
            if bucket is not None:
                running = running * bucket % p
            window_sum = window_sum * running % p
        result = result * window_sum % p
    return result


def _best_window(n: int, bits: int) -> int:
    return min(range(1, 11), key=lambda w: ((bits + w - 1) // w) * (n + (2 << w)))


def check_members(values: Sequence[mpz], group: Group, fields: Sequence[str]) -> None:
    """Raise :class:`NotInGroupError` naming the first field whose value is not in Z_p^r.

    ``values`` must already satisfy 0 < x < p (the parsers check that first).
    """
    p, q = group.p, group.q
    for value, field in zip(values, fields):
        if not 0 < value < p:
            raise NotInGroupError(field, "is not in the range 0 < x < p")
    if len(values) < BATCH_THRESHOLD or not _standard_shape(group):
        _check_each(values, group, fields)
        return
    for value, field in zip(values, fields):
        if gmpy2.jacobi(value, p) != 1:
            raise NotInGroupError(field, "is not in the order-q subgroup (not a quadratic residue mod p)")
    exponents = [secrets.randbits(CHALLENGE_BITS) | 1 for _ in values]
    combined = multi_exponentiation(values, exponents, p, CHALLENGE_BITS)
    if gmpy2.powmod(combined, q, p) != 1:
        _check_each(values, group, fields)
        raise AssertionError("unreachable: a failed batch always contains a non-member")  # pragma: no cover


def _check_each(values: Sequence[mpz], group: Group, fields: Sequence[str]) -> None:
    for value, field in zip(values, fields):
        if gmpy2.powmod(value, group.q, group.p) != 1:
            raise NotInGroupError(field, "is not in the order-q subgroup (x^q mod p != 1)")


def _standard_shape(group: Group) -> bool:
    """Batching relies on r/2 being prime (SPEC §3.1: "We also require r/2 to be prime")."""
    return group.r % 2 == 0 and (group.r // 2) > (1 << CHALLENGE_BITS) and group.is_standard


def parse_elements(raw: Sequence[tuple[object, str]], group: Group) -> list[ElementModP]:
    """Group elements from their canonical hex, each (value, field name): the range of each is checked as it is
    read and their subgroup membership in one batch (:func:`check_members`), which names the first offender.
    For payloads holding many elements (decryption shares, results, mix rows), where checking x^q for each
    would cost one modexp per element."""
    values = [parse_p_unchecked_membership(value, field, group) for value, field in raw]
    check_members(values, group, [field for _, field in raw])
    return [ElementModP.computed(value, group) for value in values]
