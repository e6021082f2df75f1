"""Ballot intake with and without three witnesses (a benchmark, not a test).

    python benchmarks/bench_witness_intake.py [--ballots 60] [--runs 3] [--workers 2] [--interval 1]

The same board setup as bench_board_submit.py (a 10-option ballot checked completely, gunicorn, 4 concurrent
clients posting through the HTTP API), run alternately without witnesses and with three real
``evote-witness`` processes on loopback in its policy (quorum 2, a cosigning round every ``--interval``
seconds). Each run is a fresh database and election. Printed: validated submissions per second (median, min,
max), the board's CPU milliseconds per ballot (its processes' user + system time during intake, cosigning included, steadier
than wall time on a shared machine), the ratios with/without, and how long after the last ballot the board served a checkpoint covering it
cosigned by all three witnesses. Cosigning runs off the request path, so the ratio should be close to 1.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]
# All clients post from 127.0.0.1: raise the board's per-address limits (docs/board.md) for the servers started here.
os.environ.setdefault("EVOTE_RATELIMIT_SUBMIT_PER_CLIENT", "off")
os.environ.setdefault("EVOTE_RATELIMIT_READS_PER_CLIENT", "off")

from _timing import table  # noqa: E402
from bench_board_submit import MANIFEST, prepared  # noqa: E402
from support.processes import open_election, serve_board  # noqa: E402
from support.witness_processes import witness_processes  # noqa: E402

from bulletin_board.keys import load_or_create_board_key  # noqa: E402
from bulletin_board.log_format.client import BoardClient  # noqa: E402


def group_cpu_seconds(group: int) -> float:
    """CPU seconds (user + system) of the live processes of a process group (the board's server and workers;
    Linux /proc). Less sensitive than wall time to what else runs on a shared machine."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime are fields 14 and 15 of stat
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def one_run(directory: Path, database: str, workers: int, ballots: int, settings: dict[str, str],
            witnesses: int) -> tuple[float, float, float | None]:
    """Submissions per second, the board's CPU milliseconds per ballot while they ran (the cosigning rounds
    during intake included), and seconds from the last answer to a checkpoint covering it cosigned by all."""
    with serve_board(directory, database, workers=workers, extra_env=settings) as server:
        election_id = f"bench-{secrets.token_hex(3)}"
        credentials = open_election(server.url, election_id, MANIFEST, ballots)
        payloads = prepared(server.url, election_id, credentials)
        client = BoardClient(server.url)
        cpu = group_cpu_seconds(server.process.pid)
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = [status for status, _ in pool.map(lambda p: client.submit_ballot(election_id, p), payloads)]
        elapsed = time.perf_counter() - start
        assert statuses.count(201) == ballots
        cpu_ms = 1000 * (group_cpu_seconds(server.process.pid) - cpu) / ballots
        lag = cosigned_after(server.url, election_id, witnesses) if witnesses else None
        return ballots / elapsed, cpu_ms, lag


def cosigned_after(board: str, election_id: str, witnesses: int, timeout: float = 60) -> float:
    started = time.perf_counter()
    size = BoardClient(board).get(f"/elections/{election_id}")["size"]
    url = f"{board}/api/v1/elections/{election_id}/checkpoint/cosigned?min_size={size}"
    while time.perf_counter() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if len(json.loads(response.read())["witnesses"]) >= witnesses:
                    return time.perf_counter() - started
        except urllib.error.HTTPError as refused:
            if refused.code != 404:
                raise
        time.sleep(0.02)
    raise AssertionError(f"size {size} was not cosigned by {witnesses} witnesses within {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of the board (one holds the cosigner's lease)")
    parser.add_argument("--interval", default="1", help="EVOTE_COSIGN_INTERVAL_SECONDS")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        board_key = load_or_create_board_key(str(directory / "board.key"), "board.test").verifier  # serve_board's key
        with witness_processes(directory, boards=[("board.test", board_key)], n=3) as witnesses:
            policy = directory / "witnesses.json"
            policy.write_text(json.dumps({"quorum": 2, "witnesses": [{"url": w.url, "key": w.vkey.to_string()} for w in witnesses]}))
            cases = {"no witnesses": ({}, 0),
                     "3 witnesses": ({"EVOTE_WITNESS_POLICY_FILE": str(policy), "EVOTE_COSIGN_INTERVAL_SECONDS": args.interval}, 3)}
            rates: dict[str, list[float]] = {name: [] for name in cases}
            cpu: dict[str, list[float]] = {name: [] for name in cases}
            lags: list[float] = []
            for run in range(args.runs):
                for name, (settings, count) in cases.items():  # alternated, so that drift hits both alike
                    database = f"sqlite:///{directory / f'b{run}-{count}.sqlite3'}"
                    rate, cpu_ms, lag = one_run(directory, database, args.workers, args.ballots, settings, count)
                    rates[name].append(rate)
                    cpu[name].append(cpu_ms)
                    if lag is not None:
                        lags.append(lag)
    rows = [(name, f"{statistics.median(s):.1f}", f"{min(s):.1f}", f"{max(s):.1f}", f"{statistics.median(cpu[name]):.1f}")
            for name, s in rates.items()]
    ratio = statistics.median(rates["3 witnesses"]) / statistics.median(rates["no witnesses"])
    cpu_ratio = statistics.median(cpu["3 witnesses"]) / statistics.median(cpu["no witnesses"])
    rows.append(("with / without", f"{ratio:.2f}x", "", "", f"{cpu_ratio:.2f}x"))
    print(f"validated submissions per second, 10-option ballot, {args.ballots} ballots per run, 4 concurrent clients, "
          f"gunicorn -w {args.workers}, SQLite, cosigning every {args.interval} s, median of {args.runs}")
    print(table(rows, ("board", "median/s", "min/s", "max/s", "board CPU ms/ballot")))
    print(f"last ballot to a checkpoint covering it cosigned by all 3: median {statistics.median(lags):.2f} s "
          f"(min {min(lags):.2f}, max {max(lags):.2f})")


if __name__ == "__main__":
    main()
