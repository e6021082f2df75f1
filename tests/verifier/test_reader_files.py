"""The verifier reads only regular files of the record, each within its size limit, and a bad file fails
only what it holds (issue 13 item 9; voting/verifier/readers/files.py, docs/verification-checks.md).

A named pipe or a link to /dev/zero in place of a record file is planted in a copy of a generated record and
the command runs in a subprocess, with a timeout and a memory ceiling: without the checks the pipe blocks the
verifier and /dev/zero is read until memory runs out. Files that can only be too large, too deep or of the
wrong type are tested in this process.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.evote_support import verified
from support.processes import REPO, env
from support.verifier_support import absent_guardian_record, copy_record  # noqa: F401

from voting.verifier import open_record
from voting.verifier.cli import main
from voting.verifier.model import RecordUnreadable
from voting.verifier.readers.egk import open_egk
from voting.verifier.readers.files import DEFAULT_LIMITS, Limits
from voting.verifier.receipt import read_receipt
from voting.verifier.run import verify

TIMEOUT = 90
MEMORY = 3 << 30  # the verifier needs a few hundred MB; reading /dev/zero would need it all
BALLOT = "encrypted_ballots/device1/eballot-b2.json"  # a cast ballot of the record; b1, b3 (challenged), b4 are good
SELECTIONS_OF_THE_OTHERS = 15  # 3 ballots x 5 options


def _ceiling() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_verifier(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "voting.verifier.cli", *args]
    return subprocess.run(command, cwd=REPO, env=env(), capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=_ceiling)


def cli_report(root: Path, tmp_path: Path, *options: str) -> tuple[subprocess.CompletedProcess, dict]:
    report = tmp_path / "report.json"
    result = run_verifier(str(root), "--workers", "1", "--json", str(report), *options)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-3000:]
    assert report.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    return result, json.loads(report.read_text())


def steps_of(report: dict) -> dict[str, dict]:
    return {s["id"]: s for v in report["verifications"] for s in v["steps"]}


def assert_only_that_ballot_failed(report: dict, reason: str) -> None:
    """The planted ballot fails Verification 5 with ``reason``, naming its file; the other three are verified."""
    steps = steps_of(report)
    (finding,) = steps["5"]["failures"]
    assert (finding["subject"], finding["origin"]) == ("ballot b2", BALLOT)
    assert reason in finding["message"], finding["message"]
    assert {f["subject"] for f in steps["5.D"]["failures"]} == {"ballot b2"}
    assert steps["5.D"]["passed"] == SELECTIONS_OF_THE_OTHERS  # every selection of the other ballots verified
    assert report["statistics"]["ballots"] == 4 and report["statistics"]["selections"] == SELECTIONS_OF_THE_OTHERS
    assert not any("stopped" in f["message"] for s in steps.values() for f in s.get("failures", ()))


def planted(source: Path, tmp_path: Path, name: str, plant) -> Path:
    root = copy_record(source, tmp_path / "record")
    path = root / name
    path.unlink()
    plant(path)
    return root


# --- a ballot file that is not a ballot: one finding for that ballot, the others verified ---------------


@pytest.mark.parametrize(
    "plant, reason",
    [
        (os.mkfifo, "is a named pipe (FIFO), not a regular file"),
        (lambda path: path.symlink_to("/dev/zero"), "is a symbolic link to /dev/zero, outside the record's directory"),
    ],
    ids=["named pipe", "link to /dev/zero"],
)
def test_a_pipe_or_a_device_as_a_ballot_file_fails_that_ballot(tmp_path, absent_guardian_record, plant, reason):
    root = planted(absent_guardian_record, tmp_path, BALLOT, plant)
    result, report = cli_report(root, tmp_path)
    assert result.returncode == 1 and "NOT VERIFIED" in result.stdout
    assert_only_that_ballot_failed(report, reason)


def _write(data: bytes):
    return lambda path: path.write_bytes(data)


def _padded_ballot(source: Path, size: int):
    """The ballot itself, valid JSON, with spaces up to ``size`` bytes."""
    data = (source / BALLOT).read_bytes()
    return _write(data + b" " * (size - len(data)))


def _nested(depth: int) -> bytes:
    return b'{"ballot_id": "b2", "state": "CAST", "contests": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize(
    "name, limit, workers, reason",
    [
        ("50 MB of [", None, 1, "is 52428800 bytes, more than the verifier reads for a ballot file (4194304 bytes"),
        ("50 MB of [ under a larger limit", 64, 1, "is not readable JSON: nests arrays or objects too deeply to be read"),
        ("nested 600 deep, under the parser's limit", None, 2, "nests arrays or objects more than 64 levels deep"),
        ("a directory", None, 1, "is a directory, not a file"),
        ("one byte over the limit", None, 1, "is 4194305 bytes, more than the verifier reads for a ballot file"),
        ("a link to a ballot outside the record", None, 1, "outside the record's directory"),
    ],
)
def test_a_ballot_file_too_large_too_deep_or_no_file_fails_that_ballot(
    tmp_path, absent_guardian_record, name, limit, workers, reason
):
    outside = tmp_path / "outside.json"
    outside.write_bytes((absent_guardian_record / BALLOT).read_bytes())
    plant = {
        "50 MB of [": _write(b"[" * (50 << 20)),
        "50 MB of [ under a larger limit": _write(b"[" * (50 << 20)),
        "nested 600 deep, under the parser's limit": _write(_nested(600)),  # parses, but cannot be sent to a worker
        "a directory": lambda path: path.mkdir(),
        "one byte over the limit": _padded_ballot(absent_guardian_record, DEFAULT_LIMITS.ballot + 1),
        "a link to a ballot outside the record": lambda path: path.symlink_to(outside),
    }[name]
    root = planted(absent_guardian_record, tmp_path, BALLOT, plant)
    limits = Limits.uniform(limit << 20) if limit else DEFAULT_LIMITS
    report = verify(open_egk(root, limits), workers=workers).to_json()
    assert report["result"] == "failed"
    assert_only_that_ballot_failed(report, reason)


def test_a_link_to_a_file_inside_the_record_is_followed(tmp_path, absent_guardian_record):
    root = copy_record(absent_guardian_record, tmp_path / "record")
    (root / "kept").mkdir()
    (root / BALLOT).rename(root / "kept" / "b2.json")
    (root / BALLOT).symlink_to(Path("../../kept/b2.json"))
    padded = root / "encrypted_ballots/device1/eballot-b4.json"
    padded.write_bytes(padded.read_bytes() + b" " * (DEFAULT_LIMITS.ballot - padded.stat().st_size))  # exactly the limit
    report = verify(open_egk(root), workers=1)
    assert report.passed and report.statistics["selections"] == 20


def test_max_file_mib_lets_an_observer_read_larger_files(tmp_path, absent_guardian_record):
    root = planted(absent_guardian_record, tmp_path, BALLOT, _padded_ballot(absent_guardian_record, DEFAULT_LIMITS.ballot + 1))
    refused = CliRunner().invoke(main, [str(root), "--workers", "1"], catch_exceptions=False)
    assert refused.exit_code == 1 and "more than the verifier reads for a ballot file" in refused.output
    allowed = CliRunner().invoke(main, [str(root), "--workers", "1", "--max-file-mib", "5"], catch_exceptions=False)
    assert allowed.exit_code == 0, allowed.output


# --- the record's other files -----------------------------------------------------------------------


def test_pipes_as_egk_record_files_are_findings_naming_them(tmp_path, absent_guardian_record):
    root = copy_record(absent_guardian_record, tmp_path / "record")
    for name in ("tally.json", "challenged_ballots/dballot-b3.json"):
        (root / name).unlink()
        os.mkfifo(root / name)
    result, report = cli_report(root, tmp_path)
    assert result.returncode == 1
    steps = steps_of(report)
    assert steps["9.B"]["failures"][0]["message"].endswith("tally.json: is a named pipe (FIFO), not a regular file")
    (challenged,) = steps["12"]["failures"]
    assert (challenged["subject"], challenged["origin"]) == ("ballot b3", "challenged_ballots/dballot-b3.json")
    assert challenged["message"].endswith("is a named pipe (FIFO), not a regular file")
    assert steps["5.D"]["status"] == "passed" and steps["8.A"]["status"] == "passed"  # the rest is still verified


@pytest.mark.parametrize("plant", [os.mkfifo, lambda path: path.symlink_to("/dev/zero")], ids=["named pipe", "link to /dev/zero"])
def test_entries_that_cannot_be_read_are_a_finding_naming_the_file(tmp_path, rich, plant):
    root = planted(rich.path, tmp_path, "entries.jsonl", plant)
    result, report = cli_report(root, tmp_path)
    assert result.returncode == 1 and "NOT VERIFIED" in result.stdout
    board = steps_of(report)["B.1"]["failures"][0]
    assert board["message"].startswith("cannot run: entries.jsonl cannot be read: is a ")
    assert ("named pipe" if plant is os.mkfifo else "/dev/zero") in board["message"]


def test_pipes_as_the_checkpoint_and_the_board_key_fail_their_steps_only(tmp_path, rich):
    root = copy_record(rich.path, tmp_path / "record")
    for name in ("checkpoint.txt", "board-key.json"):
        (root / name).unlink()
        os.mkfifo(root / name)
    result, report = cli_report(root, tmp_path)
    assert result.returncode == 1
    steps = steps_of(report)
    assert "checkpoint.txt: is a named pipe (FIFO), not a regular file" in steps["B.2"]["failures"][0]["message"]
    assert "board-key.json: is a named pipe (FIFO), not a regular file" in steps["B.3"]["failures"][0]["message"]
    assert steps["B.1"]["status"] == "passed" and steps["5.D"]["status"] == "passed" and steps["E.5"]["status"] == "passed"


def _replace_line(root: Path, kind: str, change) -> int:
    """Replace the first line of ``kind`` in entries.jsonl by ``change(item)`` (bytes); its seq."""
    path = root / "entries.jsonl"
    lines = path.read_bytes().split(b"\n")
    seq = next(n for n, line in enumerate(lines) if line and json.loads(line)["kind"] == kind)
    lines[seq] = change(json.loads(lines[seq]))
    path.write_bytes(b"\n".join(lines))
    return seq


def test_an_entry_longer_than_the_limit_is_skipped_unread(tmp_path, rich):
    root = copy_record(rich.path, tmp_path / "record")
    seq = _replace_line(root, "ballot.cast", lambda item: b"[" * (DEFAULT_LIMITS.entry + 1))
    report = verified(root)
    (finding,) = steps_of(report.to_json())["B.4"]["failures"]
    assert finding["origin"] == f"entries.jsonl: line {seq + 1}"
    assert finding["message"] == (
        f"the line is {DEFAULT_LIMITS.entry + 1} bytes, more than the verifier reads for one entry "
        f"({DEFAULT_LIMITS.entry} bytes; evote-verify --max-file-mib sets it)"
    )
    assert report.statistics["ballots"] == 7  # the others are all verified
    assert steps_of(report.to_json())["5.D"]["failed"] == 0


def test_a_deeply_nested_entry_does_not_stop_the_workers(tmp_path, rich):
    """A tally.result nested 600 deep parses, but its challenged ballots' decryptions could not be sent to a
    worker process: the whole ballot stream stopped. The line is not an entry (the board refuses payloads
    nested deeper than 32 levels); the ballots are all still verified."""
    root = copy_record(rich.path, tmp_path / "record")

    def deepen(item: dict) -> bytes:
        item["payload"]["challenged"][0]["note"] = json.loads("[" * 600 + "]" * 600)
        return json.dumps(item, separators=(",", ":")).encode()

    _replace_line(root, "tally.result", deepen)
    record = open_record(root)
    try:
        report = verify(record, workers=2, chunk_size=1).to_json()
    finally:
        record.close()
    steps = steps_of(report)
    assert any("nests arrays or objects more than 64 levels deep" in f["message"] for f in steps["B.4"]["failures"])
    assert not any("stopped" in f["message"] for s in steps.values() for f in s.get("failures", ()))
    assert report["statistics"]["ballots"] == 8 and steps["5.D"]["failed"] == 0


# --- a voter's receipt ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "plant, reason",
    [
        (os.mkfifo, "is a named pipe (FIFO), not a regular file"),
        (lambda path: path.symlink_to("/dev/zero"), "is a character device, not a regular file"),
    ],
    ids=["named pipe", "link to /dev/zero"],
)
def test_a_receipt_that_is_not_a_file_is_refused_unread(tmp_path, plant, reason):
    receipt = tmp_path / "receipt.json"
    plant(receipt)
    result = run_verifier("receipt", str(receipt), "--board", "http://127.0.0.1:9")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"cannot read the receipt: {receipt}: {reason}" in " ".join(result.stderr.split())


def test_a_receipt_larger_than_the_limit_is_refused_unread(tmp_path):
    receipt = tmp_path / "receipt.json"
    receipt.write_bytes(b'{"receipt": {}}' + b" " * DEFAULT_LIMITS.small)
    with pytest.raises(RecordUnreadable) as refused:
        read_receipt(receipt)
    assert str(refused.value) == f"{receipt}: is {DEFAULT_LIMITS.small + 15} bytes, more than the verifier reads for a receipt" \
        f" ({DEFAULT_LIMITS.small} bytes)"  # fmt: skip
