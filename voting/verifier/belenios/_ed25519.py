"""Ed25519 arithmetic for :mod:`.groups`, through libsodium (PyNaCl's bindings); points are their 32-byte
encodings (RFC 8032: y little-endian, the sign of x in the top bit).

Membership of the prime-order subgroup (:func:`decode_member`) is decided twice: libsodium's
``crypto_core_ed25519_is_valid_point`` (canonical, on the curve, not of small order, in the main subgroup),
then the group law itself, ``(q-1)·P + P == identity`` (``crypto_scalarmult_ed25519_noclamp`` refuses a
product equal to the identity, so q·P is computed as (q-1)·P + P).
"""

from __future__ import annotations

from nacl import bindings as sodium
from nacl.exceptions import RuntimeError as SodiumError

Q = 2**252 + 27742317777372353535851937790883648493
IDENTITY = (1).to_bytes(32, "little")
BASE = sodium.crypto_scalarmult_ed25519_base_noclamp((1).to_bytes(32, "little"))


def _scalar(n: int) -> bytes:
    return n.to_bytes(32, "little")


def add(a: bytes, b: bytes) -> bytes:
    return sodium.crypto_core_ed25519_add(a, b)


def neg(a: bytes) -> bytes:
    return sodium.crypto_core_ed25519_sub(IDENTITY, a)


def scalar_mul(n: int, point: bytes) -> bytes:
    """n·point for 0 <= n < q and point in the subgroup (libsodium refuses the identity as input or output)."""
    if n == 0 or point == IDENTITY:
        return IDENTITY
    return sodium.crypto_scalarmult_ed25519_noclamp(_scalar(n), point)


def decode_member(encoding: bytes) -> bytes:
    """The point ``encoding`` denotes, if it is in the subgroup of order q; else ValueError with the reason."""
    if encoding == IDENTITY:
        return encoding
    if not sodium.crypto_core_ed25519_is_valid_point(encoding):
        raise ValueError("not a canonical Ed25519 point of the prime-order subgroup (libsodium is_valid_point)")
    try:
        times_q = add(scalar_mul(Q - 1, encoding), encoding)
    except SodiumError as exc:  # pragma: no cover - is_valid_point already refused what libsodium refuses here
        raise ValueError(f"Ed25519 point refused by libsodium: {exc}") from None
    if times_q != IDENTITY:
        raise ValueError("Ed25519 point whose order is not q (q·P is not the identity)")
    return encoding


def cofactor_point(z: int) -> bytes | None:
    """8·uncompress(z), or None when z is not the compressed form of a curve point (get_generator)."""
    try:
        point = add(z.to_bytes(32, "little"), IDENTITY)  # libsodium decodes and checks it is on the curve
    except SodiumError:
        return None
    for _ in range(3):
        point = add(point, point)
    return point
