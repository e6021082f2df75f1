"""The credential authority ("registrar") of an election and its signed messages (record-format §11).

An election names its registrar in ``election.created``: ``"registrar": {"name": N, "public_key": K}`` (K an
Ed25519 key, 64 upper-case hex digits). From then on only the registrar publishes, extends, revokes or
replaces credentials: the administrator's ``credentials.published`` and ``credentials.revoked`` are refused,
so stuffing the list needs the registrar's key. Each registrar entry's payload is ``{"body": B, "signature":
S}``, S Ed25519 by K over

    "evote/registrar-message/v1" ∥ 0x00 ∥ b(len(id), 4) ∥ id ∥ b(len(kind), 4) ∥ kind ∥ RFC8785(B)

(the framing of trustee messages, §8.1, with its own domain). The kinds and their bodies:

| kind | body |
|---|---|
| ``registrar.accepted`` | ``{"name": N}`` — the registrar takes the role (N as in election.created) |
| ``registrar.roll`` | ``{"roll_sha256", "voters", "voters_per_style": {style: n}, "total_weight"}`` — the roll's commitment |
| ``registrar.credentials`` | a version-2 credential list (§4.1): public keys, styles, weights |
| ``registrar.revoked`` | ``{"credentials": [K...], "reason"}`` — before the election opens |
| ``registrar.replaced`` | ``{"old": K, "new": {"public_key", "style", "weight"}, "reason"}`` — a lost card, while open |
| ``registrar.erased`` | ``{"statement"}`` — the private credentials were destroyed |

This module only parses and checks signatures; the rules (order, phases, counts) are written twice:
``rules_registrar.py`` for the board and ``verifier/rules/registrar.py`` for the verifier.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import rfc8785
from nacl.signing import SigningKey

from ..credential_list import Eligibility, ListedCredential, parse_credential_list
from ..credentials import InvalidSignature, parse_public_key, parse_signature, verify_signature
from ..encoding import parse_small_int, require_list
from .common import RecordError, exact

DOMAIN = b"evote/registrar-message/v1\x00"
ACCEPTED, ROLL, CREDENTIALS, REVOKED, REPLACED, ERASED = (
    "registrar.accepted", "registrar.roll", "registrar.credentials", "registrar.revoked", "registrar.replaced", "registrar.erased",
)  # fmt: skip
REGISTRAR_KINDS = (ACCEPTED, ROLL, CREDENTIALS, REVOKED, REPLACED, ERASED)
MAX_TEXT = 500
MAX_VOTERS = 10_000_000
_HEX64 = re.compile(r"[0-9a-f]{64}")

__all__ = ["Registrar", "parse_registrar", "signed_bytes", "sign_registrar_message", "open_registrar_message",
           "RollCommitment", "parse_roll", "parse_credentials", "parse_revoked", "Replacement", "parse_replaced", "parse_erased",
           "REGISTRAR_KINDS", "ACCEPTED", "ROLL", "CREDENTIALS", "REVOKED", "REPLACED", "ERASED"]


@dataclass(frozen=True)
class Registrar:
    name: str
    public_key: str  # Ed25519, 64 upper-case hex digits

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "public_key": self.public_key}


def _text(value: object, field: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= limit or value != value.strip():
        raise RecordError(field, f"1 to {limit} characters, without surrounding spaces")
    if any(unicodedata.category(ch)[0] == "C" for ch in value):
        raise RecordError(field, "contains no control, format or line-break characters")
    return value


def parse_registrar(value: object, field: str = "registrar") -> Registrar:
    obj = exact(value, field, {"name", "public_key"})
    parse_public_key(obj["public_key"], f"{field}.public_key")
    return Registrar(_text(obj["name"], f"{field}.name", 200), obj["public_key"])


def signed_bytes(election_id: str, kind: str, body: dict[str, Any]) -> bytes:
    identifier, kind_bytes = election_id.encode("utf-8"), kind.encode("ascii")
    return (DOMAIN + len(identifier).to_bytes(4, "big") + identifier + len(kind_bytes).to_bytes(4, "big") + kind_bytes
            + rfc8785.dumps(body))


def sign_registrar_message(key: SigningKey, election_id: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """The payload of a registrar entry: ``body`` signed by the registrar's identity key."""
    if kind not in REGISTRAR_KINDS:
        raise ValueError(f"{kind!r} is not a registrar entry kind")
    return {"body": body, "signature": key.sign(signed_bytes(election_id, kind, body)).signature.hex().upper()}


