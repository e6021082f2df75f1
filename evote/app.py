"""The web application evote serves: the board's API (:func:`bulletin_board.app.create_app`) with the voters'
booth mounted under /booth (:func:`voting.booth.register_booth`).

    create_app()                              settings from EVOTE_* environment variables
    create_app({"EVOTE_DATABASE_URL": ...})   explicit settings override the environment

EVOTE_SECRET_KEY (the same in every worker) signs the booth's forms' CSRF tokens; EVOTE_PUBLIC_URL is the
address its QR codes point to behind a proxy. Production: ``gunicorn -w 4 -b 127.0.0.1:8000
'evote.app:create_app()'`` (docs/board.md); ``bulletin_board.app:create_app()`` serves the API alone.
"""

from __future__ import annotations

import os
from typing import Mapping

from flask import Flask

from bulletin_board.app import create_app as create_board_app
from voting.booth import register_booth

__all__ = ["create_app", "create_mirror_app"]


def create_app(config: Mapping | None = None) -> Flask:
    app = create_board_app(config)
    extra = dict(config or {})
    public_url = extra.get("EVOTE_PUBLIC_URL") or os.environ.get("EVOTE_PUBLIC_URL")
    if public_url:
        app.config["EVOTE_PUBLIC_URL"] = public_url
    register_booth(app, secret_key=extra.get("EVOTE_SECRET_KEY") or os.environ.get("EVOTE_SECRET_KEY") or None)
    return app


def create_mirror_app(config: Mapping | None = None) -> Flask:
    """A mirror of a primary board (:func:`bulletin_board.mirror_app.create_mirror_app`, EVOTE_MIRROR_OF) with the
    booth's read-only pages; its vote page sends voters to the primary (:mod:`evote.mirror_booth`). Production:
    ``gunicorn -w 4 'evote.app:create_mirror_app()'`` beside ``evote mirror follow`` (docs/board.md, "Mirrors")."""
    from bulletin_board.mirror_app import create_mirror_app as create_board_mirror

    from .mirror_booth import install_mirror_booth

    app = create_board_mirror(config, exempt_endpoints=("booth.set_language",))
    extra = dict(config or {})
    register_booth(app, secret_key=extra.get("EVOTE_SECRET_KEY") or os.environ.get("EVOTE_SECRET_KEY") or None)
    install_mirror_booth(app, app.config["EVOTE_MIRROR_OF"], app.extensions["evote_mirror"])
    return app
