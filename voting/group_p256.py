"""NIST P-256 as the group of an ElectionGuard 2.0 record, for verification (egk-ec's elliptic-curve records).

SPEC v2.0.0 §3 writes the group multiplicatively (Z_p^r, g, q). egk-ec runs the same cryptography on the
curve P-256 (FIPS 186-5 / SEC 2 secp256r1), and :class:`P256Point` answers to the same operators as
:class:`voting.group.ElementModP`, so a check written in the SPEC's notation reads the same on both groups:

    SPEC (multiplicative)   here                 on the curve (additive)
    a · b                   ``a * b``            point addition a + b
    a^e                     ``a ** e``           scalar multiplication e·a, 0 <= e < n
    a^-1                    ``a.inverse()``      negation -a
    g^v · K^c               ``multi_pow(...)``   v·G + c·K (Straus: the doublings are shared)
    1, g, q                 IDENTITY, GENERATOR, N (the group order n)

Membership. P-256 has prime order n and cofactor h = 1, so every point of the curve is in the group: the
check "x ∈ Z_p^r" of SPEC §3 becomes "the point is on the curve". Points enter only through
:meth:`P256Point.parse` (egk-ec's 33-byte SEC1 compressed form) or :meth:`P256Point.from_affine` (checked
coordinates), which refuse points off the curve, x or y >= p, a prefix other than 02/03, any length but 33,
and the point at infinity. egk-ec writes the identity as 33 bytes 0xFF (its ``b_over_m`` of a zero tally
is one); ``parse(..., allow_identity=True)`` accepts exactly that, for the places where the SPEC allows 1.
Scalars from outside enter through :func:`parse_scalar` (0 <= e < n). egk-ec writes points only in the
compressed form (its 64-byte x ∥ y form appears in its tests only), so the 65-byte uncompressed SEC1 form is
refused as a wrong length.

Arithmetic. Hand-written, in homogeneous projective coordinates (x = X/Z, y = Y/Z) with
the complete addition law of Renes, Costello and Batina ("Complete addition formulas for prime order elliptic
curves", EUROCRYPT 2016, §3, specialised to a = -3): one formula for every pair of inputs, doubling and the
identity included, so no input takes a special-case branch. Coordinates are gmpy2 integers. Why by hand
(measured on the development machine, 2026-12, medians of k·P for random k): fastecdsa 4.0.0 (C) 0.33-0.49 ms,
this module 0.75-1.1 ms, python-ecdsa 0.19.2 0.69-1.03 ms; but fastecdsa's SEC1 decoder accepts a
non-canonical x >= p (02 ∥ p+5 decodes to a point whose X stays p+5), ``cryptography`` has no point API, and
egk-ec's identity encoding is not SEC1's anyway, so every check at the boundary would be ours either way.
Here, k·G takes 0.16 ms through the comb and the pair v·G + c·K 0.9 ms (``benchmarks/bench_group_p256.py``).
A verifier handles public data only, so nothing here is constant time.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache
from typing import Iterable, Sequence

import gmpy2
from gmpy2 import mpz

from .errors import NotInGroupError
from .group import ElementModQ

P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
"""The field prime p = 2^256 - 2^224 + 2^192 + 2^96 - 1."""
A = P - 3
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
"""The group order n (prime): the q of SPEC §3 for this group."""
GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5
ENCODED_BYTES = 33
"""Width of an encoded point: prefix 02/03 and x in 32 bytes (SEC 1 v2 §2.3.3, compressed)."""
SCALAR_BYTES = 32
EGK_IDENTITY = b"\xff" * ENCODED_BYTES
"""egk-ec's encoding of the point at infinity (not SEC1's, which is the single byte 00)."""

_P = mpz(P)
_B3 = mpz(3 * B % P)
_SQRT_EXPONENT = mpz((P + 1) // 4)  # p ≡ 3 (mod 4): a square root of a square r is r^((p+1)/4)
_WINDOW = 4
_MPZ = type(mpz(0))

Projective = tuple[mpz, mpz, mpz]
"""(X:Y:Z) with x = X/Z, y = Y/Z; the identity is (0:1:0). Coordinates are gmpy2 integers (twice as fast here)."""


def _add(p1: Projective, p2: Projective) -> Projective:
    """(X1:Y1:Z1) + (X2:Y2:Z2): the complete formula of RCB 2016 §3 for a = -3 (12M + 2 products by 3b)."""
    X1, Y1, Z1 = p1
    X2, Y2, Z2 = p2
    t0, t1, t2 = X1 * X2 % _P, Y1 * Y2 % _P, Z1 * Z2 % _P
    xy = (X1 + Y1) * (X2 + Y2) - t0 - t1  # X1·Y2 + X2·Y1
    yz = (Y1 + Z1) * (Y2 + Z2) - t1 - t2  # Y1·Z2 + Y2·Z1
    xz = ((X1 + Z1) * (X2 + Z2) - t0 - t2) % _P  # X1·Z2 + X2·Z1
    b3z = _B3 * t2
    u = (t1 + 3 * xz - b3z) % _P  # Y1Y2 - a·xz - 3b·Z1Z2
    v = (t1 - 3 * xz + b3z) % _P  # Y1Y2 + a·xz + 3b·Z1Z2
    w = (_B3 * xz - 3 * t0 - 9 * t2) % _P  # a·X1X2 + 3b·xz - a²·Z1Z2
    t = 3 * (t0 - t2)  # 3·X1X2 + a·Z1Z2
    return (xy * u - yz * w) % _P, (t * w + v * u) % _P, (yz * v + xy * t) % _P


def _double(p1: Projective) -> Projective:
    """2·(X:Y:Z): the same complete formula with both inputs equal, the common factor 2Y taken out."""
    X, Y, Z = p1
    t0, t1, t2 = X * X % _P, Y * Y, Z * Z % _P
    xz = 2 * X * Z % _P
    b3z = _B3 * t2
    u = t1 + 3 * xz - b3z
    v = t1 - 3 * xz + b3z
    w = _B3 * xz - 3 * t0 - 9 * t2
    t = 3 * (t0 - t2)
    y2 = 2 * Y
    return y2 * (X * u - Z * w) % _P, (t * w + v * u) % _P, y2 * (Z * v + X * t) % _P


_INFINITY: Projective = (mpz(0), mpz(1), mpz(0))
_G_XYZ: Projective = (mpz(GX), mpz(GY), mpz(1))


def _on_curve(x: int, y: int) -> bool:
    return (y * y - (x * x * x + A * x + B)) % P == 0


def _window_table(base: Projective) -> list[Projective]:
    """[0·base, 1·base, ..., 15·base]."""
    row = [_INFINITY, base]
    for _ in range(2, 1 << _WINDOW):
        row.append(_add(row[-1], base))
    return row


def _digits(e: int) -> list[int]:
    """The 4-bit digits of 0 <= e < 2^256, most significant first (64 of them)."""
    return [(e >> shift) & 0xF for shift in range(256 - _WINDOW, -1, -_WINDOW)]


def _straus(terms: Sequence[tuple[Projective, int]]) -> Projective:
    """Σ e_k·B_k with the 256 doublings shared by every term (Straus / Shamir's trick, 4-bit windows)."""
    tables = [_window_table(base) for base, _ in terms]
    digits = [_digits(e) for _, e in terms]
    acc = _INFINITY
    for i in range(256 // _WINDOW):
        if i:
            acc = _double(_double(_double(_double(acc))))
        for table, row in zip(tables, digits):
            if row[i]:
                acc = _add(acc, table[row[i]])
    return acc


def _comb(base: Projective) -> list[list[Projective]]:
    """comb[i][d] = d·16^i·B for the 64 windows of a scalar: e·B then costs at most 64 additions, no doubling."""
    comb = []
    for _ in range(256 // _WINDOW):
        row = _window_table(base)
        comb.append(row)
        base = _double(_double(_double(_double(base))))
    return comb


def _comb_multiple(comb: list[list[Projective]], e: int) -> Projective:
    acc = _INFINITY
    for i, d in enumerate(reversed(_digits(e))):
        if d:
            acc = _add(acc, comb[i][d])
    return acc


@lru_cache(maxsize=1)
def _generator_comb() -> list[list[Projective]]:
    return _comb(_G_XYZ)


def _generator_multiple(e: int) -> Projective:
    return _comb_multiple(_generator_comb(), e)


class P256Point:
    """An element of the P-256 group (a point of the curve, or the identity when computed). Immutable.

    Outside values become points only through :meth:`parse` or :meth:`from_affine`.
    """

    __slots__ = ("_xyz",)
    _xyz: Projective

    def __init__(self, *_args: object, **_kwargs: object):
        raise TypeError("use P256Point.parse(data) or P256Point.from_affine(x, y) for outside values")

    @classmethod
    def _computed(cls, xyz: Projective) -> P256Point:
        point = object.__new__(cls)
        object.__setattr__(point, "_xyz", xyz)
        return point

    @classmethod
    def parse(cls, data: bytes, *, field: str = "point", allow_identity: bool = False) -> P256Point:
        """The point of a 33-byte SEC1 compressed encoding 02/03 ∥ x (SEC 1 v2 §2.3.4), checked.

        Refused, naming ``field``: not bytes, a length other than 33, a prefix other than 02/03, x >= p, an x
        with no point on the curve, and egk-ec's identity (33 bytes 0xFF) unless ``allow_identity``.
        """
        if not isinstance(data, (bytes, bytearray)):
            raise NotInGroupError(field, "is not a byte string")
        if len(data) != ENCODED_BYTES:
            raise NotInGroupError(field, f"is {len(data)} bytes; a compressed P-256 point is {ENCODED_BYTES}")
        if data == EGK_IDENTITY:
            if allow_identity:
                return IDENTITY
            raise NotInGroupError(field, "is the identity (the point at infinity), not accepted here")
        prefix = data[0]
        if prefix not in (2, 3):
            raise NotInGroupError(field, f"has prefix byte {prefix:#04x}; a compressed point starts with 0x02 or 0x03")
        x = mpz(int.from_bytes(data[1:], "big"))
        if x >= _P:
            raise NotInGroupError(field, "has x >= p (not a canonical field element)")
        rhs = (x * x * x + A * x + B) % _P
        y = gmpy2.powmod(rhs, _SQRT_EXPONENT, _P)
        if y * y % _P != rhs:
            raise NotInGroupError(field, "has an x with no point on P-256 (x^3 - 3x + b is not a square mod p)")
        if y & 1 != prefix & 1:
            y = _P - y  # rhs != 0 (n is odd: no point of order 2), so y != 0 and P - y has the other parity
        return cls._computed((x, y, mpz(1)))

    @classmethod
    def from_affine(cls, x: int, y: int, *, field: str = "point") -> P256Point:
        """The point (x, y), after checking 0 <= x, y < p and y^2 = x^3 - 3x + b (mod p)."""
        for name, value in (("x", x), ("y", y)):
            if not isinstance(value, (int, _MPZ)) or isinstance(value, bool):
                raise NotInGroupError(field, f"{name} is not an integer")
            if not 0 <= value < P:
                raise NotInGroupError(field, f"{name} is not in the range 0 <= {name} < p")
        if not _on_curve(x, y):
            raise NotInGroupError(field, "is not on P-256 (y^2 != x^3 - 3x + b mod p)")
        return cls._computed((mpz(x), mpz(y), mpz(1)))

    @property
    def is_identity(self) -> bool:
        return self._xyz[2] == 0

    @property
    def group(self) -> P256Group:
        return P256

    def affine(self) -> tuple[int, int]:
        """(x, y) with one modular inversion; the identity has none."""
        X, Y, Z = self._xyz
        if Z == 0:
            raise ValueError("the point at infinity has no affine coordinates")
        z_inv = gmpy2.invert(Z, _P)
        return int(X * z_inv % _P), int(Y * z_inv % _P)

    def to_bytes(self) -> bytes:
        """The canonical encoding: 02/03 ∥ x in 32 bytes, or egk-ec's 33 bytes 0xFF for the identity."""
        if self.is_identity:
            return EGK_IDENTITY
        x, y = self.affine()
        return bytes([2 | (y & 1)]) + x.to_bytes(32, "big")

    def __mul__(self, other: P256Point) -> P256Point:
        """The group operation (SPEC's a · b): point addition."""
        if not isinstance(other, P256Point):
            return NotImplemented
        return P256Point._computed(_add(self._xyz, other._xyz))

    def __pow__(self, exponent: int) -> P256Point:
        """a^e in the SPEC's notation: the scalar multiple e·a, for 0 <= e < n."""
        e = _checked_exponent(exponent)
        if self._xyz == _G_XYZ:
            return P256Point._computed(_generator_multiple(e))
        return P256Point._computed(_straus([(self._xyz, e)]))

    def inverse(self) -> P256Point:
        """a^-1 in the SPEC's notation: the negation -a = (x, -y)."""
        X, Y, Z = self._xyz
        return P256Point._computed((X, (-Y) % _P, Z))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, P256Point):
            return NotImplemented
        X1, Y1, Z1 = self._xyz
        X2, Y2, Z2 = other._xyz
        return (X1 * Z2 - X2 * Z1) % _P == 0 and (Y1 * Z2 - Y2 * Z1) % _P == 0

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("P256Point is immutable")

    def __reduce__(self) -> tuple:
        return (_restore, (self.to_bytes(),))

    def __repr__(self) -> str:
        return f"P256Point({self.to_bytes().hex()})"


def _restore(data: bytes) -> P256Point:
    return P256Point.parse(data, allow_identity=True)


def _checked_exponent(e: object, field: str = "exponent") -> int:
    if not isinstance(e, (int, _MPZ)) or isinstance(e, bool):
        raise NotInGroupError(field, "is not an integer")
    if not 0 <= e < N:
        raise NotInGroupError(field, "is not in the range 0 <= e < n")
    return int(e)


def parse_scalar(value: int | bytes, *, field: str = "scalar") -> int:
    """A scalar from outside (an integer, or 32 big-endian bytes as egk-ec writes them), checked 0 <= e < n."""
    if isinstance(value, (bytes, bytearray)):
        if len(value) != SCALAR_BYTES:
            raise NotInGroupError(field, f"is {len(value)} bytes; a P-256 scalar is {SCALAR_BYTES}")
        value = int.from_bytes(value, "big")
    return _checked_exponent(value, field)


def multi_pow(terms: Iterable[tuple[P256Point, int]]) -> P256Point:
    """Π b_k^(e_k) in the SPEC's notation, Σ e_k·b_k on the curve (each 0 <= e_k < n), e.g. g^v · K^c.

    Terms on the generator use its precomputed comb; the others share their doublings (Straus).
    """
    on_generator = 0
    others: list[tuple[Projective, int]] = []
    for base, e in terms:
        e = _checked_exponent(e)
        if base._xyz == _G_XYZ:
            on_generator = (on_generator + e) % N
        else:
            others.append((base._xyz, e))
    acc = _generator_multiple(on_generator) if on_generator else _INFINITY
    if others:
        acc = _add(acc, _straus(others))
    return P256Point._computed(acc)


GENERATOR = P256Point._computed(_G_XYZ)
"""G, the base point of SEC 2 §2.4.2 (the g of SPEC §3 for this group)."""
IDENTITY = P256Point._computed(_INFINITY)
"""The point at infinity (the 1 of SPEC §3 for this group)."""


# --- P-256 as the group of a verification (voting.group.PrimeOrderGroup) -----------------------------

HASH_TO_FIELD_DST = b"QUUX-V01-CS02-with-P256_XMD:SHA-256_SSWU_RO_"
"""The domain-separation tag egk-ec passes to RFC 9380's hash_to_field (``EcGroupContext.kt``: the tag of RFC
9380's P-256 test suite, taken over as it is)."""
_HASH_TO_FIELD_BYTES = 32 + 16  # L = ceil((ceil(log2 p) + k) / 8) with k = 128 (RFC 9380 §5, egk-ec's statBytesQ)


def _expand_message_xmd(message: bytes, dst: bytes, length: int) -> bytes:
    """expand_message_xmd with SHA-256 (RFC 9380 §5.3.1)."""
    dst_prime = dst + bytes([len(dst)])
    b0 = hashlib.sha256(bytes(64) + message + length.to_bytes(2, "big") + b"\x00" + dst_prime).digest()
    blocks = [hashlib.sha256(b0 + b"\x01" + dst_prime).digest()]
    while 32 * len(blocks) < length:
        mixed = bytes(x ^ y for x, y in zip(b0, blocks[-1]))
        blocks.append(hashlib.sha256(mixed + bytes([len(blocks) + 1]) + dst_prime).digest())
    return b"".join(blocks)[:length]


def hash_to_scalar(digest: bytes) -> int:
    """egk-ec's reduction of a hash output into Z_n on P-256: hash_to_field of RFC 9380 §5.2 (m = 1, count = 1,
    expand_message_xmd with SHA-256, its DST, L = 48), i.e. OS2IP(expand(digest)) mod n (``RFC9380.kt``)."""
    return int.from_bytes(_expand_message_xmd(digest, HASH_TO_FIELD_DST, _HASH_TO_FIELD_BYTES), "big") % N


class FixedBase:
    """Multiples of one base through its comb (64 additions per scalar); exponents are reduced mod n."""

    __slots__ = ("base", "_comb")

    def __init__(self, base: P256Point):
        self.base = base
        self._comb = _generator_comb() if base._xyz == _G_XYZ else _comb(base._xyz)

    def pow(self, exponent: int | ElementModQ) -> P256Point:
        e = exponent.value if isinstance(exponent, ElementModQ) else exponent
        return P256Point._computed(_comb_multiple(self._comb, int(e) % N))


@lru_cache(maxsize=8)
def _fixed_base(encoded: bytes) -> FixedBase:
    return FixedBase(P256Point.parse(encoded))


class P256Group:
    """NIST P-256 as the group of an ElectionGuard record (:class:`voting.group.PrimeOrderGroup`), as egk-ec
    uses it: elements hashed as their 33-byte compressed encoding (``Hash.kt``, ``VecElementP.toByteArray``),
    challenges c = hash_to_field(H(...)) (:func:`hash_to_scalar`), H_P over a, b, p, g.x, g.y, h
    (``ElectionConstants.kt``), protocolVersion "v2.1.0".

    A written element is the integer of its 33 bytes; egk-ec's identity (33 bytes 0xFF) is accepted only where
    the caller allows it (T = K^0, S = K^0), never as a member.
    """

    name = "P-256"
    q = N
    p_bytes = ENCODED_BYTES
    q_bytes = SCALAR_BYTES
    protocol_version = "v2.1.0"
    is_standard = False

    def generator(self) -> P256Point:
        return GENERATOR

    def identity(self) -> P256Point:
        return IDENTITY

    def random_scalar(self) -> ElementModQ:
        return ElementModQ.computed(mpz(secrets.randbelow(N)), self)  # type: ignore[arg-type]

    def _bytes(self, x: int, field: str) -> bytes:
        if not isinstance(x, (int, _MPZ)) or isinstance(x, bool) or not 0 <= x < 1 << (8 * ENCODED_BYTES):
            raise NotInGroupError(field, f"is not the integer of a {ENCODED_BYTES}-byte encoding")
        return int(x).to_bytes(ENCODED_BYTES, "big")

    def is_member(self, x: int) -> bool:
        """x encodes a point of the curve canonically (cofactor 1: every point is in the group), not the identity."""
        try:
            self.element(x)
        except NotInGroupError:
            return False
        return True

    def element(self, x: int, *, field: str = "element") -> P256Point:
        return P256Point.parse(self._bytes(x, field), field=field)

    def recorded(self, x: int, *, field: str = "element", allow_identity: bool = False) -> P256Point:
        """A written point for arithmetic: it must decode (there is no arithmetic on anything else)."""
        return P256Point.parse(self._bytes(x, field), field=field, allow_identity=allow_identity)

    def written(self, element: P256Point) -> int:
        return int.from_bytes(element.to_bytes(), "big")

    def fixed_base(self, base: P256Point) -> FixedBase:
        return _fixed_base(base.to_bytes())

    def multi_pow(self, terms: Sequence[tuple[P256Point, int]]) -> P256Point:
        return multi_pow((base, int(e) % N) for base, e in terms)

    def powers(self, base: P256Point, exponents: Sequence[int]) -> list[P256Point]:
        return [base ** (int(e) % N) for e in exponents]

    def non_members(self, values: Sequence[int], fields: Sequence[str]) -> list[int]:
        return [n for n, value in enumerate(values) if not self.is_member(value)]

    def challenge(self, digest: bytes) -> bytes:
        """The c an egk-ec proof states for the hash output ``digest``: b(hash_to_field(digest), 32)."""
        return hash_to_scalar(digest).to_bytes(SCALAR_BYTES, "big")

    def hashed_parameters(self) -> tuple[bytes, ...]:
        """egk-ec's H_P = H(ver; 0x00, a, b, p, g.x, g.y, h), each b(x, 32) (``ElectionConstants.kt``)."""
        return tuple(value.to_bytes(32, "big") for value in (A, B, P, GX, GY, 1))

    def standard_constants(self) -> tuple[tuple[str, str, int], ...]:
        """(step, name, value) of Verification 1.B-1.E on P-256 (FIPS 186-5 / SEC 2 §2.4.2; egk-ec's names)."""
        return (
            ("1.B", "primeModulus", P),
            ("1.B", "a", A),
            ("1.B", "b", B),
            ("1.C", "order", N),
            ("1.D", "h", 1),
            ("1.E", "g.x", GX),
            ("1.E", "g.y", GY),
        )

    def describe(self) -> str:
        return "the P-256 parameters of FIPS 186-5 / SEC 2 §2.4.2"

    def __repr__(self) -> str:
        return "P256Group()"

    def __reduce__(self) -> str:
        return "P256"  # pickles by reference: the one instance


P256 = P256Group()
"""The one P-256 group (:class:`voting.group.PrimeOrderGroup`)."""
