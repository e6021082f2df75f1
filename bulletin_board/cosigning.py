"""The board's cosigner: in the background, it asks every witness of its policy to cosign its checkpoints.

Every ``interval`` seconds, for each election whose log grew past the size a witness last cosigned, the board
signs its checkpoint at the current size (``BoardLog.checkpoint``) and sends each such witness, concurrently,
C2SP ``add-checkpoint`` with ``old`` = the largest size that witness cosigned for this board (the size the
board believes it holds) and the consistency proof from there. A 409 answer carries the witness's size: the
board retries once from it with a fresh proof, unless that size is larger than its own log (a fork, or another
board with this origin: recorded, given up for the round). Each cosignature line is verified with the witness's
key before it is stored (``BoardLog.store_cosignatures`` verifies again). A witness that is down, slow or
refusing costs only its own request: every request has a timeout, and a failing witness is asked again after
a growing pause (at most ``MAX_BACKOFF_SECONDS``).

The cosigner runs off the request path (a daemon thread), so ballots never wait for witnesses: batching by
interval is what lets intake run at full speed. One cosigner runs for the whole board however many gunicorn
workers serve it: each round starts by taking or renewing a lease row (``cosigner_lease``) in the database;
the workers without the lease skip the round, and another one takes over when a holder stops renewing.
Log lines are JSON objects (logger ``evote.cosigner``): the event, election, size, witness name and URL,
status and time taken, never a key or a token.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import Engine, or_, update

from . import background
from .log import BoardLog
from .log_format.checkpoint import SignedCheckpoint
from .log_format.errors import BoardError, InvalidInput
from .log_format.witness_protocol import AddCheckpoint, parse_size_body
from .storage.engine import is_sqlite, write_transaction
from .storage.schema import cosigner_lease
from .witness_client import BoardWitnessPolicy, WitnessAnswer, WitnessEndpoint, add_checkpoint

LEASE_NAME = "cosigner"
MAX_BACKOFF_SECONDS = 30.0
MAX_THREADS = 32
logger = logging.getLogger("evote.cosigner")

__all__ = ["CheckpointCosigner", "Outcome", "CosignerLease", "cosign_with", "LEASE_NAME"]


def _log(level: int, event: str, **fields: object) -> None:
    if logger.isEnabledFor(level):
        logger.log(level, json.dumps({"event": event, **fields}, ensure_ascii=False, default=str))


@dataclass(frozen=True)
class Outcome:
    """What one witness did with one checkpoint in a round."""

    witness: str
    election_id: str
    size: int
    status: str  # cosigned, unreachable, refused, witness_ahead, conflict, bad_answer, error
    http_status: int = 0
    detail: str = ""
    old_sizes: tuple[int, ...] = field(default=())  # the old sizes sent (two when the 409 retry ran)


class CosignerLease:
    """A row naming the process that runs the cosigner until ``expires_at``; taken when free or expired.
    ``name`` keys the row: the board's scheduler (scheduler.py) holds its own lease in the same table."""

    def __init__(self, engine: Engine, clock, seconds: float, holder: str | None = None, name: str = LEASE_NAME) -> None:
        self.engine, self.clock, self.ttl_us, self.name = engine, clock, int(seconds * 1_000_000), name
        self.holder = holder or f"{socket.gethostname()[:64]}:{os.getpid()}:{secrets.token_hex(4)}"
        self._held_until = 0  # the expiry this process last wrote (its clock), 0 when not held

    def acquire(self) -> bool:
        """Take or renew the lease; True when this process holds it for at least half its length more. A lease
        held with more than half of it left is not written again (one write every few rounds, not each)."""
        now = self.clock()
        if self._held_until - now > self.ttl_us // 2:
            return True
        self._held_until = 0
        with write_transaction(self.engine) as conn:
            if is_sqlite(conn):
                from sqlalchemy.dialects.sqlite import insert
            else:
                from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
            conn.execute(insert(cosigner_lease).values(name=self.name, holder=self.holder, expires_at=now + self.ttl_us)
                         .on_conflict_do_nothing())
            renewed = conn.execute(update(cosigner_lease).where(cosigner_lease.c.name == self.name)
                                   .where(or_(cosigner_lease.c.holder == self.holder, cosigner_lease.c.expires_at < now))
                                   .values(holder=self.holder, expires_at=now + self.ttl_us))
            if renewed.rowcount != 1:
                return False
        self._held_until = now + self.ttl_us
        return True

    def release(self) -> None:
        self._held_until = 0
        with write_transaction(self.engine) as conn:
            conn.execute(update(cosigner_lease).where(cosigner_lease.c.name == self.name)
                         .where(cosigner_lease.c.holder == self.holder).values(expires_at=0))


