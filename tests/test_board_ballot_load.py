"""Reliability of ballot submission over HTTP, on both backends: 1000 ballots from 8 concurrent clients
(threads in several processes; PostgreSQL behind several gunicorn workers), and a board killed with SIGKILL
in the middle of submissions. Every acknowledged ballot must be on the board exactly once, the sequence
contiguous, and the chain, the Merkle root and the signed checkpoint must verify."""

from __future__ import annotations

import http.client
import json
import secrets
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
from sqlalchemy import text
from support.environment import in_ci
from support.processes import open_election, serve_board

from bulletin_board.election_follower import election_state
from bulletin_board.log_format.client import BoardClient, BoardClientError
from bulletin_board.log_format.export import export_from_board
from bulletin_board.log_format.export_check import verify_exported_record
from bulletin_board.storage import make_engine, migrate
from voting.ballot import make_ballot
from voting.credentials import derive_voter_key
from voting.encrypt import encrypt_ballot
from voting.record.submission import build_submission

pytestmark = pytest.mark.slow
MANIFEST = {
    "label": "Load test",
    "spec_version": "v2.0.0",
    "contests": [{"label": "measure", "votes_allowed": 1, "options": [{"label": "yes"}, {"label": "no"}]}],
    "ballot_styles": [{"label": "all", "contests": ["measure"]}],
}
BALLOTS = 1000
CLIENT_PROCESSES, THREADS_PER_PROCESS = 4, 2  # 8 concurrent clients


@pytest.fixture(autouse=True)
def many_clients_on_one_address(monkeypatch):
    """Every client here posts from 127.0.0.1: the board's per-address limits (web/limits.py) are raised for the
    servers these tests start, as an operator would for a known load generator. Per-credential limits stay."""
    monkeypatch.setenv("EVOTE_RATELIMIT_SUBMIT_PER_CLIENT", "100000 per minute")
    monkeypatch.setenv("EVOTE_RATELIMIT_READS_PER_CLIENT", "100000 per minute")


def database(backend: str, tmp_path):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'board.sqlite3'}"
        return
    import os

    base = os.environ.get("EVOTE_TEST_POSTGRES_URL", "")
    if not base:
        message = "EVOTE_TEST_POSTGRES_URL is not set: the PostgreSQL cases need a server"
        if in_ci():
            pytest.fail(message + " (CI=true: never a skip)")
        pytest.skip(message)
    schema = f"evote_load_{secrets.token_hex(4)}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"
    migrate(url)
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _encrypt(args):
    board_url, election_id, credentials, seed = args
    client = BoardClient(board_url)
    state, _ = election_state(client, election_id)
    import random

    rng = random.Random(seed)  # choices only; every nonce comes from the OS
    out = []
    for credential in credentials:
        result = encrypt_ballot(state.context, make_ballot(state.definition.manifest, "all", {"measure": [rng.choice(["yes", "no"])]}))
        voter = derive_voter_key(credential, election_id)
        out.append(build_submission(result.ballot, voter, election_id, state.context.H_E, "cast"))
    return out


def submissions(board_url: str, election_id: str, credentials: list[str]) -> list[dict]:
    chunks = [credentials[i::4] for i in range(4)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        return [s for chunk in pool.map(_encrypt, [(board_url, election_id, c, n) for n, c in enumerate(chunks)]) for s in chunk]


def _client_process(args):
    """One client process posting its share of the ballots from several threads; returns acknowledged receipts."""
    board_url, election_id, payloads, threads = args
    client = BoardClient(board_url, retries=0)
    acknowledged = []
    lock = threading.Lock()

    def post(payload):
        try:
            _, answer = client.submit_ballot(election_id, payload)
        except BoardClientError:
            return
        with lock:
            acknowledged.append(answer["receipt"])

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(post, payloads))
    return acknowledged


