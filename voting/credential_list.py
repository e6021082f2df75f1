"""The public credential list: who may vote what, and with which weight (docs/record-format.md §4.1).

One format, with its version, for every producer (``evote credentials generate`` today, the independent
credential authority of the eligibility issue later, which signs this same body):

- **version 1** (records before styles and weights): ``{"credentials": [K, ...]}``, Ed25519 public keys in
  increasing order. Every credential may vote any ballot style, with weight 1.
- **version 2**: ``{"version": 2, "election_id": id, "credentials": [{"public_key": K, "style": S,
  "weight": w}, ...]}`` in increasing order of K; S is a ballot style of the manifest, w an integer from 1
  to the election's ``eligibility.max_weight``. The list never names a voter.

An election says which version it uses in its ``election.created`` entry (``eligibility``, record-format
§8.2); a version-1 election keeps its old rules. Both the board's engine and the verifier parse lists with
this module; the rules that use them (styles on ballots, weights in the tally) are each side's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .credentials import parse_public_key
from .encoding import parse_small_int, require_keys, require_list
from .errors import EncodingError

VERSION = 2
MAX_WEIGHT = 1000  # the largest max_weight an election may set: the tally's discrete logarithm grows with it
MAX_PER_ENTRY = 100_000  # record-format §8.2: one credentials entry lists at most this many keys


@dataclass(frozen=True)
class ListedCredential:
    """One credential on the public list: its public key (upper-case hex), ballot style and weight."""

    public_key: str
    style: str | None  # None: a version-1 list, any style of the manifest
    weight: int = 1


@dataclass(frozen=True)
class Eligibility:
    """The ``eligibility`` object of ``election.created``: the list's version and the largest weight."""

    version: int
    max_weight: int

    def to_json(self) -> dict[str, int]:
        return {"version": self.version, "max_weight": self.max_weight}


V1 = Eligibility(1, 1)


def parse_eligibility(obj: object, field: str = "eligibility") -> Eligibility:
    """``{"version": 2, "max_weight": w}`` with 1 <= w <= MAX_WEIGHT."""
    body = require_keys(obj, field, {"version", "max_weight"})
    if body["version"] != VERSION or isinstance(body["version"], bool):
        raise EncodingError(f"{field}.version", f"the credential-list version is {VERSION}")
    return Eligibility(VERSION, parse_small_int(body["max_weight"], f"{field}.max_weight", minimum=1, maximum=MAX_WEIGHT))


def parse_credential_list(
    payload: object, eligibility: Eligibility, election_id: str, styles: Iterable[str]
) -> list[ListedCredential]:
    """The credentials of a ``credentials.published`` payload, checked against the election's list version,
    its identifier, the manifest's ballot styles and the maximum weight. Raises EncodingError naming the field."""
    if eligibility.version == 1:
        body = require_keys(payload, "payload", {"credentials"})
        keys = require_list(body["credentials"], "credentials", min_len=1, max_len=MAX_PER_ENTRY)
        for position, key in enumerate(keys):
            parse_public_key(key, f"credentials[{position}]")
        listed = [ListedCredential(key, None, 1) for key in keys]
    else:
        body = require_keys(payload, "payload", {"version", "election_id", "credentials"})
        if body["version"] != VERSION or isinstance(body["version"], bool):
            raise EncodingError("version", f"this election's credential list is version {VERSION}")
        if body["election_id"] != election_id:
            raise EncodingError("election_id", "is not this election's identifier")
        known = set(styles)
        raw = require_list(body["credentials"], "credentials", min_len=1, max_len=MAX_PER_ENTRY)
        listed = [_entry(item, f"credentials[{n}]", known, eligibility.max_weight) for n, item in enumerate(raw)]
    keys = [c.public_key for c in listed]
    if keys != sorted(set(keys)):
        raise EncodingError("credentials", "distinct public keys in increasing order")
    return listed


def _entry(item: object, where: str, styles: set[str], max_weight: int) -> ListedCredential:
    body = require_keys(item, where, {"public_key", "style", "weight"})
    parse_public_key(body["public_key"], f"{where}.public_key")
    if not isinstance(body["style"], str) or body["style"] not in styles:
        raise EncodingError(f"{where}.style", "is not a ballot style of the election's manifest")
    weight = parse_small_int(body["weight"], f"{where}.weight", minimum=1, maximum=max_weight)
    return ListedCredential(body["public_key"], body["style"], weight)


def credential_list_payload(election_id: str, listed: Iterable[ListedCredential]) -> dict[str, Any]:
    """The version-2 ``credentials.published`` body for ``listed`` (sorted here by public key)."""
    entries = sorted(listed, key=lambda c: c.public_key)
    return {
        "version": VERSION,
        "election_id": election_id,
        "credentials": [{"public_key": c.public_key, "style": c.style, "weight": c.weight} for c in entries],
    }


def readable_votes(weights: Iterable[int]) -> int:
    """How many of these voters' choices on a yes/no option the tally gives away, at least.

    Sorted from the largest: a voter whose weight exceeds the sum of all smaller-or-equal remaining weights
    is read from the tally (whether the option's total reaches the weight), and then removed. This finds the
    exposed voters of a super-increasing run at the top; other unequal weights may still narrow votes down
    (the tally is a subset sum), which no count here can rule out.
    """
    ordered = sorted(weights, reverse=True)
    rest = sum(ordered)
    exposed = 0
    for weight in ordered:
        rest -= weight
        if weight > rest and len(ordered) > 1:
            exposed += 1
        else:
            break
    return exposed


def weight_warnings(listed: Iterable[ListedCredential], contests_of_style: Mapping[str, Iterable[str]]) -> list[str]:
    """Plain-words warnings for contests where the weights make some votes readable from the tally."""
    by_contest: dict[str, list[int]] = {}
    for credential in listed:
        for contest in contests_of_style.get(credential.style or "", ()):
            by_contest.setdefault(contest, []).append(credential.weight)
    warnings = []
    for contest, weights in sorted(by_contest.items()):
        exposed = readable_votes(weights)
        if exposed:
            warnings.append(
                f"contest {contest!r}: the weights make {exposed} voter(s)' choice readable from the published tally "
                f"(a weight larger than the sum of all smaller ones among the {len(weights)} voters)"
            )
    return warnings
