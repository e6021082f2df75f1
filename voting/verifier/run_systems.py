"""Running another system's checklist (Helios, Belenios: :mod:`.systems`) over its record.

The same machinery as the SPEC's checklist (:mod:`.run`): record checks first, then the ballots streamed in
chunks to the workers (inline, a fork-server pool or a Dask cluster), with at most a few chunks in flight
and results merged in stream order, then the summary checks over the merged accumulator. A step that no
check reported on fails as "no result"; a worker that raises or dies fails the verification with the reason.
"""

from __future__ import annotations

import os
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .checks import steps_of
from .findings import CheckCount, Tally, failed, section_of, sort_key
from .report import Report, StepResult, VerificationResult
from .run import CHUNK_SIZE, make_executor
from .systems import WEAK_FIAT_SHAMIR, Section, SystemRecord
from .worker import chunks, run_check

Progress = Callable[[int], None]
SPECIFICATIONS = {
    "helios": "Helios v3 as helios-server publishes it (helios/crypto, helios/workflows/homomorphic.py); "
    "docs/verification-checks.md, Helios records",
    "belenios": "Belenios' specification (doc/specification.tex) of the version the record names; "
    "docs/verification-checks.md, Belenios records",
}


@dataclass
class SystemChunk:
    """What a worker sends back for one chunk: the findings, the chunk's accumulator, how many ballots."""

    tally: Tally
    accumulator: Any
    ballots: int


def verify_system_chunk(setting: Any, ballot_checks: tuple[Callable, ...], ballots: list[Any]) -> SystemChunk:
    """Run the ballot checks on one chunk (in a worker): ``f(setting, ballot, accumulator)`` per ballot."""
    tally = Tally()
    accumulator = setting.new_accumulator()
    for ballot in ballots:
        subject = str(getattr(ballot, "subject", "ballot"))
        for function in ballot_checks:
            run_check(function, (setting, ballot, accumulator), tally, subject)
    return SystemChunk(tally, accumulator, len(ballots))


def verify_system(
    record: SystemRecord,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
) -> Report:
    """Verify a Helios or Belenios record with its own checklist; the report has one part per section."""
    started = time.perf_counter()
    workers = workers or os.cpu_count() or 1
    tally = Tally()
    for function in (f for s in record.sections for f in s.record):
        run_check(function, (record,), tally, "election record")
    accumulator, ballots, interrupted = _stream(record, tally, workers, scheduler, chunk_size, progress)
    if interrupted is None:
        for function in (f for s in record.sections for f in s.summary):
            run_check(function, (record, accumulator), tally, "election record")
    steps = _steps(record.sections)
    for step in steps:
        if step not in tally.counts:
            tally.add(failed(step, "election record", "no result: no check reported on this step"))
    statistics = {"ballots": ballots, **record.statistics, "workers": workers if scheduler is None else None,
                  "scheduler": scheduler, "seconds": round(time.perf_counter() - started, 3)}  # fmt: skip
    weak = WEAK_FIAT_SHAMIR.get(record.format)
    report = Report(
        record.location,
        record.format,
        record.conventions,
        tuple(record.notes),
        tuple(_section_result(section, steps, tally, weak) for section in record.sections),
        statistics,
        specification=SPECIFICATIONS.get(record.format),
        weak_fiat_shamir=weak if any(s.weak_fiat_shamir for s in record.sections) else None,
    )
    if report.passed:
        try:
            report.verified_result = record.verified_result(accumulator)
        except Exception as exc:  # the result cannot be stated; the report says why, the checks stand
            report.no_result_because = f"the result could not be computed ({type(exc).__name__}: {exc})"
        if report.verified_result is None and report.no_result_because == "the result was not computed":
            report.no_result_because = "the record has no result to verify"
    else:
        report.no_result_because = "the record did not pass, so no result is stated"
    return report


def _stream(record, tally, workers, scheduler, chunk_size, progress) -> tuple[Any, int, str | None]:
    ballot_checks = tuple(f for s in record.sections for f in s.ballot)
    accumulator = record.setting.new_accumulator()
    ballots = 0
    interrupted = None
    pending: deque[Any] = deque()
    executor = None
    try:
        executor = make_executor(workers, scheduler)
        in_flight = 2 * max(1, executor.slots)
        shared = executor.share(record.setting, ballot_checks)

        def collect(future) -> None:
            nonlocal ballots
            result: SystemChunk = future.result()
            tally.merge(result.tally)
            accumulator.merge(result.accumulator)
            ballots += result.ballots
            if progress is not None:
                progress(ballots)

        for chunk in chunks(record.ballots(), chunk_size):
            pending.append(executor.submit(verify_system_chunk, *shared, chunk))
            if len(pending) >= in_flight:
                collect(pending.popleft())
        while pending:
            collect(pending.popleft())
    except Exception as exc:  # a reader or a worker failed: the ballots were not all verified
        interrupted = f"{type(exc).__name__}: {exc}"
        for future in pending:
            future.cancel()
        steps = [step for f in ballot_checks for step in steps_of(f)] or [s.id for s in record.sections]
        for step in steps:
            tally.add(failed(step, "ballots", f"the ballot verification stopped after {ballots} ballots: {interrupted}"))
    finally:
        if executor is not None:
            executor.close()
    return accumulator, ballots, interrupted


def _steps(sections: Iterable[Section]) -> dict[str, str]:
    steps: dict[str, str] = {}
    for section in sections:
        for function in section.record + section.ballot + section.summary:
            steps.update(steps_of(function))
    return steps


def _section_result(section: Section, steps: dict[str, str], tally: Tally, weak: str | None) -> VerificationResult:
    ids = [s for s in steps if section_of(s) == section.id]
    ids += [c for c in tally.counts if section_of(c) == section.id and c not in ids]
    ordered = sorted(ids, key=lambda c: (c != section.id, sort_key(c)))
    return VerificationResult(
        section.id,
        section.title,
        section.source,
        tuple(
            StepResult(c, steps.get(c, "the section's preconditions"), tally.counts.get(c, CheckCount()),
                       weak if c in section.weak_fiat_shamir else None)  # fmt: skip
            for c in ordered
        ),
    )
