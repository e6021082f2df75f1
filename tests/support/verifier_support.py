"""Helpers and fixtures shared by the verifier tests (imported by the test modules)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import pytest

from support.egk_writer import write_egk_record
from support.environment import shared_path
from voting.group import STANDARD
from voting.verifier.checks import RECORD_CHECKS
from voting.verifier.checks.common import ballot_setting
from voting.verifier.findings import Status, Tally
from voting.verifier.model import ElectionRecord
from voting.verifier.readers.egk import open_egk
from voting.verifier.report import Report
from voting.verifier.worker import ChunkResult, run_check, verify_chunk

SAMPLE = ("samples", "egk-2.0-allAvailableJson")
DEVICE = "encrypted_ballots/runWorkflowAllAvailableJson"


def sample_path() -> Path:
    return shared_path(*SAMPLE)


def copy_record(source: Path, target: Path) -> Path:
    """A writable copy (the shared data is read-only and never written)."""
    shutil.copytree(source, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    target.chmod(0o755)
    return target


def edit(root: Path, name: str, change: Callable[[dict], object]) -> None:
    path = root / name
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc, indent=2))


def times_g(hex_value: str) -> str:
    """Another element of Z_p^r: x·g mod p."""
    return (int(hex_value, 16) * STANDARD.g % STANDARD.p).to_bytes(512, "big").hex().upper()


def plus_one(hex_value: str) -> str:
    width = len(hex_value)
    return ((int(hex_value, 16) + 1) % (1 << (4 * width))).to_bytes(width // 2, "big").hex().upper()


NON_MEMBER = (STANDARD.p - 1).to_bytes(512, "big").hex().upper()  # order 2, not in the order-q subgroup
Q_HEX = int(STANDARD.q).to_bytes(32, "big").hex().upper()  # a response v = q is not in Z_q


def record_tally(root: Path, *, upto: int = 14, opener: Callable[[Path], ElectionRecord] = open_egk) -> Tally:
    """The record-level checks of Verifications 1..``upto`` on ``root`` (read by ``opener``), without
    streaming the ballots."""
    record = opener(root)
    tally = Tally()
    for function in RECORD_CHECKS:
        if int(function.__name__[1:].split("_")[0]) <= upto:
            run_check(function, (record,), tally, "election record")
    return tally


def ballot_result(root: Path, ballot_ids: set[str], opener: Callable[[Path], ElectionRecord] = open_egk) -> ChunkResult:
    """The verifier's worker run on the given ballots of ``root`` (read by ``opener``; the ballot checks 5-7, 12-14)."""
    record = opener(root)
    raws = [raw for raw in record.ballots() if raw.id in ballot_ids]
    assert {raw.id for raw in raws} == ballot_ids
    return verify_chunk(ballot_setting(record), record.decoder, raws)


def failed_steps(tally_or_report) -> set[str]:
    if isinstance(tally_or_report, Report):
        return {s.id for v in tally_or_report.verifications for s in v.steps if s.status is Status.FAILED}
    return {check for check, count in tally_or_report.counts.items() if count.failed}


def failures(tally: Tally, check: str) -> list:
    count = tally.counts.get(check)
    return [] if count is None else count.failures


def report_failures(report: Report, check: str) -> list:
    return [f for v in report.verifications for s in v.steps if s.id == check for f in s.count.failures]


def comparable(report: Report) -> dict:
    """The report's JSON without what depends on the run (time, worker count)."""
    data = report.to_json()
    data["statistics"] = {k: v for k, v in data["statistics"].items() if k not in ("seconds", "workers", "scheduler")}
    return data


@pytest.fixture(scope="session")
def absent_guardian_record(tmp_path_factory) -> Path:
    """n = 3, k = 2; guardian 2 is absent at decryption; one challenged ballot; the tally decrypts contest data."""
    root = tmp_path_factory.mktemp("absent") / "record"
    write_egk_record(root, n=3, k=2, available=(1, 3), tally_contest_data=True)
    return root


@pytest.fixture(scope="session")
def chained_record(tmp_path_factory) -> Path:
    """Chained confirmation codes on one device (egk's rules), n = k = 2, one challenged ballot."""
    root = tmp_path_factory.mktemp("chained") / "record"
    write_egk_record(root, n=2, k=2, available=(1, 2), chained=True)
    return root
