"""The evote command line: `board serve` as a real subprocess, and `record export` / `record verify`."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from bulletin_board.admin_token import new_admin_token
from bulletin_board.keys import load_or_create_board_key
from bulletin_board.log import BoardLog
from bulletin_board.storage import make_engine, migrate
from evote.cli import main

from .conftest import PYTHON, created_payload, subprocess_env

TOKEN = new_admin_token()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, **kwargs) -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, **kwargs), timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = subprocess_env() | {"EVOTE_BOARD_KEY_FILE": str(tmp_path / "board.key"), "EVOTE_ADMIN_TOKEN": TOKEN,
                              "EVOTE_BOARD_ORIGIN": "cli.test"}
    db = f"sqlite:///{tmp_path / 'board.sqlite3'}"
    proc = subprocess.Popen([PYTHON, "-m", "evote.cli", "board", "serve", "--db", db, "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            get(base + "/api/v1/board")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"board did not start: {proc.communicate()[1][-2000:]}")
            time.sleep(0.1)
    yield base, db, tmp_path
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_serve_answers_and_exports_over_http(served):
    base, db, tmp_path = served
    created = get(base + "/api/v1/admin/elections", data=json.dumps(created_payload("cli-e")).encode(), method="POST",
                  headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    assert created["election_id"] == "cli-e"
    log = BoardLog(make_engine(db), load_or_create_board_key(tmp_path / "board.key", "cli.test"), "cli.test")
    for i in range(5):
        log.append("cli-e", "test.item", {"i": i})
    assert get(base + "/api/v1/elections/cli-e")["size"] == 6  # election.created and five items
    with pytest.raises(urllib.error.HTTPError) as caught:
        get(base + "/api/v1/elections/cli-e/entries/9")
    assert json.loads(caught.value.read())["error"]["code"] == "out_of_range"

    out = tmp_path / "export"
    result = CliRunner().invoke(main, ["record", "export", "cli-e", "--out", str(out), "--board", base])
    assert result.exit_code == 0, result.output
    assert "exported 6 entries" in result.output
    verifier = get(base + "/api/v1/board")["verifier_key"]
    result = CliRunner().invoke(main, ["record", "verify", str(out), "--key", verifier])
    assert result.exit_code == 0 and "6 entries" in result.output


def test_export_from_the_database(tmp_path):
    db = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    migrate(db)
    log = BoardLog(make_engine(db), load_or_create_board_key(tmp_path / "k", "o.test"), "o.test")
    log.create_election("db-e")
    log.append("db-e", "test.item", {"x": 1})
    args = ["record", "export", "db-e", "--out", str(tmp_path / "out"), "--db", db, "--key-file", str(tmp_path / "k"),
            "--origin", "o.test"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    (tmp_path / "out" / "entries.jsonl").write_text("")
    result = CliRunner().invoke(main, ["record", "verify", str(tmp_path / "out")])
    assert result.exit_code == 1 and result.output.startswith("error: entries.jsonl") and "Traceback" not in result.output


def test_export_errors_are_one_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    load_or_create_board_key(tmp_path / "k", "o.test")
    result = CliRunner().invoke(main, ["record", "export", "nope", "--out", str(tmp_path / "o"), "--db", db,
                                       "--key-file", str(tmp_path / "k")])
    assert result.exit_code == 1 and result.output == "error: no election 'nope' on this board\n"
    result = CliRunner().invoke(main, ["record", "export", "x", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "exactly one of --db" in result.output


def test_serve_on_a_port_in_use_fails_without_a_traceback(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = subprocess_env() | {"EVOTE_BOARD_KEY_FILE": str(tmp_path / "k")}
        done = subprocess.run([PYTHON, "-m", "evote.cli", "board", "serve", "--db",
                               f"sqlite:///{tmp_path / 'b.sqlite3'}", "--port", str(port)],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1  # Werkzeug's own one-line message
    assert "in use" in done.stderr.splitlines()[-1] and "Traceback" not in done.stderr


def test_unreachable_database_fails_with_one_line(tmp_path):
    result = CliRunner().invoke(main, ["record", "export", "x", "--out", str(tmp_path / "o"),
                                       "--db", "postgresql+psycopg://nobody:secret-password@127.0.0.1:9/none",
                                       "--key-file", str(tmp_path / "k")])
    assert result.exit_code == 1 and result.output.startswith("error: ")
    assert "secret-password" not in result.output and "Traceback" not in result.output
