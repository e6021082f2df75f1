"""Closing an election: refuse new ballots, wait a bounded grace for those being checked, append the close.

The rule (docs/board.md, "Closing an election"): a ballot counts only if its entry precedes
`election.closed` in the log; that is what the record shows and what the verifier checks (E.2, L.6). When
the close is requested, the board stops admitting ballots, lets the ballots whose proofs are already being
checked reach the log (for at most the grace), then appends the close entry. When a ballot started, or
when the close was asked for, is not in the record and decides nothing: only the log's order does.

Every worker shares this state through the database, never process memory:

* ``ballot_checks``: a ballot registers (a committed row) before its proofs are checked; its row goes
  away in the transaction that appends it, or when it is refused.
* ``election_closing``: a close request (a committed row) that expires, so a close whose worker died
  stops refusing ballots after ``grace + CLOSE_APPEND_SECONDS``.

Each side commits its own row and then reads the other's (a ballot: "is a close requested?"; the close:
"are ballots being checked?"), so at least one of two concurrent requests sees the other: a ballot is
either waited for or refused before its check, never checked and then refused for a close it could not
see. A worker that dies while checking leaves its row behind; the close waits for it at most the grace
and removes it. The scheduled close of a later issue calls :func:`close` too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select

from voting.record import rules_voting
from voting.record.phases import OPEN

from ..log import BoardLog
from ..log_types import AppendContext, AppendResult
from ..storage.engine import read_transaction, write_transaction
from ..storage.schema import ballot_checks, election_closing, elections
from .errors import Refused

__all__ = ["BallotCheck", "ballot_check", "close", "checks_in_progress", "CLOSE_APPEND_SECONDS", "POLL_SECONDS"]

MICROSECONDS = 1_000_000
POLL_SECONDS = 0.05
CLOSE_APPEND_SECONDS = 30  # after the grace, how long a close request may take to append before it is void
logger = logging.getLogger(__name__)


@dataclass
class BallotCheck:
    """One ballot's registration. ``refusal`` is set when it was not admitted (the election is closing or
    not open): then its proofs are not checked and only an identical resubmission gets an answer (its
    first receipt); ``appended`` is set once the append that removed the row has committed."""

    row_id: int | None
    refusal: Refused | None
    appended: bool = False

    def finish_in(self, ctx: AppendContext) -> None:
        """Remove the registration in the append's own transaction (called by the ballot's hook)."""
        if self.row_id is not None:
            ctx.connection.execute(delete(ballot_checks).where(ballot_checks.c.id == self.row_id))


@contextmanager
def ballot_check(log: BoardLog, election_id: str) -> Iterator[BallotCheck]:
    """Register a ballot before its proofs are checked; the row is removed when the block ends, unless the
    ballot's append removed it already."""
    with write_transaction(log.engine) as conn:
        inserted = conn.execute(insert(ballot_checks).values(election_id=election_id, started_at=log.clock()))
        row_id = inserted.inserted_primary_key[0]
    try:
        now = log.clock()
        with read_transaction(log.engine) as conn:  # after the commit above: sees any close committed before it
            state = conn.execute(select(elections.c.state).where(elections.c.id == election_id)).scalar()
            closing = conn.execute(
                select(func.count()).select_from(election_closing)
                .where(election_closing.c.election_id == election_id).where(election_closing.c.expires_at > now)
            ).scalar()  # fmt: skip
        refusal = None
        if closing:
            refusal = Refused(409, "election_closing", None, "the election is closing: the board accepts no new ballots")
        elif not rules_voting.ballot_allowed(state):
            refusal = Refused(409, "election_not_open", None, f"the election is not open for ballots (phase {state!r})")
        if refusal is not None:
            _remove_check(log, row_id)
            row_id = None
        check = BallotCheck(row_id, refusal)
    except BaseException:
        _remove_check(log, row_id)
        raise
    try:
        yield check
    finally:
        if check.row_id is not None and not check.appended:
            _remove_check(log, check.row_id)


def close(log: BoardLog, election_id: str, grace_seconds: float, append_close: Callable[[], AppendResult]) -> AppendResult:
    """Close an open election: from now on refuse new ballots, wait until no ballot is being checked (at
    most ``grace_seconds``), then ``append_close()`` (which appends `election.closed` under the election's
    rules). Ballots still being checked after the grace are refused by their hook (the election is closed).
    An election that is not open gets ``append_close()`` at once, and its rules answer."""
    requested = log.clock()
    expires = requested + int((grace_seconds + CLOSE_APPEND_SECONDS) * MICROSECONDS)
    with write_transaction(log.engine, election_id) as conn:
        state = conn.execute(select(elections.c.state).where(elections.c.id == election_id)).scalar()
        request_id = None
        if state == OPEN:
            values = {"election_id": election_id, "requested_at": requested, "expires_at": expires}
            request_id = conn.execute(insert(election_closing).values(**values)).inserted_primary_key[0]
    if request_id is None:
        return append_close()
    try:
        _wait_for_checks(log, election_id, time.monotonic() + grace_seconds)
        result = append_close()
    except BaseException:
        with write_transaction(log.engine) as conn:
            conn.execute(delete(election_closing).where(election_closing.c.id == request_id))
        raise
    with write_transaction(log.engine) as conn:  # closed: every close request and leftover registration is moot
        conn.execute(delete(election_closing).where(election_closing.c.election_id == election_id))
        conn.execute(delete(ballot_checks).where(ballot_checks.c.election_id == election_id))
    return result


def checks_in_progress(log: BoardLog, election_id: str) -> int:
    with read_transaction(log.engine) as conn:
        return conn.execute(
            select(func.count()).select_from(ballot_checks).where(ballot_checks.c.election_id == election_id)
        ).scalar()


def _wait_for_checks(log: BoardLog, election_id: str, deadline: float) -> None:
    while True:
        pending = checks_in_progress(log, election_id)
        if not pending:
            return
        if time.monotonic() >= deadline:
            logger.warning(
                "closing %s: %d ballot(s) still being checked after the grace; they will be refused", election_id, pending
            )
            return
        time.sleep(POLL_SECONDS)


def _remove_check(log: BoardLog, row_id: int | None) -> None:
    if row_id is not None:
        with write_transaction(log.engine) as conn:
            conn.execute(delete(ballot_checks).where(ballot_checks.c.id == row_id))
