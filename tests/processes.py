"""Run evote's real commands as separate processes in tests: a board server, trustees, the admin CLI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADMIN_TOKEN = "process-test-admin-token-0123"
PASSPHRASE = "trustee passphrase for tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env(**extra: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(REPO) + os.pathsep + environment.get("PYTHONPATH", "")
    environment["EVOTE_ADMIN_TOKEN"] = ADMIN_TOKEN
    environment["EVOTE_TRUSTEE_PASSPHRASE"] = PASSPHRASE
    environment.update(extra)
    return environment


def evote(*args: str, cwd: Path, check: bool = True, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "bulletin_board.cli", *args], cwd=cwd, env=env(**extra), capture_output=True, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        raise AssertionError(f"evote {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def trustee(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "trustee_tools.cli", *args], cwd=cwd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def trustee_run(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "trustee_tools.cli", *args], cwd=cwd, env=env(), capture_output=True, text=True, timeout=timeout
    )


@contextmanager
def serve_board(directory: Path, database: Path | None = None, *, port: int | None = None):
    """``evote board serve`` on a free loopback port; yields its URL; stops it afterwards."""
    port = port or free_port()
    database = database or directory / "board.sqlite3"
    process = subprocess.Popen(
        [sys.executable, "-m", "bulletin_board.cli", "board", "serve", "--db", f"sqlite:///{database}", "--port", str(port)],
        cwd=directory,
        env=env(EVOTE_BOARD_KEY_FILE=str(directory / "board.key"), EVOTE_BOARD_ORIGIN="board.test"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/api/v1/board", timeout=2) as response:
                    json.loads(response.read())
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the board did not start: {process.stderr.read() if process.stderr else ''}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def finish(process: subprocess.Popen, timeout: float = 300) -> str:
    output, _ = process.communicate(timeout=timeout)
    if process.returncode != 0:
        raise AssertionError(f"process {process.args} failed ({process.returncode}):\n{output}")
    return output
