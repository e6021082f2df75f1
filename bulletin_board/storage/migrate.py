"""Upgrading a board database to the newest schema with the Alembic scripts shipped in this package."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from .engine import make_engine

__all__ = ["migrate", "alembic_config"]


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "bulletin_board.storage:migrations")
    return config


def migrate(target: str | Engine) -> None:
    """Bring the database at ``target`` (a URL or an engine from ``make_engine``) to the head revision."""
    engine = make_engine(target) if isinstance(target, str) else target
    try:
        with engine.connect() as conn:
            conn.execution_options(evote_write=True)
            # One transaction around the whole upgrade, begun here: SQLite's BEGIN IMMEDIATE (or PostgreSQL's
            # advisory lock, taken in env.py) is held until every revision is applied. Left to itself Alembic
            # runs SQLite's revisions one transaction each, so gunicorn workers starting together on a new
            # database interleaved them ("index ... already exists") and a worker failed to boot.
            with conn.begin():
                config = alembic_config()
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
    finally:
        if isinstance(target, str):
            engine.dispose()
