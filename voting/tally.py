"""Ballot aggregation: the encrypted tally of every option (SPEC v2.0.0 §3.5, Verification 8).

(A, B) = (Π_j α_j mod p, Π_j β_j mod p) over the option's encryptions on all counted ballots (eq. 62).
An option that appears on no counted ballot has the empty product (1, 1), an encryption of 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

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
    ballots: int = 0
    _alpha: dict[tuple[str, str], mpz] = field(default_factory=dict)
    _beta: dict[tuple[str, str], mpz] = field(default_factory=dict)

    def add(self, ballot: EncryptedBallot) -> None:
        p = self.group.p
        for contest in ballot.contests:
            for selection in contest.selections:
                key = (contest.contest, selection.option)
                self._alpha[key] = self._alpha.get(key, mpz(1)) * selection.ciphertext.alpha.value % p
                self._beta[key] = self._beta.get(key, mpz(1)) * selection.ciphertext.beta.value % p
        self.ballots += 1

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
        return EncryptedTally(contests, self.ballots)


@dataclass(frozen=True)
class EncryptedTally:
    """contest label → option label → (A, B), for every contest and option of the manifest."""

    contests: dict[str, dict[str, Ciphertext]]
    ballot_count: int

    def items(self) -> Iterable[tuple[str, str, Ciphertext]]:
        for contest, options in self.contests.items():
            for option, ct in options.items():
                yield contest, option, ct


def aggregate(manifest: Manifest, ballots: Iterable[EncryptedBallot], group: Group = STANDARD) -> EncryptedTally:
    """The encrypted tally of ``ballots`` (SPEC eq. 62)."""
    return TallyAccumulator(manifest, group).add_all(ballots).result()
