"""The mixnet core on this machine (a benchmark, not a test): shuffle, proof of shuffle and its verification
for N rows of width w on the standard 4096-bit group, with 1 and 2 worker processes.

    python benchmarks/bench_mixnet.py --rows 1000,10000 --width 5 --workers 1,2

Prints, per ciphertext (N·w of them) and per row, the medians over ``--repeat`` runs (default one run) of each
phase, the time of one 4096-bit powmod with a random 256-bit exponent (the calibration, measured in the same
run), each phase expressed in such powmods, and beside it the exponentiation count of the algorithm as written
by Haenni et al. (FC 2017, Alg. 4.3 and 4.6, counted line by line for rows of w ciphertexts; docs/mixnet.md
"Operation counts"). Ratios: "ours/paper" is wall time over the paper's count of powmods; "CPU/paper" is the CPU
time of this process and of its worker processes over the same count, with the powmod timed in CPU time too: the
cost per core, which other load on a shared machine hardly moves (the issue's goal: at most 1.5); "speed-up" is
the 1-worker wall time over this one.
Deriving the N + 1 commitment generators from H_E is timed apart: it is done once per election and N. So is
building the fixed-base tables of K and h (about 0.2 s each, once per election), done before the phases run.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import gmpy2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _timing import median_seconds, table  # noqa: E402

from voting.context import ElectionContext  # noqa: E402
from voting.elgamal import encrypt  # noqa: E402
from voting.fixed_base import table_for  # noqa: E402
from voting.group import STANDARD, g_pow  # noqa: E402
from voting.mixnet.generators import CommitmentGenerators, derive_generators  # noqa: E402
from voting.mixnet.prove import prove_shuffle  # noqa: E402
from voting.mixnet.shuffle import shuffle  # noqa: E402
from voting.mixnet.verify import verify_shuffle  # noqa: E402

GOAL = 1.5
HEADER = ("phase", "N", "workers", "ms/ciphertext", "powmods/row", "paper exps/row", "ours/paper", "CPU/paper",
          "speed-up", "ours per row", "wall s", "CPU s")  # fmt: skip


def paper_counts(n: int, w: int) -> dict[str, int]:
    """Exponentiations of GenShuffle, Alg. 4.3 GenProof and Alg. 4.6 CheckProof for N rows of width w
    (w = 1: 2N, 8N + 5, 9N + 11)."""
    return {"shuffle": 2 * w * n, "proof": (6 + 2 * w) * n + 3 + 2 * w, "verify": (5 + 4 * w) * n + 7 + 4 * w}


def our_counts(w: int) -> dict[str, str]:
    """What this implementation does per row (docs/mixnet.md): F = fixed-base exponentiation (26 multiplications
    with the 10-bit tables), M = one base of a bucket multi-exponentiation, 2P = a two-base product of powers."""
    return {"shuffle": f"{2 * w}F", "proof": f"5F + {1 + 2 * w}M", "verify": f"1F + 1·2P + {2 + 4 * w}M"}


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (a worker pool's, once it is shut down)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Medians over ``repeat`` runs of ``fn``'s wall time and CPU time (children included)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), cpu_seconds()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(cpu_seconds() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def calibration() -> tuple[float, float]:
    """Wall and CPU seconds of one 4096-bit powmod with a random 256-bit exponent (a fresh exponent each call)."""
    exponents = iter([gmpy2.mpz(secrets.randbits(256) | 1 << 255) for _ in range(64)] * 100)
    base = g_pow(STANDARD.random_scalar()).value
    one = lambda: gmpy2.powmod(base, next(exponents), STANDARD.p)  # noqa: E731
    wall = median_seconds(one, repeat=7, number=50)
    cpu = median_seconds(one, repeat=7, number=50, clock=time.process_time)
    return wall, cpu


def int_list(text: str) -> list[int]:
    """The text "1000,10000" (or one number) as a list of positive integers."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give at least one number, each at least 1")
    return values


