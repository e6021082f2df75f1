"""Appends per second on the board's log, without a check hook, on SQLite and PostgreSQL.

    python benchmarks/bench_board_append.py [--appends 1000] [--runs 5] [--writers 1,8]

Each run appends to a fresh election (PostgreSQL: a fresh schema, dropped afterwards). The table shows
the median of the runs for one writer thread (sequential appends) and for several concurrent writers.
PostgreSQL is measured when EVOTE_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from nacl.signing import SigningKey
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bulletin_board.log import BoardLog  # noqa: E402
from bulletin_board.log_format.note import NoteSigner  # noqa: E402
from bulletin_board.storage import make_engine, migrate  # noqa: E402


def run_once(url: str, appends: int, writers: int) -> float:
    engine = make_engine(url, pool_size=max(5, writers))
    log = BoardLog(engine, NoteSigner("bench", SigningKey.generate()), "bench")
    election = f"bench-{secrets.token_hex(4)}"
    log.create_election(election)
    per_writer = appends // writers

    def work(tag: int) -> None:
        for i in range(per_writer):
            log.append(election, "bench.item", {"writer": tag, "i": i, "data": "x" * 64})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    assert log.verify_chain(election).size == per_writer * writers
    engine.dispose()
    return per_writer * writers / elapsed


def sqlite_url(directory: str) -> str:
    url = f"sqlite:///{directory}/bench-{secrets.token_hex(4)}.sqlite3"
    migrate(url)
    return url


def postgres_url(base: str) -> tuple[str, str]:
    schema = f"evote_bench_{secrets.token_hex(4)}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"
    migrate(url)
    return url, schema


def drop_schema(base: str, schema: str) -> None:
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--writers", default="1,8")
    args = parser.parse_args()
    writer_counts = [int(n) for n in args.writers.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="evote-bench-") as directory:
        for writers in writer_counts:
            rates = [run_once(sqlite_url(directory), args.appends, writers) for _ in range(args.runs)]
            rows.append(("SQLite (WAL, synchronous=FULL)", writers, rates))
    base = os.environ.get("EVOTE_TEST_POSTGRES_URL")
    if base:
        for writers in writer_counts:
            rates = []
            for _ in range(args.runs):
                url, schema = postgres_url(base)
                try:
                    rates.append(run_once(url, args.appends, writers))
                finally:
                    drop_schema(base, schema)
            rows.append(("PostgreSQL (advisory lock)", writers, rates))
    else:
        print("EVOTE_TEST_POSTGRES_URL not set: PostgreSQL not measured", file=sys.stderr)
    print(f"{args.appends} appends per run, {args.runs} runs, no check hook, {os.cpu_count()} CPUs")
    print(f"{'backend':32} {'writers':>7} {'median/s':>9} {'min/s':>8} {'max/s':>8}")
    for backend, writers, rates in rows:
        print(f"{backend:32} {writers:>7} {statistics.median(rates):>9.0f} {min(rates):>8.0f} {max(rates):>8.0f}")


if __name__ == "__main__":
    main()
