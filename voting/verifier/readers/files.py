"""Reading the files of an election record without trusting them: every reader opens record files here.

A record is data from whoever published it, and the verifier must finish on any record, with findings:

* **Regular files only.** A named pipe, a device, a socket, or a directory where a file is expected is
  refused. Its type is examined (``stat``) before it is opened, and it is opened with ``O_NONBLOCK`` and
  examined again (``fstat``) before a byte is read, so a named pipe never blocks the verifier.
* **Symbolic links** are followed only to a regular file inside the record's directory (a record may link
  one of its files to another). A link that leads outside it — to ``/dev/zero``, to the observer's own
  files — is refused, whatever it leads to. The check is made on the fully resolved path, so a linked
  directory (a device folder) is covered too.
* **A size limit per file kind** (:class:`Limits`; ``evote-verify --max-file-mib`` sets one limit for every
  kind). A larger file is refused unread. ``entries.jsonl`` is streamed: the limit applies to each of its
  lines, and a longer line is skipped, unread, as a line that is not an entry.
* **JSON** nested deeper than :data:`MAX_DEPTH` arrays or objects is refused with that reason: neither the
  parser's ``RecursionError`` nor a value too deep to send to a worker process stops the verification.

A refusal is a :class:`FileRefused` naming the file and the reason; the readers turn it into an
:class:`~voting.verifier.model.Unreadable` for that file, so a bad ballot file fails that ballot (Verification
5) while the others are still verified. docs/verification-checks.md, "Files the verifier reads".
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from ..model import Unreadable

MiB = 1 << 20
MAX_DEPTH = 64  # egk's files nest about 8 deep, an evote entry at most 33 (the board's payload limit is 32)
SKIP_CHUNK = 1 << 20
OPTION = "; evote-verify --max-file-mib sets it"  # how an observer reads a record whose files are larger


@dataclass(frozen=True)
class Limits:
    """The largest file of each kind the verifier reads, in bytes."""

    document: int = 32 * MiB  # egk: constants, election_config, manifest, election_initialized, tallies, ballot_chain
    ballot: int = 4 * MiB  # egk: one eballot-*.json or dballot-*.json (egk's 100-option sample ballot: 350 kB)
    entry: int = 16 * MiB  # evote: one line of entries.jsonl (a board's payload limit is 1 MiB unless configured)
    small: int = 1 * MiB  # evote: manifest.json, board-key.json, checkpoint.txt; a voter's receipt

    @classmethod
    def uniform(cls, size: int) -> Limits:
        """One limit for every kind (``--max-file-mib``)."""
        if size < 1:
            raise ValueError("a file size limit is at least 1 byte")
        return cls(size, size, size, size)


DEFAULT_LIMITS = Limits()


class FileRefused(Exception):
    """A record file that is not read: absent, not a regular file of the record, too large, or not readable."""

    def __init__(self, name: str, reason: str):
        self.name = name
        self.reason = reason
        super().__init__(name, reason)  # both kept in args: the exception survives pickling

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"

    def unreadable(self) -> Unreadable:
        return Unreadable(self.name, "", self.reason)


_KINDS = (
    (stat.S_ISDIR, "is a directory, not a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)


def _not_regular(mode: int) -> str:
    for test, reason in _KINDS:
        if test(mode):
            return reason
    return "is not a regular file"


def _os_reason(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else type(exc).__name__


def open_file(root: Path | str, name: str) -> BinaryIO:
    """``root/name`` opened for reading in binary, when it is a regular file of the record; else
    :class:`FileRefused` with the reason. ``name`` is relative to ``root``, the record's directory."""
    path = Path(root) / name
    if not os.path.lexists(path):
        raise FileRefused(name, "the file is absent")
    top = os.path.realpath(root)
    real = os.path.realpath(path)
    if os.path.commonpath([top, real]) != top:
        if os.path.islink(path):
            raise FileRefused(name, f"is a symbolic link to {real}, outside the record's directory")
        raise FileRefused(name, f"lies in a linked directory outside the record's directory (it is {real})")
    return _open_regular(real, name)


def open_given(path: Path | str) -> BinaryIO:
    """A file the observer names on the command line (a receipt), opened when it is a regular file, wherever
    a link to it leads; else :class:`FileRefused`."""
    if not os.path.lexists(path):
        raise FileRefused(str(path), "the file is absent")
    return _open_regular(os.path.realpath(path), str(path))


