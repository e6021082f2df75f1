"""Issue 18, "Done when": an election the board opens and closes by itself, under gunicorn with three workers.

A two-ward election is created with a schedule, its trustees' key ceremony runs, and `evote election schedule` sets
a window a few seconds ahead (one time typed with its UTC offset): nobody posts election.opened, the board opens
it at opens_at; ballots are accepted inside the window; `evote election extend` moves the close; nobody posts
election.closed, the board closes it at the new closes_at, exactly once although three workers run the
scheduler; a ballot after the close is refused (409). Then the tally and decryption, a cancel refused in plain
words after the tally, the status's schedule, and `evote-verify` on the export (L.5, L.6 check the schedule).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

import pytest
from support.board_world import MANIFEST as ONE_LANGUAGE
from support.processes import env, evote, serve_board
from support.schedule_support import GENEROUS_LIMITS, HttpClient, ScheduledWorld, export_and_verify, steps_of, wait_for

from voting.credentials import derive_voter_key
from voting.record.schedule import SECOND_US, parse_time

ELECTION = "scheduled-e2e"


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    directory = tmp_path_factory.mktemp("schedule-e2e")
    site = directory / "site"  # the workers log at INFO, one JSON object a line, as an operator's logging config would
    site.mkdir()
    (site / "sitecustomize.py").write_text("import logging\nlogging.basicConfig(level=logging.INFO, format='%(message)s')\n")
    settings = {"EVOTE_CLOSE_GRACE_SECONDS": "1", "PYTHONPATH": f"{site}{os.pathsep}{env()['PYTHONPATH']}", **GENEROUS_LIMITS}
    with serve_board(directory, workers=3, extra_env=settings) as server:
        yield server, directory


def utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# the bilingual election with two ballot styles (two wards: everyone, and the mayor only)
MANIFEST = {
    **ONE_LANGUAGE, "languages": ["en", "fr"], "title": {"en": "Board test election", "fr": "Élection de test du tableau"},
    "contests": [
        {**ONE_LANGUAGE["contests"][0], "title": {"en": "Mayor", "fr": "Maire"}},
        {**ONE_LANGUAGE["contests"][1], "title": {"en": "Council", "fr": "Conseil"}},
    ],
    "ballot_styles": [{**ONE_LANGUAGE["ballot_styles"][0], "name": {"en": "Whole town", "fr": "Toute la ville"}},
                      {**ONE_LANGUAGE["ballot_styles"][1], "name": {"en": "Mayor only", "fr": "Maire seulement"}}],
}  # fmt: skip


def test_the_board_opens_and_closes_the_election_itself_exactly_once(board):
    server, directory = board
    url = server.url
    now = datetime.now(timezone.utc).replace(microsecond=0)
    world = ScheduledWorld(HttpClient(url), ELECTION, n=2, k=2, voters=3, manifest=MANIFEST,
                           schedule={"opens_at": utc(now + timedelta(hours=1)), "closes_at": utc(now + timedelta(hours=2))})  # fmt: skip
    assert world.context()["schedule"]["opens_at"] == utc(now + timedelta(hours=1))
    world.keygen()
    keys = sorted(derive_voter_key(c, ELECTION).public_key_hex for c in world.credentials)
    world.admin_entry("credentials.published", {"credentials": keys})
    assert world.context()["phase"] == "ready"  # opens_at is an hour away: the board leaves it ready

    opens = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=4)
    closes = opens + timedelta(seconds=5)
    local = opens.astimezone(timezone(timedelta(hours=1))).isoformat()  # 2026-12-03T18:00:04+01:00
    said = evote("election", "schedule", ELECTION, "--board", url, "--opens-at", local, "--closes-at", utc(closes), cwd=directory)
    assert f"--opens-at {local} is {utc(opens)} in UTC" in said.stderr
    assert f"opens it at {utc(opens)} and closes it at {utc(closes)}" in said.stdout
    early, _ = world.submission(world.credentials[0], {"mayor": ["alice"], "council": ["dan"]})
    assert world.client.post(f"/api/v1/elections/{ELECTION}/ballots", json=early).status_code == 409

    wait_for(lambda: world.context()["phase"] == "open", "the board to open the election", timeout=20)
    opened = [e for e in world.entries() if e["kind"] == "election.opened"]
    assert len(opened) == 1 and parse_time(utc(opens), "opens_at") <= opened[0]["received_at"]
    assert opened[0]["received_at"] < parse_time(utc(opens), "opens_at") + 4 * SECOND_US  # promptly: every second or so
    world.cast(world.credentials[0], {"mayor": ["alice"], "council": ["dan"]})
    world.cast(world.credentials[1], {"mayor": ["alice"], "council": ["dan", "eve"]})

    later = closes + timedelta(seconds=2)
    moved = evote("election", "extend", ELECTION, "--board", url, "--closes-at", utc(later), cwd=directory)
    assert f"now closes it at {utc(later)} (UTC) instead of {utc(closes)}" in moved.stdout
    world.cast(world.credentials[2], {"mayor": ["bob"], "council": ["fay"]})  # inside the extended window

    wait_for(lambda: world.context()["phase"] == "closed", "the board to close the election", timeout=30)
    entries = world.entries()
    closed = [e for e in entries if e["kind"] == "election.closed"]
    assert len(closed) == 1 and closed[0]["received_at"] >= parse_time(utc(later), "closes_at")
    assert all(e["seq"] < closed[0]["seq"] for e in entries if e["kind"].startswith("ballot."))
    late, _ = world.submission(world.credentials[0], {"mayor": ["bob"], "council": ["eve"]})
    refused = world.client.post(f"/api/v1/elections/{ELECTION}/ballots", json=late)
    assert refused.status_code == 409, refused.get_json()

    world.tally()
    result = world.decrypt({1, 2})
    assert result is not None
    no = evote("election", "cancel", ELECTION, "--board", url, "--reason", "changed my mind", cwd=directory, check=False)
    assert no.returncode == 1 and "can no longer be cancelled: its encrypted tally is posted" in no.stderr, no.stderr
    assert "Traceback" not in no.stderr

    status = json.loads(evote("election", "status", ELECTION, "--board", url, "--json", cwd=directory).stdout)
    steps = {s["step"]: s for s in status["timeline"]}
    assert steps["opens_at"]["at"] == utc(opens) and steps["closes_at"]["at"] == utc(later)
    assert status["schedule"]["extended_at"] is not None and status["schedule"]["not_opened"] is None
    assert status["cancelled"] is None and status["phase"] == "tallied"

    report = export_and_verify(url, ELECTION, directory)
    for check in ("L.5", "L.6"):
        assert [s["status"] for s in steps_of(report, check)] == ["passed"], steps_of(report, check)

    log = "".join(path.read_text() for path in directory.glob("board-*.log"))
    assert "Traceback" not in log
    events = [json.loads(line).get("event") for line in log.splitlines() if line.startswith('{"event"')]
    assert events.count("closed") == 1 and events.count("opened") == 1, events
    assert "schedule_round_failed" not in events
