"""Verifiable threshold decryption by the available guardians (SPEC v2.0.0 §3.6.1-3.6.4).

The protocol for one ciphertext (A, B), with U the set of available guardians (|U| >= k):

1. each G_i ∈ U publishes M_i = A^{P(i)} (eq. 66) and a commitment (a_i, b_i) = (g^{u_i}, A^{u_i}) (eq. 69);
2. anyone combines M = Π M_i^{w_i} (eqs. 67-68), (a, b) = (Π a_i, Π b_i) (eq. 70) and the challenge
   c = H(H_E; 0x30, K, A, B, a, b, M) (eq. 71); guardian i's challenge is c_i = c·w_i mod q (eq. 72);
3. each G_i answers v_i = u_i - c_i P(i) (eq. 73); anyone checks each answer against a_i, b_i with
   g^{P(i)} computed from the public commitments (eqs. 74-75), so a faulty guardian is named;
4. v = Σ v_i (eq. 76), T = B·M^{-1}; the record holds (T or t, c, v), checked by Verification 9 and 10.

Contest data (C0, C1, C2) is decrypted the same way with β = C0^s and domain 0x31 (eqs. 77-85, Verification
11 and 14). A guardian must answer each commitment at most once: two answers to one u_i reveal P(i).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import Callable, Mapping, Sequence

import gmpy2
from gmpy2 import mpz

from .context import ElectionContext
from .errors import DecryptionError, InvalidProof
from .group import ElementModP, ElementModQ, Group
from .hashed_elgamal import HashedCiphertext
from .hashing import DS, H
from .powers import product_of_powers


@dataclass(frozen=True)
class DecryptionProof:
    """(c, v): c a raw 32-byte hash output (eq. 71), v ∈ Z_q (eq. 76)."""

    c: bytes
    v: ElementModQ


@dataclass(frozen=True)
class GuardianCommitment:
    """(a_i, b_i) = (g^{u_i}, A^{u_i}) (SPEC eq. 69 / 79)."""

    a: ElementModP
    b: ElementModP


def lagrange_coefficient(i: int, available: Sequence[int], group: Group) -> ElementModQ:
    """w_i = Π_{ℓ ∈ U \\ {i}} ℓ / (ℓ - i) mod q (SPEC eq. 67)."""
    if i not in available or len(set(available)) != len(available):
        raise ValueError("i must be one of the distinct available guardian indices")
    q = group.q
    numerator = mpz(1)
    denominator = mpz(1)
    for l in available:
        if l != i:
            numerator = numerator * l % q
            denominator = denominator * (l - i) % q
    return ElementModQ.computed(numerator * gmpy2.invert(denominator, q) % q, group)


def partial_decryption(A: ElementModP, key_share: ElementModQ) -> ElementModP:
    """M_i = A^{P(i)} mod p (SPEC eq. 66; m_i = C0^{P(i)}, eq. 77)."""
    return A**key_share


def commitment(context: ElectionContext, A: ElementModP, u: ElementModQ) -> GuardianCommitment:
    """(a_i, b_i) = (g^{u_i}, A^{u_i}) (SPEC eq. 69)."""
    return GuardianCommitment(context.g_table.pow(u), A**u)


def combine_partials(partials: Mapping[int, ElementModP], group: Group) -> ElementModP:
    """M = Π_{i ∈ U} M_i^{w_i} mod p (SPEC eq. 68)."""
    available = sorted(partials)
    weights = [lagrange_coefficient(i, available, group).value for i in available]
    value = product_of_powers([partials[i].value for i in available], weights, group.p)
    return ElementModP.computed(value, group)


def combine_commitments(commitments: Mapping[int, GuardianCommitment]) -> GuardianCommitment:
    """(a, b) = (Π a_i, Π b_i) (SPEC eq. 70)."""
    items = list(commitments.values())
    return GuardianCommitment(reduce(lambda x, y: x * y, (c.a for c in items)), reduce(lambda x, y: x * y, (c.b for c in items)))


def decryption_challenge(
    context: ElectionContext, A: ElementModP, B: ElementModP, a: ElementModP, b: ElementModP, M: ElementModP
) -> bytes:
    """c = H(H_E; 0x30, K, A, B, a, b, M) (SPEC eq. 71)."""
    return H(context.H_E, DS.DECRYPTION_PROOF, context.K, A, B, a, b, M)


def _wide(data: bytes, group: Group) -> bytes:
    """b(x, l_p) for a byte string read as an integer (C1, C2 in SPEC eq. 81 / table 5.5.4)."""
    if len(data) > group.p_bytes:
        raise ValueError("contest data is longer than an element of Z_p")
    return data.rjust(group.p_bytes, b"\x00")


def contest_data_challenge(
    context: ElectionContext, data: HashedCiphertext, a: ElementModP, b: ElementModP, beta: ElementModP
) -> bytes:
    """c = H(H_E; 0x31, K, C0, C1, C2, a, b, β) (SPEC eq. 81)."""
    group = context.group
    return H(
        context.H_E,
        DS.CONTEST_DATA_DECRYPTION_PROOF,
        context.K,
        data.C0,
        _wide(data.C1, group),
        _wide(data.C2, group),
        a,
        b,
        beta,
    )


def guardian_challenge(c: bytes, w_i: ElementModQ) -> ElementModQ:
    """c_i = (c · w_i) mod q (SPEC eq. 72)."""
    return w_i * int.from_bytes(c, "big")


def response(u: ElementModQ, c_i: ElementModQ, key_share: ElementModQ) -> ElementModQ:
    """v_i = (u_i - c_i P(i)) mod q (SPEC eq. 73)."""
    return u - c_i * key_share


def check_response(
    i: int,
    v_i: ElementModQ,
    c_i: ElementModQ,
    commitment_i: GuardianCommitment,
    A: ElementModP,
    M_i: ElementModP,
    public_key_share: ElementModP,
    context: ElectionContext,
    *,
    key_share_power: mpz | None = None,
) -> None:
    """a'_i = g^{v_i} (g^{P(i)})^{c_i} = a_i and b'_i = A^{v_i} M_i^{c_i} = b_i (SPEC eqs. 74-75, 83-84).

    ``key_share_power`` is (g^{P(i)})^{c_i} when the caller has computed it already (for many items at once)."""
    p = context.group.p
    if key_share_power is None:
        key_share_power = gmpy2.powmod(public_key_share.value, c_i.value, p)
    a_check = context.g_table.pow_value(v_i.value) * key_share_power % p
    if a_check != commitment_i.a.value:
        raise InvalidProof("eq. 74", f"guardian {i}: the response does not match its commitment a_i under its key share")
    b_check = product_of_powers([A.value, M_i.value], [v_i.value, c_i.value], p)
    if b_check != commitment_i.b.value:
        raise InvalidProof("eq. 75", f"guardian {i}: the response does not match its commitment b_i and M_i")


def combine_responses(responses: Mapping[int, ElementModQ]) -> ElementModQ:
    """v = Σ v_i mod q (SPEC eq. 76)."""
    values = list(responses.values())
    return reduce(lambda x, y: x + y, values[1:], values[0])


def verify_decryption(
    context: ElectionContext, A: ElementModP, B: ElementModP, T: ElementModP, proof: DecryptionProof, *, step: int = 9
) -> None:
    """Verification 9 (tallies) or 12 (challenged ballots): (9.1) M = B·T^{-1}, (9.2) a = g^v K^c,
    (9.3) b = A^v M^c, (9.A) v ∈ Z_q by type, (9.B) c = H(H_E; 0x30, K, A, B, a, b, M).

    In the group of K; c is compared as the group's records state it (:meth:`~voting.group.PrimeOrderGroup.challenge`)."""
    group = context.group
    M = B * T.inverse()
    c = int.from_bytes(proof.c, "big")
    a = context.g_table.pow(proof.v.value) * context.K_table.pow(c % group.q)  # K^c = K^(c mod q)
    b = group.multi_pow([(A, proof.v.value), (M, c)])
    expected = group.challenge(decryption_challenge(context, A, B, a, b, M))
    if expected != proof.c:
        raise InvalidProof(
            f"{step}.B", "c is not H(H_E; 0x30, K, A, B, a, b, M)", expected=expected.hex().upper(), found=proof.c.hex().upper()
        )


