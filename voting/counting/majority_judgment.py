"""Majority judgment (Michel Balinski and Rida Laraki, "Majority Judgment: Measuring, Ranking, and Electing",
MIT Press 2010; the Wikipedia article "Majority judgment").

  M1. Each valid ballot grades every candidate, 0 the lowest grade (:mod:`.ballots`, rule G2).
  M2. A candidate's majority grade is the lower median of its grades: with the n grades sorted from lowest to
      highest, the one at position ⌊(n − 1)/2⌋ (0-based) — for an even n, the lower of the two middle grades.
  M3. The candidate with the highest majority grade wins. Candidates with the same majority grade are
      separated by their majority values: remove one instance of the majority grade from each, take the new
      lower median, and repeat; the first step at which they differ ranks them, the higher grade ahead.
  M4. Identical majority values (the same grades, in every count): the lot of :mod:`.lots` (method
      ``majority_judgment``, purpose ``winner``, stage 0) chooses the winner.

The result reports each candidate's grade counts and majority grade, and for every set of candidates sharing
a majority grade the tie-breaking steps: each one's median at step 0, 1, …, up to the step that orders the last
two of them (every two have then differed at some step), or to the last step when two have identical majority
values. Three or more tied candidates may need more steps than the first difference: A and B differing from C
at step 1 are still tied with each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .ballots import Voided, check_candidates, read_grades
from .lots import Lot, check_seed
from .ranking import groups_by, winner_of

METHOD = "majority_judgment"


@dataclass(frozen=True)
class TieBreak:
    """Candidates with one majority grade, and their successive medians until they differ."""

    candidates: tuple[str, ...]
    steps: tuple[dict[str, int], ...]


@dataclass(frozen=True)
class MajorityJudgmentResult:
    """The winner, the ranking in groups, grade counts (index = grade), majority grades, tie-breaks."""

    method: str
    candidates: tuple[str, ...]
    grades: int
    winner: str | None  # None: no valid ballot, no one elected
    ranking: tuple[tuple[str, ...], ...]
    grade_counts: dict[str, tuple[int, ...]]
    majority_grades: dict[str, int]
    tie_breaks: tuple[TieBreak, ...]
    lot: Lot | None
    valid: int
    voided: tuple[Voided, ...]


def majority_value(grades: Sequence[int]) -> tuple[int, ...]:
    """M2-M3: the successive lower medians, removing one instance of the median each time."""
    remaining = sorted(grades)
    value = []
    while remaining:
        value.append(remaining.pop((len(remaining) - 1) // 2))
    return tuple(value)


def _tie_break(labels: tuple[str, ...], tied: list[int], values: list[tuple[int, ...]]) -> TieBreak:
    """M3's steps for ``tied``: each one's median at step 0, 1, … until every two of them have differed at some
    step (all are ordered), or to the last step when two have identical majority values (M4)."""
    steps = []
    for step in range(len(values[tied[0]])):
        steps.append({labels[c]: values[c][step] for c in tied})
        if len({values[c][: step + 1] for c in tied}) == len(tied):
            break
    return TieBreak(tuple(labels[c] for c in tied), tuple(steps))


def count_majority_judgment(candidates: Sequence[str], rows: Sequence[Sequence[object]], grades: int, seed: bytes) -> MajorityJudgmentResult:
    """Count a majority judgment contest from its decrypted rows (a grade per candidate, see :mod:`.ballots`)."""
    labels = check_candidates(candidates)
    check_seed(seed)
    ballots = read_grades(rows, len(labels), grades)
    columns = [[row[c] for row in ballots.grades] for c in range(len(labels))]
    values = [majority_value(column) for column in columns]
    majority = {labels[c]: values[c][0] for c in range(len(labels)) if values[c]}
    ranking = groups_by(labels, lambda c: values[c])
    by_grade: dict[int, list[int]] = {}
    for c in range(len(labels)):
        if values[c]:
            by_grade.setdefault(values[c][0], []).append(c)
    tie_breaks = tuple(_tie_break(labels, tied, values) for _, tied in sorted(by_grade.items(), reverse=True) if len(tied) > 1)
    winner, lot = winner_of(ranking, seed, METHOD, len(ballots.grades))
    counts = {labels[c]: tuple(columns[c].count(g) for g in range(grades)) for c in range(len(labels))}
    return MajorityJudgmentResult(METHOD, labels, grades, winner, ranking, counts, majority, tie_breaks, lot,
                                  len(ballots.grades), ballots.voided)
