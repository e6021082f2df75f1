"""Verification 1: parameter validation (SPEC v2.0.0 §6.2.1)."""

from __future__ import annotations

from typing import Iterator

from ...group import PrimeOrderGroup
from ...hashing import base_hash, manifest_hash, parameter_base_hash
from ..findings import Finding, failed, passed
from ..model import CurveConstants, ElectionRecord, GroupConstants, Unreadable, require
from .common import equal_hash


def v1_parameters(record: ElectionRecord) -> Iterator[Finding]:
    """Verification 1 (Parameter validation).

    An ElectionGuard election verifier must verify that it uses the correct version of the ElectionGuard
    specification, that it uses the standard baseline parameters, which may be hardcoded, and that the base
    hash values have been computed correctly.

    (1.A) The ElectionGuard specification version used to generate the election record is the same as the
    ElectionGuard specification version used to verify the election record.
    (1.B) The large prime is equal to the large modulus p defined in SPEC §3.1.1.
    (1.C) The small prime is equal to the prime q defined in SPEC §3.1.1.
    (1.D) The cofactor is equal to the value r defined in SPEC §3.1.1.
    (1.E) The generator is equal to the generator g defined in SPEC §3.1.1.
    (1.F) The parameter base hash has been computed correctly as H_P = H(ver; 0x00, p, q, g).
    (1.G) The manifest hash has been computed correctly from the manifest as H_M = H(H_P; 0x01, manifest).
    (1.H) The base hash has been computed correctly as H_B = H(H_P; 0x02, H_M, n, k).

    H_P, H_M and H_B are recomputed from first principles (the standard parameters, the manifest bytes, n
    and k as written) and each compared with the value the record states, so a wrong value is reported at
    its own step and not again at the steps that use it.

    In the group the record names (:attr:`ElectionRecord.group`): for egk-ec's P-256 records the constants
    are those of FIPS 186-5 / SEC 2 §2.4.2 (1.B the field prime p and the curve's a and b, 1.C the order n,
    1.D the cofactor h = 1, 1.E the generator G), the version is egk-ec's "v2.1.0", and H_P is egk-ec's
    H(ver; 0x00, a, b, p, g.x, g.y, h).
    """
    params = require(record.parameters, "election parameters")
    group = record.group
    subject = "election parameters"
    version = group.protocol_version
    if params.spec_version == version:
        yield passed("1.A", subject, f"the record says {version}", params.origin)
    else:
        yield failed(
            "1.A",
            subject,
            "the record was made for another specification version",
            params.origin,
            expected=version,
            found=params.spec_version,
        )

    yield from _constants(params.constants, group)

    H_P = parameter_base_hash(group)
    yield equal_hash("1.F", subject, params.origin, H_P, params.H_P, "H_P")

    manifest_bytes = params.manifest_bytes
    if isinstance(manifest_bytes, Unreadable):
        yield failed("1.G", subject, f"the manifest cannot be read: {manifest_bytes}", manifest_bytes.origin)
        yield failed("1.H", subject, "H_B depends on H_M, which cannot be computed without the manifest", params.origin)
        return
    H_M = manifest_hash(H_P, manifest_bytes)
    yield equal_hash("1.G", subject, params.origin, H_M, params.H_M, "H_M")
    if not 1 <= params.k <= params.n:
        yield failed(
            "1",
            subject,
            "the quorum k must satisfy 1 <= k <= n",
            params.origin,
            expected="1 <= k <= n",
            found=f"n = {params.n}, k = {params.k}",
        )
    yield equal_hash("1.H", subject, params.origin, base_hash(H_P, H_M, params.n, params.k), params.H_B, "H_B")


def _constants(constants: GroupConstants | CurveConstants | Unreadable, group: PrimeOrderGroup) -> Iterator[Finding]:
    subject = "group constants"
    standard = group.describe()
    for check, name, value in group.standard_constants():
        if isinstance(constants, Unreadable):
            yield failed(check, subject, f"the record's constants cannot be read: {constants}", constants.origin)
            continue
        written = constants.written(name)
        if written is None:
            yield failed(check, subject, f"the record does not state {name}", constants.origin)
        elif written == value:
            yield passed(check, subject, f"{name} is the value of {standard}", constants.origin)
        else:
            yield failed(
                check,
                subject,
                f"{name} is not the value of {standard}",
                constants.origin,
                expected=f"{int(value):X}",
                found=f"{written:X}",
            )
