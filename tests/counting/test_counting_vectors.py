"""Known answers: the published examples of tests/vectors/counting (provenance in tests/vectors/README.md)."""

from __future__ import annotations

import math

import pytest

from counting.counting_support import TEST_SEED_DEFEATS_ALL_LOTS as SEED
from counting.counting_support import load_vectors, rows_of
from voting.counting import (
    STV_RULE_SETS,
    count_borda,
    count_irv,
    count_majority_judgment,
    count_schulze,
    plain,
)
from voting.counting.plain import fraction_text

VECTORS = dict(load_vectors())


def vector(name: str) -> dict:
    return VECTORS[name]


def test_every_vector_is_used():
    assert set(VECTORS) == {
        "irv-wikipedia-tennessee.json", "borda-wikipedia-tennessee.json", "stv-wikipedia-food.json",
        "stv-scottish-government-worked-example.json", "schulze-wikipedia-45-voters.json",
        "majority-judgment-electowiki-tennessee.json",
    }


def test_irv_tennessee():
    v = vector("irv-wikipedia-tennessee.json")
    result = count_irv(v["candidates"], rows_of(v), SEED)
    assert result.winner == v["want"]["winner"]
    assert [r.eliminated for r in result.rounds if r.eliminated] == v["want"]["eliminated"]
    assert [r.tallies for r in result.rounds] == v["want"]["tallies"]


def test_borda_tennessee():
    v = vector("borda-wikipedia-tennessee.json")
    result = count_borda(v["candidates"], rows_of(v), SEED)
    assert (result.winner, result.scores) == (v["want"]["winner"], v["want"]["scores"])


@pytest.mark.parametrize("name", ["stv-wikipedia-food.json", "stv-scottish-government-worked-example.json"])
def test_stv_elected_and_quota(name):
    v = vector(name)
    result = STV_RULE_SETS[v["rule_set"]](v["candidates"], rows_of(v), v["seats"], SEED)
    assert (list(result.elected), result.quota) == (v["want"]["elected"], v["want"]["quota"])


def test_stv_food_stages():
    v = vector("stv-wikipedia-food.json")
    stages = plain(STV_RULE_SETS["scottish"](v["candidates"], rows_of(v), v["seats"], SEED))["stages"]
    assert len(stages) == len(v["want"]["stages"])
    for found, want in zip(stages, v["want"]["stages"]):
        assert {key: found[key] for key in want} == want


def test_stv_scottish_worked_example_stage_totals():
    """The Government's example gives whole votes per stage; candidates elected earlier hold the quota."""
    v = vector("stv-scottish-government-worked-example.json")
    result = STV_RULE_SETS["scottish"](v["candidates"], rows_of(v), v["seats"], SEED)
    for stage, want in zip(result.stages, v["want"]["stage_whole_votes"]):
        assert {label: math.floor(stage.totals[label]) for label in want} == want
    # the first surplus passes at floor5(372/972) = 0.38271 per paper (rule 48(3))
    assert {k: fraction_text(t) for k, t in result.stages[1].transfer_values.items()} == {"1": "0.38271"}


def test_schulze_45_voters():
    v = vector("schulze-wikipedia-45-voters.json")
    result = count_schulze(v["candidates"], rows_of(v), SEED)
    want = v["want"]
    assert result.winner == want["winner"]
    assert [list(group) for group in result.ranking] == want["ranking"]
    assert [list(row) for row in result.pairwise] == want["pairwise"]
    assert [list(row) for row in result.strongest_paths] == want["strongest_paths"]


def test_majority_judgment_tennessee():
    v = vector("majority-judgment-electowiki-tennessee.json")
    result = count_majority_judgment(v["candidates"], rows_of(v), len(v["grades"]), SEED)
    want = v["want"]
    assert result.winner == want["winner"]
    assert {c: v["grades"][g] for c, g in result.majority_grades.items()} == want["majority_grades"]
    assert {c: list(reversed(counts)) for c, counts in result.grade_counts.items()} == want["grade_counts_best_first"]
    assert result.tie_breaks[0].candidates == ("Nashville", "Chattanooga") and result.lot is None
