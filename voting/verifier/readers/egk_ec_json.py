"""Decoding egk-ec's JSON values, each error naming the field.

egk-ec (JohnLCaron/egk-ec, commit 1192bd7f, ``publish/json/ElementsJson.kt``, ``ElectionConfigJson.kt``,
``HashedElGamalCiphertext.kt``) writes the values of egk's documents in other encodings:

* group elements, hashes and scalars as standard base64 with padding (RFC 4648 §4) of their fixed-width
  big-endian bytes: 512 bytes for an element of the 4096-bit integer group (SPEC §3.1.1), 33 for a point of
  P-256 (SEC1 compressed, the identity as 33 bytes 0xFF: ``VecElementP.toByteArray``), 32 for a hash output
  or a scalar;
* the contest data's C1 and election_config.json's ``baux0`` as base64 of any length (``baux0`` may be
  empty); a ballot's ``code_baux`` as upper-case hex, as egk writes it;
* the group constants in constants.json as lower-case hex without leading zeros (``BigInteger.toString(16)``).

Only the canonical form is accepted: the padding, no whitespace, no non-zero bits in the last character,
the exact width. Another spelling of the same bytes is refused with the field's name, so that one record
has one reading.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import replace
from typing import Any

from gmpy2 import mpz

from ...errors import EncodingError, NotInGroupError
from ...group import STANDARD
from ...group_p256 import ENCODED_BYTES, P256, P256Point
from ..model import BallotState
from . import egk_json as j
from .egk_json import Dialect

MAX_BYTES = j.MAX_BYTES
BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
LOWER_HEX = re.compile(r"0|[1-9a-f][0-9a-f]{0,2047}")


def base64_bytes(value: object, field: str, *, length: int | None = None, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of canonical, padded base64 text; exactly ``length`` of them when given."""
    if not isinstance(value, str):
        raise EncodingError(field, f"expected base64 text, found {type(value).__name__}")
    limit = length if length is not None else max_bytes
    if len(value) > 4 * ((limit + 2) // 3):
        raise EncodingError(field, f"longer than {limit} bytes in base64")
    if not BASE64.fullmatch(value):
        raise EncodingError(field, "expected base64 (RFC 4648: A-Z a-z 0-9 + /, padded with =)")
    try:
        data = base64.b64decode(value, validate=True)
    except binascii.Error as exc:  # pragma: no cover - the pattern above admits only decodable text
        raise EncodingError(field, f"is not base64: {exc}") from None
    if base64.b64encode(data).decode("ascii") != value:
        raise EncodingError(field, "is not canonical base64: the unused bits of its last character are not zero")
    if length is not None and len(data) != length:
        raise EncodingError(field, f"expected {length} bytes in base64, found {len(data)}")
    return data


def element(obj: Any, key: str, where: str) -> int:
    """A group element: b(x, 512) in base64, 0 < x < p (membership in Z_p^r is the checks' business)."""
    field = j.field(where, key)
    x = int.from_bytes(base64_bytes(j.get(obj, key, where), field, length=STANDARD.p_bytes), "big")
    if not 0 < x < STANDARD.p:
        raise NotInGroupError(field, "is not in the range 0 < x < p")
    return x


def point(obj: Any, key: str, where: str) -> int:
    """A point of P-256: its 33-byte encoding in base64, a point of the curve in canonical compressed form and
    not the identity (:meth:`P256Point.parse`), kept as the integer of those bytes."""
    field = j.field(where, key)
    data = base64_bytes(j.get(obj, key, where), field, length=ENCODED_BYTES)
    P256Point.parse(data, field=field)
    return int.from_bytes(data, "big")


def power_of_K_point(obj: Any, key: str, where: str) -> int:
    """T or S on P-256 (``b_over_m``, K^t): a point as :func:`point`, or the identity (t = 0), which egk-ec writes
    as 33 bytes 0xFF."""
    field = j.field(where, key)
    data = base64_bytes(j.get(obj, key, where), field, length=ENCODED_BYTES)
    P256Point.parse(data, field=field, allow_identity=True)
    return int.from_bytes(data, "big")


def digest(obj: Any, key: str, where: str) -> bytes:
    """A 32-byte hash output in base64 (egk-ec's UInt256, and the challenges it writes as ElementModQ)."""
    return base64_bytes(j.get(obj, key, where), j.field(where, key), length=32)


def scalar(obj: Any, key: str, where: str) -> int:
    """A response v as written: b(v, 32) in base64, any value below 2^256 (the checks test v < q)."""
    return int.from_bytes(digest(obj, key, where), "big")


def data(obj: Any, key: str, where: str) -> bytes:
    """A byte string in base64, possibly empty."""
    return base64_bytes(j.get(obj, key, where), j.field(where, key))


def constant(obj: Any, key: str, where: str) -> int:
    """A group constant in lower-case hex without leading zeros, as egk-ec's constants.json writes it."""
    value = j.get(obj, key, where)
    if not isinstance(value, str) or not LOWER_HEX.fullmatch(value):
        raise EncodingError(j.field(where, key), "expected lower-case hex digits without leading zeros")
    return int(mpz(value, 16))


EGK_EC = Dialect(
    name="egk-ec",
    element=element,
    digest=digest,
    scalar=scalar,
    data=data,
    aux=j.hex_bytes,
    states=(("CAST", BallotState.CAST), ("CHALLENGED", BallotState.CHALLENGED), ("UNKNOWN", BallotState.OTHER)),
    contest_repeats=("sequence_order",),  # egk-ec's EncryptedContestJson has no votes_allowed
)

EGK_EC_P256 = replace(EGK_EC, name="egk-ec (P-256)", element=point, power_of_K=power_of_K_point, group=P256)
"""egk-ec's values on P-256: points in 33 bytes, the identity only as T or S."""
