"""Entries whose proof the board checks outside the request (record-format §12.2: a `mix.shuffled`).

A proof of shuffle of thousands of rows takes far longer than a request may, and must not hold the log's lock
while it is checked. So ``POST`` only stores the entry as a **check** (a row of the ``checks`` table) and answers
202 ``{"status": "checking", "check": id}``; a thread of the process that accepted it then

1. checks the proof (``verify``: :func:`voting.record.rules_mix.check_shuffle` on the election's state, no lock
   held),
2. appends the entry (``append``: the election's rules run again under the log's lock, the proof being marked
   as checked, so only the cheap rules run there),
3. records the outcome: ``appended`` with the entry's seq, or ``refused`` with the error object every refusal
   has (code, field, message). A refused entry leaves the log unchanged.

Every worker answers ``GET .../checks/<id>`` from the table. The process checking an entry holds a lease on its
row and renews it while it works; a row whose lease expired (its process died) is taken over by another
worker's loop, which checks it again from the stored payload. An entry that is already on the log with the
same payload (its process died after the append, before recording it) is recorded as appended, never appended
twice. An identical re-post answers the same check while it is checking or appended.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import Connection, insert, select, update

from voting.errors import VotingError
from voting.record.mixing import MIX_SHUFFLED

from .. import background
from ..log import BoardLog
from ..log_format.canonical import canonicalize
from ..log_format.errors import BoardError
from ..log_types import AppendResult
from ..storage.engine import read_transaction, write_transaction
from ..storage.schema import checks, entries
from .errors import refusal_from

if TYPE_CHECKING:
    from .service import ElectionService

CHECKING, APPENDED, REFUSED = "checking", "appended", "refused"
CHECK_ID_HEX = 32  # 128 random bits
DEFAULT_LEASE_SECONDS = 30.0
logger = logging.getLogger("evote.checks")

Verify = Callable[[str, str, dict], None]  # (election id, kind, payload): raises a refusal
Append = Callable[[str, str, dict], AppendResult]  # appends under the log's lock, the rules run again

ASYNC_KINDS = (MIX_SHUFFLED,)  # the kinds whose POST answers 202 and is checked here

__all__ = ["AsyncChecks", "CheckStatus", "check_status", "is_check_id", "shuffle_checks", "ASYNC_KINDS", "CHECKING",
           "APPENDED", "REFUSED"]


def _log(level: int, event: str, **fields: object) -> None:
    if logger.isEnabledFor(level):
        logger.log(level, json.dumps({"event": event, **fields}, ensure_ascii=False, default=str))


def is_check_id(text: str) -> bool:
    return len(text) == CHECK_ID_HEX and all(c in "0123456789abcdef" for c in text)


def payload_hash(kind: str, payload_bytes: bytes) -> bytes:
    return hashlib.sha256(b"evote/check/v1\x00" + kind.encode("ascii") + b"\x00" + payload_bytes).digest()


@dataclass(frozen=True)
class CheckStatus:
    """What ``GET .../checks/<id>`` answers (record-format §12.2)."""

    check: str
    kind: str
    status: str
    seq: int | None = None
    error: dict | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"check": self.check, "kind": self.kind, "status": self.status}
        if self.status == APPENDED:
            out["seq"] = self.seq
        if self.status == REFUSED:
            out["error"] = self.error
        return out


def check_status(conn: Connection, election_id: str, check_id: str) -> CheckStatus | None:
    row = conn.execute(select(checks.c.kind, checks.c.status, checks.c.seq, checks.c.error)
                       .where(checks.c.id == check_id).where(checks.c.election_id == election_id)).first()
    if row is None:
        return None
    return CheckStatus(check_id, row.kind, row.status, row.seq, json.loads(row.error) if row.error else None)


def error_object(exc: BaseException) -> dict[str, Any]:
    """The refusal as every refusal is written: {"code", "field", "message"} (bulletin_board/web/errors.py)."""
    if isinstance(exc, VotingError):
        exc = refusal_from(exc)
    if isinstance(exc, BoardError):
        return {"code": exc.code, "field": exc.field, "message": exc.message}
    return {"code": "internal_error", "field": None, "message": "internal error; the operator's log has the details"}


def _holder() -> str:
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{secrets.token_hex(4)}"


class AsyncChecks:
    """The checks of one board process: ``submit`` from requests, a pool that checks, a loop that renews this
    process's leases and takes over expired ones (``run_once``; tests call it directly)."""

    def __init__(self, log: BoardLog, verify: Verify, append: Append, *, lease_seconds: float = DEFAULT_LEASE_SECONDS,
                 workers: int = 1) -> None:
        self.log, self.verify, self.append = log, verify, append
        self.lease_us = int(lease_seconds * 1_000_000)
        self.interval = lease_seconds / 4  # renewals come at least three times per lease
        self.workers = workers
        self.holder = _holder()
        self._mine: set[str] = set()  # checks this process has queued or is checking
        self._guard = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="evote-check")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    # --- requests ------------------------------------------------------------------------------------

    def submit(self, election_id: str, kind: str, payload: dict) -> CheckStatus:
        """Store a check of ``payload`` and start it in this process; an identical entry already checking or
        appended answers that check instead."""
        self.log.election(election_id)  # UnknownElection -> 404
        data = canonicalize(payload, max_bytes=self.log.max_payload_bytes)
        digest = payload_hash(kind, data)
        now = self.log.clock()
        with write_transaction(self.log.engine, election_id) as conn:
            same = conn.execute(select(checks.c.id).where(checks.c.election_id == election_id)
                                .where(checks.c.payload_hash == digest).where(checks.c.status != REFUSED)
                                .order_by(checks.c.created_at).limit(1)).scalar()  # fmt: skip
            if same is not None:
                found = check_status(conn, election_id, same)
                assert found is not None
                return found
            check_id = secrets.token_hex(CHECK_ID_HEX // 2)
            conn.execute(insert(checks).values(id=check_id, election_id=election_id, kind=kind, status=CHECKING,
                                               payload_hash=digest, payload=data, holder=self.holder,
                                               lease_expires_at=now + self.lease_us, created_at=now))  # fmt: skip
        self._queue(check_id)
        _log(logging.INFO, "check_accepted", election=election_id, check=check_id, kind=kind, bytes=len(data))
        return CheckStatus(check_id, kind, CHECKING)

    def status(self, election_id: str, check_id: str) -> CheckStatus | None:
        with read_transaction(self.log.engine) as conn:
            return check_status(conn, election_id, check_id)

    # --- checking ------------------------------------------------------------------------------------

    def _queue(self, check_id: str) -> None:
        with self._guard:
            self._mine.add(check_id)
        self._pool.submit(self._run, check_id)

    def _run(self, check_id: str) -> None:
        try:
            self.run_check(check_id)
        except Exception as exc:  # noqa: BLE001 — the row keeps its lease until it expires; another worker retries
            _log(logging.ERROR, "check_failed", check=check_id, error=f"{type(exc).__name__}: {str(exc)[:300]}")
        finally:
            with self._guard:
                self._mine.discard(check_id)

    def run_check(self, check_id: str) -> CheckStatus | None:
        """Check, append and record one check held by this process; None when it is no longer checking."""
        with read_transaction(self.log.engine) as conn:
            row = conn.execute(select(checks).where(checks.c.id == check_id)).first()
        if row is None or row.status != CHECKING or row.payload is None:
            return None
        election_id, kind, data = row.election_id, row.kind, bytes(row.payload)
        seq = self._on_log(election_id, kind, data)
        if seq is None:
            payload = json.loads(data)
            try:
                self.verify(election_id, kind, payload)
                seq = self.append(election_id, kind, payload).seq
            except Exception as exc:  # noqa: BLE001 — every failure is this check's refusal; the log is unchanged
                if not isinstance(exc, (VotingError, BoardError)):
                    logger.exception("check %s: unexpected failure", check_id)
                error = error_object(exc)
                seq = self._on_log(election_id, kind, data)  # another worker appended it while this one was slow
                if seq is None:
                    _log(logging.INFO, "check_refused", election=election_id, check=check_id, kind=kind, code=error["code"],
                         field=error["field"])
                    return self._finish(check_id, REFUSED, error=error)
        _log(logging.INFO, "check_appended", election=election_id, check=check_id, kind=kind, seq=seq)
        return self._finish(check_id, APPENDED, seq=seq)

    def _on_log(self, election_id: str, kind: str, data: bytes) -> int | None:
        """The seq of an entry of ``kind`` with exactly these payload bytes, if the log has one."""
        with read_transaction(self.log.engine) as conn:
            return conn.execute(select(entries.c.seq).where(entries.c.election_id == election_id)
                                .where(entries.c.kind == kind).where(entries.c.payload == data)
                                .order_by(entries.c.seq).limit(1)).scalar()  # fmt: skip

    def _finish(self, check_id: str, status: str, *, seq: int | None = None, error: dict | None = None) -> CheckStatus | None:
        with write_transaction(self.log.engine) as conn:
            conn.execute(update(checks).where(checks.c.id == check_id).where(checks.c.status == CHECKING)
                         .values(status=status, seq=seq, error=None if error is None else json.dumps(error),
                                 payload=None, finished_at=self.log.clock()))  # fmt: skip
            election_id = conn.execute(select(checks.c.election_id).where(checks.c.id == check_id)).scalar_one()
            return check_status(conn, election_id, check_id)

    # --- leases --------------------------------------------------------------------------------------

    def run_once(self) -> list[str]:
        """Renew the leases of this process's checks; take over those whose lease expired. Returns the ids taken."""
        now = self.log.clock()
        with self._guard:
            mine = sorted(self._mine)
        taken = []
        with write_transaction(self.log.engine) as conn:
            if mine:
                conn.execute(update(checks).where(checks.c.id.in_(mine)).where(checks.c.holder == self.holder)
                             .where(checks.c.status == CHECKING).values(lease_expires_at=now + self.lease_us))
            expired = conn.execute(select(checks.c.id).where(checks.c.status == CHECKING)
                                   .where(checks.c.lease_expires_at < now).order_by(checks.c.created_at)
                                   .limit(self.workers)).scalars().all()  # fmt: skip
            for check_id in expired:
                claimed = conn.execute(update(checks).where(checks.c.id == check_id).where(checks.c.status == CHECKING)
                                       .where(checks.c.lease_expires_at < now)
                                       .values(holder=self.holder, lease_expires_at=now + self.lease_us))
                if claimed.rowcount == 1:
                    taken.append(check_id)
        for check_id in taken:
            _log(logging.WARNING, "check_resumed", check=check_id, holder=self.holder)
            self._queue(check_id)
        return taken

    # --- the loop ------------------------------------------------------------------------------------

    def start(self) -> None:
        with self._guard:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            if self._pid and self._pid != os.getpid():  # forked: the parent's threads and lease name are not ours
                self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="evote-check")
                self.holder, self._mine = _holder(), set()
            self._pid = os.getpid()
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="evote-checks", daemon=True)
            self._thread.start()
            background.register(self)

    def ensure_running(self) -> None:
        """Cheap; called before requests so that a forked worker starts its own loop."""
        if self._pid != os.getpid():
            self.start()

    def stop(self) -> None:
        """Stop the loop; checks under way in this process are left to expire and be taken over elsewhere."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread() and self._pid == os.getpid():
            thread.join(timeout=self.interval + 5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once()
            except Exception as exc:  # noqa: BLE001 — a database hiccup must not end the checks for good
                _log(logging.ERROR, "checks_round_failed", error=f"{type(exc).__name__}: {str(exc)[:300]}")


def shuffle_checks(service: ElectionService, **options: Any) -> AsyncChecks:
    """The board's checks of ``mix.shuffled`` (record-format §12.2): the proof is verified holding no lock
    (:meth:`ElectionService.check_shuffle`); the append then runs every rule but the proof again under the log's
    lock, so a mix appended meanwhile by another trustee refuses this one."""

    def verify(election_id: str, kind: str, payload: dict) -> None:
        service.check_shuffle(election_id, payload)

    def append(election_id: str, kind: str, payload: dict) -> AppendResult:
        return service.post_trustee(election_id, kind, payload, shuffle_checked=True)

    return AsyncChecks(service.log, verify, append, **options)
