"""Key generation math of the guardians (SPEC v2.0.0 §3.2).

Each guardian G_i holds a secret polynomial P_i(x) = Σ_j a_{i,j} x^j of degree k - 1 (eq. 9), publishes the
commitments K_{i,j} = g^{a_{i,j}} (eq. 10) with Schnorr proofs (eqs. 11-12), sends P_i(ℓ) to every other
guardian G_ℓ encrypted under K_ℓ (eqs. 14-19), and checks the shares it receives against the sender's
commitments (eq. 21). The joint key is K = Π K_i (eq. 8), H_E = H(H_B; 0x12, K) (eq. 23), and guardian i's
share of the implicit secret s is P(i) = Σ_j P_j(i) mod q (eq. 22).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import Iterable, Mapping, Sequence

import gmpy2
from gmpy2 import mpz

from .errors import InvalidProof, ShareError
from .fixed_base import table_for
from .group import ElementModP, ElementModQ, Group, generator
from .hashed_elgamal import HashedCiphertext, decrypt_share, encrypt_share
from .proofs.schnorr import SchnorrProof, prove_coefficient, verify_coefficient
from .randomness import Randomness


@dataclass(frozen=True)
class GuardianCommitments:
    """What guardian i publishes: K_{i,0..k-1} and a Schnorr proof for each (SPEC §3.2.2)."""

    i: int
    commitments: tuple[ElementModP, ...]
    proofs: tuple[SchnorrProof, ...]

    @property
    def public_key(self) -> ElementModP:
        """K_i = K_{i,0} (SPEC §3.2.2)."""
        return self.commitments[0]

    def verify(self, H_P: bytes, k: int) -> None:
        """Verification 2 for every coefficient of this guardian, plus the count and K_i ≠ 1 (3.A)."""
        if len(self.commitments) != k or len(self.proofs) != k:
            raise InvalidProof("2.A", f"guardian {self.i} must publish exactly k = {k} commitments and proofs")
        if self.public_key.value == 1:
            raise InvalidProof("3.A", f"guardian {self.i}: K_i = 1 is not allowed")
        for j, (K_ij, proof) in enumerate(zip(self.commitments, self.proofs)):
            verify_coefficient(H_P, self.i, j, K_ij, proof)


class GuardianPolynomial:
    """Guardian i's secret polynomial P_i with coefficients 0 < a_{i,j} < q (SPEC eq. 9). Secret."""

    __slots__ = ("i", "coefficients")

    def __init__(self, i: int, coefficients: Sequence[ElementModQ]):
        if not coefficients:
            raise ValueError("a guardian polynomial has k >= 1 coefficients")
        if i < 1:
            raise ValueError("guardian indices start at 1")
        self.i = i
        self.coefficients = tuple(coefficients)

    @classmethod
    def generate(cls, i: int, k: int, group: Group, *, random: Randomness | None = None) -> GuardianPolynomial:
        """k coefficients sampled uniformly with 0 < a_{i,j} < q (SPEC §3.2.2)."""
        draw = random or group.random_scalar
        coefficients: list[ElementModQ] = []
        while len(coefficients) < k:
            a = draw()
            if a.value != 0:
                coefficients.append(a)
        return cls(i, coefficients)

    @property
    def secret_key(self) -> ElementModQ:
        """s_i = a_{i,0}."""
        return self.coefficients[0]

    def evaluate(self, x: int) -> ElementModQ:
        """P_i(x) mod q, by Horner's rule."""
        group = self.coefficients[0].group
        acc = mpz(0)
        for a in reversed(self.coefficients):
            acc = (acc * x + a.value) % group.q
        return ElementModQ.computed(acc, group)

    def commit(self, H_P: bytes, *, random: Randomness | None = None) -> GuardianCommitments:
        """K_{i,j} = g^{a_{i,j}} (eq. 10) with a Schnorr proof of each coefficient (eqs. 11-12)."""
        group = self.coefficients[0].group
        g_table = table_for(generator(group))
        commitments = tuple(g_table.pow(a) for a in self.coefficients)
        proofs = tuple(
            prove_coefficient(H_P, self.i, j, a, K_ij, random=random)
            for j, (a, K_ij) in enumerate(zip(self.coefficients, commitments))
        )
        return GuardianCommitments(self.i, commitments, proofs)

    def __repr__(self) -> str:
        return f"GuardianPolynomial(i={self.i}, k={len(self.coefficients)}, <secret>)"


