"""The fuzzers' own machinery: the mutation strategies never return the document again (so a fuzzer may
demand a refusal for every example), a well-formed change still parses, and the reach counter counts what
it should and fails a fuzzer whose examples stopped short (issue 13, item 8)."""

from __future__ import annotations

import json
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.encoding import parse_p, parse_q
from voting.group import STANDARD

from .fuzz_support import decoded, hex_upper, known_part, mutated, raw_mutations, reencoded, strictly_equal
from .reach import At, Reach

ELEMENT = f"{pow(int(STANDARD.g), 12345, int(STANDARD.p)):0{2 * STANDARD.p_bytes}X}"  # g^12345, an element of Z_p^r
DOCUMENT = {
    "action": "cast",
    "seq": 7,
    "flag": True,
    "empty": "",
    "nothing": None,
    "element": ELEMENT,
    "scalar": "0F" * 32,
    "items": [{"c": "AB" * 32, "v": [1, 2]}, {"c": "CD" * 32, "v": []}],
    "nested": {"inner": {"deep": "value"}},
}


def hex_tolerant(value, original) -> bool:
    """A reader that ignores unknown keys and reads hex in either case."""
    return strictly_equal(known_part(hex_upper(value), original), hex_upper(original))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_mutations_never_return_the_document(data):
    assert not strictly_equal(data.draw(mutated(DOCUMENT)), DOCUMENT)
    assert not strictly_equal(decoded(data.draw(raw_mutations(DOCUMENT))), DOCUMENT)
    tolerant = {"same": hex_tolerant, "unknown_keys": False, "hex_encodings": False}
    assert not hex_tolerant(data.draw(mutated(DOCUMENT, **tolerant)), DOCUMENT)
    assert not hex_tolerant(decoded(data.draw(raw_mutations(DOCUMENT, **tolerant))), DOCUMENT)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_only_paths_not_skipped_are_changed(data):
    changed = data.draw(mutated(DOCUMENT, skip=lambda path: path != ("seq",)))
    assert {k: v for k, v in changed.items() if k != "seq"} == {k: v for k, v in DOCUMENT.items() if k != "seq"}, changed


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_a_well_formed_change_still_parses(data):
    changed = data.draw(reencoded(DOCUMENT))
    assert not strictly_equal(changed, DOCUMENT)
    parse_p(changed["element"], "element")  # still an element of Z_p^r
    parse_q(changed["scalar"], "scalar")
    for item in changed["items"]:
        assert len(bytes.fromhex(item["c"])) == 32
    assert {k: v for k, v in changed.items() if k not in ("element", "scalar", "items")} == {
        k: v for k, v in DOCUMENT.items() if k not in ("element", "scalar", "items")
    }


def test_reach_counts_each_example_once_and_only_the_calls_it_picks():
    module = types.ModuleType("fake_parser")
    module.parse = lambda text: json.loads(text)
    reach = Reach(
        "fake", parsed=At(module, "parse", returned=True), called=At(module, "parse", when=lambda text: text != '"skip"')
    )
    with reach.watching():
        for text in ("1", "[2]", "not json", '"skip"'):
            with reach.example():
                try:
                    module.parse(text)
                    module.parse(text)  # twice in one example: counted once
                except ValueError:
                    pass
        module.parse("3")  # the test's own set-up, between examples: not counted
    assert (reach.examples, reach.counts["parsed"], reach.counts["called"]) == (4, 3, 3)
    reach.require(parsed=0.75, called=0.75)
    with pytest.raises(AssertionError, match=r"only 3 of 4 examples reached parsed \(at least 80% must\)"):
        reach.require(parsed=0.8)
    with pytest.raises(AssertionError, match="no example reached found"):
        reach.require(some=("found",))
    assert module.parse("2") == 2  # the original is back after watching
    assert not hasattr(module.parse, "__wrapped__")
