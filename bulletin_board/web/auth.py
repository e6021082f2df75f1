"""``admin_required``: a bearer token compared in constant time; the token is never logged or echoed.

The board accepts only generated tokens (bulletin_board/admin_token.py), which nobody can guess, so a valid
token is never refused for the refusals before it: :func:`presented_valid_token` exempts it from the
per-address limit on refused tokens (web/limits.py), and anybody sharing the administrator's address can
spend that limit without locking the administrator out.
"""

from __future__ import annotations

import functools
import hmac

from flask import current_app, g, request

from .errors import ApiError

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="evote-board-admin"'}


def _presented_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def presented_valid_token() -> bool:
    """Whether this request carries the admin token; compared once per request, in constant time."""
    if "evote_admin_token_valid" not in g:
        expected = current_app.extensions["evote_board"].settings.admin_token
        token = _presented_token()
        g.evote_admin_token_valid = bool(expected and token is not None) and hmac.compare_digest(
            token.encode("utf-8"), expected.encode("utf-8")
        )
    return g.evote_admin_token_valid


def admin_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_app.extensions["evote_board"].settings.admin_token:
            raise ApiError(403, "admin_disabled", "the admin API is disabled (EVOTE_ADMIN_TOKEN is not set)")
        if _presented_token() is None:
            raise ApiError(401, "missing_token", "an admin bearer token is required", "Authorization", _CHALLENGE)
        if not presented_valid_token():
            raise ApiError(
                401,
                "invalid_token",
                "the admin bearer token is not valid",
                "Authorization",
                {"WWW-Authenticate": 'Bearer realm="evote-board-admin", error="invalid_token"'},
            )
        return view(*args, **kwargs)

    return wrapper
