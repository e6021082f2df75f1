"""Single transferable vote under the Scottish rules: rule set ``"scottish"``.

The rule set is that of The Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1,
rules 45-52 (https://www.legislation.gov.uk/ssi/2007/42/schedule/1/made), applied to the valid rows of
:mod:`.ballots`. Rule numbers below are the Order's.

  45. First stage: each valid paper counts one vote for its first preference.
  46. Quota = floor(valid papers / (seats + 1)) + 1 (the Droop quota).
  47. A candidate whose votes equal or exceed the quota at the end of any stage is deemed elected.
  48. Surplus (votes above the quota) of an elected candidate, while vacancies remain: every paper the
      candidate received passes to its next available preference (the next ranked continuing candidate)
      at the transfer value  floor5(surplus × value of the paper when received / candidate's votes),
      truncated to five decimal places; papers with no next available preference are non-transferable.
      After the transfer the candidate keeps the quota; what truncation leaves is reported as ``rounding``.
  49. Several surpluses: the highest first; equal surpluses: the candidate with more votes at the end of the
      most recent preceding stage at which they differed; equal at every stage: by lot.
  50. No surplus left to transfer and vacancies remain: the continuing candidate with the fewest votes is
      excluded, and all of that candidate's papers pass, in one stage, to their next available
      preference at the value at which the candidate received them (one for first preferences).
  51. Several with the fewest votes: the one with the fewest at the end of the most recent preceding stage
      at which they differed; equal at every stage: by lot.
  52. When the continuing candidates are as many as the vacancies left, they are deemed elected and no
      further transfer is made.

With no valid paper no one is elected: the count is its first stage, every candidate at 0, and stops (the
Order has no vacancy to fill from nothing; evote draws no lot to fill seats no voter gave).

Where the Order is silent, evote reads it as follows (docs/counting.md): the "most recent preceding stage"
of rules 49 and 51 narrows step by step — at that stage the tied candidates with the most (49) or fewest
(51) votes stay in the tie, and earlier stages decide between those left; candidates deemed elected at the
same stage are listed by their votes, equal votes in ballot order (a listing only: it changes no transfer).
Lots (method ``stv-scottish``) have purpose ``surplus order`` (rule 49) or ``exclude`` (rule 51) and the
stage about to be counted as stage number. Non-transferable papers are the exhausted ballots.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import Callable, Sequence

from .ballots import Voided, check_candidates, read_rankings
from .errors import CountingError
from .lots import Lot, check_seed, draw_lot
from .plain import fraction_text
from .stv_papers import Parcel, first_preferences, transfer

RULE_SET = "scottish"
METHOD = "stv-scottish"
SCALE = 10**5  # rule 48(3): five decimal places, any remainder ignored


@dataclass(frozen=True)
class StvStage:
    """One stage: what was transferred from whom, at which values, and every candidate's votes after it."""

    number: int
    action: str  # "first preferences", "surplus", "exclusion" or "last vacancies"
    candidate: str | None
    transfer_values: dict[str, Fraction]  # value when received -> value passed on (as text keys)
    transfers: dict[str, Fraction]
    non_transferable: Fraction
    rounding: Fraction
    totals: dict[str, Fraction]
    elected: tuple[str, ...]
    lots: tuple[Lot, ...]


@dataclass(frozen=True)
class StvResult:
    """The elected candidates in the order of their election, every stage, and the voided rows."""

    method: str
    rule_set: str
    candidates: tuple[str, ...]
    seats: int
    quota: int
    elected: tuple[str, ...]
    stages: tuple[StvStage, ...]
    valid: int
    voided: tuple[Voided, ...]


def truncate5(value: Fraction) -> Fraction:
    """Rule 48(3): to five decimal places, any remainder ignored."""
    return Fraction(floor(value * SCALE), SCALE)


def droop_quota(valid: int, seats: int) -> int:
    """Rule 46: floor(valid / (seats + 1)) + 1."""
    return valid // (seats + 1) + 1


def by_history(tied: list[int], history: list[dict[int, Fraction]], pick: Callable[..., Fraction]) -> list[int]:
    """Rules 49(2), 51(2): look back stage by stage, keeping the tied candidates with ``pick`` (max/min) votes."""
    remaining = list(tied)
    for totals in reversed(history):
        values = {c: totals[c] for c in remaining}
        if len(set(values.values())) > 1:
            chosen = pick(values.values())
            remaining = [c for c in remaining if values[c] == chosen]
            if len(remaining) == 1:
                break
    return remaining


