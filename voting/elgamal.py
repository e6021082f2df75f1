"""Exponential ElGamal ("DPP vote encryption") over Z_p^r (SPEC §3, eqs. 1, 2 and 24).

Enc(σ, ξ) = (α, β) = (g^ξ mod p, K^(σ+ξ) mod p). The component-wise product of encryptions encrypts the
sum of the plaintexts (eq. 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import Iterable

import gmpy2
from gmpy2 import mpz

from .context import ElectionContext
from .errors import DecryptionError
from .group import ElementModP, ElementModQ


@dataclass(frozen=True)
class Ciphertext:
    """An encryption (α, β) (also written (A, B) for aggregates, SPEC §3 notation)."""

    alpha: ElementModP
    beta: ElementModP

    def __mul__(self, other: Ciphertext) -> Ciphertext:
        """Homomorphic addition: (α1 α2, β1 β2) (SPEC eq. 2)."""
        return Ciphertext(self.alpha * other.alpha, self.beta * other.beta)


def encrypt(sigma: int, xi: ElementModQ, context: ElectionContext) -> Ciphertext:
    """Enc(σ, ξ) = (g^ξ, K^(σ+ξ)) (SPEC eq. 24); σ is a small non-negative integer."""
    if sigma < 0:
        raise ValueError("a vote is a non-negative integer")
    group = context.group
    alpha = context.g_table.pow_value(xi.value)
    beta = context.K_table.pow_value((xi.value + sigma) % group.q)
    return Ciphertext(ElementModP.computed(alpha, group), ElementModP.computed(beta, group))


def add_all(ciphertexts: Iterable[Ciphertext]) -> Ciphertext:
    """The product of a non-empty collection of ciphertexts (encrypts the sum; SPEC eqs. 2, 62)."""
    items = list(ciphertexts)
    if not items:
        raise ValueError("the sum of no ciphertexts is not defined here; use encrypt(0, 0) explicitly")
    group = items[0].alpha.group
    p = group.p
    alpha = reduce(lambda acc, ct: acc * ct.alpha.value % p, items, mpz(1))
    beta = reduce(lambda acc, ct: acc * ct.beta.value % p, items, mpz(1))
    return Ciphertext(ElementModP.computed(alpha, group), ElementModP.computed(beta, group))


def decrypt_known_nonce(ct: Ciphertext, xi: ElementModQ, context: ElectionContext, max_value: int) -> int:
    """σ from β / K^ξ = K^σ (SPEC §3 "the value of K^m ... can also be computed from the encryption nonce")."""
    K_xi = context.K_table.pow_value(xi.value)
    T = ct.beta.value * gmpy2.invert(K_xi, context.group.p) % context.group.p
    return discrete_log(ElementModP.computed(T, context.group), context.K, max_value)


def discrete_log(T: ElementModP, K: ElementModP, max_value: int) -> int:
    """The t with K^t = T and 0 <= t <= max_value, by baby-step giant-step (SPEC §3.6, footnote 10)."""
    if max_value < 0:
        raise ValueError("max_value must be non-negative")
    p = K.group.p
    m = int(gmpy2.isqrt(max_value)) + 1
    baby: dict[mpz, int] = {}
    acc = mpz(1)
    for j in range(m):
        baby.setdefault(acc, j)
        acc = acc * K.value % p
    giant = gmpy2.invert(acc, p)  # K^-m
    gamma = T.value
    for i in range(m + 1):
        found = baby.get(gamma)
        if found is not None:
            t = i * m + found
            if t <= max_value:
                return t
            break
        gamma = gamma * giant % p
    raise DecryptionError(f"no t in 0..{max_value} with K^t = T")
