"""The witness's configuration file (TOML), validated where it enters.

::

    name = "witness.example.org/w1"           # the cosigner name (a schema-less URL is recommended)
    key_file = "witness.key"                  # relative paths are relative to this file's directory
    database_url = "sqlite:///witness.sqlite3"  # default; or postgresql+psycopg://user@host/db
    # database_schema = "witness"             # PostgreSQL only: the schema holding the witness's tables
    # max_evidence_per_origin = 100           # evidence rows kept per log (the first ones are kept)

    [[boards]]
    origin_prefix = "board.example.org"       # every origin "<prefix>" or "<prefix>/..." (elections) is known
    keys = ["board.example.org+1a2b3c4d+AQ..."]  # the board's note verifier key(s)
    url = "https://board.example.org"        # optional: lets `evote-witness follow` pull checkpoints

TOML was chosen over JSON because operators edit this file by hand and want comments. Every error is a
``ConfigError`` naming the field (``boards[1].keys[0]``), never a traceback.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulletin_board.log_format.checkpoint import check_origin
from bulletin_board.log_format.errors import InvalidInput
from bulletin_board.log_format.note import NoteVerifier, check_key_name

from .errors import ConfigError

DEFAULT_DATABASE = "witness.sqlite3"
DEFAULT_EVIDENCE_CAP = 100
_FIELDS = {"name", "key_file", "database_url", "database_schema", "max_evidence_per_origin", "boards"}
_BOARD_FIELDS = {"origin_prefix", "keys", "url"}
_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}")

__all__ = ["BoardConfig", "WitnessConfig", "load_config", "parse_config"]


@dataclass(frozen=True)
class BoardConfig:
    origin_prefix: str
    keys: tuple[NoteVerifier, ...]
    url: str | None = None

    def covers(self, origin: str) -> bool:
        return origin == self.origin_prefix or origin.startswith(self.origin_prefix + "/")


@dataclass(frozen=True)
class WitnessConfig:
    name: str
    key_file: Path
    database_url: str
    boards: tuple[BoardConfig, ...]
    database_schema: str | None = None
    max_evidence_per_origin: int = DEFAULT_EVIDENCE_CAP

    def board_for(self, origin: str) -> BoardConfig | None:
        """The board whose prefix covers ``origin``; the longest prefix wins."""
        matches = [board for board in self.boards if board.covers(origin)]
        return max(matches, key=lambda board: len(board.origin_prefix)) if matches else None


def load_config(path: str | Path) -> WitnessConfig:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("config", f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("config", f"cannot read {path}: {getattr(exc, 'strerror', None) or 'not UTF-8'}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config", f"{path} is not valid TOML: {exc}") from None
    return parse_config(data, base=path.resolve().parent)


def parse_config(data: dict[str, Any], base: Path) -> WitnessConfig:
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise ConfigError(unknown[0], f"unknown setting (known: {', '.join(sorted(_FIELDS))})")
    name = _string(data, "name", required=True)
    try:
        check_key_name(name)
    except InvalidInput as exc:
        raise ConfigError("name", exc.reason) from None
    key_file = base / _string(data, "key_file", required=True)
    database_url = _string(data, "database_url") or f"sqlite:///{base / DEFAULT_DATABASE}"
    if not re.match(r"(sqlite|sqlite\+pysqlite|postgresql\+psycopg)://", database_url):
        raise ConfigError("database_url", "must be sqlite:///<file> or postgresql+psycopg://...")
    if database_url.startswith("sqlite") and not database_url.startswith("sqlite:////"):
        relative = database_url.split(":///", 1)[1] if ":///" in database_url else ""
        if not relative or relative.startswith(":memory:"):
            raise ConfigError("database_url", "a witness needs a SQLite file, not an in-memory database")
        database_url = f"sqlite:///{base / relative}"
    schema = _string(data, "database_schema") or None
    if schema is not None:
        if not database_url.startswith("postgresql"):
            raise ConfigError("database_schema", "is for PostgreSQL only")
        if not _SCHEMA.fullmatch(schema):
            raise ConfigError("database_schema", "must be a lower-case SQL identifier")
    cap = data.get("max_evidence_per_origin", DEFAULT_EVIDENCE_CAP)
    if not isinstance(cap, int) or isinstance(cap, bool) or not 0 <= cap <= 100_000:
        raise ConfigError("max_evidence_per_origin", "must be an integer from 0 to 100000")
    boards_data = data.get("boards", [])
    if not isinstance(boards_data, list):
        raise ConfigError("boards", "must be an array of tables ([[boards]])")
    boards = tuple(_board(item, f"boards[{number}]") for number, item in enumerate(boards_data))
    prefixes = [board.origin_prefix for board in boards]
    for number, prefix in enumerate(prefixes):
        if prefix in prefixes[:number]:
            raise ConfigError(f"boards[{number}].origin_prefix", f"{prefix!r} is configured twice")
    return WitnessConfig(name, key_file, database_url, boards, schema, cap)


def _board(item: object, where: str) -> BoardConfig:
    if not isinstance(item, dict):
        raise ConfigError(where, "must be a table with origin_prefix, keys and optionally url")
    unknown = sorted(set(item) - _BOARD_FIELDS)
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}", "unknown setting (known: origin_prefix, keys, url)")
    prefix = _string(item, "origin_prefix", required=True, where=where)
    try:
        check_origin(prefix)
    except InvalidInput as exc:
        raise ConfigError(f"{where}.origin_prefix", exc.reason) from None
    keys_data = item.get("keys")
    if not isinstance(keys_data, list) or not keys_data:
        raise ConfigError(f"{where}.keys", "must be a non-empty list of the board's note verifier keys")
    keys = []
    for number, text in enumerate(keys_data):
        try:
            keys.append(NoteVerifier.from_string(text))
        except InvalidInput as exc:
            raise ConfigError(f"{where}.keys[{number}]", exc.reason) from None
    url = _string(item, "url", where=where) or None
    if url is not None:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url):
            raise ConfigError(f"{where}.url", "must be an http:// or https:// URL without query or fragment")
        url = url.rstrip("/")
    return BoardConfig(prefix, tuple(keys), url)


def _string(data: dict[str, Any], field: str, *, required: bool = False, where: str = "") -> str:
    label = f"{where}.{field}" if where else field
    value = data.get(field)
    if value is None:
        if required:
            raise ConfigError(label, "is required")
        return ""
    if not isinstance(value, str) or not value:
        raise ConfigError(label, "must be a non-empty string")
    return value
