"""Chunked entries as the verifier reads them (docs/record-format.md §13), written from the record format and
independent of the board's ``voting/record/chunks.py``.

An entry too large for one board entry is posted as ``chunk`` entries and then the entry itself, whose payload
``{"chunked": {"parts", "bytes", "sha256"}}`` stands for the RFC 8785 bytes its parts hold. Two readings:

* :class:`ChunkLedger`, the rules (section L): each poster's unused chunks per kind; a chunk's ``part`` is the
  number of its poster's unused chunks of that kind; a chunked entry uses exactly those, in order, all of them,
  and its whole payload is then checked by the entry's own rule.
* :func:`resolve_for_reading`, for the readers: every chunked entry whose parts can be put together gets its whole
  payload (the rules judge who posted what; a chunked entry that cannot be put together stays as written, and the
  readers then fail to read it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Union

import rfc8785

from ..model_evote import ControlEntry, Event
from .state import EntryFacts, Observed, RuleBroken

CHUNK = "chunk"
ADMIN_POSTS = ("mix.input", "decryption.challenge", "tally.result")  # record-format §13: the kinds that may be chunked
TRUSTEE_POSTS = ("mix.shuffled", "decryption.share", "decryption.response")
CHUNKABLE = ADMIN_POSTS + TRUSTEE_POSTS
MAX_PART = 700_000
ADMINISTRATOR = "administrator"

Poster = Union[str, int]  # ADMINISTRATOR or a trustee's guardian index


def is_chunked(payload: object) -> bool:
    """A payload that stands for chunks: exactly ``{"chunked": ...}``."""
    return isinstance(payload, dict) and set(payload) == {"chunked"}


def part_data(body: object, poster: Poster) -> tuple[str, bytes, int, bytes]:
    """(for, whole, part, data) of a chunk's payload (administrator) or signed body (trustee), checked as §13 says:
    ``for`` a kind its poster may chunk, ``whole`` the SHA-256 of the payload it is part of (64 upper-case hex),
    ``part`` a number, ``data`` canonical padded base64 (RFC 4648 §4) of 1 to 700,000 bytes."""
    keys = {"for", "whole", "part", "data"} | ({"guardian"} if poster != ADMINISTRATOR else set())
    if not isinstance(body, dict) or set(body) != keys:
        raise RuleBroken("payload", f"a chunk has exactly the fields {sorted(keys)}")
    kind, part, text = body["for"], body["part"], body["data"]
    allowed = ADMIN_POSTS if poster == ADMINISTRATOR else TRUSTEE_POSTS
    if kind not in allowed:
        raise RuleBroken("for", f"a chunk of the {poster_words(poster)} is for one of {', '.join(allowed)}")
    whole = _digest(body["whole"], "whole")
    if not isinstance(part, int) or isinstance(part, bool) or part < 0:
        raise RuleBroken("part", "expected a part number from 0")
    if not isinstance(text, str):
        raise RuleBroken("data", "expected base64 text")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise RuleBroken("data", "is not base64 (RFC 4648 §4, padded)") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise RuleBroken("data", "is not the canonical base64 of its bytes")
    if not 1 <= len(data) <= MAX_PART:
        raise RuleBroken("data", f"holds {len(data)} bytes; a part holds 1 to {MAX_PART}")
    return kind, whole, part, data


def _digest(value: object, field: str) -> bytes:
    if not isinstance(value, str) or len(value) != 64 or value != value.upper():
        raise RuleBroken(field, "expected a SHA-256 digest: 64 upper-case hex digits")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise RuleBroken(field, "expected a SHA-256 digest: 64 upper-case hex digits") from None


def whole_payload(chunked: object, data: Iterable[bytes]) -> dict[str, Any]:
    """The payload a chunked entry stands for: its parts' bytes, ``bytes`` long with that SHA-256, the RFC 8785
    form of a JSON object that is not itself chunked."""
    spec = chunked.get("chunked") if isinstance(chunked, dict) else None
    if not isinstance(spec, dict) or set(spec) != {"parts", "bytes", "sha256"}:
        raise RuleBroken("chunked", "expected exactly parts, bytes and sha256")
    whole = b"".join(data)
    if spec["bytes"] != len(whole):
        raise RuleBroken("chunked.bytes", f"the parts hold {len(whole)} bytes, the entry says {spec['bytes']!r}")
    if spec["sha256"] != hashlib.sha256(whole).hexdigest().upper():
        raise RuleBroken("chunked.sha256", "is not the SHA-256 of the parts' bytes (64 upper-case hex digits)")
    try:
        payload = json.loads(whole.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RuleBroken("chunked", "the parts' bytes are not JSON") from None
    if not isinstance(payload, dict) or is_chunked(payload):
        raise RuleBroken("chunked", "the parts' bytes are not a JSON object (a chunked payload is not chunked again)")
    if rfc8785.dumps(payload) != whole:
        raise RuleBroken("chunked", "the parts' bytes are not the RFC 8785 form of their JSON object")
    return payload


def parts_of(chunked: object) -> list[int]:
    spec = chunked.get("chunked") if isinstance(chunked, dict) else None
    parts = spec.get("parts") if isinstance(spec, dict) else None
    if not isinstance(parts, list) or not parts or not all(isinstance(s, int) and not isinstance(s, bool) for s in parts):
        raise RuleBroken("chunked.parts", "expected a non-empty list of seqs")
    return parts


def poster_words(poster: Poster) -> str:
    return "administrator" if poster == ADMINISTRATOR else f"trustee {poster}"


@dataclass
class ChunkLedger:
    """Each poster's unused chunks per (kind, whole), in part order: [(seq, part bytes)]; and the wholes each poster
    has used (a chunk of a used whole is refused: an old chunk cannot be replayed)."""

    unused: dict[tuple[Poster, str, bytes], list[tuple[int, bytes]]] = field(default_factory=dict)
    posters: dict[int, Poster] = field(default_factory=dict)  # seq of every unused chunk -> its poster
    used: set[tuple[Poster, bytes]] = field(default_factory=set)

    def add(self, seq: int | None, poster: Poster, body: object) -> None:
        """A ``chunk`` entry at ``seq``: its part is the next of its poster's unused chunks of that payload."""
        if seq is None:
            raise RuleBroken("seq", "a chunk is checked knowing its seq")
        kind, whole, part, data = part_data(body, poster)
        if (poster, whole) in self.used:
            raise RuleBroken("whole", f"the {poster_words(poster)} already posted this payload: its chunks are used")
        if part == 0:  # a poster that stopped part-way starts again: its earlier unused parts are dropped
            self.unused.pop((poster, kind, whole), None)
        pending = self.unused.setdefault((poster, kind, whole), [])
        if part != len(pending):
            raise RuleBroken("part", f"the {poster_words(poster)}'s next chunk of this {kind} is part {len(pending)}")
        pending.append((seq, data))
        self.posters[seq] = poster

    def resolve(self, kind: str, payload: object) -> tuple[Poster, dict[str, Any]]:
        """(the parts' poster, the whole payload) of a chunked entry of ``kind``: its parts are exactly that poster's
        unused chunks of the kind with ``whole`` its sha256, in part order; they are used up."""
        if kind not in CHUNKABLE:
            raise RuleBroken("payload", f"{kind} is never chunked (record-format §13)")
        seqs = parts_of(payload)
        poster = self.posters.get(seqs[0])
        if poster is None:
            raise RuleBroken("chunked.parts", f"seq {seqs[0]} is not an unused chunk")
        stated = _digest(payload["chunked"].get("sha256"), "chunked.sha256")  # type: ignore[index]
        pending = self.unused.get((poster, kind, stated), [])
        if [seq for seq, _ in pending] != seqs:
            raise RuleBroken(
                "chunked.parts", f"expected the {poster_words(poster)}'s chunks of this {kind}, {[s for s, _ in pending]}"
            )
        whole = whole_payload(payload, (data for _, data in pending))
        del self.unused[(poster, kind, stated)]
        for seq in seqs:
            del self.posters[seq]
        self.used.add((poster, stated))
        return poster, whole


