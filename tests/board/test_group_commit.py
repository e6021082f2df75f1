"""Group commit: a batch of appends in one transaction, each entry with its own outcome."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, insert, select

from bulletin_board import log_append
from bulletin_board.log_append import PendingAppend, apply_batch
from bulletin_board.log_format.canonical import canonicalize
from bulletin_board.log_format.errors import UnknownElection
from bulletin_board.storage import ballot_index, write_transaction


def pending(payload, check=None):
    return PendingAppend("test.item", payload, canonicalize(payload), check)


class Refused(Exception):
    pass


def refuse(ctx):
    ctx.session.execute(insert(ballot_index).values(election_id=ctx.election_id, confirmation_code="R",
                                                    seq=ctx.seq, credential="K", action="cast"))
    raise Refused("no")


def index_as(code):
    def check(ctx):
        ctx.session.execute(insert(ballot_index).values(election_id=ctx.election_id, confirmation_code=code,
                                                        seq=ctx.seq, credential="K", action="cast"))
    return check


def test_each_entry_of_a_batch_has_its_own_outcome(log, election):
    batch = [pending({"n": 0}), pending({"n": 1}, refuse), pending({"n": 2}, index_as("A")), pending({"n": 3}),
             pending({"n": 4}, lambda ctx: ctx.existing(0)), pending({"n": 5}, index_as("A")), pending({"n": 6})]
    with write_transaction(log.engine, election) as conn:
        outcomes = apply_batch(conn, log, election, batch)
    kinds = [type(o).__name__ for o in outcomes]
    assert kinds == ["AppendResult", "Refused", "AppendResult", "AppendResult", "AppendResult", "IntegrityError",
                     "AppendResult"]
    assert [o.seq for o in outcomes if type(o).__name__ == "AppendResult"] == [0, 1, 2, 0, 3]
    assert outcomes[4].appended is False
    stored = log.entries(election, 0, 10)
    assert [e.payload for e in stored] == [b'{"n":0}', b'{"n":2}', b'{"n":3}', b'{"n":6}']
    with log.engine.connect() as conn:
        codes = conn.execute(select(ballot_index.c.confirmation_code, ballot_index.c.seq)
                             .where(ballot_index.c.election_id == election)).all()
    assert [tuple(row) for row in codes] == [("A", 1)]
    log.verify_chain(election)
    log.checkpoint(election)
    log.verify_checkpoints(election)


def test_a_failed_batch_is_retried_one_entry_at_a_time(log, election, monkeypatch):
    real = log_append.apply_batch
    sizes = []

    def flaky(conn, log_, election_id, batch):
        sizes.append(len(batch))
        if len(batch) > 1:
            raise RuntimeError("batch failed")
        return real(conn, log_, election_id, batch)

    monkeypatch.setattr(log_append, "apply_batch", flaky)
    items = [pending({"n": n}) for n in range(3)]
    log._committer._run(election, items)
    assert sizes == [3, 1, 1, 1]
    assert [item.result.seq for item in items] == [0, 1, 2] and all(item.error is None for item in items)
    log.verify_chain(election)


def test_concurrent_appends_with_hooks_that_refuse_some(log, election):
    acknowledged, refused = {}, []

    def check(ctx):
        if ctx.payload["i"] % 5 == 0:
            raise Refused(ctx.payload)
        ctx.session.execute(insert(ballot_index).values(election_id=ctx.election_id,
                                                        confirmation_code=f"{ctx.payload['w']}-{ctx.payload['i']}",
                                                        seq=ctx.seq, credential="K", action="cast"))

    def writer(w):
        for i in range(40):
            try:
                result = log.append(election, "test.item", {"w": w, "i": i}, check=check)
                acknowledged[(w, i)] = result.seq
            except Refused:
                refused.append((w, i))

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(refused) == 8 * 8 and len(acknowledged) == 8 * 32
    assert sorted(acknowledged.values()) == list(range(8 * 32))
    with log.engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(ballot_index)
                             .where(ballot_index.c.election_id == election)).scalar()
    assert count == len(acknowledged)
    assert log.verify_chain(election).size == len(acknowledged)


def test_unknown_election_fails_every_waiter(log):
    with pytest.raises(UnknownElection):
        log.append("never-created", "test.item", {})
    assert log._committer._queues == {}