def measure(n: int, w: int, workers_list: list[int], repeat: int, powmod: tuple[float, float]) -> list[tuple[str, ...]]:
    """The table's lines for N = n rows: each phase with each number of workers, then the generators."""
    context = ElectionContext(g_pow(STANDARD.random_scalar()), secrets.token_bytes(32))
    table_for(context.K)
    rows = [tuple(encrypt(secrets.randbelow(10), STANDARD.random_scalar(), context) for _ in range(w)) for _ in range(n)]
    paper, ours = paper_counts(n, w), our_counts(w)
    lines, single = [], {}
    for workers in workers_list:
        generators: list[CommitmentGenerators] = []
        derive = timed(lambda: generators.append(derive_generators(context.H_E, n, STANDARD, workers=workers)), 1)
        table_for(generators[0].h)
        state: dict[str, object] = {}

        def run_shuffle() -> None:
            state["outputs"], state["witness"] = shuffle(rows, context, workers=workers)

        def run_proof() -> None:
            state["proof"] = prove_shuffle(rows, state["outputs"], state["witness"], context, generators[0], workers=workers)  # type: ignore[arg-type]

        def run_verify() -> None:
            verify_shuffle(rows, state["outputs"], state["proof"], context, generators=generators[0], workers=workers)  # type: ignore[arg-type]

        phases = (("shuffle", run_shuffle), ("proof", run_proof), ("verify", run_verify))
        measured = [(phase, *timed(fn, repeat)) for phase, fn in phases] + [("generators", *derive)]
        for phase, seconds, cpu in measured:
            if workers == 1:
                single[phase] = seconds
            counted = phase in paper
            lines.append((
                phase, str(n), str(workers),
                f"{seconds / (n * w) * 1e3:.3f}",
                f"{seconds / n / powmod[0]:.1f}",
                f"{paper[phase] / n:.1f}" if counted else "-",
                f"{seconds / powmod[0] / paper[phase]:.2f}" if counted else "-",
                f"{cpu / powmod[1] / paper[phase]:.2f}" if counted else "-",
                f"{single[phase] / seconds:.2f}" if phase in single else "-",
                ours.get(phase, "1 x^r"),
                f"{seconds:.2f}",
                f"{cpu:.2f}",
            ))  # fmt: skip
        print(f"  N = {n}, {workers} worker(s): done", file=sys.stderr, flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int_list, nargs="+", default=[[1000]], help="numbers of rows N: 1000,10000")
    parser.add_argument("--width", type=int, default=5, help="ciphertexts per row w")
    parser.add_argument("--workers", type=int_list, nargs="+", default=[[1, 2]], help="numbers of worker processes: 1,2")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each phase; the median is printed")
    options = parser.parse_args()
    if options.width < 1 or options.repeat < 1:
        parser.error("--width and --repeat are at least 1")
    w = options.width
    options.rows = [n for part in options.rows for n in part]  # "1000,10000" and "1000 10000" alike
    options.workers = [n for part in options.workers for n in part]

    powmod = calibration()
    print(f"N = {', '.join(map(str, options.rows))} rows of width w = {w}, standard group; {os.cpu_count()} cores; "
          f"gmpy2 {gmpy2.version()}, Python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"calibration: one 4096-bit powmod with a random 256-bit exponent = {powmod[0] * 1e3:.3f} ms wall, "
          f"{powmod[1] * 1e3:.3f} ms CPU\n")  # fmt: skip
    lines = [line for n in options.rows for line in measure(n, w, options.workers, options.repeat, powmod)]
    print(table(lines, HEADER))
    worst = max(float(line[7]) for line in lines if line[7] != "-")
    verdict = "met" if worst <= GOAL else "not met"
    print(f"\nworst CPU/paper ratio (per core): {worst:.2f} (goal: at most {GOAL}; {verdict}); "
          f"load average at the end {os.getloadavg()[0]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