def cosign_with(log: BoardLog, witness: WitnessEndpoint, election_id: str, signed: SignedCheckpoint, believed: int,
                timeout: float) -> Outcome:
    """Ask ``witness`` to cosign ``signed``, starting from the size the board believes it holds; on 409 retry
    once from the size the witness states; store the cosignature if it verifies."""
    size = signed.size
    sent = [believed]
    answer = _ask(log, witness, election_id, signed, believed, timeout)
    if answer.status == 409:
        try:
            held = parse_size_body(answer.body)
        except InvalidInput as exc:
            return Outcome(witness.name, election_id, size, "bad_answer", 409, exc.reason, tuple(sent))
        if held > size:
            return Outcome(witness.name, election_id, size, "witness_ahead", 409,
                           f"the witness holds size {held}, larger than this board's log ({size})", tuple(sent))
        if held == believed:  # same old size and still refused: the witness holds another tree of that size
            return Outcome(witness.name, election_id, size, "conflict", 409,
                           f"the witness holds a different checkpoint of size {held}", tuple(sent))
        sent.append(held)
        answer = _ask(log, witness, election_id, signed, held, timeout)
    if answer.status == 0:
        return Outcome(witness.name, election_id, size, "unreachable", 0, answer.error, tuple(sent))
    if answer.status == 409:  # again, from the witness's own size
        stated = answer.body[:24].decode("ascii", "replace").strip()
        detail = (f"the witness holds a different checkpoint of size {stated}: its log and this board's differ"
                  if stated == str(sent[-1]) else f"the witness moved on to size {stated} meanwhile")
        return Outcome(witness.name, election_id, size, "conflict", 409, detail, tuple(sent))
    if answer.status != 200:
        return Outcome(witness.name, election_id, size, "refused", answer.status,
                       answer.body[:200].decode("utf-8", "replace").strip(), tuple(sent))
    return _keep(log, witness, election_id, signed, answer, tuple(sent))


def _ask(log: BoardLog, witness: WitnessEndpoint, election_id: str, signed: SignedCheckpoint, old: int,
         timeout: float) -> WitnessAnswer:
    proof = log.consistency_proof(election_id, old, signed.size).proof if 0 < old < signed.size else []
    return add_checkpoint(witness, AddCheckpoint(old, tuple(proof), signed.note), timeout)


def _keep(log: BoardLog, witness: WitnessEndpoint, election_id: str, signed: SignedCheckpoint, answer: WitnessAnswer,
          sent: tuple[int, ...]) -> Outcome:
    body = signed.checkpoint.body()
    try:
        text = answer.body.decode("utf-8")
    except UnicodeDecodeError:
        return Outcome(witness.name, election_id, signed.size, "bad_answer", 200, "the answer is not UTF-8", sent)
    verified, problems = [], []
    for line in text.splitlines(keepends=True):
        try:
            cosignature = witness.key.verify_line(body, line)
        except InvalidInput as exc:
            problems.append(exc.reason)
            continue
        if cosignature is not None:  # a line by another of the witness's keys is not ours to keep
            verified.append((witness.key, cosignature.line))
    if not verified:
        detail = "; ".join(problems) or "no cosignature by the witness's key in the answer"
        return Outcome(witness.name, election_id, signed.size, "bad_answer", 200, detail[:300], sent)
    log.store_cosignatures(election_id, signed.size, verified[:1])
    return Outcome(witness.name, election_id, signed.size, "cosigned", 200, "", sent)


