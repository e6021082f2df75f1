"""The ElectionGuard 2.0 group: p, q, r, g and the element types ``ElementModP`` / ``ElementModQ``.

SPEC v2.0.0 §3.1.1 (standard baseline parameters) and §3 notation (Z_q, Z_p^r).

Anything that comes from outside becomes an element only through :meth:`ElementModP.parse` /
:meth:`ElementModQ.parse` (or the hex parsers in :mod:`voting.encoding`), which check 0 < x < p and
x^q mod p = 1, respectively 0 <= x < q. Values computed inside the core from valid elements are wrapped
without re-checking through the ``computed`` constructors (never for outside values).

:class:`PrimeOrderGroup` is what a verification needs of a group, so that each check is written once, in the
SPEC's notation, and runs in the group its record names: :class:`Group` here (the integer groups, with their
fixed-base tables and gmpy2 arithmetic) and :data:`voting.group_p256.P256` (NIST P-256, egk-ec's curve).

A small group exists for fast property tests only (:func:`insecure_test_group`); production paths call
:func:`require_standard` and refuse it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, Sequence

import gmpy2
from gmpy2 import mpz

from .errors import NonStandardGroupError, NotInGroupError

_P_HEX = (
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
    "B17217F7D1CF79ABC9E3B39803F2F6AF40F343267298B62D8A0D175B8BAAFA2B"
    "E7B876206DEBAC98559552FB4AFA1B10ED2EAE35C138214427573B291169B825"
    "3E96CA16224AE8C51ACBDA11317C387EB9EA9BC3B136603B256FA0EC7657F74B"
    "72CE87B19D6548CAF5DFA6BD38303248655FA1872F20E3A2DA2D97C50F3FD5C6"
    "07F4CA11FB5BFB90610D30F88FE551A2EE569D6DFC1EFA157D2E23DE1400B396"
    "17460775DB8990E5C943E732B479CD33CCCC4E659393514C4C1A1E0BD1D6095D"
    "25669B333564A3376A9C7F8A5E148E82074DB6015CFE7AA30C480A5417350D2C"
    "955D5179B1E17B9DAE313CDB6C606CB1078F735D1B2DB31B5F50B5185064C18B"
    "4D162DB3B365853D7598A1951AE273EE5570B6C68F96983496D4E6D330AF889B"
    "44A02554731CDC8EA17293D1228A4EF98D6F5177FBCF0755268A5C1F9538B982"
    "61AFFD446B1CA3CF5E9222B88C66D3C5422183EDC99421090BBB16FAF3D949F2"
    "36E02B20CEE886B905C128D53D0BD2F9621363196AF503020060E49908391A0C"
    "57339BA2BEBA7D052AC5B61CC4E9207CEF2F0CE2D7373958D762265890445744"
    "FB5F2DA4B751005892D356890DEFE9CAD9B9D4B713E06162A2D8FDD0DF2FD608"
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
)
_Q = 2**256 - 189


class PrimeOrderGroup(Protocol):
    """A cyclic group of prime order q in which the SPEC's verification equations are computed (SPEC §3 notation:
    a · b, a^e, g, 1), written multiplicatively whatever the group. Elements are the group's own type
    (:class:`ElementModP`, :class:`voting.group_p256.P256Point`); each has ``.group``, ``*``, ``**``,
    ``.inverse()`` and ``.to_bytes()``, its encoding in hashes (SPEC §5.1.1), ``p_bytes`` wide.

    A record keeps an element *as written*: an integer (the integer groups: the value; P-256: the integer of the
    33 encoded bytes). :meth:`is_member` and :meth:`element` decide membership (checks 2.A, 3.A, 5.A, 6.A);
    :meth:`recorded` takes a written value for arithmetic where the SPEC asks no membership (A, B, T, β, C0).
    """

    @property
    def name(self) -> str: ...

    @property
    def q(self) -> Any:
        """The order of the group: q of SPEC §3 (n on P-256)."""

    @property
    def p_bytes(self) -> int:
        """The width of an encoded element in hashes: l_p (SPEC §5.1.1); 33 on P-256."""

    @property
    def q_bytes(self) -> int:
        """The width of an encoded scalar: l_q (SPEC §5.1.2)."""

    @property
    def protocol_version(self) -> str:
        """The version the group's records claim and hash into H_P as ver (1.A, 1.F)."""

    def generator(self) -> Any: ...

    def identity(self) -> Any: ...

    def is_member(self, x: int) -> bool: ...

    def element(self, x: int, *, field: str = "element") -> Any: ...

    def recorded(self, x: int, *, field: str = "element", allow_identity: bool = False) -> Any: ...

    def written(self, element: Any) -> int: ...

    def fixed_base(self, base: Any) -> Any: ...

    def multi_pow(self, terms: Sequence[tuple[Any, int]]) -> Any: ...

    def powers(self, base: Any, exponents: Sequence[int]) -> list: ...

    def non_members(self, values: Sequence[int], fields: Sequence[str]) -> list[int]: ...

    def challenge(self, digest: bytes) -> bytes: ...

    def hashed_parameters(self) -> tuple[bytes, ...]: ...

    def standard_constants(self) -> tuple[tuple[str, str, int], ...]: ...

    def describe(self) -> str: ...


