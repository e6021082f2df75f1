"""Disjunctive Chaum-Pedersen range proofs: (α, β) encrypts an integer in 0..R.

SPEC v2.0.0 §3.3.5 (proof generation, eqs. 44-48), §3.3.8 (the contest selection limit, eq. 56) and
Verifications 5 and 6 (§6.2.4). The same construction serves both: an option's range 0..R and a contest's
range 0..L over the product of its selection encryptions.
"""

from __future__ import annotations

from dataclasses import dataclass

from gmpy2 import mpz

from ..context import ElectionContext
from ..elgamal import Ciphertext
from ..errors import InvalidProof
from ..group import ElementModQ
from ..hashing import DS, H
from ..randomness import Randomness


@dataclass(frozen=True)
class RangeProof:
    """The compact form: challenges c_0..c_R and responses v_0..v_R (SPEC footnote 15)."""

    c: tuple[ElementModQ, ...]
    v: tuple[ElementModQ, ...]

    def __post_init__(self) -> None:
        if len(self.c) != len(self.v) or not self.c:
            raise ValueError("a range proof has one challenge and one response per value 0..R")

    @property
    def R(self) -> int:
        return len(self.c) - 1


def _challenge(context: ElectionContext, ct: Ciphertext, commitments: list[tuple[int, int]]) -> bytes:
    """c = H(H_E; 0x21, K, α, β, a_0, b_0, ..., a_R, b_R) (SPEC eqs. 46, 56), the commitments as written:
    integers b(x, l_p) wide (on P-256 the integers of their 33-byte encodings)."""
    width = context.group.p_bytes
    encoded = b"".join(int(a).to_bytes(width, "big") + int(b).to_bytes(width, "big") for a, b in commitments)
    return H(context.H_E, DS.RANGE_PROOF, context.K, ct.alpha, ct.beta, encoded)


def prove_range(
    ct: Ciphertext, xi: ElementModQ, ell: int, R: int, context: ElectionContext, *, random: Randomness | None = None
) -> RangeProof:
    """Prove that ``ct`` = Enc(ℓ, ξ) encrypts a value in 0..R, knowing ξ (SPEC §3.3.5, eqs. 44-48).

    Randomness is drawn in this order: u_0..u_R, then c_j for every j ≠ ℓ in increasing j.
    """
    if not 0 <= ell <= R:
        raise ValueError("the encrypted value is outside the range being proven")
    group = context.group
    q = group.q
    draw = random or group.random_scalar
    g_table, K_table = context.g_table, context.K_table
    u = [draw().value for _ in range(R + 1)]
    chosen = {j: draw().value for j in range(R + 1) if j != ell}  # c_j for j ≠ ℓ, drawn in increasing j
    commitments = []
    for j in range(R + 1):
        a_j = g_table.pow_value(u[j])
        if j == ell:
            b_j = K_table.pow_value(u[j])  # eq. 44
        else:
            b_j = K_table.pow_value((u[j] + (ell - j) * chosen[j]) % q)  # eq. 45, t_j = u_j + (ℓ - j) c_j
        commitments.append((a_j, b_j))
    challenge = int.from_bytes(_challenge(context, ct, commitments), "big")
    c_ell = (challenge - sum(chosen.values())) % q  # eq. 47
    c = [c_ell if j == ell else chosen[j] for j in range(R + 1)]
    v = [(u[j] - c[j] * xi.value) % q for j in range(R + 1)]  # eq. 48
    return RangeProof(
        tuple(ElementModQ.computed(mpz(x), group) for x in c),
        tuple(ElementModQ.computed(mpz(x), group) for x in v),
    )


def verify_range(ct: Ciphertext, proof: RangeProof, R: int, context: ElectionContext, *, step: int = 5) -> None:
    """Verification 5 (an option, R = option selection limit) or 6 (a contest, R = L) of SPEC §6.2.4.

    (5.A)/(6.A) α, β ∈ Z_p^r hold by type; (5.B)/(6.B) and (5.C)/(6.C) hold by type (challenges and
    responses are elements of Z_q); here: the proof has R + 1 parts, (5.1)-(5.3) recompute a_j, b_j and c,
    and (5.D)/(6.D) c = (c_0 + ... + c_R) mod q. In the group of K (:class:`voting.group.PrimeOrderGroup`),
    c being what the group's records state for the hash (:meth:`~voting.group.PrimeOrderGroup.challenge`).
    """
    if proof.R != R:
        raise InvalidProof(f"{step}.B", f"expected a range proof for 0..{R}", expected=R + 1, found=proof.R + 1)
    group = context.group
    q = group.q
    g_table, K_table = context.g_table, context.K_table
    c = [c_j.value for c_j in proof.c]
    alpha_c = group.powers(ct.alpha, c)  # α^{c_j} for every j, sharing α's squarings
    beta_c = group.powers(ct.beta, c)
    commitments = []
    for j in range(R + 1):
        c_j, v_j = c[j], proof.v[j].value
        a_j = g_table.pow(v_j) * alpha_c[j]  # (5.1) a_j = g^{v_j} α^{c_j}
        b_j = K_table.pow((v_j - j * c_j) % q) * beta_c[j]  # (5.2) b_j = K^{w_j} β^{c_j}, w_j = v_j - j c_j
        commitments.append((group.written(a_j), group.written(b_j)))
    challenge = int.from_bytes(group.challenge(_challenge(context, ct, commitments)), "big")  # (5.3)
    if int(q).bit_length() < 256:
        challenge %= q  # toy test groups: a 256-bit hash cannot equal a sum mod a 64-bit q otherwise
    total = sum(int(c_j.value) for c_j in proof.c) % q
    if challenge != total:
        raise InvalidProof(
            f"{step}.D",
            "the challenge c = H(H_E; 0x21, K, α, β, a_0, b_0, ...) is not the sum of the challenges c_j mod q",
            expected=f"{challenge:064X}",
            found=f"{total:064X}",
        )
