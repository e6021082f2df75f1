"""Verifying other systems' records on this machine (a benchmark, not a test), side by side with the system's
own verifier where it runs here.

    python benchmarks/bench_other_systems.py --voters 200 --repeat 3

Belenios: an election of ``--voters`` ballots (two questions, one with a blank vote, two trustees) is made
by Debian's belenios-tool 2.0 (tests/support/belenios_tool.py), then verified ``--repeat`` times by
``belenios-tool election verify`` (OCaml, one core) and by evote-verify's Belenios checklist with 1 and 2
worker processes. Printed: the median wall time of each, seconds per ballot, CPU seconds (the tool's as a
child process; ours, this process's and its workers'), and the ratio "belenios-tool / evote" of wall times,
measured in the same run. The tool's verification and ours do not check exactly the same things
(docs/verification-checks.md, "Belenios records": ours also compares the published encrypted tally).

Helios: a record of ``--voters`` cast votes (three questions, three trustees) made by the test producer
(tests/support/helios_records.py), verified with 1 and 2 workers (no Helios verifier runs here to compare with:
pyrios, in Go, needs modules this machine cannot fetch).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from _timing import table  # noqa: E402
from support.belenios_tool import QUESTIONS, TOOL, make_election  # noqa: E402

from voting.verifier.belenios.reader import open_belenios  # noqa: E402
from voting.verifier.run_systems import verify_system  # noqa: E402

HEADER = ("record", "verifier", "workers", "ballots", "wall s (median)", "ms/ballot", "CPU s", "tool/evote")
VOTES = [[[1, 0], [0, 1, 1, 0]], [[0, 1], [0, 1, 0, 0]], [[0, 0], [1, 0, 0, 0]], [[1, 0], [1, 0, 0, 0]]]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu(seconds: float, workers: int) -> str:
    """CPU seconds, where they can be counted: the workers of a pool are the fork server's children, not ours."""
    return f"{seconds:.2f}" if workers == 1 else "n/a"


def timed(run, repeat: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (this process and its children) of ``run()``."""
    walls, cpus = [], []
    for _ in range(repeat):
        cpu0, start = _self_cpu() + _children_cpu(), time.perf_counter()
        run()
        walls.append(time.perf_counter() - start)
        cpus.append(_self_cpu() + _children_cpu() - cpu0)
    return statistics.median(walls), statistics.median(cpus)


def belenios_rows(voters: int, repeat: int, workers: list[int]) -> list[tuple[str, ...]]:
    directory = Path(tempfile.mkdtemp(prefix="bench-belenios-"))
    try:
        print(f"making a Belenios election of {voters} ballots with belenios-tool ...", file=sys.stderr, flush=True)
        votes = [VOTES[n % len(VOTES)] for n in range(voters)]
        election = make_election(directory / "e", questions=QUESTIONS, votes=votes, revotes=[])

        def tool() -> None:
            done = subprocess.run([TOOL, "election", "verify", "--dir", str(election.directory)], capture_output=True)
            if done.returncode != 0:
                raise SystemExit(f"belenios-tool rejected its own record: {done.stderr.decode()[-500:]}")

        tool_wall, tool_cpu = timed(tool, repeat)
        rows = [("belenios", "belenios-tool 2.0", "1", str(voters), f"{tool_wall:.2f}", f"{1000 * tool_wall / voters:.1f}",
                 f"{tool_cpu:.2f}", "")]  # fmt: skip
        for n in workers:

            def ours(n: int = n) -> None:
                report = verify_system(open_belenios(election.path), workers=n)
                if report.outcome != "passed":
                    raise SystemExit(f"evote-verify failed a record belenios-tool made: {report.to_json()['summary']}")

            wall, cpu = timed(ours, repeat)
            rows.append(("belenios", "evote-verify", str(n), str(voters), f"{wall:.2f}", f"{1000 * wall / voters:.1f}",
                         _cpu(cpu, n), f"{tool_wall / wall:.2f}"))  # fmt: skip
        return rows
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def helios_rows(voters: int, repeat: int, workers: list[int]) -> list[tuple[str, ...]]:
    from support.helios_records import CHOICES, make_election

    from voting.verifier.helios.reader import open_helios

    directory = Path(tempfile.mkdtemp(prefix="bench-helios-"))
    try:
        print(f"making a Helios record of {voters} cast votes (tests/support/helios_records.py) ...", file=sys.stderr, flush=True)
        election = make_election(choices=[CHOICES[n % len(CHOICES)] for n in range(voters)])
        path = election.write_directory(directory / "record")
        rows = []
        for n in workers:

            def ours(n: int = n) -> None:
                report = verify_system(open_helios(path), workers=n)
                if report.outcome != "consistent":
                    raise SystemExit(f"evote-verify did not find the test producer's record consistent: {report.to_json()['summary']}")

            wall, cpu = timed(ours, repeat)
            rows.append(("helios", "evote-verify", str(n), str(voters), f"{wall:.2f}", f"{1000 * wall / voters:.1f}",
                         _cpu(cpu, n), ""))  # fmt: skip
        return rows
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=lambda text: [int(n) for n in text.split(",")], default=[1, 2])
    parser.add_argument("--systems", nargs="*", choices=("belenios", "helios"), default=["belenios", "helios"])
    args = parser.parse_args()
    rows = []
    if "belenios" in args.systems:
        rows += belenios_rows(args.voters, args.repeat, args.workers)
    if "helios" in args.systems:
        rows += helios_rows(args.voters, args.repeat, args.workers)
    print(table(rows, HEADER))


if __name__ == "__main__":
    main()
