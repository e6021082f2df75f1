"""The board's scheduler, one round at a time on a clock the test moves (bulletin_board/scheduler.py; issue 18).

At opens_at a ready election opens by itself and one that is not ready says why; at closes_at it closes, once,
whichever of two schedulers acts (the second finds the job done and says so, never an error); an extension
moves the close. The end-to-end run under gunicorn is tests/test_schedule_e2e.py.
"""

from __future__ import annotations

import json
import logging

import pytest
from support.board_world import BoardWorld, make_app

from bulletin_board.admin_ops import admin_time, schedule_times
from bulletin_board.log import now_us
from bulletin_board.scheduler import ElectionScheduler
from voting.credentials import derive_voter_key
from voting.record.election import define_election
from voting.record.schedule import SECOND_US, format_time


class ScheduledWorld(BoardWorld):
    schedule: dict | None = None

    def _define(self, election_id, manifest, roster, k, revote_rule):
        return define_election(election_id, manifest, roster, k, revote_rule, schedule=self.schedule)


class Clock:
    """The board's clock, moved by the test: real time plus a shift."""

    def __init__(self) -> None:
        self.shift = 0

    def __call__(self) -> int:
        return now_us() + self.shift

    def go_to(self, us: int) -> None:
        self.shift = max(self.shift, us - now_us())


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("schedule"), EVOTE_CLOSE_GRACE_SECONDS="0")
    app.extensions["evote_board"].scheduler.stop()  # the test runs the rounds itself
    clock = Clock()
    app.extensions["evote_board"].log.clock = clock
    return app, clock


def scheduled_election(app, election_id: str, opens_in: int, lasts: int) -> tuple[ScheduledWorld, int, int]:
    start = (now_us() // SECOND_US + opens_in) * SECOND_US
    ScheduledWorld.schedule = {"opens_at": format_time(start), "closes_at": format_time(start + lasts * SECOND_US)}
    world = ScheduledWorld(app.test_client(), election_id, n=1, k=1, voters=2)
    return world, start, start + lasts * SECOND_US


def kinds(world) -> list[str]:
    return [e["kind"] for e in world.entries()]


def test_the_scheduler_opens_at_opens_at_closes_once_at_closes_at_and_follows_an_extension(board, caplog):
    app, clock = board
    caplog.set_level(logging.INFO, logger="evote.scheduler")
    service = app.extensions["evote_elections"]
    first, second = ElectionScheduler(service), ElectionScheduler(service)
    world, opens_at, closes_at = scheduled_election(app, "sched-a", 3600, 600)

    clock.go_to(opens_at)  # the key ceremony has not even started: it does not open, and says why
    (action,) = [a for a in first.run_once() if a.election_id == "sched-a"]
    assert (action.event, action.detail.split(" (")[0]) == ("not_opened", "the key ceremony is not complete")
    assert second.run_once() is None  # the other worker: the lease is held
    world.keygen()
    keys = sorted(derive_voter_key(c, "sched-a").public_key_hex for c in world.credentials)
    world.admin_entry("credentials.published", {"credentials": keys})

    (action,) = [a for a in first.run_once() if a.election_id == "sched-a"]
    assert action.event == "opened", action
    opened = world.entries()[action.seq]
    assert opened["kind"] == "election.opened" and opened["received_at"] >= opens_at
    world.cast(world.credentials[0], {"mayor": ["alice"], "council": ["dan"]})

    later = closes_at + 60 * SECOND_US
    world.admin_entry("election.extended", {"closes_at": format_time(later)})
    assert app.test_client().get("/api/v1/elections/sched-a/context").get_json()["schedule"] == {
        "opens_at": format_time(opens_at), "closes_at": format_time(later)}  # fmt: skip
    clock.go_to(closes_at)  # the former close: nothing happens
    assert [a for a in first.run_once() if a.election_id == "sched-a"] == []
    clock.go_to(later)
    (action,) = [a for a in first.run_once() if a.election_id == "sched-a"]
    assert action.event == "closed" and world.entries()[action.seq]["received_at"] >= later
    # a worker that still believed the election open finds the job done: success, logged as such, not an error
    assert second._append("sched-a", "election.closed", closes_at=format_time(later)).event == "already_closed"
    assert kinds(world).count("election.closed") == 1 and kinds(world).count("election.opened") == 1
    world.cast(world.credentials[1], {"mayor": ["bob"], "council": ["eve"]}, status=409)
    events = [json.loads(r.getMessage())["event"] for r in caplog.records if r.name == "evote.scheduler"]
    assert "not_opened" in events and "opened" in events and "closed" in events and "already_closed" in events
    assert not [r for r in caplog.records if r.name == "evote.scheduler" and r.levelno >= logging.ERROR]

    first.lease.release()  # the holder stops: the other takes over
    assert second.run_once() is not None


def test_no_opening_before_opens_at_and_no_listed_credential_is_a_reason(board):
    app, clock = board
    scheduler = ElectionScheduler(app.extensions["evote_elections"])
    world, opens_at, _ = scheduled_election(app, "sched-b", 7200, 60)
    world.keygen()
    world.admin_entry("election.opened", {}, status=409)  # the rules: not before opens_at, nor without credentials
    clock.go_to(opens_at)
    (action,) = [a for a in scheduler.run_once() if a.election_id == "sched-b"]
    assert action.event == "not_opened" and "no credential is listed" in action.detail
    scheduler.lease.release()


def test_times_typed_by_the_administrator():
    assert admin_time("2026-12-03T17:00:00Z", "--opens-at") == ("2026-12-03T17:00:00Z", None)
    utc, note = admin_time("2026-12-03T18:00:00+01:00", "--opens-at")
    assert utc == "2026-12-03T17:00:00Z" and "2026-12-03T17:00:00Z in UTC" in note
    for wrong, words in (("2026-12-03T18:00:00", "no time zone"), ("tomorrow", "is not a time"), ("2026-12-03T18:00:00.5Z", "whole seconds")):
        with pytest.raises(ValueError, match=words):
            admin_time(wrong, "--opens-at")
    with pytest.raises(ValueError, match="go together"):
        schedule_times("2026-12-03T17:00:00Z", None, print)
    with pytest.raises(ValueError, match="must come after"):
        schedule_times("2026-12-03T17:00:00Z", "2026-12-03T18:00:00+02:00", print)