def open_registrar_message(registrar: Registrar | None, election_id: str, kind: str, payload: object) -> dict[str, Any]:
    """Check a registrar entry's signature against the registrar the election named; returns the body."""
    if registrar is None:
        raise RecordError("kind", f"{kind} needs an election that names a registrar (election.created registrar)")
    obj = exact(payload, "payload", {"body", "signature"})
    if not isinstance(obj["body"], dict):
        raise RecordError("body", "expected a JSON object")
    signature = parse_signature(obj["signature"], "signature")
    try:
        verify_signature(parse_public_key(registrar.public_key, "registrar.public_key"), signed_bytes(election_id, kind, obj["body"]), signature)
    except InvalidSignature:
        raise RecordError("signature", f"is not the registrar's signature over this {kind}") from None
    return obj["body"]


@dataclass(frozen=True)
class RollCommitment:
    roll_sha256: str
    voters: int
    voters_per_style: dict[str, int]
    total_weight: int


def parse_roll(body: object, styles: set[str]) -> RollCommitment:
    obj = exact(body, "body", {"roll_sha256", "voters", "voters_per_style", "total_weight"})
    if not isinstance(obj["roll_sha256"], str) or not _HEX64.fullmatch(obj["roll_sha256"]):
        raise RecordError("roll_sha256", "the SHA-256 of the roll file, 64 lower-case hex digits")
    voters = parse_small_int(obj["voters"], "voters", minimum=1, maximum=MAX_VOTERS)
    per_style = obj["voters_per_style"]
    if not isinstance(per_style, dict) or not per_style or set(per_style) - styles:
        raise RecordError("voters_per_style", "a count per ballot style of the manifest")
    counts = {style: parse_small_int(n, f"voters_per_style.{style}", minimum=1, maximum=MAX_VOTERS) for style, n in per_style.items()}
    if sum(counts.values()) != voters:
        raise RecordError("voters_per_style", "the counts per style must add up to voters")
    total = parse_small_int(obj["total_weight"], "total_weight", minimum=voters, maximum=MAX_VOTERS * 1000)
    return RollCommitment(obj["roll_sha256"], voters, counts, total)


def parse_credentials(body: object, eligibility: Eligibility, election_id: str, styles: set[str]) -> list[ListedCredential]:
    """A ``registrar.credentials`` body: a version-2 list (§4.1) of this election."""
    return parse_credential_list(body, eligibility, election_id, styles)


def parse_revoked(body: object) -> list[str]:
    obj = exact(body, "body", {"credentials", "reason"})
    _text(obj["reason"], "reason")
    keys = require_list(obj["credentials"], "credentials", min_len=1, max_len=100_000)
    for position, key in enumerate(keys):
        parse_public_key(key, f"credentials[{position}]")
    if keys != sorted(set(keys)):
        raise RecordError("credentials", "distinct public keys in increasing order")
    return keys


@dataclass(frozen=True)
class Replacement:
    old: str
    new: ListedCredential
    reason: str


def parse_replaced(body: object, eligibility: Eligibility, election_id: str, styles: set[str]) -> Replacement:
    obj = exact(body, "body", {"old", "new", "reason"})
    parse_public_key(obj["old"], "old")
    listed = parse_credential_list({"version": 2, "election_id": election_id, "credentials": [obj["new"]]}, eligibility,
                                   election_id, styles)
    if listed[0].public_key == obj["old"]:
        raise RecordError("new.public_key", "the new credential is the old one")
    return Replacement(obj["old"], listed[0], _text(obj["reason"], "reason"))


def parse_erased(body: object) -> str:
    return _text(exact(body, "body", {"statement"})["statement"], "statement", 2000)
