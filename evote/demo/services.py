"""The demo's independent services, each a real process as its operator would run it: three witnesses
(``evote-witness serve``, a quorum of 2 required) that cosign the board's checkpoints, and a mirror
(``evote mirror serve``) that copies the record once the witnesses vouch for it (docs/witnesses.md,
docs/board.md "Mirrors")."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from bulletin_board.log_format.note import NoteVerifier

REPO = Path(__file__).resolve().parents[2]
WITNESS_NAMES = ("witness-1.demo.evote.localhost", "witness-2.demo.evote.localhost", "witness-3.demo.evote.localhost")
WITNESS_QUORUM = 2


@dataclass(frozen=True)
class Service:
    name: str
    url: str
    key: str  # a witness's cosigner key (vkey); empty for the mirror


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), environment.get("PYTHONPATH")]))
    return environment


@contextmanager
def _process(command: list[str], log_file: Path, ready_url: str, what: str, cwd: Path | None = None) -> Iterator[None]:
    with open(log_file, "w") as log:
        process = subprocess.Popen(command, env=_environment(), stdout=log, stderr=subprocess.STDOUT, cwd=cwd,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(ready_url, timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the {what} did not start (see {log_file})") from None
                time.sleep(0.2)
        yield
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _witness_config(directory: Path, name: str, board_origin: str, board_key: NoteVerifier) -> Path:
    config = directory / "witness.toml"
    config.write_text("\n".join([
        "# evote-witness configuration (docs/witnesses.md), written by evote demo",
        f"name = {json.dumps(name)}", 'key_file = "witness.key"', 'database_url = "sqlite:///witness.sqlite3"', "",
        "[[boards]]", f"origin_prefix = {json.dumps(board_origin)}", f"keys = [{json.dumps(board_key.to_string())}]", "",
    ]), encoding="utf-8")  # fmt: skip
    return config


@contextmanager
def witnesses(out: Path, board_origin: str, board_key: NoteVerifier) -> Iterator[list[Service]]:
    """Three witness processes vouching for the board's elections; yields them (URL and cosigner key)."""
    started = []
    with ExitStack() as stack:
        for name in WITNESS_NAMES:
            directory = out / "witnesses" / name.split(".")[0]
            directory.mkdir(parents=True)
            init = subprocess.run([sys.executable, "-m", "witness.cli", "init", "--dir", str(directory), "--name", name],
                                  env=_environment(), capture_output=True, text=True, timeout=60)
            if init.returncode != 0:
                raise RuntimeError(f"evote-witness init failed: {init.stderr.strip()}")
            config = _witness_config(directory, name, board_origin, board_key)
            port = _free_port()
            url = f"http://127.0.0.1:{port}"
            stack.enter_context(_process([sys.executable, "-m", "witness.cli", "serve", "--config", str(config), "--port", str(port)],
                                         directory / "witness.log", url + "/healthz", f"witness {name}", cwd=directory))
            started.append(Service(name, url, init.stdout.strip()))
        yield started


def write_policy(out: Path, services: list[Service]) -> Path:
    """The board's witness policy file (EVOTE_WITNESS_POLICY_FILE): whom it asks, and the quorum it aims for."""
    path = out / "witness-policy.json"
    path.write_text(json.dumps({"quorum": WITNESS_QUORUM, "witnesses": [{"url": s.url, "key": s.key} for s in services]}, indent=2))
    return path


@contextmanager
def mirror(out: Path, board: str, anchors: Path) -> Iterator[Service]:
    """A mirror of the board that stores only what the anchors' board key signed and 2 of the 3 witnesses vouch for."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "evote.cli", "mirror", "serve", "--of", board, "--db", f"sqlite:///{out / 'mirror.sqlite3'}",
               "--anchors", str(anchors), "--port", str(port), "--interval", "0.5"]
    with _process(command, out / "logs" / "mirror.log", url + "/healthz", "mirror"):
        yield Service("mirror", url, "")


def wait_until(check, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting: {what}")
        time.sleep(0.25)


def get_json(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None
