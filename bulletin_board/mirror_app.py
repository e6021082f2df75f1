"""The mirror's Flask application: the board's own app (:func:`bulletin_board.app.create_app`) over the
mirror's database through a keyless :class:`~bulletin_board.mirror_log.MirrorLog`, in read-only mode
(``web/mirror_mode.py``).

    create_mirror_app()                                   settings from EVOTE_* environment variables
    create_mirror_app({"EVOTE_MIRROR_OF": "https://board.example.org", "EVOTE_DATABASE_URL": ...})

``EVOTE_MIRROR_OF`` (required) is the primary board's URL. The database must already hold the mirror's
identity (the primary's origin and the board key it was checked against), written by ``evote mirror follow``
or ``evote mirror serve`` on their first synchronisation: a mirror never learns the board's key from the
web app's settings. The app never starts the board's cosigner and holds no key. Production:
``evote mirror follow --of URL --db URL ...`` in one process and
``EVOTE_MIRROR_OF=URL EVOTE_DATABASE_URL=URL gunicorn -w 4 'evote.app:create_mirror_app()'`` (with the booth)
or ``'bulletin_board.mirror_app:create_mirror_app()'`` (the API alone).
"""

from __future__ import annotations

import os
from typing import Iterable, Mapping

from flask import Flask

from .app import create_app
from .log_format.errors import InvalidInput
from .log_format.note import NoteVerifier
from .mirror_log import MirrorLog
from .mirror_store import MirrorStore
from .storage import make_engine, migrate
from .web.config import load_settings
from .web.mirror_mode import install_mirror_mode

__all__ = ["create_mirror_app", "open_mirror"]


def primary_url_of(config: Mapping | None) -> str:
    url = str((config or {}).get("EVOTE_MIRROR_OF") or os.environ.get("EVOTE_MIRROR_OF") or "").strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise InvalidInput("EVOTE_MIRROR_OF", "a mirror needs the primary board's URL (http(s)://host[:port])")
    return url


def open_mirror(database_url: str, *, run_migrations: bool = True) -> MirrorStore:
    """The mirror's database, migrated to the board's schema, with the mirror's own tables."""
    engine = make_engine(database_url)
    if run_migrations:
        migrate(engine)
    return MirrorStore(engine)


def create_mirror_app(config: Mapping | None = None, *, exempt_endpoints: Iterable[str] = ()) -> Flask:
    primary = primary_url_of(config)
    settings_config = {**(config or {}), "EVOTE_WITNESS_POLICY_FILE": ""}  # a mirror never asks witnesses to cosign
    settings = load_settings(settings_config)
    store = open_mirror(settings.database_url, run_migrations=settings.migrate)
    meta = store.meta()
    if "board_key" not in meta or "origin" not in meta:
        raise InvalidInput("EVOTE_DATABASE_URL", "the mirror's database holds no copy yet: run `evote mirror follow` "
                           "(or `evote mirror serve`) against the primary first")
    if meta.get("primary_url") != primary:
        raise InvalidInput("EVOTE_MIRROR_OF", f"this database mirrors {meta.get('primary_url')}, not {primary}")
    log = MirrorLog(store.engine, NoteVerifier.from_string(meta["board_key"]), meta["origin"], primary)
    app = create_app(settings_config, log=log)
    install_mirror_mode(app, primary, store, exempt_endpoints=exempt_endpoints)
    app.extensions["evote_mirror"] = store
    return app
