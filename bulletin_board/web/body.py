"""Every request body is read whole, up to EVOTE_MAX_BODY_BYTES, before anything looks at it (docs/board.md,
"Request bodies").

Werkzeug refuses a *declared* Content-Length over ``MAX_CONTENT_LENGTH`` with 413, but a chunked body has no
Content-Length: the server marks its stream ``wsgi.input_terminated`` (the dev server for chunked requests,
gunicorn for every request) and werkzeug then reads it through a ``LimitedStream`` whose ``read()`` stops *at*
the limit without a word, so a ballot followed by megabytes of padding was parsed as the ballot. Here such a
stream is read by the board itself, at most one byte past the limit: over the limit the request is refused
with 413 before any view, rate limit or parser sees a byte; otherwise the view reads the same bytes from
memory with an exact Content-Length.
"""

from __future__ import annotations

import io

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import ApiError

READ_SIZE = 1 << 16
_OUTCOME = "evote.body"  # environ key: "too_large" or "unreadable" when the body was refused
__all__ = ["install_body_limit"]


class _BodyReader:
    """WSGI middleware: buffers a terminated input stream of at most ``limit`` bytes."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    def __call__(self, environ, start_response):
        if "wsgi.input_terminated" in environ and not _declared_over(environ, self.limit):
            _buffer(environ, self.limit)
        return self.app(environ, start_response)


def _declared_over(environ, limit: int) -> bool:
    """A Content-Length over the limit: werkzeug refuses it (413) without reading, so leave it to werkzeug."""
    text = environ.get("CONTENT_LENGTH") or ""
    return text.isascii() and text.isdigit() and int(text) > limit


def _buffer(environ, limit: int) -> None:
    parts, remaining = [], limit + 1
    try:
        while remaining > 0:
            data = environ["wsgi.input"].read(min(READ_SIZE, remaining))
            if not data:
                break
            parts.append(data)
            remaining -= len(data)
    except Exception:  # noqa: BLE001 — a broken chunk or a vanished client, in whichever server's own exception
        environ[_OUTCOME] = "unreadable"
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(), "0"
        return
    body = b"".join(parts)
    if len(body) > limit:
        environ[_OUTCOME] = "too_large"
        body = b""
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))


def _refuse_unread_body() -> None:
    """The first ``before_request`` hook: a refused body stops the request before the rate limits and views."""
    outcome = request.environ.get(_OUTCOME)
    if outcome == "too_large":
        raise RequestEntityTooLarge()
    if outcome == "unreadable":
        raise ApiError(400, "malformed_body", "the request body could not be read (broken chunked encoding?)", "body")


def install_body_limit(app: Flask, limit: int) -> None:
    """Refuse bodies over ``limit`` bytes whatever their framing; call before any other ``before_request``."""
    app.config["MAX_CONTENT_LENGTH"] = limit
    app.wsgi_app = _BodyReader(app.wsgi_app, limit)
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_unread_body)
