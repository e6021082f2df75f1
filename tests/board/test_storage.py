"""BoardLog on both backends: appends, reads, proofs against the RFC reference, the check hook, migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from bulletin_board.log_format.checkpoint import verify_checkpoint
from bulletin_board.log_format.entry import genesis_hash
from bulletin_board.log_format.errors import CanonicalJsonError, ElectionExists, InvalidInput, OutOfRange, UnknownElection
from bulletin_board.log_format.merkle_hash import leaf_hash
from bulletin_board.log_format.merkle_verify import verify_consistency, verify_inclusion
from bulletin_board.storage import ballot_index, entries, metadata

from . import rfc9162_reference as rfc
from .conftest import new_election_id


def fill(log, election, n, start=0):
    return [log.append(election, "test.item", {"i": i}) for i in range(start, start + n)]


def test_schema_after_migrations_matches_the_models(engine):
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_append_assigns_seq_links_and_hashes(log, election):
    results = fill(log, election, 5)
    assert [r.seq for r in results] == [0, 1, 2, 3, 4]
    assert results[0].prev_hash == genesis_hash(election)
    assert all(b.prev_hash == a.entry_hash for a, b in zip(results, results[1:], strict=False))
    assert all(b.received_at >= a.received_at for a, b in zip(results, results[1:], strict=False))
    stored = log.entries(election, 0, 10)
    assert [e.entry_hash for e in stored] == [r.entry_hash for r in results]
    assert stored[3].payload == b'{"i":3}' and log.entry(election, 3) == stored[3]
    assert log.verify_chain(election).head_hash == results[-1].entry_hash
    info = log.election(election)
    assert (info.size, info.head_hash, info.state) == (5, results[-1].entry_hash, "created")


def test_payload_bytes_are_kept_exactly(log, election):
    log.append(election, "test.item", {"z": 1, "a": "é\u2028", "m": [None, True, -(2**53 - 1)]})
    assert log.entry(election, 0).payload == '{"a":"é\u2028","m":[null,true,-9007199254740991],"z":1}'.encode()


def test_rejected_appends_leave_the_log_unchanged(log, election):
    fill(log, election, 2)
    before = log.election(election)
    for call, error in [
        (lambda: log.append(election, "Bad Kind", {}), InvalidInput),
        (lambda: log.append("no such/id", "k", {}), InvalidInput),
        (lambda: log.append(new_election_id(), "k", {}), UnknownElection),
        (lambda: log.append(election, "k", {"f": 0.5}), CanonicalJsonError),
        (lambda: log.append(election, "k", {"x": "y" * (2 << 20)}), CanonicalJsonError),
    ]:
        with pytest.raises(error):
            call()
    assert log.election(election) == before
    log.verify_chain(election)


def test_create_election_twice_is_refused(log, election):
    with pytest.raises(ElectionExists):
        log.create_election(election)
    assert election in [info.election_id for info in log.elections()]


def test_reads_validate_their_arguments(log, election):
    fill(log, election, 3)
    with pytest.raises(OutOfRange):
        log.entry(election, 3)
    with pytest.raises(InvalidInput):
        log.entries(election, 0, 0)
    with pytest.raises(InvalidInput):
        log.entries(election, -1, 10)
    with pytest.raises(UnknownElection):
        log.entries(new_election_id(), 0, 10)
    with pytest.raises(OutOfRange):
        log.checkpoint(election, 4)
    with pytest.raises(OutOfRange):
        log.inclusion_proof(election, 3, 3)
    with pytest.raises(OutOfRange):
        log.consistency_proof(election, 3, 2)
    assert log.entries(election, 2, 10)[0].seq == 2 and log.entries(election, 3, 10) == []


def test_roots_and_proofs_from_stored_nodes_match_the_rfc(log, election):
    hashes = [r.entry_hash for r in fill(log, election, 37)]
    for size in range(0, 38):
        assert log.root(election, size) == rfc.mth(hashes[:size])
    for size in (1, 2, 5, 16, 17, 31, 37):
        for index in range(size):
            proof = log.inclusion_proof(election, index, size)
            assert proof.proof == rfc.path(index, hashes[:size])
            verify_inclusion(index, size, leaf_hash(proof.entry_hash), proof.proof, proof.root)
        for old in range(1, size):
            proof = log.consistency_proof(election, old, size)
            assert proof.proof == rfc.proof(old, hashes[:size])
            verify_consistency(old, size, proof.old_root, proof.new_root, proof.proof)


def test_checkpoints_are_signed_stored_and_historic(log, election, signer):
    fill(log, election, 9)
    latest = log.checkpoint(election)
    historic = log.checkpoint(election, 4)
    again = log.checkpoint(election, 4)
    assert (latest.size, historic.size, again.note) == (9, 4, historic.note)
    origin = f"test.board/elections/{election}"
    assert verify_checkpoint(historic.note, [signer.verifier], origin=origin).root == log.root(election, 4)
    assert [c.size for c in log.checkpoints(election)] == [4, 9]
    assert [c.size for c in log.verify_checkpoints(election)] == [4, 9]


# --- the check hook ------------------------------------------------------------------------------------

def test_hook_sees_state_and_next_seq_and_indexes_in_the_same_transaction(log, election):
    fill(log, election, 2)
    seen = {}

    def check(ctx):
        seen.update(seq=ctx.seq, last=ctx.last_seq, state=ctx.state, kind=ctx.kind, payload=ctx.payload)
        ctx.session.execute(insert(ballot_index).values(election_id=ctx.election_id, confirmation_code="C1",
                                                        seq=ctx.seq, credential="K1", action="cast"))
        ctx.set_state("voting")

    result = log.append(election, "ballot.cast", {"code": "C1"}, check=check)
    assert seen == {"seq": 2, "last": 1, "state": "created", "kind": "ballot.cast", "payload": {"code": "C1"}}
    assert result.seq == 2 and log.election(election).state == "voting"
    with log.engine.connect() as conn:
        row = conn.execute(select(ballot_index.c.seq).where(ballot_index.c.election_id == election)).one()
    assert row.seq == 2


def test_hook_rejection_rolls_back_everything(log, election):
    fill(log, election, 1)
    before = log.election(election)

    class Rejected(Exception):
        pass

    def check(ctx):
        ctx.session.execute(insert(ballot_index).values(election_id=ctx.election_id, confirmation_code="C2",
                                                        seq=ctx.seq, credential="K", action="cast"))
        ctx.set_state("closed")
        raise Rejected("duplicate ballot")

    with pytest.raises(Rejected):
        log.append(election, "ballot.cast", {}, check=check)
    assert log.election(election) == before
    with log.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ballot_index)
                            .where(ballot_index.c.election_id == election)).scalar() == 0


def test_unique_index_violation_inside_hook_appends_nothing(log, election):
    def index(code):
        def check(ctx):
            ctx.session.execute(insert(ballot_index).values(election_id=ctx.election_id, confirmation_code=code,
                                                            seq=ctx.seq, credential="K", action="cast"))
        return check

    log.append(election, "ballot.cast", {"n": 1}, check=index("SAME"))
    with pytest.raises(IntegrityError):
        log.append(election, "ballot.cast", {"n": 2}, check=index("SAME"))
    assert log.size(election) == 1


def test_hook_can_answer_with_the_existing_entry(log, election):
    first = log.append(election, "ballot.cast", {"code": "C"})

    def check(ctx):
        row = ctx.session.execute(select(entries.c.seq).where(entries.c.election_id == ctx.election_id)
                                  .where(entries.c.payload == ctx.payload_bytes)).first()
        return ctx.existing(row.seq) if row else None

    again = log.append(election, "ballot.cast", {"code": "C"}, check=check)
    assert (again.seq, again.entry_hash, again.appended, first.appended) == (0, first.entry_hash, False, True)
    assert log.size(election) == 1


def test_unique_constraints_forbid_forks(log, election):
    fill(log, election, 2)
    row = log.entry(election, 1)
    with pytest.raises(IntegrityError):  # same prev_hash as seq 1: a second child of seq 0
        with log.engine.begin() as conn:
            conn.execute(insert(entries).values(election_id=election, seq=7, kind="k", payload=b"{}",
                                                prev_hash=row.prev_hash, entry_hash=bytes(32), received_at=0))
    with pytest.raises(IntegrityError):  # a second entry at seq 1
        with log.engine.begin() as conn:
            conn.execute(insert(entries).values(election_id=election, seq=1, kind="k", payload=b"{}",
                                                prev_hash=bytes(32), entry_hash=bytes(32), received_at=0))
    log.verify_chain(election)


def test_the_public_list_of_ballots_pages_through_an_index(tmp_path):
    """GET /elections/<id>/ballots pages in board order; on SQLite its query uses ix_ballot_index_seq (0004)
    instead of sorting every ballot of the election for each page."""
    from sqlalchemy import text

    from bulletin_board.storage import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'plan.sqlite3'}"
    migrate(url)
    with make_engine(url).connect() as conn:
        plan = conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT seq, confirmation_code FROM ballot_index "
            "WHERE election_id = 'e' AND seq >= 0 ORDER BY seq LIMIT 51"
        )).all()  # fmt: skip
    details = " ".join(str(row[-1]) for row in plan)
    assert "ix_ballot_index_seq" in details and "TEMP B-TREE" not in details, details
