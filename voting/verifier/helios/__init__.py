"""Helios records (benadida/helios-server; google/pyrios' bundles): the election, trustees, cast votes,
decryption factors and result, checked with Helios' own conventions (sections HK, HB, HT, HR).

Importing this package loads nothing heavy: the reader is imported when it is used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["is_helios", "open_helios"]


def is_helios(path: str | Path) -> bool:
    from .reader import is_helios as detect

    return detect(path)


def open_helios(path: str | Path, limits: Any = None) -> Any:
    from ..readers.files import DEFAULT_LIMITS
    from .reader import open_helios as open_record

    return open_record(path, DEFAULT_LIMITS if limits is None else limits)