class _Count:
    """The state of one count: papers held, votes, continuing and elected candidates, stages."""

    def __init__(self, labels: tuple[str, ...], preferences: tuple[tuple[int, ...], ...], seats: int, seed: bytes):
        self.labels, self.seats, self.seed = labels, seats, seed
        self.quota = droop_quota(len(preferences), seats)
        self.holdings: dict[int, list[Parcel]] = first_preferences(preferences)
        self.votes = {c: sum((p.votes for p in self.holdings.get(c, [])), Fraction(0)) for c in range(len(labels))}
        self.continuing = set(range(len(labels)))
        self.elected: list[int] = []
        self.pending: set[int] = set()  # elected, surplus not yet transferred
        self.history: list[dict[int, Fraction]] = []
        self.stages: list[StvStage] = []

    def record(self, action: str, candidate: int | None, values: dict[Fraction, Fraction], credited: dict[int, Fraction],
               non_transferable: Fraction, rounding: Fraction, lots: tuple[Lot, ...], last: bool = False) -> None:
        """Rule 47 (or 52 when ``last``) after a stage, then the stage's report."""
        reached = sorted(self.continuing, key=lambda c: -self.votes[c]) if last else sorted(
            (c for c in self.continuing if self.votes[c] >= self.quota), key=lambda c: -self.votes[c])
        for c in reached:
            self.continuing.discard(c)
            self.elected.append(c)
            if self.votes[c] > self.quota:
                self.pending.add(c)
        self.history.append(dict(self.votes))
        label = self.labels
        self.stages.append(StvStage(
            len(self.stages) + 1, action, None if candidate is None else label[candidate],
            {fraction_text(v): t for v, t in sorted(values.items())}, {label[c]: v for c, v in sorted(credited.items())},
            non_transferable, rounding, {label[c]: v for c, v in self.votes.items()}, tuple(label[c] for c in reached), lots))

    def lot(self, tied: list[int], purpose: str) -> tuple[int, tuple[Lot, ...]]:
        drawn = draw_lot(self.seed, METHOD, purpose, len(self.stages) + 1, (self.labels[c] for c in tied))
        return self.labels.index(drawn.chosen), (drawn,)

    def transfer_surplus(self) -> None:
        """Rules 48 and 49."""
        highest = max(self.votes[c] for c in self.pending)
        tied = by_history(sorted(c for c in self.pending if self.votes[c] == highest), self.history, max)
        chosen, lots = self.lot(tied, "surplus order") if len(tied) > 1 else (tied[0], ())
        self.pending.discard(chosen)
        total = self.votes[chosen]
        surplus = total - self.quota
        parcels = self.holdings.pop(chosen, [])
        values = {p.value: truncate5(surplus * p.value / total) for p in parcels}
        moves = transfer(parcels, values, self.continuing, self.holdings)
        for c, v in moves.credited.items():
            self.votes[c] += v
        self.votes[chosen] = Fraction(self.quota)
        rounding = surplus - sum(moves.credited.values(), Fraction(0)) - moves.non_transferable
        self.record("surplus", chosen, values, moves.credited, moves.non_transferable, rounding, lots)

    def exclude(self) -> None:
        """Rules 50 and 51."""
        fewest = min(self.votes[c] for c in self.continuing)
        tied = by_history(sorted(c for c in self.continuing if self.votes[c] == fewest), self.history, min)
        chosen, lots = self.lot(tied, "exclude") if len(tied) > 1 else (tied[0], ())
        self.continuing.discard(chosen)
        parcels = self.holdings.pop(chosen, [])
        moves = transfer(parcels, {p.value: p.value for p in parcels}, self.continuing, self.holdings)
        for c, v in moves.credited.items():
            self.votes[c] += v
        self.votes[chosen] = Fraction(0)
        self.record("exclusion", chosen, {}, moves.credited, moves.non_transferable, Fraction(0), lots)


def count_stv_scottish(candidates: Sequence[str], rows: Sequence[Sequence[object]], seats: int, seed: bytes,
                       max_rank: int | None = None) -> StvResult:
    """Count an STV contest under the Scottish rules (the module's docstring) from its decrypted rows."""
    labels = check_candidates(candidates)
    check_seed(seed)
    if not isinstance(seats, int) or isinstance(seats, bool) or not 1 <= seats <= len(labels):
        raise CountingError("seats", f"must be from 1 to the number of candidates ({len(labels)})")
    ballots = read_rankings(rows, len(labels), max_rank)
    count = _Count(labels, ballots.preferences, seats, seed)
    count.record("first preferences", None, {}, {c: v for c, v in count.votes.items() if v}, Fraction(0), Fraction(0), ())
    while ballots.preferences and len(count.elected) < seats:  # no valid paper: no one elected
        if len(count.continuing) <= seats - len(count.elected):
            count.record("last vacancies", None, {}, {}, Fraction(0), Fraction(0), (), last=True)
        elif count.pending:
            count.transfer_surplus()
        else:
            count.exclude()
    return StvResult("stv", RULE_SET, labels, seats, count.quota, tuple(labels[c] for c in count.elected),
                     tuple(count.stages), len(ballots.preferences), ballots.voided)
