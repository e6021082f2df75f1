"""The verifier's rule table: each entry kind of record-format §8.2, who posts it, its step of section L,
and the rule that decides whether it was allowed where it stands. Dispatch is this table, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ...record.messages import open_message
from . import board_entries, chunks, key_ceremony, mix, registrar, tally, voting_period
from .chunks import ADMINISTRATOR, CHUNK, is_chunked
from .state import CANCELLED, EntryFacts, Observed, RuleBroken

ADMIN, TRUSTEE, VOTER, BOARD, REGISTRAR = "administrator", "trustee", "voter", "board operator", "registrar"
ADMIN_OR_TRUSTEE = "administrator or trustee"  # a chunk is posted the way its entry is (record-format §13)


@dataclass(frozen=True)
class Rule:
    kind: str
    by: str  # who posts it: ADMIN (with the admin token), TRUSTEE (signed, record-format §8.1), VOTER or BOARD (its operator)
    step: str  # the step of section L that reports it (docs/verification-checks.md)
    check: Callable[..., None]  # (seen, payload, facts) for administrator and voter kinds; (seen, signer, body) for trustees


RULES: dict[str, Rule] = {rule.kind: rule for rule in (
    Rule("election.created", ADMIN, "L.1", key_ceremony.election_created),
    Rule("keygen.commitments", TRUSTEE, "L.3", key_ceremony.commitments),
    Rule("keygen.shares", TRUSTEE, "L.3", key_ceremony.shares),
    Rule("keygen.checked", TRUSTEE, "L.3", key_ceremony.checked),
    Rule("keygen.share_revealed", TRUSTEE, "L.3", key_ceremony.share_revealed),
    Rule("keygen.result", ADMIN, "L.4", key_ceremony.result),
    Rule("keygen.confirmed", TRUSTEE, "L.3", key_ceremony.confirmed),
    Rule("credentials.published", ADMIN, "L.5", voting_period.credentials_published),
    Rule("credentials.revoked", ADMIN, "L.5", voting_period.credentials_revoked),
    Rule("anchors.published", ADMIN, "L.5", voting_period.anchors_published),
    Rule("board.key_transition", BOARD, "L.1", board_entries.key_transition),
    Rule("registrar.accepted", REGISTRAR, "L.5", registrar.accepted),
    Rule("registrar.roll", REGISTRAR, "L.5", registrar.roll),
    Rule("registrar.credentials", REGISTRAR, "L.5", registrar.credentials),
    Rule("registrar.revoked", REGISTRAR, "L.5", registrar.revoked),
    Rule("registrar.replaced", REGISTRAR, "L.5", registrar.replaced),
    Rule("registrar.erased", REGISTRAR, "L.5", registrar.erased),
    Rule("election.scheduled", ADMIN, "L.5", voting_period.election_scheduled),
    Rule("election.opened", ADMIN, "L.5", voting_period.election_opened),
    Rule("election.extended", ADMIN, "L.5", voting_period.election_extended),
    Rule("ballot.cast", VOTER, "L.6", voting_period.ballot),
    Rule("ballot.challenged", VOTER, "L.6", voting_period.ballot),
    Rule("election.closed", ADMIN, "L.5", voting_period.election_closed),
    Rule("election.cancelled", ADMIN, "L.5", voting_period.election_cancelled),
    Rule(CHUNK, ADMIN_OR_TRUSTEE, "L.10", chunks.chunk),
    Rule("mix.input", ADMIN, "L.11", mix.mix_input),
    Rule("mix.shuffled", TRUSTEE, "L.11", mix.mix_shuffled),
    Rule("tally.encrypted", ADMIN, "L.7", tally.tally_encrypted),
    Rule("decryption.share", TRUSTEE, "L.7", tally.decryption_share),
    Rule("decryption.challenge", ADMIN, "L.7", tally.decryption_challenge),
    Rule("decryption.response", TRUSTEE, "L.7", tally.decryption_response),
    Rule("decryption.failed", ADMIN, "L.8", tally.decryption_failed),
    Rule("tally.result", ADMIN, "L.9", tally.tally_result),
)}  # fmt: skip
KINDS_BY = {who: tuple(kind for kind, rule in RULES.items() if rule.by == who)
            for who in (ADMIN, TRUSTEE, VOTER, BOARD, REGISTRAR, ADMIN_OR_TRUSTEE)}  # fmt: skip


def open_trustee_entry(seen: Observed, kind: str, payload: Any) -> tuple[int, dict]:
    """L.2: the trustee's Ed25519 signature under its registered identity key (record-format §8.1)."""
    return open_message(seen.election, kind, payload)


def signed_by_trustee(rule: Rule, payload: Any) -> bool:
    """Whether an entry is a trustee's signed message (§8.1): a trustee kind, or a chunk in the signed form."""
    return rule.by == TRUSTEE or (rule.by == ADMIN_OR_TRUSTEE and isinstance(payload, dict) and "signature" in payload)


def whole_payload(seen: Observed, kind: str, payload: Any) -> Any:
    """A chunked entry's whole payload, its chunks used up (record-format §13); any other payload as it is. The
    chunks' poster must be the entry's: the administrator for its kinds, the signer of a trustee's message."""
    if not is_chunked(payload):
        return payload
    rule = RULES.get(kind)
    poster, whole = seen.chunks.resolve(kind, payload)
    if rule is not None and rule.by == TRUSTEE:
        signer, _ = open_trustee_entry(seen, kind, whole)
        seen.need(poster == signer, f"the chunks were posted by {poster}, the message is signed by trustee {signer}", "chunked")
    else:
        seen.need(poster == ADMINISTRATOR, "an administrator's entry is made of the administrator's chunks", "chunked")
    return whole


def apply_rule(seen: Observed, kind: str, payload: Any, facts: EntryFacts) -> None:
    """Check one entry against its rule and record it; raises RuleBroken (or an EncodingError) when refused. A
    chunked payload is put together first (record-format §13), then the entry's rule applies to the whole."""
    rule = RULES.get(kind)
    if rule is None:
        raise RuleBroken("kind", f"{kind!r} is not an entry kind of evote elections")
    if kind != "election.created":
        seen.need(seen.definition is not None, "the first entry of an election is election.created")
        seen.need(seen.phase != CANCELLED, "nothing follows election.cancelled")
    payload = whole_payload(seen, kind, payload)
    if rule.by == ADMIN_OR_TRUSTEE:
        if signed_by_trustee(rule, payload):
            rule.check(seen, *open_trustee_entry(seen, kind, payload), facts)
        else:
            rule.check(seen, ADMINISTRATOR, payload, facts)
    elif rule.by == TRUSTEE:
        signer, body = open_trustee_entry(seen, kind, payload)
        rule.check(seen, signer, body)
    elif rule.by == REGISTRAR:
        rule.check(seen, registrar.open_registrar_entry(seen, kind, payload), facts)
    else:
        rule.check(seen, payload, facts)
