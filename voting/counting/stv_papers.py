"""Ballot papers in an STV count: parcels held by a candidate and their transfer to the next preference.

A parcel is a number of identical papers (same preference order, held at the same preference, with the same
value). Values are exact :class:`fractions.Fraction`; the rule set decides where they are truncated.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable

from .ballots import Preference


@dataclass(frozen=True)
class Parcel:
    """``count`` papers of one ``preference`` order, held by ``preference[position]``, each worth ``value``."""

    preference: Preference
    position: int
    value: Fraction
    count: int

    @property
    def votes(self) -> Fraction:
        return self.value * self.count


def first_preferences(preferences: Iterable[Preference]) -> dict[int, list[Parcel]]:
    """The first stage: each paper to its first preference, at value one."""
    holdings: dict[int, list[Parcel]] = {}
    for preference, count in sorted(Counter(preferences).items()):
        holdings.setdefault(preference[0], []).append(Parcel(preference, 0, Fraction(1), count))
    return holdings


def next_available(parcel: Parcel, continuing: set[int]) -> int | None:
    """The position of the next available preference: the next ranked continuing candidate, or None."""
    return next((i for i in range(parcel.position + 1, len(parcel.preference)) if parcel.preference[i] in continuing), None)


@dataclass
class Moves:
    """What one transfer did: votes credited to each candidate, and the value of non-transferable papers."""

    credited: dict[int, Fraction]
    non_transferable: Fraction


def transfer(parcels: Iterable[Parcel], value_of: dict[Fraction, Fraction], continuing: set[int],
             holdings: dict[int, list[Parcel]]) -> Moves:
    """Move each parcel to its next available preference at ``value_of[parcel.value]``; keep the rest apart."""
    moves = Moves({}, Fraction(0))
    for parcel in parcels:
        value = value_of[parcel.value]
        position = next_available(parcel, continuing)
        if position is None:
            moves.non_transferable += value * parcel.count
            continue
        target = parcel.preference[position]
        holdings.setdefault(target, []).append(Parcel(parcel.preference, position, value, parcel.count))
        moves.credited[target] = moves.credited.get(target, Fraction(0)) + value * parcel.count
    return moves
