"""The cosigned checkpoints an evote export carries (issue 16: "the record export includes the cosigned
checkpoints"), read defensively while the export's layout settles.

Two places are read, either or both:

* ``checkpoint.txt`` itself, when the board appended its witnesses' cosignature lines to the final
  checkpoint's note (a note may carry any number of signature lines; B.3 reads only the board's);
* ``checkpoints.jsonl`` (the name the export module gives it, when it names one), one JSON object
  ``{"size", "root", "note"}`` per line, every checkpoint the board stored, each note with the cosignatures
  obtained for it.

Only notes are kept; which of them cover the checkpoint a verification relies on is decided by section W
(:mod:`voting.verifier.checks.witnesses`), which requires the same note body.
"""

from __future__ import annotations

from pathlib import Path

from bulletin_board.log_format.export import FILES

from ..model import Unreadable
from .files import FileRefused, Limits, line_too_long, parse_json, read_lines

CHECKPOINTS = FILES.get("checkpoints", "checkpoints.jsonl")


def read_cosigned(root: Path, limits: Limits) -> tuple[str, ...] | Unreadable | None:
    """The notes of the export's checkpoints file; None when the export has none; :class:`Unreadable` when
    it cannot be read (a line that is not a checkpoint object makes the file unreadable: W.1 says so)."""
    if not (root / CHECKPOINTS).exists() and not (root / CHECKPOINTS).is_symlink():
        return None
    notes: list[str] = []
    try:
        for number, line in enumerate(read_lines(root, CHECKPOINTS, limits.small), 1):
            if line.too_long:
                return Unreadable(CHECKPOINTS, f"line {number}", line_too_long(line, limits.small))
            if not line.body.strip():
                continue
            try:
                item = parse_json(line.body)
            except ValueError as exc:
                return Unreadable(CHECKPOINTS, f"line {number}", f"is not JSON: {exc}")
            note = item.get("note") if isinstance(item, dict) else None
            if not isinstance(note, str):
                return Unreadable(CHECKPOINTS, f"line {number}", "is not a checkpoint object with a note")
            notes.append(note)
    except FileRefused as exc:
        return exc.unreadable()
    return tuple(notes)
