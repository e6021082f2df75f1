"""How many ballots one credential may add to an election's board, counted inside the append.

The count runs in the ballot's ``check`` hook, under the log's lock that serialises appends, from the board's
own ballot index and the entries' ``received_at``: the credential's ballots of the same kind whose entries
lie in the window that ends at the new entry's time. So the limit holds exactly however many requests
arrive at once and however many workers serve them, and only what the board appended is counted: junk
never reaches the hook, and an identical resubmission is answered with its first receipt before the count.

Three kinds are counted apart (docs/board.md, "Rate limits and abuse"): casts; challenges with their
reveal, which anyone can check and which cost the board little; sealed challenges (no reveal), which the
trustees must decrypt at the tally, so they are limited tightly. Challenging never uses up casting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Connection, and_, select

from voting.record.submission import CAST, Submission

from ..storage.schema import ballot_index, entries
from .errors import Refused

__all__ = ["Window", "CredentialLimits", "LimitReached", "check_allowance", "CASTS", "CHALLENGES", "SEALED_CHALLENGES"]

CASTS, CHALLENGES, SEALED_CHALLENGES = "casts", "challenges", "sealed_challenges"
MICROSECONDS = 1_000_000

# What a voter reads (the booth shows its own translation of these, keyed by the code): plain words, no
# setting, no number of seconds.
MESSAGES = {
    CASTS: "This voting card has been used for too many ballots in a short time. Please wait a while and try "
    "again, or contact the election's organizers.",
    CHALLENGES: "This voting card has been used to challenge too many ballots in a short time. You can still "
    "cast your ballot; to challenge again, please wait a while, or contact the election's organizers.",
    SEALED_CHALLENGES: "This voting card has been used for too many challenged ballots that do not reveal their "
    "choices. You can still cast your ballot, or challenge with the choices revealed; please contact the "
    "election's organizers.",
}


@dataclass(frozen=True)
class Window:
    """At most ``amount`` ballots of one kind in any ``seconds`` (the entries' ``received_at``)."""

    amount: int
    seconds: int


@dataclass(frozen=True)
class CredentialLimits:
    """The windows of each kind; an empty tuple means that kind is not limited."""

    casts: tuple[Window, ...] = ()
    challenges: tuple[Window, ...] = ()  # with their reveal
    sealed_challenges: tuple[Window, ...] = ()

    def windows(self, kind: str) -> tuple[Window, ...]:
        return {CASTS: self.casts, CHALLENGES: self.challenges, SEALED_CHALLENGES: self.sealed_challenges}[kind]


class LimitReached(Refused):
    """429: the credential used up one of its windows; ``retry_after`` is when the oldest ballot leaves it."""

    def __init__(self, kind: str, retry_after: int) -> None:
        super().__init__(429, f"rate_limited_{kind}", "credential", MESSAGES[kind])
        self.kind = kind
        self.retry_after = retry_after

    def __reduce__(self):
        return LimitReached, (self.kind, self.retry_after)


def kind_of(submission: Submission) -> str:
    if submission.action == CAST:
        return CASTS
    return SEALED_CHALLENGES if submission.reveal is None else CHALLENGES


def check_allowance(conn: Connection, election_id: str, submission: Submission, limits: CredentialLimits, now_us: int) -> None:
    """Raise :class:`LimitReached` when appending ``submission`` at ``now_us`` would exceed a window.

    Runs inside the append's transaction, under the lock: the rows it counts are exactly the ballots the
    board appended before this one, including those earlier in the same group commit.
    """
    kind = kind_of(submission)
    same_kind = and_(
        ballot_index.c.election_id == election_id,
        ballot_index.c.credential == submission.credential,
        ballot_index.c.action == submission.action,
    )
    if submission.action != CAST:
        same_kind = and_(same_kind, ballot_index.c.revealed.is_(kind == CHALLENGES))
    joined = ballot_index.join(
        entries, and_(entries.c.election_id == ballot_index.c.election_id, entries.c.seq == ballot_index.c.seq)
    )
    for window in limits.windows(kind):
        length = window.seconds * MICROSECONDS
        times = conn.execute(
            select(entries.c.received_at).select_from(joined).where(same_kind).where(entries.c.received_at > now_us - length)
            .order_by(entries.c.received_at)
        ).scalars().all()  # fmt: skip
        if len(times) >= window.amount:
            # the window has room again once all but amount - 1 of these have left it
            leaves_at = times[len(times) - window.amount] + length if window.amount else now_us + length
            raise LimitReached(kind, max(1, math.ceil((leaves_at - now_us) / MICROSECONDS)))