def chunk(seen: Observed, poster: Poster, body: object, facts: EntryFacts) -> None:
    """chunk: a part of a larger entry, posted the way that entry is (record-format §13)."""
    seen.chunks.add(facts.seq, poster, body)


def chunk_data(entry: ControlEntry) -> bytes | None:
    """The bytes of a ``chunk`` entry as written (administrator or signed trustee form), or None."""
    payload = entry.payload
    body = payload.get("body") if isinstance(payload, dict) and "signature" in payload else payload
    text = body.get("data") if isinstance(body, dict) else None
    try:
        return base64.b64decode(text.encode("ascii"), validate=True) if isinstance(text, str) else None
    except (binascii.Error, UnicodeEncodeError):
        return None


def resolve_for_reading(events: Iterable[Event]) -> list[Event]:
    """The events with every chunked entry that can be put together holding its whole payload (the payload as
    written kept in ``written``); a chunk's poster is not judged here (section L replays the ledger)."""
    data: dict[int, bytes | None] = {}
    out: list[Event] = []
    for event in events:
        if isinstance(event, ControlEntry) and event.kind == CHUNK:
            data[event.seq] = chunk_data(event)
        elif isinstance(event, ControlEntry) and event.kind in CHUNKABLE and is_chunked(event.payload):
            try:
                parts = [data[seq] for seq in parts_of(event.payload)]
                if all(part is not None for part in parts):
                    event = replace(event, payload=whole_payload(event.payload, parts), written=event.payload)  # type: ignore[arg-type]
            except (KeyError, RuleBroken):
                pass
        out.append(event)
    return out
