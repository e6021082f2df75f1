"""Running the checklist over a record: record checks, the ballot stream in parallel, then summary checks.

Ballots stream from the reader in chunks to ``workers`` processes (or, with ``scheduler``, to a Dask
cluster); at most a few chunks are in flight, and results come back in stream order, so the outcome does not
depend on the number of workers and memory does not grow with the number of ballots. A worker that raises
or dies stops the stream and fails the verification with the reason.

Worker processes start from a fork server, which imports the calling program's main module: a program that
calls :func:`verify` with ``workers > 1`` guards its entry point with ``if __name__ == "__main__":``, as
multiprocessing requires (``evote-verify`` does).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable

from . import checks
from .checks import RECORD_CHECKS, SUMMARY_CHECKS, all_steps, steps_of
from .checks.aggregation import Products, merge_products
from .checks.board import b5_log_extends_saved_checkpoint
from .checks.common import ballot_setting
from .checks.credential_authority import credentials_statistics
from .findings import Finding, Tally, failed, not_applicable
from .model import BallotDigest, ElectionRecord, StreamSummary
from .report import Report, build_report
from .spool import Spool
from .worker import ChunkResult, ballot_checks, chunks, run_check, verify_chunk

CHUNK_SIZE = 8
Progress = Callable[[int], None]


def verify(
    record: ElectionRecord,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
    chunk_worker: Callable[..., ChunkResult] = verify_chunk,
) -> Report:
    """Verify ``record`` and return the report. ``workers`` defaults to all cores; 1 runs in this process.

    ``chunk_worker`` is the function run on each chunk; it is a parameter so that tests can put a failing
    worker in its place.
    """
    started = time.perf_counter()
    workers = workers or os.cpu_count() or 1
    tally = Tally()
    record_checks, summary_checks = _checks(record)
    witnessed = record.evote is not None and record.evote.trust is not None
    if record.evote is not None and record.evote.saved is not None:
        _gate(record, tally)
        record_checks = tuple(f for f in record_checks if f is not b5_log_extends_saved_checkpoint)
    for function in record_checks:
        run_check(function, (record,), tally, "election record")
    with Spool[BallotDigest]() as digests:
        summary = _stream(record, tally, digests, workers, scheduler, chunk_size, progress, chunk_worker)
        _ballot_steps_without_ballots(record, summary, tally)
        for function in summary_checks:
            run_check(function, (record, summary), tally, "election record")
    for step in all_steps(record.format, witnessed):
        if step not in tally.counts:
            tally.add(failed(step, "election record", "no result: no check reported on this step"))
    statistics = {
        "ballots": summary.ballots,
        "cast": summary.cast,
        "challenged": summary.challenged,
        "selections": summary.selections,
        "workers": workers if scheduler is None else None,
        "scheduler": scheduler,
        "seconds": round(time.perf_counter() - started, 3),
    }
    if record.evote is not None:
        statistics.update(record.evote.statistics())
        credentials = credentials_statistics(record.evote)
        if credentials is not None:
            statistics["credentials"] = credentials
        statistics["verified_before"] = summary.verified_before
    conventions = record.conventions
    return build_report(record.location, record.format, conventions.name, conventions.notes, tally, statistics, witnessed)


class HistoryNotExtended(Exception):
    """Incremental verification refused: the board's log does not extend the saved checkpoint (B.5).

    ``finding`` holds the evidence: both checkpoints and the consistency proof.
    """

    def __init__(self, finding: Finding):
        self.finding = finding
        super().__init__(finding.message)


def _checks(record: ElectionRecord) -> tuple[tuple, tuple]:
    """The record checks and summary checks of the record's checklist (module attributes read at call time)."""
    if record.format != "evote":
        return RECORD_CHECKS, SUMMARY_CHECKS
    witness = checks.WITNESS_RECORD_CHECKS if record.evote is not None and record.evote.trust is not None else ()
    return checks.EVOTE_RECORD_CHECKS + witness + RECORD_CHECKS, checks.EVOTE_SUMMARY_CHECKS + SUMMARY_CHECKS