def post_concurrently(board_url: str, election_id: str, payloads: list[dict]) -> list[dict]:
    shares = [payloads[i::CLIENT_PROCESSES] for i in range(CLIENT_PROCESSES)]
    with ProcessPoolExecutor(max_workers=CLIENT_PROCESSES) as pool:
        return [r for part in pool.map(_client_process, [(board_url, election_id, s, THREADS_PER_PROCESS) for s in shares]) for r in part]


def check_board(board_url: str, election_id: str, receipts: list[dict], tmp_path, *, expect_all: int | None = None) -> None:
    """Export the record, verify chain + root + checkpoint signature, and find every acknowledged ballot once."""
    out = tmp_path / f"export-{secrets.token_hex(3)}"
    export_from_board(board_url, election_id, out)
    summary = verify_exported_record(out)
    entries = [json.loads(line) for line in (out / "entries.jsonl").read_text().splitlines()]
    assert [e["seq"] for e in entries] == list(range(summary.size))  # contiguous
    codes = [e["payload"]["ballot"]["confirmation_code"] for e in entries if e["kind"] == "ballot.cast"]
    assert len(codes) == len(set(codes))  # no ballot twice
    by_seq = {e["seq"]: e for e in entries}
    for receipt in receipts:
        entry = by_seq[receipt["seq"]]
        assert entry["entry_hash"] == receipt["entry_hash"]
        assert entry["payload"]["ballot"]["confirmation_code"] == receipt["confirmation_code"]
    if expect_all is not None:
        assert len(codes) == expect_all


@pytest.mark.parametrize("backend, workers", [("sqlite", 0), pytest.param("postgres", 3, marks=pytest.mark.postgres)])
def test_thousand_ballots_from_eight_clients(backend, workers, tmp_path):
    for url in database(backend, tmp_path):
        with serve_board(tmp_path, url, workers=workers) as server:
            election_id = f"load-{secrets.token_hex(3)}"
            credentials = open_election(server.url, election_id, MANIFEST, BALLOTS)
            payloads = submissions(server.url, election_id, credentials)
            receipts = post_concurrently(server.url, election_id, payloads)
            assert len(receipts) == BALLOTS  # every ballot acknowledged
            assert len({r["seq"] for r in receipts}) == BALLOTS
            check_board(server.url, election_id, receipts, tmp_path, expect_all=BALLOTS)


@pytest.mark.parametrize("backend, workers", [("sqlite", 0), pytest.param("postgres", 2, marks=pytest.mark.postgres)])
def test_board_killed_mid_submission_keeps_every_acknowledged_ballot(backend, workers, tmp_path):
    count = 200
    for url in database(backend, tmp_path):
        with serve_board(tmp_path, url, workers=workers) as server:
            election_id = f"crash-{secrets.token_hex(3)}"
            credentials = open_election(server.url, election_id, MANIFEST, count)
            payloads = submissions(server.url, election_id, credentials)
            client = BoardClient(server.url, retries=0)
            acknowledged, stop_at, killed = [], count // 2, threading.Lock()

            def post(payload):
                try:
                    acknowledged.append(client.submit_ballot(election_id, payload)[1]["receipt"])
                except (BoardClientError, http.client.HTTPException):  # a reply cut off by the kill acknowledges nothing
                    pass
                if len(acknowledged) >= stop_at and killed.acquire(blocking=False):
                    server.kill()  # SIGKILL to the server and its workers in the middle of submissions

            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(post, payloads))
            assert stop_at <= len(acknowledged) < count
        with serve_board(tmp_path, url, workers=workers) as server:
            check_board(server.url, election_id, acknowledged, tmp_path)
            # every voter resubmits: an acknowledged ballot gets its receipt back, the others are appended now
            client = BoardClient(server.url)
            again = [client.submit_ballot(election_id, payload) for payload in payloads]
            by_code = {r["confirmation_code"]: r for r in acknowledged}
            for status, answer in again:
                code = answer["receipt"]["confirmation_code"]
                if code in by_code:
                    assert status == 200 and answer["receipt"]["seq"] == by_code[code]["seq"]
            check_board(server.url, election_id, [a["receipt"] for _, a in again], tmp_path, expect_all=count)
