"""The members of a large JSON document, one at a time, without reading the whole document into memory.

Helios serves an election's cast votes as a JSON array (and pyrios bundles them in one JSON object): the
verifier reads them one vote at a time. :func:`members` walks the document's structural tokens (strings,
brackets, commas, colons) a chunk at a time and yields the raw text of each member of the top-level container,
or of the container under one top-level key. The text is not validated here: each member is parsed on its own
(readers/files.py ``parse_json``).

Written here rather than with ijson: the verifier needs each member's raw bytes, refused unread when it is
larger than the per-ballot limit (--max-file-mib) and parsed on its own, so one malformed or huge vote fails
that vote (HB.1) while the others are still verified; ijson's item builder parses a member whole, with no
bound, and gives the object, not its text.
"""

from __future__ import annotations

import json
import re
from typing import BinaryIO, Iterator

_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*(")?|[\[\]{},:]', re.S)  # group 1: the closing quote, when in the buffer
CHUNK = 1 << 20


class Malformed(ValueError):
    """The document is not a JSON array or object as expected."""


class _Scanner:
    """Structural tokens of a file with their offsets; the text from ``pin`` on stays in the buffer."""

    def __init__(self, handle: BinaryIO):
        self.handle, self.buffer, self.base, self.pos, self.eof = handle, bytearray(), 0, 0, False
        self.pin: int | None = None

    def lexemes(self) -> Iterator[tuple[bytes, int, bytes]]:
        while True:
            match = _TOKEN.search(self.buffer, self.pos)
            lexeme = match.group() if match else b""
            partial = lexeme[:1] == b'"' and match.group(1) is None  # type: ignore[union-attr]
            if match is None or (partial and not self.eof):
                if self.eof:
                    return
                keep = match.start() if match else len(self.buffer)
                if self.pin is not None:
                    keep = min(keep, self.pin - self.base)
                del self.buffer[:keep]
                self.base += keep
                self.pos = match.start() - keep if match else len(self.buffer)
                chunk = self.handle.read(CHUNK)
                self.eof = not chunk
                self.buffer += chunk
                continue
            self.pos = match.end()
            yield lexeme[:1], self.base + match.start(), lexeme

    def text(self, start: int, end: int) -> bytes:
        return bytes(self.buffer[start - self.base:end - self.base]).strip()


def members(handle: BinaryIO, limit: int, *, under: str | None = None,
            skip: frozenset[str] = frozenset()) -> Iterator[tuple[str | int, bytes | None]]:
    """``(key or index, raw text)`` of each member of the top-level array or object; with ``under``, of the
    members of the container under that top-level key. Top-level keys in ``skip`` are passed over unkept.
    A member longer than ``limit`` bytes is yielded as ``(key, None)``, unkept. Raises :class:`Malformed`
    when the document ends before its top-level container closes."""
    scan = _Scanner(handle)
    stack: list[list] = []  # per open container: [is_object, expecting_a_key, last_key]
    target = 1 if under is None else 2
    wanted = False
    start: int | None = None
    oversize = False
    index = 0
    for char, offset, lexeme in scan.lexemes():
        depth = len(stack)
        if start is not None and not oversize and offset - start > limit:
            oversize, scan.pin = True, None
        if char == b'"':
            if stack and stack[-1][0] and stack[-1][1]:
                stack[-1][1], stack[-1][2] = False, _key(lexeme)
            continue
        if char == b":":
            if depth == target and wanted and not (under is None and stack[-1][2] in skip):
                start = scan.pin = offset + 1
            continue
        if char in b"[{":
            if depth == target - 1:
                wanted = under is None or (depth == 1 and stack[0][2] == under)
                index = 0
                if wanted and char == b"[":
                    start = scan.pin = offset + 1
            stack.append([char == b"{", char == b"{", None])
            continue
        if not stack:
            raise Malformed("the document is not a JSON array or object")
        if depth == target and wanted and start is not None:
            name = stack[-1][2] if stack[-1][0] else index
            text = None if oversize else scan.text(start, offset)
            if text is None or text:
                yield name, text
            start, scan.pin, oversize = None, None, False
        if char == b",":
            index += depth == target
            if stack[-1][0]:
                stack[-1][1] = True
            elif depth == target and wanted:
                start = scan.pin = offset + 1
        else:
            stack.pop()
            if not stack:
                return
    raise Malformed("the document ends before its top-level container closes")


def _key(lexeme: bytes) -> str:
    try:
        return str(json.loads(lexeme))
    except ValueError:
        raise Malformed(f"a key is not a JSON string: {lexeme[:40]!r}") from None
