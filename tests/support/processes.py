"""Run evote's real commands as separate processes in tests: a board server, trustees, the admin CLI."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bulletin_board.admin_token import new_admin_token
from bulletin_board.election_follower import ElectionFollower, election_state
from bulletin_board.log_format.client import BoardClient
from voting.ballot import make_ballot
from voting.credentials import derive_voter_key
from voting.encrypt import encrypt_ballot
from voting.record.submission import build_submission

REPO = Path(__file__).resolve().parents[2]  # tests/support/ -> the repository
ADMIN_TOKEN = new_admin_token()  # the board accepts only generated tokens
PASSPHRASE = "trustee passphrase for tests"


def cast_over_http(board_url: str, election_id: str, credential: str, choices: dict, action: str = "cast") -> None:
    """A voter's ballot of style "all", encrypted and signed as the booth does, sent to a board over HTTP."""
    client = BoardClient(board_url)
    state, _ = election_state(client, election_id)
    result = encrypt_ballot(state.context, make_ballot(state.definition.manifest, "all", choices))
    voter = derive_voter_key(credential, election_id)
    client.submit_ballot(election_id, build_submission(result.ballot, voter, election_id, state.context.H_E, action, style_signed=True))


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
        [sys.executable, "-m", "evote.cli", *args], cwd=cwd, env=env(**extra), capture_output=True, text=True, timeout=timeout
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
def serve_board(directory: Path, database: Path | str | None = None, *, port: int | None = None, workers: int = 0,
                app: str = "evote.app:create_app()", extra_env: dict[str, str] | None = None):
    """A board on a free loopback port; yields its URL; stops it afterwards.

    ``database`` is a SQLite file path or a database URL. With ``workers`` > 0 the board runs under gunicorn
    with that many worker processes (production's setup), serving ``app``; otherwise ``evote board serve``
    (threaded). ``extra_env`` adds settings (and, for a test app, its PYTHONPATH).
    """
    port = port or free_port()
    database = database or directory / "board.sqlite3"
    url_of_db = database if isinstance(database, str) and "://" in database else f"sqlite:///{database}"
    environment = env(EVOTE_BOARD_KEY_FILE=str(directory / "board.key"), EVOTE_BOARD_ORIGIN="board.test", EVOTE_DATABASE_URL=url_of_db)
    environment.update(extra_env or {})
    if workers:
        command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "120",
                   app]  # fmt: skip
    else:
        command = [sys.executable, "-m", "evote.cli", "board", "serve", "--db", url_of_db, "--port", str(port)]
    log_path = directory / f"board-{port}.log"  # a file, not a pipe: an unread pipe would fill and block the server
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=directory, env=environment, stdout=log, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_board(url, process, log_path)
        yield BoardProcess(url, process)
    finally:
        stop(process)


@dataclass
class BoardProcess:
    url: str
    process: subprocess.Popen

    def __str__(self) -> str:
        return self.url

    def kill(self) -> None:
        """SIGKILL the server and every worker it started (its whole process group)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


def wait_for_board(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/api/v1/board", timeout=2) as response:
                json.loads(response.read())
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the board did not start: {log_path.read_text()[-3000:]}") from None
            time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
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


def finish(process: subprocess.Popen, timeout: float = 300) -> str:
    output, _ = process.communicate(timeout=timeout)
    if process.returncode != 0:
        raise AssertionError(f"process {process.args} failed ({process.returncode}):\n{output}")
    return output


def open_election(board_url: str, election_id: str, manifest: dict, voters: int, *, n: int = 1, k: int = 1) -> list[str]:
    """Create and open an election on a running board, the trustees' steps run in this process; returns the
    voters' credentials."""
    from bulletin_board.log_format.client import BoardClient
    from trustee_tools import steps
    from trustee_tools.state import TrusteeState
    from voting.credentials import derive_voter_key, new_credential
    from voting.record import admin
    from voting.record.election import define_election
    from voting.record.messages import sign_message

    client = BoardClient(board_url, admin_token=ADMIN_TOKEN)
    trustees = [TrusteeState.new(f"Trustee {i}") for i in range(1, n + 1)]
    roster = [{"index": i + 1, "name": t.name, "identity_key": t.identity_public_key} for i, t in enumerate(trustees)]
    client.create_election(define_election(election_id, manifest, roster, k).to_payload())
    follower = ElectionFollower(client, election_id)

    def post(trustee, outgoing):
        client.post_trustee(election_id, outgoing.kind, sign_message(trustee.identity, election_id, outgoing.kind, trustee.guardian, outgoing.body))

    for trustee in trustees:
        steps.join(trustee, follower.refresh())
    for step in (steps.commitments, steps.shares, steps.check_shares):
        for trustee in trustees:
            post(trustee, step(trustee, follower.refresh()))
    client.post_admin(election_id, "keygen.result", admin.keygen_result(follower.refresh()))
    for trustee in trustees:
        post(trustee, steps.confirm(trustee, follower.refresh()))
    credentials = [new_credential() for _ in range(voters)]
    keys = sorted(derive_voter_key(c, election_id).public_key_hex for c in credentials)
    client.post_admin(election_id, "credentials.published", {"credentials": keys})
    client.post_admin(election_id, "election.opened", {})
    return credentials
