"""Findings: what one check concluded about one thing in the record, with its evidence.

A finding names its check by the SPEC's identifier ("5.D"), or by the bare verification number ("5") for
the preconditions a lettered step relies on (the record's structure matches the manifest, every challenged
ballot has a decryption, ...). Checks of evote's own record format (docs/record-format.md) are named by a
section letter and a number: "B.1" (the board), "L.4" (the election's rules), "E.2" (eligibility); a bare
letter ("B") names that section's preconditions. It says what was examined (``subject``: a ballot, contest, option or
guardian), where in the record (``origin``: file and field), and for a failure what was expected and found.

A *warning* (:func:`warning`) is a passed finding the report shows anyway: the record is consistent, but a
reader should know what it says (E.8: weights that make a vote readable from the tally). It never fails the
election.

Findings are counted, not kept: :class:`Tally` holds per-check counts and the first failures and warnings
only, so a verification's memory does not grow with the number of ballots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

CHECK_ID = re.compile(r"(\d+)(?:\.([A-Z]))?|([A-Z]{1,2})(?:\.(\d+))?")  # two letters: Helios' and Belenios' sections
SECTIONS = "BWLEM"  # evote's sections, in report order, before the SPEC's verifications
MAX_KEPT_FAILURES = 25


class Status(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not applicable"
    CONSISTENT = "consistent"  # a step (never a finding) whose proofs hash only their commitments: systems.py


@dataclass(frozen=True)
class Finding:
    check: str  # "5.D" or "B.1", or "5" / "B" for the section's preconditions
    status: Status
    subject: str  # what was examined: "ballot id-3 › contest1 › selection2"
    message: str = ""  # what was compared, or why it failed / does not apply
    origin: str = ""  # file and field in the record
    expected: str | None = None
    found: str | None = None
    warning: bool = False  # a passed finding the report shows: see the module docstring

    def __post_init__(self) -> None:
        if not CHECK_ID.fullmatch(self.check):
            raise ValueError(f"not a check identifier: {self.check!r}")

    @property
    def verification(self) -> str:
        """The section the check belongs to: "5" for "5.D", "B" for "B.1"."""
        return section_of(self.check)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"check": self.check, "status": self.status.value, "subject": self.subject}
        for key in ("message", "origin", "expected", "found"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.warning:
            data["warning"] = True
        return data


def passed(check: str, subject: str, message: str = "", origin: str = "") -> Finding:
    return Finding(check, Status.PASSED, subject, message, origin)


def failed(check: str, subject: str, message: str, origin: str = "", *, expected: object = None, found: object = None) -> Finding:
    return Finding(
        check,
        Status.FAILED,
        subject,
        message,
        origin,
        None if expected is None else _evidence(expected),
        None if found is None else _evidence(found),
    )


def warning(check: str, subject: str, message: str, origin: str = "") -> Finding:
    """A passed finding that the report shows with its message (it does not fail the election)."""
    return Finding(check, Status.PASSED, subject, message, origin, warning=True)


def not_applicable(check: str, subject: str, reason: str, origin: str = "") -> Finding:
    return Finding(check, Status.NOT_APPLICABLE, subject, reason, origin)


def _evidence(value: object) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex().upper()
    return str(value)


def section_of(check: str) -> str:
    return check.partition(".")[0]


def sort_key(check: str) -> tuple[int, int]:
    """evote's sections B, L, E first, then the SPEC's verifications 1-14; within one, step order."""
    section, _, step = check.partition(".")
    if section.isdigit():
        return 100 + int(section), ord(step) - 64 if step else 0
    rank = SECTIONS.index(section) if section in SECTIONS else 50 + int.from_bytes(section.encode(), "big")
    return rank, int(step) if step else 0


@dataclass
class CheckCount:
    """Counts of one check id, its first failures, and the reasons it did not apply."""

    passed: int = 0
    failed: int = 0
    not_applicable: int = 0
    failures: list[Finding] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # distinct not-applicable reasons
    warnings: list[Finding] = field(default_factory=list)  # the first passed findings that are warnings

    @property
    def omitted(self) -> int:
        return self.failed - len(self.failures)


@dataclass
class Tally:
    """Findings folded into counts per check id, in the order they arrive (deterministic for one record)."""

    counts: dict[str, CheckCount] = field(default_factory=dict)
    keep: int = MAX_KEPT_FAILURES

    def add(self, finding: Finding) -> None:
        count = self.counts.setdefault(finding.check, CheckCount())
        if finding.status is Status.PASSED:
            count.passed += 1
            if finding.warning and len(count.warnings) < self.keep:
                count.warnings.append(finding)
        elif finding.status is Status.FAILED:
            count.failed += 1
            if len(count.failures) < self.keep:
                count.failures.append(finding)
        else:
            count.not_applicable += 1
            if finding.message not in count.reasons and len(count.reasons) < self.keep:
                count.reasons.append(finding.message)

    def extend(self, findings) -> None:
        for finding in findings:
            self.add(finding)

    def merge(self, other: Tally) -> None:
        """Fold another tally in after this one (chunks are merged in stream order)."""
        for check, theirs in other.counts.items():
            mine = self.counts.setdefault(check, CheckCount())
            mine.passed += theirs.passed
            mine.failed += theirs.failed
            mine.not_applicable += theirs.not_applicable
            room = self.keep - len(mine.failures)
            mine.failures.extend(theirs.failures[: max(room, 0)])
            mine.warnings.extend(theirs.warnings[: max(self.keep - len(mine.warnings), 0)])
            for reason in theirs.reasons:
                if reason not in mine.reasons and len(mine.reasons) < self.keep:
                    mine.reasons.append(reason)

    @property
    def any_failed(self) -> bool:
        return any(c.failed for c in self.counts.values())
