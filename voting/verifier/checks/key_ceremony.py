"""Verifications 2-4: guardian keys, the joint key and the extended base hash (SPEC v2.0.0 §6.2.2-6.2.3)."""

from __future__ import annotations

from functools import reduce
from typing import Any, Iterator

from ...errors import NotInGroupError
from ...group import PrimeOrderGroup
from ...hashing import base_hash, extended_base_hash, manifest_hash, parameter_base_hash
from ...proofs.schnorr import SchnorrProof, verify_coefficient
from ..findings import Finding, failed, passed
from ..model import ElectionRecord, GuardianRecord, Unreadable, require
from .common import equal_hash, in_Zq, proof_finding, recorded_element, scalar, unreadable_finding


def v2_guardian_keys(record: ElectionRecord) -> Iterator[Finding]:
    """Verification 2 (Guardian public-key validation).

    For each guardian G_i, 1 ≤ i ≤ n, and for each j ∈ Z_k, an election verifier must compute the value
    (2.1) h_{i,j} = g^{v_{i,j}} · K_{i,j}^{c_{i,j}} mod p and then must confirm the following.

    (2.A) The value K_{i,j} is in Z_p^r.
    (2.B) The value v_{i,j} is in Z_q.
    (2.C) The challenge c_{i,j} is correctly computed as c_{i,j} = H(H_P; 0x10, i, j, K_{i,j}, h_{i,j}).

    Precondition (2): the record has exactly n guardians with the indices 1..n, each with k commitments and
    k proofs. H_P is the standard value (Verification 1 compares the record's). In the record's group.
    """
    params = require(record.parameters, "election parameters")
    ceremony = require(record.key_ceremony, "key ceremony")
    group = record.group
    H_P = parameter_base_hash(group)
    guardians = [g for g in ceremony.guardians if isinstance(g, GuardianRecord)]
    for g in ceremony.guardians:
        if isinstance(g, Unreadable):
            yield unreadable_finding("2", "guardian", g)
    indices = sorted(g.index for g in guardians)
    expected = list(range(1, params.n + 1))
    if indices == expected and len(guardians) == len(ceremony.guardians):
        yield passed("2", "guardians", f"n = {params.n} guardians with indices 1..n", ceremony.origin)
    else:
        yield failed(
            "2", "guardians", "the guardians are not exactly G_1..G_n", ceremony.origin, expected=expected, found=indices
        )
    for guardian in guardians:
        yield from _guardian(guardian, params.k, H_P, group)


def _guardian(guardian: GuardianRecord, k: int, H_P: bytes, group: PrimeOrderGroup) -> Iterator[Finding]:
    i = guardian.index
    if len(guardian.commitments) != k or len(guardian.proofs) != k:
        yield failed(
            "2",
            f"guardian {i}",
            "a guardian publishes exactly k commitments with their proofs",
            guardian.origin,
            expected=k,
            found=f"{len(guardian.commitments)} commitments, {len(guardian.proofs)} proofs",
        )
    for j, (K_ij, proof) in enumerate(zip(guardian.commitments, guardian.proofs)):
        subject = f"guardian {i} ({guardian.name}) › coefficient {j}"
        member = group.is_member(K_ij)
        if member:
            yield passed("2.A", subject, origin=guardian.origin)
        else:
            yield failed("2.A", subject, "K_ij is not in Z_p^r", guardian.origin, found=f"{K_ij:X}")
        yield in_Zq("2.B", proof.v, subject, guardian.origin, group)
        try:
            element = group.recorded(K_ij, field="K_ij")
        except NotInGroupError as exc:
            yield failed("2.C", subject, f"not evaluated: K_ij {exc.reason}", guardian.origin)
            continue
        yield proof_finding(
            "2.C",
            subject,
            guardian.origin,
            lambda: verify_coefficient(H_P, i, j, element, SchnorrProof(proof.c, scalar(proof.v, group))),
        )


def v3_joint_key(record: ElectionRecord) -> Iterator[Finding]:
    """Verification 3 (Election public-key validation).

    An election verifier must verify the correct computation of the joint election public key.

    (3.A) The value K_i is in Z_p^r and K_i ≠ 1 mod p for all 1 ≤ i ≤ n.
    (3.B) K = ∏_{i=1}^{n} K_i mod p and K ≠ 1 mod p.

    K_i is guardian i's first commitment K_{i,0}. In the record's group (1 is its identity).
    """
    ceremony = require(record.key_ceremony, "key ceremony")
    group = record.group
    one = group.written(group.identity())
    keys = []
    for guardian in ceremony.guardians:
        if isinstance(guardian, Unreadable):
            yield unreadable_finding("3.A", "guardian", guardian)
            continue
        subject = f"guardian {guardian.index} ({guardian.name})"
        if not guardian.commitments:
            yield failed("3.A", subject, "the guardian publishes no key K_i", guardian.origin)
            continue
        K_i = guardian.commitments[0]
        if K_i == one:
            yield failed("3.A", subject, "K_i = 1", guardian.origin)
        elif not group.is_member(K_i):
            yield failed("3.A", subject, "K_i is not in Z_p^r", guardian.origin, found=f"{K_i:X}")
        else:
            yield passed("3.A", subject, origin=guardian.origin)
        try:
            keys.append(group.recorded(K_i, field="K_i"))
        except NotInGroupError:
            pass
    subject = "joint election key K"
    if len(keys) != len(ceremony.guardians) or not keys:
        yield failed("3.B", subject, "K cannot be recomputed: a guardian key is missing or unreadable", ceremony.origin)
        return
    product = group.written(_product(keys))
    if ceremony.K == one:
        yield failed("3.B", subject, "K = 1", ceremony.origin)
    elif product == ceremony.K:
        yield passed("3.B", subject, "K = ∏ K_i mod p", ceremony.origin)
    else:
        yield failed(
            "3.B",
            subject,
            "K is not the product of the guardians' keys K_i",
            ceremony.origin,
            expected=f"{product:X}",
            found=f"{ceremony.K:X}",
        )


def _product(keys: list[Any]) -> Any:
    """∏ K_i (SPEC eq. 8) in the keys' group."""
    return reduce(lambda a, b: a * b, keys)


def v4_extended_base_hash(record: ElectionRecord) -> Iterator[Finding]:
    """Verification 4 (Extended base hash validation).

    An election verifier must verify the correct computation of the extended base hash.

    (4.A) H_E = H(H_B; 0x12, K).

    H_B is recomputed from the manifest, n and k (a wrong H_B in the record is reported by 1.H); K is the
    record's (3.B checks it).
    """
    params = require(record.parameters, "election parameters")
    ceremony = require(record.key_ceremony, "key ceremony")
    manifest_bytes = require(params.manifest_bytes, "manifest")
    H_P = parameter_base_hash(record.group)
    H_B = base_hash(H_P, manifest_hash(H_P, manifest_bytes), params.n, params.k)
    K = recorded_element(ceremony.K, record.group)
    yield equal_hash("4.A", "extended base hash H_E", ceremony.origin, extended_base_hash(H_B, K), ceremony.H_E, "H_E")
