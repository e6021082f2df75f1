"""Benchmark of the cryptography core on this machine (a benchmark, not a test).

    python benchmarks/bench_core.py

Prints medians (milliseconds) of: a modexp with a 256-bit exponent mod the 4096-bit p, a fixed-base
exponentiation, encrypting one selection with its 0/1 range proof, verifying one selection proof, and
proving/verifying one contest-limit proof (L = 1 and L = 3), plus ratios measured in the same run.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import gmpy2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _timing import median_seconds, table  # noqa: E402

from voting.context import ElectionContext  # noqa: E402
from voting.elgamal import add_all, encrypt  # noqa: E402
from voting.fixed_base import WINDOW_BITS  # noqa: E402
from voting.group import STANDARD, g_pow  # noqa: E402
from voting.membership import check_members  # noqa: E402
from voting.proofs.range import prove_range, verify_range  # noqa: E402


def main() -> None:
    p, q = STANDARD.p, STANDARD.q
    context = ElectionContext(g_pow(STANDARD.random_scalar()), secrets.token_bytes(32))
    context.g_table, context.K_table  # build both tables before timing
    base = context.K.value
    exponents = [gmpy2.mpz(secrets.randbelow(int(q))) for _ in range(64)]
    it = iter(exponents * 1000)

    modexp = median_seconds(lambda: gmpy2.powmod(base, next(it), p), number=40)
    fixed = median_seconds(lambda: context.K_table.pow_value(next(it)), number=200)
    membership = median_seconds(lambda: gmpy2.powmod(base, q, p), number=40)
    members = [g_pow(STANDARD.random_scalar()).value for _ in range(200)]
    batched = median_seconds(lambda: check_members(members, STANDARD, ["x"] * 200), repeat=5) / 200

    def encrypt_one():
        xi = STANDARD.random_scalar()
        ct = encrypt(1, xi, context)
        return ct, prove_range(ct, xi, 1, 1, context)

    encrypt_selection = median_seconds(encrypt_one, number=20)
    ct, proof = encrypt_one()
    verify_selection = median_seconds(lambda: verify_range(ct, proof, 1, context), number=20)

    rows = [
        ("modexp g^e mod p (256-bit e, 4096-bit p)", f"{modexp * 1e3:.3f}", "1.00"),
        (f"fixed-base exponentiation ({WINDOW_BITS}-bit windows)", f"{fixed * 1e3:.3f}", f"{fixed / modexp:.2f}"),
        ("subgroup check x^q mod p", f"{membership * 1e3:.3f}", f"{membership / modexp:.2f}"),
        ("batched subgroup check, per element (200)", f"{batched * 1e3:.3f}", f"{batched / modexp:.2f}"),
        ("encrypt one selection + 0/1 range proof", f"{encrypt_selection * 1e3:.3f}", f"{encrypt_selection / modexp:.2f}"),
        ("verify one selection range proof (R = 1)", f"{verify_selection * 1e3:.3f}", f"{verify_selection / modexp:.2f}"),
    ]
    for L in (1, 3):
        xis = [STANDARD.random_scalar() for _ in range(5)]
        cts = [encrypt(1 if n < L else 0, xi, context) for n, xi in enumerate(xis)]
        aggregate = add_all(cts)
        nonce = xis[0]
        for xi in xis[1:]:
            nonce = nonce + xi
        prove_limit = median_seconds(lambda: prove_range(aggregate, nonce, L, L, context), number=10)
        limit_proof = prove_range(aggregate, nonce, L, L, context)
        verify_limit = median_seconds(lambda: verify_range(aggregate, limit_proof, L, context, step=6), number=10)
        rows.append((f"prove contest-limit proof (L = {L})", f"{prove_limit * 1e3:.3f}", f"{prove_limit / modexp:.2f}"))
        rows.append((f"verify contest-limit proof (L = {L})", f"{verify_limit * 1e3:.3f}", f"{verify_limit / modexp:.2f}"))
    print(table(rows, ("operation", "median ms", "x modexp")))
    print(f"\nverification limit from the modexp count (4 variable-base + 4 fixed-base + 2 subgroup checks): "
          f"{1 / (6 * modexp + 4 * fixed):.0f} selections/s/core; measured proof check alone: {1 / verify_selection:.0f}/s")


if __name__ == "__main__":
    main()
