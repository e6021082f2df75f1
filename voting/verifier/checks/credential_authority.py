"""Section E (Eligibility and counting): who issued the credentials (docs/record-format.md §11, issue 17).

An election that names a credential authority ("registrar") in election.created has its credentials listed,
revoked and replaced only by entries the registrar signed: the administrator alone cannot add a voter. E.9
checks that authority — the key election.created names is the one the observer obtained out of band
(``--registrar-key``, or the trust anchors' ``registrar`` line), and every entry that lists, revokes or
replaces a credential carries the registrar's signature. E.10 sets what was issued beside what the registrar
committed to (``registrar.roll``: voters, voters per ballot style, total weight): more is a failure, fewer
is reported (voters without a card), as are revocations, replacements and the registrar's erasure
statement. An election without a registrar is reported as such, as a warning: its administrator issued the
credentials alone.

The section L rules (L.5) refuse the same entries; these steps say what the list is worth, in numbers, and
name the entry at fault.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterator

from ...credential_list import parse_credential_list
from ...errors import EncodingError
from ...record import registrar as rg
from ..findings import Finding, failed, not_applicable, passed, warning
from ..model import ElectionRecord, require
from ..model_evote import ControlEntry, CountedBallots, EvoteParts
from .credential_lists import CREATED, PUBLISHED, REVOKED, list_in_force, registrar_of, signed_body

ALONE = (
    "the election names no independent credential authority (registrar, record-format §11): the administrator "
    "issued the credentials alone, so the administrator could have kept credentials nobody received and cast "
    "ballots with them for voters who did not vote; no check of this record can tell such a ballot from a "
    "voter's (docs/threat-model.md)"
)
LISTING = (PUBLISHED, REVOKED, rg.CREDENTIALS, rg.REVOKED, rg.REPLACED)


def _where(entry: ControlEntry) -> str:
    return f"entries.jsonl: seq {entry.seq} ({entry.kind})"


def e9_e10_credential_authority(record: ElectionRecord) -> Iterator[Finding]:
    """Section E (Eligibility and counting), who issued the credentials.

    (E.9) In an election whose election.created names a registrar (record-format §11): its key is the one
    obtained out of band (--registrar-key, or the trust anchors' registrar line) when one is given; every
    entry that lists, revokes or replaces a credential is a registrar.credentials, registrar.revoked or
    registrar.replaced whose Ed25519 signature verifies under that key (an administrator's
    credentials.published or credentials.revoked fails, naming the entry); the count of credentials they
    list is reported. An election without a registrar is reported as a warning: the administrator issued
    the credentials alone.
    (E.10) The credentials the registrar listed are within its roll commitment (registrar.roll): in number,
    per ballot style and in total weight; fewer credentials in force than voters on the roll is a warning
    (voters without a card); revocations, replacements and whether the registrar stated that it erased the
    private credentials (registrar.erased) are reported; a replaced credential had cast no ballot before its
    replacement.
    """
    parts: EvoteParts = require(record.evote, "evote election entries")
    created = parts.first(CREATED)
    if created is None:
        yield failed("E.9", "credential authority", "not verified: the record has no election.created (L.1)", "entries.jsonl")
        yield failed("E.10", "roll commitment", "not verified: the record has no election.created (L.1)", "entries.jsonl")
        return
    payload = created.payload if isinstance(created.payload, dict) else {}
    named = registrar_of(payload)
    if named is None:
        yield from _no_registrar(parts, created, "registrar" in payload)
        return
    yield from _e9_authority(parts, created, named)
    yield from _e10_roll(parts, named)


def _no_registrar(parts: EvoteParts, created: ControlEntry, unreadable: bool) -> Iterator[Finding]:
    where = _where(created)
    if unreadable:
        yield failed("E.9", "credential authority", "election.created's registrar cannot be read (L.1)", where)
    elif parts.registrar_key is not None:
        yield failed("E.9", "credential authority", "a registrar key was given out of band, but election.created names no "
                     f"registrar: {ALONE}", where, expected=f"registrar key {parts.registrar_key} ({parts.registrar_key_origin})",
                     found="no registrar")
    else:
        yield warning("E.9", "credential authority", ALONE, where)
    yield not_applicable("E.10", "roll commitment", "the election names no registrar, so no roll was committed to (E.9)")


def _e9_authority(parts: EvoteParts, created: ControlEntry, named: rg.Registrar) -> Iterator[Finding]:
    where = _where(created)
    subject = f"registrar {named.name!r}"
    if parts.registrar_key is None:
        yield warning("E.9", subject, f"election.created names the registrar key {named.public_key}, not compared with a key "
                      "obtained out of band (--registrar-key): an administrator who named a key of its own is the "
                      "registrar", where)
    elif parts.registrar_key.upper() != named.public_key.upper():
        yield failed("E.9", subject, "election.created names another registrar key than the one obtained out of band: "
                     "whoever holds that key issued the credentials", where,
                     expected=f"{parts.registrar_key.upper()} ({parts.registrar_key_origin})", found=named.public_key)
    else:
        yield passed("E.9", subject, f"election.created names the registrar key {named.public_key}, the one given "
                     f"({parts.registrar_key_origin})", where)
    election_id = parts.election_id
    entries, listed, clean = 0, 0, True
    for entry in parts.control(*LISTING):
        if entry.kind in (PUBLISHED, REVOKED):
            clean = False
            instead = rg.CREDENTIALS if entry.kind == PUBLISHED else rg.REVOKED
            yield failed("E.9", f"entry seq {entry.seq} ({entry.kind})", "a credential list entry without the registrar's "
                         f"signature: in an election with a registrar only its signed {instead} entries list or revoke "
                         "credentials", _where(entry), expected=f"{instead} signed by the registrar key {named.public_key}",
                         found=f"{entry.kind}, posted with the administrator's token")
            continue
        body = signed_body(named, election_id, entry.kind, entry.payload)
        if body is None:
            clean = False
            yield failed("E.9", f"entry seq {entry.seq} ({entry.kind})", "the entry does not carry the registrar's signature "
                         "(Ed25519 under the key election.created names, record-format §11)", f"{_where(entry)}: signature",
                         expected=f"a signature by {named.public_key}", found=_signature_of(entry.payload))
            continue
        entries += 1
        if entry.kind == rg.CREDENTIALS:
            listed += len(_credentials(body, parts, election_id))
        elif entry.kind == rg.REPLACED:
            listed += 1
    if clean:
        yield passed("E.9", "credential list entries", f"{listed} credentials listed in {entries} entries, every credential "
                     f"list, revocation and replacement signed by the registrar {named.public_key}", "entries.jsonl")


def _signature_of(payload: object) -> str:
    signature = payload.get("signature") if isinstance(payload, dict) else None
    return f"signature {signature}" if isinstance(signature, str) else "no readable signature"


def _styles(parts: EvoteParts) -> list[str]:
    """The manifest's ballot style labels, as election.created states them."""
    created = parts.first(CREATED)
    manifest = created.payload.get("manifest") if created is not None and isinstance(created.payload, dict) else None
    raw = manifest.get("ballot_styles") if isinstance(manifest, dict) else None
    return [s["label"] for s in raw if isinstance(s, dict) and isinstance(s.get("label"), str)] if isinstance(raw, list) else []


def _credentials(body: dict, parts: EvoteParts, election_id: str | None) -> list:
    eligibility = list_in_force(parts).eligibility
    if eligibility is None or not isinstance(election_id, str):
        return []
    try:
        return parse_credential_list(body, eligibility, election_id, _styles(parts))
    except (EncodingError, ValueError, TypeError):
        return []  # L.5 refuses it


@dataclass(frozen=True)
class Issued:
    """What the registrar issued, beside its roll commitment (E.10 and the report's statistics)."""

    roll_entry: ControlEntry | None  # the first registrar.roll signed by the registrar; None: no commitment
    roll: rg.RollCommitment | None
    credentials: int
    per_style: dict[str, int]
    weight: int
    in_force: int  # credentials issued and not revoked (a replaced card counted once)
    revoked: int
    replaced: int
    erased: ControlEntry | None

    def text(self, named: rg.Registrar) -> str:
        erasure = (f"it stated that it erased the private credentials (seq {self.erased.seq})" if self.erased is not None
                   else "it has not stated that it erased the private credentials")
        if self.roll is None:
            return f"{self.credentials} credentials issued by the registrar {named.name!r}, with no roll commitment; {erasure}"
        styles = ", ".join(f"{s} {self.per_style.get(s, 0)}/{n}" for s, n in sorted(self.roll.voters_per_style.items()))
        return (f"{self.credentials} credentials issued by the registrar {named.name!r} for a roll of {self.roll.voters} "
                f"voters (per style: {styles}); total weight {self.weight} of {self.roll.total_weight}; {self.revoked} "
                f"revoked before opening, {self.replaced} replaced while open; {erasure}")


def issued(parts: EvoteParts, named: rg.Registrar) -> Issued:
    election_id = parts.election_id
    roll_entry, roll = None, None
    for entry in parts.control(rg.ROLL):
        body = signed_body(named, election_id, rg.ROLL, entry.payload)
        if body is None:
            continue
        try:
            roll = rg.parse_roll(body, set(_styles(parts)))
        except (EncodingError, ValueError, TypeError):
            continue
        roll_entry = entry
        break
    listed: list = []
    for entry in parts.control(rg.CREDENTIALS):
        body = signed_body(named, election_id, rg.CREDENTIALS, entry.payload)
        if body is not None:
            listed.extend(_credentials(body, parts, election_id))
    found = list_in_force(parts)
    return Issued(roll_entry, roll, len(listed), dict(Counter(c.style for c in listed)), sum(c.weight for c in listed),
                  found.voters, len(found.revoked), len(found.replaced), next(parts.control(rg.ERASED), None))


def credentials_statistics(parts: EvoteParts) -> str | None:
    """One line for the report's statistics: who issued how many credentials (None: no election.created)."""
    created = parts.first(CREATED)
    if created is None:
        return None
    named = registrar_of(created.payload)
    try:
        if named is None:
            return f"{list_in_force(parts).voters} credentials issued by the administrator alone (no registrar)"
        return issued(parts, named).text(named)
    except (EncodingError, ValueError, TypeError, KeyError):  # a record E.9/E.10 fail on: no statistics line
        return None


def _e10_roll(parts: EvoteParts, named: rg.Registrar) -> Iterator[Finding]:
    found = issued(parts, named)
    roll, roll_entry = found.roll, found.roll_entry
    if roll is None or roll_entry is None:
        yield failed("E.10", "roll commitment", "the registrar committed to no roll (no readable registrar.roll signed by "
                     "it): the credentials issued cannot be compared with the number of voters", "entries.jsonl")
        return
    where = _where(roll_entry)
    over = False
    if found.credentials > roll.voters:
        over = True
        yield failed("E.10", "credentials issued", "more credentials than voters on the committed roll", where,
                     expected=f"at most {roll.voters}", found=found.credentials)
    for style, count in sorted(found.per_style.items()):
        if count > roll.voters_per_style.get(style, 0):
            over = True
            yield failed("E.10", f"ballot style {style}", "more credentials of this style than the committed roll has voters "
                         "of it", where, expected=f"at most {roll.voters_per_style.get(style, 0)}", found=count)
    if found.weight > roll.total_weight:
        over = True
        yield failed("E.10", "total weight", "the credentials weigh more than the committed roll", where,
                     expected=f"at most {roll.total_weight}", found=found.weight)
    yield from _replacements(parts, named)
    if not over:
        yield passed("E.10", "credentials issued", found.text(named), where)
    if found.in_force < roll.voters:
        yield warning("E.10", "voters without a card", f"{roll.voters - found.in_force} of the roll's {roll.voters} voters "
                      f"hold no credential in force ({found.in_force} issued and not revoked): they cannot vote unless the "
                      "registrar issues them one", where)


def _replacements(parts: EvoteParts, named: rg.Registrar) -> Iterator[Finding]:
    """A credential replaced while open had cast no ballot before its replacement (the board's rule)."""
    counting = parts.counting
    first_cast = counting.first_cast if isinstance(counting, CountedBallots) else {}
    for entry in parts.control(rg.REPLACED):
        body = signed_body(named, parts.election_id, rg.REPLACED, entry.payload)
        old = body.get("old") if isinstance(body, dict) else None
        if not isinstance(old, str) or len(old) != 64:
            continue  # E.9 or L.5 report it
        try:
            cast_at = first_cast.get(bytes.fromhex(old))
        except ValueError:
            continue
        if cast_at is not None and cast_at < entry.seq:
            yield failed("E.10", f"entry seq {entry.seq} (registrar.replaced)", "the replaced credential had already cast a "
                         "ballot: only a credential with no cast ballot may be replaced (record-format §11)", _where(entry),
                         expected="no ballot.cast by the old credential before the replacement",
                         found=f"ballot.cast at seq {cast_at} by {old}")