@dataclass(frozen=True, eq=False)
class Group:
    """Parameters (p, q, r, g) of a prime-order subgroup Z_p^r of Z_p^* (SPEC §3.1)."""

    name: str
    p: mpz
    q: mpz
    g: mpz

    @cached_property
    def r(self) -> mpz:
        """The cofactor r = (p - 1) / q."""
        return (self.p - 1) // self.q

    @cached_property
    def p_bytes(self) -> int:
        """l_p: byte length of p, the width of every encoded element of Z_p (SPEC §5.1.1)."""
        return (int(self.p).bit_length() + 7) // 8

    @cached_property
    def q_bytes(self) -> int:
        """l_q: byte length of q, the width of every encoded element of Z_q (SPEC §5.1.2)."""
        return (int(self.q).bit_length() + 7) // 8

    @property
    def is_standard(self) -> bool:
        return self is STANDARD

    def is_member(self, x: int) -> bool:
        """x ∈ Z_p^r: 0 < x < p and x^q mod p = 1 (SPEC §3 notation; checks 2.A, 5.A, 6.A)."""
        return 0 < x < self.p and gmpy2.powmod(x, self.q, self.p) == 1

    def random_scalar(self) -> ElementModQ:
        """A uniformly random element of Z_q from the operating system's CSPRNG."""
        return ElementModQ.computed(mpz(secrets.randbelow(int(self.q))), self)


    # --- the PrimeOrderGroup interface --------------------------------------------------------------

    @property
    def protocol_version(self) -> str:
        return "v2.0.0"

    def generator(self) -> ElementModP:
        return ElementModP.computed(self.g, self)

    def identity(self) -> ElementModP:
        return ElementModP.computed(mpz(1), self)

    def element(self, x: int, *, field: str = "element") -> ElementModP:
        """A written value checked to be in Z_p^r."""
        return ElementModP.parse(x, self, field=field)

    def recorded(self, x: int, *, field: str = "element", allow_identity: bool = False) -> ElementModP:
        """A written value 0 < x < p for arithmetic, without the membership check (1 is an element of Z_p^r)."""
        if not isinstance(x, (int, type(mpz(0)))) or isinstance(x, bool) or not 0 < x < self.p:
            raise NotInGroupError(field, "is not in the range 0 < x < p")
        return ElementModP.computed(mpz(x), self)

    def written(self, element: ElementModP) -> int:
        """The element as a record writes it: its value (an mpz, which compares and formats as an int)."""
        return element.value

    def fixed_base(self, base: ElementModP):
        """The shared fixed-base table of ``base`` (``.pow(e)``), :mod:`voting.fixed_base`."""
        from .fixed_base import table_for

        return table_for(base)

    def multi_pow(self, terms: Sequence[tuple[ElementModP, int]]) -> ElementModP:
        """Π b_k^(e_k) with shared squarings (:func:`voting.powers.product_of_powers`)."""
        from .powers import product_of_powers

        return ElementModP.computed(product_of_powers([b.value for b, _ in terms], [e for _, e in terms], self.p), self)

    def powers(self, base: ElementModP, exponents: Sequence[int]) -> list[ElementModP]:
        """[base^e for e in exponents] with one chain of squarings (:func:`voting.powers.same_base_powers`)."""
        from .powers import same_base_powers

        return [ElementModP.computed(x, self) for x in same_base_powers(base.value, exponents, self.p)]

    def non_members(self, values: Sequence[int], fields: Sequence[str]) -> list[int]:
        """Indices of the written values not in Z_p^r: one batched check (:mod:`voting.membership`), one by one
        only if the batch fails."""
        from .membership import check_members

        if not values:
            return []
        try:
            for value, field in zip(values, fields):
                if not isinstance(value, (int, type(mpz(0)))) or isinstance(value, bool):
                    raise NotInGroupError(field, "is not an integer")
            check_members(values, self, fields)
            return []
        except NotInGroupError:
            return [n for n, value in enumerate(values) if not self.is_member(value)]

    def challenge(self, digest: bytes) -> bytes:
        """The challenge c a proof states for the hash output ``digest``: the SPEC's c = H(...) itself."""
        return digest

    def hashed_parameters(self) -> tuple[bytes, ...]:
        """The inputs of H_P = H(ver; 0x00, p, q, g) after the separator (SPEC eq. 4)."""
        return (
            int(self.p).to_bytes(self.p_bytes, "big"),
            int(self.q).to_bytes(self.q_bytes, "big"),
            int(self.g).to_bytes(self.p_bytes, "big"),
        )

    def standard_constants(self) -> tuple[tuple[str, str, int], ...]:
        """(step, symbol, value) of Verification 1.B-1.E: p, q, r, g of SPEC §3.1.1."""
        return (("1.B", "p", self.p), ("1.C", "q", self.q), ("1.D", "r", self.r), ("1.E", "g", self.g))

    def describe(self) -> str:
        return "the standard parameters of SPEC §3.1.1" if self.is_standard else self.name

    def __repr__(self) -> str:
        return f"Group({self.name!r})"

    def __reduce__(self) -> tuple:
        """Groups pickle by name, so elements sent to worker processes keep ``group is STANDARD``."""
        return (_group_named, (self.name,))


