"""Validated ballot submissions per second (a benchmark, not a test).

    python benchmarks/bench_board_submit.py [--ballots 60] [--runs 3] [--postgres URL]

A 10-option ballot (one contest, votes allowed 1) is encrypted beforehand; the board then checks each
submission completely (envelope, subgroup membership, signature, 11 range proofs, contest hash and
confirmation code) and appends it. Measured with gunicorn and 1, then 2 worker processes, with 4 concurrent
clients posting; medians over the runs, each run on a fresh election with fresh ballots.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]
# All clients post from 127.0.0.1: raise the board's per-address limits (docs/board.md) for the servers started here.
os.environ.setdefault("EVOTE_RATELIMIT_SUBMIT_PER_CLIENT", "off")
os.environ.setdefault("EVOTE_RATELIMIT_READS_PER_CLIENT", "off")

from _timing import table  # noqa: E402
from support.processes import open_election, serve_board  # noqa: E402

from bulletin_board.election_follower import election_state  # noqa: E402
from bulletin_board.log_format.client import BoardClient  # noqa: E402
from voting.ballot import make_ballot  # noqa: E402
from voting.credentials import derive_voter_key  # noqa: E402
from voting.encrypt import encrypt_ballot  # noqa: E402
from voting.record.submission import build_submission  # noqa: E402

MANIFEST = {
    "label": "Benchmark",
    "spec_version": "v2.0.0",
    "contests": [{"label": "c", "votes_allowed": 1, "options": [{"label": f"o{i}"} for i in range(10)]}],
    "ballot_styles": [{"label": "s", "contests": ["c"]}],
}


def prepared(board: str, election_id: str, credentials: list[str]) -> list[dict]:
    state, _ = election_state(BoardClient(board), election_id)
    out = []
    for n, credential in enumerate(credentials):
        result = encrypt_ballot(state.context, make_ballot(state.definition.manifest, "s", {"c": [f"o{n % 10}"]}))
        out.append(build_submission(result.ballot, derive_voter_key(credential, election_id), election_id, state.context.H_E, "cast"))
    return out


def one_run(database: str, workers: int, ballots: int, directory: Path) -> float:
    with serve_board(directory, database, workers=workers) as server:
        election_id = f"bench-{secrets.token_hex(3)}"
        credentials = open_election(server.url, election_id, MANIFEST, ballots)
        payloads = prepared(server.url, election_id, credentials)
        client = BoardClient(server.url)
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = [status for status, _ in pool.map(lambda p: client.submit_ballot(election_id, p), payloads)]
        elapsed = time.perf_counter() - start
        assert statuses.count(201) == ballots
        return ballots / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=None, help="also measure on this PostgreSQL URL (a fresh schema is not made: use a scratch database)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        backends = [("SQLite", lambda n: f"sqlite:///{Path(tmp) / f'b{n}.sqlite3'}")]
        if args.postgres:
            backends.append(("PostgreSQL", lambda n: args.postgres))
        counter = 0
        for name, database in backends:
            rates = {}
            for workers in (1, 2):
                samples = []
                for _ in range(args.runs):
                    counter += 1
                    samples.append(one_run(database(counter), workers, args.ballots, Path(tmp)))
                rates[workers] = statistics.median(samples)
                rows.append((name, str(workers), f"{rates[workers]:.1f}", f"{min(samples):.1f}", f"{max(samples):.1f}"))
            rows.append((name, "2 vs 1", f"{rates[2] / rates[1]:.2f}x", "", ""))
    print(f"validated submissions per second, 10-option ballot, {args.ballots} ballots per run, 4 concurrent clients, median of {args.runs}")
    print(table(rows, ("backend", "gunicorn workers", "median/s", "min/s", "max/s")))


if __name__ == "__main__":
    main()
