"""Section W, the schedule's close as the witnesses saw it (issue 18: "the board's own received_at is the
operator's word; with witnesses, the cosignature timestamps bound it, and the verifier says which it relied on").

A cosignature/v1 states that, at its time, the witness had seen the log up to the checkpoint's size. So a
checkpoint covering every ballot before ``election.closed``, cosigned by a quorum of the policy's witnesses at
times no later than the schedule's ``closes_at``, proves from outside the board that those ballots were on the
log in time. When no such checkpoint is in the record, the ballots' times rest on the board's clock alone
(``received_at``, checked by L.6): this step then warns and says so. It never fails an election on its own:
a witness that was slow to cosign is not evidence of a late ballot.
"""

from __future__ import annotations

from typing import Iterator

from bulletin_board.log_format.checkpoint import parse_checkpoint
from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.note import parse_note

from ...errors import VotingError
from ...record.schedule import Schedule, format_time, parse_extension, parse_schedule
from ..findings import Finding, not_applicable, passed, warning
from ..model import CannotRun, ElectionRecord, require
from ..model_evote import BallotRun, ControlEntry
from ..readers.evote_cosigned import CHECKPOINTS
from ..witnesses import assess, utc
from .witnesses import _board_keys


def w4_close_witnessed(record: ElectionRecord) -> Iterator[Finding]:
    """Section W (Witnesses and trust anchors), the schedule's close.

    (W.4) When the election has a schedule and was closed, a checkpoint of the record (checkpoints.jsonl)
    covering every ballot before election.closed carries a quorum of valid cosignatures by the policy's
    witnesses dated no later than the schedule's closes_at: the witnesses, not only the board's clock, place
    the counted ballots before the close. Otherwise a warning says the ballots' times rest on the board's
    received_at alone (checked by L.6).
    """
    parts = require(record.evote, "evote board export")
    trust = parts.trust
    if trust is None:
        raise CannotRun("no witness policy was given")
    schedule, last_ballot, closed = _schedule_and_close(parts.events)
    if schedule is None or closed is None:
        yield not_applicable("W.4", "the close", "the election has no schedule, or was not closed")
        return
    subject = "the scheduled close"
    if trust.policy.quorum == 0:
        yield not_applicable("W.4", subject, "the witness policy names no quorum: only the board's clock can place the ballots")
        return
    if last_ballot is None:
        yield not_applicable("W.4", subject, "no ballot was cast before the close")
        return
    cosigned = parts.export.cosigned if isinstance(parts.export.cosigned, tuple) else ()
    found = witnessed_before(schedule.closes_at, last_ballot, cosigned, trust.policy, _board_keys(parts.export), trust.now, trust.skew)
    if found is not None:
        size, when = found
        yield passed("W.4", subject, f"the checkpoint of size {size}, covering every ballot up to seq {last_ballot}, was "
                     f"cosigned by {trust.policy.quorum} witnesses by {utc(when)}, no later than closes_at "
                     f"{format_time(schedule.closes_at)}: the witnesses place the counted ballots before the close", CHECKPOINTS)
        return
    yield warning("W.4", subject, f"no checkpoint covering the ballots up to seq {last_ballot} was cosigned by "
                  f"{trust.policy.quorum} witnesses by closes_at {format_time(schedule.closes_at)}: the ballots' times rest "
                  "on the board's clock (received_at, L.6) alone", CHECKPOINTS)


def witnessed_before(closes_at: int, last_ballot: int, notes, policy, board_keys, now: int, skew: int) -> tuple[int, int] | None:
    """The smallest checkpoint covering seq ``last_ballot`` on which a quorum of the policy's witnesses
    cosigned no later than ``closes_at`` (microseconds): (its size, the quorum's latest time in seconds)."""
    sized = sorted((size, note) for note in notes if (size := _size(note)) is not None)
    for size, note in sized:
        if size <= last_ballot:
            continue
        assessment = assess(note, policy, board_keys, now, skew)
        times = sorted(s.cosignature.timestamp for s in assessment.valid if s.cosignature is not None)
        if policy.quorum and assessment.met and times[policy.quorum - 1] * 1_000_000 <= closes_at:
            return size, times[policy.quorum - 1]
    return None


def _size(note: str) -> int | None:
    try:
        return parse_checkpoint(parse_note(note).text).size
    except BoardError:
        return None


def _schedule_and_close(events) -> tuple[Schedule | None, int | None, int | None]:
    """The schedule in force at the close, the seq of the last ballot before it, and the close's seq."""
    schedule: Schedule | None = None
    last_ballot: int | None = None
    for event in events:
        if isinstance(event, BallotRun):
            last_ballot = event.last_seq
            continue
        if not isinstance(event, ControlEntry) or not isinstance(event.payload, dict):
            continue
        try:
            if event.kind == "election.created" and "schedule" in event.payload:
                schedule = parse_schedule(event.payload["schedule"])
            elif event.kind == "election.scheduled":
                schedule = parse_schedule(event.payload, "payload")
            elif event.kind == "election.extended" and schedule is not None:
                schedule = Schedule(schedule.opens_at, parse_extension(event.payload))
            elif event.kind == "election.closed":
                return schedule, last_ballot, event.seq
        except VotingError:
            continue  # L.1 and L.5 report a schedule that does not parse
    return schedule, last_ballot, None