ContestDataChallenge = Callable[[ElectionContext, HashedCiphertext, ElementModP, ElementModP, ElementModP], bytes]


def verify_contest_data_decryption(
    context: ElectionContext,
    data: HashedCiphertext,
    beta: ElementModP,
    proof: DecryptionProof,
    *,
    step: int = 11,
    challenge: ContestDataChallenge = contest_data_challenge,
) -> None:
    """Verification 11 (tallied contest data) or 14 (challenged ballots): a = g^v K^c, b = C0^v β^c,
    c = H(H_E; 0x31, K, C0, C1, C2, a, b, β).

    ``challenge`` computes c from (C0, C1, C2, a, b, β); it is the SPEC's eq. 81 unless a reader of another
    implementation's records passes that implementation's byte layout (the verifier's egk reader does)."""
    group = context.group
    c = int.from_bytes(proof.c, "big")
    a = context.g_table.pow(proof.v.value) * context.K_table.pow(c % group.q)  # K^c = K^(c mod q)
    b = group.multi_pow([(data.C0, proof.v.value), (beta, c)])
    expected = group.challenge(challenge(context, data, a, b, beta))
    if expected != proof.c:
        raise InvalidProof(
            f"{step}.B",
            "c is not H(H_E; 0x31, K, C0, C1, C2, a, b, β)",
            expected=expected.hex().upper(),
            found=proof.c.hex().upper(),
        )


def check_tally_value(T: ElementModP, t: int, K: ElementModP, *, step: str = "10.A") -> None:
    """T = K^t mod p (Verification 10.A; 13.A with S and σ for challenged ballots), in the group of K."""
    if t < 0 or K.group.multi_pow([(K, t)]) != T:
        raise InvalidProof(step, f"T is not K^t for the published t = {t}")


def require_quorum(available: Sequence[int], k: int) -> None:
    if len(set(available)) < k:
        raise DecryptionError(f"{len(set(available))} guardian(s) available, the quorum is k = {k}")
