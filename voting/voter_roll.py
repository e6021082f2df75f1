"""The voter roll: who gets a credential, for which ballot style, with which weight (docs/guide-administrator.md §4).

A CSV file in UTF-8 (a byte-order mark is allowed), comma-separated, whose first line names the columns:
``voter_id`` and ``style`` are required, ``weight`` is optional (1 for every voter without it), and any other
column (e-mail, language, name…) is kept for the voting cards. The roll stays with whoever issues the
credentials: only the style and weight of each credential reach the public list (record-format §4.1).

Everything is checked where it enters: each problem names its line and column, and a roll with a problem
gives no voter at all. Spaces around a value are ignored; an empty line is skipped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import VotingError

VOTER_ID, STYLE, WEIGHT = "voter_id", "style", "weight"
REQUIRED = (VOTER_ID, STYLE)
MAX_VOTER_ID = 200
MAX_PROBLEMS_SHOWN = 20
_WHOLE_NUMBER = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class RollProblem:
    """One problem of the roll: its line (1 is the header; None for the whole file) and column."""

    line: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (f"line {self.line}" if self.line else "", f"column {self.column}" if self.column else "") if part
        )
        return f"{where}: {self.reason}" if where else self.reason


class RollError(VotingError, ValueError):
    """The roll cannot be used; ``problems`` lists every problem found (the message shows the first few)."""

    def __init__(self, problems: Iterable[RollProblem]):
        self.problems = tuple(problems)
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        more = len(self.problems) - len(shown)
        super().__init__("the voter roll has problems:\n  " + "\n  ".join(shown) + (f"\n  … and {more} more" if more else ""))


@dataclass(frozen=True)
class RollEntry:
    """One voter of the roll. ``extra`` holds the other columns (for the voting card only, never published)."""

    line: int
    voter_id: str
    style: str
    weight: int
    extra: Mapping[str, str]


@dataclass(frozen=True)
class VoterRoll:
    entries: tuple[RollEntry, ...]
    extra_columns: tuple[str, ...] = ()  # the roll's other columns, in the file's order


def read_roll_file(path: str | Path, styles: Iterable[str], max_weight: int) -> VoterRoll:
    """:func:`parse_roll` of a file's bytes (an OSError when the file cannot be read)."""
    return parse_roll(Path(path).read_bytes(), styles, max_weight)


def parse_roll(data: bytes, styles: Iterable[str], max_weight: int) -> VoterRoll:
    """The roll in ``data``, checked against the manifest's ballot ``styles`` and the election's ``max_weight``.
    Raises :class:`RollError` naming every problem's line and column."""
    text = _decode(data)
    known = tuple(styles)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise RollError([RollProblem(1, None, f"not a CSV line ({exc})")]) from None
    if not header or not any(cell.strip() for cell in header):
        raise RollError(
            [
                RollProblem(
                    None, None, "the roll is empty: its first line names the columns voter_id, style and (optionally) weight"
                )
            ]
        )
    columns = [cell.strip() for cell in header]
    problems = _header_problems(columns)
    if problems:
        raise RollError(problems)
    extra_columns = tuple(c for c in columns if c not in (VOTER_ID, STYLE, WEIGHT))
    entries: list[RollEntry] = []
    first_line: dict[str, int] = {}
    line = reader.line_num
    while True:
        start = line + 1
        try:
            row = next(reader, None)
        except csv.Error as exc:
            problems.append(RollProblem(reader.line_num, None, f"not a CSV line ({exc})"))
            break
        if row is None:
            break
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # an empty line
        if len(row) != len(columns):
            problems.append(RollProblem(start, None, f"has {len(row)} values for the {len(columns)} columns of line 1"))
            continue
        cells = {name: cell.strip() for name, cell in zip(columns, row)}
        entry = _entry(start, cells, known, max_weight, extra_columns, problems)
        if entry is None:
            continue
        if entry.voter_id in first_line:
            problems.append(
                RollProblem(start, VOTER_ID, f"{_shown(entry.voter_id)} is already on line {first_line[entry.voter_id]}")
            )
            continue
        first_line[entry.voter_id] = start
        entries.append(entry)
    if not problems and not entries:
        problems.append(RollProblem(None, None, "the roll lists no voter: one line per voter follows the header"))
    if problems:
        raise RollError(problems)
    return VoterRoll(tuple(entries), extra_columns)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RollError([RollProblem(None, None, "the file is UTF-16 text: save the roll as CSV in UTF-8")])
    try:
        return data.decode("utf-8-sig")  # a byte-order mark, as spreadsheets write one, is dropped
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RollError([RollProblem(line, None, "is not UTF-8 text: save the roll as CSV in UTF-8")]) from None


def _header_problems(columns: list[str]) -> list[RollProblem]:
    problems = []
    if len(columns) == 1 and ";" in columns[0]:
        return [RollProblem(1, None, "the columns are separated by ';': save the roll with commas between the columns")]
    for position, name in enumerate(columns, start=1):
        if not name:
            problems.append(RollProblem(1, None, f"column {position} has no name"))
        elif columns.index(name) != position - 1:
            problems.append(RollProblem(1, name, "this column is named twice"))
    for name in REQUIRED:
        if name not in columns:
            problems.append(
                RollProblem(1, name, f"missing: the first line names the columns {', '.join(REQUIRED)} (and optionally {WEIGHT})")
            )
    return problems


def _entry(
    line: int,
    cells: dict[str, str],
    styles: tuple[str, ...],
    max_weight: int,
    extra_columns: tuple[str, ...],
    problems: list[RollProblem],
) -> RollEntry | None:
    found = len(problems)
    voter_id, style = cells[VOTER_ID], cells[STYLE]
    if not voter_id:
        problems.append(RollProblem(line, VOTER_ID, "is empty"))
    elif len(voter_id) > MAX_VOTER_ID or not voter_id.isprintable():
        problems.append(RollProblem(line, VOTER_ID, f"a voter id is at most {MAX_VOTER_ID} printable characters"))
    if style not in styles:
        problems.append(RollProblem(line, STYLE, f"{_shown(style)} is not a ballot style of the manifest ({_listed(styles)})"))
    weight = 1
    if WEIGHT in cells:
        raw = cells[WEIGHT]
        digits = raw.lstrip("0")
        if not _WHOLE_NUMBER.fullmatch(raw) or not digits:
            problems.append(RollProblem(line, WEIGHT, f"{_shown(raw)} is not a whole number from 1 to {max_weight}"))
        elif len(digits) > len(str(max_weight)) or int(digits) > max_weight:
            problems.append(RollProblem(line, WEIGHT, f"{_shown(raw)} is above the election's maximum weight {max_weight}"))
        else:
            weight = int(digits)
    if len(problems) > found:
        return None
    return RollEntry(line, voter_id, style, weight, {name: cells[name] for name in extra_columns})


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


def _listed(styles: tuple[str, ...]) -> str:
    names = ", ".join(styles[:10]) + (", …" if len(styles) > 10 else "")
    return f"its styles are {names}" if styles else "it has no ballot style"
