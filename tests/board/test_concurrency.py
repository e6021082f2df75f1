"""1000 appends from 8 concurrent writers (threads, then processes) on each backend, and a SIGKILL crash."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from bulletin_board.log_format.merkle_proofs import MemoryTree

from .conftest import PYTHON, subprocess_env

WRITERS = 8
PER_WRITER = 125
WRITER = Path(__file__).with_name("writer_proc.py")


def check_log(log, election, acknowledged: dict[tuple[str, int], tuple[int, bytes]]):
    """Every acknowledged append is present exactly once, at its seq; seqs are contiguous; all verifies."""
    size = log.size(election)
    stored = [entry for start in range(0, size, 1000) for entry in log.entries(election, start, 1000)]
    assert [e.seq for e in stored] == list(range(size))
    keys = [(p["writer"], p["i"]) for p in (json.loads(e.payload) for e in stored)]
    assert len(keys) == len(set(keys)), "an append is present twice"
    by_key = {key: (e.seq, e.entry_hash) for key, e in zip(keys, stored, strict=False)}
    for key, (seq, entry_hash) in acknowledged.items():
        assert by_key.get(key) == (seq, entry_hash), f"acknowledged append {key} missing or moved"
    assert log.verify_chain(election).size == size
    assert log.root(election) == MemoryTree(e.entry_hash for e in stored).root()
    log.checkpoint(election)
    log.verify_checkpoints(election)
    return size


@pytest.mark.slow
def test_threads(log, election):
    acknowledged, errors = {}, []

    def writer(tag):
        try:
            for i in range(PER_WRITER):
                result = log.append(election, "test.item", {"writer": tag, "i": i})
                acknowledged[(tag, i)] = (result.seq, result.entry_hash)
        except Exception as exc:  # reported below; a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"t{n}",)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(acknowledged) == WRITERS * PER_WRITER
    assert check_log(log, election, acknowledged) == WRITERS * PER_WRITER


def parse_acks(lines, tag):
    acks = {}
    for line in lines:
        parts = line.split()
        if parts and parts[0] == "ack":
            acks[(tag, int(parts[3]))] = (int(parts[1]), bytes.fromhex(parts[2]))
    return acks


@pytest.mark.slow
def test_processes(log, election, db_url):
    procs = [subprocess.Popen([PYTHON, str(WRITER), db_url, election, str(PER_WRITER), f"p{n}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env())
             for n in range(WRITERS)]
    acknowledged = {}
    for n, proc in enumerate(procs):
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        acknowledged.update(parse_acks(out.splitlines(), f"p{n}"))
    assert len(acknowledged) == WRITERS * PER_WRITER
    assert check_log(log, election, acknowledged) == WRITERS * PER_WRITER


@pytest.mark.slow
def test_sigkill_mid_append(log, election, db_url):
    proc = subprocess.Popen([PYTHON, str(WRITER), db_url, election, "100000", "k"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=subprocess_env())
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if len(lines) > 300:
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    acknowledged = parse_acks(lines, "k")
    assert len(acknowledged) >= 300
    size = check_log(log, election, acknowledged)
    assert size >= len(acknowledged)
    after = log.append(election, "test.item", {"writer": "after", "i": 0})  # the log goes on where it stopped
    assert after.seq == size
    log.verify_chain(election)
