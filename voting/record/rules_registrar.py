"""The board's rules for the credential authority's entries (record-format §11; the verifier has its own,
voting/verifier/rules/registrar.py).

In an election that names a registrar: the registrar accepts the role, commits to the roll, then lists
credentials (never more, per style or in weight, than its roll commitment declares), all before the election
opens; it may revoke before opening; while open it may only replace a credential that has cast no ballot, by
a new one of the same style and weight; it may state that it erased the private credentials at any time
after accepting. The administrator's credentials.published and credentials.revoked are refused there
(rules_voting). Signatures are checked before these rules run (registrar.open_registrar_message).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Callable

from .phases import CONFIRMING, KEYGEN, OPEN, READY
from .registrar import parse_credentials, parse_erased, parse_replaced, parse_revoked, parse_roll

if TYPE_CHECKING:
    from .lifecycle import ElectionState

BEFORE_OPENING = (KEYGEN, CONFIRMING, READY)


def _styles(state: ElectionState) -> set[str]:
    return {s.label for s in state.definition.manifest.ballot_styles}


def accepted(state: ElectionState, body: dict, _: bytes, has_cast: Callable[[str], bool] | None = None) -> None:
    state.require_phase("registrar.accepted", *BEFORE_OPENING)
    state.require(not state.registrar_accepted, "the registrar accepts the role once", "kind")
    state.require(body == {"name": state.definition.registrar.name}, "the body is {\"name\": <the registrar's name in election.created>}", "body")
    state.registrar_accepted = True


def roll(state: ElectionState, body: dict, _: bytes, has_cast: Callable[[str], bool] | None = None) -> None:
    state.require_phase("registrar.roll", *BEFORE_OPENING)
    state.require(state.registrar_accepted and state.roll is None, "the roll is committed once, after registrar.accepted", "kind")
    state.roll = parse_roll(body, _styles(state))


def credentials(state: ElectionState, body: dict, _: bytes, has_cast: Callable[[str], bool] | None = None) -> list:
    state.require_phase("registrar.credentials", *BEFORE_OPENING)
    state.require(state.roll is not None, "credentials are listed after the roll commitment (registrar.roll)", "kind")
    listed = parse_credentials(body, state.definition.eligibility, state.definition.election_id, _styles(state))
    state.require(not state.credentials.keys() & {c.public_key for c in listed}, "lists a credential that is already listed", "credentials")
    everyone = list(state.credentials.values()) + listed
    per_style = Counter(c.style for c in everyone)
    state.require(len(everyone) <= state.roll.voters, f"more credentials than the roll's {state.roll.voters} voters", "credentials")
    state.require(all(per_style[s] <= state.roll.voters_per_style.get(s, 0) for s in per_style),
                  "more credentials of a style than the roll commitment declares", "credentials")
    state.require(sum(c.weight for c in everyone) <= state.roll.total_weight, "more weight than the roll commitment declares",
                  "credentials")
    state.credentials.update((c.public_key, c) for c in listed)
    return listed


def revoked(state: ElectionState, body: dict, _: bytes, has_cast: Callable[[str], bool] | None = None) -> list[str]:
    state.require_phase("registrar.revoked", *BEFORE_OPENING)
    keys = parse_revoked(body)
    state.require(set(keys) <= state.credentials.keys() - state.revoked, "revokes a credential that is not listed, or revoked already",
                  "credentials")
    state.revoked.update(keys)
    return keys


def replaced(state: ElectionState, body: dict, _: bytes, has_cast: Callable[[str], bool] | None = None):
    """While open, a lost card: the old credential has cast no ballot (``has_cast``, from the board's ballot
    index; a replay that cannot know passes None), the new one has its style and weight and is new."""
    state.require_phase("registrar.replaced", OPEN)
    replacement = parse_replaced(body, state.definition.eligibility, state.definition.election_id, _styles(state))
    old = state.credentials.get(replacement.old)
    state.require(old is not None and replacement.old not in state.revoked, "replaces a credential that is not listed, or revoked", "old")
    state.require((replacement.new.style, replacement.new.weight) == (old.style, old.weight),
                  "the new credential has the old one's ballot style and weight", "new")
    state.require(replacement.new.public_key not in state.credentials, "the new credential is already listed", "new.public_key")
    state.require(has_cast is None or not has_cast(replacement.old), "the old credential has cast a ballot: it cannot be replaced", "old")
    state.revoked.add(replacement.old)
    state.credentials[replacement.new.public_key] = replacement.new
    return replacement


def erased(state: ElectionState, body: dict, _: bytes, has_cast: Callable[[str], bool] | None = None) -> None:
    state.require(state.registrar_accepted, "the registrar erases after accepting the role", "kind")
    parse_erased(body)
    state.registrar_erased = True
