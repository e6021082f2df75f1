"""A ballot sent just before the close (issue 13, item 6; bulletin_board/elections/closing.py; docs/board.md,
"Closing an election").

Against gunicorn on SQLite and PostgreSQL: a ballot whose proofs are being checked when the close is requested
is appended before `election.closed` (it counts), one that arrives once the close has started is refused with
409 ``election_closing``, and one after the close with 409 ``election_not_open``; never a 5xx. A worker killed
while checking a ballot holds the next close up for at most the grace."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from support.processes import ADMIN_TOKEN, REPO, env, open_election, serve_board
from test_board_ballot_load import MANIFEST as MEASURE
from test_board_ballot_load import _encrypt, database

from attacks.slow_check_app import DELAY_VARIABLE, STARTED_VARIABLE
from attacks.web_support import send
from bulletin_board.storage import make_engine

pytestmark = pytest.mark.slow
CHECK_DELAY = 2  # seconds each ballot's check takes on the slowed board
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def serve_slow_board(directory, database_url: str, *, workers: int, **settings: str):
    """gunicorn serving attacks.slow_check_app (the production app, every ballot check CHECK_DELAY slower)."""
    extra = {**settings, DELAY_VARIABLE: str(CHECK_DELAY), STARTED_VARIABLE: str(directory / "checks-started"),
             "PYTHONPATH": str(REPO / "tests") + os.pathsep + env()["PYTHONPATH"]}  # fmt: skip
    return serve_board(directory, database_url, workers=workers, app="attacks.slow_check_app:create_app()", extra_env=extra)


def rows(engine, table_name: str, election_id: str) -> int:
    """Rows of one election in one of closing.py's tables (0 on a board that has no such table)."""
    from bulletin_board.storage import schema

    table = getattr(schema, table_name, None)
    if table is None:
        return 0
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table).where(table.c.election_id == election_id)).scalar()
    except DBAPIError:
        return 0


def checks_started(directory) -> int:
    marker = directory / "checks-started"
    return len(marker.read_text().splitlines()) if marker.exists() else 0


def wait_until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def in_background(function, *args):
    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("answer", function(*args)))
    thread.start()
    return thread, box


def post_ballot(url: str, election_id: str, submission: dict):
    return send(url, "POST", f"/api/v1/elections/{election_id}/ballots", json.dumps(submission).encode())


def post_close(url: str, election_id: str):
    body = json.dumps({"kind": "election.closed", "payload": {}}).encode()
    return send(url, "POST", f"/api/v1/admin/elections/{election_id}/entries", body, headers=ADMIN)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_ballot_being_checked_when_the_close_comes_is_counted_and_a_later_one_is_refused(backend, tmp_path):
    """Three sync workers, so that the checked ballot, the waiting close and the late ballot each have one."""
    for url in database(backend, tmp_path):
        with serve_slow_board(tmp_path, url, workers=3, EVOTE_CLOSE_GRACE_SECONDS="30") as server:
            election_id = f"close-race-{backend}"
            credentials = open_election(server.url, election_id, MEASURE, 3)
            early, late, after = _encrypt((server.url, election_id, credentials, 7))
            engine = make_engine(url)
            try:
                early_thread, early_box = in_background(post_ballot, server.url, election_id, early)
                wait_until(lambda: checks_started(tmp_path) == 1)  # its proofs are being checked
                close_thread, close_box = in_background(post_close, server.url, election_id)
                # the close has started (its request row is in the database), or it is already over
                wait_until(lambda: rows(engine, "election_closing", election_id) == 1 or not close_thread.is_alive())
                late_answer = post_ballot(server.url, election_id, late)
                early_thread.join(60)
                close_thread.join(60)
                early_answer, close_answer = early_box["answer"], close_box["answer"]
                assert early_answer.status == 201, early_answer  # issue 13: 409, the close came during its check
                assert close_answer.status == 201, close_answer
                early_seq = json.loads(early_answer.body)["receipt"]["seq"]
                close_seq = json.loads(close_answer.body)["seq"]
                assert early_seq < close_seq  # the ballot's entry precedes the close: it counts
                assert late_answer.status == 409 and late_answer.error()["code"] == "election_closing"
                assert "closing" in late_answer.error()["message"]

                closed = post_ballot(server.url, election_id, after)
                assert closed.status == 409 and closed.error()["code"] == "election_not_open"
                assert "'closed'" in closed.error()["message"]
                again = post_ballot(server.url, election_id, early)  # a lost answer: the same receipt, after the close
                assert again.status == 200 and json.loads(again.body)["receipt"]["seq"] == early_seq
                entries = json.loads(send(server.url, "GET", f"/api/v1/elections/{election_id}/entries").body)["entries"]
                ballots = [e["seq"] for e in entries if e["kind"].startswith("ballot.")]
                assert ballots == [early_seq] and entries[-1]["kind"] == "election.closed"
                context = json.loads(send(server.url, "GET", f"/api/v1/elections/{election_id}/context").body)
                assert context["phase"] == "closed" and context["counts"]["cast"] == 1
                assert rows(engine, "ballot_checks", election_id) == 0 and rows(engine, "election_closing", election_id) == 0
            finally:
                engine.dispose()
        log = "".join(path.read_text() for path in tmp_path.glob("slow-board-*.log"))
        assert "Traceback" not in log


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_worker_killed_while_checking_holds_the_close_up_for_at_most_the_grace(backend, tmp_path, monkeypatch):
    """The board is killed (SIGKILL) while a ballot is being checked: its registration stays in the database with
    no process behind it. After a restart the close waits for it at most the grace, then closes and clears it."""
    for url in database(backend, tmp_path):
        with serve_slow_board(tmp_path, url, workers=2) as server:
            election_id = f"close-crash-{backend}"
            credentials = open_election(server.url, election_id, MEASURE, 1)
            (ballot,) = _encrypt((server.url, election_id, credentials, 3))
            engine = make_engine(url)
            try:
                thread = threading.Thread(target=lambda: _ignore_errors(post_ballot, server.url, election_id, ballot))
                thread.start()
                wait_until(lambda: checks_started(tmp_path) == 1)
                server.kill()
                thread.join(60)
                grace = 2
                monkeypatch.setenv("EVOTE_CLOSE_GRACE_SECONDS", str(grace))
                with serve_board(tmp_path, url, workers=2) as restarted:
                    started = time.monotonic()
                    answer = post_close(restarted.url, election_id)
                    waited = time.monotonic() - started
                    assert answer.status == 201, answer
                    # the close waited for the check the dead worker left registered, and not longer than the grace
                    assert grace <= waited < grace + 10, waited
                assert rows(engine, "ballot_checks", election_id) == 0 and rows(engine, "election_closing", election_id) == 0
            finally:
                engine.dispose()


def _ignore_errors(function, *args):
    try:
        function(*args)
    except OSError:
        pass  # the board was killed under this request
