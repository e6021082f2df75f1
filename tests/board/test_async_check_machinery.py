"""The machinery of checks made outside the request (bulletin_board/elections/async_checks.py), on both backends,
with the proof check and the append replaced by functions of the test: statuses, refusals that leave the log
unchanged, identical re-posts, leases taken over from a process that died, an entry appended before its
process died. The real proof of shuffle through a real server: tests/board/test_async_checks.py."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from bulletin_board.elections.async_checks import APPENDED, CHECKING, REFUSED, AsyncChecks, is_check_id
from bulletin_board.elections.errors import Refused
from bulletin_board.log import BoardLog
from bulletin_board.storage.engine import read_transaction
from bulletin_board.storage.schema import checks
from voting.record.lifecycle import RuleViolation

from .conftest import ORIGIN

KIND = "mix.shuffled"


class Clock:
    """A board clock the test moves (microseconds)."""

    def __init__(self, now: int = 1_000_000_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def appender(log: BoardLog):
    """Appends without rules (the election's rules are not what these tests are about)."""
    calls = []

    def append(election_id, kind, payload):
        calls.append(payload)
        return log.append(election_id, kind, payload)

    return append, calls


def passes(election_id, kind, payload):
    return None


def refuses(election_id, kind, payload):
    raise RuleViolation("body.proof", "mix server 2 (Trustee 2): the proof of shuffle fails")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def board(engine, signer, clock):
    return BoardLog(engine, signer, ORIGIN, clock=clock)


def made(board, verify, append, **options) -> AsyncChecks:
    service = AsyncChecks(board, verify, append, lease_seconds=4, **options)
    return service


def wait_done(service: AsyncChecks, election: str, check: str, timeout: float = 10):
    deadline = threading.Event()
    for _ in range(int(timeout / 0.02)):
        found = service.status(election, check)
        if found.status != CHECKING:
            return found
        deadline.wait(0.02)
    raise AssertionError(f"check {check} still checking")


def test_a_passing_check_is_appended_and_any_worker_reads_its_seq(board, election):
    append, _ = appender(board)
    service = made(board, passes, append)
    accepted = service.submit(election, KIND, {"body": {"n": 1}})
    assert accepted.status == CHECKING and is_check_id(accepted.check)
    done = wait_done(service, election, accepted.check)
    assert done.to_json() == {"check": accepted.check, "kind": KIND, "status": APPENDED, "seq": 0}
    assert board.entry(election, 0).kind == KIND
    other = made(board, passes, append)  # another worker: reads the table, knows nothing in memory
    assert other.status(election, accepted.check) == done
    with read_transaction(board.engine) as conn:
        assert conn.execute(select(checks.c.payload).where(checks.c.id == accepted.check)).scalar() is None  # not kept


def test_a_refused_check_names_the_field_and_leaves_the_log_unchanged(board, election):
    append, calls = appender(board)
    service = made(board, refuses, append)
    accepted = service.submit(election, KIND, {"body": {"n": 1}})
    done = wait_done(service, election, accepted.check)
    assert done.status == REFUSED and done.seq is None
    assert done.error == {"code": "rule_violation", "field": "body.proof",
                          "message": "body.proof: mix server 2 (Trustee 2): the proof of shuffle fails"}  # as a synchronous refusal
    assert calls == [] and board.size(election) == 0


def test_a_refusal_by_the_rules_at_append_time_is_the_checks_refusal(board, election):
    def append(election_id, kind, payload):
        raise Refused(409, "rule_violation", "body.position", "the next mix of 'c' is number 2")

    service = made(board, passes, append)
    done = wait_done(service, election, service.submit(election, KIND, {"x": 1}).check)
    assert done.error == {"code": "rule_violation", "field": "body.position", "message": "the next mix of 'c' is number 2"}
    assert board.size(election) == 0


def test_an_unexpected_failure_is_refused_without_its_details(board, election):
    def verify(election_id, kind, payload):
        raise ZeroDivisionError("secret detail")

    append, _ = appender(board)
    service = made(board, verify, append)
    done = wait_done(service, election, service.submit(election, KIND, {"x": 1}).check)
    assert done.error["code"] == "internal_error" and "secret" not in done.error["message"]
    assert board.size(election) == 0


def test_an_identical_post_while_checking_answers_the_same_check_and_after_a_refusal_a_new_one(board, election):
    release = threading.Event()

    def verify(election_id, kind, payload):
        release.wait(10)
        if payload["n"] == 2:
            raise RuleViolation("body.proof", "fails")

    append, calls = appender(board)
    service = made(board, verify, append)
    first = service.submit(election, KIND, {"n": 1})
    assert service.submit(election, KIND, {"n": 1}).check == first.check
    other = service.submit(election, KIND, {"n": 2})
    assert other.check != first.check
    release.set()
    assert wait_done(service, election, first.check).status == APPENDED
    assert service.submit(election, KIND, {"n": 1}).to_json() == wait_done(service, election, first.check).to_json()
    assert wait_done(service, election, other.check).status == REFUSED
    again = service.submit(election, KIND, {"n": 2})
    assert again.check != other.check and wait_done(service, election, again.check).status == REFUSED
    assert len(calls) == 1


def test_a_check_whose_process_died_is_taken_over_after_its_lease(board, election, clock):
    stuck = threading.Event()

    def hangs(election_id, kind, payload):  # the first process never finishes (it "died")
        stuck.wait(30)
        raise RuleViolation("body.proof", "too late")

    append, calls = appender(board)
    dead = made(board, hangs, append)
    accepted = dead.submit(election, KIND, {"n": 1})
    survivor = made(board, passes, append)
    assert survivor.run_once() == []  # the lease is still valid
    clock.now += 3_000_000
    assert survivor.run_once() == []
    clock.now += 1_500_000  # past the 4 s lease, never renewed
    assert survivor.run_once() == [accepted.check]
    assert wait_done(survivor, election, accepted.check).status == APPENDED
    stuck.set()  # the first process's late refusal changes nothing: the check is no longer checking
    dead.stop()
    assert survivor.status(election, accepted.check).status == APPENDED and len(calls) == 1


def test_a_living_process_renews_its_lease_so_nobody_takes_its_check(board, election, clock):
    release = threading.Event()
    append, calls = appender(board)
    slow = made(board, lambda *_: release.wait(10), append)
    accepted = slow.submit(election, KIND, {"n": 1})
    other = made(board, passes, append)
    for _ in range(5):
        clock.now += 2_000_000
        slow.run_once()  # what its loop does every lease / 4
        assert other.run_once() == []
    release.set()
    assert wait_done(slow, election, accepted.check).status == APPENDED and len(calls) == 1


def test_an_entry_appended_before_its_process_died_is_recorded_not_appended_again(board, election, clock):
    def append_then_die(election_id, kind, payload):
        board.append(election_id, kind, payload)
        raise SystemExit  # the process ends between the append and recording it

    survivor_append, calls = appender(board)
    dying = made(board, passes, append_then_die)
    accepted = dying.submit(election, KIND, {"n": 1})
    for _ in range(200):
        if board.size(election) == 1:
            break
        threading.Event().wait(0.02)
    clock.now += 5_000_000
    survivor = made(board, passes, survivor_append)
    assert survivor.run_once() == [accepted.check]
    done = wait_done(survivor, election, accepted.check)
    assert (done.status, done.seq) == (APPENDED, 0) and calls == [] and board.size(election) == 1
