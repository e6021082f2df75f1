"""`evote mirror serve` against a real primary board (separate processes on loopback): the mirror catches up
and serves the same record byte for byte, refuses every write, lets `evote-verify` and the receipt check pass
with the primary stopped, and, when the primary comes back with a rewritten history, stops following with
the evidence instead of serving the rewrite (docs/board.md, "Mirrors")."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.booth_board import MANIFEST
from support.processes import env, evote, free_port, open_election, serve_board, stop

from bulletin_board.keys import load_board_key
from voting.verifier.cli import main as verify_main

ELECTION = "mirror-2026"


def get(url: str) -> tuple[int, dict, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"null")


def send(url: str, method: str, body: bytes = b"{}", content_type: str = "application/json") -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def api(base: str, path: str) -> dict:
    status, _, body = get(f"{base}/api/v1{path}")
    assert status == 200, (path, status, body)
    return body


def cast(directory: Path, board_url: str, credential: str, name: str) -> dict:
    card = directory / f"{name}.credential"
    card.write_text(credential + "\n")
    receipt = directory / f"{name}.receipt.json"
    evote("vote", "--board", board_url, "--election", ELECTION, "--credential-file", str(card),
          "--choice", "mayor=opt-alder", "--choice", "council=opt-elm", "--receipt-out", str(receipt), cwd=directory)
    return json.loads(receipt.read_text())


@contextmanager
def serve_mirror(directory: Path, primary: str, board_key: str):
    port = free_port()
    database = f"sqlite:///{directory / 'mirror.sqlite3'}"
    log_path = directory / "mirror.log"
    command = [sys.executable, "-m", "evote.cli", "mirror", "serve", "--of", primary, "--db", database,
               "--board-key", board_key, "--port", str(port), "--interval", "0.3"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=directory, env=env(), stdout=log, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            get(url + "/healthz")
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.2)
    try:
        yield {"url": url, "database": database, "log": log_path}
    finally:
        stop(process)


def wait_for(condition, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def caught_up(mirror: str, primary_size: int) -> bool:
    health = get(mirror + "/healthz")[2]
    return any(e["election_id"] == ELECTION and e["mirrored_size"] == primary_size for e in health["elections"])


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    directory = tmp_path_factory.mktemp("mirror")
    port = free_port()
    primary_cm = serve_board(directory, port=port)
    primary = primary_cm.__enter__()
    try:
        credentials = open_election(primary.url, ELECTION, MANIFEST, voters=5)
        fork_point = directory / "fork-point.sqlite3"  # the primary's database before any ballot (a consistent copy)
        with sqlite3.connect(directory / "board.sqlite3") as source, sqlite3.connect(fork_point) as copy:
            source.backup(copy)
        receipts = [cast(directory, primary.url, credentials[i], f"voter{i}") for i in range(2)]
        board_key = load_board_key(directory / "board.key", "board.test").verifier.to_string()
        with serve_mirror(directory, primary.url, board_key) as mirror:
            size = api(primary.url, f"/elections/{ELECTION}")["size"]
            wait_for(lambda: caught_up(mirror["url"], size), "the mirror to catch up")
            yield {"directory": directory, "primary": primary, "primary_cm": primary_cm, "port": port, "mirror": mirror,
                   "credentials": credentials, "receipts": receipts, "fork_point": fork_point, "size": size}
    finally:
        primary_cm.__exit__(None, None, None)


def test_the_mirror_serves_the_primarys_record_identically(world):
    primary, mirror, size = world["primary"].url, world["mirror"]["url"], world["size"]
    path = f"/elections/{ELECTION}"
    assert api(mirror, f"{path}/entries?limit=1000") == api(primary, f"{path}/entries?limit=1000")
    assert api(mirror, f"{path}/checkpoint") == api(primary, f"{path}/checkpoint?size={size}")
    for seq in (0, size // 2, size - 1):
        assert api(mirror, f"{path}/entries/{seq}/inclusion") == api(primary, f"{path}/entries/{seq}/inclusion?size={size}")
    assert api(mirror, f"{path}/consistency?old=3&new={size}") == api(primary, f"{path}/consistency?old=3&new={size}")
    for item in ("/board", f"{path}/context", f"{path}/ballots", f"{path}/checkpoints"):
        assert api(mirror, item) == api(primary, item), item
    code = world["receipts"][0]["confirmation_code"]
    on_mirror, on_primary = api(mirror, f"{path}/ballots/{code}"), api(primary, f"{path}/ballots/{code}")
    assert on_mirror["status"] == on_primary["status"] == "cast"
    assert on_mirror["receipt"]["checkpoint"] == api(primary, f"{path}/checkpoint?size={size}")["note"]
    status, headers, body = get(f"{mirror}/api/v1{path}/checkpoint?size=2")  # a size the primary never signed
    assert status == 404 and body["error"]["code"] == "no_checkpoint"
    assert headers["Evote-Mirror-Of"] == primary
    health = get(mirror + "/healthz")[2]
    assert health["status"] == "ok" and health["mirror_of"] == primary
    assert health["elections"][0]["lag"] == 0 and health["elections"][0]["status"] == "following"


def test_every_write_is_refused_and_changes_nothing(world):
    primary, mirror = world["primary"].url, world["mirror"]["url"]
    before = api(mirror, f"/elections/{ELECTION}")
    for method, path in (("POST", f"/api/v1/elections/{ELECTION}/ballots"),
                         ("POST", f"/api/v1/elections/{ELECTION}/trustee-messages"),
                         ("POST", "/api/v1/admin/elections"), ("PUT", f"/api/v1/elections/{ELECTION}/entries"),
                         ("DELETE", f"/api/v1/elections/{ELECTION}"),
                         ("POST", f"/api/v1/elections/{ELECTION}/cosignatures")):
        status, body = send(mirror + path, method)
        assert status == 405 and body["error"]["code"] == "mirror_read_only", (method, path, body)
        assert f"this is a mirror of {primary}" in body["error"]["message"]
    assert api(mirror, f"/elections/{ELECTION}") == before
    assert api(primary, f"/elections/{ELECTION}")["size"] == world["size"]


def test_the_booths_read_only_pages_and_a_vote_page_that_sends_voters_to_the_primary(world):
    primary, mirror = world["primary"].url, world["mirror"]["url"]
    for page in ("/booth/", f"/booth/elections/{ELECTION}/", f"/booth/elections/{ELECTION}/lookup",
                 f"/booth/elections/{ELECTION}/ballots", f"/booth/elections/{ELECTION}/check"):
        with urllib.request.urlopen(mirror + page, timeout=30) as response:
            assert response.status == 200 and response.headers["Evote-Mirror-Of"] == primary, page
    with urllib.request.urlopen(f"{mirror}/booth/elections/{ELECTION}/vote", timeout=30) as response:
        text = response.read().decode()
    assert "Voting happens on the primary board" in text
    assert f'href="{primary}/booth/elections/{ELECTION}/vote"' in text


def test_with_the_primary_stopped_the_verifier_and_the_receipt_check_pass_against_the_mirror(world):
    world["primary_cm"].__exit__(None, None, None)  # the primary is down from here on
    mirror, directory = world["mirror"]["url"], world["directory"]
    runner = CliRunner()
    result = runner.invoke(verify_main, ["--board", mirror, "--election", ELECTION, "--workers", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    receipt = directory / "voter0.receipt.json"
    result = runner.invoke(verify_main, ["receipt", str(receipt), "--board", mirror], catch_exceptions=False)
    assert result.exit_code == 0 and "VERIFIED" in result.output, result.output


def test_a_primary_that_rewrites_history_makes_the_mirror_stop_with_evidence(world):
    """The primary comes back with its database swapped for a copy from before the ballots, on which another
    ballot is then cast: same key, same origin, another history. The mirror keeps what it verified."""
    mirror, directory = world["mirror"]["url"], world["directory"]
    served_before = api(mirror, f"/elections/{ELECTION}/entries?limit=1000")
    with serve_board(directory, world["fork_point"], port=world["port"]) as forked:
        cast(directory, forked.url, world["credentials"][2], "fork")

        def stopped() -> bool:
            health = get(mirror + "/healthz")[2]
            return health["status"] == "fork_evidence"

        wait_for(stopped, "the mirror to stop following the rewritten log")
        assert api(mirror, f"/elections/{ELECTION}/entries?limit=1000") == served_before
    health = get(mirror + "/healthz")[2]
    assert health["stopped"] == [ELECTION] and "inconsistent_proof" in health["elections"][0]["reason"]
    assert "MIRROR STOPPED FOLLOWING" in world["mirror"]["log"].read_text()
    shown = evote("mirror", "evidence", "--db", world["mirror"]["database"], cwd=directory, check=False)
    assert shown.returncode == 1, shown.stderr
    evidence = json.loads(shown.stdout)
    assert len(evidence) == 1 and evidence[0]["kind"] == "inconsistent_proof"
    held, served = evidence[0]["held_note"], evidence[0]["served_note"]
    assert held.splitlines()[1] == str(world["size"]) and served.splitlines()[1] == str(world["size"] - 1)
    assert evidence[0]["proof"], "the mirror's own consistency proof, which the forked root does not satisfy"
