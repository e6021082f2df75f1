"""The ``<uuid>.bel`` archive, read as a stream (Belenios spec §"Public data"; src/lib/core/archive.ml).

An old-style tar archive: a ``BELENIOS`` header file ``{"version": 1, "timestamp": ...}``, then files named
``<sha256 hex>.data.json`` (payloads) and ``<sha256 hex>.event.json`` (events ``{parent?, height, type,
payload?}``). An event refers to its predecessor by hash (``parent``) and to its payload by hash; the name of
every file is the SHA256 of its contents.

:class:`Archive` makes one pass over the tar headers and keeps, for each file, only its offset and size
(never a ballot); events, which are small, are read and their chain checked in that pass (:attr:`chain_problems`).
Payloads are read when asked (:meth:`Archive.data`), by hash, with their SHA256 checked against their name.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterator

from ..readers.files import FileRefused, open_given, parse_json

BLOCK = 512
_NAME = re.compile(r"([0-9a-f]{64})\.(data|event)\.json")
EVENT_TYPES = ("Setup", "Ballot", "EndBallots", "EncryptedTally", "Shuffle", "EndShuffles", "PartialDecryption", "Result")
MAX_EVENT = 4096  # an event is {parent, height, type, payload}: about 200 bytes


class ArchiveUnreadable(Exception):
    """The file is not a Belenios archive at all (no BELENIOS header, not a tar)."""


@dataclass(frozen=True)
class Event:
    """One event of the chain, in archive order."""

    hash: str  # hex SHA256 of the event's file (its name)
    height: int
    type: str
    parent: str | None
    payload: str | None  # hex SHA256 of the payload's data file

    @property
    def origin(self) -> str:
        return f"{self.hash}.event.json (height {self.height}, {self.type})"


@dataclass(frozen=True)
class Located:
    offset: int
    size: int


def _octal(field: bytes) -> int:
    text = field.split(b"\0", 1)[0].strip()
    if not text or not re.fullmatch(rb"[0-7]+", text):
        raise ValueError(f"size field {text!r} is not octal")
    return int(text, 8)


class Archive:
    """The index of one ``.bel`` file (see the module docstring)."""

    def __init__(self, path: str, document_limit: int):
        self.path = path
        self.document_limit = document_limit
        self.header: dict[str, Any] = {}
        self.events: list[Event] = []  # every event, in archive order (small: hashes and types)
        self.chain_problems: list[tuple[str, str, str | None, str | None]] = []  # (origin, reason, expected, found)
        self.data_index: dict[str, Located] = {}
        self.other_files: list[str] = []
        try:
            self._handle: BinaryIO = open_given(path)
        except FileRefused as exc:
            raise ArchiveUnreadable(str(exc)) from None
        self._scan()

    def close(self) -> None:
        self._handle.close()

    def _headers(self) -> Iterator[tuple[str, int, int]]:
        """(name, offset of the body, size) of each tar member, in order."""
        handle, end = self._handle, os.fstat(self._handle.fileno()).st_size
        position = 0
        while position + BLOCK <= end:
            handle.seek(position)
            block = handle.read(BLOCK)
            if block == bytes(BLOCK):
                return  # end-of-archive blocks
            name = block[:100].split(b"\0", 1)[0].decode("utf-8", "replace")
            try:
                size = _octal(block[124:136])
            except ValueError as exc:
                raise ArchiveUnreadable(f"tar header at byte {position}: {exc}") from None
            if position + BLOCK + size > end:
                raise ArchiveUnreadable(f"{name}: the archive ends inside this file (truncated)")
            yield name, position + BLOCK, size
            position += BLOCK + (size + BLOCK - 1) // BLOCK * BLOCK

    def read_at(self, where: Located) -> bytes:
        self._handle.seek(where.offset)
        return self._handle.read(where.size)

    def _scan(self) -> None:
        members = self._headers()
        first = next(members, None)
        if first is None or first[0] != "BELENIOS":
            raise ArchiveUnreadable("the archive does not start with a BELENIOS header file")
        try:
            self.header = parse_json(self.read_at(Located(first[1], min(first[2], MAX_EVENT))))
        except ValueError as exc:
            raise ArchiveUnreadable(f"BELENIOS header: {exc}") from None
        previous: Event | None = None
        for name, offset, size in members:
            match = _NAME.fullmatch(name)
            if match is None:
                self.other_files.append(name)
                continue
            digest, kind = match.groups()
            if kind == "data":
                self.data_index.setdefault(digest, Located(offset, size))
                continue
            event = self._event(name, digest, Located(offset, size), previous)
            if event is not None:
                self.events.append(event)
                previous = event

    def _problem(self, origin: str, reason: str, expected: object = None, found: object = None) -> None:
        self.chain_problems.append((origin, reason, None if expected is None else str(expected), None if found is None else str(found)))

    def _event(self, name: str, digest: str, where: Located, previous: Event | None) -> Event | None:
        """Belenios' chain rule: height 0 without parent first, then each event's parent is the previous one
        and its height one more; its file name is the SHA256 of its contents."""
        if where.size > MAX_EVENT:
            self._problem(name, f"an event of {where.size} bytes (events are small; not read)")
            return None
        body = self.read_at(where)
        actual = hashlib.sha256(body).hexdigest()
        if actual != digest:
            self._problem(name, "the event's SHA256 is not its name", digest, actual)
        try:
            value = json.loads(body)
            event = Event(actual, value["height"], value["type"], value.get("parent"), value.get("payload"))
            if not isinstance(event.height, int) or event.type not in EVENT_TYPES:
                raise ValueError(f"height {event.height!r}, type {event.type!r}")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self._problem(name, f"not a Belenios event: {exc}")
            return None
        expected_parent = previous.hash if previous else None
        expected_height = previous.height + 1 if previous else 0
        if event.parent != expected_parent:
            self._problem(event.origin, "parent is not the previous event", expected_parent, event.parent)
        if event.height != expected_height:
            self._problem(event.origin, "height is not the previous event's plus one", expected_height, event.height)
        return event

    def data(self, digest: str | None, limit: int | None = None) -> bytes:
        """The payload whose SHA256 is ``digest``; KeyError/ValueError with the reason when absent or altered."""
        if digest is None:
            raise KeyError("the event has no payload")
        where = self.data_index.get(digest)
        if where is None:
            raise KeyError(f"no data file {digest}.data.json in the archive")
        if where.size > (limit or self.document_limit):
            raise ValueError(f"{digest}.data.json is {where.size} bytes, more than the verifier reads")
        body = self.read_at(where)
        check_digest(digest, body)
        return body

    def json(self, digest: str | None, limit: int | None = None) -> Any:
        return parse_json(self.data(digest, limit))

    def of_type(self, *types: str) -> list[Event]:
        return [e for e in self.events if e.type in types]


def check_digest(digest: str, body: bytes) -> None:
    actual = hashlib.sha256(body).hexdigest()
    if actual != digest:
        raise ValueError(f"{digest}.data.json: its SHA256 is {actual}, not its name")
