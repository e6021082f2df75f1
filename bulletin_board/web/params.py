"""Strict parsing of path and query parameters (decimal integers only, no unknown names)."""

from __future__ import annotations

import re

from flask import request

from ..entry import MAX_SEQ, check_election_id
from ..errors import InvalidInput

_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")


def integer(text: str, field: str, *, low: int = 0, high: int = MAX_SEQ) -> int:
    if not _DECIMAL.fullmatch(text) or not low <= int(text) <= high:
        raise InvalidInput(field, f"must be a decimal integer from {low} to {high}")
    return int(text)


def query(allowed: dict[str, tuple[int, int] | None]) -> dict[str, int | None]:
    """Read the integer query parameters named in ``allowed`` ({name: (low, high)}); reject any other."""
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise InvalidInput(unknown[0], "unknown query parameter")
    values: dict[str, int | None] = {}
    for name, bounds in allowed.items():
        items = request.args.getlist(name)
        if len(items) > 1:
            raise InvalidInput(name, "given more than once")
        low, high = bounds or (0, MAX_SEQ)
        values[name] = integer(items[0], name, low=low, high=high) if items else None
    return values


def election(election_id: str) -> str:
    return check_election_id(election_id)
