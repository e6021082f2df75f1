"""The Schulze method (Markus Schulze, "A new monotonic, clone-independent, reversal symmetric, and
Condorcet-consistent single-winner election method", Social Choice and Welfare 36 (2011) 267-303), with the
strength of a link measured in winning votes, as in the Wikipedia article "Schulze method".

  S1. d[i][j]: voters ranking i above j (:mod:`.pairwise`; unranked candidates are equal, below the ranked).
  S2. A link i→j has strength d[i][j] when d[i][j] > d[j][i], and 0 otherwise.
  S3. p[i][j]: the strength of the strongest path from i to j, a path being as strong as its weakest link
      (widest paths, computed as Floyd-Warshall does).
  S4. i beats j when p[i][j] > p[j][i]; this relation is transitive (Schulze 2011, §4.1). The winners are the
      candidates no one beats; the ranking lists them as its first group, then the candidates no one left
      beats, and so on (a group holds candidates that are tied or not comparable).
  S5. Several winners: the lot of :mod:`.lots` (method ``schulze``, purpose ``winner``, stage 0) chooses one.
      (Schulze's own tie-breaking by a random ballot is replaced by this lot, so that no extra ballot is drawn.)

The result reports d, p, the groups and the lot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .ballots import Voided, check_candidates, read_rankings
from .lots import Lot, check_seed
from .pairwise import pairwise_matrix
from .ranking import winner_of

METHOD = "schulze"


@dataclass(frozen=True)
class SchulzeResult:
    """The winner, the ranking in groups, d and p (rows and columns in the candidates' order)."""

    method: str
    candidates: tuple[str, ...]
    winner: str | None  # None: no valid ballot, no one elected
    ranking: tuple[tuple[str, ...], ...]
    pairwise: tuple[tuple[int, ...], ...]
    strongest_paths: tuple[tuple[int, ...], ...]
    lot: Lot | None
    valid: int
    voided: tuple[Voided, ...]


def strongest_paths(d: list[list[int]]) -> list[list[int]]:
    """S2 and S3: p[i][j] for every pair (0 on the diagonal)."""
    n = len(d)
    p = [[d[i][j] if i != j and d[i][j] > d[j][i] else 0 for j in range(n)] for i in range(n)]
    for k in range(n):
        for i in range(n):
            if i == k:
                continue
            for j in range(n):
                if j not in (i, k):
                    p[i][j] = max(p[i][j], min(p[i][k], p[k][j]))
    return p


def unbeaten_groups(labels: tuple[str, ...], p: list[list[int]]) -> tuple[tuple[str, ...], ...]:
    """S4: the unbeaten candidates, then the unbeaten among the rest, and so on."""
    remaining = list(range(len(labels)))
    groups = []
    while remaining:
        unbeaten = [i for i in remaining if not any(p[j][i] > p[i][j] for j in remaining)]
        groups.append(tuple(labels[i] for i in unbeaten))
        remaining = [i for i in remaining if i not in unbeaten]
    return tuple(groups)


def count_schulze(candidates: Sequence[str], rows: Sequence[Sequence[object]], seed: bytes, max_rank: int | None = None) -> SchulzeResult:
    """Count a Schulze contest from its decrypted rows (ranks per candidate, see :mod:`.ballots`)."""
    labels = check_candidates(candidates)
    check_seed(seed)
    ballots = read_rankings(rows, len(labels), max_rank)
    d = pairwise_matrix(ballots.preferences, len(labels))
    p = strongest_paths(d)
    ranking = unbeaten_groups(labels, p)
    winner, lot = winner_of(ranking, seed, METHOD, len(ballots.preferences))
    return SchulzeResult(METHOD, labels, winner, ranking, tuple(map(tuple, d)), tuple(map(tuple, p)), lot,
                         len(ballots.preferences), ballots.voided)