class CheckpointCosigner:
    """The background loop; ``run_once`` is one round (tests call it directly)."""

    def __init__(self, log: BoardLog, policy: BoardWitnessPolicy, *, interval: float = 1.0, timeout: float = 5.0) -> None:
        self.log, self.policy, self.interval, self.timeout = log, policy, interval, timeout
        self.lease = CosignerLease(log.engine, log.clock, 2 * timeout + 3 * interval + 5)
        self._threads = min(MAX_THREADS, max(4, 2 * len(policy.witnesses)))
        self._pool = ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix="evote-cosign")
        self._failures: dict[str, int] = {}
        self._retry_at: dict[str, float] = {}
        self._running: dict[str, int] = {}  # requests under way per witness URL
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._guard = threading.Lock()

    # --- the loop ----------------------------------------------------------------------------------

    def start(self) -> None:
        with self._guard:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            if self._pid != os.getpid():  # forked (gunicorn --preload): the parent's threads did not come along
                self._pool = ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix="evote-cosign")
                self.lease = CosignerLease(self.log.engine, self.log.clock, self.lease.ttl_us / 1_000_000)
            self._pid = os.getpid()
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="evote-cosigner", daemon=True)
            self._thread.start()
            background.register(self)
        _log(logging.INFO, "cosigner_started", witnesses=[w.name for w in self.policy.witnesses],
             quorum=self.policy.quorum, interval=self.interval, timeout=self.timeout)

    def ensure_running(self) -> None:
        """Cheap; called before requests so that a forked worker starts its own loop."""
        if self._pid != os.getpid():
            self.start()

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2 * self.timeout + 5)
        try:
            self.lease.release()
        except Exception:  # noqa: BLE001 — at shutdown the database may be gone; the lease then just expires
            pass

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once(wait=False)
            except Exception as exc:  # noqa: BLE001 — a database hiccup must not end cosigning for good
                _log(logging.ERROR, "cosign_round_failed", error=f"{type(exc).__name__}: {str(exc)[:300]}")

    # --- one round ---------------------------------------------------------------------------------

    def run_once(self, wait: bool = True) -> list[Outcome] | None:
        """One round; None when another process holds the lease. The loop does not ``wait``: a witness whose
        requests are still running (a slow one, up to two timeouts) is left out of the next rounds until they
        end, and the other witnesses go on at every interval."""
        if not self.lease.acquire():
            return None
        now = time.monotonic()
        with self._guard:  # requests still running from earlier rounds (a slow witness); this round's own do not count
            busy = {url for url, running in self._running.items() if running}
        tasks = []
        for info in self.log.elections():
            if info.size == 0:
                continue
            held = self.log.witness_sizes(info.election_id)
            with self._guard:
                due = [w for w in self.policy.witnesses if held.get(w.key.to_string(), 0) < info.size
                       and self._retry_at.get(w.url, 0) <= now and w.url not in busy]
            if not due:
                continue
            signed = self.log.checkpoint(info.election_id, info.size)
            for witness in due:
                believed = held.get(witness.key.to_string(), 0)
                with self._guard:
                    self._running[witness.url] = self._running.get(witness.url, 0) + 1
                tasks.append(self._pool.submit(self._one, witness, info.election_id, signed, believed))
        return [task.result() for task in tasks] if wait else []

    def _one(self, witness: WitnessEndpoint, election_id: str, signed: SignedCheckpoint, believed: int) -> Outcome:
        started = time.monotonic()
        try:
            outcome = cosign_with(self.log, witness, election_id, signed, believed, self.timeout)
        except (BoardError, OSError) as exc:
            outcome = Outcome(witness.name, election_id, signed.size, "error", 0, f"{type(exc).__name__}: {str(exc)[:200]}")
        except Exception as exc:  # noqa: BLE001 — one witness's trouble never ends the round
            outcome = Outcome(witness.name, election_id, signed.size, "error", 0, f"{type(exc).__name__}: {str(exc)[:200]}")
        with self._guard:
            self._running[witness.url] -= 1
            self._note(witness.url, outcome)
        level = logging.INFO if outcome.status == "cosigned" else logging.WARNING
        _log(level, "cosign", status=outcome.status, election=election_id, size=signed.size, witness=witness.name,
             url=witness.url, http_status=outcome.http_status, old=list(outcome.old_sizes),
             ms=round(1000 * (time.monotonic() - started)), detail=outcome.detail)
        return outcome

    def failing_witnesses(self) -> list[str]:
        """The names of the witnesses whose last request from this process failed (for /healthz)."""
        return [w.name for w in self.policy.witnesses if self._failures.get(w.url)]

    def _note(self, url: str, outcome: Outcome) -> None:
        """Reset a witness's pause on success; lengthen it on failure (only the witness's own requests wait)."""
        if outcome.status == "cosigned":
            self._failures.pop(url, None)
            self._retry_at.pop(url, None)
            return
        failures = self._failures[url] = self._failures.get(url, 0) + 1
        self._retry_at[url] = time.monotonic() + min(MAX_BACKOFF_SECONDS, self.interval * 2 ** (failures - 1))
