"""Readers turn an election record on disk into the verifier's :class:`~voting.verifier.model.ElectionRecord`.

``egk``: records written by electionguard-kotlin-multiplatform (JSON). ``evote``: the board export of
docs/record-format.md §8 — its reader comes with the bulletin board's export format.
"""

from __future__ import annotations

from pathlib import Path

from ..model import ElectionRecord, RecordUnreadable
from .egk import open_egk

FORMATS = ("egk", "evote")


def open_record(path: str | Path, format: str = "egk") -> ElectionRecord:
    """Read the record at ``path``; raises :class:`RecordUnreadable` with the reason if it cannot."""
    if format == "egk":
        return open_egk(path)
    if format == "evote":
        raise RecordUnreadable(
            "the evote record format is not yet supported: its reader comes with the bulletin "
            "board's export format (docs/record-format.md §8)"
        )
    raise RecordUnreadable(f"unknown record format {format!r}; known formats: {', '.join(FORMATS)}")
