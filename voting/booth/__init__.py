"""The voter's side of evote: the web booth (a Flask blueprint) and the `evote vote` command.

    from voting.booth import register_booth
    app = create_app(config)          # the bulletin board's factory
    register_booth(app)               # booth pages under /booth, security headers on every response

The ballot is encrypted in the voter's browser (static/js/eg/, the same cryptography as the Python core);
the booth's server side only serves pages, strings and receipt QR codes. Importing this package does not
import Flask: `register_booth` loads the blueprint on first use, so `evote vote` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["register_booth"]


def register_booth(app: "Flask", **options: Any) -> None:
    """Mount the booth on the board's app; see :func:`voting.booth.blueprint.register_booth`."""
    from .blueprint import register_booth as _register

    _register(app, **options)