STANDARD = Group(
    name="ElectionGuard 2.0 standard 4096-bit",
    p=mpz(int(_P_HEX, 16)),
    q=mpz(_Q),
    g=gmpy2.powmod(2, (mpz(int(_P_HEX, 16)) - 1) // _Q, mpz(int(_P_HEX, 16))),
)
"""The standard baseline parameters of SPEC §3.1.1; g = 2^r mod p."""


def insecure_test_group() -> Group:
    """The 64-bit-q / 256-bit-p toy group of the SPEC appendix. **Insecure: tests only.**"""
    return _TOY


_TOY = Group(
    name="INSECURE toy group (SPEC appendix, 64-bit q) for tests only",
    p=mpz(0xFFFFFFFFFFFFFFFF93C467E37DB1212B89995855493FF059FFFFFFFFFFFFFFFF),
    q=mpz(0xFFFFFFFFFFFFFFC5),
    g=mpz(0x3B5431669E3E4893DF745C67CDCFD95CCDDA224878A3CD5D3226F75CC5A95638),
)


def _group_named(name: str) -> Group:
    for group in (STANDARD, _TOY):
        if group.name == name:
            return group
    raise ValueError(f"unknown group {name!r}")


def require_standard(group: Group) -> Group:
    """Refuse any group but the standard one (production entry points call this)."""
    if group is not STANDARD:
        raise NonStandardGroupError(f"only the standard ElectionGuard 2.0 group is accepted, not {group.name}")
    return group


class ElementModP:
    """An element of the order-q subgroup Z_p^r of Z_p^*. Immutable."""

    __slots__ = ("value", "group")
    value: mpz
    group: Group

    def __init__(self, *_args: object, **_kwargs: object):
        raise TypeError("use ElementModP.parse(x, group) for outside values")

    @classmethod
    def computed(cls, value: mpz, group: Group) -> ElementModP:
        """An element the core computed from validated elements (products, powers): no membership check. Never
        for a value from outside; :meth:`parse` is for those."""
        element = object.__new__(cls)
        object.__setattr__(element, "value", value)
        object.__setattr__(element, "group", group)
        return element

    @classmethod
    def parse(cls, x: int, group: Group = STANDARD, *, field: str = "element") -> ElementModP:
        """Validate 0 < x < p and x^q mod p = 1 (membership in Z_p^r)."""
        if not isinstance(x, (int, type(mpz(0)))) or isinstance(x, bool):
            raise NotInGroupError(field, "is not an integer")
        value = mpz(x)
        if not 0 < value < group.p:
            raise NotInGroupError(field, "is not in the range 0 < x < p")
        if gmpy2.powmod(value, group.q, group.p) != 1:
            raise NotInGroupError(field, "is not in the order-q subgroup (x^q mod p != 1)")
        return cls.computed(value, group)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("ElementModP is immutable")

    def __reduce__(self) -> tuple:
        return (_restore, ('ElementModP', int(self.value), self.group))

    def __copy__(self) -> ElementModP:
        return self

    def __deepcopy__(self, memo: dict) -> ElementModP:
        return self

    def __mul__(self, other: ElementModP) -> ElementModP:
        return ElementModP.computed(self.value * other.value % self.group.p, self.group)

    def __pow__(self, exponent: ElementModQ | int) -> ElementModP:
        e = exponent.value if isinstance(exponent, ElementModQ) else mpz(exponent)
        return ElementModP.computed(gmpy2.powmod(self.value, e, self.group.p), self.group)

    def inverse(self) -> ElementModP:
        return ElementModP.computed(gmpy2.invert(self.value, self.group.p), self.group)

    def to_bytes(self) -> bytes:
        """b(x, l_p) (SPEC §5.1.1)."""
        return int(self.value).to_bytes(self.group.p_bytes, "big")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ElementModP) and self.group is other.group and self.value == other.value

    def __hash__(self) -> int:
        return hash(("P", int(self.value)))

    def __repr__(self) -> str:
        digits = f"{int(self.value):X}"
        return f"ElementModP({digits[:12]}…{digits[-4:]})"


