"""Chunked entries (record-format §13): a payload cut into ``chunk`` entries and put back together by the
engine and by readers, and every malformed or misplaced chunk refused with its field named, the board
unchanged."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.board_world import BoardWorld, make_app

from trustee_tools import steps
from voting.errors import EncodingError as RecordError  # RecordError and the parsers' errors
from voting.record import chunks
from voting.record.messages import sign_message

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=40,
)


def post_in_parts(store: chunks.ChunkStore, payload: dict, kind: str, poster, part_bytes: int, first_seq: int = 0) -> dict:
    whole = chunks.canonical(payload)
    seqs = []
    for part, start in enumerate(range(0, len(whole), part_bytes)):
        body = chunks.admin_chunk_payload(kind, whole, part, whole[start : start + part_bytes])
        if poster != chunks.ADMIN:
            body = {"guardian": poster, **body}
        seqs.append(first_seq + part)
        store.add(chunks.parse_chunk_body(body, first_seq + part, poster))
    return chunks.chunked_payload(seqs, whole)


@given(payload=st.dictionaries(st.text(max_size=10), json_values, max_size=6), part_bytes=st.integers(1, 64))
@settings(max_examples=60, deadline=None)
def test_any_payload_cut_into_parts_comes_back_whole(payload, part_bytes):
    store = chunks.ChunkStore()
    wrapper = post_in_parts(store, payload, "tally.result", chunks.ADMIN, part_bytes)
    poster, whole = store.resolve("tally.result", wrapper)
    assert poster == chunks.ADMIN and whole == payload and not store.pending
    # readers put it back the same way, without the engine's bookkeeping
    whole_bytes = chunks.canonical(payload)
    listing = [
        (seq, "chunk", chunks.admin_chunk_payload("tally.result", whole_bytes, seq, whole_bytes[seq * part_bytes : (seq + 1) * part_bytes]))
        for seq in range(len(wrapper["chunked"]["parts"]))
    ]
    listing.append((len(listing), "tally.result", wrapper))
    assert list(chunks.resolve_entries(listing)) == [(len(listing) - 1, "tally.result", payload)]


def test_a_payload_too_large_for_one_entry_is_cut_under_the_limit():
    payload = {"rows": ["AB" * 500] * 2200}
    assert chunks.needs_chunks(payload)
    parts = chunks.split_payload(payload)
    assert len(parts) == 4 and all(len(p) <= chunks.MAX_PART_BYTES for p in parts)
    whole = chunks.canonical(payload)
    body = chunks.admin_chunk_payload("tally.result", whole, 0, parts[0])
    assert len(chunks.canonical(body)) < 1 << 20  # a chunk entry fits the board's payload limit
    assert not chunks.needs_chunks({"rows": ["AB"] * 10})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.update(data="not base64!"), "data"),
        (lambda b: b.update(data=base64.b64encode(b"x").decode().rstrip("=")), "data"),  # unpadded
        (lambda b: b.update(data=""), "data"),
        (lambda b: b.update(part=-1), "part"),
        (lambda b: b.update(**{"for": "keygen.result"}), "for"),
        (lambda b: b.update(whole="00"), "whole"),
        (lambda b: b.update(extra=1), "payload.extra"),
    ],
)
def test_a_malformed_chunk_is_refused_naming_the_field(change, field):
    body = chunks.admin_chunk_payload("tally.result", b"{}", 0, b"{}")
    change(body)
    with pytest.raises(RecordError) as refused:
        chunks.parse_chunk_body(body, 0, chunks.ADMIN)
    assert refused.value.field == field


def test_the_parts_must_be_the_posters_own_in_order_and_are_used_once():
    payload = {"value": "x" * 100}
    store = chunks.ChunkStore()
    wrapper = post_in_parts(store, payload, "tally.result", chunks.ADMIN, 30)
    shuffled = {"chunked": {**wrapper["chunked"], "parts": list(reversed(wrapper["chunked"]["parts"]))}}
    with pytest.raises(RecordError, match="first part"):
        store.resolve("tally.result", shuffled)
    short = {"chunked": {**wrapper["chunked"], "parts": wrapper["chunked"]["parts"][:-1]}}
    with pytest.raises(RecordError, match="exactly the poster's chunks"):
        store.resolve("tally.result", short)
    with pytest.raises(RecordError, match="never posted in chunks"):
        store.resolve("keygen.result", wrapper)
    assert store.resolve("tally.result", wrapper)[1] == payload
    with pytest.raises(RecordError, match="first part"):
        store.resolve("tally.result", wrapper)  # used
    whole = chunks.canonical(payload)
    with pytest.raises(RecordError, match="already posted"):  # an old chunk replayed
        store.add(chunks.parse_chunk_body(chunks.admin_chunk_payload("tally.result", whole, 0, whole[:30]), 99, chunks.ADMIN))


def test_parts_that_are_not_the_stated_bytes_are_refused():
    store = chunks.ChunkStore()
    whole = b'{"a":1}'
    store.add(chunks.parse_chunk_body(chunks.admin_chunk_payload("tally.result", whole, 0, b'{"a": 1}'), 0, chunks.ADMIN))
    with pytest.raises(RecordError) as refused:
        store.resolve("tally.result", chunks.chunked_payload([0], whole))
    assert refused.value.field == "payload.chunked.bytes"
    store = chunks.ChunkStore()
    not_canonical = b'{"b":1, "a":2}'
    store.add(chunks.parse_chunk_body(chunks.admin_chunk_payload("tally.result", not_canonical, 0, not_canonical), 0, chunks.ADMIN))
    with pytest.raises(RecordError, match="canonical"):
        store.resolve("tally.result", chunks.chunked_payload([0], not_canonical))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("chunks"))
    world = BoardWorld(app.test_client(), voters=1)
    for trustee in world.trustees:
        steps.join(trustee, world.state())
    return world


def trustee_post(world, trustee, kind, body):
    payload = sign_message(trustee.identity, world.election_id, kind, trustee.guardian, body)
    return world.client.post(f"/api/v1/elections/{world.election_id}/trustee-messages", json={"kind": kind, "payload": payload})


def test_the_board_refuses_misplaced_chunks_and_stays_unchanged(world):
    size = world.size()
    whole = b'{"guardian":1}'
    trustee = world.trustees[0]

    def refused(response, field):
        assert response.status_code in (400, 409), response.get_json()
        assert response.get_json()["error"]["field"] == field, response.get_json()
        assert world.size() == size

    # a trustee's part of an administrator's kind, and the other way round
    refused(trustee_post(world, trustee, "chunk", chunks.trustee_chunk_body(1, "tally.result", whole, 0, whole)), "body.for")
    response = world.admin_post(
        f"/api/v1/admin/elections/{world.election_id}/entries",
        {"kind": "chunk", "payload": chunks.admin_chunk_payload("decryption.share", whole, 0, whole)},
    )
    refused(response, "for")
    # a part that does not come next
    refused(trustee_post(world, trustee, "chunk", chunks.trustee_chunk_body(1, "decryption.share", whole, 1, whole)), "part")

    # one trustee's chunks cannot make another trustee's entry
    assert trustee_post(world, trustee, "chunk", chunks.trustee_chunk_body(1, "decryption.share", whole, 0, whole)).status_code == 201
    seq = world.size() - 1
    other = world.trustees[1]
    signed = sign_message(other.identity, world.election_id, "decryption.share", other.guardian, {"guardian": 2})
    response = world.client.post(
        f"/api/v1/elections/{world.election_id}/trustee-messages",
        json={"kind": "decryption.share", "payload": chunks.chunked_payload([seq], chunks.canonical(signed))},
    )
    assert response.status_code in (400, 409) and world.size() == size + 1, response.get_json()


def test_a_poster_that_stopped_part_way_starts_the_payload_again():
    """An interrupted post (parts 0 and 1 of 3 on the board) is posted again from part 0; the old parts stay
    unused on the log, the entry names the new ones."""
    payload = {"value": "y" * 100}
    whole = chunks.canonical(payload)
    store = chunks.ChunkStore()
    for part in (0, 1):
        store.add(chunks.parse_chunk_body(chunks.admin_chunk_payload("tally.result", whole, part, whole[part * 40 : (part + 1) * 40]), part, chunks.ADMIN))
    wrapper = post_in_parts(store, payload, "tally.result", chunks.ADMIN, 40, first_seq=10)
    assert wrapper["chunked"]["parts"] == [10, 11, 12]
    assert store.resolve("tally.result", wrapper) == (chunks.ADMIN, payload)
