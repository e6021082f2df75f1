"""Voter credentials for eligibility verifiability (docs/record-format.md §4 and §5).

A credential is 128 random bits shown as 28 Crockford base-32 characters (with a 12-bit check value that
catches typing mistakes). The voter's Ed25519 signing key is derived from it and the election identifier;
the administrator publishes only the public keys, which link to no voter identity (as in Belenios).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from .encoding import parse_bytes, parse_fixed_bytes
from .errors import EncodingError, VotingError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {ch: i for i, ch in enumerate(ALPHABET)} | {"I": 1, "L": 1, "O": 0}
RANDOM_BYTES = 16
CHECK_BITS = 12
CHARACTERS = (RANDOM_BYTES * 8 + CHECK_BITS) // 5  # 28
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
CHECK_DOMAIN = b"evote/credential-check/v1"
SEED_KEY = b"evote/credential/v1"
BALLOT_SIGNATURE_DOMAIN = b"evote/ballot/v2\x00"  # elections whose credential list is version 1
STYLED_SIGNATURE_DOMAIN = b"evote/ballot/v3\x00"  # version 2: the ballot style is signed too
CONTEST_DATA_DOMAIN = b"evote/contest-data/v1\x00"


class CredentialError(VotingError, ValueError):
    """A credential string is malformed or mistyped (the message never repeats the credential)."""


class InvalidSignature(VotingError):
    """An Ed25519 signature does not verify under the given public key."""


def _check_value(random_part: bytes) -> int:
    return int.from_bytes(hashlib.sha256(CHECK_DOMAIN + random_part).digest()[:2], "big") >> (16 - CHECK_BITS)


def new_credential() -> str:
    """A fresh credential from the OS CSPRNG, formatted as seven groups of four characters."""
    return format_credential(secrets.token_bytes(RANDOM_BYTES))


def format_credential(random_part: bytes) -> str:
    value = (int.from_bytes(random_part, "big") << CHECK_BITS) | _check_value(random_part)
    chars = "".join(ALPHABET[(value >> (5 * (CHARACTERS - 1 - n))) & 31] for n in range(CHARACTERS))
    return "-".join(chars[n : n + 4] for n in range(0, CHARACTERS, 4))


def parse_credential(text: str) -> bytes:
    """The 16 random bytes of a typed credential; raises :class:`CredentialError` on a typo."""
    if not isinstance(text, str):
        raise CredentialError("the credential must be text")
    cleaned = [ch for ch in text.upper() if ch not in " -\t"]
    if len(cleaned) != CHARACTERS:
        raise CredentialError(f"a credential has {CHARACTERS} letters and digits (dashes and spaces are ignored)")
    value = 0
    for ch in cleaned:
        if ch not in _DECODE:
            raise CredentialError("a credential contains only the letters and digits of the voter's card")
        value = (value << 5) | _DECODE[ch]
    random_part = (value >> CHECK_BITS).to_bytes(RANDOM_BYTES, "big")
    if value & ((1 << CHECK_BITS) - 1) != _check_value(random_part):
        raise CredentialError("this credential has a typing mistake: please check it against the voter's card")
    return random_part


@dataclass(frozen=True)
class VoterKey:
    """The Ed25519 key derived from a credential for one election. Secret; never printed."""

    signing_key: SigningKey

    @property
    def public_key_hex(self) -> str:
        return bytes(self.signing_key.verify_key).hex().upper()

    def sign_ballot(
        self, election_id: str, H_E: bytes, action: str, confirmation_code: bytes, contest_data: bytes, style: str | None = None
    ) -> str:
        """Sign :func:`ballot_signature_message`; ``contest_data`` is the ballot's :func:`contest_data_digest`."""
        message = ballot_signature_message(election_id, H_E, action, confirmation_code, contest_data, style)
        return self.signing_key.sign(message).signature.hex().upper()

    def __repr__(self) -> str:
        return f"VoterKey(public={self.public_key_hex[:16]}…)"


def derive_voter_key(credential: str, election_id: str) -> VoterKey:
    """seed = HMAC-SHA-256("evote/credential/v1", b(len(id), 4) ∥ id ∥ r); the key is Ed25519(seed)."""
    random_part = parse_credential(credential)
    identifier = election_id.encode("utf-8")
    seed = hmac.new(SEED_KEY, len(identifier).to_bytes(4, "big") + identifier + random_part, hashlib.sha256).digest()
    return VoterKey(SigningKey(seed))