class ElementModQ:
    """A scalar in Z_q = {0, ..., q-1}. Immutable.

    Only ``group.q`` and ``group.q_bytes`` are used, so the scalars of any :class:`PrimeOrderGroup` (P-256's
    Z_n) are ElementModQ too."""

    __slots__ = ("value", "group")
    value: mpz
    group: Group

    def __init__(self, *_args: object, **_kwargs: object):
        raise TypeError("use ElementModQ.parse(x, group) for outside values")

    @classmethod
    def computed(cls, value: mpz, group: Group) -> ElementModQ:
        """A scalar the core computed (reduced mod q): no range check. Never for a value from outside."""
        element = object.__new__(cls)
        object.__setattr__(element, "value", value)
        object.__setattr__(element, "group", group)
        return element

    @classmethod
    def parse(cls, x: int, group: Group = STANDARD, *, field: str = "scalar") -> ElementModQ:
        """Validate 0 <= x < q."""
        if not isinstance(x, (int, type(mpz(0)))) or isinstance(x, bool):
            raise NotInGroupError(field, "is not an integer")
        value = mpz(x)
        if not 0 <= value < group.q:
            raise NotInGroupError(field, "is not in the range 0 <= x < q")
        return cls.computed(value, group)

    @classmethod
    def reduce(cls, x: int, group: Group = STANDARD) -> ElementModQ:
        """x mod q, for values computed inside the core (hash outputs used as exponents, sums)."""
        return cls.computed(mpz(x) % group.q, group)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("ElementModQ is immutable")

    def __reduce__(self) -> tuple:
        return (_restore, ('ElementModQ', int(self.value), self.group))

    def __copy__(self) -> ElementModQ:
        return self

    def __deepcopy__(self, memo: dict) -> ElementModQ:
        return self

    def __add__(self, other: ElementModQ | int) -> ElementModQ:
        o = other.value if isinstance(other, ElementModQ) else mpz(other)
        return ElementModQ.computed((self.value + o) % self.group.q, self.group)

    def __sub__(self, other: ElementModQ | int) -> ElementModQ:
        o = other.value if isinstance(other, ElementModQ) else mpz(other)
        return ElementModQ.computed((self.value - o) % self.group.q, self.group)

    def __mul__(self, other: ElementModQ | int) -> ElementModQ:
        o = other.value if isinstance(other, ElementModQ) else mpz(other)
        return ElementModQ.computed(self.value * o % self.group.q, self.group)

    def __neg__(self) -> ElementModQ:
        return ElementModQ.computed((-self.value) % self.group.q, self.group)

    def to_bytes(self) -> bytes:
        """b(x, l_q) (SPEC §5.1.2)."""
        return int(self.value).to_bytes(self.group.q_bytes, "big")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ElementModQ) and self.group is other.group and self.value == other.value

    def __hash__(self) -> int:
        return hash(("Q", int(self.value)))

    def __repr__(self) -> str:
        return "ElementModQ(…)"  # scalars are often secrets: never print them


def _restore(kind: str, value: int, group: Any) -> ElementModP | ElementModQ:
    if kind == "ElementModP":
        return ElementModP.computed(mpz(value), group)
    return ElementModQ.computed(mpz(value), group)


def g_pow(exponent: ElementModQ, group: Group = STANDARD) -> ElementModP:
    """g^e mod p through the shared fixed-base table for g."""
    from .fixed_base import table_for

    return table_for(ElementModP.computed(group.g, group)).pow(exponent)


def generator(group: Group = STANDARD) -> ElementModP:
    return ElementModP.computed(group.g, group)
