"""The C2SP ``tlog-witness`` protocol's ``add-checkpoint`` call: its bytes and the witness's decision.

Request body (text): ``"old <size>\\n"``, zero to 63 lines each the base64 of one consistency-proof hash, an
empty line, then the signed checkpoint note. Answers (``decide``):

* 200 with the cosignature line(s) (``text/plain``);
* 400 a malformed request, or an old size above the checkpoint's size;
* 403 no signature by a key the witness trusts for the origin verifies;
* 404 the origin is unknown;
* 409 the old size is not the witness's latest cosigned size, or the same size with a different root; the
  body is the latest size and a newline, ``Content-Type: text/x.tlog.size``;
* 422 the consistency proof does not verify (the witness keeps the request as possible evidence).

``decide`` is pure: the witness service (``witness/``) runs it inside the transaction that reads and updates
its latest checkpoint, so the check and the update are atomic as the protocol requires.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Callable

from .checkpoint import Checkpoint, parse_checkpoint, verify_checkpoint
from .cosignature import Cosigner
from .errors import InvalidInput, ProofError, RootMismatch, VerificationError
from .merkle_hash import HASH_SIZE
from .merkle_verify import verify_consistency
from .note import NoteVerifier, parse_note

SIZE_CONTENT_TYPE = "text/x.tlog.size"
MAX_PROOF_LINES = 63
MAX_BODY_BYTES = 64 * 1024 + 64 * 64
_OLD = re.compile(r"old (0|[1-9][0-9]{0,19})")

__all__ = ["AddCheckpoint", "parse_add_checkpoint", "size_body", "parse_size_body", "Decision", "Held", "decide",
           "SIZE_CONTENT_TYPE"]


@dataclass(frozen=True)
class AddCheckpoint:
    old_size: int
    proof: tuple[bytes, ...]
    note: str

    def to_body(self) -> bytes:
        lines = [f"old {self.old_size}\n"] + [base64.b64encode(h).decode("ascii") + "\n" for h in self.proof]
        return ("".join(lines) + "\n" + self.note).encode("utf-8")


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Parse an add-checkpoint body strictly; ``InvalidInput`` (answered 400) names what is wrong."""
    if not isinstance(body, bytes) or len(body) > MAX_BODY_BYTES:
        raise InvalidInput("body", f"must be at most {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("body", "is not UTF-8") from None
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise InvalidInput("body", "has no empty line between the proof and the checkpoint")
    lines = head.split("\n")
    match = _OLD.fullmatch(lines[0])
    if not match or int(match.group(1)) >= 1 << 64:
        raise InvalidInput("old", "the first line must be 'old <size>' in decimal without leading zeroes")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise InvalidInput("proof", f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for number, line in enumerate(lines[1:], 1):
        try:
            value = base64.b64decode(line, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("proof", f"line {number} is not base64") from None
        if len(value) != HASH_SIZE:
            raise InvalidInput("proof", f"line {number} is not a 32-byte hash")
        proof.append(value)
    try:
        parse_checkpoint(parse_note(note).text)
    except VerificationError as exc:
        raise InvalidInput("checkpoint", str(exc)) from None
    return AddCheckpoint(int(match.group(1)), tuple(proof), note)


def size_body(size: int) -> bytes:
    return f"{size}\n".encode("ascii")


def parse_size_body(body: bytes) -> int:
    text = body.decode("ascii", "replace")
    if not re.fullmatch(r"(0|[1-9][0-9]{0,19})\n", text):
        raise InvalidInput("size", "a 409 answer's body must be a decimal size and a newline")
    return int(text)


@dataclass(frozen=True)
class Held:
    """The latest checkpoint a witness cosigned for an origin."""

    size: int
    root: bytes
    note: str


@dataclass(frozen=True)
class Decision:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    checkpoint: Checkpoint | None = None  # the checkpoint to store as the new latest (200 only)
    evidence: str | None = None  # why the request may prove misbehaviour (409 same size, 422)
    reason: str = field(default="")


def decide(request: AddCheckpoint, keys_for_origin: Callable[[str], tuple[NoteVerifier, ...] | None],
           held: Callable[[str], Held | None], cosigner: Cosigner, now: int) -> Decision:
    """What a witness answers to ``request``, in the order C2SP tlog-witness states the checks."""
    checkpoint = parse_checkpoint(parse_note(request.note).text)
    keys = keys_for_origin(checkpoint.origin)
    if not keys:
        return Decision(404, b"unknown origin\n", reason=f"unknown origin {checkpoint.origin}")
    try:
        verify_checkpoint(request.note, keys)
    except VerificationError:
        return Decision(403, b"no signature by a trusted key verifies\n", reason="no trusted signature verifies")
    if request.old_size > checkpoint.size:
        return Decision(400, b"old size is larger than the checkpoint size\n", reason="old size above size")
    latest = held(checkpoint.origin)
    latest_size = latest.size if latest else 0
    if request.old_size != latest_size:
        return Decision(409, size_body(latest_size), SIZE_CONTENT_TYPE, reason=f"old size {request.old_size} is not {latest_size}")
    if latest is not None and checkpoint.size == latest.size:
        if checkpoint.root != latest.root:
            return Decision(409, size_body(latest_size), SIZE_CONTENT_TYPE, evidence="same size, different root",
                            reason="same size as the held checkpoint with a different root")
    elif latest is None:
        if request.proof:
            return Decision(422, b"the proof must be empty when the old size is zero\n", reason="proof from size 0")
    else:
        try:
            verify_consistency(latest.size, checkpoint.size, latest.root, checkpoint.root, list(request.proof))
        except (ProofError, RootMismatch, VerificationError):
            return Decision(422, b"the consistency proof does not verify\n", evidence="consistency proof fails",
                            reason="consistency proof fails")
    line = cosigner.cosign(checkpoint.body(), now)
    return Decision(200, line.encode("utf-8"), checkpoint=checkpoint, reason="cosigned")
