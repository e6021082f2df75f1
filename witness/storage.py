"""The witness's database: the latest cosigned checkpoint per origin, and the evidence it kept.

Schema management: a ``witness_schema`` table holds the version, and ``MIGRATIONS`` lists the steps from
one version to the next, applied in one locked transaction at start-up. Not Alembic (as the board uses):
the witness has three tables, is meant to be run by outside organisations without the board's code, and
its import contract forbids ``bulletin_board.storage``; a numbered list of steps is all it needs.

Transactions that decide (``deciding``): SQLite opens them with ``BEGIN IMMEDIATE`` (the write lock first,
so two deciders never read the same state); PostgreSQL inserts the origin's row if absent
(``ON CONFLICT DO NOTHING``) and takes ``SELECT ... FOR UPDATE`` on it. Either way the check and the update
of C2SP tlog-witness ("must be performed atomically") are one transaction, committed before the answer.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from bulletin_board.log_format.checkpoint import Checkpoint
from bulletin_board.log_format.witness_protocol import Held

from .errors import ConfigError

BUSY_TIMEOUT_MS = 60_000
SCHEMA_VERSION = 1
_WRITE = "witness_write"

metadata = MetaData()
schema_table = Table("witness_schema", metadata, Column("version", Integer, primary_key=True))
logs = Table(
    "witness_logs", metadata,
    Column("origin", String(200), primary_key=True),
    Column("size", BigInteger, nullable=True),  # NULL: the row exists (it was locked) but nothing is cosigned yet
    Column("root", LargeBinary(32), nullable=True),
    Column("note", Text, nullable=True),  # the checkpoint note as submitted (the board's signature included)
    Column("cosignature", Text, nullable=True),  # the witness's signature line over it
    Column("updated_at", BigInteger, nullable=True),
)
evidence = Table(
    "witness_evidence", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", String(200), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("held_note", Text, nullable=False),
    Column("submitted_note", Text, nullable=False),
    Column("old_size", BigInteger, nullable=False),
    Column("proof", Text, nullable=False),  # JSON list of base64 hashes
    Column("digest", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
)


def _create_v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[logs, evidence])


MIGRATIONS = {1: _create_v1}

__all__ = ["Store", "LockedLogs", "EvidenceRecord", "LogRecord", "open_store"]


@dataclass(frozen=True)
class LogRecord:
    origin: str
    size: int
    root: bytes
    note: str
    cosignature: str
    updated_at: int

    def to_json(self) -> dict[str, Any]:
        return {"origin": self.origin, "size": self.size, "root": self.root.hex(), "note": self.note,
                "cosignature": self.cosignature, "updated_at": self.updated_at}


@dataclass(frozen=True)
class EvidenceRecord:
    origin: str
    kind: str
    held_note: str
    submitted_note: str
    old_size: int
    proof: tuple[str, ...]
    created_at: int

    def to_json(self) -> dict[str, Any]:
        return {"origin": self.origin, "kind": self.kind, "held_note": self.held_note,
                "submitted_note": self.submitted_note, "old_size": self.old_size, "proof": list(self.proof),
                "created_at": self.created_at}


def open_store(url: str, schema: str | None = None) -> "Store":
    try:
        store = Store(_make_engine(url, schema), schema)
        store.migrate()
    except SQLAlchemyError as exc:
        raise ConfigError("database_url", f"cannot open the database: {type(exc).__name__}: {str(exc).splitlines()[0]}") from None
    return store


def _make_engine(url: str, schema: str | None) -> Engine:
    options: dict[str, Any] = {"schema_translate_map": {None: schema}} if schema else {}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, isolation_level="READ COMMITTED", pool_pre_ping=True, execution_options=options)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # pysqlite must not emit BEGIN/COMMIT itself: we emit BEGIN IMMEDIATE
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # durable before the witness answers 200
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


class Store:
    def __init__(self, engine: Engine, schema: str | None = None) -> None:
        self.engine = engine
        self.schema = schema
        self.is_sqlite = engine.dialect.name == "sqlite"

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{_WRITE: True})
            with conn.begin():
                if not self.is_sqlite:
                    conn.execute(text("SET LOCAL lock_timeout = '30s'"))
                yield conn

    def migrate(self) -> None:
        if self.schema and not self.is_sqlite:
            with self.engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
        with self._write() as conn:
            if not self.is_sqlite:  # two gunicorn workers starting at once: one migrates, the other waits
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": 0x7769746E657373})
            metadata.create_all(conn, tables=[schema_table])
            current = conn.execute(select(func.max(schema_table.c.version))).scalar() or 0
            if current > SCHEMA_VERSION:
                raise ConfigError("database_url", f"the database has schema version {current}, newer than this witness ({SCHEMA_VERSION})")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[version](conn)
                conn.execute(schema_table.insert().values(version=version))

    @contextmanager
    def deciding(self, now: int) -> Iterator["LockedLogs"]:
        """One transaction in which the decision reads (and locks) an origin's latest checkpoint and records
        the outcome; it commits when the block ends without an exception."""
        with self._write() as conn:
            yield LockedLogs(conn, self.is_sqlite, now)

    def held(self, origin: str) -> Held | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(logs).where(logs.c.origin == origin)).first()
        return None if row is None or row.size is None else Held(row.size, row.root, row.note)

    def logs(self) -> list[LogRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(logs).where(logs.c.size.is_not(None)).order_by(logs.c.origin)).all()
        return [LogRecord(r.origin, r.size, r.root, r.note, r.cosignature, r.updated_at) for r in rows]

    def evidence(self, origin: str | None = None, limit: int = 1000) -> list[EvidenceRecord]:
        query = select(evidence).order_by(evidence.c.id).limit(limit)
        if origin is not None:
            query = query.where(evidence.c.origin == origin)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [EvidenceRecord(r.origin, r.kind, r.held_note, r.submitted_note, r.old_size, tuple(json.loads(r.proof)),
                               r.created_at) for r in rows]

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(select(1))


class LockedLogs:
    """The rows one decision reads and writes, inside its transaction."""

    def __init__(self, conn: Connection, is_sqlite: bool, now: int) -> None:
        self.conn = conn
        self.is_sqlite = is_sqlite
        self.now = now

    def held(self, origin: str) -> Held | None:
        """The latest cosigned checkpoint of ``origin``, its row locked until the transaction ends."""
        dialect_insert = sqlite.insert if self.is_sqlite else postgresql.insert
        self.conn.execute(dialect_insert(logs).values(origin=origin).on_conflict_do_nothing(index_elements=["origin"]))
        query = select(logs).where(logs.c.origin == origin)
        if not self.is_sqlite:  # SQLite's BEGIN IMMEDIATE already holds the database's write lock
            query = query.with_for_update()
        row = self.conn.execute(query).one()
        return None if row.size is None else Held(row.size, row.root, row.note)

    def set_latest(self, checkpoint: Checkpoint, note: str, cosignature: str) -> None:
        self.conn.execute(logs.update().where(logs.c.origin == checkpoint.origin).values(
            size=checkpoint.size, root=checkpoint.root, note=note, cosignature=cosignature, updated_at=self.now))

    def add_evidence(self, origin: str, kind: str, held: Held, submitted_note: str, old_size: int,
                     proof: tuple[bytes, ...], cap: int) -> bool:
        """Keep one evidence record (at most ``cap`` per origin, the first ones; duplicates once)."""
        count = self.conn.execute(select(func.count()).select_from(evidence).where(evidence.c.origin == origin)).scalar()
        if count is None or count >= cap:
            return False
        proof_text = json.dumps([base64.b64encode(item).decode("ascii") for item in proof])
        digest = hashlib.sha256(json.dumps([origin, kind, held.note, submitted_note, old_size, proof_text]).encode()).hexdigest()
        dialect_insert = sqlite.insert if self.is_sqlite else postgresql.insert
        result = self.conn.execute(dialect_insert(evidence).values(
            origin=origin, kind=kind, held_note=held.note, submitted_note=submitted_note, old_size=old_size,
            proof=proof_text, digest=digest, created_at=self.now).on_conflict_do_nothing(index_elements=["digest"]))
        return bool(result.rowcount)


def wall_clock() -> int:
    return int(time.time())
