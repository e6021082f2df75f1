"""``BoardLog``: the append-only, hash-chained, Merkle-checkpointed election log (no HTTP here).

Appends are serialised per election (see ``storage.engine``); the seq, prev_hash and received_at of a
new entry are read and assigned under that lock, and the entry, its Merkle nodes and whatever the
``check`` hook inserted commit together or not at all (``log_append``). Reads never take the write lock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import Connection, Engine, func, insert, select

from . import log_audit
from .log_append import GroupCommitter, PendingAppend
from .log_format.canonical import MAX_PAYLOAD_BYTES, canonicalize
from .log_format.chain import ChainHead
from .log_format.checkpoint import (
    Checkpoint,
    SignedCheckpoint,
    check_origin,
    election_origin,
    sign_checkpoint,
)
from .log_format.cosignature import CosignerKey, add_signature_lines
from .log_format.entry import Entry, check_election_id, check_kind, check_seq, genesis_hash
from .log_format.errors import ElectionExists, InvalidInput, OutOfRange, UnknownElection
from .log_format.merkle_proofs import consistency_proof, inclusion_proof, tree_root
from .log_format.note import NoteSigner, parse_note
from .log_types import (
    AppendResult,
    CheckHook,
    ConsistencyProof,
    ElectionInfo,
    InclusionProof,
)
from .storage.engine import is_sqlite, read_transaction, write_transaction
from .storage.nodes import DbNodes
from .storage.schema import checkpoint_cosignatures, checkpoints, elections, entries

MAX_PAGE = 1000

__all__ = ["BoardLog", "CosignedCheckpoint", "MAX_PAGE"]


@dataclass(frozen=True)
class CosignedCheckpoint:
    """A stored checkpoint with the witness cosignatures the board keeps for it."""

    signed: SignedCheckpoint  # the board's note alone
    note: str  # the board's note with every stored cosignature line appended
    witnesses: tuple[str, ...]  # the cosigning witnesses' names, in the order of their lines


def now_us() -> int:
    return time.time_ns() // 1000


class BoardLog:
    def __init__(self, engine: Engine, signer: NoteSigner, origin: str, *,
                 max_payload_bytes: int = MAX_PAYLOAD_BYTES, clock: Callable[[], int] = now_us) -> None:
        self.engine = engine
        self.signer = signer
        self.origin = check_origin(origin, "board_origin")
        self.max_payload_bytes = max_payload_bytes
        self.clock = clock
        self._committer = GroupCommitter(self)

    def election_origin(self, election_id: str) -> str:
        return election_origin(self.origin, election_id)

    # --- elections -------------------------------------------------------------------------------

    def create_election(self, election_id: str, *, state: str = "created") -> ElectionInfo:
        check_election_id(election_id)
        if not isinstance(state, str) or not 0 < len(state) <= 64:
            raise InvalidInput("state", "must be a string of 1-64 characters")
        with write_transaction(self.engine, election_id) as conn:
            if conn.execute(select(elections.c.id).where(elections.c.id == election_id)).first():
                raise ElectionExists(election_id)
            created = self.clock()
            conn.execute(insert(elections).values(id=election_id, created_at=created, state=state))
        return ElectionInfo(election_id, created, state, 0, genesis_hash(election_id))

    def elections(self) -> list[ElectionInfo]:
        with read_transaction(self.engine) as conn:
            ids = conn.execute(select(elections.c.id).order_by(elections.c.id)).scalars().all()
            return [self._info(conn, election_id) for election_id in ids]

    def election(self, election_id: str) -> ElectionInfo:
        check_election_id(election_id)
        with read_transaction(self.engine) as conn:
            return self._info(conn, election_id)

    def _info(self, conn: Connection, election_id: str) -> ElectionInfo:
        row = conn.execute(select(elections.c.created_at, elections.c.state)
                           .where(elections.c.id == election_id)).first()
        if row is None:
            raise UnknownElection(election_id)
        head = self._head(conn, election_id)
        size, head_hash = (head.seq + 1, head.entry_hash) if head else (0, genesis_hash(election_id))
        return ElectionInfo(election_id, row.created_at, row.state, size, head_hash)

    @staticmethod
    def _head(conn: Connection, election_id: str):
        return conn.execute(select(entries.c.seq, entries.c.entry_hash, entries.c.received_at)
                            .where(entries.c.election_id == election_id)
                            .order_by(entries.c.seq.desc()).limit(1)).first()

    # --- appending -------------------------------------------------------------------------------

    def append(self, election_id: str, kind: str, payload: dict, *, check: CheckHook | None = None) -> AppendResult:
        """Append one entry; returns once it is durably committed (or raises, leaving the log unchanged).

        Concurrent appends to one election from this process are committed in groups (``log_append``).
        """
        check_election_id(election_id)
        check_kind(kind)
        payload_bytes = canonicalize(payload, max_bytes=self.max_payload_bytes)
        return self._committer.submit(election_id, PendingAppend(kind, payload, payload_bytes, check))

    # --- reading entries -------------------------------------------------------------------------

    def size(self, election_id: str) -> int:
        return self.election(election_id).size

    def entries(self, election_id: str, start: int = 0, limit: int = 100) -> list[Entry]:
        """Entries with seq in [start, start + limit), in seq order (fewer at the end of the log)."""
        check_election_id(election_id)
        check_seq(start, "start")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
            raise InvalidInput("limit", f"must be an integer from 1 to {MAX_PAGE}")
        with read_transaction(self.engine) as conn:
            self._require(conn, election_id)
            return _entries_between(conn, election_id, start, start + limit)

    def entry(self, election_id: str, seq: int) -> Entry:
        check_election_id(election_id)
        check_seq(seq)
        with read_transaction(self.engine) as conn:
            self._require(conn, election_id)
            return self.entry_in(conn, election_id, seq)

    def entry_in(self, conn: Connection, election_id: str, seq: int) -> Entry:
        """The entry at ``seq``, read on the caller's open connection (inside its transaction)."""
        found = _entries_between(conn, election_id, seq, seq + 1)
        if not found:
            size = self._size(conn, election_id)
            raise OutOfRange("seq", seq, size, f"the log of {election_id} has {size} entries")
        return found[0]

    @staticmethod
    def _require(conn: Connection, election_id: str) -> None:
        if conn.execute(select(elections.c.id).where(elections.c.id == election_id)).first() is None:
            raise UnknownElection(election_id)

    def _size(self, conn: Connection, election_id: str) -> int:
        last = conn.execute(select(func.max(entries.c.seq)).where(entries.c.election_id == election_id)).scalar()
        return 0 if last is None else last + 1

    def _checked_size(self, conn: Connection, election_id: str, size: int | None, field: str = "size") -> tuple[int, int]:
        self._require(conn, election_id)
        current = self._size(conn, election_id)
        if size is None:
            return current, current
        check_seq(size, field)
        if size > current:
            raise OutOfRange(field, size, current, f"the log of {election_id} has only {current} entries")
        return size, current

    # --- Merkle roots, proofs and checkpoints ----------------------------------------------------

    def root(self, election_id: str, size: int | None = None) -> bytes:
        check_election_id(election_id)
        with read_transaction(self.engine) as conn:
            size, _ = self._checked_size(conn, election_id, size)
            return tree_root(DbNodes(conn, election_id), size)

    def inclusion_proof(self, election_id: str, seq: int, size: int | None = None) -> InclusionProof:
        check_election_id(election_id)
        check_seq(seq)
        with read_transaction(self.engine) as conn:
            size, _ = self._checked_size(conn, election_id, size)
            if seq >= size:
                raise OutOfRange("seq", seq, size, f"an inclusion proof needs seq < size ({size})")
            nodes = DbNodes(conn, election_id)
            entry = self.entry_in(conn, election_id, seq)
            return InclusionProof(election_id, seq, size, entry.entry_hash, inclusion_proof(nodes, seq, size),
                                  tree_root(nodes, size))

    def consistency_proof(self, election_id: str, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        check_election_id(election_id)
        check_seq(old_size, "old")
        with read_transaction(self.engine) as conn:
            new_size, _ = self._checked_size(conn, election_id, new_size, "new")
            if old_size > new_size:
                raise OutOfRange("old", old_size, new_size, "the old size must not exceed the new size")
            nodes = DbNodes(conn, election_id)
            return ConsistencyProof(election_id, old_size, new_size, consistency_proof(nodes, old_size, new_size),
                                    tree_root(nodes, old_size), tree_root(nodes, new_size))

    def checkpoint(self, election_id: str, size: int | None = None) -> SignedCheckpoint:
        """The signed checkpoint for ``size`` (default: the current size), signed and stored on first demand."""
        check_election_id(election_id)
        with read_transaction(self.engine) as conn:
            size, _ = self._checked_size(conn, election_id, size)
            stored = conn.execute(select(checkpoints.c.note).where(checkpoints.c.election_id == election_id)
                                  .where(checkpoints.c.size == size)).scalar()
            root = tree_root(DbNodes(conn, election_id), size)
        signed = sign_checkpoint(Checkpoint(self.election_origin(election_id), size, root), self.signer)
        if stored == signed.note:
            return signed
        with write_transaction(self.engine) as conn:
            values = dict(election_id=election_id, size=size, root=root, note=signed.note, created_at=self.clock())
            dialect = _upsert_dialect(conn)
            conn.execute(dialect.insert(checkpoints).values(**values).on_conflict_do_nothing())
        return signed

    def checkpoints(self, election_id: str) -> list[SignedCheckpoint]:
        """Every checkpoint issued for the election, as stored, oldest size first (not re-verified)."""
        check_election_id(election_id)
        with read_transaction(self.engine) as conn:
            self._require(conn, election_id)
            rows = conn.execute(select(checkpoints.c.size, checkpoints.c.root, checkpoints.c.note)
                                .where(checkpoints.c.election_id == election_id).order_by(checkpoints.c.size))
            origin = self.election_origin(election_id)
            return [SignedCheckpoint(Checkpoint(origin, size, root), note) for size, root, note in rows]

    # --- witness cosignatures (bulletin_board/cosigning.py) --------------------------------------

    def store_cosignatures(self, election_id: str, size: int, lines: Iterable[tuple[CosignerKey, str]]) -> int:
        """Keep cosignature ``lines`` on the stored checkpoint of ``size``, each verified here with its witness
        key over that checkpoint's body first: a line that is not its key's or does not verify raises
        ``InvalidInput`` ("cosignature") and nothing is stored. Returns how many lines were new."""
        check_election_id(election_id)
        check_seq(size, "size")
        with read_transaction(self.engine) as conn:
            self._require(conn, election_id)
            note = conn.execute(select(checkpoints.c.note).where(checkpoints.c.election_id == election_id)
                                .where(checkpoints.c.size == size)).scalar()
        if note is None:
            raise InvalidInput("size", f"the board has issued no checkpoint of size {size} for {election_id}")
        body = parse_note(note).text
        rows = []
        for key, line in lines:
            cosignature = key.verify_line(body, line)
            if cosignature is None:
                raise InvalidInput("cosignature", f"the line is not a cosignature by {key.name}")
            rows.append(dict(election_id=election_id, size=size, witness_key=key.to_string(), witness_name=key.name,
                             key_id=key.key_id.hex(), line=cosignature.line, timestamp=cosignature.timestamp,
                             created_at=self.clock()))
        added = 0
        with write_transaction(self.engine) as conn:  # no election lock: appends never wait for witnesses
            dialect = _upsert_dialect(conn)
            for row in rows:
                added += conn.execute(dialect.insert(checkpoint_cosignatures).values(**row).on_conflict_do_nothing()).rowcount
        return added

    def witness_sizes(self, election_id: str) -> dict[str, int]:
        """The largest checkpoint size each witness (by vkey) cosigned for the election, as stored."""
        check_election_id(election_id)
        table = checkpoint_cosignatures
        with read_transaction(self.engine) as conn:
            rows = conn.execute(select(table.c.witness_key, func.max(table.c.size))
                                .where(table.c.election_id == election_id).group_by(table.c.witness_key))
            return {key: size for key, size in rows}

    def cosigned_checkpoint(self, election_id: str, min_size: int | None = None) -> CosignedCheckpoint | None:
        """The largest stored checkpoint with at least one cosignature (and size >= ``min_size``), or None."""
        check_election_id(election_id)
        table = checkpoint_cosignatures
        with read_transaction(self.engine) as conn:
            self._require(conn, election_id)
            query = select(func.max(table.c.size)).where(table.c.election_id == election_id)
            if min_size is not None:
                query = query.where(table.c.size >= min_size)
            size = conn.execute(query).scalar()
            if size is None:
                return None
            found = self._cosigned(conn, election_id, size, size)
        return found[0] if found else None

    def cosigned_checkpoints(self, election_id: str) -> list[CosignedCheckpoint]:
        """Every stored checkpoint, oldest size first, each with the cosignatures stored for it (maybe none)."""
        check_election_id(election_id)
        with read_transaction(self.engine) as conn:
            self._require(conn, election_id)
            return self._cosigned(conn, election_id, 0, None)

    def _cosigned(self, conn: Connection, election_id: str, low: int, high: int | None) -> list[CosignedCheckpoint]:
        table = checkpoint_cosignatures
        query = (select(checkpoints.c.size, checkpoints.c.root, checkpoints.c.note)
                 .where(checkpoints.c.election_id == election_id).where(checkpoints.c.size >= low))
        lines_query = (select(table.c.size, table.c.witness_name, table.c.line).where(table.c.election_id == election_id)
                       .where(table.c.size >= low))
        if high is not None:
            query, lines_query = query.where(checkpoints.c.size <= high), lines_query.where(table.c.size <= high)
        lines: dict[int, list[tuple[str, str]]] = {}
        for size, name, line in conn.execute(lines_query.order_by(table.c.size, table.c.witness_name, table.c.witness_key)):
            lines.setdefault(size, []).append((name, line))
        origin = self.election_origin(election_id)
        out = []
        for size, root, note in conn.execute(query.order_by(checkpoints.c.size)):
            found = lines.get(size, [])
            cosigned = add_signature_lines(note, [line for _, line in found]) if found else note
            out.append(CosignedCheckpoint(SignedCheckpoint(Checkpoint(origin, size, bytes(root)), note), cosigned,
                                          tuple(name for name, _ in found)))
        return out

    # --- verification ----------------------------------------------------------------------------

    def verify_chain(self, election_id: str) -> ChainHead:
        """Walk the stored chain from seq 0; raises ``ChainBroken`` naming the first bad seq."""
        check_election_id(election_id)
        return log_audit.verify_stored_chain(self, election_id)

    def verify_checkpoints(self, election_id: str) -> list[SignedCheckpoint]:
        """Check every stored checkpoint's signature and root against the entries; names the first bad seq."""
        check_election_id(election_id)
        return log_audit.verify_stored_checkpoints(self, election_id)


def _entries_between(conn: Connection, election_id: str, start: int, end: int) -> list[Entry]:
    rows = conn.execute(select(entries.c.seq, entries.c.kind, entries.c.payload, entries.c.prev_hash,
                               entries.c.entry_hash, entries.c.received_at)
                        .where(entries.c.election_id == election_id)
                        .where(entries.c.seq >= start).where(entries.c.seq < end).order_by(entries.c.seq))
    return [Entry(election_id, r.seq, r.kind, bytes(r.payload), bytes(r.prev_hash), bytes(r.entry_hash), r.received_at)
            for r in rows]


def _upsert_dialect(conn: Connection):
    if is_sqlite(conn):
        from sqlalchemy.dialects import sqlite
        return sqlite
    from sqlalchemy.dialects import postgresql
    return postgresql
