"""Real ``evote-witness serve`` processes on loopback ports, for tests of witnesses and of their users.

    with witness_processes(tmp_path, boards=[("board.test", board_vkey)], n=3) as witnesses:
        witnesses[0].url, witnesses[0].vkey (a CosignerKey), witnesses[0].name, witnesses[0].db_path
        witnesses[1].restart(); witnesses[2].stop()

``boards`` lists ``(origin_prefix, board note vkey)`` or ``(origin_prefix, vkey, board_url)``; the vkey may
be a string or a ``NoteVerifier``. Each witness gets its own directory, key file, TOML config and SQLite
file (or the database URL given for it in ``database_urls``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from bulletin_board.log_format.cosignature import CosignerKey
from bulletin_board.log_format.note import NoteVerifier
from support.processes import env, free_port
from witness.keys import create_key_file

__all__ = ["WitnessProcess", "witness_processes", "start_witness", "write_witness_config"]

BoardSpec = tuple[str, "str | NoteVerifier"] | tuple[str, "str | NoteVerifier", str]


def write_witness_config(directory: Path, name: str, boards: Sequence[BoardSpec], *, database_url: str | None = None,
                         database_schema: str | None = None, extra: str = "") -> Path:
    """A witness directory: ``witness.key`` (created if absent) and ``witness.toml``; returns the config path."""
    directory.mkdir(parents=True, exist_ok=True)
    if not (directory / "witness.key").exists():
        create_key_file(directory / "witness.key", name)
    lines = [f"name = {json.dumps(name)}", 'key_file = "witness.key"',
             f"database_url = {json.dumps(database_url or 'sqlite:///' + str(directory / 'witness.sqlite3'))}"]
    if database_schema:
        lines.append(f"database_schema = {json.dumps(database_schema)}")
    lines.append(extra)
    for board in boards:
        prefix, key = board[0], board[1]
        key_text = key.to_string() if isinstance(key, NoteVerifier) else key
        lines += ["[[boards]]", f"origin_prefix = {json.dumps(prefix)}", f"keys = [{json.dumps(key_text)}]"]
        if len(board) > 2:
            lines.append(f"url = {json.dumps(board[2])}")  # type: ignore[misc]
    path = directory / "witness.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class WitnessProcess:
    name: str
    directory: Path
    config_path: Path
    vkey: CosignerKey
    port: int
    db_path: Path | None
    database_url: str
    extra_args: tuple[str, ...] = ()
    workers: int = 0  # > 0: gunicorn with that many workers ('witness.app:create_app()'), as in production
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.directory / f"witness-{self.port}.log"

    def start(self) -> "WitnessProcess":
        if self.workers:
            command = [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
                       "witness.app:create_app()"]
        else:
            command = [sys.executable, "-m", "witness.cli", "serve", "--config", str(self.config_path),
                       "--port", str(self.port), *self.extra_args]
        environment = env(EVOTE_WITNESS_CONFIG=str(self.config_path))
        with open(self.log_path, "a") as log:  # a file, not a pipe: an unread pipe would block the server
            self.process = subprocess.Popen(command, cwd=self.directory, env=environment, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if json.loads(response.read())["status"] == "ok":
                        return
            except OSError:
                pass
            if self.process is None or self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"witness {self.name} did not start: {self.log_path.read_text()[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM (then SIGKILL) the witness's process group and wait for it."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()

    def restart(self) -> None:
        """Stop and start again on the same port, key and database; returns when /healthz answers."""
        self.stop()
        self.start().wait_ready()

    def logs(self) -> list[dict]:
        """The JSON log lines the witness wrote so far."""
        records = []
        for line in self.log_path.read_text().splitlines():
            if line.startswith("{"):
                records.append(json.loads(line))
        return records


def start_witness(directory: Path, name: str, boards: Sequence[BoardSpec], *, database_url: str | None = None,
                  database_schema: str | None = None, port: int | None = None, extra_args: Sequence[str] = (),
                  workers: int = 0) -> WitnessProcess:
    """One witness process, not yet waited for (call ``wait_ready``). Starting a second one on the same
    ``directory`` shares the first one's key and database (several servers of one witness)."""
    config = write_witness_config(directory, name, boards, database_url=database_url, database_schema=database_schema)
    from witness.keys import read_key_file

    vkey = read_key_file(directory / "witness.key").key
    db_path = None if database_url else directory / "witness.sqlite3"
    url = database_url or f"sqlite:///{db_path}"
    return WitnessProcess(name, directory, config, vkey, port or free_port(), db_path, url, tuple(extra_args),
                          workers).start()


@contextmanager
def witness_processes(directory: Path, boards: Sequence[BoardSpec], n: int = 3, *,
                      database_urls: Sequence[str | None] | None = None, database_schema: str | None = None,
                      names: Sequence[str] | None = None, extra_args: Sequence[str] = ()) -> Iterator[list[WitnessProcess]]:
    """``n`` witnesses named ``witness.test/w1``... (or ``names``), started together; stopped afterwards."""
    names = list(names or [f"witness.test/w{number}" for number in range(1, n + 1)])
    urls = list(database_urls or [None] * n)
    with ExitStack() as stack:
        witnesses = []
        for number in range(n):
            witness = start_witness(Path(directory) / f"witness{number + 1}", names[number], boards,
                                    database_url=urls[number], database_schema=database_schema, extra_args=extra_args)
            stack.callback(witness.stop)
            witnesses.append(witness)
        for witness in witnesses:
            witness.wait_ready()
        yield witnesses
