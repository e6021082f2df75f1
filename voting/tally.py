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
    """Running products per (contest, option); add ballots one by one (memory flat in their number)."""

    manifest: Manifest
    group: Group = STANDARD
    weighted: bool = False  # whether the tally records its total weight (version-2 credential lists)
    ballots: int = 0
    total_weight: int = 0
    _alpha: dict[tuple[str, str], mpz] = field(default_factory=dict)
    _beta: dict[tuple[str, str], mpz] = field(default_factory=dict)

    def add(self, ballot: EncryptedBallot, weight: int = 1) -> None:
        if weight < 1 or (weight != 1 and not self.weighted):
            raise ValueError("a ballot's weight is a positive integer, and only weighted tallies take weights other than 1")
        p = self.group.p
        for contest in ballot.contests:
            for selection in contest.selections:
                key = (contest.contest, selection.option)
                alpha, beta = selection.ciphertext.alpha.value, selection.ciphertext.beta.value
                if weight != 1:
                    alpha, beta = gmpy2.powmod(alpha, weight, p), gmpy2.powmod(beta, weight, p)
                self._alpha[key] = self._alpha.get(key, mpz(1)) * alpha % p
                self._beta[key] = self._beta.get(key, mpz(1)) * beta % p
        self.ballots += 1
        self.total_weight += weight

    def add_all(self, ballots: Iterable[EncryptedBallot]) -> TallyAccumulator:
        for ballot in ballots:
            self.add(ballot)
        return self

    def result(self) -> EncryptedTally:
        contests = {}
        for contest in self.manifest.contests:
            contests[contest.label] = {
                option.label: Ciphertext(
                    ElementModP.computed(self._alpha.get((contest.label, option.label), mpz(1)), self.group),
                    ElementModP.computed(self._beta.get((contest.label, option.label), mpz(1)), self.group),
                )
                for option in contest.options
            }
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
