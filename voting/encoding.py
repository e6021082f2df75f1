"""Canonical JSON encodings of group elements, scalars, hashes and byte strings (docs/record-format.md §1).

Elements are written as the upper-case hex of the SPEC byte arrays b(x, l_p) and b(x, l_q)
(SPEC §5.1.1-5.1.2): fixed width, no prefix. Anything else is rejected with an error naming the field.
"""

from __future__ import annotations

import re
from typing import Any

from gmpy2 import mpz

from .errors import EncodingError, NotInGroupError
from .group import STANDARD, ElementModP, ElementModQ, Group

_UPPER_HEX = re.compile(r"[0-9A-F]*")
SMALL_INT_LIMIT = 2**31


def _hex_digits(value: object, field: str, width: int | None) -> str:
    """``value`` itself if it is a string of ASCII 0-9 A-F only, of exactly ``width`` characters when given.

    The one gate for hex from outside: ``bytes.fromhex`` and ``int(x, 16)`` are lenient (whitespace, lower
    case, signs, underscores, non-ASCII digits), so nothing from outside reaches them without passing here.
    """
    if not isinstance(value, str):
        raise EncodingError(field, f"expected an upper-case hex string, found {type(value).__name__}")
    if width is not None and len(value) != width:
        raise EncodingError(field, f"expected exactly {width} hex digits, found {len(value)}")
    if not _UPPER_HEX.fullmatch(value):
        raise EncodingError(field, "expected upper-case hex digits 0-9 A-F only")
    return value


def parse_p(value: object, field: str, group: Group = STANDARD) -> ElementModP:
    """A group element from its canonical hex; checks range and subgroup membership."""
    digits = _hex_digits(value, field, 2 * group.p_bytes)
    return ElementModP.parse(mpz(digits, 16), group, field=field)


def parse_p_unchecked_membership(value: object, field: str, group: Group = STANDARD) -> mpz:
    """The integer of a canonical p-element hex with its range checked (0 < x < p) but *not* its
    subgroup membership, for callers that check membership of many elements in one batch
    (:mod:`voting.membership`)."""
    digits = _hex_digits(value, field, 2 * group.p_bytes)
    x = mpz(digits, 16)
    if not 0 < x < group.p:
        raise NotInGroupError(field, "is not in the range 0 < x < p")
    return x


def parse_q(value: object, field: str, group: Group = STANDARD) -> ElementModQ:
    """A scalar from its canonical hex; checks 0 <= x < q."""
    digits = _hex_digits(value, field, 2 * group.q_bytes)
    return ElementModQ.parse(mpz(digits, 16), group, field=field)


def parse_fixed_bytes(value: object, field: str, length: int) -> bytes:
    """Exactly ``length`` bytes from exactly ``2 * length`` upper-case hex digits (no whitespace, no prefix)."""
    return bytes.fromhex(_hex_digits(value, field, 2 * length))


def parse_digest(value: object, field: str) -> bytes:
    """A 32-byte hash output (H_P, H_E, χ, H(B), ...) from 64 upper-case hex digits."""
    return parse_fixed_bytes(value, field, 32)


def parse_bytes(value: object, field: str, *, max_bytes: int = 1 << 16) -> bytes:
    """A byte string from upper-case hex of even length (possibly empty)."""
    digits = _hex_digits(value, field, None)
    if len(digits) % 2:
        raise EncodingError(field, "expected an even number of hex digits")
    if len(digits) > 2 * max_bytes:
        raise EncodingError(field, f"longer than {max_bytes} bytes")
    return bytes.fromhex(digits)


def parse_small_int(value: object, field: str, *, minimum: int = 0, maximum: int = SMALL_INT_LIMIT - 1) -> int:
    """A JSON integer in [minimum, maximum] (booleans and floats rejected)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise EncodingError(field, f"expected an integer, found {type(value).__name__}")
    if not minimum <= value <= maximum:
        raise EncodingError(field, f"expected an integer from {minimum} to {maximum}, found {value}")
    return value


def hex_p(x: ElementModP) -> str:
    return x.to_bytes().hex().upper()


def hex_q(x: ElementModQ) -> str:
    return x.to_bytes().hex().upper()


def hex_bytes(b: bytes) -> str:
    return b.hex().upper()


def require_keys(obj: object, field: str, required: set[str], optional: frozenset[str] = frozenset()) -> dict[str, Any]:
    """``obj`` must be a JSON object with exactly the ``required`` keys plus any of ``optional``."""
    if not isinstance(obj, dict):
        raise EncodingError(field, f"expected a JSON object, found {type(obj).__name__}")
    missing = required - obj.keys()
    if missing:
        raise EncodingError(f"{field}.{sorted(missing)[0]}", "is missing")
    unknown = obj.keys() - required - optional
    if unknown:
        raise EncodingError(f"{field}.{sorted(unknown)[0]}", "is not a known field")
    return obj


def require_list(obj: object, field: str, *, min_len: int = 0, max_len: int = 10_000) -> list[Any]:
    if not isinstance(obj, list):
        raise EncodingError(field, f"expected a JSON array, found {type(obj).__name__}")
    if not min_len <= len(obj) <= max_len:
        raise EncodingError(field, f"expected {min_len} to {max_len} items, found {len(obj)}")
    return obj
