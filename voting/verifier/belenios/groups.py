"""Belenios' groups, as its specification defines them (doc/specification.tex, "Group parameters").

One small interface, :class:`Group`, used by every Belenios check (and by the shuffle checks):

* ``name``: the group's string in the ``election`` structure ("BELENIOS-2048", "RFC-3526-2048", "Ed25519");
  it is also the ``G`` hashed into the trustees' proofs of knowledge.
* ``q``, ``g``, ``one``; elements are ``gmpy2.mpz`` (finite fields) or the 32-byte encoding of a point
  (Ed25519); both compare with ``==`` and pickle.
* ``parse(text)``: the element a JSON string of the record denotes, or ``ValueError`` with the reason; a value
  outside the prime-order subgroup is refused (the spec's ``check``; Belenios verifies it "at each step").
* ``parse_scalar(text)``: a base-10 number ``0 <= x < q``, or ``ValueError``.
* ``to_text(e)``: Belenios' canonical string of ``e``, as its hashes write it (base 10 for finite fields,
  64 hexadecimal digits of the compressed point for Ed25519).
* ``mul``, ``pow``, ``inv``, ``div``.
* ``hash_to_scalar(text)``: the spec's Fiat-Shamir ``H``: SHA256 of ``text``, "interpreted as a 256-bit
  big-endian number", mod q. ``hash_elements(prefix, elements)`` is Belenios' ``G.hash``: ``prefix`` followed
  by the elements' strings joined with commas.
* ``generator(i)``: ``get_generator`` (spec 2.1+, "GetGenerator"), the independent generators of the
  shuffle proofs. ``to_ints(e, n)``: the decoding of non-homomorphic answers (``group_decode``).

Ed25519 (spec 2.1+, "Ed25519"; Belenios 2.0 itself has finite fields only) is computed with libsodium through
PyNaCl. Membership of the prime-order subgroup is established twice (module :mod:`._ed25519`): libsodium's
``crypto_core_ed25519_is_valid_point`` (canonical encoding, on the curve, not of small order, in the main
subgroup), then explicitly by the group law: ``(q-1)·P + P`` must be the identity, with
``crypto_scalarmult_ed25519_noclamp`` and ``crypto_core_ed25519_add`` (libsodium refuses a scalar product
that is the identity, hence ``q-1`` and one addition). The identity itself is a member.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Iterable

import gmpy2

from . import _ed25519 as ed

_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def sha256_int(text: str) -> int:
    """SHA256 of ``text`` (UTF-8), interpreted as a 256-bit big-endian number."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


def parse_decimal(text: Any, what: str = "number") -> int:
    if not isinstance(text, str) or not _DECIMAL.fullmatch(text) or len(text) > 1300:
        raise ValueError(f"not a {what} written in base 10: {str(text)[:80]!r}")
    return int(text)


class Group:
    """The interface (see the module docstring); :func:`group_named` gives the instances."""

    name: str
    q: int
    g: Any
    one: Any
    embedding: tuple[int, int] | None  # (padding, bits_per_int) of non-homomorphic answers, if any

    def parse(self, text: Any) -> Any:
        raise NotImplementedError

    def to_text(self, e: Any) -> str:
        raise NotImplementedError

    def mul(self, a: Any, b: Any) -> Any:
        raise NotImplementedError

    def pow(self, a: Any, n: int) -> Any:
        raise NotImplementedError

    def inv(self, a: Any) -> Any:
        raise NotImplementedError

    def generator(self, i: int) -> Any:
        raise NotImplementedError

    def to_ints(self, e: Any, n: int) -> list[int]:
        raise NotImplementedError

    def div(self, a: Any, b: Any) -> Any:
        return self.mul(a, self.inv(b))

    def parse_scalar(self, text: Any) -> int:
        value = parse_decimal(text, "scalar")
        if value >= self.q:
            raise ValueError(f"scalar not below q: {str(text)[:80]}")
        return value

    def hash_to_scalar(self, text: str) -> int:
        return sha256_int(text) % self.q

    def hash_elements(self, prefix: str, elements: Iterable[Any]) -> int:
        return self.hash_to_scalar(prefix + ",".join(self.to_text(e) for e in elements))

    def prod(self, elements: Iterable[Any]) -> Any:
        result = self.one
        for e in elements:
            result = self.mul(result, e)
        return result

    def __reduce__(self):
        return (group_named, (self.name,))

    def __repr__(self) -> str:
        return f"<Belenios group {self.name}>"


