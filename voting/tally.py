"""Ballot aggregation: the encrypted tally of every option (SPEC v2.0.0 §3.5, Verification 8).

(A, B) = (Π_j α_j mod p, Π_j β_j mod p) over the option's encryptions on all counted ballots (eq. 62).
An option that appears on no counted ballot has the empty product (1, 1), an encryption of 0.

Weighted elections (an evote extension, docs/record-format.md §8.3): with w_j the weight of ballot j's
credential, (A, B) = (Π_j α_j^{w_j} mod p, Π_j β_j^{w_j} mod p), an encryption of Σ_j w_j·σ_j; with every
w_j = 1 this is eq. 62 unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import gmpy2
from gmpy2 import mpz

from .elgamal import Ciphertext
from .encrypted_ballot import EncryptedBallot
from .group import STANDARD, ElementModP, Group
from .manifest import Manifest


@dataclass
class TallyAccumulator:
    """Running products per (contest, option); add ballots one by one (memory flat in their number).

    Weighted ballots are multiplied into one running product per weight, and each product is raised to its
    weight once, in :meth:`result`: Π_j α_j^{w_j} = Π_w (Π_{j: w_j = w} α_j)^w. That costs one exponentiation
    per distinct weight and option instead of one per ballot and option (benchmarks/bench_weighted_tally.py).
    """

    manifest: Manifest
    group: Group = STANDARD
    weighted: bool = False  # whether the tally records its total weight (version-2 credential lists)
    ballots: int = 0
    total_weight: int = 0
    _products: dict[int, dict[tuple[str, str], list[mpz]]] = field(default_factory=dict)  # weight -> key -> [A, B]

    def add(self, ballot: EncryptedBallot, weight: int = 1) -> None:
        if weight < 1 or (weight != 1 and not self.weighted):
            raise ValueError("a ballot's weight is a positive integer, and only weighted tallies take weights other than 1")
        p = self.group.p
        products = self._products.setdefault(weight, {})
        for contest in ballot.contests:
            for selection in contest.selections:
                pair = products.setdefault((contest.contest, selection.option), [mpz(1), mpz(1)])
                pair[0] = pair[0] * selection.ciphertext.alpha.value % p
                pair[1] = pair[1] * selection.ciphertext.beta.value % p
        self.ballots += 1
        self.total_weight += weight

    def add_all(self, ballots: Iterable[EncryptedBallot]) -> TallyAccumulator:
        for ballot in ballots:
            self.add(ballot)
        return self

    def _product(self, key: tuple[str, str]) -> tuple[mpz, mpz]:
        p = self.group.p
        A, B = mpz(1), mpz(1)
        for weight, products in self._products.items():
            pair = products.get(key)
            if pair is None:
                continue
            a, b = pair if weight == 1 else (gmpy2.powmod(pair[0], weight, p), gmpy2.powmod(pair[1], weight, p))
            A, B = A * a % p, B * b % p
        return A, B

    def result(self) -> EncryptedTally:
        contests: dict[str, dict[str, Ciphertext]] = {}
        for contest in self.manifest.contests:
            contests[contest.label] = {}
            for option in contest.options:
                A, B = self._product((contest.label, option.label))
                contests[contest.label][option.label] = Ciphertext(
                    ElementModP.computed(A, self.group), ElementModP.computed(B, self.group)
                )
        return EncryptedTally(contests, self.ballots, self.total_weight if self.weighted else None)


@dataclass(frozen=True)
class EncryptedTally:
    """contest label → option label → (A, B), for every contest and option of the manifest."""

    contests: dict[str, dict[str, Ciphertext]]
    ballot_count: int
    total_weight: int | None = None  # Σ w_j over the counted ballots in a weighted tally; None: unweighted

    @property
    def weight_bound(self) -> int:
        """What each option's total is at most per unit of its selection limit: the total weight, or the
        number of ballots in an unweighted tally (the discrete logarithm's bound, SPEC §3.6.1)."""
        return self.ballot_count if self.total_weight is None else self.total_weight

    def items(self) -> Iterable[tuple[str, str, Ciphertext]]:
        for contest, options in self.contests.items():
            for option, ct in options.items():
                yield contest, option, ct


def aggregate(manifest: Manifest, ballots: Iterable[EncryptedBallot], group: Group = STANDARD) -> EncryptedTally:
    """The encrypted tally of ``ballots`` (SPEC eq. 62)."""
    return TallyAccumulator(manifest, group).add_all(ballots).result()
