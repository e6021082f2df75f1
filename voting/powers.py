"""Several powers of one base, or a product of powers, with a shared chain of squarings (public exponents only).

Verifying a range proof 0..R needs α^{c_0}, ..., α^{c_R} and β^{c_0}, ..., β^{c_R} (SPEC v2.0.0
Verification 5, (5.1)-(5.2); Verification 6 for the contest limit): R + 1 exponents on each of two bases.
Square-and-multiply (``gmpy2.powmod``) pays the ~256 squarings of the base again for every exponent. Here
they are paid once: x_i = base^(2^(w·i)) for every w-bit window i, then each power is assembled from the x_i
by the bucket method (Yao): for each digit value d, B_d = Π {x_i : digit i of e is d}, and
base^e = Π_d B_d^d = Π_{d = 2^w - 1 .. 1} (Π_{d' >= d} B_d'), about 256/w + 2^(w+1) multiplications.

With w = 4 and 256-bit exponents: 252 squarings once, then ~90 multiplications per exponent, against
~300 operations per exponent for ``powmod`` (measured in benchmarks/bench_core.py).

:func:`product_of_powers` is the converse, Π b_k^(e_k) for a few bases (Straus): one 16-entry table per base
and a single chain of squarings for the product, as in b'_i = A^{v_i} M_i^{c_i} (SPEC eq. 75).

The running time depends on the exponents, so this is for public values (challenges and responses in
verification), never for secrets.
"""

from __future__ import annotations

from typing import Sequence

import gmpy2
from gmpy2 import mpz

WINDOW_BITS = 4


def same_base_powers(base: mpz, exponents: Sequence[int], p: mpz) -> list[mpz]:
    """[base^e mod p for e in exponents], for 0 <= e; one chain of squarings shared by all exponents."""
    if len(exponents) < 2:
        return [gmpy2.powmod(base, e, p) for e in exponents]
    values = [int(e) for e in exponents]
    bits = max(e.bit_length() for e in values)
    chain = [base]  # chain[i] = base^(2^(WINDOW_BITS·i))
    x = base
    for _ in range((bits - 1) // WINDOW_BITS):
        for _ in range(WINDOW_BITS):
            x = x * x % p
        chain.append(x)
    return [_assemble(chain, e, p) for e in values]


def _assemble(chain: list[mpz], e: int, p: mpz) -> mpz:
    mask = (1 << WINDOW_BITS) - 1
    buckets: dict[int, mpz] = {}
    i = 0
    while e:
        digit = e & mask
        if digit:
            bucket = buckets.get(digit)
            buckets[digit] = chain[i] if bucket is None else bucket * chain[i] % p
        e >>= WINDOW_BITS
        i += 1
    if not buckets:
        return mpz(1)
    running = total = None
    for digit in range(max(buckets), 0, -1):
        bucket = buckets.get(digit)
        if bucket is not None:
            running = bucket if running is None else running * bucket % p
        total = running if total is None else total * running % p
    return total


def product_of_powers(bases: Sequence[mpz], exponents: Sequence[int], p: mpz) -> mpz:
    """Π bases[k]^exponents[k] mod p, for 0 <= exponents[k]; the squarings are shared by all bases."""
    mask = (1 << WINDOW_BITS) - 1
    tables = []
    for base in bases:
        row = [mpz(1), base]  # row[d] = base^d
        for _ in range(2, mask + 1):
            row.append(row[-1] * base % p)
        tables.append(row)
    values = [int(e) for e in exponents]
    bits = max((e.bit_length() for e in values), default=0)
    result = None
    for window in reversed(range((bits + WINDOW_BITS - 1) // WINDOW_BITS)):
        if result is not None:
            for _ in range(WINDOW_BITS):
                result = result * result % p
        shift = window * WINDOW_BITS
        for row, e in zip(tables, values):
            digit = (e >> shift) & mask
            if digit:
                result = row[digit] if result is None else result * row[digit] % p
    return mpz(1) if result is None else result
