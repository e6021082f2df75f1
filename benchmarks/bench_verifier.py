"""Benchmark of the verifier (a benchmark, not a test).

    python benchmarks/bench_verifier.py                          # egk and evote: throughput and memory
    python benchmarks/bench_verifier.py --records evote --memory-ballots 1000   # a quicker evote run

Throughput: a record of 200 distinct ballots × 10 selections (2 contests × 5 options), verified in this process
with 1 and with 2 workers; selections verified per second (wall clock, whole verification: record checks,
ballots, summary checks), and for 1 worker per CPU-second, which does not depend on what else the machine is
doing. egk: a generated egk-format record. evote: an export whose control entries come from the board and the
trustees (key ceremony, credential list, opening) and whose ballots, each signed by its own voter, are
appended by the operator's tool, followed by the tally and its decryption by the trustees' code
(tests/verifier/evote_world.synthetic_export); the evote run also checks the board (B), the rules (L) and
eligibility (E), including one Ed25519 signature per ballot.

Per group: the egk-ec samples of ../shared/samples (42 ballots, 700 selections each), one in the 4096-bit integer
group and one on P-256, verified with 1 worker (``--records egk-ec``): selections per CPU-second in each group.

Memory: records of 1,000 and 10,000 ballots × 2 selections, made quickly by encrypting 20 distinct ballots and
writing each many times (under fresh ids for egk, under other voters' signatures for evote): every proof
verifies, but the copies share confirmation codes (and for evote ciphertexts), so the run fails 7.C (and E.6)
and nothing else, which the benchmark checks. ``evote-verify`` runs in a child process with 2 workers; the peak
resident set size (RSS) of its main process and of the whole process tree (main + fork server + workers,
sampled every 0.1 s from /proc) is reported. Flat memory means the peaks do not grow with the number of ballots.

Records are generated in a temporary directory, which is removed afterwards.
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
from support.egk_writer import write_egk_record  # noqa: E402
from support.evote_world import synthetic_export  # noqa: E402

from voting.verifier.readers import open_record  # noqa: E402
from voting.verifier.run import verify  # noqa: E402

WIDE = (("alpha", tuple(f"a{n}" for n in range(5)), 1), ("beta", tuple(f"b{n}" for n in range(5)), 1))
NARROW = (("measure", ("yes", "no"), 1),)
DISTINCT = 20


def evote_manifest(contests) -> dict:
    return {
        "label": "Benchmark election",
        "spec_version": "v2.0.0",
        "contests": [
            {"label": c, "votes_allowed": limit, "options": [{"label": o} for o in options]} for c, options, limit in contests
        ],
        "ballot_styles": [{"label": "all", "contests": [c for c, _, _ in contests]}],
    }


def make_record(kind: str, root: Path, contests, choices: list[dict], replicate: int) -> Path:
    """An egk or evote record of ``len(choices) * replicate`` ballots (see the module docstring)."""
    started = time.perf_counter()
    if kind == "egk":
        write_egk_record(
            root, n=3 if replicate == 1 else 2, k=2, available=(1, 2), contests=contests, replicate=replicate,
            ballots=[(f"b{n}", c, "CAST") for n, c in enumerate(choices)],
        )  # fmt: skip
    else:
        root.mkdir(parents=True)
        root = synthetic_export(root, evote_manifest(contests), choices, replicate=replicate).path
    print(f"{kind}: generated {len(choices) * replicate} ballots in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return root


PAGE = os.sysconf("SC_PAGE_SIZE")


def throughput(kind: str, ballots: int, workdir: Path) -> list[tuple[str, ...]]:
    choices = [{"alpha": [f"a{n % 5}"], "beta": [f"b{(n * 3) % 5}"]} for n in range(ballots)]
    root = make_record(kind, workdir / f"{kind}-throughput", WIDE, choices, 1)
    rows = []
    for workers in (1, 2):
        started, cpu = time.perf_counter(), time.process_time()
        record = open_record(root, kind)
        report = verify(record, workers=workers)
        record.close()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert report.passed, f"the {kind} throughput record must verify"
        selections = report.statistics["selections"]
        per_cpu = f"{selections / cpu:.1f}" if workers == 1 else "-"  # workers = 1 runs in this process
        rate = f"{selections / seconds:.1f}"
        rows.append((kind, f"{workers} worker(s)", str(ballots), str(selections), f"{seconds:.1f}", rate, per_cpu))
    return rows


EGK_EC_SAMPLES = (("4096-bit integer group", "egk-ec-allAvailable"), ("P-256", "egk-ec-allAvailableEc"))


def group_throughput() -> list[tuple[str, ...]]:
    """The egk-ec samples, one per group, verified in this process with 1 worker (absent samples are skipped)."""
    rows = []
    for group, name in EGK_EC_SAMPLES:
        root = ROOT.parent / "shared" / "samples" / name
        if not root.is_dir():
            print(f"{root} is absent: skipped", file=sys.stderr)
            continue
        started, cpu = time.perf_counter(), time.process_time()
        record = open_record(root, "egk-ec")
        report = verify(record, workers=1)
        record.close()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert report.passed, f"the egk-ec sample {name} must verify"
        selections = report.statistics["selections"]
        rows.append((f"egk-ec, {group}", "1 worker(s)", str(report.statistics["ballots"]), str(selections),
                     f"{seconds:.1f}", f"{selections / seconds:.1f}", f"{selections / cpu:.1f}"))  # fmt: skip
    return rows


def memory(kind: str, ballots: int, workdir: Path, workers: int) -> tuple[str, ...]:
    choices = [{"measure": ["yes" if n % 2 else "no"]} for n in range(DISTINCT)]
    root = make_record(kind, workdir / f"{kind}-memory-{ballots}", NARROW, choices, ballots // DISTINCT)
    report_file = workdir / f"report-{kind}-{ballots}.json"
    command = [
        sys.executable,
        "-m",
        "voting.verifier.cli",
        str(root),
        "--format",
        kind,
        "--workers",
        str(workers),
        "--json",
        str(report_file),
    ]
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
    expected = {"7.C"} if kind == "egk" else {"7.C", "E.6"}
    assert failed == expected, f"unexpected failures {failed}: {child.stderr.read().decode()[-2000:]}"
    assert report["statistics"]["ballots"] == ballots
    return (kind, str(ballots), str(workers), f"{seconds:.0f}", f"{peak_main / 2**20:.0f}", f"{peak_tree / 2**20:.0f}")


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
    parser.add_argument("--records", nargs="*", choices=("egk", "evote", "egk-ec"), default=["egk", "evote", "egk-ec"])
    parser.add_argument("--throughput-ballots", type=int, default=200)
    parser.add_argument("--memory-ballots", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--memory-workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="evote-bench-verifier-") as tmp:
        workdir = Path(tmp)
        if args.throughput_ballots:
            print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            rows = [row for kind in args.records if kind != "egk-ec" for row in throughput(kind, args.throughput_ballots, workdir)]
            rows += group_throughput() if "egk-ec" in args.records else []
            print(table(rows, ("record", "verification", "ballots", "selections", "seconds", "selections/s", "selections/CPU-s")))
            print()
        rows = [memory(kind, n, workdir, args.memory_workers) for kind in args.records if kind != "egk-ec" for n in args.memory_ballots]
        if rows:
            print(table(rows, ("record", "ballots", "workers", "seconds", "peak RSS main (MiB)", "peak RSS all processes (MiB)")))


if __name__ == "__main__":
    main()
