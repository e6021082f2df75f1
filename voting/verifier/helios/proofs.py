"""Helios' zero-knowledge proofs, verified as helios-server's helios/crypto/algs.py defines them.

Each ``verify_*`` returns None or raises :class:`ProofFailed` saying which equation failed, with the expected
and found values. Commitments are checked to be group elements, challenges and responses scalars, by the
``parse_*`` functions before any equation is computed. All challenges hash only the commitments (weak
Fiat-Shamir): a proof that passes is *consistent*, and a prover who chooses the statement after the
commitments can forge one (Bernhard, Pereira, Warinschi, "How not to prove yourself", 2012).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..findings import Finding, failed, passed
from .group import Group, sha1_int


class ProofFailed(Exception):
    def __init__(self, reason: str, expected: object = None, found: object = None):
        self.reason, self.expected, self.found = reason, expected, found
        super().__init__(reason, expected, found)


@dataclass(frozen=True)
class DLogProof:
    """algs.py ``DLogProof``: {commitment, challenge, response}."""

    commitment: Any
    challenge: Any
    response: Any


@dataclass(frozen=True)
class ZKProof:
    """algs.py ``EGZKProof``: {commitment: {A, B}, challenge, response}."""

    a: Any
    b: Any
    challenge: Any
    response: Any


def _field(value: Any, name: str) -> Any:
    if not isinstance(value, dict) or name not in value:
        raise ValueError(f"no field {name!r}")
    return value[name]


def _parsed(what: str, parse: Any, value: Any) -> Any:
    try:
        return parse(value)
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None


def parse_dlog_proof(group: Group, value: Any) -> DLogProof:
    return DLogProof(_parsed("commitment", group.element, _field(value, "commitment")),
                     _parsed("challenge", group.scalar, _field(value, "challenge")),
                     _parsed("response", group.scalar, _field(value, "response")))


def parse_zk_proof(group: Group, value: Any) -> ZKProof:
    commitment = _field(value, "commitment")
    return ZKProof(_parsed("commitment.A", group.element, _field(commitment, "A")),
                   _parsed("commitment.B", group.element, _field(commitment, "B")),
                   _parsed("challenge", group.scalar, _field(value, "challenge")),
                   _parsed("response", group.scalar, _field(value, "response")))


def parse_disjunctive(group: Group, value: Any, size: int) -> list[ZKProof]:
    """algs.py ``EGZKDisjunctiveProof``: a list of ``size`` proofs (its legacy JSON is the bare list)."""
    if not isinstance(value, list):
        raise ValueError("a list of proofs was expected")
    if len(value) != size:
        raise ValueError(f"{size} proofs were expected, found {len(value)}")
    proofs = []
    for i, item in enumerate(value):
        try:
            proofs.append(parse_zk_proof(group, item))
        except ValueError as exc:
            raise ValueError(f"proof {i}: {exc}") from None
    return proofs


def verify_dlog_proof(group: Group, y: Any, proof: DLogProof) -> None:
    """algs.py ``EGPublicKey.verify_sk_proof`` with ``DLog_challenge_generator``: g^response = commitment *
    y^challenge, and challenge = SHA1(str(commitment)) mod q."""
    if group.pow(group.g, proof.response) != group.mul(proof.commitment, group.pow(y, proof.challenge)):
        raise ProofFailed("g^response is not commitment * y^challenge")
    expected = sha1_int(str(proof.commitment)) % group.q
    if proof.challenge != expected:
        raise ProofFailed("the challenge is not SHA1 of the commitment", expected, proof.challenge)


def verify_encryption_proof(group: Group, y: Any, alpha: Any, beta: Any, plaintext: int, proof: ZKProof) -> None:
    """algs.py ``EGCiphertext.verify_encryption_proof``: (g, y, alpha, beta/g^m) is a DDH tuple:
    g^response = A * alpha^challenge and y^response = B * (beta/g^m)^challenge."""
    if group.pow(group.g, proof.response) != group.mul(proof.a, group.pow(alpha, proof.challenge)):
        raise ProofFailed(f"for plaintext {plaintext}: g^response is not A * alpha^challenge")
    beta_over_m = group.div(beta, group.pow(group.g, plaintext))
    if group.pow(y, proof.response) != group.mul(proof.b, group.pow(beta_over_m, proof.challenge)):
        raise ProofFailed(f"for plaintext {plaintext}: y^response is not B * (beta/g^m)^challenge")


def disjunctive_challenge(proofs: Sequence[ZKProof]) -> int:
    """algs.py ``EG_disjunctive_challenge_generator``: SHA1 of "A0,B0,A1,B1,..." in decimal."""
    return sha1_int(",".join(f"{p.a},{p.b}" for p in proofs))


def verify_disjunctive(group: Group, y: Any, alpha: Any, beta: Any, low: int, proofs: Sequence[ZKProof]) -> None:
    """algs.py ``verify_disjunctive_encryption_proof``: proof i shows (alpha, beta) encrypts g^(low+i), and the
    challenges add up (mod q) to the hash of all the commitments."""
    for i, proof in enumerate(proofs):
        verify_encryption_proof(group, y, alpha, beta, low + i, proof)
    expected = disjunctive_challenge(proofs) % group.q
    found = sum(p.challenge for p in proofs) % group.q
    if expected != found:
        raise ProofFailed("the challenges do not add up to SHA1 of the commitments", expected, found)


def verify_decryption_proof(group: Group, y: Any, alpha: Any, factor: Any, proof: ZKProof) -> None:
    """algs.py ``EGZKProof.verify`` (g, alpha, y, factor) with ``EG_fiatshamir_challenge_generator``, as
    workflows/homomorphic.py ``Tally.verify_decryption_proofs`` calls it: g^response = A * y^challenge,
    alpha^response = B * factor^challenge, challenge = SHA1("A,B")."""
    if group.pow(group.g, proof.response) != group.mul(proof.a, group.pow(y, proof.challenge)):
        raise ProofFailed("g^response is not A * y^challenge")
    if group.pow(alpha, proof.response) != group.mul(proof.b, group.pow(factor, proof.challenge)):
        raise ProofFailed("alpha^response is not B * factor^challenge")
    expected = disjunctive_challenge([proof]) % group.q
    if proof.challenge != expected:
        raise ProofFailed("the challenge is not SHA1 of the commitment", expected, proof.challenge)


def proof_finding(step: str, subject: str, origin: str, what: str, verify: Callable[[], None]) -> Finding:
    """Runs ``verify`` (which parses, then verifies, a proof) and says so as a finding of ``step``: passed, or
    failed with the reason (a malformed proof, or the equation that failed with its expected and found values)."""
    try:
        verify()
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        return failed(step, subject, f"the proof is missing or malformed: {exc}", origin)
    except ProofFailed as exc:
        return failed(step, subject, f"{what} fails: {exc.reason}", origin, expected=exc.expected, found=exc.found)
    return passed(step, subject, origin=origin)
