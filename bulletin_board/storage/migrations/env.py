"""Alembic environment for the board's schema; run through ``bulletin_board.storage.migrate``.

The caller passes an open connection in ``config.attributes["connection"]``. Migrations run in one
transaction that first takes the write lock (SQLite ``BEGIN IMMEDIATE``) or a PostgreSQL advisory
lock, so several workers starting at once upgrade the schema one after the other.
"""

from alembic import context
from sqlalchemy import func, select

from bulletin_board.storage.schema import metadata

MIGRATION_LOCK_KEY = 0x65766F7465_000001  # "evote" + 1: the board's schema-migration lock

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the board's migrations through bulletin_board.storage.migrate(url)")

context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
    context.run_migrations()
