"""Decoding egk's JSON values, each error naming the file and the field.

egk writes group elements as 1024 upper-case hex digits, scalars and hashes as 64, byte strings as
upper-case hex (``ElementsJson.kt``). These helpers read them strictly with the core's parsers and raise
:class:`~voting.errors.EncodingError` with the field's path.

egk-ec, egk's successor, writes the same documents with other value encodings (:mod:`.egk_ec_json`); a
:class:`Dialect` says how a producer writes each kind of value, so the readers of both formats share the
code that walks the documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from gmpy2 import mpz

from ...encoding import parse_bytes, parse_digest, parse_p_unchecked_membership, parse_small_int
from ...errors import EncodingError
from ...group import STANDARD, PrimeOrderGroup
from ..model import BallotState

MAX_BYTES = 1 << 16
UPPER_HEX = re.compile(r"[0-9A-F]{1,2048}")


def get(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, dict):
        raise EncodingError(where or "(document)", f"expected a JSON object, found {type(obj).__name__}")
    if key not in obj:
        raise EncodingError(f"{where}.{key}" if where else key, "is missing")
    return obj[key]


def field(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def text(obj: Any, key: str, where: str) -> str:
    value = get(obj, key, where)
    if not isinstance(value, str):
        raise EncodingError(field(where, key), f"expected a string, found {type(value).__name__}")
    return value


def items(obj: Any, key: str, where: str) -> list:
    value = get(obj, key, where)
    if not isinstance(value, list):
        raise EncodingError(field(where, key), f"expected a JSON array, found {type(value).__name__}")
    return value


def small_int(obj: Any, key: str, where: str, minimum: int = 0) -> int:
    return parse_small_int(get(obj, key, where), field(where, key), minimum=minimum)


def element(obj: Any, key: str, where: str) -> int:
    """A group element's value (1024 hex digits, 0 < x < p); membership is the checks' business."""
    return int(parse_p_unchecked_membership(get(obj, key, where), field(where, key)))


def scalar(obj: Any, key: str, where: str) -> int:
    """A response v as written: 64 hex digits, any value below 2^256 (the checks test v < q)."""
    return int.from_bytes(parse_digest(get(obj, key, where), field(where, key)), "big")


def digest(obj: Any, key: str, where: str) -> bytes:
    return parse_digest(get(obj, key, where), field(where, key))


def hex_bytes(obj: Any, key: str, where: str) -> bytes:
    return parse_bytes(get(obj, key, where), field(where, key), max_bytes=MAX_BYTES)


def big_hex(obj: Any, key: str, where: str) -> int:
    """An integer in upper-case hex of any length (the group constants)."""
    value = get(obj, key, where)
    if not isinstance(value, str) or not UPPER_HEX.fullmatch(value):
        raise EncodingError(field(where, key), "expected upper-case hex digits")
    return int(mpz(value, 16))


def signed_bytes(obj: Any, key: str, where: str) -> bytes:
    """egk's ByteArray as a JSON array of bytes, signed (-128..127) as Kotlin writes them."""
    values = items(obj, key, where)
    out = bytearray()
    for n, value in enumerate(values):
        if not isinstance(value, int) or isinstance(value, bool) or not -128 <= value <= 255:
            raise EncodingError(f"{field(where, key)}[{n}]", "expected a byte (-128..255)")
        out.append(value % 256)
    return bytes(out)


@dataclass(frozen=True)
class Dialect:
    """How one producer writes each kind of value in its JSON documents (module-level functions only, so a
    ballot decoder holding its dialect travels to the worker processes by reference)."""

    name: str
    element: Callable[[Any, str, str], int]  # a group element as an integer, 0 < x < p (membership: the checks')
    digest: Callable[[Any, str, str], bytes]  # a 32-byte hash output (challenges, H_P ... H_E, χ, H(B), C2)
    scalar: Callable[[Any, str, str], int]  # a response v as written, any value below 2^256 (the checks test v < q)
    data: Callable[[Any, str, str], bytes]  # a byte string of any length (the contest data's C1)
    aux: Callable[[Any, str, str], bytes]  # a ballot's B_aux ("code_baux")
    states: tuple[tuple[str, BallotState], ...]  # the ballot state words (SPEC: cast, challenged)
    contest_repeats: tuple[str, ...]  # what an encrypted contest repeats of the manifest (must agree with it)
    group: PrimeOrderGroup = STANDARD  # the group its elements are in (the checks compute in it)
    power_of_K: Callable[[Any, str, str], int] | None = None  # T or S (b_over_m), where K^0 = 1 may be written

    def state(self, word: str) -> BallotState | None:
        return dict(self.states).get(word)

    def tally_element(self, obj: Any, key: str, where: str) -> int:
        """T (a tally) or S (a challenged ballot), K^t: the identity is a possible value (t = 0)."""
        return (self.power_of_K or self.element)(obj, key, where)


EGK = Dialect(
    name="egk",
    element=element,
    digest=digest,
    scalar=scalar,
    data=hex_bytes,
    aux=hex_bytes,
    states=(("CAST", BallotState.CAST), ("SPOILED", BallotState.CHALLENGED), ("UNKNOWN", BallotState.OTHER)),
    contest_repeats=("sequence_order", "votes_allowed"),
)
