"""Fixed-base exponentiation tables for g and the election key K (SPEC Note 3.4).

A table for base x holds x^(d · 2^(w·i)) for every window position i and digit d, so x^e costs one modular
multiplication per w-bit window of e instead of a full square-and-multiply. With w = 10 and 256-bit
exponents that is 26 multiplications, about a ninth of a modexp, for 26 × 1024 stored elements (about
14 MiB at 4096 bits, built in ~0.17 s). w = 8 would need 32 multiplications (4.4 MiB, ~0.06 s): encryption,
which is almost only fixed-base exponentiations, measured 16% faster with w = 10
(benchmarks/compare_electionguard.py). Tables are built once per base and shared through :func:`table_for`
(at most _CACHE_SIZE of them are kept).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from gmpy2 import mpz

from .group import ElementModP, ElementModQ

WINDOW_BITS = 10


class FixedBaseTable:
    """Windowed table of powers of one base element; exponents are reduced mod q first."""

    __slots__ = ("base", "_rows", "_mask", "_shift", "_p")

    def __init__(self, base: ElementModP, *, window_bits: int = WINDOW_BITS):
        group = base.group
        exponent_bits = int(group.q).bit_length()
        windows = (exponent_bits + window_bits - 1) // window_bits
        p = group.p
        rows = []
        row_base = base.value
        for _ in range(windows):
            row = [mpz(1)] * (1 << window_bits)
            acc = mpz(1)
            for digit in range(1, 1 << window_bits):
                acc = acc * row_base % p
                row[digit] = acc
            rows.append(row)
            row_base = acc * row_base % p  # row_base^(2^w)
        self.base = base
        self._rows = rows
        self._mask = (1 << window_bits) - 1
        self._shift = window_bits
        self._p = p

    def pow_value(self, exponent: mpz) -> mpz:
        """base^exponent mod p as a bare integer, for hot loops; 0 <= exponent < q."""
        p = self._p
        mask = self._mask
        shift = self._shift
        result = mpz(1)
        e = int(exponent)
        for row in self._rows:
            if not e:
                break
            digit = e & mask
            if digit:
                result = result * row[digit] % p
            e >>= shift
        return result

    def pow(self, exponent: ElementModQ | int) -> ElementModP:
        group = self.base.group
        e = exponent.value if isinstance(exponent, ElementModQ) else mpz(exponent) % group.q
        return ElementModP.computed(self.pow_value(e), group)


_CACHE: OrderedDict[tuple[int, int], FixedBaseTable] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


def table_for(base: ElementModP) -> FixedBaseTable:
    """The shared table for ``base`` (built on first use; a few recent bases are kept)."""
    key = (id(base.group), int(base.value))
    with _CACHE_LOCK:
        table = _CACHE.get(key)
        if table is not None:
            _CACHE.move_to_end(key)
            return table
    table = FixedBaseTable(base)
    with _CACHE_LOCK:
        _CACHE[key] = table
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return table
