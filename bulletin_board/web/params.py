"""Strict parsing of path and query parameters (decimal integers only, no unknown names).

Every integer from a URL enters here and is range-checked before anything else sees it: ASCII digits
without sign, spaces or leading zeros ("²" and "٣" are digits to ``str.isdigit`` and ``int``, not here),
within bounds that keep ``seq + 1`` and ``start + limit`` inside the signed 64-bit database columns.
A confirmation-code prefix is ASCII hexadecimal only (never a LIKE wildcard, never a Unicode digit).
"""

from __future__ import annotations

import re
from typing import Callable

from flask import request

from ..log_format.entry import MAX_SEQ, check_election_id
from ..log_format.errors import InvalidInput

_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")
_HEX = re.compile(r"[0-9A-Fa-f]+")
MIN_PREFIX = 8  # 32 bits: what a voter reads off a receipt; shorter would list half the board
CODE_LENGTH = 64
MAX_SIZE = MAX_SEQ  # a log's size (tree size, ``old``, ``new``)
MAX_INDEX = MAX_SEQ - 1  # a seq or ``start``: below some size, so ``seq + 1`` still fits the column
SIZE = (0, MAX_SIZE)
INDEX = (0, MAX_INDEX)


def integer(text: str, field: str, *, low: int = 0, high: int = MAX_INDEX) -> int:
    if not _DECIMAL.fullmatch(text) or not low <= int(text) <= high:
        raise InvalidInput(field, f"must be a decimal integer from {low} to {high}")
    return int(text)


def code_prefix(text: str, field: str = "prefix") -> str:
    """A confirmation-code prefix: 8 to 64 ASCII hex digits, either case; returned in upper case."""
    if not MIN_PREFIX <= len(text) <= CODE_LENGTH or not _HEX.fullmatch(text):
        raise InvalidInput(field, f"must be {MIN_PREFIX} to {CODE_LENGTH} hexadecimal characters (0-9, A-F)")
    return text.upper()


def query(allowed: dict[str, tuple[int, int]], texts: dict[str, Callable[[str, str], str]] | None = None) -> dict:
    """Read the integer query parameters named in ``allowed`` ({name: (low, high)}) and the text ones named
    in ``texts`` ({name: parser(text, name)}); reject any other, and any given twice."""
    texts = texts or {}
    unknown = sorted(set(request.args) - set(allowed) - set(texts))
    if unknown:
        raise InvalidInput(unknown[0], "unknown query parameter")
    values: dict = {}
    for name, parse in texts.items():
        items = request.args.getlist(name)
        if len(items) > 1:
            raise InvalidInput(name, "given more than once")
        values[name] = parse(items[0], name) if items else None
    for name, (low, high) in allowed.items():
        items = request.args.getlist(name)
        if len(items) > 1:
            raise InvalidInput(name, "given more than once")
        values[name] = integer(items[0], name, low=low, high=high) if items else None
    return values


def election(election_id: str) -> str:
    return check_election_id(election_id)
