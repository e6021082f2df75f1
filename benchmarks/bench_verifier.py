"""Benchmark of the verifier (a benchmark, not a test).

    python benchmarks/bench_verifier.py                     # throughput (200 ballots) and memory (1,000 and 10,000)
    python benchmarks/bench_verifier.py --memory-ballots 1000   # a quicker memory run

Throughput: a generated egk-format record of 200 distinct ballots × 10 selections (2 contests × 5 options),
verified in this process with 1 and with 2 workers; selections verified per second (wall clock, whole
verification: record checks, ballots, summary checks), and for 1 worker per CPU-second, which does not depend
on what else the machine is doing.

Memory: records of 1,000 and 10,000 ballots × 2 selections, made quickly by writing 20 distinct encrypted
ballots many times under fresh ids (every proof verifies; the copies share confirmation codes, so the run
fails Verification 7.C and nothing else, which the benchmark checks). ``evote-verify`` runs in a child
process with 2 workers; the peak resident set size (RSS) of its main process and of the whole process tree
(main + fork server + workers, sampled every 0.1 s from /proc) is reported. Flat memory means the peaks do
not grow with the number of ballots.

Records are generated with tests/verifier/egk_writer.py (the core encrypts and decrypts) in a temporary
directory, which is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "verifier"), str(ROOT / "benchmarks")]

from _timing import table  # noqa: E402
from egk_writer import write_egk_record  # noqa: E402

from voting.verifier.readers.egk import open_egk  # noqa: E402
from voting.verifier.run import verify  # noqa: E402

WIDE = (("alpha", tuple(f"a{n}" for n in range(5)), 1), ("beta", tuple(f"b{n}" for n in range(5)), 1))
NARROW = (("measure", ("yes", "no"), 1),)
PAGE = os.sysconf("SC_PAGE_SIZE")


def throughput(ballots: int, workdir: Path) -> list[tuple[str, ...]]:
    root = workdir / "throughput"
    started = time.perf_counter()
    choices = [{"alpha": [f"a{n % 5}"], "beta": [f"b{(n * 3) % 5}"]} for n in range(ballots)]
    write_egk_record(
        root, n=3, k=2, available=(1, 2), contests=WIDE, ballots=[(f"t{n}", c, "CAST") for n, c in enumerate(choices)]
    )
    print(f"generated {ballots} ballots × 10 selections in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    rows = []
    for workers in (1, 2):
        started, cpu = time.perf_counter(), time.process_time()
        report = verify(open_egk(root), workers=workers)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert report.passed, "the throughput record must verify"
        selections = report.statistics["selections"]
        per_cpu = f"{selections / cpu:.1f}" if workers == 1 else "-"  # workers = 1 runs in this process
        rate = f"{selections / seconds:.1f}"
        rows.append((f"{workers} worker(s)", str(ballots), str(selections), f"{seconds:.1f}", rate, per_cpu))
    return rows


def memory(ballots: int, workdir: Path, workers: int) -> tuple[str, ...]:
    root = workdir / f"memory-{ballots}"
    distinct = 20
    started = time.perf_counter()
    write_egk_record(
        root,
        n=2,
        k=2,
        available=(1, 2),
        contests=NARROW,
        replicate=ballots // distinct,
        ballots=[(f"m{n}", {"measure": ["yes" if n % 2 else "no"]}, "CAST") for n in range(distinct)],
    )
    print(f"generated {ballots} ballots × 2 selections in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    report_file = workdir / f"report-{ballots}.json"
    command = [sys.executable, "-m", "voting.verifier.cli", str(root), "--workers", str(workers), "--json", str(report_file)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_main = peak_tree = 0
    while child.poll() is None:
        rss = _tree_rss(child.pid)
        peak_main = max(peak_main, rss.get(child.pid, 0))
        peak_tree = max(peak_tree, sum(rss.values()))
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    report = json.loads(report_file.read_text())
    failed = {s["id"] for v in report["verifications"] for s in v["steps"] if s["status"] == "failed"}
    assert failed == {"7.C"}, f"unexpected failures {failed}: {child.stderr.read().decode()[-2000:]}"
    assert report["statistics"]["ballots"] == ballots
    return (str(ballots), str(workers), f"{seconds:.0f}", f"{peak_main / 2**20:.0f}", f"{peak_tree / 2**20:.0f}")


def _tree_rss(pid: int) -> dict[int, int]:
    """RSS in bytes of ``pid`` and all its descendants, read from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in tree:
                tree.add(child)
                frontier.append(child)
    rss = {}
    for member in tree:
        try:
            rss[member] = int(Path(f"/proc/{member}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
    return rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--throughput-ballots", type=int, default=200)
    parser.add_argument("--memory-ballots", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--memory-workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="evote-bench-verifier-") as tmp:
        workdir = Path(tmp)
        if args.throughput_ballots:
            rows = throughput(args.throughput_ballots, workdir)
            print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            print(table(rows, ("verification", "ballots", "selections", "seconds", "selections/s", "selections/CPU-s")))
            print()
        rows = [memory(n, workdir, args.memory_workers) for n in args.memory_ballots]
        if rows:
            print(table(rows, ("ballots", "workers", "seconds", "peak RSS main (MiB)", "peak RSS all processes (MiB)")))


if __name__ == "__main__":
    main()
