"""Checkpoints (the transparency-dev checkpoint format) and their signing and checking.

Body: ``"<origin>\\n<size>\\n<base64 root>\\n"``; the board's origin for an election is
``<board origin>/elections/<election id>``. The body is signed as a note (``note.py``).
evote's checkpoints carry no extension lines, so any fourth body line is rejected.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from .entry import check_election_id
from .errors import InvalidInput, MalformedNote
from .merkle_hash import HASH_SIZE
from .note import NoteSigner, NoteVerifier, open_note, sign_note

_ORIGIN = re.compile(r"[\x21-\x7e]{1,200}")
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")

__all__ = ["Checkpoint", "SignedCheckpoint", "election_origin", "check_origin", "sign_checkpoint",
           "parse_checkpoint", "verify_checkpoint"]


def check_origin(origin: object, field: str = "origin") -> str:
    if not isinstance(origin, str) or not _ORIGIN.fullmatch(origin) or origin.endswith("/"):
        raise InvalidInput(field, "must be 1-200 printable ASCII characters without spaces or a trailing '/'")
    return origin


def election_origin(board_origin: object, election_id: object) -> str:
    return f"{check_origin(board_origin, 'board_origin')}/elections/{check_election_id(election_id)}"


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode('ascii')}\n"


@dataclass(frozen=True)
class SignedCheckpoint:
    checkpoint: Checkpoint
    note: str

    @property
    def origin(self) -> str:
        return self.checkpoint.origin

    @property
    def size(self) -> int:
        return self.checkpoint.size

    @property
    def root(self) -> bytes:
        return self.checkpoint.root


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> SignedCheckpoint:
    check_origin(checkpoint.origin)
    if len(checkpoint.root) != HASH_SIZE or checkpoint.size < 0:
        raise ValueError("a checkpoint has a 32-byte root and a size >= 0")
    return SignedCheckpoint(checkpoint, sign_note(checkpoint.body(), signer))


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body (the note text, without signatures)."""
    lines = text.split("\n")
    if len(lines) != 4 or lines[3] != "":
        raise MalformedNote("checkpoint body must be exactly three lines: origin, size, root")
    origin, size, root = lines[:3]
    if not _ORIGIN.fullmatch(origin):
        raise MalformedNote("checkpoint origin is not printable ASCII without spaces")
    if not _SIZE.fullmatch(size) or int(size) >= 1 << 64:
        raise MalformedNote(f"checkpoint size {size[:30]!r} is not a decimal integer below 2^64")
    try:
        root_bytes = base64.b64decode(root, validate=True)
    except (binascii.Error, ValueError):  # ValueError: a non-ASCII character
        raise MalformedNote("checkpoint root is not base64") from None
    if len(root_bytes) != HASH_SIZE or base64.b64encode(root_bytes).decode("ascii") != root:
        raise MalformedNote("checkpoint root is not the base64 of 32 bytes")
    return Checkpoint(origin, int(size), root_bytes)


def verify_checkpoint(note: object, verifiers: list[NoteVerifier] | tuple[NoteVerifier, ...], *,
                      origin: str | None = None) -> SignedCheckpoint:
    """Check the signature(s) first, then parse the body; optionally require the expected ``origin``."""
    if not isinstance(note, str):  # as parse_note refuses it; the checkpoint keeps the note as text
        raise MalformedNote(f"a note is text, not {type(note).__name__}")
    opened = open_note(note, verifiers)
    checkpoint = parse_checkpoint(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise MalformedNote(f"checkpoint origin {checkpoint.origin!r} is not the expected {origin!r}")
    return SignedCheckpoint(checkpoint, note)
