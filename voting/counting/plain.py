"""Results as plain data (dicts, lists, strings, integers) for a result page, the record and a verifier.

A :class:`fractions.Fraction` becomes text: an integer as ``"12"``, a value with at most five decimals as
``"12.38271"`` (exact), any other as ``"n/d"``; numbers are never floats, so nothing is rounded twice.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

DECIMALS = 5


def fraction_text(value: Fraction) -> str:
    """Exact text of a fraction (see the module's docstring)."""
    if value.denominator == 1:
        return str(value.numerator)
    scaled = value * 10**DECIMALS
    if scaled.denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    sign = "-" if scaled < 0 else ""
    whole, part = divmod(abs(scaled.numerator), 10**DECIMALS)
    return f"{sign}{whole}.{part:0{DECIMALS}d}".rstrip("0")


def plain(value: object) -> object:
    """The dataclasses of a result, recursively, as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Fraction):
        return fraction_text(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value
