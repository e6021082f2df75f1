"""The credential list in force when the election opened, as the verifier reads it (docs/record-format.md §4.1,
§8.2): the election's list version (``eligibility`` of election.created), every credential published before
election.opened with its ballot style and weight, minus those revoked before it.

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

CREATED, PUBLISHED, REVOKED, OPENED = "election.created", "credentials.published", "credentials.revoked", "election.opened"


@dataclass
class ListInForce:
    """The credentials as they stood when the election opened (one entry per voter)."""

    eligibility: Eligibility | None  # None: election.created's eligibility cannot be read (L.1 reports it)
    listed: dict[bytes, ListedCredential] = field(default_factory=dict)  # every published credential, by public key
    revoked: set[bytes] = field(default_factory=set)
    opened: int | None = None  # seq of election.opened

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
    for entry in parts.control(PUBLISHED, REVOKED, OPENED):
        if entry.kind == OPENED:
            found.opened = entry.seq
            break
        if entry.kind == PUBLISHED:
            for credential in _published(entry.payload, eligibility, election_id, styles):
                found.listed.setdefault(bytes.fromhex(credential.public_key), credential)
        else:
            found.revoked.update(_keys(entry.payload))
    return found


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
