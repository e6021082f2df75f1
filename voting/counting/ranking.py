"""The final order of a single-step method: groups of candidates by a score, ties at the top broken by lot; a
contest with no valid ballot elects no one (docs/counting.md, "No valid ballot")."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from .lots import Lot, draw_lot


def groups_by(labels: Sequence[str], key: Callable[[int], Any]) -> tuple[tuple[str, ...], ...]:
    """Candidates in groups of equal ``key``, the highest key first; ballot order within a group."""
    order = sorted(range(len(labels)), key=key, reverse=True)
    groups: list[list[int]] = []
    for c in order:
        if groups and key(groups[-1][0]) == key(c):
            groups[-1].append(c)
        else:
            groups.append([c])
    return tuple(tuple(labels[c] for c in sorted(group)) for group in groups)


def winner_of(ranking: tuple[tuple[str, ...], ...], seed: bytes, method: str, valid: int) -> tuple[str | None, Lot | None]:
    """The first group's only candidate, or the lot's choice among the first group (purpose ``winner``); no one,
    and no lot, when there is no ``valid`` ballot (every candidate is then in the first group with nothing)."""
    if valid == 0:
        return None, None
    top = ranking[0]
    if len(top) == 1:
        return top[0], None
    lot = draw_lot(seed, method, "winner", 0, top)
    return lot.chosen, lot
