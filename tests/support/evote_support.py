"""Fixtures and helpers shared by the evote verifier tests (imported by the test modules)."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from click.testing import CliRunner
from werkzeug.serving import make_server

from voting.verifier import open_record, verify
from voting.verifier.checks.board import b1_b2_b4_entries, b3_checkpoint_signature
from voting.verifier.cli import main
from voting.verifier.findings import Status, Tally
from voting.verifier.report import Report
from voting.verifier.worker import run_check


def verified(path: Path | str, **options) -> Report:
    record = open_record(path, **options)
    try:
        return verify(record, workers=1)
    finally:
        record.close()


def failed_steps(report: Report) -> set[str]:
    return {s.id for v in report.verifications for s in v.steps if s.status is Status.FAILED}


def step(report: Report, check: str):
    return next(s for v in report.verifications for s in v.steps if s.id == check)


def board_checks(path: Path) -> Tally:
    """Only B.1-B.4 on an export (quick: no replay, no ballot)."""
    record = open_record(path)
    tally = Tally()
    for function in (b1_b2_b4_entries, b3_checkpoint_signature):
        run_check(function, (record,), tally, "board")
    return tally


def failed_in(tally: Tally) -> set[str]:
    return {check for check, count in tally.counts.items() if count.failed}


def run_cli(*args: str):
    return CliRunner().invoke(main, [*args], catch_exceptions=False)


@contextmanager
def serve_app(app) -> Iterator[str]:
    """Serve a board application over HTTP on a loopback port (a thread) for the block; yields its URL."""
    werkzeug = logging.getLogger("werkzeug")
    previous_level = werkzeug.level
    werkzeug.setLevel(logging.WARNING)  # no line per request; restored so later tests still see their requests
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        werkzeug.setLevel(previous_level)
