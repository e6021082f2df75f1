"""Several board processes starting at once on a new database (gunicorn workers) upgrade its schema one after
the other: none fails to boot (bulletin_board/storage/migrate.py)."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import inspect

from bulletin_board.storage import make_engine, migrate


def _migrate(url: str, start) -> None:
    start.wait()
    migrate(url)


def test_processes_migrating_a_new_sqlite_database_together_all_succeed(tmp_path):
    context = multiprocessing.get_context("spawn")
    for attempt in range(4):
        url = f"sqlite:///{tmp_path / f'board-{attempt}.sqlite3'}"
        start = context.Barrier(4)
        processes = [context.Process(target=_migrate, args=(url, start)) for _ in range(4)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=120)
        assert [p.exitcode for p in processes] == [0, 0, 0, 0], f"attempt {attempt}: a process failed to migrate"
        engine = make_engine(url)
        try:
            assert {"entries", "checks", "ballot_index"} <= set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
