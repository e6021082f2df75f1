"""The Helios reader's streaming of a JSON array's or object's members (voting/verifier/helios/stream.py):
whatever the chunk boundaries, each member comes out as its own JSON text."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.verifier.helios import stream
from voting.verifier.helios.stream import Malformed, members

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.characters(), max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(stream, "CHUNK", 3)


@settings(max_examples=200, deadline=None)
@given(items=st.lists(values, max_size=6), indent=st.sampled_from([None, 1]))
def test_array_members_are_the_items(items, indent):
    stream.CHUNK = 5
    try:
        text = json.dumps(items, indent=indent).encode()
        found = list(members(io.BytesIO(text), 10_000))
    finally:
        stream.CHUNK = 1 << 20
    assert [i for i, _ in found] == list(range(len(items)))
    assert [json.loads(raw) for _, raw in found] == items


@settings(max_examples=100, deadline=None)
@given(document=st.dictionaries(st.text(max_size=5), values, max_size=5), votes=st.lists(values, max_size=5))
def test_object_members_and_a_streamed_field(document, votes):
    document = {**document, "votes": votes}
    text = json.dumps(document).encode()
    kept = dict(members(io.BytesIO(text), 10_000, skip=frozenset({"votes"})))
    assert {k: json.loads(v) for k, v in kept.items()} == {k: v for k, v in document.items() if k != "votes"}
    assert [json.loads(raw) for _, raw in members(io.BytesIO(text), 10_000, under="votes")] == votes


def test_a_member_over_the_limit_is_not_kept(small_chunks):
    text = json.dumps(["x" * 50, {"a": "y" * 50}, 1]).encode()
    assert list(members(io.BytesIO(text), 20)) == [(0, None), (1, None), (2, b"1")]


@pytest.mark.parametrize("text", [b"[1, 2", b'["abc', b"", b"1, 2]"])
def test_a_truncated_document_is_malformed(text, small_chunks):
    with pytest.raises(Malformed):
        list(members(io.BytesIO(text), 100))
