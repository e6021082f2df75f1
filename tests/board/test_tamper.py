"""Rows edited, deleted or reordered behind the board's back: both checks name the first bad seq."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import delete, update

from bulletin_board.log import BoardLog
from bulletin_board.log_format.canonical import canonicalize
from bulletin_board.log_format.entry import compute_entry_hash
from bulletin_board.log_format.errors import BadSignature, ChainBroken, CheckpointMismatch
from bulletin_board.storage import checkpoints, entries, merkle_nodes

N = 12


@pytest.fixture
def signed_log(log, election):
    # A clock that advances 10 µs per reading, so every entry's time differs from its neighbours'.
    log = BoardLog(log.engine, log.signer, log.origin, clock=itertools.count(1_800_000_000_000_000, 10).__next__)
    for i in range(N):
        log.append(election, "test.item", {"i": i})
    log.checkpoint(election, 7)
    log.checkpoint(election)
    log.verify_chain(election)
    log.verify_checkpoints(election)
    return log, election


def sql(log, statement):
    with log.engine.begin() as conn:
        conn.execute(statement)


def row(election, seq):
    return (entries.c.election_id == election) & (entries.c.seq == seq)


def chain_failure(log, election) -> ChainBroken:
    with pytest.raises(ChainBroken) as caught:
        log.verify_chain(election)
    return caught.value


def checkpoint_failure(log, election) -> CheckpointMismatch:
    with pytest.raises(CheckpointMismatch) as caught:
        log.verify_checkpoints(election)
    return caught.value


def test_edited_payload(signed_log):
    log, election = signed_log
    sql(log, update(entries).where(row(election, 5)).values(payload=b'{"i":500}'))
    failure = chain_failure(log, election)
    assert (failure.seq, failure.check) == (5, "entry_hash")
    mismatch = checkpoint_failure(log, election)
    assert (mismatch.size, mismatch.seq) == (7, 5)  # the smallest checkpoint covering seq 5 fails first


@pytest.mark.parametrize("column, value, check", [
    ("kind", "other.kind", "entry_hash"), ("received_at", 1, "received_at"),
    ("entry_hash", b"\x07" * 32, "entry_hash"), ("prev_hash", b"\x07" * 32, "prev_hash"),
])
def test_edited_column(signed_log, column, value, check):
    log, election = signed_log
    sql(log, update(entries).where(row(election, 9)).values(**{column: value}))
    failure = chain_failure(log, election)
    assert (failure.seq, failure.check) == (9, check)
    mismatch = checkpoint_failure(log, election)
    assert (mismatch.size, mismatch.seq) == (N, 9)


def test_edited_time_that_stays_in_order(signed_log):
    log, election = signed_log
    between = (log.entry(election, 8).received_at + log.entry(election, 9).received_at) // 2
    sql(log, update(entries).where(row(election, 9)).values(received_at=between))
    failure = chain_failure(log, election)
    assert (failure.seq, failure.check) == (9, "entry_hash")
    assert checkpoint_failure(log, election).seq == 9


def test_deleted_row(signed_log):
    log, election = signed_log
    sql(log, delete(entries).where(row(election, 3)))
    failure = chain_failure(log, election)
    assert (failure.seq, failure.check, failure.found) == (3, "seq (gap)", 4)
    assert checkpoint_failure(log, election).seq == 3


def test_truncated_log_is_caught_by_the_checkpoint(signed_log):
    log, election = signed_log
    sql(log, delete(entries).where(row(election, N - 1)))
    assert log.verify_chain(election).size == N - 1  # a prefix of a valid chain is a valid chain...
    mismatch = checkpoint_failure(log, election)      # ...but not the log the board signed
    assert (mismatch.size, mismatch.seq) == (N, N - 1)


def test_reordered_rows(signed_log):
    log, election = signed_log
    sql(log, update(entries).where(row(election, 4)).values(seq=-1))
    sql(log, update(entries).where(row(election, 5)).values(seq=4))
    sql(log, update(entries).where(row(election, -1)).values(seq=5))
    failure = chain_failure(log, election)
    assert (failure.seq, failure.check) == (4, "prev_hash")
    assert checkpoint_failure(log, election).seq == 4


def test_consistent_rewrite_passes_the_chain_but_not_the_checkpoint(signed_log):
    log, election = signed_log
    stored = log.entries(election, 0, N)
    prev = stored[5].prev_hash
    for entry in stored[5:]:  # rewrite seq 5 onwards with a forged payload and re-hash everything after it
        payload = canonicalize({"i": 1000 + entry.seq}) if entry.seq == 5 else entry.payload
        new_hash = compute_entry_hash(entry.seq, prev, entry.kind, entry.received_at, payload)
        sql(log, update(entries).where(row(election, entry.seq)).values(payload=payload, prev_hash=prev,
                                                                         entry_hash=new_hash))
        prev = new_hash
    log.verify_chain(election)
    mismatch = checkpoint_failure(log, election)
    assert (mismatch.size, mismatch.seq) == (7, 5)


def test_rewrite_of_entries_and_node_table_cannot_be_located(signed_log):
    log, election = signed_log
    sql(log, update(entries).where(row(election, 2)).values(payload=b'{"i":200}'))
    sql(log, update(merkle_nodes).where((merkle_nodes.c.election_id == election) & (merkle_nodes.c.level == 0)
                                        & (merkle_nodes.c.node_index == 2)).values(hash=b"\x01" * 32))
    mismatch = checkpoint_failure(log, election)
    assert mismatch.seq is None and "node table" in str(mismatch)


def test_edited_checkpoint_note(signed_log):
    log, election = signed_log
    note = log.checkpoint(election, 7).note
    forged = note.replace("\n7\n", "\n6\n")
    sql(log, update(checkpoints).where((checkpoints.c.election_id == election) & (checkpoints.c.size == 7))
        .values(note=forged))
    with pytest.raises(BadSignature):
        log.verify_checkpoints(election)


def test_edited_checkpoint_root_column(signed_log):
    log, election = signed_log
    sql(log, update(checkpoints).where((checkpoints.c.election_id == election) & (checkpoints.c.size == 7))
        .values(root=b"\x02" * 32))
    assert "root column" in str(checkpoint_failure(log, election))
