"""The published result of a contest with ``counting`` (record-format §12.3, in the words of §8.5 "Ranked and
graded contests"): the board's side.

The contest's decrypted rows (``tally.result``'s ``mixed``, one row per ballot in the last mix output's order)
are counted by the contest's method with ``voting/counting`` (docs/counting.md), the lots drawn from the tie
seed of record-format §12.3. The result names the method in plain words, the winners, the valid and voided
rows (each voided row with the rule it breaks), every lot, and what each method's count did: the rounds of
instant-runoff, the stages of STV, Schulze's pairwise and strongest-path matrices, the Borda points, the
grades of majority judgment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..counting import (
    STV_RULE_SETS,
    Lot,
    Voided,
    count_borda,
    count_irv,
    count_majority_judgment,
    count_schulze,
    plain,
)
from ..manifest import Contest
from .mixing import rows_digest, tie_seed

# The methods in plain words (record-format §8.5); STV by its rule set.
METHOD_WORDS = {
    "irv": "instant-runoff",
    "schulze": "Schulze",
    "borda": "Borda count",
    "majority_judgment": "majority judgment",
}
STV_WORDS = {"scottish": "single transferable vote (Scottish rules)"}


@dataclass(frozen=True)
class RankedContestResult:
    """A contest counted from its decrypted rows (record-format §8.5, "Ranked and graded contests")."""

    contest: str
    title: str
    method: str
    rule_set: str | None
    seats: int
    options: tuple[tuple[str, str], ...]  # (label, name) in manifest order
    winners: tuple[str, ...]  # labels, in the order of their election (STV) or the one winner
    seed: bytes
    rows: int  # decrypted rows, valid or voided
    valid: int
    voided: tuple[Voided, ...]
    lots: tuple[Lot, ...]
    details: dict[str, Any]  # the method's rounds, stages, matrices, points or grades, as plain data
    grades: tuple[str, ...] = ()  # majority judgment: the grades' names, the lowest first

    @property
    def words(self) -> str:
        """The method in plain words."""
        return STV_WORDS[self.rule_set or ""] if self.method == "stv" else METHOD_WORDS[self.method]

    def to_json(self) -> dict[str, Any]:
        counting = {
            "method": self.method,
            "rule_set": self.rule_set,
            "words": self.words,
            "seed": self.seed.hex().upper(),
            "rows": self.rows,
            "valid": self.valid,
            "voided": [{"row": v.row, "reason": v.reason} for v in self.voided],
            "lots": plain(list(self.lots)),
            **self.details,
        }
        return {
            "contest": self.contest,
            "title": self.title,
            "number_elected": self.seats,
            "votes": self.valid,
            "options": [{"option": label, "name": name} for label, name in self.options],
            "winners": list(self.winners),
            "tie": None,
            "counting": counting,
        }


@dataclass(frozen=True)
class _Count:
    winners: tuple[str, ...]
    valid: int
    voided: tuple[Voided, ...]
    lots: tuple[Lot, ...]
    details: dict[str, Any]


def _irv(contest: Contest, labels: tuple[str, ...], rows: Sequence[Sequence[int]], seed: bytes) -> _Count:
    result = count_irv(labels, rows, seed, contest.counting.ranks)
    lots = tuple(r.lot for r in result.rounds if r.lot is not None)
    return _Count((result.winner,), result.valid, result.voided, lots, {"rounds": plain(result.rounds)})


def _stv(contest: Contest, labels: tuple[str, ...], rows: Sequence[Sequence[int]], seed: bytes) -> _Count:
    counting = contest.counting
    result = STV_RULE_SETS[counting.rule_set](labels, rows, counting.seats, seed, counting.ranks)
    lots = tuple(lot for stage in result.stages for lot in stage.lots)
    return _Count(result.elected, result.valid, result.voided, lots, {"quota": result.quota, "stages": plain(result.stages)})


def _schulze(contest: Contest, labels: tuple[str, ...], rows: Sequence[Sequence[int]], seed: bytes) -> _Count:
    result = count_schulze(labels, rows, seed, contest.counting.ranks)
    details = {"ranking": plain(result.ranking), "pairwise": plain(result.pairwise), "strongest_paths": plain(result.strongest_paths)}
    return _Count((result.winner,), result.valid, result.voided, _one(result.lot), details)


def _borda(contest: Contest, labels: tuple[str, ...], rows: Sequence[Sequence[int]], seed: bytes) -> _Count:
    result = count_borda(labels, rows, seed, contest.counting.ranks)
    details = {"ranking": plain(result.ranking), "scores": plain(result.scores)}
    return _Count((result.winner,), result.valid, result.voided, _one(result.lot), details)


def _majority_judgment(contest: Contest, labels: tuple[str, ...], rows: Sequence[Sequence[int]], seed: bytes) -> _Count:
    result = count_majority_judgment(labels, rows, len(contest.counting.grades), seed)
    details = {
        "ranking": plain(result.ranking),
        "grade_counts": plain(result.grade_counts),
        "majority_grades": plain(result.majority_grades),
        "tie_breaks": plain(result.tie_breaks),
    }
    return _Count((result.winner,), result.valid, result.voided, _one(result.lot), details)


def _one(lot: Lot | None) -> tuple[Lot, ...]:
    return () if lot is None else (lot,)


COUNTERS: dict[str, Callable[[Contest, tuple[str, ...], Sequence[Sequence[int]], bytes], _Count]] = {
    "irv": _irv,
    "stv": _stv,
    "schulze": _schulze,
    "borda": _borda,
    "majority_judgment": _majority_judgment,
}


def contest_seed(H_E: bytes, label: str, mix_input: Sequence[Sequence[Any]], rows: Sequence[Sequence[int]]) -> bytes:
    """The tie seed of a contest: tie_seed(H_E, label, D(its mix input), its decrypted rows) (record-format §12.3)."""
    return tie_seed(H_E, label, rows_digest(mix_input), rows)


def _text(value: object, language: str | None) -> str:
    get = getattr(value, "get", None)
    return get(language) if callable(get) else str(value)


def ranked_result(contest: Contest, rows: Sequence[Sequence[int]], seed: bytes, language: str | None = None) -> RankedContestResult:
    """Count ``contest`` (which has ``counting``) from its decrypted rows' values with the tie ``seed``; titles,
    option and grade names in ``language`` (None: the manifest's default)."""
    counting = contest.counting
    if counting is None or counting.method not in COUNTERS:
        raise ValueError(f"contest {contest.label!r} has no counting method this result knows")
    labels = tuple(o.label for o in contest.options)
    count = COUNTERS[counting.method](contest, labels, rows, seed)
    grades = tuple(_text(g, language) for g in counting.grades or ()) if counting.method == "majority_judgment" else ()
    return RankedContestResult(
        contest=contest.label,
        title=contest.title_text.get(language),
        method=counting.method,
        rule_set=counting.rule_set if counting.method == "stv" else None,
        seats=counting.seats if counting.method == "stv" else 1,
        options=tuple((o.label, o.name_text.get(language)) for o in contest.options),
        winners=tuple(w for w in count.winners if w is not None),  # no valid ballot: no winner (docs/counting.md)
        seed=seed,
        rows=len(rows),
        valid=count.valid,
        voided=count.voided,
        lots=count.lots,
        details=count.details | ({"grades": list(grades)} if grades else {}),
        grades=grades,
    )
