"""What weights cost the tally (record-format §8.3): aggregating counted ballots with and without weights,
and the decryption's discrete logarithm over the larger bound. Both measured in one run, side by side.

    python benchmarks/bench_weighted_tally.py --ballots 400 --max-weight 3
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gmpy2  # noqa: E402
from _timing import median_seconds, table  # noqa: E402

from voting.ballot import make_ballot  # noqa: E402
from voting.context import ElectionContext  # noqa: E402
from voting.elgamal import discrete_log  # noqa: E402
from voting.encrypt import encrypt_ballot  # noqa: E402
from voting.group import STANDARD, ElementModP, g_pow  # noqa: E402
from voting.manifest import parse_manifest  # noqa: E402
from voting.tally import TallyAccumulator  # noqa: E402

MANIFEST = {
    "label": "Weighted tally benchmark",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "mayor", "votes_allowed": 1, "options": [{"label": "alice"}, {"label": "bob"}, {"label": "carol"}]},
        {"label": "council", "votes_allowed": 2, "options": [{"label": f"c{n}"} for n in range(5)]},
    ],
    "ballot_styles": [{"label": "all", "contests": ["mayor", "council"]}],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=400)
    parser.add_argument("--max-weight", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

    manifest = parse_manifest(MANIFEST)
    context = ElectionContext(g_pow(STANDARD.random_scalar()), secrets.token_bytes(32))
    ballots = [
        encrypt_ballot(context, make_ballot(manifest, "all", {"mayor": ["alice"], "council": ["c1", "c3"]})).ballot
        for _ in range(options.ballots)
    ]
    weights = [1 + secrets.randbelow(options.max_weight) for _ in ballots]

    def unweighted():
        acc = TallyAccumulator(manifest)
        for ballot in ballots:
            acc.add(ballot)
        return acc.result()

    def weighted():
        acc = TallyAccumulator(manifest, weighted=True)
        for ballot, weight in zip(ballots, weights):
            acc.add(ballot, weight)
        return acc.result()

    def weighted_per_ballot():
        """The direct reading of Π α_j^{w_j}: one exponentiation per ballot and option (what TallyAccumulator avoids)."""
        p, acc = STANDARD.p, {}
        for ballot, weight in zip(ballots, weights):
            for contest in ballot.contests:
                for selection in contest.selections:
                    key = (contest.contest, selection.option)
                    A, B = acc.get(key, (1, 1))
                    acc[key] = (A * gmpy2.powmod(selection.ciphertext.alpha.value, weight, p) % p,
                                B * gmpy2.powmod(selection.ciphertext.beta.value, weight, p) % p)  # fmt: skip
        return acc

    naive = median_seconds(weighted_per_ballot, repeat=options.repeat)
    plain = median_seconds(unweighted, repeat=options.repeat)
    heavy = median_seconds(weighted, repeat=options.repeat)
    total = sum(weights)
    K = context.K
    T_plain, T_heavy = (ElementModP.computed(gmpy2.powmod(K.value, n, STANDARD.p), STANDARD) for n in (options.ballots, total))
    log_plain = median_seconds(lambda: discrete_log(T_plain, K, options.ballots), repeat=options.repeat)
    log_heavy = median_seconds(lambda: discrete_log(T_heavy, K, total), repeat=options.repeat)
    print(f"{options.ballots} ballots, {sum(len(c.selections) for c in ballots[0].contests)} selections each, weights 1-{options.max_weight} (total {total})")
    print(table(
        [("aggregate (eq. 62)", f"{plain * 1000:.1f} ms", f"{heavy * 1000:.1f} ms", f"{heavy / plain:.2f}x",
          f"{naive * 1000:.1f} ms"),
         ("discrete log of one option", f"{log_plain * 1000:.2f} ms", f"{log_heavy * 1000:.2f} ms", f"{log_heavy / log_plain:.2f}x", "")],
        ("step", "unweighted", "weighted", "ratio", "weighted, one exponentiation per ballot"),
    ))  # fmt: skip


if __name__ == "__main__":
    main()