class FiniteFieldGroup(Group):
    """The order-q subgroup of Z_p^* (spec "Finite fields"): elements 1 <= x < p with x^q = 1."""

    def __init__(self, name: str, p: int, q: int, g: int, embedding: tuple[int, int] | None):
        self.name, self.p, self.q = name, gmpy2.mpz(p), int(q)
        self.g, self.one = gmpy2.mpz(g), gmpy2.mpz(1)
        self.embedding = embedding
        self._safe = p == 2 * q + 1  # then the subgroup is the quadratic residues: a Jacobi symbol decides

    def parse(self, text: Any) -> Any:
        x = gmpy2.mpz(parse_decimal(text, "group element"))
        if not 0 < x < self.p:
            raise ValueError(f"not between 1 and p-1: {str(text)[:80]}")
        if not self.contains(x):
            raise ValueError(f"not in the subgroup of order q (x^q != 1 mod p): {str(text)[:80]}")
        return x

    def contains(self, x: Any) -> bool:
        if self._safe:
            return bool(gmpy2.jacobi(x, self.p) == 1)
        return bool(gmpy2.powmod(x, self.q, self.p) == 1)

    def to_text(self, e: Any) -> str:
        return str(int(e))

    def mul(self, a: Any, b: Any) -> Any:
        return a * b % self.p

    def pow(self, a: Any, n: int) -> Any:
        return gmpy2.powmod(a, n % self.q, self.p)

    def inv(self, a: Any) -> Any:
        return gmpy2.invert(a, self.p)

    def generator(self, i: int) -> Any:
        """get_generator: SHA256("ggen|i") raised to the cofactor (p-1)/q."""
        h = gmpy2.powmod(sha256_int(f"ggen|{i}"), (self.p - 1) // self.q, self.p)
        if h in (0, 1, self.g):
            raise ValueError(f"get_generator({i}) is degenerate")
        return h

    def to_ints(self, e: Any, n: int) -> list[int]:
        if self.embedding is None:
            raise ValueError(f"group {self.name} has no embedding of non-homomorphic answers")
        padding, bits = self.embedding
        return _decode_ints(int(e) >> padding, n, bits)


class Ed25519Group(Group):
    """Ed25519's prime-order subgroup (spec 2.1+ "Ed25519"), through libsodium (see the module docstring)."""

    name = "Ed25519"
    q = ed.Q
    g = ed.BASE
    one = ed.IDENTITY
    embedding = (14, 8)

    def parse(self, text: Any) -> Any:
        if not isinstance(text, str) or not re.fullmatch(r"[0-9a-f]{64}", text):
            raise ValueError(f"not 64 lower-case hexadecimal digits: {str(text)[:80]!r}")
        return ed.decode_member(bytes.fromhex(text)[::-1])

    def to_text(self, e: Any) -> str:
        return e[::-1].hex()

    def mul(self, a: Any, b: Any) -> Any:
        return ed.add(a, b)

    def pow(self, a: Any, n: int) -> Any:
        return ed.scalar_mul(n % self.q, a)

    def inv(self, a: Any) -> Any:
        return ed.neg(a)

    def generator(self, i: int) -> Any:
        """get_generator: the first point from SHA256("ggen|i") >> 2 upwards, times the cofactor 8."""
        z = sha256_int(f"ggen|{i}") >> 2
        while (h := ed.cofactor_point(z)) is None:
            z += 1
        if h in (self.one, self.g):
            raise ValueError(f"get_generator({i}) is degenerate")
        return h

    def to_ints(self, e: Any, n: int) -> list[int]:
        padding, bits = self.embedding
        return _decode_ints(int.from_bytes(e, "little") >> padding, n, bits)


def _decode_ints(x: int, n: int, bits: int) -> list[int]:
    mask = (1 << bits) - 1
    return [(x >> (bits * (n - 1 - i))) & mask for i in range(n)]


_P_BELENIOS = int(
    "2069478569142254640101364365750500806492298929575110409710088478705737421924271740192223725449768433812906"
    "6633138078958404960054389636289796393038773905722803605973749427671376777618898589872735865049081167099310"
    "5358677809800307904916540637771737641986785272734744763418356000356983051931442845617019110007867373073335"
    "6412397173289791324047457883446826065232797464795113767265869358218004631792207366886005262718636338608879"
    "6882120769432366149491002923444346373222145884100586421050242120365433561201320481118852408731077014151666"
    "200162313177169372189248078507711827842317498073276598828825169183103125680162072880719"
)
_G_BELENIOS = int(
    "2402352677501852209227687703532399932712287657378364916510075318787663274146353219320285676155269678799694"
    "6682987493890950838965734256019006010684771644917354741372831046104586813145117816467554005274028898461398"
    "6453266121505579709716201616827031288643245666383486363578210615491841998253431518974065818686865115135857"
    "6410138882215396016043228843603930989333662772848406593138406010231675095763777982665103606822406635076697"
    "7640253462537730851331734951942489677540525736590494924776314759915751987751777114814909204566002054781270"
    "54728238140972518639858334115700568353695553423781475582491896050296680037745308460627"
)
_Q_BELENIOS = 78571733251071885079927659812671450121821421258408794611510081919805623223441
with gmpy2.context(precision=2200):  # RFC 3526 §3: p = 2^2048 - 2^1984 - 1 + 2^64 * ([2^1918 pi] + 124476)
    _P_RFC3526 = 2**2048 - 2**1984 - 1 + 2**64 * (int(gmpy2.floor(gmpy2.const_pi() * 2**1918)) + 124476)
_GROUPS: dict[str, Group] = {
    "BELENIOS-2048": FiniteFieldGroup("BELENIOS-2048", _P_BELENIOS, _Q_BELENIOS, _G_BELENIOS, None),
    "RFC-3526-2048": FiniteFieldGroup("RFC-3526-2048", _P_RFC3526, (_P_RFC3526 - 1) // 2, 2, (8, 8)),
    "Ed25519": Ed25519Group(),
}
GROUP_NAMES = tuple(_GROUPS)


def group_named(name: str) -> Group:
    """The group an ``election``'s ``group`` string names; ``KeyError`` for a group Belenios does not define."""
    return _GROUPS[name]
