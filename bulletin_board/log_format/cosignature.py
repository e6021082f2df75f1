"""Witness cosignatures on checkpoints: C2SP ``tlog-cosignature``, the Ed25519 type (cosignature/v1).

A cosignature is a note signature line ``"— <name> base64(key_id ∥ timestamp ∥ signature)\\n"`` where
``key_id = SHA-256(name ∥ "\\n" ∥ 0x04 ∥ public_key)[:4]`` (algorithm byte 0x04, not the board's 0x01),
``timestamp`` is a big-endian u64 POSIX time (at most 2^63 - 1) and ``signature`` is Ed25519 over::

    cosignature/v1\\n
    time <timestamp>\\n
    <the checkpoint's note body, with its final newline>

A cosigner's verifier key ("vkey") is ``<name>+<key_id hex>+base64(0x04 ∥ public_key)``.
A v1 cosignature states that, at that time, this was the largest consistent tree the witness had seen for
the origin. The test ``tests/witness/test_cosignature_c2sp.py`` checks these bytes against the specification's
example and against a literal reference implementation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass, field

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from .errors import InvalidInput
from .note import SIGNATURE_PREFIX, check_key_name, parse_note

ALG_COSIGNATURE_V1 = 0x04
HEADER = "cosignature/v1\n"
MAX_TIMESTAMP = (1 << 63) - 1

__all__ = ["CosignerKey", "Cosigner", "Cosignature", "cosigned_message", "cosignature_key_id", "cosignatures_in",
           "add_signature_lines"]


def cosignature_key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_COSIGNATURE_V1]) + public_key).digest()[:4]


def cosigned_message(body: str, timestamp: int) -> bytes:
    """The bytes a cosignature/v1 signs: the header line, the time line, then the checkpoint body."""
    if not isinstance(timestamp, int) or not 0 <= timestamp <= MAX_TIMESTAMP:
        raise InvalidInput("timestamp", "must be an integer from 0 to 2^63 - 1")
    return (HEADER + f"time {timestamp}\n" + body).encode("utf-8")


@dataclass(frozen=True)
class Cosignature:
    """A cosignature that verified: who, and the time the witness stated."""

    name: str
    key_id: bytes
    timestamp: int
    line: str


@dataclass(frozen=True)
class CosignerKey:
    """A witness's public identity: its name and Ed25519 key (what a witness policy lists)."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if not isinstance(self.public_key, bytes) or len(self.public_key) != 32:
            raise InvalidInput("witness_key", "an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return cosignature_key_id(self.name, self.public_key)

    def to_string(self) -> str:
        data = base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{data}"

    @classmethod
    def from_string(cls, text: object, field: str = "witness_key") -> "CosignerKey":
        parts = text.strip().split("+", 2) if isinstance(text, str) else []
        if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
            raise InvalidInput(field, "must be a witness key <name>+<8 hex digits>+<base64 key>")
        try:
            data = base64.b64decode(parts[2], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(field, "key data is not base64") from None
        if len(data) != 33 or data[0] != ALG_COSIGNATURE_V1:
            raise InvalidInput(field, "key data must be 0x04 (cosignature/v1) followed by a 32-byte Ed25519 key")
        try:
            key = cls(parts[0], data[1:])
        except InvalidInput as exc:
            raise InvalidInput(field, exc.reason) from None
        if key.key_id.hex() != parts[1]:
            raise InvalidInput(field, "key id does not match the name and key")
        return key

    def verify_line(self, body: str, line: str) -> Cosignature | None:
        """The cosignature in signature ``line`` if it is this key's and verifies over ``body``; None if it is
        another key's line. A line with this key's name and id that does not verify raises ``InvalidInput``."""
        name, data = _split_line(line)
        if name != self.name or data[:4] != self.key_id:
            return None
        if len(data) != 4 + 8 + 64:
            raise InvalidInput("cosignature", f"cosignature by {self.name} is not 76 bytes")
        (timestamp,) = struct.unpack(">Q", data[4:12])
        if timestamp > MAX_TIMESTAMP:
            raise InvalidInput("cosignature", f"cosignature by {self.name} has a timestamp above 2^63 - 1")
        try:
            VerifyKey(self.public_key).verify(cosigned_message(body, timestamp), data[12:])
        except (BadSignatureError, ValueError):
            raise InvalidInput("cosignature", f"cosignature by {self.name} ({self.key_id.hex()}) does not verify") from None
        return Cosignature(self.name, self.key_id, timestamp, line if line.endswith("\n") else line + "\n")


@dataclass(frozen=True)
class Cosigner:
    """A witness's signing identity."""

    name: str
    signing_key: SigningKey = field(repr=False)

    def __post_init__(self) -> None:
        check_key_name(self.name)

    @property
    def key(self) -> CosignerKey:
        return CosignerKey(self.name, bytes(self.signing_key.verify_key))

    def cosign(self, body: str, timestamp: int) -> str:
        """The signature line of a cosignature/v1 over the checkpoint ``body`` at ``timestamp``."""
        signature = self.signing_key.sign(cosigned_message(body, timestamp)).signature
        data = self.key.key_id + struct.pack(">Q", timestamp) + signature
        return f"{SIGNATURE_PREFIX}{self.name} {base64.b64encode(data).decode('ascii')}\n"


def _split_line(line: str) -> tuple[str, bytes]:
    text = line[:-1] if line.endswith("\n") else line
    if not text.startswith(SIGNATURE_PREFIX):
        raise InvalidInput("cosignature", "a signature line starts with an em dash and a space")
    parts = text[len(SIGNATURE_PREFIX):].split(" ")
    if len(parts) != 2:
        raise InvalidInput("cosignature", "a signature line is '— <name> <base64>'")
    try:
        return parts[0], base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("cosignature", "signature is not base64") from None


def cosignatures_in(note: str, keys: tuple[CosignerKey, ...] | list[CosignerKey]) -> tuple[list[Cosignature], list[str]]:
    """The valid cosignatures in ``note`` by the given witness keys, and a problem per line of a listed key
    that does not verify. Lines of other keys (the board's, unknown witnesses') are ignored, as C2SP says."""
    parsed = parse_note(note)
    found: dict[bytes, Cosignature] = {}
    problems: list[str] = []
    for sig in parsed.signatures:
        data = sig.key_id + sig.signature
        line = f"{SIGNATURE_PREFIX}{sig.name} {base64.b64encode(data).decode('ascii')}\n"
        for key in keys:
            try:
                cosignature = key.verify_line(parsed.text, line)
            except InvalidInput as exc:
                problems.append(exc.reason)
                continue
            if cosignature is not None and key.public_key not in found:
                found[key.public_key] = cosignature
    return list(found.values()), problems


def add_signature_lines(note: str, lines: str | list[str]) -> str:
    """``note`` with signature ``lines`` appended (lines already present are not repeated)."""
    parse_note(note)
    present = set(note[note.rfind("\n\n") + 2:].splitlines(keepends=True))
    added = lines.splitlines(keepends=True) if isinstance(lines, str) else list(lines)
    result = note
    for line in added:
        if not line.endswith("\n"):
            line += "\n"
        if line not in present:
            present.add(line)
            result += line
    parse_note(result)
    return result
