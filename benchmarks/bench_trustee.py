"""Tally decryption costs per selection, per role (a benchmark, not a test).

    python benchmarks/bench_trustee.py [--entries 40] [--runs 5]

For a 3-of-5 election (k = 3, one trustee of the quorum set absent): one trustee's work per tally entry —
round 1 (M_i = A^P(i) and the commitment (g^u, A^u), SPEC eqs. 66, 69) plus round 2 (the response, eq. 73) —
and the combiner's work per entry for k shares: M and the joint challenge (eqs. 67-71), checking each
trustee's response (eqs. 74-75) and assembling the proof (eq. 76), then Verification 9 of the result.
Medians over the runs, in milliseconds per tally entry.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from _timing import table  # noqa: E402

from voting.context import ElectionContext  # noqa: E402
from voting.decryption import verify_decryption  # noqa: E402
from voting.elgamal import add_all, encrypt  # noqa: E402
from voting.group import STANDARD  # noqa: E402
from voting.hashing import parameter_base_hash  # noqa: E402
from voting.joint_decryption import (  # noqa: E402
    assemble,
    check_guardian_responses,
    guardian_responses,
    guardian_share,
    make_challenge,
)
from voting.key_ceremony import GuardianPolynomial, joint_public_key, key_share, public_key_share  # noqa: E402

N, K = 5, 3
PRESENT = (1, 3, 4)


def setup(entries: int):
    polynomials = {i: GuardianPolynomial.generate(i, K, STANDARD) for i in range(1, N + 1)}
    commitments = [p.commit(parameter_base_hash()) for p in polynomials.values()]
    context = ElectionContext(joint_public_key(c.public_key for c in commitments), bytes(32))
    shares = {i: key_share(i, {j: p.evaluate(i) for j, p in polynomials.items()}) for i in polynomials}
    public = {i: public_key_share(commitments, i) for i in polynomials}
    items = [add_all(encrypt(1, STANDARD.random_scalar(), context) for _ in range(3)) for _ in range(entries)]
    context.g_table, context.K_table  # noqa: B018 - tables built before timing
    return context, shares, public, items


def one_run(context, shares, public, items) -> dict[str, float]:
    n = len(items)
    timings = {}
    start = time.perf_counter()
    rounds = {i: guardian_share(i, shares[i], items, context) for i in PRESENT}
    timings["trustee round 1 (M_i and commitment)"] = (time.perf_counter() - start) / len(PRESENT) / n
    start = time.perf_counter()
    challenge = make_challenge({i: r[0] for i, r in rounds.items()}, items, context, K)
    timings["combiner: M and joint challenge (k shares)"] = (time.perf_counter() - start) / n
    start = time.perf_counter()
    responses = {i: guardian_responses(i, shares[i], rounds[i][1], challenge) for i in PRESENT}
    timings["trustee round 2 (response)"] = (time.perf_counter() - start) / len(PRESENT) / n
    start = time.perf_counter()
    for i in PRESENT:
        check_guardian_responses(rounds[i][0], responses[i], challenge, items, public[i], context)
    results = assemble(challenge, responses)
    timings["combiner: check k responses and assemble"] = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for item, result in zip(items, results):
        verify_decryption(context, item.alpha, item.beta, item.beta * result.M.inverse(), result.proof)
    timings["anyone: Verification 9 of the result"] = (time.perf_counter() - start) / n
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    inputs = setup(args.entries)
    runs = [one_run(*inputs) for _ in range(args.runs)]
    rows = []
    for name in runs[0]:
        samples = [r[name] * 1000 for r in runs]
        rows.append((name, f"{statistics.median(samples):.2f}", f"{min(samples):.2f}", f"{max(samples):.2f}"))
    trustee = sum(statistics.median([r[k] * 1000 for r in runs]) for k in runs[0] if k.startswith("trustee"))
    combiner = sum(statistics.median([r[k] * 1000 for r in runs]) for k in runs[0] if k.startswith("combiner"))
    rows.append(("one trustee, both rounds", f"{trustee:.2f}", "", ""))
    rows.append((f"whole decryption ({K} trustees + combiner)", f"{K * trustee + combiner:.2f}", "", ""))
    print(f"ms per tally entry, {N} trustees, k = {K}, present {PRESENT}, {args.entries} entries, median of {args.runs}")
    print(table(rows, ("step", "median", "min", "max")))


if __name__ == "__main__":
    main()
