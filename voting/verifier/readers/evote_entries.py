"""Reading an evote export's ``entries.jsonl``: its lines, and one pass that gathers the control entries.

:func:`read_lines` yields every line as found (the board checks decide whether it is an entry).
:func:`scan_entries` reads the file once when the record is opened: it keeps the control entries (small),
folds the ballot entries into runs, applies the revoting rule to the cast ballots as they pass
(:class:`~voting.verifier.checks.eligibility.BallotCounter`) and remembers where the challenged ballots
are, so that the rules can read them again when ``tally.encrypted`` names them.

The file is opened through :mod:`.files` (a regular file of the record, never a pipe or a link out of it) and
read a line at a time, each line at most ``limit`` bytes in memory: a longer line is skipped unread and is not
an entry (B.4 names it). A line nested deeper than :data:`~.files.MAX_DEPTH` is not an entry either (the
board refuses payloads nested deeper than 32 levels).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ...record.common import RecordError
from ...record.election import REVOTE_RULES
from ..checks.eligibility import CAST_KIND, CHALLENGED_KIND, BallotCounter
from ..model import CannotRun
from ..model_evote import BallotRun, BoardLine, ControlEntry, Event
from ..rules.table import KINDS_BY, VOTER
from .files import MAX_DEPTH, FileRefused, Line, line_too_long, open_file, too_deep
from .files import read_lines as file_lines


class _Rejected(ValueError):
    pass


def _reject_float(text: str) -> Any:
    raise _Rejected(f"a floating-point number ({text}): payloads have integers only")


def _reject_constant(text: str) -> Any:
    raise _Rejected(f"{text} is not JSON")


def parse_line(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """The JSON object of one line, or None and why it is not one."""
    try:
        item = json.loads(raw.decode("utf-8"), parse_float=_reject_float, parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        return None, f"the line is not UTF-8 (byte {exc.start})"
    except _Rejected as exc:
        return None, str(exc)
    except RecursionError:
        return None, f"the line nests arrays or objects more than {MAX_DEPTH} levels deep"
    except ValueError as exc:
        return None, f"the line is not JSON: {exc}"
    if not isinstance(item, dict):
        return None, f"the line is a JSON {type(item).__name__}, not an object"
    if too_deep(item, MAX_DEPTH):
        return None, f"the line nests arrays or objects more than {MAX_DEPTH} levels deep"
    return item, ""


@dataclass(frozen=True)
class EntriesFile:
    """Where ``entries.jsonl`` is (the record's directory and its name there) and the limit for one line."""

    root: Path
    name: str
    limit: int

    def lines(self) -> Iterator[tuple[Line, dict[str, Any] | None, str]]:
        """(line, its JSON object or None, why not) for every line; :class:`FileRefused` if it cannot be read."""
        for line in file_lines(self.root, self.name, self.limit):
            if line.too_long:
                yield line, None, line_too_long(line, self.limit)
            else:
                yield line, *parse_line(line.body)


def read_lines(entries: EntriesFile) -> Iterator[BoardLine]:
    """Every line of ``entries.jsonl`` in order, parsed; one line in memory at a time. A file that cannot be
    read (absent, not a regular file of the record) stops the checks that read it: :class:`CannotRun`."""
    try:
        for position, (line, item, problem) in enumerate(entries.lines()):
            yield BoardLine(position, line.body, item, problem, line.terminated)
    except FileRefused as exc:
        raise CannotRun(f"{exc.name} cannot be read: {exc.reason}", exc.name) from None


def entry_fields(item: dict[str, Any] | None) -> tuple[int, str] | None:
    """(seq, kind) of a parsed line when both are usable."""
    if item is None:
        return None
    seq, kind = item.get("seq"), item.get("kind")
    if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(kind, str):
        return None
    return seq, kind


def credential_of(payload: Any) -> bytes | None:
    """The Ed25519 public key a submission names (64 upper-case hex digits), or None."""
    value = payload.get("credential") if isinstance(payload, dict) else None
    if isinstance(value, str) and len(value) == 64 and value == value.upper():
        try:
            return bytes.fromhex(value)
        except ValueError:
            return None
    return None


@dataclass
class Scan:
    """What one pass over the entries found."""

    events: list[Event] = field(default_factory=list)
    counter: BallotCounter | None = None
    challenged_offsets: dict[int, int] = field(default_factory=dict)  # seq of a ballot.challenged entry -> byte offset
    lines: int = 0
    ballots: int = 0
    refused: FileRefused | None = None  # why entries.jsonl could not be read at all


def scan_entries(entries: EntriesFile) -> Scan:
    """One pass over the entries (an unreadable file is an empty scan: the checks that read it fail)."""
    scan = Scan()
    run: list | None = None  # [first_seq, last_seq, count, first received_at, last received_at] of the current ballot run
    try:
        for line, item, _ in entries.lines():
            here = line.offset
            scan.lines += 1
            fields = entry_fields(item)
            if item is None or fields is None:
                continue  # B.4 reports the line
            seq, kind = fields
            payload = item.get("payload")
            when = item.get("received_at")
            when = when if isinstance(when, int) and not isinstance(when, bool) else None
            if kind in KINDS_BY[VOTER]:
                scan.ballots += 1
                if run is None:
                    run = [seq, seq, 0, when, when]
                run[1], run[2], run[4] = seq, run[2] + 1, when
                if kind == CAST_KIND and scan.counter is not None:
                    scan.counter.cast(seq, credential_of(payload))
                elif kind == CHALLENGED_KIND:
                    scan.challenged_offsets[seq] = here
                continue
            if run is not None:
                scan.events.append(BallotRun(*run))
                run = None
            scan.events.append(ControlEntry(seq, kind, payload, _hash(item.get("entry_hash")), when))
            if kind == "election.created" and scan.counter is None and isinstance(payload, dict):
                rule = payload.get("revote_rule")
                if rule in REVOTE_RULES:
                    scan.counter = BallotCounter(rule)
            if scan.counter is not None:
                scan.counter.control(seq, kind)
    except FileRefused as exc:
        scan.refused = exc
    if run is not None:
        scan.events.append(BallotRun(*run))
    return scan


def _hash(value: object) -> bytes:
    if isinstance(value, str) and len(value) == 64:
        try:
            return bytes.fromhex(value)
        except ValueError:
            pass
    return b""


@dataclass(frozen=True)
class ChallengedPayloads:
    """Random access to the payloads of the ballot.challenged entries (picklable: a file and offsets)."""

    entries: EntriesFile
    offsets: dict[int, int]

    def __call__(self, seq: int) -> Any:
        offset = self.offsets.get(seq)
        if offset is None:
            raise RecordError("challenged", f"entry {seq} is not a ballot.challenged entry")
        try:
            with open_file(self.entries.root, self.entries.name) as handle:
                handle.seek(offset)
                raw = handle.readline(self.entries.limit + 1)
        except (FileRefused, OSError) as exc:
            raise RecordError("challenged", f"entry {seq} cannot be read: {exc}") from None
        if len(raw) > self.entries.limit and not raw.endswith(b"\n"):
            item, problem = None, f"the line is longer than the verifier reads for one entry ({self.entries.limit} bytes)"
        else:
            item, problem = parse_line(raw.rstrip(b"\n"))
        if item is None:
            raise RecordError("challenged", f"entry {seq} cannot be read: {problem}")
        return item.get("payload")
