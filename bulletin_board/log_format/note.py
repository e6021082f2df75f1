"""Signed notes (the Go ``golang.org/x/mod/sumdb/note`` format) with Ed25519 keys.

A signed note is ``text`` (non-empty UTF-8 lines, each ending in "\\n", no other control characters),
a blank line, then one or more signature lines ``"— <name> <base64(key_id ∥ signature)>\\n"``
(U+2014 EM DASH, space). The signature is Ed25519 over the bytes of ``text``;
``key_id = SHA-256(name ∥ "\\n" ∥ 0x01 ∥ public_key)[:4]`` (0x01 is the algorithm byte for Ed25519).
A verifier key is written ``<name>+<key_id as 8 hex digits>+<base64(0x01 ∥ public_key)>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from .errors import BadSignature, InvalidInput, MalformedNote, UnknownKey

ALG_ED25519 = 0x01
SIGNATURE_PREFIX = "\u2014 "
MAX_NOTE_CHARS = 64 * 1024
MAX_SIGNATURES = 100
_NAME = re.compile(r"[^\s+]{1,128}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")

__all__ = ["NoteSigner", "NoteVerifier", "Note", "NoteSignature", "key_id", "sign_note", "parse_note", "open_note"]


def check_key_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidInput("key_name", "must be 1-128 characters without whitespace or '+'")
    return name


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


@dataclass(frozen=True)
class NoteVerifier:
    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if len(self.public_key) != 32:
            raise InvalidInput("public_key", "an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def to_string(self) -> str:
        data = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{data}"

    @classmethod
    def from_string(cls, text: object) -> "NoteVerifier":
        parts = text.split("+", 2) if isinstance(text, str) else []
        if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
            raise InvalidInput("verifier_key", "must be <name>+<8 hex digits>+<base64 key>")
        try:
            data = base64.b64decode(parts[2], validate=True)
        except (binascii.Error, ValueError):  # ValueError: a non-ASCII character
            raise InvalidInput("verifier_key", "key data is not base64") from None
        if len(data) != 33 or data[0] != ALG_ED25519:
            raise InvalidInput("verifier_key", "key data must be 0x01 followed by a 32-byte Ed25519 key")
        verifier = cls(parts[0], data[1:])
        if verifier.key_id.hex() != parts[1]:
            raise InvalidInput("verifier_key", "key id does not match the name and key")
        return verifier

    def verify(self, text: str, signature: bytes) -> None:
        try:
            VerifyKey(self.public_key).verify(text.encode("utf-8"), signature)
        except (BadSignatureError, ValueError):
            raise BadSignature(f"signature by {self.name} ({self.key_id.hex()}) does not verify") from None


@dataclass(frozen=True)
class NoteSigner:
    name: str
    signing_key: SigningKey = field(repr=False)

    def __post_init__(self) -> None:
        check_key_name(self.name)

    @property
    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, bytes(self.signing_key.verify_key))

    def signature_line(self, text: str) -> str:
        signature = self.signing_key.sign(text.encode("utf-8")).signature
        data = base64.b64encode(self.verifier.key_id + signature).decode("ascii")
        return f"{SIGNATURE_PREFIX}{self.name} {data}\n"


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[NoteSignature, ...]
    verified_by: tuple[NoteVerifier, ...] = ()


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or text.startswith("\n"):
        raise MalformedNote("note text must be non-empty lines, each ending in a newline")
    if _CONTROL.search(text):
        raise MalformedNote("note text contains a control character")


def sign_note(text: str, *signers: NoteSigner) -> str:
    _check_text(text)
    if not signers:
        raise ValueError("sign_note needs at least one signer")
    return text + "\n" + "".join(signer.signature_line(text) for signer in signers)


def parse_note(note: object) -> Note:
    """Split a signed note into text and signature lines, without checking any signature."""
    if not isinstance(note, str):
        raise MalformedNote(f"a note is text, not {type(note).__name__}")
    if len(note) > MAX_NOTE_CHARS:
        raise MalformedNote(f"note is longer than {MAX_NOTE_CHARS} characters")
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNote("note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2:]
    _check_text(text)
    if not block.endswith("\n"):
        raise MalformedNote("signature block must end in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(f"more than {MAX_SIGNATURES} signatures")
    signatures = []
    for number, line in enumerate(lines, 1):
        if not line.startswith(SIGNATURE_PREFIX):
            raise MalformedNote(f"signature line {number} does not start with an em dash and a space")
        parts = line[len(SIGNATURE_PREFIX):].split(" ")
        if len(parts) != 2 or not _NAME.fullmatch(parts[0]):
            raise MalformedNote(f"signature line {number} is not '<name> <base64>'")
        try:
            data = base64.b64decode(parts[1], validate=True)
        except (binascii.Error, ValueError):  # ValueError: a non-ASCII character
            raise MalformedNote(f"signature line {number}: signature is not base64") from None
        if len(data) < 5:
            raise MalformedNote(f"signature line {number}: signature is too short")
        signatures.append(NoteSignature(parts[0], data[:4], data[4:]))
    return Note(text, tuple(signatures))


def open_note(note: object, verifiers: list[NoteVerifier] | tuple[NoteVerifier, ...]) -> Note:
    """Parse and verify: every signature by a known key must verify, and at least one known key must sign."""
    parsed = parse_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    verified = []
    for sig in parsed.signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        verifier.verify(parsed.text, sig.signature)
        verified.append(verifier)
    if not verified:
        seen = ", ".join(f"{s.name}+{s.key_id.hex()}" for s in parsed.signatures)
        wanted = ", ".join(f"{v.name}+{v.key_id.hex()}" for v in verifiers) or "none"
        raise UnknownKey(f"no signature by a known key (signed by {seen}; known: {wanted})")
    return Note(parsed.text, parsed.signatures, tuple(verified))
