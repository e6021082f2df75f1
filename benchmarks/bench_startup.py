"""Process start time of the verifier: `python -c "import voting.verifier"` and `evote-verify --help`.

Every verifier process (and every worker it starts) pays this import; issue 14 made the log library importable
without the board's database layer. With ``--compare REV`` the same commands run, interleaved, in a temporary
git worktree of REV, so the two are measured side by side on the same (shared) machine:

    python benchmarks/bench_startup.py --runs 21 --compare d0b9148
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import table

REPO = Path(__file__).resolve().parent.parent
COMMANDS = {
    "import voting.verifier": ["-c", "import voting.verifier"],
    "evote-verify --help": ["-c", "import sys; sys.argv = ['evote-verify', '--help']; from voting.verifier.cli import main; main()"],
    "modules loaded": ["-c", "import sys, voting.verifier; print(len(sys.modules))"],
}


def run(tree: Path, args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-X", "frozen_modules=on", *args], cwd=tree, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, check=True)  # fmt: skip
    return time.perf_counter() - start, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--compare", metavar="REV", help="also measure this git revision, interleaved")
    options = parser.parse_args()
    trees = {"this tree": REPO}
    with tempfile.TemporaryDirectory() as scratch:
        if options.compare:
            other = Path(scratch) / "other"
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "-q", "--detach", str(other), options.compare], check=True)
            trees[options.compare] = other
        try:
            samples: dict[tuple[str, str], list[float]] = {}
            counts: dict[str, str] = {}
            for _ in range(options.runs):
                for label, tree in trees.items():
                    for name, args in COMMANDS.items():
                        seconds, out = run(tree, args)
                        if name == "modules loaded":
                            counts[label] = out
                        else:
                            samples.setdefault((label, name), []).append(seconds)
            rows = []
            for name in (n for n in COMMANDS if n != "modules loaded"):
                row = [name]
                for label in trees:
                    row.append(f"{statistics.median(samples[(label, name)]) * 1000:.0f} ms")
                if len(trees) == 2:
                    a, b = (statistics.median(samples[(label, name)]) for label in trees)
                    row.append(f"{b / a:.2f}x")
                rows.append(tuple(row))
            rows.append(("modules after import voting.verifier", *[counts[label] for label in trees], *([""] if len(trees) == 2 else [])))
            header = ("median of %d runs" % options.runs, *trees, *(["before / after"] if len(trees) == 2 else []))
            print(table(rows, header))
        finally:
            if options.compare:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(trees[options.compare])], check=False)


if __name__ == "__main__":
    main()