def _open_regular(real: str, name: str) -> BinaryIO:
    """The fully resolved path ``real`` opened without blocking, checked to be a regular file before and after."""
    try:
        before = os.stat(real)
        if not stat.S_ISREG(before.st_mode):
            raise FileRefused(name, _not_regular(before.st_mode))
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileRefused(name, f"cannot be opened: {_os_reason(exc)}") from None
    try:
        after = os.fstat(fd)
        if not stat.S_ISREG(after.st_mode):
            raise FileRefused(name, _not_regular(after.st_mode) + " (it was replaced while being opened)")
        if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
            raise FileRefused(name, "was replaced by another file while being opened")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _size_reason(size: int, limit: int, kind: str, option: str) -> str:
    return f"is {size} bytes, more than the verifier reads for {kind} ({limit} bytes{option})"


def read_bytes(root: Path | str, name: str, limit: int, kind: str) -> bytes:
    """The bytes of ``root/name``, at most ``limit`` of them (``kind`` names the limit in the reason)."""
    return _read_limited(open_file(root, name), name, limit, kind, OPTION)


def read_given(path: Path | str, limit: int, kind: str) -> bytes:
    """The bytes of a file the observer names (:func:`open_given`), at most ``limit`` of them."""
    return _read_limited(open_given(path), str(path), limit, kind, "")


def _read_limited(opened: BinaryIO, name: str, limit: int, kind: str, option: str) -> bytes:
    with opened as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise FileRefused(name, _size_reason(size, limit, kind, option))
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise FileRefused(name, f"cannot be read: {_os_reason(exc)}") from None
    if len(data) > limit:
        raise FileRefused(name, _size_reason(len(data), limit, kind, option) + " (it grew while being read)")
    return data


def parse_json(data: bytes | str) -> Any:
    """JSON text as Python values; :class:`ValueError` with the reason when it is not JSON, or nests deeper
    than :data:`MAX_DEPTH` (a RecursionError of the parser included)."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise ValueError(f"nests arrays or objects too deeply to be read (more than {MAX_DEPTH} levels)") from None
    if too_deep(value, MAX_DEPTH):
        raise ValueError(f"nests arrays or objects more than {MAX_DEPTH} levels deep")
    return value


def too_deep(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists and dicts more than ``limit`` levels deep (level by level, no recursion)."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 1
    while level:
        if depth > limit:
            return True
        deeper: list[dict[str, Any] | list[Any]] = []
        for item in level:
            deeper.extend(
                child for child in (item.values() if isinstance(item, dict) else item) if isinstance(child, (dict, list))
            )
        level, depth = deeper, depth + 1
    return False


def load_json(root: Path | str, name: str, limit: int, kind: str) -> Any:
    """The parsed JSON of ``root/name``, or :class:`Unreadable` saying why not."""
    try:
        data = read_bytes(root, name, limit, kind)
    except FileRefused as exc:
        return exc.unreadable()
    try:
        return parse_json(data)
    except ValueError as exc:  # UnicodeDecodeError included
        return Unreadable(name, "", f"is not readable JSON: {exc}")


@dataclass(frozen=True)
class Line:
    """One line of a streamed file: its byte offset, its bytes without the newline (empty when longer than
    the limit), whether it ended in a newline, and its length in bytes with the newline."""

    offset: int
    body: bytes
    terminated: bool
    length: int
    too_long: bool


def read_lines(root: Path | str, name: str, limit: int) -> Iterator[Line]:
    """Every line of ``root/name`` in order, at most ``limit`` bytes of each in memory; raises
    :class:`FileRefused` before the first line when the file cannot be read."""
    with open_file(root, name) as handle:
        offset = 0
        while True:
            raw = handle.readline(limit + 1)
            if not raw:
                return
            length = len(raw)
            too_long = length > limit and not (length == limit + 1 and raw.endswith(b"\n"))
            if too_long:
                while not raw.endswith(b"\n"):  # skip the rest of the line, a chunk at a time
                    raw = handle.readline(SKIP_CHUNK)
                    if not raw:
                        break
                    length += len(raw)
            terminated = raw.endswith(b"\n")
            body = b"" if too_long else (raw[:-1] if terminated else raw)
            yield Line(offset, body, terminated, length, too_long)
            offset += length


def line_too_long(line: Line, limit: int) -> str:
    size = line.length - line.terminated  # without its newline, as the limit counts
    return f"the line is {size} bytes, more than the verifier reads for one entry ({limit} bytes{OPTION})"
