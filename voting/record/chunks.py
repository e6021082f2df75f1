"""Chunked entries (record-format §13): a payload larger than one entry, posted as ``chunk`` entries and then
the entry itself, whose payload names the chunks by seq.

A mix output of 10,000 rows of width 5 is about 100 MB of hex, a hundred times the board's 1 MiB payload limit;
so are the decryption shares and the result of its rows. Rather than raising the limit (every reader would
then hold 100 MB entries) or adding a second store beside the log (which exports, mirrors and witnesses would
have to follow), a large payload is cut into ordinary entries: the log, its Merkle tree, its export and its
mirrors are unchanged, and only the rules read a chunked entry as the whole payload it stands for.

The engine keeps each poster's unused chunks in a :class:`ChunkStore`; readers that only need the payloads
use :func:`resolve_entries`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Union

import rfc8785

from ..encoding import hex_bytes, parse_digest, parse_small_int, require_list
from .common import RecordError, exact, guardian_index
from .phases import CHUNK as CHUNK

CHUNKABLE_KINDS = (
    "mix.input", "mix.shuffled", "decryption.share", "decryption.challenge", "decryption.response", "tally.result",
)  # fmt: skip
MAX_PART_BYTES = 700_000  # base64 makes 933,336 characters of it: a chunk entry stays under the 1 MiB limit
WHOLE_LIMIT = 1 << 20
MARGIN = 4096  # room for the envelope (signature, field names) around a payload posted whole
MAX_PARTS = 100_000  # 70 GB: far beyond any election; bounds the parts list
ADMIN = "admin"

Poster = Union[str, int]  # ADMIN or a trustee's guardian index


def canonical(payload: Any) -> bytes:
    return rfc8785.dumps(payload)


def needs_chunks(payload: Any) -> bool:
    """Whether ``payload`` (an entry's whole payload, signed message included) is too large for one entry."""
    return len(canonical(payload)) > WHOLE_LIMIT - MARGIN


def split_payload(payload: Any) -> list[bytes]:
    """The RFC 8785 bytes of ``payload`` cut into parts of at most MAX_PART_BYTES (step 1 of §13)."""
    whole = canonical(payload)
    return [whole[i : i + MAX_PART_BYTES] for i in range(0, len(whole), MAX_PART_BYTES)] or [b""]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def whole_digest(whole: bytes) -> bytes:
    return hashlib.sha256(whole).digest()


def admin_chunk_payload(kind: str, whole: bytes, part: int, data: bytes) -> dict[str, Any]:
    """The administrator's ``chunk`` payload: part ``part`` (``data``) of the payload ``whole`` of a ``kind``."""
    return {"for": kind, "whole": hex_bytes(whole_digest(whole)), "part": part, "data": _b64(data)}


def trustee_chunk_body(guardian: int, kind: str, whole: bytes, part: int, data: bytes) -> dict[str, Any]:
    """The body of a trustee's ``chunk`` message, to be signed with messages.sign_message(..., CHUNK, ...)."""
    return {"guardian": guardian, **admin_chunk_payload(kind, whole, part, data)}


def chunked_payload(seqs: list[int], whole: bytes) -> dict[str, Any]:
    """The payload of the entry itself (step 3 of §13)."""
    return {"chunked": {"parts": list(seqs), "bytes": len(whole), "sha256": hex_bytes(whole_digest(whole))}}


def is_chunked(payload: object) -> bool:
    return isinstance(payload, dict) and set(payload) == {"chunked"}


@dataclass(frozen=True)
class Chunk:
    seq: int
    poster: Poster
    kind: str  # the kind it is a part of ("for")
    whole: bytes  # the SHA-256 of the whole payload it is a part of
    part: int
    data: bytes


def parse_chunk_body(body: object, seq: int, poster: Poster) -> Chunk:
    """A chunk's fields (the admin's payload, or a trustee's signed body, whose ``guardian`` the caller checked)."""
    required = {"for", "whole", "part", "data"} | ({"guardian"} if poster != ADMIN else set())
    obj = exact(body, "payload", required)
    kind = obj["for"]
    if kind not in CHUNKABLE_KINDS:
        raise RecordError("for", f"{kind!r} is not a kind that may be posted in chunks ({', '.join(CHUNKABLE_KINDS)})")
    whole = parse_digest(obj["whole"], "whole")
    part = parse_small_int(obj["part"], "part", maximum=MAX_PARTS - 1)
    text = obj["data"]
    if not isinstance(text, str) or not 0 < len(text) <= 4 * ((MAX_PART_BYTES + 2) // 3):
        raise RecordError("data", f"base64 of 1 to {MAX_PART_BYTES} bytes")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise RecordError("data", "is not padded base64 (RFC 4648 §4)") from None
    if _b64(data) != text or not 0 < len(data) <= MAX_PART_BYTES:
        raise RecordError("data", f"canonical base64 of 1 to {MAX_PART_BYTES} bytes")
    return Chunk(seq, poster, kind, whole, part, data)


@dataclass
class ChunkStore:
    """The engine's chunks not yet used by a chunked entry, by (poster, kind, whole) in part order, and the
    wholes already used (a chunk of a used whole is refused, so an old chunk cannot be replayed)."""

    pending: dict[tuple[Poster, str, bytes], list[Chunk]] = field(default_factory=dict)
    used: set[tuple[Poster, bytes]] = field(default_factory=set)

    def add(self, chunk: Chunk) -> Chunk:
        if (chunk.poster, chunk.whole) in self.used:
            raise RecordError("whole", "this payload was already posted: its chunks cannot be posted again")
        if chunk.part == 0:  # a poster that stopped part-way starts again: its earlier unused parts are dropped
            self.pending.pop((chunk.poster, chunk.kind, chunk.whole), None)
        waiting = self.pending.setdefault((chunk.poster, chunk.kind, chunk.whole), [])
        if chunk.part != len(waiting):
            raise RecordError("part", f"the next part of this payload is {len(waiting)}")
        waiting.append(chunk)
        return chunk

    def resolve(self, kind: str, payload: object) -> tuple[Poster, Any]:
        """The poster of a chunked entry (its first part's) and the whole payload it stands for; the chunks it
        uses are consumed."""
        key, poster, whole = self._assemble(kind, payload)
        del self.pending[key]
        self.used.add((poster, key[2]))
        return poster, whole

    def peek(self, kind: str, payload: object) -> tuple[Poster, Any]:
        """As :meth:`resolve`, consuming nothing (a check made before the entry is appended)."""
        _, poster, whole = self._assemble(kind, payload)
        return poster, whole

    def _assemble(self, kind: str, payload: object) -> tuple[tuple[Poster, str, bytes], Poster, Any]:
        if kind not in CHUNKABLE_KINDS:
            raise RecordError("payload.chunked", f"a {kind} is never posted in chunks")
        digest = _stated_digest(payload)
        parts = payload["chunked"]["parts"] if isinstance(payload, dict) else None
        first = parts[0] if isinstance(parts, list) and parts else None
        key = next((key for key, chunks in self.pending.items() if chunks[0].seq == first), None)
        if key is None or key[1:] != (kind, digest):
            raise RecordError("payload.chunked.parts", f"the first part is not an unused chunk of this {kind} with this sha256")
        waiting = self.pending[key]
        return key, key[0], assemble(payload, [c.seq for c in waiting], {c.seq: c.data for c in waiting})


def _stated_digest(payload: object) -> bytes:
    spec = exact(exact(payload, "payload", {"chunked"})["chunked"], "payload.chunked", {"parts", "bytes", "sha256"})
    return parse_digest(spec["sha256"], "payload.chunked.sha256")


def assemble(payload: object, expected_seqs: list[int], data_of: dict[int, bytes]) -> Any:
    """§13's checks of a chunked payload: its parts are ``expected_seqs`` (the poster's chunks of this whole,
    in part order), their data has the stated length and SHA-256 and is a canonical JSON object."""
    spec = exact(exact(payload, "payload", {"chunked"})["chunked"], "payload.chunked", {"parts", "bytes", "sha256"})
    seqs = require_list(spec["parts"], "payload.chunked.parts", min_len=1, max_len=MAX_PARTS)
    if not expected_seqs or seqs != expected_seqs:
        raise RecordError("payload.chunked.parts", f"must be exactly the poster's chunks of this payload, in order: {expected_seqs}")
    size = parse_small_int(spec["bytes"], "payload.chunked.bytes", minimum=1, maximum=MAX_PARTS * MAX_PART_BYTES)
    digest = parse_digest(spec["sha256"], "payload.chunked.sha256")
    whole = b"".join(data_of[seq] for seq in seqs)
    if len(whole) != size:
        raise RecordError("payload.chunked.bytes", f"the parts hold {len(whole)} bytes")
    if whole_digest(whole) != digest:
        raise RecordError("payload.chunked.sha256", "is not the SHA-256 of the parts' data")
    try:
        value = json.loads(whole)
    except (ValueError, UnicodeDecodeError):
        raise RecordError("payload.chunked", "the parts' data is not JSON") from None
    if not isinstance(value, dict):
        raise RecordError("payload.chunked", "the parts' data is not a JSON object")
    try:
        if canonical(value) != whole:
            raise RecordError("payload.chunked", "the parts' data is not in RFC 8785 canonical form")
    except (rfc8785.CanonicalizationError, TypeError, ValueError):
        raise RecordError("payload.chunked", "the parts' data cannot be canonicalised") from None
    return value


def chunk_poster(payload: object, n: int) -> tuple[Poster, object]:
    """A chunk entry's poster and body (for readers: a trustee's signature is not checked here)."""
    if isinstance(payload, dict) and "signature" in payload:
        obj = exact(payload, "payload", {"body", "signer", "signature"})
        return guardian_index(obj["signer"], "signer", n), obj["body"]
    return ADMIN, payload


def resolve_entries(entries: Iterable[tuple[int, str, Any]], n: int = 10_000) -> Iterator[tuple[int, str, Any]]:
    """Every entry but the chunks, a chunked payload replaced by the whole payload it names (record-format §13).

    For readers that take the payloads as the board's engine accepted them (the result, the trustee tools,
    the administrator's tools); which poster's chunks an entry may use, and the signatures, are the engine's
    (or the verifier's) to check.
    """
    data_of: dict[int, bytes] = {}
    for seq, kind, payload in entries:
        if kind == CHUNK:
            poster, body = chunk_poster(payload, n)
            data_of[seq] = parse_chunk_body(body, seq, poster).data
            continue
        if is_chunked(payload):
            spec = payload["chunked"] if isinstance(payload, dict) else None
            seqs = spec.get("parts") if isinstance(spec, dict) else None
            if not isinstance(seqs, list) or not all(isinstance(s, int) and s in data_of for s in seqs):
                raise RecordError(f"entry {seq}: payload.chunked.parts", "names entries that are not chunks before it")
            payload = assemble(payload, seqs, data_of)
            for used in seqs:
                del data_of[used]
        yield seq, kind, payload
