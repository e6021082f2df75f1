"""The board's Ed25519 key file: created on first start (mode 0600), read on every later one.

The file holds one line ``evote-board-ed25519-v1 <64 hex digits of the seed>``. It is created
atomically (written to a private temporary file, then hard-linked into place), so two workers
starting together end up with the same key. A file readable by group or others is refused.
Errors name the path and the fault, never the key material.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from pathlib import Path

from nacl.signing import SigningKey

from .log_format.errors import BoardError
from .log_format.note import NoteSigner

HEADER = "evote-board-ed25519-v1"
_LINE = re.compile(HEADER + r" ([0-9a-f]{64})\n?")

__all__ = ["KeyFileError", "load_or_create_board_key", "load_board_key"]


class KeyFileError(BoardError):
    code = "key_file"


def load_board_key(path: str | os.PathLike, name: str) -> NoteSigner:
    path = Path(path)
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(f"board key file {path} has mode {stat.S_IMODE(mode):04o}; "
                               "it must not be accessible to group or others (chmod 600)")
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read board key file {path}: {type(exc).__name__}") from None
    match = _LINE.fullmatch(text)
    if not match:
        raise KeyFileError(f"board key file {path} is not in the {HEADER} format")
    return NoteSigner(name, SigningKey(bytes.fromhex(match.group(1))))


def load_or_create_board_key(path: str | os.PathLike, name: str) -> NoteSigner:
    path = Path(path)
    if not path.exists():
        _create(path)
    return load_board_key(path, name)


def _create(path: Path) -> None:
    seed = secrets.token_bytes(32)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(f"{HEADER} {seed.hex()}\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race; both now read its key
    finally:
        temporary.unlink(missing_ok=True)
