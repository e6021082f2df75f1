"""A contest's ``counting`` (docs/record-format.md §12.1, issue 20 item 1): the methods and their fields, the
selection limits derived from them, every malformed field refused with its name, and H_M unchanged for every
manifest without counting."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from support.strategies import manifests

from voting.election import ElectionParameters
from voting.errors import ManifestError
from voting.manifest import parse_manifest
from voting.manifest_counting import MAX_GRADES, MAX_LIMIT, METHODS, Counting
from voting.manifest_text import Text

GOLDEN = Path(__file__).parent / "golden"


def manifest_with(contest: dict, languages: list[str] | None = None) -> dict:
    document = {
        "label": "Ranked test election",
        "spec_version": "v2.0.0",
        "contests": [contest],
        "ballot_styles": [{"label": "all", "contests": [contest["label"]]}],
    }
    if languages is not None:
        document["languages"] = languages
    return document


def ranked(counting: dict, options: int = 4) -> dict:
    return {"label": "council", "counting": counting, "options": [{"label": f"c{i}", "name": f"Candidate {i}"} for i in range(options)]}


def refusal(document: dict) -> ManifestError:
    with pytest.raises(ManifestError) as caught:
        parse_manifest(document)
    return caught.value


# --- derived limits --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "counting, options, L, R",
    [
        ({"method": "irv"}, 4, 10, 4),  # ranks default to the options: 1+2+3+4
        ({"method": "irv", "ranks": 2}, 4, 3, 2),
        ({"method": "schulze", "ranks": 1}, 3, 1, 1),
        ({"method": "borda"}, 5, 15, 5),
        ({"method": "stv", "rule_set": "scottish", "seats": 2}, 5, 15, 5),
        ({"method": "stv", "rule_set": "scottish", "seats": 1, "ranks": 3}, 5, 6, 3),
        ({"method": "majority_judgment", "grades": ["Reject", "Poor", "Good"]}, 4, 8, 2),  # R = 2, L = 2·4
        ({"method": "majority_judgment", "grades": ["No", "Yes"]}, 1, 1, 1),
    ],
)
def test_the_selection_limits_are_derived(counting, options, L, R):
    contest = parse_manifest(manifest_with(ranked(counting, options))).contests[0]
    assert (contest.votes_allowed, contest.option_limit, contest.number_elected) == (L, R, None)
    assert contest.counting is not None and contest.counting.method == counting["method"]


def test_the_parsed_counting_keeps_what_was_declared():
    stv = parse_manifest(manifest_with(ranked({"method": "stv", "rule_set": "scottish", "seats": 2, "ranks": 3}))).contests[0]
    assert stv.counting == Counting("stv", 3, 2, "scottish", ())
    assert stv.counting.ranked and stv.counting.seats_elected == 2 and stv.counting.max_rank(4) == 3
    irv = parse_manifest(manifest_with(ranked({"method": "irv"}))).contests[0]
    assert irv.counting == Counting("irv", None, None, None, ()) and irv.counting.seats_elected == 1


def test_grades_are_display_texts_in_every_language_lowest_first():
    grades = [{"en": "Reject", "fr": "À rejeter"}, "Passable", {"en": "Excellent"}]
    contest = parse_manifest(manifest_with(ranked({"method": "majority_judgment", "grades": grades}), ["en", "fr"])).contests[0]
    assert contest.counting is not None and not contest.counting.ranked
    assert contest.counting.grades == (Text("Reject", (("en", "Reject"), ("fr", "À rejeter"))), Text("Passable"), Text("Excellent", (("en", "Excellent"),)))
    assert contest.counting.grades[0].get("fr") == "À rejeter" and contest.counting.grades[2].get("fr") == "Excellent"


def test_counting_takes_part_in_the_contest_s_equality():
    irv = parse_manifest(manifest_with(ranked({"method": "irv"}))).contests[0]
    schulze = parse_manifest(manifest_with(ranked({"method": "schulze"}))).contests[0]
    assert (irv.votes_allowed, irv.option_limit) == (schulze.votes_allowed, schulze.option_limit)
    assert irv != schulze


# --- refusals, each naming its field ---------------------------------------------------------------------

W = "contests[0]"


@pytest.mark.parametrize(
    "contest, field",
    [
        ({**ranked({"method": "irv"}), "votes_allowed": 3}, f"{W}.votes_allowed"),
        ({**ranked({"method": "irv"}), "option_limit": 1}, f"{W}.option_limit"),
        ({**ranked({"method": "stv", "rule_set": "scottish", "seats": 1}), "number_elected": 1}, f"{W}.number_elected"),
        (ranked("irv"), f"{W}.counting"),
        (ranked({}), f"{W}.counting.method"),
        (ranked({"method": "IRV"}), f"{W}.counting.method"),
        (ranked({"method": "condorcet"}), f"{W}.counting.method"),
        (ranked({"method": "irv", "ranks": 0}), f"{W}.counting.ranks"),
        (ranked({"method": "irv", "ranks": 5}), f"{W}.counting.ranks"),  # more ranks than options
        (ranked({"method": "irv", "ranks": True}), f"{W}.counting.ranks"),
        (ranked({"method": "irv", "ranks": "2"}), f"{W}.counting.ranks"),
        (ranked({"method": "irv", "seats": 1}), f"{W}.counting.seats"),  # not a field of irv
        (ranked({"method": "borda", "grades": ["a", "b"]}), f"{W}.counting.grades"),
        (ranked({"method": "schulze", "rule_set": "scottish"}), f"{W}.counting.rule_set"),
        (ranked({"method": "stv", "seats": 1}), f"{W}.counting.rule_set"),
        (ranked({"method": "stv", "rule_set": "scottish"}), f"{W}.counting.seats"),
        (ranked({"method": "stv", "rule_set": "meek", "seats": 1}), f"{W}.counting.rule_set"),
        (ranked({"method": "stv", "rule_set": "scottish", "seats": 0}), f"{W}.counting.seats"),
        (ranked({"method": "stv", "rule_set": "scottish", "seats": 4}), f"{W}.counting.seats"),  # seats < options
        (ranked({"method": "stv", "rule_set": "scottish", "seats": 1}, options=1), f"{W}.counting.seats"),
        (ranked({"method": "majority_judgment"}), f"{W}.counting.grades"),
        (ranked({"method": "majority_judgment", "grades": ["Only"]}), f"{W}.counting.grades"),
        (ranked({"method": "majority_judgment", "grades": [str(g) for g in range(MAX_GRADES + 1)]}), f"{W}.counting.grades"),
        (ranked({"method": "majority_judgment", "grades": "Good, Bad"}), f"{W}.counting.grades"),
        (ranked({"method": "majority_judgment", "grades": ["Bad", 3]}), f"{W}.counting.grades[1]"),
        (ranked({"method": "majority_judgment", "grades": ["Bad", {"en": "Good"}]}), f"{W}.counting.grades[1]"),  # no languages
        (ranked({"method": "majority_judgment", "grades": ["Bad", "Good\x07"]}), f"{W}.counting.grades[1]"),
        (ranked({"method": "majority_judgment", "grades": ["Bad", "Good"], "ranks": 2}), f"{W}.counting.ranks"),
        (ranked({"method": "irv"}, options=45), f"{W}.counting.ranks"),  # L = 45·46/2 = 1035 > 1000
        (ranked({"method": "majority_judgment", "grades": [str(g) for g in range(10)]}, options=112), f"{W}.counting.grades"),
    ],
)
def test_every_malformed_field_is_refused_by_name(contest, field):
    error = refusal(manifest_with(contest))
    assert error.field == field, error
    assert error.reason


def test_a_contest_with_counting_needs_no_votes_allowed_and_one_without_still_does():
    parse_manifest(manifest_with(ranked({"method": "irv"})))  # no votes_allowed: accepted
    plain = ranked({"method": "irv"})
    del plain["counting"]
    assert refusal(manifest_with(plain)).field == f"{W}.votes_allowed"


def test_the_limit_is_refused_in_words_that_say_what_to_do():
    error = refusal(manifest_with(ranked({"method": "irv"}, options=45)))
    assert "1035" in error.reason and str(MAX_LIMIT) in error.reason and "fewer ranks" in error.reason
    parse_manifest(manifest_with(ranked({"method": "irv", "ranks": 44}, options=45)))  # L = 990


def test_a_grade_map_names_the_language_it_lacks():
    grades = ["Bad", {"fr": "Bien"}]
    error = refusal(manifest_with(ranked({"method": "majority_judgment", "grades": grades}), ["en", "fr"]))
    assert error.field == f"{W}.counting.grades[1]" and "'en'" in error.reason


# --- H_M ---------------------------------------------------------------------------------------------------


def test_a_manifest_without_counting_hashes_as_before():
    document = json.loads((GOLDEN / "manifests" / "riverton-2026-en.json").read_text())
    manifest = parse_manifest(document)
    assert all(contest.counting is None for contest in manifest.contests)
    # pinned in tests/test_manifest_languages.py before counting existed
    assert ElectionParameters(manifest, 1, 1).H_M.hex() == "95797a47e2a189beca0577b260fcad538e4cbb11e64c210fb716481b2ad74e03"


@settings(max_examples=60, deadline=None)
@given(manifests())
def test_parsing_a_manifest_without_counting_keeps_its_bytes_and_its_limits(document):
    manifest = parse_manifest(copy.deepcopy(document))
    assert manifest.canonical_bytes == rfc8785.dumps(document)
    for contest, raw in zip(manifest.contests, document["contests"]):
        assert contest.counting is None
        assert (contest.votes_allowed, contest.option_limit) == (raw["votes_allowed"], raw["option_limit"])


def test_counting_is_hashed_into_H_M():
    irv = ElectionParameters(parse_manifest(manifest_with(ranked({"method": "irv"}))), 1, 1).H_M
    schulze = ElectionParameters(parse_manifest(manifest_with(ranked({"method": "schulze"}))), 1, 1).H_M
    assert irv != schulze


# --- valid declarations (Hypothesis) -----------------------------------------------------------------------


@st.composite
def countings(draw):
    """A valid ``counting`` and its number of options."""
    method = draw(st.sampled_from(METHODS))
    options = draw(st.integers(2 if method == "stv" else 1, 12))
    counting: dict = {"method": method}
    if method == "majority_judgment":
        counting["grades"] = draw(st.lists(st.text(min_size=1, max_size=12).filter(str.isprintable), min_size=2, max_size=MAX_GRADES))
        return counting, options
    if draw(st.booleans()):
        counting["ranks"] = draw(st.integers(1, options))
    if method == "stv":
        counting |= {"rule_set": "scottish", "seats": draw(st.integers(1, options - 1))}
    return counting, options


@settings(max_examples=200, deadline=None)
@given(countings())
def test_every_valid_counting_is_read_with_its_limits(declared):
    counting, options = declared
    document = manifest_with(ranked(counting, options))
    manifest = parse_manifest(copy.deepcopy(document))
    contest = manifest.contests[0]
    assert manifest.canonical_bytes == rfc8785.dumps(document)  # kept as written
    parsed = contest.counting
    assert parsed is not None and parsed.method == counting["method"]
    if parsed.ranked:
        ranks = counting.get("ranks", options)
        assert (contest.option_limit, contest.votes_allowed) == (ranks, ranks * (ranks + 1) // 2)
        # L is exactly the largest sum of a valid ranking: ranks 1..ranks
        assert contest.votes_allowed == sum(range(1, contest.option_limit + 1))
        assert parsed.seats_elected == counting.get("seats", 1)
    else:
        grades = len(counting["grades"])
        assert (contest.option_limit, contest.votes_allowed) == (grades - 1, (grades - 1) * options)
        assert [g.default for g in parsed.grades] == counting["grades"]
