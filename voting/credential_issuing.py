"""Issuing credentials from a voter roll: the private rows for delivery and the public list (record-format §4, §4.1).

Whoever issues the credentials (``evote credentials generate`` today, an independent credential authority's
own tool next) gives each voter of the roll one fresh credential (§4) and keeps, for delivery, the rows that
link it to the voter; the public version-2 list holds only each credential's public key, ballot style and
weight, sorted by public key, so it never names a voter nor keeps the roll's order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .credential_list import ListedCredential, credential_list_payload, weight_warnings
from .credentials import derive_voter_key, new_credential
from .manifest import Manifest
from .voter_roll import RollEntry, VoterRoll

PRIVATE_COLUMNS = ("voter_id", "credential", "style", "weight")  # then the roll's other columns


@dataclass(frozen=True)
class IssuedCredential:
    """One voter's credential (secret), with the public key derived from it for the election."""

    voter_id: str
    credential: str = field(repr=False)
    public_key: str
    style: str
    weight: int
    extra: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def listed(self) -> ListedCredential:
        return ListedCredential(self.public_key, self.style, self.weight)


@dataclass(frozen=True)
class IssuedCredentials:
    election_id: str
    issued: tuple[IssuedCredential, ...]
    extra_columns: tuple[str, ...] = ()

    def private_rows(self) -> Iterator[list[str]]:
        """The rows for delivery, header first: voter_id, credential, style, weight and the roll's other columns."""
        yield [*PRIVATE_COLUMNS, *self.extra_columns]
        for c in self.issued:
            yield [c.voter_id, c.credential, c.style, str(c.weight), *(c.extra[name] for name in self.extra_columns)]

    def public_payload(self) -> dict[str, Any]:
        """The version-2 ``credentials.published`` body: public keys, styles and weights, sorted by key."""
        return credential_list_payload(self.election_id, (c.listed for c in self.issued))

    def warnings(self, manifest: Manifest) -> list[str]:
        """Contests where the weights make some voter's choice readable from the tally (record-format §4.1)."""
        contests_of_style = {s.label: s.contest_labels for s in manifest.ballot_styles}
        return weight_warnings((c.listed for c in self.issued), contests_of_style)


def issue_credentials(
    election_id: str, roll: VoterRoll, make_credential: Callable[[], str] = new_credential
) -> IssuedCredentials:
    """One fresh credential per voter of ``roll`` (``make_credential`` is the OS CSPRNG's; tests may pass their own)."""
    issued = []
    for entry in roll.entries:
        credential = make_credential()
        public_key = derive_voter_key(credential, election_id).public_key_hex
        issued.append(IssuedCredential(entry.voter_id, credential, public_key, entry.style, entry.weight, dict(entry.extra)))
    if len({c.public_key for c in issued}) != len(issued):
        raise ValueError("two voters were given the same credential: the credential source is not random")
    return IssuedCredentials(election_id, tuple(issued), roll.extra_columns)


def roll_of_count(count: int, style: str, weight: int, styles: Iterable[str], max_weight: int) -> VoterRoll:
    """A roll of ``count`` voters numbered 1..count, all with the ballot ``style`` (one of the manifest's
    ``styles``) and ``weight`` (1 to ``max_weight``). Raises ValueError naming what is wrong."""
    known = tuple(styles)
    if count < 1:
        raise ValueError("the number of voters is at least 1")
    if style not in known:
        raise ValueError(f"style {style!r} is not a ballot style of the manifest (its styles are {', '.join(known)})")
    if not 1 <= weight <= max_weight:
        raise ValueError(f"weight {weight} is not a whole number from 1 to the election's maximum weight {max_weight}")
    return VoterRoll(tuple(RollEntry(n + 1, str(n + 1), style, weight, {}) for n in range(count)))
