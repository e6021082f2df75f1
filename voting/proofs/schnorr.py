"""Schnorr proofs of knowledge of guardian polynomial coefficients.

SPEC v2.0.0 §3.2.2 (eqs. 10-12) and Verification 2 (§6.2.2): guardian G_i proves knowledge of a_{i,j} with
K_{i,j} = g^{a_{i,j}}; h_{i,j} = g^{u_{i,j}}, c_{i,j} = H(H_P; 0x10, i, j, K_{i,j}, h_{i,j}),
v_{i,j} = (u_{i,j} - c_{i,j} a_{i,j}) mod q.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidProof
from ..fixed_base import table_for
from ..group import ElementModP, ElementModQ, generator
from ..hashing import DS, H
from ..randomness import Randomness


@dataclass(frozen=True)
class SchnorrProof:
    """(c, v): the challenge is a raw 32-byte hash output, the response an element of Z_q."""

    c: bytes
    v: ElementModQ

    def __post_init__(self) -> None:
        if len(self.c) != 32:
            raise ValueError("a Schnorr challenge is a 32-byte hash output")


def _challenge(H_P: bytes, i: int, j: int, K_ij: ElementModP, h_ij: ElementModP) -> bytes:
    """c_{i,j} = H(H_P; 0x10, i, j, K_{i,j}, h_{i,j}) (SPEC eq. 12)."""
    return H(H_P, DS.COEFFICIENT_PROOF, i, j, K_ij, h_ij)


def prove_coefficient(
    H_P: bytes, i: int, j: int, a_ij: ElementModQ, K_ij: ElementModP, *, random: Randomness | None = None
) -> SchnorrProof:
    """Guardian i's proof of knowledge of its coefficient a_{i,j} (SPEC eqs. 11-12)."""
    group = a_ij.group
    u = (random or group.random_scalar)()
    h = table_for(generator(group)).pow(u)  # eq. 11
    c = _challenge(H_P, i, j, K_ij, h)
    v = u - a_ij * int.from_bytes(c, "big")
    return SchnorrProof(c, v)


def verify_coefficient(H_P: bytes, i: int, j: int, K_ij: ElementModP, proof: SchnorrProof) -> None:
    """Verification 2: (2.A) K_{i,j} ∈ Z_p^r and (2.B) v ∈ Z_q hold by type; (2.1) h = g^v K^c; (2.C).

    In the group of K_{i,j} (:class:`voting.group.PrimeOrderGroup`); c is compared as the group's records
    state it (:meth:`~voting.group.PrimeOrderGroup.challenge`: the hash output itself in SPEC v2.0.0)."""
    group = K_ij.group
    c = int.from_bytes(proof.c, "big")
    h = group.fixed_base(group.generator()).pow(proof.v.value) * group.multi_pow([(K_ij, c)])
    expected = group.challenge(_challenge(H_P, i, j, K_ij, h))
    if expected != proof.c:
        raise InvalidProof(
            "2.C",
            f"guardian {i} coefficient {j}: c is not H(H_P; 0x10, i, j, K_ij, g^v K_ij^c)",
            expected=expected.hex().upper(),
            found=proof.c.hex().upper(),
        )
