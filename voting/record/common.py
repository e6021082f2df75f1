"""Small shared helpers for record payloads."""

from __future__ import annotations

from typing import Any

from ..encoding import parse_small_int, require_keys
from ..errors import EncodingError


class RecordError(EncodingError):
    """A payload violates the record format or the election's rules; ``field`` names the place."""


def body_of(payload: object, field: str = "payload") -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise RecordError(field, "expected a JSON object")
    return payload


def guardian_index(value: object, field: str, n: int) -> int:
    return parse_small_int(value, field, minimum=1, maximum=n)


def round_number(value: object, field: str) -> int:
    return parse_small_int(value, field, minimum=1, maximum=1000)


def exact(obj: object, field: str, required: set[str], optional: frozenset[str] = frozenset()) -> dict[str, Any]:
    return require_keys(obj, field, required, optional)
