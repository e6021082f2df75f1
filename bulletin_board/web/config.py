"""Settings from ``EVOTE_``-prefixed environment variables, overridable by ``create_app(config)``.

| name                  | default                          | meaning                                        |
|-----------------------|----------------------------------|------------------------------------------------|
| EVOTE_DATABASE_URL    | sqlite:///evote-board.sqlite3    | sqlite:///file or postgresql+psycopg://...     |
| EVOTE_BOARD_KEY_FILE  | evote-board.key                  | Ed25519 key file, created (0600) if absent     |
| EVOTE_BOARD_ORIGIN    | evote-board.localhost            | checkpoint origin prefix (no scheme, no '/')   |
| EVOTE_BOARD_KEY_NAME  | the origin                       | signed-note key name                           |
| EVOTE_ADMIN_TOKEN     | unset: admin API disabled        | bearer token, at least 16 characters           |
| EVOTE_MAX_BODY_BYTES  | 1048576                          | request body limit                             |
| EVOTE_MAX_PAGE        | 1000                             | largest ``limit`` for entry pages              |
| EVOTE_MIGRATE         | 1                                | upgrade the schema at start (0 to skip)        |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

from ..errors import InvalidInput
from ..log import MAX_PAGE

DEFAULTS = {
    "EVOTE_DATABASE_URL": "sqlite:///evote-board.sqlite3",
    "EVOTE_BOARD_KEY_FILE": "evote-board.key",
    "EVOTE_BOARD_ORIGIN": "evote-board.localhost",
    "EVOTE_BOARD_KEY_NAME": "",
    "EVOTE_ADMIN_TOKEN": "",
    "EVOTE_MAX_BODY_BYTES": "1048576",
    "EVOTE_MAX_PAGE": str(MAX_PAGE),
    "EVOTE_MIGRATE": "1",
}
MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class BoardSettings:
    database_url: str
    key_file: str
    origin: str
    key_name: str
    admin_token: str | None
    max_body_bytes: int
    max_page: int
    migrate: bool

    def __repr__(self) -> str:  # never show the admin token
        return f"BoardSettings(database_url={self.database_url!r}, origin={self.origin!r}, admin_token=***)"


def _int(values: Mapping[str, str], name: str, low: int, high: int) -> int:
    text = str(values[name]).strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(name, f"must be an integer from {low} to {high}")
    return int(text)


def load_settings(config: Mapping | None = None, environ: Mapping[str, str] = os.environ) -> BoardSettings:
    values = {name: environ.get(name, default) for name, default in DEFAULTS.items()}
    values.update({k: v for k, v in (config or {}).items() if k in DEFAULTS})
    token = str(values["EVOTE_ADMIN_TOKEN"] or "")
    if token and (len(token) < MIN_TOKEN_CHARS or not token.isprintable() or " " in token):
        raise InvalidInput("EVOTE_ADMIN_TOKEN", f"must be at least {MIN_TOKEN_CHARS} printable characters without spaces")
    origin = str(values["EVOTE_BOARD_ORIGIN"])
    return BoardSettings(
        database_url=str(values["EVOTE_DATABASE_URL"]),
        key_file=str(values["EVOTE_BOARD_KEY_FILE"]),
        origin=origin,
        key_name=str(values["EVOTE_BOARD_KEY_NAME"] or origin),
        admin_token=token or None,
        max_body_bytes=_int(values, "EVOTE_MAX_BODY_BYTES", 1024, 1 << 30),
        max_page=_int(values, "EVOTE_MAX_PAGE", 1, MAX_PAGE),
        migrate=str(values["EVOTE_MIGRATE"]).strip().lower() not in ("0", "false", "no"),
    )
