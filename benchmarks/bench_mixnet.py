"""The mixnet core on this machine (a benchmark, not a test): shuffle, proof of shuffle and its verification
for N rows of width w on the standard 4096-bit group, with 1 and 2 worker processes.

    python benchmarks/bench_mixnet.py --rows 1000 --width 5 --workers 1 2

Prints, per ciphertext (N·w of them) and per row, the medians over ``--repeat`` runs (default one run) of each
phase, the time of one 4096-bit powmod with a 256-bit exponent (the calibration), each phase expressed in such
powmods, and beside it the exponentiation count of the algorithm as written by Haenni et al. (FC 2017,
Alg. 4.3 and 4.6, counted line by line for rows of w ciphertexts; docs/mixnet.md "Operation counts").
Deriving the N + 1 commitment generators from H_E is timed apart: it is done once per election and N.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

import gmpy2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _timing import median_seconds, table  # noqa: E402

from voting.context import ElectionContext  # noqa: E402
from voting.elgamal import encrypt  # noqa: E402
from voting.group import STANDARD, g_pow  # noqa: E402
from voting.mixnet.generators import derive_generators  # noqa: E402
from voting.mixnet.prove import prove_shuffle  # noqa: E402
from voting.mixnet.shuffle import shuffle  # noqa: E402
from voting.mixnet.verify import verify_shuffle  # noqa: E402


def paper_counts(n: int, w: int) -> dict[str, int]:
    """Exponentiations of GenShuffle, Alg. 4.3 GenProof and Alg. 4.6 CheckProof for N rows of width w
    (w = 1: 2N, 8N + 5, 9N + 11)."""
    return {"shuffle": 2 * w * n, "proof": (6 + 2 * w) * n + 3 + 2 * w, "verify": (5 + 4 * w) * n + 7 + 4 * w}


def our_counts(w: int) -> dict[str, str]:
    """What this implementation does per row (docs/mixnet.md): F = fixed-base exponentiation (26 multiplications
    with the 10-bit tables), M = one base of a bucket multi-exponentiation, 2P = a two-base product of powers."""
    return {"shuffle": f"{2 * w}F", "proof": f"5F + {1 + 2 * w}M", "verify": f"1F + 1·2P + {2 + 4 * w}M"}


def calibration() -> float:
    e = secrets.randbelow(int(STANDARD.q))
    return median_seconds(lambda: gmpy2.powmod(STANDARD.g, e, STANDARD.p), repeat=7, number=50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--width", type=int, default=5)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args()
    n, w = options.rows, options.width

    powmod = calibration()
    context = ElectionContext(g_pow(STANDARD.random_scalar()), secrets.token_bytes(32))
    rows = [tuple(encrypt(secrets.randbelow(10), STANDARD.random_scalar(), context) for _ in range(w)) for _ in range(n)]
    print(f"N = {n} rows of width w = {w} ({n * w} ciphertexts), standard group; {os.cpu_count()} cores")
    print(f"calibration: one 4096-bit powmod with a 256-bit exponent = {powmod * 1e3:.3f} ms\n")

    paper, ours = paper_counts(n, w), our_counts(w)
    results = []
    for workers in options.workers:
        start = time.perf_counter()
        generators = derive_generators(context.H_E, n, STANDARD, workers=workers)
        derive = time.perf_counter() - start
        state: dict[str, object] = {}

        def run_shuffle() -> None:
            state["outputs"], state["witness"] = shuffle(rows, context, workers=workers)

        def run_proof() -> None:
            state["proof"] = prove_shuffle(rows, state["outputs"], state["witness"], context, generators, workers=workers)  # type: ignore[arg-type]

        def run_verify() -> None:
            verify_shuffle(rows, state["outputs"], state["proof"], context, generators=generators, workers=workers)  # type: ignore[arg-type]

        for phase, fn in (("shuffle", run_shuffle), ("proof", run_proof), ("verify", run_verify)):
            seconds = median_seconds(fn, repeat=options.repeat)
            results.append((
                f"{phase} ({workers} worker{'s' if workers > 1 else ''})",
                f"{seconds / (n * w) * 1e3:.3f}",
                f"{seconds / n / powmod:.1f}",
                f"{paper[phase] / n:.1f}",
                f"{seconds / powmod / paper[phase]:.2f}",
                ours[phase],
                f"{seconds:.2f}",
            ))  # fmt: skip
        results.append((f"generators ({workers} worker{'s' if workers > 1 else ''})", f"{derive / (n * w) * 1e3:.3f}", f"{derive / n / powmod:.1f}", "-", "-", "1 x^r", f"{derive:.2f}"))
    header = ("phase", "ms/ciphertext", "powmods/row", "paper exps/row", "ours/paper", "ours per row", "total s")
    print(table(results, header))


if __name__ == "__main__":
    main()