def ballot_signature_message(
    election_id: str, H_E: bytes, action: str, confirmation_code: bytes, contest_data: bytes, style: str | None = None
) -> bytes:
    """Record-format §5. Without a style (elections with a version-1 credential list):
    "evote/ballot/v2" ∥ 0x00 ∥ b(len(id), 4) ∥ id ∥ H_E ∥ b(len(action), 4) ∥ action ∥ H(B) ∥ D.
    With the ballot's style S (version-2 lists, which bind each credential to a style):
    "evote/ballot/v3" ∥ 0x00 ∥ b(len(id), 4) ∥ id ∥ H_E ∥ b(len(action), 4) ∥ action ∥ b(len(S), 4) ∥ S ∥ H(B) ∥ D.

    H(B) is the confirmation code (EG 2.0 eq. 59). It covers every contest's ciphertexts but not the contest
    data (C0, C1, C2) of eq. 56, whose MAC only a key holder can check: D (:func:`contest_data_digest`) puts
    them under the voter's signature too, so nobody between the voter and the board can replace them. Nor
    does H(B) cover the style's label; v3 signs it, so the style the board checks is the one the voter chose.
    """
    identifier = election_id.encode("utf-8")
    action_bytes = action.encode("ascii")
    if len(H_E) != 32 or len(confirmation_code) != 32 or len(contest_data) != 32:
        raise ValueError("H_E, the confirmation code and the contest-data digest are 32-byte hashes")
    styled = b""
    if style is not None:
        label = style.encode("utf-8")
        styled = len(label).to_bytes(4, "big") + label
    return (
        (BALLOT_SIGNATURE_DOMAIN if style is None else STYLED_SIGNATURE_DOMAIN)
        + len(identifier).to_bytes(4, "big")
        + identifier
        + H_E
        + len(action_bytes).to_bytes(4, "big")
        + action_bytes
        + styled
        + confirmation_code
        + contest_data
    )


def contest_data_digest(ballot: Mapping[str, Any]) -> bytes:
    """D = SHA-256("evote/contest-data/v1" ∥ 0x00 ∥ b(m, 4) ∥ for each of the m contests: b(len(C0), 4) ∥ C0 ∥
    b(len(C1), 4) ∥ C1 ∥ b(len(C2), 4) ∥ C2).

    Over the contests of a ballot as posted (record-format §3), in their order, with C0, C1 and C2 decoded
    from their upper-case hex. Raises EncodingError (a ValueError), KeyError or TypeError when the ballot has
    no such fields; the callers refuse such a ballot.
    """
    contests = ballot["contests"]
    if not isinstance(contests, list):
        raise TypeError("ballot.contests must be a list")
    parts = [CONTEST_DATA_DOMAIN, len(contests).to_bytes(4, "big")]
    for n, contest in enumerate(contests):
        data = contest["contest_data"]
        c0, c1, c2 = (parse_bytes(data[name], f"ballot.contests[{n}].contest_data.{name}") for name in ("c0", "c1", "c2"))
        parts += [len(c0).to_bytes(4, "big"), c0, len(c1).to_bytes(4, "big"), c1, len(c2).to_bytes(4, "big"), c2]
    return hashlib.sha256(b"".join(parts)).digest()


def parse_public_key(value: object, field: str) -> VerifyKey:
    """An Ed25519 public key from exactly 64 upper-case hex digits (record-format §4)."""
    return VerifyKey(_fixed_hex(value, field, PUBLIC_KEY_BYTES, "an Ed25519 public key"))


def parse_signature(value: object, field: str) -> bytes:
    """An Ed25519 signature from exactly 128 upper-case hex digits (record-format §5)."""
    return _fixed_hex(value, field, SIGNATURE_BYTES, "an Ed25519 signature")


def _fixed_hex(value: object, field: str, length: int, what: str) -> bytes:
    try:
        return parse_fixed_bytes(value, field, length)
    except EncodingError as exc:
        raise EncodingError(field, f"not {what} ({2 * length} upper-case hex digits): {exc.reason}") from None


def verify_signature(public_key: VerifyKey, message: bytes, signature: bytes) -> None:
    """Raise :class:`InvalidSignature` unless ``signature`` is ``public_key``'s over ``message``."""
    if not isinstance(signature, bytes) or len(signature) != SIGNATURE_BYTES:  # PyNaCl raises ValueError on these
        raise InvalidSignature(f"an Ed25519 signature is {SIGNATURE_BYTES} bytes")
    try:
        public_key.verify(message, signature)
    except BadSignatureError:
        raise InvalidSignature("the signature does not verify under the given public key") from None