def expected_share_commitment(commitments: Sequence[ElementModP], x: int) -> ElementModP:
    """g^{P_i(x)} computed from the public commitments: Π_j K_{i,j}^(x^j mod q) (SPEC eq. 13)."""
    group = commitments[0].group
    p, q = group.p, group.q
    acc = mpz(1)
    power = mpz(1)
    for K_ij in commitments:
        acc = acc * gmpy2.powmod(K_ij.value, power, p) % p
        power = power * x % q
    return ElementModP.computed(acc, group)


def check_share(share: ElementModQ, receiver: int, sender: GuardianCommitments) -> None:
    """The receiver's check g^{P_i(ℓ)} = Π_j (K_{i,j})^(ℓ^j) (SPEC eq. 21); raises :class:`ShareError`."""
    group = share.group
    if table_for(generator(group)).pow(share) != expected_share_commitment(sender.commitments, receiver):
        raise ShareError(sender.i, receiver, "the share does not match the sender's commitments (eq. 21)")


def send_share(
    H_P: bytes, polynomial: GuardianPolynomial, receiver: GuardianCommitments, *, random: Randomness | None = None
) -> HashedCiphertext:
    """E_ℓ(P_i(ℓ)) for guardian ℓ = ``receiver.i`` with a fresh nonce ξ_{i,ℓ} (SPEC eqs. 14-19)."""
    group = polynomial.coefficients[0].group
    xi = (random or group.random_scalar)()
    share = polynomial.evaluate(receiver.i)
    return encrypt_share(H_P, polynomial.i, receiver.i, receiver.public_key, share, xi)


def receive_share(
    H_P: bytes,
    receiver: GuardianPolynomial,
    sender: GuardianCommitments,
    encrypted: HashedCiphertext,
) -> ElementModQ:
    """Guardian ℓ decrypts P_i(ℓ) (eq. 20) and checks it against G_i's commitments (eq. 21)."""
    own_public_key = table_for(generator(receiver.secret_key.group)).pow(receiver.secret_key)
    share = decrypt_share(H_P, sender.i, receiver.i, own_public_key, receiver.secret_key, encrypted)
    check_share(share, receiver.i, sender)
    return share


def joint_public_key(guardian_keys: Iterable[ElementModP]) -> ElementModP:
    """K = Π_i K_i mod p (SPEC eq. 8); refuses K = 1 (check 3.B)."""
    keys = list(guardian_keys)
    if not keys:
        raise ValueError("at least one guardian key is needed")
    K = reduce(lambda a, b: a * b, keys)
    if K.value == 1:
        raise InvalidProof("3.B", "the joint key K must not be 1")
    return K


def key_share(own_index: int, shares: Mapping[int, ElementModQ]) -> ElementModQ:
    """P(i) = Σ_j P_j(i) mod q over the shares from every guardian j, own share included (SPEC eq. 22)."""
    if own_index not in shares:
        raise ValueError("the guardian's own share P_i(i) is part of P(i)")
    values = list(shares.values())
    return reduce(lambda a, b: a + b, values[1:], values[0])


def public_key_share(all_commitments: Iterable[GuardianCommitments], i: int) -> ElementModP:
    """g^{P(i)} = Π_j Π_m K_{j,m}^(i^m) from every guardian's commitments (used by SPEC eqs. 74, 83)."""
    parts = [expected_share_commitment(c.commitments, i) for c in all_commitments]
    return reduce(lambda a, b: a * b, parts)
