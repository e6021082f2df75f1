"""An election's schedule (record-format §8.2, issue 18): when voting opens and closes, by the board's clock.

``"schedule": {"opens_at": T, "closes_at": T}`` in ``election.created`` or in an ``election.scheduled`` entry
(before opening), T a UTC time ``YYYY-MM-DDTHH:MM:SSZ``; ``election.extended`` ``{"closes_at": T}`` moves the
close later while open. The board opens the election itself at ``opens_at`` when it is ready, refuses ballots
outside ``[opens_at, closes_at)`` and appends the close itself at ``closes_at`` (bulletin_board/schedule.py).
This module only parses; the rules that use it are written twice (rules_voting.py and the verifier's own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from .common import RecordError, exact

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
SECOND_US = 1_000_000

__all__ = ["Schedule", "parse_schedule", "parse_time", "format_time", "parse_extension"]


def parse_time(value: object, field: str) -> int:
    """A UTC time ``YYYY-MM-DDTHH:MM:SSZ`` as microseconds since the Unix epoch (the unit of received_at)."""
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise RecordError(field, "a UTC time written YYYY-MM-DDTHH:MM:SSZ")
    try:
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise RecordError(field, "is not a real date and time") from None
    if moment.year < 2000:
        raise RecordError(field, "is before the year 2000")
    return int(moment.timestamp()) * SECOND_US


def format_time(us: int) -> str:
    return datetime.fromtimestamp(us // SECOND_US, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Schedule:
    opens_at: int  # microseconds since the epoch, UTC
    closes_at: int

    def to_json(self) -> dict[str, str]:
        return {"opens_at": format_time(self.opens_at), "closes_at": format_time(self.closes_at)}

    def admits(self, received_at: int) -> bool:
        """Whether a ballot received at ``received_at`` falls inside the voting window [opens_at, closes_at)."""
        return self.opens_at <= received_at < self.closes_at


def parse_schedule(value: object, field: str = "schedule") -> Schedule:
    obj = exact(value, field, {"opens_at", "closes_at"})
    opens, closes = parse_time(obj["opens_at"], f"{field}.opens_at"), parse_time(obj["closes_at"], f"{field}.closes_at")
    if closes <= opens:
        raise RecordError(f"{field}.closes_at", "the election closes after it opens")
    return Schedule(opens, closes)


def parse_extension(value: object) -> int:
    return parse_time(exact(value, "payload", {"closes_at"})["closes_at"], "closes_at")
