"""The credential authority's entries (record-format §11), in the verifier's own words (section L.5).

A registrar election: the registrar (named in election.created) accepts, commits to the roll, and lists
credentials before the election opens, never more in number, per ballot style or in weight than its roll
commitment; it revokes only before opening; while open it replaces only a listed credential that has cast no
ballot, by a new one of the same style and weight; it may state that it erased the private credentials.
Every such entry carries the registrar's signature (checked first); the administrator lists no credential.
"""

from __future__ import annotations

from collections import Counter

from ...record.registrar import (
    open_registrar_message,
    parse_credentials,
    parse_erased,
    parse_replaced,
    parse_revoked,
    parse_roll,
)
from .state import BEFORE_OPENING, OPEN, EntryFacts, Observed


def open_registrar_entry(seen: Observed, kind: str, payload: object) -> dict:
    """The registrar's Ed25519 signature under the key election.created names (record-format §11)."""
    return open_registrar_message(seen.election.registrar, seen.election.election_id, kind, payload)


def _styles(seen: Observed) -> set[str]:
    return {s.label for s in seen.election.manifest.ballot_styles}


def accepted(seen: Observed, body: dict, facts: EntryFacts) -> None:
    seen.need_phase("registrar.accepted", *BEFORE_OPENING)
    seen.need(not seen.registrar_accepted, "the registrar accepts once")
    named = seen.election.registrar
    seen.need(named is not None and body == {"name": named.name}, "names the registrar of election.created", "body")
    seen.registrar_accepted = True


def roll(seen: Observed, body: dict, facts: EntryFacts) -> None:
    seen.need_phase("registrar.roll", *BEFORE_OPENING)
    seen.need(seen.registrar_accepted and seen.roll is None, "one roll commitment, after registrar.accepted")
    seen.roll = parse_roll(body, _styles(seen))


def credentials(seen: Observed, body: dict, facts: EntryFacts) -> None:
    seen.need_phase("registrar.credentials", *BEFORE_OPENING)
    seen.need(seen.roll is not None, "credentials come after the roll commitment")
    listed = parse_credentials(body, seen.election.eligibility, seen.election.election_id, _styles(seen))
    seen.need(seen.listed.isdisjoint(c.public_key for c in listed), "lists a credential that is already listed", "credentials")
    after = {**seen.listed_as, **{c.public_key: (c.style, c.weight) for c in listed}}
    per_style = Counter(style for style, _ in after.values())
    seen.need(len(after) <= seen.roll.voters, "more credentials than voters on the committed roll", "credentials")
    seen.need(all(n <= seen.roll.voters_per_style.get(s, 0) for s, n in per_style.items()),
              "more credentials of a ballot style than the committed roll has voters of it", "credentials")
    seen.need(sum(w for _, w in after.values()) <= seen.roll.total_weight, "more weight than the committed roll", "credentials")
    seen.listed_as = after
    seen.listed.update(after)


def revoked(seen: Observed, body: dict, facts: EntryFacts) -> None:
    seen.need_phase("registrar.revoked", *BEFORE_OPENING)
    keys = parse_revoked(body)
    seen.need(set(keys) <= seen.listed - seen.revoked, "revokes a credential that is not listed, or revoked already", "credentials")
    seen.revoked.update(keys)


def replaced(seen: Observed, body: dict, facts: EntryFacts) -> None:
    seen.need_phase("registrar.replaced", OPEN)
    replacement = parse_replaced(body, seen.election.eligibility, seen.election.election_id, _styles(seen))
    seen.need(replacement.old in seen.listed_as and replacement.old not in seen.revoked, "replaces a listed credential", "old")
    seen.need(seen.listed_as[replacement.old] == (replacement.new.style, replacement.new.weight),
              "the new credential keeps the old one's style and weight", "new")
    seen.need(replacement.new.public_key not in seen.listed, "the new credential is new", "new.public_key")
    seen.need(replacement.old not in seen.cast_by, "the old credential cast a ballot: it cannot be replaced", "old")
    seen.revoked.add(replacement.old)
    seen.listed_as[replacement.new.public_key] = (replacement.new.style, replacement.new.weight)
    seen.listed.add(replacement.new.public_key)


def erased(seen: Observed, body: dict, facts: EntryFacts) -> None:
    seen.need(seen.registrar_accepted, "the registrar erases after accepting")
    parse_erased(body)
