"""Engines and the two kinds of transaction the board uses.

* SQLite (the embedded default): WAL journal, ``synchronous=FULL``, a busy timeout, and pysqlite's own
  transaction handling switched off so that the board emits ``BEGIN`` itself: ``BEGIN IMMEDIATE`` for
  writes (the write lock is taken at the start, so concurrent writers wait instead of failing when
  they upgrade), a deferred ``BEGIN`` (one consistent snapshot) for reads. Threads of one process also
  queue on a process-local lock, so they never spin in SQLite's busy handler.
* PostgreSQL (psycopg 3): READ COMMITTED writes serialised per election by ``pg_advisory_xact_lock``
  on a 64-bit key derived from the election id; REPEATABLE READ snapshots for reads.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from contextlib import contextmanager, nullcontext
from typing import Iterator

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url

from ..log_format.errors import InvalidInput

BUSY_TIMEOUT_MS = 60_000
_WRITE = "evote_write"
_process_locks: "weakref.WeakKeyDictionary[Engine, threading.Lock]" = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()

__all__ = ["make_engine", "write_transaction", "read_transaction", "advisory_lock_key", "is_sqlite"]


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for a SQLite file or a PostgreSQL server, configured as described above."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:") or (parsed.database or "").startswith("file::memory:"):
            raise InvalidInput("database_url", "the board needs a SQLite file, not an in-memory database")
        if parsed.drivername not in ("sqlite", "sqlite+pysqlite"):
            raise InvalidInput("database_url", "use the pysqlite driver (sqlite:///path)")
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if backend == "postgresql":
        if parsed.drivername != "postgresql+psycopg":
            raise InvalidInput("database_url", "use the psycopg 3 driver (postgresql+psycopg://...)")
        return create_engine(url, isolation_level="READ COMMITTED", **kwargs)
    raise InvalidInput("database_url", f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://")


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # pysqlite must not emit BEGIN/COMMIT on its own
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def advisory_lock_key(election_id: str) -> int:
    """A signed 64-bit key for ``pg_advisory_xact_lock``: the first 8 bytes of a tagged SHA-256."""
    digest = hashlib.sha256(b"evote/board-lock/v1\x00" + election_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _process_lock(engine: Engine) -> threading.Lock:
    with _locks_guard:
        lock = _process_locks.get(engine)
        if lock is None:
            lock = _process_locks[engine] = threading.Lock()
        return lock


@contextmanager
def write_transaction(engine: Engine, election_id: str | None = None) -> Iterator[Connection]:
    """A transaction that holds the write lock (SQLite) or the election's advisory lock (PostgreSQL)
    from its first statement; commits when the block ends, rolls back if it raises."""
    sqlite = is_sqlite(engine)
    with _process_lock(engine) if sqlite else nullcontext():
        with engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                if not sqlite and election_id is not None:
                    conn.execute(select(func.pg_advisory_xact_lock(advisory_lock_key(election_id))))
                yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """One consistent snapshot for a group of reads."""
    with engine.connect() as conn:
        if not is_sqlite(engine):
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn
