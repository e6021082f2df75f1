"""Signed trustee messages (record-format §8.1).

A trustee entry's payload is {"body", "signer", "signature"}; the signature is Ed25519 over
"evote/trustee-message/v1" ∥ 0x00 ∥ b(len(id), 4) ∥ id ∥ b(len(kind), 4) ∥ kind ∥ RFC8785(body).
"""

from __future__ import annotations

from typing import Any

import rfc8785
from nacl.signing import SigningKey

from ..credentials import InvalidSignature, parse_public_key, parse_signature, verify_signature
from .common import RecordError, exact, guardian_index
from .election import ElectionDefinition

DOMAIN = b"evote/trustee-message/v1\x00"


def signed_bytes(election_id: str, kind: str, body: dict[str, Any]) -> bytes:
    identifier = election_id.encode("utf-8")
    kind_bytes = kind.encode("ascii")
    return (
        DOMAIN
        + len(identifier).to_bytes(4, "big")
        + identifier
        + len(kind_bytes).to_bytes(4, "big")
        + kind_bytes
        + rfc8785.dumps(body)
    )


def sign_message(identity: SigningKey, election_id: str, kind: str, guardian: int, body: dict[str, Any]) -> dict[str, Any]:
    """The payload of a trustee entry: the body signed by the trustee's identity key."""
    if body.get("guardian") != guardian:
        raise ValueError("body.guardian must be the signer's index")
    signature = identity.sign(signed_bytes(election_id, kind, body)).signature
    return {"body": body, "signer": guardian, "signature": signature.hex().upper()}


def open_message(definition: ElectionDefinition, kind: str, payload: object) -> tuple[int, dict[str, Any]]:
    """Check a trustee entry's signature against the registered identity key; returns (signer, body)."""
    obj = exact(payload, "payload", {"body", "signer", "signature"})
    signer = guardian_index(obj["signer"], "signer", definition.n)
    body = obj["body"]
    if not isinstance(body, dict):
        raise RecordError("body", "expected a JSON object")
    if body.get("guardian") != signer:
        raise RecordError("body.guardian", "must equal the signer")
    key = parse_public_key(definition.trustee(signer).identity_key, "identity_key")
    signature = parse_signature(obj["signature"], "signature")
    try:
        verify_signature(key, signed_bytes(definition.election_id, kind, body), signature)
    except InvalidSignature:
        raise RecordError("signature", f"is not trustee {signer}'s signature over this message") from None
    return signer, body
