"""Pairwise preferences of ranked ballots: d[i][j], the number of voters who rank candidate i above candidate j.

A ranked candidate is above every candidate the ballot leaves unranked; unranked candidates are equal to each
other (a ballot ranking A then B says nothing between C and D).
"""

from __future__ import annotations

from typing import Iterable

from .ballots import Preference


def pairwise_matrix(preferences: Iterable[Preference], candidates: int) -> list[list[int]]:
    """d[i][j] for every pair; d[i][i] = 0."""
    d = [[0] * candidates for _ in range(candidates)]
    for preference in preferences:
        unranked = [c for c in range(candidates) if c not in preference]
        for position, above in enumerate(preference):
            for below in preference[position + 1 :]:
                d[above][below] += 1
            for below in unranked:
                d[above][below] += 1
    return d
