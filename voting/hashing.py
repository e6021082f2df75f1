"""The ElectionGuard hash function H and the election's base hashes.

SPEC v2.0.0 §5: H(B0; B1) = HMAC-SHA-256(B0, B1) (eq. 105). B0 is a 32-byte key (H_P, H_B or H_E); B1 is a
domain-separation byte followed by the encoded inputs (§5.1, §5.3):

* ``bytes`` are taken as they are (domain-separation bytes, hash outputs, byte arrays);
* :class:`ElementModP` is encoded as b(x, l_p), :class:`ElementModQ` as b(x, l_q); a P-256 point
  (:class:`voting.group_p256.P256Point`) as its 33-byte compressed encoding, as egk-ec hashes it;
* ``int`` is a small integer b(x, 4) with 0 <= x < 2^31 (§5.1.3);
* ``str`` is b(len, 4) ∥ UTF-8 bytes (§5.1.4).

§3.1.2-3.1.5 and §3.2.3: H_P, H_M, H_B, H_E.
"""

from __future__ import annotations

import hashlib
import hmac

from .group import STANDARD, ElementModP, ElementModQ, Group, PrimeOrderGroup
from .group_p256 import P256Point

VERSION = b"v2.0.0"
VERSION_BYTES = VERSION + bytes(32 - len(VERSION))
"""ver: "v2.0.0" padded with 0x00 to 32 bytes (SPEC §3.1.2; the SPEC's b(0, 27) is a typo for 26)."""


class DS:
    """Domain-separation bytes (SPEC §5.5, tables 5.5.1-5.5.4). evote's own, beyond these, are in :class:`EvoteDS`."""

    PARAMETER_BASE = b"\x00"  # eq. 4
    MANIFEST = b"\x01"  # eq. 6
    BASE = b"\x02"  # eq. 7
    COEFFICIENT_PROOF = b"\x10"  # eq. 12
    SHARE_ENCRYPTION = b"\x11"  # eq. 15
    EXTENDED_BASE = b"\x12"  # eq. 23
    NONCE = b"\x20"  # eqs. 25, 50
    RANGE_PROOF = b"\x21"  # eqs. 28, 37, 46, 56
    CONTEST_DATA_KEY = b"\x22"  # eq. 51
    CONTEST_HASH = b"\x23"  # eq. 57
    CONFIRMATION_CODE = b"\x24"  # eqs. 58, 59, 61
    DECRYPTION_PROOF = b"\x30"  # eq. 71
    CONTEST_DATA_DECRYPTION_PROOF = b"\x31"  # eq. 81


class EvoteDS:
    """Domain-separation bytes evote adds to the SPEC's (which uses 0x00-0x31, §5.5): 0x40 onwards, one per hash,
    so that no two hashes of the record can be confused. The mixnet's (docs/mixnet.md "Generators" and "Hashing"):"""

    MIX_GENERATOR = b"\x40"  # the commitment generators h, h_1..h_N (voting/mixnet/generators.py)
    MIX_CHALLENGES = b"\x41"  # ρ and the vector u (voting/mixnet/challenges.py)
    MIX_CHALLENGE = b"\x42"  # the challenge c (voting/mixnet/challenges.py)


def encode(part: object) -> bytes:
    """The SPEC §5.1 byte representation of one hash input."""
    if isinstance(part, (bytes, bytearray)):
        return bytes(part)
    if isinstance(part, (ElementModP, ElementModQ, P256Point)):
        return part.to_bytes()
    if isinstance(part, bool):
        raise TypeError("booleans are not hash inputs")
    if isinstance(part, int):
        if not 0 <= part < 2**31:
            raise ValueError("small integers hashed by H must satisfy 0 <= x < 2^31 (SPEC §5.1.3)")
        return part.to_bytes(4, "big")
    if isinstance(part, str):
        data = part.encode("utf-8")
        return len(data).to_bytes(4, "big") + data
    raise TypeError(f"cannot hash a {type(part).__name__}")


def H(key: bytes, *parts: object) -> bytes:
    """H(B0; B1) = HMAC-SHA-256(B0, B1) with B1 the concatenation of the encoded ``parts`` (eq. 105)."""
    if len(key) != 32:
        raise ValueError("the first input of H is always 32 bytes (SPEC §5.2)")
    return hmac.new(key, b"".join(encode(part) for part in parts), hashlib.sha256).digest()


def hash_to_q(digest: bytes, group: Group = STANDARD) -> ElementModQ:
    """A hash output read as a big-endian integer and reduced mod q, for use as an exponent (§5.4)."""
    return ElementModQ.reduce(int.from_bytes(digest, "big"), group)


def version_bytes(version: str) -> bytes:
    """ver: the version's UTF-8 bytes padded with 0x00 to 32 bytes (SPEC §3.1.2)."""
    data = version.encode("utf-8")
    if len(data) > 32:
        raise ValueError("a version is at most 32 bytes")
    return data + bytes(32 - len(data))


def parameter_base_hash(group: PrimeOrderGroup = STANDARD) -> bytes:
    """H_P = H(ver; 0x00, p, q, g) (SPEC eq. 4), in the group's own terms (:meth:`~PrimeOrderGroup.hashed_parameters`;
    egk-ec's P-256: H(ver; 0x00, a, b, p, g.x, g.y, h) with ver "v2.1.0")."""
    return H(version_bytes(group.protocol_version), DS.PARAMETER_BASE, *group.hashed_parameters())


def manifest_hash(H_P: bytes, manifest_bytes: bytes) -> bytes:
    """H_M = H(H_P; 0x01, manifest) with the file length in front: b(len, 4) ∥ bytes (SPEC eq. 6, §5.1.5)."""
    if len(manifest_bytes) >= 2**32:
        raise ValueError("a manifest is at most 2^32 - 1 bytes (SPEC §5.1.5)")
    return H(H_P, DS.MANIFEST, len(manifest_bytes).to_bytes(4, "big"), manifest_bytes)


def base_hash(H_P: bytes, H_M: bytes, n: int, k: int) -> bytes:
    """H_B = H(H_P; 0x02, H_M, n, k) (SPEC eq. 7)."""
    return H(H_P, DS.BASE, H_M, n, k)


def extended_base_hash(H_B: bytes, K) -> bytes:
    """H_E = H(H_B; 0x12, K) (SPEC eq. 23)."""
    return H(H_B, DS.EXTENDED_BASE, K)
