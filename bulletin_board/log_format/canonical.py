"""Canonical JSON payloads (RFC 8785, JSON Canonicalization Scheme) with the board's limits.

A payload is a JSON object whose values are objects, arrays, strings, booleans, null and integers with
|x| < 2^53. Floats (including NaN and infinities), other Python types, lone surrogates, duplicate keys,
nesting deeper than ``MAX_DEPTH`` and canonical forms longer than ``max_bytes`` are rejected with a
``CanonicalJsonError`` whose ``path`` names the offending value (``$`` is the payload itself).
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from .errors import CanonicalJsonError

MAX_DEPTH = 32
MAX_PAYLOAD_BYTES = 1 << 20
MAX_SAFE_INTEGER = (1 << 53) - 1
_MAX_INT_DIGITS = len(str(MAX_SAFE_INTEGER))

__all__ = ["MAX_DEPTH", "MAX_PAYLOAD_BYTES", "canonicalize", "parse_json_object", "parse_canonical"]


def canonicalize(payload: Any, *, max_bytes: int = MAX_PAYLOAD_BYTES, field: str = "payload") -> bytes:
    """The RFC 8785 bytes of ``payload`` after checking it against the board's rules."""
    if not isinstance(payload, dict):
        raise CanonicalJsonError("$", f"must be a JSON object, not {_type_name(payload)}", field=field)
    _check_value(payload, "$", 0, field)
    data = rfc8785.dumps(payload)
    if len(data) > max_bytes:
        raise CanonicalJsonError("$", f"canonical form is {len(data)} bytes, the limit is {max_bytes}",
                                 field=field)
    return data


def parse_json_object(raw: bytes | str, *, max_bytes: int = MAX_PAYLOAD_BYTES, field: str = "payload") -> dict:
    """Parse untrusted JSON text into a payload object, rejecting floats, NaN and duplicate keys."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CanonicalJsonError("$", f"not UTF-8 (byte {exc.start})", field=field) from None
    if len(raw) > max_bytes:
        raise CanonicalJsonError("$", f"text is {len(raw)} characters, the limit is {max_bytes}", field=field)
    try:
        value = json.loads(raw, parse_float=_reject_float, parse_int=_bounded_int, parse_constant=_reject_constant,
                           object_pairs_hook=_no_duplicates)
    except _Rejected as exc:
        raise CanonicalJsonError("$", str(exc), field=field) from None
    except json.JSONDecodeError as exc:
        raise CanonicalJsonError("$", f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                                 field=field) from None
    except RecursionError:
        raise CanonicalJsonError("$", f"nested deeper than {MAX_DEPTH} levels", field=field) from None
    canonicalize(value, max_bytes=max_bytes, field=field)  # limits and types, with the value's path
    return value


def parse_canonical(data: bytes, *, field: str = "payload") -> dict:
    """Parse bytes that must already be the canonical form of a payload (exported or stored records)."""
    value = parse_json_object(data, max_bytes=max(len(data), 1), field=field)
    if rfc8785.dumps(value) != data:
        raise CanonicalJsonError("$", "bytes are valid JSON but not in RFC 8785 canonical form", field=field)
    return value


class _Rejected(ValueError):
    pass


def _reject_float(text: str) -> Any:
    raise _Rejected(f"floating-point number {text[:40]} is not allowed (integers only)")


def _bounded_int(text: str) -> int:
    # Checked before int() runs: Python refuses (ValueError) or slowly parses numbers of thousands of digits.
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise _Rejected(f"an integer of {len(text.lstrip('-'))} digits is not allowed (integers must be below 2^53)")
    return int(text)


def _reject_constant(text: str) -> Any:
    raise _Rejected(f"{text} is not allowed")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise _Rejected(f"duplicate key {key[:80]!r}")
        result[key] = value
    return result


def _check_value(value: Any, path: str, depth: int, field: str) -> None:
    if depth > MAX_DEPTH:
        raise CanonicalJsonError(path, f"nested deeper than {MAX_DEPTH} levels", field=field)
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalJsonError(path, "integer magnitude must be below 2^53", field=field)
        return
    if isinstance(value, str):
        _check_text(value, path, field)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalJsonError(path, f"object key {key!r} is not a string", field=field)
            _check_text(key, path, field)
            _check_value(item, f"{path}.{_key_path(key)}", depth + 1, field)
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, f"{path}[{index}]", depth + 1, field)
        return
    raise CanonicalJsonError(path, f"{_type_name(value)} is not allowed", field=field)


def _check_text(text: str, path: str, field: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalJsonError(path, "string contains a lone surrogate (not valid Unicode)", field=field) \
            from None


def _key_path(key: str) -> str:
    if key.isidentifier():
        return key
    return json.dumps(key)[:82]


def _type_name(value: Any) -> str:
    if isinstance(value, float):
        return "floating-point number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    return type(value).__name__