def _gate(record: ElectionRecord, tally: Tally) -> None:
    """--since: B.5 first; when the log does not extend the saved checkpoint, nothing else is verified."""
    gate = Tally()
    run_check(b5_log_extends_saved_checkpoint, (record,), gate, "board log")
    count = gate.counts.get("B.5")
    if count is None or count.failed or not count.passed:
        finding = count.failures[0] if count and count.failures else failed("B.5", "board log", "no result")
        raise HistoryNotExtended(finding)
    tally.merge(gate)


def _ballot_steps_without_ballots(record: ElectionRecord, summary: StreamSummary, tally: Tally) -> None:
    """Ballot steps that no ballot needed: a live record without ballots yet, or (--since) only ballots
    verified by the earlier run. They do not apply, with the reason; otherwise they fail as "no result"."""
    if summary.interrupted:
        return
    if summary.ballots == 0 and record.ballots_optional:
        reason = "the record has no ballots yet"
    elif summary.verified_before:
        reason = (
            f"no ballot appended after the saved checkpoint needed this step ({summary.verified_before} were verified before it)"
        )
    else:
        return
    for function in ballot_checks(ballot_setting(record)):
        for step in steps_of(function):
            if step not in tally.counts:
                tally.add(not_applicable(step, "ballots", reason))


def _stream(record, tally, digests, workers, scheduler, chunk_size, progress, chunk_worker) -> StreamSummary:
    setting = ballot_setting(record)
    products: Products = {}
    counts = {"ballots": 0, "cast": 0, "challenged": 0, "selections": 0, "verified_before": 0}
    interrupted = None
    executor = None
    pending: deque[Any] = deque()
    try:
        executor = make_executor(workers, scheduler)
        in_flight = 2 * max(1, executor.slots)
        shared = executor.share(setting, record.decoder)

        def collect(future) -> None:
            result: ChunkResult = future.result()
            tally.merge(result.tally)
            for digest in result.digests:
                digests.append(digest)
            merge_products(products, result.products)
            for key in counts:
                counts[key] += getattr(result, key)
            if progress is not None:
                progress(counts["ballots"])

        for chunk in chunks(record.ballots(), chunk_size):
            pending.append(executor.submit(chunk_worker, *shared, chunk))
            if len(pending) >= in_flight:
                collect(pending.popleft())
        while pending:
            collect(pending.popleft())
    except Exception as exc:  # a worker raised or died: the stream is incomplete and the verification fails
        interrupted = f"{type(exc).__name__}: {exc}"
        for future in pending:
            future.cancel()
        tally.add(failed("5", "ballots", f"the ballot verification stopped after {counts['ballots']} ballots: {interrupted}"))
    finally:
        if executor is not None:
            executor.close()
    return StreamSummary(digests=lambda: iter(digests), products=products, interrupted=interrupted, **counts)


class _Inline:
    """Runs each chunk in this process, at once (workers = 1)."""

    slots = 1

    def share(self, *values):
        return values

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def close(self) -> None:
        pass


class _Processes(_Inline):
    """A pool of worker processes started by a fork server (clean processes, no inherited threads)."""

    def __init__(self, workers: int):
        self.slots = workers
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))

    def submit(self, fn, *args) -> Future:
        return self.pool.submit(fn, *args)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Dask(_Inline):
    """Chunks run on a Dask distributed cluster; the setting and decoder are sent to every worker once."""

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise RuntimeError("--scheduler needs Dask: pip install 'evote[dask]'") from exc
        self.client = Client(address, set_as_default=False)
        self.slots = max(1, sum(self.client.nthreads().values()))

    def share(self, *values):
        return tuple(self.client.scatter(value, broadcast=True) for value in values)

    def submit(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)

    def close(self) -> None:
        self.client.close()


def make_executor(workers: int, scheduler: str | None):
    """Where chunks run: inline (1 worker), a fork-server process pool, or a Dask cluster (``scheduler``)."""
    if scheduler is not None:
        return _Dask(scheduler)
    if workers <= 1:
        return _Inline()
    return _Processes(workers)
