"""Benchmark of the P-256 group (voting/group_p256.py) beside the 4096-bit integer group (a benchmark, not a test).

    python benchmarks/bench_group_p256.py

Prints medians (milliseconds) of: a modexp with a 256-bit exponent mod the 4096-bit p (the integer group's unit
of work), and on P-256 a variable-base scalar multiplication, a multiple of the generator (precomputed comb),
the two-term product g^v · K^c of every proof check (Straus), a general two-term multi-scalar multiplication,
point decompression (parse of a 33-byte encoding, which is also P-256's membership check) and encoding;
plus the integer group's subgroup check x^q mod p. Ratios are against the modexp, measured in the same run.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import gmpy2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _timing import median_seconds, table  # noqa: E402

from voting.group import STANDARD, g_pow  # noqa: E402
from voting.group_p256 import GENERATOR, N, P256Point, multi_pow  # noqa: E402


def main() -> None:
    p, q = STANDARD.p, STANDARD.q
    base = g_pow(STANDARD.random_scalar()).value
    exponents = [gmpy2.mpz(secrets.randbelow(int(q))) for _ in range(64)]
    it = iter(exponents * 1000)
    modexp = median_seconds(lambda: gmpy2.powmod(base, next(it), p), number=40)
    membership = median_seconds(lambda: gmpy2.powmod(base, q, p), number=40)

    K = GENERATOR ** secrets.randbelow(N)
    A = GENERATOR ** secrets.randbelow(N)
    scalars = [secrets.randbelow(N) for _ in range(64)]
    s = iter(scalars * 1000)
    GENERATOR ** 1  # build the generator's comb before timing
    variable = median_seconds(lambda: K ** next(s), number=20)
    fixed = median_seconds(lambda: GENERATOR ** next(s), number=50)
    proof_pair = median_seconds(lambda: multi_pow([(GENERATOR, next(s)), (K, next(s))]), number=20)
    general_pair = median_seconds(lambda: multi_pow([(A, next(s)), (K, next(s))]), number=20)
    encodings = [(GENERATOR**k).to_bytes() for k in scalars]
    e = iter(encodings * 1000)
    decompress = median_seconds(lambda: P256Point.parse(next(e)), number=200)
    points = [P256Point.parse(b) for b in encodings]
    pt = iter(points * 1000)
    encode = median_seconds(lambda: (next(pt) * K).to_bytes(), number=200)

    def row(name: str, seconds: float) -> tuple[str, str, str]:
        return (name, f"{seconds * 1e3:.3f}", f"{seconds / modexp:.2f}")

    rows = [
        row("integer group: modexp (256-bit e, 4096-bit p)", modexp),
        row("integer group: subgroup check x^q mod p", membership),
        row("P-256: scalar multiplication k·K (variable base)", variable),
        row("P-256: k·G (generator comb)", fixed),
        row("P-256: v·G + c·K (proof check pair)", proof_pair),
        row("P-256: a·A + b·K (general 2-term Straus)", general_pair),
        row("P-256: decompression = membership (parse 33 bytes)", decompress),
        row("P-256: point addition + encoding (one inversion)", encode),
    ]
    print(table(rows, ("operation", "median ms", "x modexp")))
    print(
        f"\ng^v·K^c with two plain modexps: {2 * modexp * 1e3:.3f} ms; on P-256: {proof_pair * 1e3:.3f} ms "
        f"({2 * modexp / proof_pair:.1f}x). Membership: {membership / decompress:.0f}x cheaper on P-256. (The integer "
        f"group's verifier also uses fixed-base tables for g and K: see bench_core.py.)"
    )


if __name__ == "__main__":
    main()
