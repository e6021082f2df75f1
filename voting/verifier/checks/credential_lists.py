"""The credential list in force when the election opened, as the verifier reads it (docs/record-format.md §4.1,
§8.2): the election's list version (``eligibility`` of election.created), every credential published before
election.opened with its ballot style and weight, minus those revoked before it.

In an election that names a registrar (record-format §11) the list is the registrar's: only
``registrar.credentials`` and ``registrar.revoked`` entries whose signature verifies under the key
election.created names count (the administrator's ``credentials.*`` are refused there, L.5); a
``registrar.replaced`` while the election is open revokes the old credential from its seq on and lists the
new one from its seq on (:meth:`ListInForce.valid_at`).

Lists are parsed with :mod:`voting.credential_list`, the one list format (shared parsing, not a rule); what
the verifier concludes from them (E.1, E.3, E.4, E.7, E.8, the weights of Verification 8) is its own. A list
that cannot be parsed is left out here: section L (L.5) refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ...credential_list import V1, Eligibility, ListedCredential, parse_credential_list, parse_eligibility
from ...errors import EncodingError
from ...record import registrar as rg

CREATED, PUBLISHED, REVOKED, OPENED = "election.created", "credentials.published", "credentials.revoked", "election.opened"
CLOSED = "election.closed"


@dataclass
class ListInForce:
    """The credentials as they stood when the election opened (one entry per voter)."""

    eligibility: Eligibility | None  # None: election.created's eligibility cannot be read (L.1 reports it)
    listed: dict[bytes, ListedCredential] = field(default_factory=dict)  # every published credential, by public key
    revoked: set[bytes] = field(default_factory=set)
    opened: int | None = None  # seq of election.opened
    registrar: rg.Registrar | None = None  # the credential authority election.created names (record-format §11)
    replaced: dict[bytes, int] = field(default_factory=dict)  # registrar.replaced while open: old key -> its seq
    added: dict[bytes, int] = field(default_factory=dict)  # ... and the new key -> the same seq

    @property
    def voters(self) -> int:
        """How many voters hold a credential in force: the eligible ones, a replaced card counted once."""
        return len(self.eligible) - len(self.replaced)

    def valid_at(self, credential: bytes, seq: int) -> bool:
        """Whether an eligible credential may sign the ballot at ``seq``: a replaced one only before its
        replacement, a replacement only after it."""
        if credential not in self.eligible:
            return False
        return seq < self.replaced.get(credential, seq + 1) and seq > self.added.get(credential, -1)

    @property
    def styles_bound(self) -> bool:
        """A version-2 election: each credential votes its own ballot style, with its weight (an eligibility
        object that cannot be read still claims version 2: L.1 fails it)."""
        return self.eligibility != V1

    @cached_property
    def eligible(self) -> dict[bytes, ListedCredential]:
        """The published credentials not revoked (read after :func:`list_in_force` has filled the list)."""
        return {key: c for key, c in self.listed.items() if key not in self.revoked}

    def weight(self, credential: bytes | None) -> int:
        """The weight of an eligible credential; 1 for a version-1 election or a credential not eligible
        (E.1 fails the ballots of those)."""
        listed = self.eligible.get(credential) if credential is not None else None
        return listed.weight if listed is not None and self.styles_bound else 1


def eligibility_of(created: Any) -> Eligibility | None:
    """The list version election.created declares: absent is version 1; None when it cannot be read."""
    payload = created.payload if created is not None else None
    if not isinstance(payload, dict) or "eligibility" not in payload:
        return V1
    try:
        return parse_eligibility(payload["eligibility"])
    except EncodingError:
        return None


def list_in_force(parts) -> ListInForce:
    """Read the credential lists of an evote record's control entries up to election.opened (once per record:
    the control entries do not change after the record is opened)."""
    if isinstance(parts.credential_list, ListInForce):
        return parts.credential_list
    parts.credential_list = _read(parts)
    return parts.credential_list


def _read(parts) -> ListInForce:
    created = parts.first(CREATED)
    eligibility = eligibility_of(created)
    found = ListInForce(eligibility)
    payload = created.payload if created is not None and isinstance(created.payload, dict) else {}
    election_id = payload.get("election_id")
    manifest = payload.get("manifest")
    raw_styles = manifest.get("ballot_styles") if isinstance(manifest, dict) else None
    styles = [s.get("label") for s in raw_styles if isinstance(s, dict)] if isinstance(raw_styles, list) else []
    found.registrar = registrar_of(payload)
    registrar_kinds = (rg.CREDENTIALS, rg.REVOKED, rg.REPLACED, CLOSED)
    for entry in parts.control(PUBLISHED, REVOKED, OPENED, *registrar_kinds):
        if entry.kind == CLOSED:
            break
        if entry.kind == OPENED:
            found.opened = entry.seq if found.opened is None else found.opened
            if found.registrar is None:
                break
            continue
        if found.registrar is not None:  # only the registrar's signed entries list, revoke or replace (§11)
            _registrar_entry(found, entry, election_id, styles)
        elif entry.kind == PUBLISHED:
            for credential in _published(entry.payload, eligibility, election_id, styles):
                found.listed.setdefault(bytes.fromhex(credential.public_key), credential)
        elif entry.kind == REVOKED:
            found.revoked.update(_keys(entry.payload))
    return found


def registrar_of(created_payload: Any) -> rg.Registrar | None:
    """The registrar election.created names, None when it names none or it cannot be read (L.1 reports it)."""
    if not isinstance(created_payload, dict) or "registrar" not in created_payload:
        return None
    try:
        return rg.parse_registrar(created_payload["registrar"])
    except (EncodingError, ValueError, TypeError):
        return None


def signed_body(registrar: rg.Registrar, election_id: Any, kind: str, payload: Any) -> dict | None:
    """The body of a registrar entry whose signature verifies under the registrar's key; None otherwise."""
    if not isinstance(election_id, str):
        return None
    try:
        return rg.open_registrar_message(registrar, election_id, kind, payload)
    except (EncodingError, ValueError, TypeError):  # rfc8785 refuses some values with a ValueError
        return None


