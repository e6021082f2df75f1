"""Re-checking a stored log: the hash chain, and every issued checkpoint against the entries.

The checkpoint check needs no trust in the entries table: it verifies each stored checkpoint's
signature, recomputes every entry hash from the row's fields (a row whose fields do not hash to its
stored entry_hash counts as bad), and compares the Merkle root over them with the signed root. When they differ it names the first bad seq by comparing against the leaf
hashes persisted at append time, but only after checking that those leaves reproduce the signed root
(so a damaged node table cannot point at the wrong entry).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from sqlalchemy import Connection, select

from .log_format.chain import ChainChecker, ChainHead
from .log_format.checkpoint import SignedCheckpoint, verify_checkpoint
from .log_format.entry import Entry
from .log_format.errors import CheckpointMismatch, InvalidInput, UnknownElection
from .log_format.merkle_hash import RootAccumulator, leaf_hash
from .storage.engine import read_transaction
from .storage.schema import checkpoints, elections, entries, merkle_nodes

if TYPE_CHECKING:
    from .log import BoardLog

PAGE = 1000

__all__ = ["verify_stored_chain", "verify_stored_checkpoints", "stream_entries"]


def stream_entries(conn: Connection, election_id: str) -> Iterator[Entry]:
    """All rows of an election in seq order, paged by seq (keyset), whatever their values."""
    last = -1
    while True:
        rows = conn.execute(select(entries).where(entries.c.election_id == election_id)
                            .where(entries.c.seq > last).order_by(entries.c.seq).limit(PAGE)).all()
        for r in rows:
            yield Entry(election_id, r.seq, r.kind, bytes(r.payload), bytes(r.prev_hash), bytes(r.entry_hash),
                        r.received_at)
        if len(rows) < PAGE:
            return
        last = rows[-1].seq


def _require(conn: Connection, election_id: str) -> None:
    if conn.execute(select(elections.c.id).where(elections.c.id == election_id)).first() is None:
        raise UnknownElection(election_id)


def verify_stored_chain(log: "BoardLog", election_id: str) -> ChainHead:
    with read_transaction(log.engine) as conn:
        _require(conn, election_id)
        checker = ChainChecker(election_id)
        for entry in stream_entries(conn, election_id):
            checker.feed(entry)
        return checker.head()


def _leaf(entry: Entry) -> bytes | None:
    """The leaf this row had when appended; None if its fields do not hash to its stored entry_hash."""
    try:
        computed = entry.recompute_hash()
    except InvalidInput:
        return None
    return leaf_hash(computed) if computed == entry.entry_hash else None


def verify_stored_checkpoints(log: "BoardLog", election_id: str) -> list[SignedCheckpoint]:
    verifier = log.signer.verifier
    origin = log.election_origin(election_id)
    with read_transaction(log.engine) as conn:
        _require(conn, election_id)
        signed: list[SignedCheckpoint] = []
        for row in conn.execute(select(checkpoints).where(checkpoints.c.election_id == election_id)
                                .order_by(checkpoints.c.size)):
            checkpoint = verify_checkpoint(row.note, [verifier], origin=origin)
            if checkpoint.size != row.size or checkpoint.root != bytes(row.root):
                raise CheckpointMismatch(row.size, None, checkpoint.root, bytes(row.root),
                                         "the stored size or root column differs from the signed note")
            signed.append(checkpoint)
        if not signed:
            return []
        wanted = {checkpoint.size for checkpoint in signed}
        largest = max(wanted)
        roots: dict[int, bytes | None] = {}
        accumulator = RootAccumulator()
        for entry in stream_entries(conn, election_id):
            if accumulator.size in wanted:
                roots[accumulator.size] = accumulator.root()
            if accumulator.size >= largest:
                break
            leaf = _leaf(entry)
            if leaf is None:
                break  # every checkpoint beyond this row fails; the search below names it
            accumulator.append_leaf(leaf)
        if accumulator.size in wanted:
            roots[accumulator.size] = accumulator.root()
        for checkpoint in signed:
            computed = roots.get(checkpoint.size)
            if computed != checkpoint.root:
                seq, detail = _first_bad_seq(conn, election_id, checkpoint)
                raise CheckpointMismatch(checkpoint.size, seq, checkpoint.root, computed, detail)
        return signed


def _first_bad_seq(conn: Connection, election_id: str, checkpoint: SignedCheckpoint) -> tuple[int | None, str]:
    size = checkpoint.size
    stored = conn.execute(select(merkle_nodes.c.node_index, merkle_nodes.c.hash)
                          .where(merkle_nodes.c.election_id == election_id).where(merkle_nodes.c.level == 0)
                          .where(merkle_nodes.c.node_index < size).order_by(merkle_nodes.c.node_index)).all()
    accumulator = RootAccumulator()
    for position, (index, value) in enumerate(stored):
        if index != position:
            break
        accumulator.append_leaf(bytes(value))
    if accumulator.size != size or accumulator.root() != checkpoint.root:
        return None, "the Merkle node table does not reproduce the signed root either, so the bad entry cannot be located"
    count = 0
    for position, entry in enumerate(stream_entries(conn, election_id)):
        if position >= size:
            break
        count = position + 1
        if _leaf(entry) != bytes(stored[position][1]):
            return position, f"the entry stored at position {position} (seq {entry.seq}) is not the one signed"
    return count, f"the log holds only {count} entries, fewer than the checkpoint's {size}"
