"""What a decrypted row means, and the public rule that voids a row that is not a valid ballot (issue 20, item 1).

A range proof per cell does not make a row a valid ranking (every cell at 1 passes). evote takes Belenios'
choice: the rows are decrypted after the mix, and a row that is not a valid ballot is voided publicly under
the rule below. Each voided row is listed with its position in the final mix output and the reason, so anyone
recounts the same valid ballots; a voided row counts for no candidate and does not enter a quota.

Ranked contests (irv, stv, schulze, borda): a row has one cell per candidate, in the manifest's order; the
cell is the rank given to that candidate, 1 the first preference, 0 for unranked. The row is valid when

  R1. it has exactly one cell per candidate;
  R2. every cell is an integer from 0 to ``max_rank`` (the manifest's number of ranks, at most the candidates);
  R3. no two candidates share a rank (no equal ranks);
  R4. the ranks given are exactly 1, 2, …, k for some k ≥ 1 (no gap: 1, 2, 4 is void, not cut at 2);
  R5. at least one candidate is ranked — an all-zero row is blank: voided as ``blank``, shown apart.

A partial ranking (k smaller than the number of candidates) is valid; what happens when its ranked
candidates are all out is the method's rule for exhausted ballots.

Graded contests (majority_judgment): one cell per candidate, the grade from 0 (the lowest, e.g. "Reject")
to ``grades - 1`` (the highest). G1: one cell per candidate; G2: every cell an integer in that range. Every
candidate is graded: the booth writes the lowest grade for a candidate the voter leaves ungraded (Balinski and
Laraki's convention for "no opinion").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .errors import CountingError

VOID_LENGTH = "R1/G1: wrong number of cells"
VOID_RANGE = "R2: rank out of range"
VOID_EQUAL = "R3: equal ranks"
VOID_GAP = "R4: gap in ranks"
VOID_BLANK = "blank"
VOID_GRADE = "G2: grade out of range"

Preference = tuple[int, ...]  # candidate indices, first preference first


@dataclass(frozen=True)
class Voided:
    """A row voided publicly: its 0-based position in the decrypted output and the rule it breaks."""

    row: int
    reason: str


@dataclass(frozen=True)
class RankedBallots:
    """The valid rows as preference orders (candidate indices), and the voided rows."""

    preferences: tuple[Preference, ...]
    voided: tuple[Voided, ...]


@dataclass(frozen=True)
class GradedBallots:
    """The valid rows as grades per candidate, and the voided rows."""

    grades: tuple[tuple[int, ...], ...]
    voided: tuple[Voided, ...]


def check_candidates(candidates: Sequence[str]) -> tuple[str, ...]:
    """The manifest's labels: at least one, each a non-empty string, no two alike."""
    labels = tuple(candidates)
    if not labels:
        raise CountingError("candidates", "a contest needs at least one candidate")
    for i, label in enumerate(labels):
        if not isinstance(label, str) or not label:
            raise CountingError(f"candidates[{i}]", "must be a non-empty label")
    if len(set(labels)) != len(labels):
        raise CountingError("candidates", "labels must be unique")
    return labels


def _integers(row: Sequence[object], low: int, high: int) -> list[int] | None:
    """The row's cells when every one is an integer (never a bool) from ``low`` to ``high``; else None."""
    cells = [cell for cell in row if isinstance(cell, int) and not isinstance(cell, bool) and low <= cell <= high]
    return cells if len(cells) == len(row) else None


def ranking_defect(row: Sequence[object], candidates: int, max_rank: int) -> str | None:
    """The rule (R1-R5) that ``row`` breaks, or None when it is a valid ranking."""
    if len(row) != candidates:
        return VOID_LENGTH
    cells = _integers(row, 0, max_rank)
    if cells is None:
        return VOID_RANGE
    ranks = [cell for cell in cells if cell != 0]
    if len(set(ranks)) != len(ranks):
        return VOID_EQUAL
    if not ranks:
        return VOID_BLANK
    if max(ranks) != len(ranks):
        return VOID_GAP
    return None


def read_rankings(rows: Sequence[Sequence[object]], candidates: int, max_rank: int | None = None) -> RankedBallots:
    """Split decrypted rows into valid preference orders and publicly voided rows (rules R1-R5)."""
    limit = candidates if max_rank is None else max_rank
    if not 1 <= limit <= candidates:
        raise CountingError("max_rank", f"must be from 1 to the number of candidates ({candidates})")
    preferences: list[Preference] = []
    voided: list[Voided] = []
    for index, row in enumerate(rows):
        defect = ranking_defect(row, candidates, limit)
        if defect is not None:
            voided.append(Voided(index, defect))
            continue
        ranked = sorted((rank, c) for c, rank in enumerate(_integers(row, 0, limit) or []) if rank != 0)
        preferences.append(tuple(c for _, c in ranked))
    return RankedBallots(tuple(preferences), tuple(voided))


def read_grades(rows: Sequence[Sequence[object]], candidates: int, grades: int) -> GradedBallots:
    """Split decrypted rows into valid gradings and publicly voided rows (rules G1, G2)."""
    if grades < 2:
        raise CountingError("grades", "a graded contest needs at least two grades")
    valid: list[tuple[int, ...]] = []
    voided: list[Voided] = []
    for index, row in enumerate(rows):
        cells = _integers(row, 0, grades - 1)
        if len(row) != candidates:
            voided.append(Voided(index, VOID_LENGTH))
        elif cells is None:
            voided.append(Voided(index, VOID_GRADE))
        else:
            valid.append(tuple(cells))
    return GradedBallots(tuple(valid), tuple(voided))
