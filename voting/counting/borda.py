"""The Borda count (Jean-Charles de Borda, 1781), as in the Wikipedia article "Borda count": with n candidates,
a ballot gives n − r points to the candidate it ranks r-th (n − 1 to its first preference) and 0 to every
candidate it leaves unranked (the "truncated ballots count nothing below" convention).

The candidates are ranked by their total points; several with the highest total: the lot of :mod:`.lots`
(method ``borda``, purpose ``winner``, stage 0) chooses the winner. The result reports every score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .ballots import Voided, check_candidates, read_rankings
from .lots import Lot, check_seed
from .ranking import groups_by, winner_of

METHOD = "borda"


@dataclass(frozen=True)
class BordaResult:
    """The winner, the ranking in groups of equal score, and the scores."""

    method: str
    candidates: tuple[str, ...]
    winner: str | None  # None: no valid ballot, no one elected
    ranking: tuple[tuple[str, ...], ...]
    scores: dict[str, int]
    lot: Lot | None
    valid: int
    voided: tuple[Voided, ...]


def count_borda(candidates: Sequence[str], rows: Sequence[Sequence[object]], seed: bytes, max_rank: int | None = None) -> BordaResult:
    """Count a Borda contest from its decrypted rows (ranks per candidate, see :mod:`.ballots`)."""
    labels = check_candidates(candidates)
    check_seed(seed)
    ballots = read_rankings(rows, len(labels), max_rank)
    n = len(labels)
    points = [0] * n
    for preference in ballots.preferences:
        for position, c in enumerate(preference):
            points[c] += n - 1 - position
    ranking = groups_by(labels, lambda c: points[c])
    winner, lot = winner_of(ranking, seed, METHOD, len(ballots.preferences))
    return BordaResult(METHOD, labels, winner, ranking, dict(zip(labels, points)), lot, len(ballots.preferences), ballots.voided)
