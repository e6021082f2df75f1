"""Credentials and the voting period (record-format §8.2 rows credentials.* and election.*, §4).

Credentials are published and revoked before the election opens; it opens once every trustee confirmed the
key, with at least one credential left; ballots are appended only while it is open; it closes only while
open. Everything the board checks on a ballot's content is re-checked by sections 5-7 and E.

A credentials.published entry is the list in the election's version (§4.1): version 1 a list of keys;
version 2 (election.created has an eligibility object) the election's identifier and, for each key, a
ballot style of the manifest and a weight from 1 to eligibility.max_weight; keys distinct, in increasing
order, in both. credentials.revoked is a list of keys in both versions.
"""

from __future__ import annotations

from ...credential_list import parse_credential_list
from ...credentials import parse_public_key
from ...encoding import require_list
from ...record.anchors import parse_anchors_payload
from ...record.common import exact
from ...record.schedule import Schedule, parse_extension, parse_schedule
from .state import BEFORE_OPENING, CANCELLED, CLOSED, KEY_CEREMONY_FAILED, OPEN, READY, EntryFacts, Observed

MAX_LISTED_PER_ENTRY = 100_000  # record-format §8.2: one credentials entry lists at most this many keys


def _listed_keys(seen: Observed, payload: object) -> list[str]:
    body = exact(payload, "payload", {"credentials"})
    keys = require_list(body["credentials"], "credentials", min_len=1, max_len=MAX_LISTED_PER_ENTRY)
    for position, key in enumerate(keys):
        parse_public_key(key, f"credentials[{position}]")
    seen.need(keys == sorted(set(keys)), "lists distinct public keys in increasing order", "credentials")
    return keys


def credentials_published(seen: Observed, payload: object, facts: EntryFacts) -> None:
    seen.need_phase("credentials.published", *BEFORE_OPENING)
    seen.need(seen.election.registrar is None, "in an election with a registrar, only the registrar lists credentials")
    election = seen.election
    styles = [s.label for s in election.manifest.ballot_styles]
    keys = [c.public_key for c in parse_credential_list(payload, election.eligibility, election.election_id, styles)]
    seen.need(seen.listed.isdisjoint(keys), "lists a credential that is already published", "credentials")
    seen.listed.update(keys)


def credentials_revoked(seen: Observed, payload: object, facts: EntryFacts) -> None:
    seen.need_phase("credentials.revoked", *BEFORE_OPENING)
    seen.need(seen.election.registrar is None, "in an election with a registrar, only the registrar revokes credentials")
    keys = _listed_keys(seen, payload)
    seen.need(
        set(keys) <= seen.listed - seen.revoked, "revokes a credential that is not listed, or revoked already", "credentials"
    )
    seen.revoked.update(keys)


def anchors_published(seen: Observed, payload: object, facts: EntryFacts) -> None:
    """§10: trust anchors are published before the close, and name exactly the trustees of election.created
    with their identity keys (the board's signature on them is section W's, against the key the verifier trusts)."""
    seen.need_phase("anchors.published", *BEFORE_OPENING, OPEN)
    anchors = parse_anchors_payload(payload, seen.election)
    named = {index: key for index, key in anchors.trustees}
    registered = {t.index: t.identity_key.lower() for t in seen.election.trustees}
    seen.need(named == registered and len(named) == len(anchors.trustees),
              "the anchors must name each trustee of election.created with its identity key", "anchors")


def election_scheduled(seen: Observed, payload: object, facts: EntryFacts) -> None:
    """The schedule is set or changed before opening, never with its close already past (by the entry's time)."""
    seen.need_phase("election.scheduled", *BEFORE_OPENING)
    schedule = parse_schedule(payload, "payload")
    seen.need(facts.received_at is None or schedule.closes_at > facts.received_at, "the schedule closes in the past", "closes_at")
    seen.schedule = schedule


def election_extended(seen: Observed, payload: object, facts: EntryFacts) -> None:
    """While open, before the scheduled close: the close moves later."""
    seen.need_phase("election.extended", OPEN)
    seen.need(seen.schedule is not None, "only a scheduled election is extended")
    closes_at = parse_extension(payload)
    seen.need(closes_at > seen.schedule.closes_at, "the extension closes later than the schedule did", "closes_at")
    seen.need(facts.received_at is None or facts.received_at < seen.schedule.closes_at,
              "extended after the scheduled close had come", "closes_at")
    seen.schedule = Schedule(seen.schedule.opens_at, closes_at)


def election_opened(seen: Observed, payload: object, facts: EntryFacts) -> None:
    exact(payload, "payload", set())
    seen.need_phase("election.opened", READY)
    seen.need(bool(seen.listed - seen.revoked), "an election opens with at least one credential that is not revoked")
    seen.need(seen.schedule is None or facts.received_at is None or facts.received_at >= seen.schedule.opens_at,
              "opened before the schedule's opens_at")
    seen.phase = OPEN


def ballot(seen: Observed, payload: object, facts: EntryFacts) -> None:
    """ballot.cast and ballot.challenged: only while the election is open (its content: sections 5-7, E)."""
    seen.need_phase("a ballot", OPEN)
    if facts.received_at is not None:
        seen.need(ballots_in_window(seen, facts.received_at, facts.received_at), "received outside the schedule's voting window")
    if isinstance(payload, dict) and payload.get("action") == "cast" and isinstance(payload.get("credential"), str):
        seen.cast_by.add(payload["credential"])  # registrar.replaced refuses to replace it


def election_closed(seen: Observed, payload: object, facts: EntryFacts) -> None:
    exact(payload, "payload", set())
    seen.need_phase("election.closed", OPEN)
    seen.need(seen.schedule is None or facts.received_at is None or facts.received_at >= seen.schedule.closes_at,
              "closed before the schedule's closes_at")
    seen.phase = CLOSED


def election_cancelled(seen: Observed, payload: object, facts: EntryFacts) -> None:
    """Terminal, and only before tally.encrypted (after it, a cancel could suppress a result already read)."""
    reason = exact(payload, "payload", {"reason"})["reason"]
    seen.need(isinstance(reason, str) and 1 <= len(reason) <= 500 and reason == reason.strip() and reason.isprintable(),
              "a reason of 1 to 500 printable characters", "reason")
    seen.need_phase("election.cancelled", *BEFORE_OPENING, KEY_CEREMONY_FAILED, OPEN, CLOSED)
    seen.phase = CANCELLED


def ballots_in_window(seen: Observed, first: int | None, last: int | None) -> bool:
    """The schedule's rule for a run of ballots: each received inside [opens_at, closes_at) (the run's first
    and last times bound the others: received_at never decreases, B.4)."""
    if seen.schedule is None:
        return True
    return first is not None and last is not None and seen.schedule.opens_at <= first and last < seen.schedule.closes_at
