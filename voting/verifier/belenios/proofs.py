"""Belenios' zero-knowledge proofs, verified as its specification writes them (doc/specification.tex, 2.0).

Each ``verify_*`` returns None or raises :class:`ProofFailed` with what was expected and found; the values
given are already parsed (group elements checked in the subgroup, scalars below q: :func:`parse_proof`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from .groups import Group


class ProofFailed(Exception):
    def __init__(self, reason: str, expected: object = None, found: object = None):
        self.reason, self.expected, self.found = reason, expected, found
        super().__init__(reason, expected, found)


@dataclass(frozen=True)
class Proof:
    challenge: int
    response: int


def parse_proof(group: Group, value: Any) -> Proof:
    """A ``proof`` structure {challenge, response}, both in Z_q; ValueError with the reason."""
    if not isinstance(value, dict):
        raise ValueError(f"a proof must be an object {{challenge, response}}, found {str(value)[:60]}")
    return Proof(group.parse_scalar(value.get("challenge")), group.parse_scalar(value.get("response")))


def parse_proofs(group: Group, value: Any) -> list[Proof]:
    if not isinstance(value, list):
        raise ValueError("a list of proofs was expected")
    return [parse_proof(group, v) for v in value]


def parse_ciphertext(group: Group, value: Any) -> tuple[Any, Any]:
    if not isinstance(value, dict):
        raise ValueError("a ciphertext must be an object {alpha, beta}")
    try:
        alpha = group.parse(value.get("alpha"))
    except ValueError as exc:
        raise ValueError(f"alpha: {exc}") from None
    try:
        beta = group.parse(value.get("beta"))
    except ValueError as exc:
        raise ValueError(f"beta: {exc}") from None
    return alpha, beta


def _same(group: Group, what: str, expected: int, found: int) -> None:
    if expected % group.q != found % group.q:
        raise ProofFailed(f"{what}: the challenge is not the hash of the recomputed commitments", expected, found)


def verify_pok(group: Group, public_key: Any, proof: Proof) -> None:
    """§"Verification keys": A = g^response X^challenge; challenge = H("pok|G|X|A") mod q."""
    commitment = group.mul(group.pow(group.g, proof.response), group.pow(public_key, proof.challenge))
    expected = group.hash_elements(f"pok|{group.name}|{group.to_text(public_key)}|", [commitment])
    _same(group, "proof of knowledge of the private key", expected, proof.challenge)


def verify_signed_message(group: Group, verification_key: Any, message: str, proof: Proof) -> None:
    """§"Public key infrastructure", Signing: A = g^response vk^challenge; challenge = H("sigmsg|M|A")."""
    commitment = group.mul(group.pow(group.g, proof.response), group.pow(verification_key, proof.challenge))
    _same(group, "signature of the message", group.hash_elements(f"sigmsg|{message}|", [commitment]), proof.challenge)


def verify_ballot_signature(group: Group, credential: Any, ballot_hash: str, proof: Proof) -> None:
    """§"Signatures": A = g^response credential^challenge; challenge = H("sig|hash|A") mod q."""
    commitment = group.mul(group.pow(group.g, proof.response), group.pow(credential, proof.challenge))
    _same(group, "ballot signature", group.hash_elements(f"sig|{ballot_hash}|", [commitment]), proof.challenge)


def verify_interval(group: Group, y: Any, prefix: str, ciphertext: tuple[Any, Any], values: Sequence[int],
                    proofs: Sequence[Proof]) -> None:
    """§"Proofs of interval membership": (alpha, beta) encrypts one of ``values``:
    A_j = g^r_j alpha^c_j, B_j = y^r_j (beta/g^M_j)^c_j, and H("prove|S|alpha,beta|A_0,B_0,...") = sum c_j."""
    if len(proofs) != len(values):
        raise ProofFailed("the proof has not one part per allowed value", len(values), len(proofs))
    alpha, beta = ciphertext
    commitments = []
    for m, proof in zip(values, proofs):
        commitments.append(group.mul(group.pow(group.g, proof.response), group.pow(alpha, proof.challenge)))
        shifted = group.div(beta, group.pow(group.g, m))
        commitments.append(group.mul(group.pow(y, proof.response), group.pow(shifted, proof.challenge)))
    expected = group.hash_elements(f"prove|{prefix}|{group.to_text(alpha)},{group.to_text(beta)}|", commitments)
    _same(group, "interval proof", expected, sum(p.challenge for p in proofs))


def verify_blank(group: Group, y: Any, prefix: str, blank: tuple[Any, Any], total: tuple[Any, Any],
                 proofs: Sequence[Proof]) -> None:
    """§"Verifying proofs", blank_proof: m_0 = 0 or m_Sigma = 0, H("bproof0|S|A_0,B_0,A_S,B_S") = c_0 + c_S."""
    if len(proofs) != 2:
        raise ProofFailed("a blank proof has two parts", 2, len(proofs))
    commitments = []
    for (alpha, beta), proof in zip((blank, total), proofs):
        commitments.append(group.mul(group.pow(group.g, proof.response), group.pow(alpha, proof.challenge)))
        commitments.append(group.mul(group.pow(y, proof.response), group.pow(beta, proof.challenge)))
    _same(group, "blank proof", group.hash_elements(f"bproof0|{prefix}|", commitments), proofs[0].challenge + proofs[1].challenge)


def verify_overall_blank(group: Group, y: Any, prefix: str, blank: tuple[Any, Any], total: tuple[Any, Any],
                         minimum: int, maximum: int, proofs: Sequence[Proof]) -> None:
    """§"Verifying proofs", overall_proof with blank: m_0 = 1 or m_Sigma in [min..max],
    H("bproof1|S|A_0,B_0,...,A_k,B_k") = sum c_j."""
    if len(proofs) != maximum - minimum + 2:
        raise ProofFailed("the overall proof has not one part per allowed sum, plus one", maximum - minimum + 2, len(proofs))
    (alpha0, beta0), (alpha_s, beta_s) = blank, total
    commitments = [group.mul(group.pow(group.g, proofs[0].response), group.pow(alpha0, proofs[0].challenge)),
                   group.mul(group.pow(y, proofs[0].response), group.pow(group.div(beta0, group.g), proofs[0].challenge))]
    for m, proof in zip(range(minimum, maximum + 1), proofs[1:]):
        commitments.append(group.mul(group.pow(group.g, proof.response), group.pow(alpha_s, proof.challenge)))
        shifted = group.div(beta_s, group.pow(group.g, m))
        commitments.append(group.mul(group.pow(y, proof.response), group.pow(shifted, proof.challenge)))
    _same(group, "overall proof", group.hash_elements(f"bproof1|{prefix}|", commitments), sum(p.challenge for p in proofs))


def verify_decryption(group: Group, fingerprint: str, public_key: Any, alpha: Any, factor: Any, proof: Proof) -> None:
    """§"Partial decryptions": A = g^response X^challenge, B = alpha^response factor^challenge,
    challenge = H("decrypt|fingerprint|X|A,B") mod q."""
    a = group.mul(group.pow(group.g, proof.response), group.pow(public_key, proof.challenge))
    b = group.mul(group.pow(alpha, proof.response), group.pow(factor, proof.challenge))
    expected = group.hash_elements(f"decrypt|{fingerprint}|{group.to_text(public_key)}|", [a, b])
    _same(group, "decryption proof", expected, proof.challenge)


def combine(group: Group, ciphertexts: Sequence[tuple[Any, Any]]) -> tuple[Any, Any]:
    alpha, beta = group.one, group.one
    for a, b in ciphertexts:
        alpha, beta = group.mul(alpha, a), group.mul(beta, b)
    return alpha, beta


def lagrange(group: Group, indexes: Sequence[int], j: int) -> int:
    """§"Election result": lambda_j = prod_{k != j} k / (k - j) mod q."""
    result = 1
    for k in indexes:
        if k != j:
            result = result * k * pow(k - j, -1, group.q) % group.q
    return result
