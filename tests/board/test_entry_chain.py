"""Entry hashing (record-format §6) against a literal transcription, and each chain check tampered alone."""

from __future__ import annotations

import dataclasses
import hashlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin_board.log_format.canonical import canonicalize
from bulletin_board.log_format.chain import ChainChecker, verify_chain
from bulletin_board.log_format.entry import Entry, check_election_id, check_kind, compute_entry_hash, genesis_hash
from bulletin_board.log_format.errors import ChainBroken, InvalidInput

from .conftest import REPO_ROOT

# The worked example of docs/record-format.md §6.4; the test below checks the document shows these values.
EXAMPLE = {"election_id": "demo-2026", "seq": 0, "kind": "election.manifest", "received_at": 1790000000000000,
           "payload": {"label": "Springfield 2026"}}


def literal_entry_hash(seq, prev_hash, kind, received_at, payload):
    """§6.2 written out byte by byte, independent of bulletin_board.log_format.entry."""
    message = (b"evote/entry/v1" + b"\x00" + struct.pack(">Q", seq) + prev_hash
               + struct.pack(">I", len(kind.encode())) + kind.encode() + struct.pack(">Q", received_at)
               + struct.pack(">Q", len(payload)) + payload)
    return hashlib.sha256(message).digest()


def make_chain(election_id="e1", n=6, start_time=1_700_000_000_000_000):
    entries, prev = [], genesis_hash(election_id)
    for seq in range(n):
        payload = canonicalize({"n": seq, "text": "x" * seq})
        entry_hash = compute_entry_hash(seq, prev, "test.kind", start_time + seq, payload)
        entries.append(Entry(election_id, seq, "test.kind", payload, prev, entry_hash, start_time + seq))
        prev = entry_hash
    return entries


def test_genesis_is_tagged_hash_of_the_election_id():
    assert genesis_hash("demo-2026") == hashlib.sha256(b"evote/genesis/v1\x00demo-2026").digest()


@settings(max_examples=100, deadline=None)
@given(seq=st.integers(0, 2**63 - 1), prev=st.binary(min_size=32, max_size=32),
       kind=st.from_regex(r"\A[a-z][a-z0-9_.]{0,63}\Z"), received_at=st.integers(0, 2**64 - 1),
       payload=st.binary(max_size=300))
def test_entry_hash_matches_the_literal_layout(seq, prev, kind, received_at, payload):
    assert compute_entry_hash(seq, prev, kind, received_at, payload) == \
        literal_entry_hash(seq, prev, kind, received_at, payload)


def test_worked_example_in_the_record_format_document():
    payload = canonicalize(EXAMPLE["payload"])
    genesis = genesis_hash(EXAMPLE["election_id"])
    entry_hash = compute_entry_hash(0, genesis, EXAMPLE["kind"], EXAMPLE["received_at"], payload)
    document = (REPO_ROOT / "docs" / "record-format.md").read_text(encoding="utf-8")
    section = document[document.index("## 6. Board entries"):]
    assert genesis.hex().upper() in section
    assert entry_hash.hex().upper() in section
    assert payload.decode() in section


@pytest.mark.parametrize("value", ["a", "A.b-c_9", "9" * 64])
def test_valid_election_ids(value):
    assert check_election_id(value) == value


@pytest.mark.parametrize("value", ["", ".a", "-a", "a b", "a/b", "é", "a" * 65, 5, None, "a\n"])
def test_invalid_election_ids(value):
    with pytest.raises(InvalidInput) as caught:
        check_election_id(value)
    assert caught.value.field == "election_id"


@pytest.mark.parametrize("value", ["", "A", "1a", "a-b", "a" * 65, "a\n", 3])
def test_invalid_kinds(value):
    with pytest.raises(InvalidInput) as caught:
        check_kind(value)
    assert caught.value.field == "kind"


def test_intact_chain_verifies():
    entries = make_chain()
    head = verify_chain("e1", entries)
    assert (head.size, head.head_hash) == (6, entries[-1].entry_hash)
    assert verify_chain("e1", []).head_hash == genesis_hash("e1")


