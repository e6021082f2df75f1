"""A mirror's storage: the primary board's entries, Merkle nodes and checkpoints copied verbatim into the
board's own schema (``storage.schema``), so that the board's read API serves them unchanged, plus three
tables of the mirror's own (what it follows, how far behind it is, the evidence it keeps).

Entries arrive already checked link by link (``BoardClient.entries``); :meth:`MirrorStore.append_verified`
inserts a run of them, their Merkle nodes and the index rows the board's look-ups read (``ballot_index``,
``credentials``, the election's state), recomputes the root of the stored and new entries, and commits only
if it equals the root of the checkpoint the caller verified (board signature, witness policy), which it
stores with its cosignatures in the same transaction. Readers never see the uncommitted entries, so a mirror
never serves an entry that no verified checkpoint covers. ``ciphertext_index`` (the board's refusal of
copied ballots) is not filled: a mirror accepts no ballots.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

from voting.errors import VotingError
from voting.record.counting import CHALLENGED_KIND, header_of
from voting.record.lifecycle import BALLOT_KINDS, ElectionState, apply_entry
from voting.record.submission import CAST, CHALLENGE

from .elections.control import ControlStates, payload_at
from .log_format.checkpoint import SignedCheckpoint
from .log_format.cosignature import Cosignature, CosignerKey
from .log_format.entry import Entry
from .log_format.errors import BoardError, NodeStoreError, RootMismatch
from .log_format.merkle_proofs import new_nodes_for_append, tree_root
from .storage.engine import read_transaction, write_transaction
from .storage.nodes import DbNodes
from .storage.schema import ballot_index, checkpoint_cosignatures, checkpoints, credentials, elections, entries, merkle_nodes

__all__ = ["MirrorStore", "StoredHead", "Evidence", "mirror_metadata"]

log = logging.getLogger("evote.mirror")
FLUSH_ROWS = 500

mirror_metadata = MetaData()

mirror_meta = Table(
    "mirror_meta", mirror_metadata,
    Column("name", String(64), primary_key=True),  # primary_url, origin, board_key
    Column("value", Text, nullable=False),
)

mirror_elections = Table(
    "mirror_elections", mirror_metadata,
    Column("election_id", String(64), primary_key=True),
    Column("status", String(16), nullable=False),  # following | stopped
    Column("primary_size", BigInteger, nullable=True),  # the primary's log size when last asked
    Column("checkpoint_size", BigInteger, nullable=True),  # the size of the primary's last usable checkpoint
    Column("checked_at", BigInteger, nullable=True),  # microseconds since the epoch
    Column("reason", Text, nullable=True),  # why following stopped
)

mirror_evidence = Table(
    "mirror_evidence", mirror_metadata,
    Column("id", Integer, primary_key=True),
    Column("election_id", String(64), nullable=False),
    Column("kind", String(64), nullable=False),  # same_size_different_root | inconsistent_proof | root_mismatch | chain_broken
    Column("detected_at", BigInteger, nullable=False),
    Column("held_note", Text, nullable=True),  # the mirror's last verified checkpoint (with its cosignatures)
    Column("served_note", Text, nullable=True),  # what the primary served instead
    Column("proof", Text, nullable=True),  # JSON list of hex hashes (the consistency proof it served)
    Column("detail", Text, nullable=False),
)


def _now_us() -> int:
    return time.time_ns() // 1000


@dataclass(frozen=True)
class StoredHead:
    """What the mirror holds of one election: its size, last entry and latest stored checkpoint."""

    exists: bool
    size: int
    head_hash: bytes | None
    last_time: int
    checkpoint: SignedCheckpoint | None  # the board's note alone
    cosigned_note: str | None  # the same with the cosignatures stored for it


@dataclass(frozen=True)
class Evidence:
    election_id: str
    kind: str
    detail: str
    held_note: str | None = None
    served_note: str | None = None
    proof: tuple[bytes, ...] = ()

    def to_json(self) -> dict:
        return {"election_id": self.election_id, "kind": self.kind, "detail": self.detail, "held_note": self.held_note,
                "served_note": self.served_note, "proof": [h.hex().upper() for h in self.proof]}


class MirrorStore:
    def __init__(self, engine: Engine, origin: str | None = None) -> None:
        self.engine = engine
        self.origin = origin
        mirror_metadata.create_all(engine, checkfirst=True)

    # --- the mirror's own records ----------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        with read_transaction(self.engine) as conn:
            return {name: value for name, value in conn.execute(select(mirror_meta.c.name, mirror_meta.c.value))}

    def set_meta(self, **values: str) -> None:
        with write_transaction(self.engine) as conn:
            for name, value in values.items():
                if conn.execute(select(mirror_meta.c.name).where(mirror_meta.c.name == name)).first():
                    conn.execute(update(mirror_meta).where(mirror_meta.c.name == name).values(value=value))
                else:
                    conn.execute(insert(mirror_meta).values(name=name, value=value))

    def statuses(self) -> dict[str, dict]:
        with read_transaction(self.engine) as conn:
            rows = conn.execute(select(mirror_elections)).mappings().all()
        return {row["election_id"]: dict(row) for row in rows}

    def note_primary(self, election_id: str, primary_size: int | None, checkpoint_size: int | None) -> None:
        values = {"primary_size": primary_size, "checkpoint_size": checkpoint_size, "checked_at": _now_us()}
        with write_transaction(self.engine) as conn:
            self._upsert_status(conn, election_id, values)

    def stop(self, evidence: Evidence) -> None:
        """Stop following the election and keep the evidence (both checkpoints, the proof, the reason)."""
        with write_transaction(self.engine) as conn:
            conn.execute(insert(mirror_evidence).values(
                election_id=evidence.election_id, kind=evidence.kind, detected_at=_now_us(), held_note=evidence.held_note,
                served_note=evidence.served_note, proof=json.dumps([h.hex().upper() for h in evidence.proof]),
                detail=evidence.detail))
            self._upsert_status(conn, evidence.election_id, {"status": "stopped", "reason": f"{evidence.kind}: {evidence.detail}"})

    def evidence(self, election_id: str | None = None) -> list[dict]:
        query = select(mirror_evidence).order_by(mirror_evidence.c.id)
        if election_id is not None:
            query = query.where(mirror_evidence.c.election_id == election_id)
        with read_transaction(self.engine) as conn:
            rows = conn.execute(query).mappings().all()
        return [{**dict(row), "proof": json.loads(row["proof"] or "[]")} for row in rows]

    @staticmethod
    def _upsert_status(conn: Connection, election_id: str, values: dict) -> None:
        if conn.execute(select(mirror_elections.c.election_id).where(mirror_elections.c.election_id == election_id)).first():
            if values:
                conn.execute(update(mirror_elections).where(mirror_elections.c.election_id == election_id).values(**values))
        else:
            conn.execute(insert(mirror_elections).values(election_id=election_id, **{"status": "following", **values}))

    # --- the copied log --------------------------------------------------------------------------

    def head(self, election_id: str) -> StoredHead:
        with read_transaction(self.engine) as conn:
            if conn.execute(select(elections.c.id).where(elections.c.id == election_id)).first() is None:
                return StoredHead(False, 0, None, 0, None, None)
            last = conn.execute(select(entries.c.seq, entries.c.entry_hash, entries.c.received_at)
                                .where(entries.c.election_id == election_id).order_by(entries.c.seq.desc()).limit(1)).first()
            row = conn.execute(select(checkpoints.c.size, checkpoints.c.note).where(checkpoints.c.election_id == election_id)
                               .order_by(checkpoints.c.size.desc()).limit(1)).first()
            lines = [] if row is None else list(conn.execute(
                select(checkpoint_cosignatures.c.line).where(checkpoint_cosignatures.c.election_id == election_id)
                .where(checkpoint_cosignatures.c.size == row.size)
                .order_by(checkpoint_cosignatures.c.witness_name, checkpoint_cosignatures.c.witness_key)).scalars())
        if last is None:
            size, head_hash, last_time = 0, None, 0
        else:
            size, head_hash, last_time = last.seq + 1, bytes(last.entry_hash), last.received_at
        if row is None:
            return StoredHead(True, size, head_hash, last_time, None, None)
        from .log_format.checkpoint import parse_checkpoint
        from .log_format.note import parse_note

        signed = SignedCheckpoint(parse_checkpoint(parse_note(row.note).text), row.note)
        return StoredHead(True, size, head_hash, last_time, signed, row.note + "".join(lines))

    def root(self, election_id: str, size: int) -> bytes:
        with read_transaction(self.engine) as conn:
            return tree_root(DbNodes(conn, election_id), size)

    def consistency_proof(self, election_id: str, old_size: int, new_size: int) -> list[bytes]:
        from .log_format.merkle_proofs import consistency_proof

        with read_transaction(self.engine) as conn:
            return consistency_proof(DbNodes(conn, election_id), old_size, new_size)

    def ensure_election(self, election_id: str, created_at: int) -> None:
        with write_transaction(self.engine, election_id) as conn:
            if conn.execute(select(elections.c.id).where(elections.c.id == election_id)).first() is None:
                conn.execute(insert(elections).values(id=election_id, created_at=created_at, state="created"))
            self._upsert_status(conn, election_id, {})

    def append_verified(self, election_id: str, start: int, new_entries: Iterable[Entry], checkpoint: SignedCheckpoint,
                        cosignatures: Sequence[tuple[CosignerKey, Cosignature]], *, progress=None) -> int:
        """Store entries ``start``.. up to ``checkpoint.size`` in one transaction, then the checkpoint and its
        cosignatures; commit only if the root of the stored and new entries is the checkpoint's, else raise
        ``RootMismatch`` (nothing stored). Returns the number of entries stored."""
        with write_transaction(self.engine, election_id) as conn:
            stored = _size(conn, election_id)
            if stored != start:
                raise NodeStoreError(f"the mirror holds {stored} entries of {election_id}, not the {start} expected")
            copier = _Copier(conn, election_id, start)
            for entry in new_entries:
                if copier.size >= checkpoint.size:
                    break
                copier.add(entry)
                if progress is not None and copier.size % 1000 == 0:
                    progress(copier.size)
            copier.flush()
            if copier.size != checkpoint.size:
                raise NodeStoreError(f"the primary served {copier.size} entries, its checkpoint covers {checkpoint.size}")
            computed = tree_root(DbNodes(conn, election_id), checkpoint.size)
            if computed != checkpoint.root:
                raise RootMismatch("the primary's checkpoint against its entries", checkpoint.root, computed, proof=[],
                                   election_id=election_id, size=checkpoint.size)  # rolls the copy back
            copier.finish_state()
            _insert_checkpoint(conn, election_id, checkpoint, cosignatures)
            return copier.size - start

    def add_checkpoint(self, election_id: str, checkpoint: SignedCheckpoint,
                       cosignatures: Sequence[tuple[CosignerKey, Cosignature]]) -> None:
        """Store a checkpoint (already checked against the stored entries' root) and its cosignatures."""
        with write_transaction(self.engine, election_id) as conn:
            _insert_checkpoint(conn, election_id, checkpoint, cosignatures)


def _size(conn: Connection, election_id: str) -> int:
    last = conn.execute(select(func.max(entries.c.seq)).where(entries.c.election_id == election_id)).scalar()
    return 0 if last is None else last + 1


def _insert_checkpoint(conn: Connection, election_id: str, checkpoint: SignedCheckpoint,
                       cosignatures: Sequence[tuple[CosignerKey, Cosignature]]) -> None:
    stored = conn.execute(select(checkpoints.c.root).where(checkpoints.c.election_id == election_id)
                          .where(checkpoints.c.size == checkpoint.size)).scalar()
    if stored is None:
        conn.execute(insert(checkpoints).values(election_id=election_id, size=checkpoint.size, root=checkpoint.root,
                                                note=checkpoint.note, created_at=_now_us()))
    elif bytes(stored) != checkpoint.root:
        raise RootMismatch("two checkpoints of one size", bytes(stored), checkpoint.root, proof=[], size=checkpoint.size)
    have = set(conn.execute(select(checkpoint_cosignatures.c.witness_key).where(checkpoint_cosignatures.c.election_id == election_id)
                            .where(checkpoint_cosignatures.c.size == checkpoint.size)).scalars())
    for key, cosignature in cosignatures:
        if key.to_string() in have:
            continue
        have.add(key.to_string())
        conn.execute(insert(checkpoint_cosignatures).values(
            election_id=election_id, size=checkpoint.size, witness_key=key.to_string(), witness_name=key.name,
            key_id=key.key_id.hex(), line=cosignature.line, timestamp=cosignature.timestamp, created_at=_now_us()))


class _Copier:
    """Inserts one election's entries in order with their Merkle nodes and the rows the look-ups read."""

    def __init__(self, conn: Connection, election_id: str, start: int) -> None:
        self.conn = conn
        self.election_id = election_id
        self.size = start
        self.frontier = _frontier(conn, election_id, start)
        self.entry_rows: list[dict] = []
        self.node_rows: list[dict] = []
        self.state: ElectionState | None = None  # None: the rules could not be replayed (logged)
        try:  # the state after the stored entries, before any new one is inserted
            self.state = ControlStates().current(conn, election_id)
        except (VotingError, BoardError, ValueError, LookupError) as exc:
            log.error("mirror %s: the stored entries do not replay under the election's rules (%s); look-ups of this "
                      "election may be incomplete, the verifier will report it", election_id, exc)

    def add(self, entry: Entry) -> None:
        eid = self.election_id
        self.entry_rows.append({"election_id": eid, "seq": entry.seq, "kind": entry.kind, "payload": entry.payload,
                                "prev_hash": entry.prev_hash, "entry_hash": entry.entry_hash, "received_at": entry.received_at})
        for level, index, value in new_nodes_for_append(entry.seq, entry.entry_hash, self.frontier):
            self.frontier[(level, index)] = value
            self.node_rows.append({"election_id": eid, "level": level, "node_index": index, "hash": value})
        self._prune(entry.seq + 1)
        self.size = entry.seq + 1
        if entry.kind in BALLOT_KINDS:
            self._index_ballot(entry)
        else:
            self._apply_control(entry)
        if len(self.entry_rows) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.entry_rows:
            self.conn.execute(insert(entries), self.entry_rows)
            self.entry_rows = []
        if self.node_rows:
            self.conn.execute(insert(merkle_nodes), self.node_rows)
            self.node_rows = []

    def _prune(self, size: int) -> None:
        """Keep only the perfect subtrees a later append can complete (one per set bit of ``size``)."""
        keep = {(level, (size >> level) - 1) for level in range(size.bit_length()) if size >> level & 1}
        for key in [k for k in self.frontier if k not in keep]:
            del self.frontier[key]

    def _index_ballot(self, entry: Entry) -> None:
        try:
            header = header_of(entry.seq, entry.kind, json.loads(entry.payload))
        except (VotingError, ValueError) as exc:
            log.error("mirror %s: ballot entry %d is not indexed (%s); the verifier will report it", self.election_id, entry.seq, exc)
            return
        action = CHALLENGE if entry.kind == CHALLENGED_KIND else CAST
        self.conn.execute(insert(ballot_index).values(
            election_id=self.election_id, confirmation_code=header.confirmation_code.hex().upper(), seq=entry.seq,
            credential=header.credential, action=action, revealed=header.revealed))

    def _apply_control(self, entry: Entry) -> None:
        """Replay the election's rules as the board did, to fill the credentials table and the state column."""
        if self.state is None:
            return
        self.flush()  # a tally's challenged ballots are read from the stored payloads
        try:
            before, revoked_before = set(self.state.credentials), set(self.state.revoked)
            apply_entry(self.state, entry.seq, entry.kind, json.loads(entry.payload), entry.entry_hash,
                        lambda seq: payload_at(self.conn, self.election_id, seq))
        except (VotingError, BoardError, ValueError, LookupError) as exc:
            log.error("mirror %s: entry %d (%s) does not replay under the election's rules (%s); look-ups of this "
                      "election may be incomplete, the verifier will report it", self.election_id, entry.seq, entry.kind, exc)
            self.state = None
            return
        added = [self.state.credentials[key] for key in sorted(set(self.state.credentials) - before)]
        if added:
            self.conn.execute(insert(credentials), [
                {"election_id": self.election_id, "public_key": c.public_key, "revoked": False, "listed_at_seq": entry.seq,
                 "style": c.style, "weight": c.weight} for c in added])
        revoked = sorted(self.state.revoked - revoked_before)
        if revoked:
            self.conn.execute(update(credentials).where(credentials.c.election_id == self.election_id)
                              .where(credentials.c.public_key.in_(revoked)).values(revoked=True))

    def finish_state(self) -> None:
        if self.state is not None and self.state.phase:
            self.conn.execute(update(elections).where(elections.c.id == self.election_id).values(state=self.state.phase))


def _frontier(conn: Connection, election_id: str, size: int) -> dict[tuple[int, int], bytes]:
    keys = [(level, (size >> level) - 1) for level in range(size.bit_length()) if size >> level & 1]
    found = DbNodes(conn, election_id).get_nodes(keys) if keys else {}
    missing = [key for key in keys if key not in found]
    if missing:
        raise NodeStoreError(f"Merkle node table lacks subtrees {missing} of a log of size {size}")
    return dict(found)
