"""The board's rules for credentials and the voting period (record-format §8.2 rows credentials.* and
election.*, §4): lists before opening, opening once the key is confirmed, ballots while open, closing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..credential_list import ListedCredential
from ..credential_list import parse_credential_list as parse_listed
from ..credentials import parse_public_key
from ..encoding import require_list
from .anchors import parse_anchors_payload, trustee_lines
from .common import exact
from .phases import (
    ANCHORS_PUBLISHED,
    CANCELLED,
    CANCELLED_PHASE,
    CLOSED,
    CLOSED_PHASE,
    CONFIRMING,
    CREDENTIALS_PUBLISHED,
    CREDENTIALS_REVOKED,
    EXTENDED,
    KEYGEN,
    KEYGEN_FAILED,
    OPEN,
    OPENED,
    READY,
    SCHEDULED,
    RuleViolation,
)
from .schedule import Schedule, parse_extension, parse_schedule

if TYPE_CHECKING:
    from .lifecycle import ElectionState

MAX_CREDENTIALS_PER_ENTRY = 100_000


def parse_key_list(body: dict) -> list[str]:
    """A list of public keys in increasing order (credentials.revoked, and the version-1 credential list)."""
    obj = exact(body, "payload", {"credentials"})
    keys = require_list(obj["credentials"], "credentials", min_len=1, max_len=MAX_CREDENTIALS_PER_ENTRY)
    for position, key in enumerate(keys):
        parse_public_key(key, f"credentials[{position}]")
    if keys != sorted(set(keys)):
        raise RuleViolation("credentials", "distinct public keys in increasing order")
    return keys


def credentials_published(state: ElectionState, body: dict, _: bytes) -> list[ListedCredential]:
    """The credential list in the election's version (record-format §4.1): keys new to the election; in
    version 2 each with a style of the manifest and a weight up to eligibility.max_weight."""
    state.require_phase(CREDENTIALS_PUBLISHED, KEYGEN, CONFIRMING, READY)
    definition = state.definition
    state.require(definition.registrar is None, "this election's credentials are listed by its registrar only (registrar.credentials)")
    listed = parse_listed(body, definition.eligibility, definition.election_id, (s.label for s in definition.manifest.ballot_styles))
    already = state.credentials.keys() & {c.public_key for c in listed}
    state.require(not already, "lists a credential that is already published", "credentials")
    state.credentials.update((c.public_key, c) for c in listed)
    return listed


def credentials_revoked(state: ElectionState, body: dict, _: bytes) -> list[str]:
    state.require_phase(CREDENTIALS_REVOKED, KEYGEN, CONFIRMING, READY)
    state.require(state.definition.registrar is None, "this election's credentials are revoked by its registrar only (registrar.revoked)")
    keys = parse_key_list(body)
    state.require(set(keys) <= state.credentials.keys() - state.revoked, "revokes a credential that is not on the list", "credentials")
    state.revoked.update(keys)
    return keys


def anchors_published(state: ElectionState, body: dict, _: bytes) -> None:
    """The election's trust anchors (record-format §10), any time before the close: about this election's log,
    naming exactly election.created's trustees with their identity keys. (The board checks its own signature
    on them when it appends: bulletin_board/elections/anchors.py.)"""
    state.require_phase(ANCHORS_PUBLISHED, KEYGEN, CONFIRMING, READY, OPEN)
    anchors = parse_anchors_payload(body, state.definition)
    state.require(anchors.trustees == trustee_lines(state.definition),
                  "the anchors' trustee lines must be election.created's trustees with their identity keys", "anchors")


def election_scheduled(state: ElectionState, body: dict, _: bytes) -> None:
    """Set or change the schedule before opening (record-format §8.2); its close is not already past."""
    state.require_phase(SCHEDULED, KEYGEN, CONFIRMING, READY)
    schedule = parse_schedule(body, "payload")
    state.require(state.now is None or schedule.closes_at > state.now, "the schedule closes in the past", "closes_at")
    state.schedule = schedule


def election_extended(state: ElectionState, body: dict, _: bytes) -> None:
    """Move the close later while open, before the scheduled close has come."""
    state.require_phase(EXTENDED, OPEN)
    state.require(state.schedule is not None, "only a scheduled election is extended", "kind")
    closes_at = parse_extension(body)
    state.require(closes_at > state.schedule.closes_at, "an extension closes later than the schedule did", "closes_at")
    state.require(state.now is None or state.now < state.schedule.closes_at, "the scheduled close has come: too late to extend",
                  "closes_at")
    state.schedule = Schedule(state.schedule.opens_at, closes_at)


def election_opened(state: ElectionState, body: dict, _: bytes) -> None:
    exact(body, "payload", set())
    state.require_phase(OPENED, READY)
    state.require(bool(state.eligible_credentials), "the election opens with at least one published credential")
    state.require(state.schedule is None or state.now is None or state.now >= state.schedule.opens_at,
                  "the schedule opens the election later")
    state.phase = OPEN


def election_closed(state: ElectionState, body: dict, _: bytes) -> None:
    exact(body, "payload", set())
    state.require_phase(CLOSED, OPEN)
    state.require(state.schedule is None or state.now is None or state.now >= state.schedule.closes_at,
                  "the schedule closes the election later (extend it, or cancel the election)")
    state.phase = CLOSED_PHASE


def election_cancelled(state: ElectionState, body: dict, _: bytes) -> None:
    """Terminal, and only before the encrypted tally: after it the decryption would reveal enough to compute
    the result, so a cancel could suppress a result already read (record-format §8.2)."""
    reason = exact(body, "payload", {"reason"})["reason"]
    state.require(isinstance(reason, str) and 1 <= len(reason) <= 500 and reason == reason.strip() and reason.isprintable(),
                  "a reason of 1 to 500 printable characters", "reason")
    state.require_phase(CANCELLED, KEYGEN, KEYGEN_FAILED, CONFIRMING, READY, OPEN, CLOSED_PHASE)
    state.phase = CANCELLED_PHASE


def ballot_in_window(schedule: Schedule | None, received_at: int) -> bool:
    """The board's schedule rule for ballots: inside [opens_at, closes_at) by the board's clock (the ballot
    hook asks this under the log's lock, with the entry's received_at)."""
    return schedule is None or schedule.admits(received_at)


def ballot_allowed(phase: str) -> bool:
    """The board's phase rule for ballot.cast and ballot.challenged: only while the election is open. The
    ballot hook (bulletin_board/elections/ballots.py) asks this under the log's lock."""
    return phase == OPEN


def ballot_style_allowed(listed_style: str | None, style: str) -> bool:
    """The board's style rule: a credential of a version-2 list votes only its own ballot style (a
    version-1 credential, style None, any style). The ballot hook asks this under the log's lock."""
    return listed_style is None or listed_style == style


def weights_of(state: ElectionState) -> dict[str, int] | None:
    """Each eligible credential's weight for the tally (record-format §8.3); None for version-1 elections,
    whose tally carries no weights."""
    if not state.definition.styles_bound:
        return None
    return {key: c.weight for key, c in state.credentials.items() if key not in state.revoked}


def ballot(state: ElectionState, kind: str) -> None:
    """ballot.cast and ballot.challenged in a replay: the phase rule (the ballot hook checks the rest)."""
    state.require(ballot_allowed(state.phase), f"{kind} is not allowed in phase {state.phase or 'none'!r}")
