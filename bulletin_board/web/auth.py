"""``admin_required``: a bearer token compared in constant time; the token is never logged or echoed."""

from __future__ import annotations

import functools
import hmac

from flask import current_app, request

from .errors import ApiError

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="evote-board-admin"'}


def admin_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        expected = current_app.extensions["evote_board"].settings.admin_token
        if not expected:
            raise ApiError(403, "admin_disabled", "the admin API is disabled (EVOTE_ADMIN_TOKEN is not set)")
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "missing_token", "an admin bearer token is required", "Authorization", _CHALLENGE)
        if not hmac.compare_digest(token.strip().encode("utf-8"), expected.encode("utf-8")):
            raise ApiError(401, "invalid_token", "the admin bearer token is not valid", "Authorization",
                           {"WWW-Authenticate": 'Bearer realm="evote-board-admin", error="invalid_token"'})
        return view(*args, **kwargs)

    return wrapper
