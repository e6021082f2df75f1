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
from .state import BEFORE_OPENING, CLOSED, OPEN, READY, EntryFacts, Observed

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


def election_opened(seen: Observed, payload: object, facts: EntryFacts) -> None:
    exact(payload, "payload", set())
    seen.need_phase("election.opened", READY)
    seen.need(bool(seen.listed - seen.revoked), "an election opens with at least one credential that is not revoked")
    seen.phase = OPEN


def ballot(seen: Observed, payload: object, facts: EntryFacts) -> None:
    """ballot.cast and ballot.challenged: only while the election is open (its content: sections 5-7, E)."""
    seen.need_phase("a ballot", OPEN)
    if isinstance(payload, dict) and payload.get("action") == "cast" and isinstance(payload.get("credential"), str):
        seen.cast_by.add(payload["credential"])  # registrar.replaced refuses to replace it


def election_closed(seen: Observed, payload: object, facts: EntryFacts) -> None:
    exact(payload, "payload", set())
    seen.need_phase("election.closed", OPEN)
    seen.phase = CLOSED
