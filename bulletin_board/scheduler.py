"""The board keeps each election's schedule (issue 18; docs/board.md, "A schedule the board keeps").

Every ``interval`` seconds, for each election with a schedule (``election.created``'s, then
``election.scheduled`` / ``election.extended``; voting/record/schedule.py):

* at or after ``opens_at``, an election in phase ``ready`` (key ceremony confirmed) with at least one listed
  credential is opened: ``election.opened`` is appended through :meth:`ElectionService.post_admin`, so the
  election's rules run as for the administrator's own request. One that is not ready is left as it is; the
  reason (:func:`.election_status.not_opened_reason`) is logged once, and ``evote election status`` computes
  the same words from the record. It opens as soon as it becomes ready, while the window lasts.
* at or after ``closes_at``, an open election is closed through :func:`.elections.closing.close` (new ballots
  refused, the ballots being checked finish within the grace, then ``election.closed`` with its received_at).

It runs without any request arriving: a daemon thread per board process, started by ``create_app``, stopped
at exit, restarted in a forked worker. However many gunicorn workers serve the board, one scheduler acts at a
time: each round first takes or renews a lease row (the cosigner's table, row ``scheduler``); a holder that
stops renewing is replaced once its lease expires. Should two ever act at once, the rules refuse the second
open or close: that refusal means the job is done, and is logged as such, never as an error.
Log lines are JSON objects (logger ``evote.scheduler``): the event, election and times.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from dataclasses import dataclass

from sqlalchemy import select

from voting.record.phases import CLOSED, CONFIRMING, KEYGEN, KEYGEN_FAILED, OPEN, OPENED, READY, SCHEDULED
from voting.record.schedule import format_time

from . import background
from .cosigning import CosignerLease
from .election_status import not_opened_reason
from .elections.errors import Refused
from .elections.service import ElectionService
from .storage.engine import read_transaction
from .storage.schema import elections, entries

LEASE_NAME = "scheduler"
WAITING = (KEYGEN, KEYGEN_FAILED, CONFIRMING, READY)  # phases before opening: the schedule may open or explain
ACTIVE = (*WAITING, OPEN)
logger = logging.getLogger("evote.scheduler")

__all__ = ["ElectionScheduler", "Action", "LEASE_NAME"]


def _log(level: int, event: str, **fields: object) -> None:
    if logger.isEnabledFor(level):
        logger.log(level, json.dumps({"event": event, **fields}, ensure_ascii=False, default=str))


@dataclass(frozen=True)
class Action:
    """What one round did for one election: ``opened``, ``closed``, ``already_open``, ``already_closed``
    (another worker did it first), ``not_opened`` (with the reason) or ``refused`` (the rules said no)."""

    election_id: str
    event: str
    detail: str = ""
    seq: int | None = None


class ElectionScheduler:
    """The background loop; ``run_once`` is one round (tests call it directly)."""

    def __init__(self, service: ElectionService, *, interval: float = 1.0) -> None:
        self.service, self.log, self.interval = service, service.log, interval
        # longer than a close can take (the grace for ballots being checked), so no other worker takes over mid-close
        self._lease_seconds = service.close_grace_seconds + 5 * interval + 10
        self.lease = CosignerLease(self.log.engine, self.log.clock, self._lease_seconds, name=LEASE_NAME)
        self._created_with_schedule: dict[str, bool] = {}
        self._noted: dict[str, str] = {}  # election -> the last not-opened reason or refusal logged (logged once)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._guard = threading.Lock()
        self._forks_registered = False

    # --- the loop ----------------------------------------------------------------------------------

    def start(self) -> None:
        with self._guard:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            self._begin()
            background.register(self)
            if not self._forks_registered and hasattr(os, "register_at_fork"):
                os.register_at_fork(after_in_child=self._after_fork)
                self._forks_registered = True
        _log(logging.INFO, "scheduler_started", interval=self.interval, pid=os.getpid())

    def _begin(self) -> None:
        if self._pid != os.getpid():  # forked: a lease of our own, the parent's holder name is not ours
            self.lease = CosignerLease(self.log.engine, self.log.clock, self._lease_seconds, name=LEASE_NAME)
        self._pid = os.getpid()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="evote-scheduler", daemon=True)
        self._thread.start()

    def _after_fork(self) -> None:
        """In a gunicorn worker forked after ``create_app`` (``--preload``): the parent's thread did not come
        along; start ours now, so the schedule is kept even if this worker never serves a request. Other forks
        (a process pool of the caller's) are left alone: only a gunicorn worker serves the board."""
        self._guard = threading.Lock()  # the parent's may have been held by a thread that no longer exists
        if self._stop.is_set() or "gunicorn.workers" not in sys.modules:
            return
        self.log.engine.dispose(close=False)  # the parent's pooled connections are the parent's: open our own
        self._thread = None
        self._begin()
        _log(logging.INFO, "scheduler_started", interval=self.interval, pid=os.getpid(), forked=True)

    def ensure_running(self) -> None:
        """Cheap; called before requests, in case a fork left this process without its loop."""
        if self._pid != os.getpid():
            self.start()

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread() and self._pid == os.getpid():
            thread.join(timeout=self.service.close_grace_seconds + 5)
        try:
            self.lease.release()
        except Exception:  # noqa: BLE001 — at shutdown the database may be gone; the lease then just expires
            pass

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once()
            except Exception as exc:  # noqa: BLE001 — a database hiccup must not end the schedule for good
                _log(logging.ERROR, "schedule_round_failed", error=f"{type(exc).__name__}: {str(exc)[:300]}")

    # --- one round ---------------------------------------------------------------------------------

    def run_once(self) -> list[Action] | None:
        """One round; None when another process holds the lease."""
        if not self.lease.acquire():
            return None
        with read_transaction(self.log.engine) as conn:
            active = conn.execute(select(elections.c.id).where(elections.c.state.in_(ACTIVE)).order_by(elections.c.id)).scalars().all()
            candidates = [election_id for election_id in active if self._scheduled(conn, election_id)]
        actions = []
        for election_id in candidates:
            if self._stop.is_set() and self._thread is threading.current_thread():
                break
            action = self._keep(election_id)
            if action is not None:
                actions.append(action)
        return actions

    def _scheduled(self, conn, election_id: str) -> bool:
        """Whether the election has a schedule, cheaply (no replay): its election.created carries one (read once
        per process), or an election.scheduled entry is on its log."""
        created = self._created_with_schedule.get(election_id)
        if created is None:
            payload = conn.execute(select(entries.c.payload).where(entries.c.election_id == election_id).where(entries.c.seq == 0)).scalar()
            if payload is None:
                return False
            created = self._created_with_schedule[election_id] = "schedule" in json.loads(payload)
        if created:
            return True
        found = conn.execute(select(entries.c.seq).where(entries.c.election_id == election_id)
                             .where(entries.c.kind == SCHEDULED).limit(1)).first()  # fmt: skip
        return found is not None

    def _keep(self, election_id: str) -> Action | None:
        phase, schedule, listed = self.service.schedule_view(election_id)
        if schedule is None:
            return None
        now = self.log.clock()
        if phase in WAITING and now >= schedule.opens_at:
            reason = not_opened_reason(phase, listed, schedule, now)
            if reason is None:
                return self._append(election_id, OPENED, opens_at=format_time(schedule.opens_at))
            return self._note(election_id, "not_opened", reason, opens_at=format_time(schedule.opens_at))
        if phase == OPEN and now >= schedule.closes_at:
            return self._append(election_id, CLOSED, closes_at=format_time(schedule.closes_at))
        return None

    def _append(self, election_id: str, kind: str, **times: str) -> Action:
        done, already = ("opened", "already_open") if kind == OPENED else ("closed", "already_closed")
        try:
            result = self.service.post_admin(election_id, kind, {})
        except Refused as refused:
            phase, _, _ = self.service.schedule_view(election_id)
            if (kind == OPENED and phase != READY) or (kind == CLOSED and phase != OPEN):
                # another worker (or the administrator) got there first: the job is done
                _log(logging.INFO, already, election=election_id, phase=phase, **times)
                return Action(election_id, already, phase)
            return self._note(election_id, "refused", f"{kind}: {refused}", **times)
        self._noted.pop(election_id, None)
        at = self._received_at(election_id, result.seq)
        _log(logging.INFO, done, election=election_id, seq=result.seq, at=at, **times)
        return Action(election_id, done, at, result.seq)

    def _note(self, election_id: str, event: str, detail: str, **times: str) -> Action:
        """Log a reason once per election (every round would repeat it), at WARNING: the operator may act."""
        if self._noted.get(election_id) != detail:
            self._noted[election_id] = detail
            _log(logging.WARNING, event, election=election_id, reason=detail, **times)
        return Action(election_id, event, detail)

    def _received_at(self, election_id: str, seq: int) -> str:
        return format_time(self.log.entry(election_id, seq).received_at)