def _registrar_entry(found: ListInForce, entry: Any, election_id: Any, styles: list) -> None:
    if entry.kind not in (rg.CREDENTIALS, rg.REVOKED, rg.REPLACED) or found.registrar is None:
        return
    body = signed_body(found.registrar, election_id, entry.kind, entry.payload)
    if body is None or found.eligibility is None:
        return  # L.5 and E.9 report the entry
    opened = found.opened is not None
    if entry.kind == rg.CREDENTIALS and not opened:
        for credential in _published(body, found.eligibility, election_id, styles):
            found.listed.setdefault(bytes.fromhex(credential.public_key), credential)
    elif entry.kind == rg.REVOKED and not opened:
        found.revoked.update(_keys(body))
    elif entry.kind == rg.REPLACED and opened:
        try:
            replacement = rg.parse_replaced(body, found.eligibility, election_id, {s for s in styles if isinstance(s, str)})
        except (EncodingError, ValueError, TypeError):
            return
        old, new = bytes.fromhex(replacement.old), bytes.fromhex(replacement.new.public_key)
        if old in found.listed and old not in found.revoked and old not in found.replaced and new not in found.listed:
            found.replaced[old] = entry.seq
            found.added[new] = entry.seq
            found.listed[new] = replacement.new


def _published(payload: Any, eligibility: Eligibility | None, election_id: Any, styles: list) -> list[ListedCredential]:
    if eligibility is None or not isinstance(election_id, str):
        return []
    try:
        return parse_credential_list(payload, eligibility, election_id, [s for s in styles if isinstance(s, str)])
    except EncodingError:
        return []  # L.5 reports the list


def _keys(payload: Any) -> set[bytes]:
    """The keys of a credentials.revoked entry (a key list in both versions); unreadable keys are skipped."""
    keys = payload.get("credentials") if isinstance(payload, dict) else None
    found = set()
    for key in keys if isinstance(keys, list) else ():
        if isinstance(key, str) and len(key) == 64:
            try:
                found.add(bytes.fromhex(key))
            except ValueError:
                pass
    return found
