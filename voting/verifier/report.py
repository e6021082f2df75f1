"""The verification report: the checklist with each step's counts and first failures, as data and JSON.

Rendering for people lives in :mod:`.html` and :mod:`.cli`; this module only arranges the results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .checks import PRECONDITIONS, all_steps, checklist_for
from .findings import CheckCount, Finding, Status, Tally, section_of, sort_key

REPORT_FORMAT = "evote-verify-report/1"


@dataclass(frozen=True)
class StepResult:
    id: str  # "5.D" or "B.1", or "5" / "B" for the section's preconditions
    text: str  # the SPEC's words for the step
    count: CheckCount
    weak: str | None = None  # what a pass is called when the step's proofs are weak Fiat-Shamir (systems.py)

    @property
    def status(self) -> Status:
        if self.count.failed:
            return Status.FAILED
        if self.count.passed:
            return Status.CONSISTENT if self.weak else Status.PASSED
        return Status.NOT_APPLICABLE

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "status": self.status.value,
            "passed": self.count.passed,
            "failed": self.count.failed,
            "not_applicable": self.count.not_applicable,
        }
        if self.status is Status.CONSISTENT:
            data["means"] = self.weak
        if self.count.warnings:
            data["warnings"] = [f.to_json() for f in self.count.warnings]
        if self.count.failures:
            data["failures"] = [f.to_json() for f in self.count.failures]
            data["failures_not_shown"] = self.count.omitted
        if self.count.reasons and not self.count.passed and not self.count.failed:
            data["not_applicable_because"] = list(self.count.reasons)
        return data


@dataclass(frozen=True)
class VerificationResult:
    number: int | str  # the SPEC's verification number, or an evote section letter
    title: str
    section: str
    steps: tuple[StepResult, ...]

    @property
    def status(self) -> Status:
        statuses = {s.status for s in self.steps}
        if Status.FAILED in statuses:
            return Status.FAILED
        if Status.CONSISTENT in statuses:
            return Status.CONSISTENT
        if Status.PASSED in statuses:
            return Status.PASSED
        return Status.NOT_APPLICABLE

    @property
    def passed(self) -> int:
        return sum(s.count.passed for s in self.steps)

    @property
    def failed(self) -> int:
        return sum(s.count.failed for s in self.steps)

    def warnings(self) -> list[Finding]:
        """Passed findings the report shows (they do not fail the verification)."""
        return [f for s in self.steps for f in s.count.warnings]

    def first_failures(self, limit: int = 3) -> list[Finding]:
        found = [f for s in self.steps for f in s.count.failures]
        return found[:limit]

    def to_json(self) -> dict[str, Any]:
        return {
            "verification": self.number,
            "title": self.title,
            "spec_section": self.section,
            "status": self.status.value,
            "steps": [s.to_json() for s in self.steps],
        }


@dataclass
class Report:
    record: str
    format: str
    conventions: str
    notes: tuple[str, ...]
    verifications: tuple[VerificationResult, ...]
    statistics: dict[str, Any] = field(default_factory=dict)
    verified_result: dict[str, Any] | None = None  # docs/record-format.md §8.5, set by voting/verifier/result.py
    no_result_because: str = "the result was not computed"
    specification: str | None = None  # another system's checklist (systems.py); None: the SPEC's
    weak_fiat_shamir: str | None = None  # what a weak-Fiat-Shamir pass is called (systems.WEAK_FIAT_SHAMIR)

    @property
    def passed(self) -> bool:
        """No check failed (for a record with weak-Fiat-Shamir proofs, see :attr:`outcome`)."""
        return all(v.status is not Status.FAILED for v in self.verifications)

    @property
    def outcome(self) -> str:
        """"passed"; "failed"; or "consistent": no check failed, but some proofs are only consistent under a
        weak Fiat-Shamir transform, which does not bind a malicious prover (never reported as a plain pass)."""
        if not self.passed:
            return "failed"
        if any(v.status is Status.CONSISTENT for v in self.verifications):
            return "consistent"
        return "passed"

    def summary(self) -> dict[str, int]:
        """How many checks were made (instances of steps passed or failed) and how the steps came out."""
        steps = [s for v in self.verifications for s in v.steps]
        counts = {
            "checks": sum(s.count.passed + s.count.failed for s in steps),
            "steps_passed": sum(s.status is Status.PASSED for s in steps),
            "steps_failed": sum(s.status is Status.FAILED for s in steps),
            "steps_not_applicable": sum(s.status is Status.NOT_APPLICABLE for s in steps),
        }
        if self.weak_fiat_shamir is not None:
            counts["steps_consistent"] = sum(s.status is Status.CONSISTENT for s in steps)
        return counts

    def to_json(self) -> dict[str, Any]:
        specification = self.specification or "ElectionGuard Design Specification v2.0.0, §6.2, Verifications 1-14"
        if self.format == "evote":
            specification += "; evote record format (docs/record-format.md): sections B, L, E"
            if any(v.number == "W" for v in self.verifications):
                specification += "; witnesses and trust anchors: section W"
        return {
            "format": REPORT_FORMAT,
            "specification": specification,
            "record": self.record,
            "record_format": self.format,
            "conventions": {"name": self.conventions, "departures_from_spec": list(self.notes)},
            "result": self.outcome,
            **({"result_means": self.weak_fiat_shamir} if self.outcome == "consistent" else {}),
            "summary": self.summary(),
            "statistics": self.statistics,
            "verifications": [v.to_json() for v in self.verifications],
            **(
                {"verified_result": self.verified_result}
                if self.verified_result is not None
                else {"verified_result_absent_because": self.no_result_because}
            ),
        }


def build_report(
    record: str,
    format: str,
    conventions: str,
    notes: tuple[str, ...],
    tally: Tally,
    statistics: dict[str, Any],
    witnessed: bool = False,
) -> Report:
    steps = all_steps(format, witnessed)
    results = []
    for verification in checklist_for(format, witnessed):
        section = str(verification.number)
        ids = [s for s in steps if section_of(s) == section]
        ids += [c for c in tally.counts if section_of(c) == section and c not in ids]
        ordered = sorted(ids, key=lambda c: (c != section, sort_key(c)))
        results.append(
            VerificationResult(
                verification.number,
                verification.title,
                verification.section,
                tuple(
                    StepResult(c, steps.get(c, PRECONDITIONS.get(verification.number, "")), tally.counts.get(c, CheckCount()))
                    for c in ordered
                ),
            )
        )
    return Report(record, format, conventions, notes, tuple(results), statistics)
