"""Rows, profiles and vectors for the counting tests. **The seed below is public and fixed: tests only.**"""

from __future__ import annotations

import json
from typing import Sequence

from hypothesis import strategies as st
from support.environment import REPO_ROOT

VECTORS = REPO_ROOT / "tests" / "vectors" / "counting"
TEST_SEED_DEFEATS_ALL_LOTS = bytes(range(32))


def ranking_row(candidates: Sequence[str], order: Sequence[str]) -> list[int]:
    """The decrypted row of a ballot ranking ``order`` (1 = first preference, 0 = unranked)."""
    row = [0] * len(candidates)
    for rank, label in enumerate(order, start=1):
        row[list(candidates).index(label)] = rank
    return row


def rows_of(vector: dict) -> list[list[int]]:
    """A vector's grouped ballots expanded into decrypted rows."""
    candidates = vector["candidates"]
    rows: list[list[int]] = []
    for group in vector["ballots"]:
        if "ranking" in group:
            row = ranking_row(candidates, group["ranking"])
        else:
            row = [vector["grades"].index(group["grades"][label]) for label in candidates]
        rows += [row] * group["count"]
    return rows


def load_vectors() -> list[tuple[str, dict]]:
    return [(path.name, json.loads(path.read_text())) for path in sorted(VECTORS.glob("*.json"))]


@st.composite
def profiles(draw, min_candidates: int = 2, max_candidates: int = 5, max_voters: int = 40, full: bool = False):
    """(labels, preference orders as index tuples): strict rankings, partial unless ``full``."""
    n = draw(st.integers(min_candidates, max_candidates))
    labels = [f"c{i}" for i in range(n)]
    ballot = st.permutations(range(n)).flatmap(
        lambda order: st.just(tuple(order)) if full else st.integers(1, n).map(lambda k: tuple(order[:k])))
    return labels, draw(st.lists(ballot, min_size=1, max_size=max_voters))


def rows_from(labels: Sequence[str], preferences: Sequence[Sequence[int]]) -> list[list[int]]:
    return [ranking_row(labels, [labels[c] for c in preference]) for preference in preferences]
