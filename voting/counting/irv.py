"""Instant-runoff voting (IRV, "ranked-choice voting" for one seat).

Rule set (as in the Wikipedia article "Instant-runoff voting" and the single-seat rules of Maine and New York
City, one elimination per round):

  I1. Each round, every valid ballot counts for its highest-ranked continuing candidate; a ballot whose ranked
      candidates are all eliminated is exhausted and counts for no one from then on.
  I2. A candidate with more than half of the ballots counting in that round (exhausted ballots left out) is
      elected and the count ends. The last continuing candidate is elected. With no valid ballot no one is
      elected: one round, every tally 0, no one elected or eliminated, and no lot.
  I3. Otherwise the candidate with the fewest votes is eliminated, alone; when several share the fewest, the
      lot of :mod:`.lots` (method ``irv``, purpose ``eliminate``, stage = the round) chooses which.

Each round reports the tallies, the exhausted ballots, who was elected or eliminated, and the transfers: how
many of the eliminated candidate's ballots went to each continuing candidate and how many were exhausted.
No ballot is created or lost: in every round the tallies plus the exhausted ballots equal the valid ballots.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from .ballots import Preference, Voided, check_candidates, read_rankings
from .lots import Lot, check_seed, draw_lot

METHOD = "irv"


@dataclass(frozen=True)
class IrvRound:
    """One round: tallies of the continuing candidates, and what the round decided."""

    number: int
    tallies: dict[str, int]
    exhausted: int
    elected: str | None
    eliminated: str | None
    transfers: dict[str, int]
    exhausted_by_transfer: int
    lot: Lot | None


@dataclass(frozen=True)
class IrvResult:
    """The winner, every round, and the ballots voided publicly."""

    method: str
    candidates: tuple[str, ...]
    winner: str | None  # None: no valid ballot, no one elected (I2)
    rounds: tuple[IrvRound, ...]
    valid: int
    voided: tuple[Voided, ...]


def _piles(profile: Counter[Preference], continuing: set[int]) -> tuple[Counter[int], int]:
    """I1: the ballots counting for each continuing candidate, and the exhausted ballots."""
    piles: Counter[int] = Counter()
    exhausted = 0
    for preference, weight in profile.items():
        holder = next((c for c in preference if c in continuing), None)
        if holder is None:
            exhausted += weight
        else:
            piles[holder] += weight
    return piles, exhausted


def count_irv(candidates: Sequence[str], rows: Sequence[Sequence[object]], seed: bytes, max_rank: int | None = None) -> IrvResult:
    """Count an IRV contest from its decrypted rows (ranks per candidate, see :mod:`.ballots`)."""
    labels = check_candidates(candidates)
    check_seed(seed)
    ballots = read_rankings(rows, len(labels), max_rank)
    profile = Counter(ballots.preferences)
    continuing = set(range(len(labels)))
    rounds: list[IrvRound] = []
    piles, exhausted = _piles(profile, continuing)
    if not ballots.preferences:  # I2: no valid ballot elects no one
        nobody = IrvRound(1, {label: 0 for label in labels}, 0, None, None, {}, 0, None)
        return IrvResult(METHOD, labels, None, (nobody,), 0, ballots.voided)
    while True:
        number = len(rounds) + 1
        tallies = {labels[c]: piles[c] for c in sorted(continuing)}
        leader = max(sorted(continuing), key=lambda c: piles[c])
        if 2 * piles[leader] > sum(piles.values()) or len(continuing) == 1:
            rounds.append(IrvRound(number, tallies, exhausted, labels[leader], None, {}, 0, None))
            return IrvResult(METHOD, labels, labels[leader], tuple(rounds), len(ballots.preferences), ballots.voided)
        fewest = min(piles[c] for c in continuing)
        lowest = [c for c in sorted(continuing) if piles[c] == fewest]
        lot = draw_lot(seed, METHOD, "eliminate", number, (labels[c] for c in lowest)) if len(lowest) > 1 else None
        out = labels.index(lot.chosen) if lot else lowest[0]
        continuing.discard(out)
        after, exhausted_after = _piles(profile, continuing)
        transfers = {labels[c]: after[c] - piles[c] for c in sorted(continuing)}
        rounds.append(IrvRound(number, tallies, exhausted, None, labels[out], transfers, exhausted_after - exhausted, lot))
        piles, exhausted = after, exhausted_after