def rehash(entry: Entry, **changes) -> Entry:
    """Change fields and recompute the entry's own hash, so only the targeted check can fire."""
    changed = dataclasses.replace(entry, **changes)
    return dataclasses.replace(changed, entry_hash=changed.recompute_hash())


def first_failure(entries, election_id="e1") -> ChainBroken:
    with pytest.raises(ChainBroken) as caught:
        verify_chain(election_id, entries)
    return caught.value


def test_check_election():
    entries = make_chain()
    entries[2] = dataclasses.replace(entries[2], election_id="other")
    failure = first_failure(entries)
    assert (failure.seq, failure.check, failure.expected, failure.found) == (2, "election", "e1", "other")


def test_check_seq_gap():
    entries = make_chain()
    del entries[3]
    failure = first_failure(entries)
    assert (failure.seq, failure.check, failure.expected, failure.found) == (3, "seq (gap)", 3, 4)


def test_check_seq_reordered():
    entries = make_chain()
    entries[3], entries[4] = entries[4], entries[3]
    failure = first_failure(entries)
    assert (failure.seq, failure.expected, failure.found) == (3, 3, 4)


def test_check_seq_duplicate_is_reordering():
    entries = make_chain()
    entries.insert(3, entries[2])
    failure = first_failure(entries)
    assert (failure.seq, failure.check, failure.expected, failure.found) == (3, "seq (reordered)", 3, 2)


def test_check_kind():
    entries = make_chain()
    entries[1] = rehash(entries[1], kind="Bad-Kind")
    failure = first_failure(entries)
    assert (failure.seq, failure.check, failure.found) == (1, "kind", "Bad-Kind")


def test_check_payload_canonical():
    entries = make_chain()
    entries[4] = rehash(entries[4], payload=b'{"text":"xxxx", "n":4}')
    failure = first_failure(entries)
    assert (failure.seq, failure.check) == (4, "payload")


def test_check_received_at_never_goes_back():
    entries = make_chain()
    entries[3] = rehash(entries[3], received_at=entries[2].received_at - 1)
    failure = first_failure(entries)
    assert (failure.seq, failure.check, failure.found) == (3, "received_at", entries[2].received_at - 1)
    entries = make_chain()
    entries[3] = dataclasses.replace(entries[3], received_at=-5)
    assert (first_failure(entries).seq, first_failure(entries).check) == (3, "received_at")


def test_check_prev_hash():
    entries = make_chain()
    entries[2] = rehash(entries[2], prev_hash=bytes(32))
    failure = first_failure(entries)
    assert (failure.seq, failure.check) == (2, "prev_hash")
    assert failure.expected == entries[1].entry_hash and failure.found == bytes(32)


def test_check_genesis_link():
    entries = make_chain(election_id="e2")
    entries[0] = rehash(entries[0], prev_hash=genesis_hash("e3"))
    failure = first_failure(entries, "e2")
    assert (failure.seq, failure.check, failure.expected) == (0, "prev_hash", genesis_hash("e2"))


@pytest.mark.parametrize("field, value", [("payload", b'{"n":2,"text":"xy"}'), ("received_at", 1_700_000_000_000_001),
                                          ("kind", "other.kind"), ("entry_hash", bytes(32))])
def test_check_entry_hash(field, value):
    entries = make_chain()
    entries[2] = dataclasses.replace(entries[2], **{field: value})
    failure = first_failure(entries)
    assert (failure.seq, failure.check) == (2, "entry_hash")
    assert failure.found == entries[2].entry_hash


def test_error_message_carries_the_evidence():
    entries = make_chain()
    entries[1] = rehash(entries[1], prev_hash=b"\x11" * 32)
    message = str(first_failure(entries))
    assert "seq 1" in message and "11" * 32 in message and entries[0].entry_hash.hex() in message


def test_incremental_checker_matches_whole_walk():
    checker = ChainChecker("e1")
    for entry in make_chain():
        checker.feed(entry)
    assert checker.head() == verify_chain("e1", make_chain())
