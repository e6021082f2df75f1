"""Every request body is read whole, up to EVOTE_MAX_BODY_BYTES, before anything looks at it (docs/board.md,
"Request bodies").

Werkzeug refuses a *declared* Content-Length over ``MAX_CONTENT_LENGTH`` with 413, but a chunked body has no
Content-Length: the server marks its stream ``wsgi.input_terminated`` (the dev server for chunked requests,
gunicorn for every request) and werkzeug then reads it through a ``LimitedStream`` whose ``read()`` stops *at*
the limit without a word, so a ballot followed by megabytes of padding was parsed as the ballot. Here such a
stream is read by the board itself, at most one byte past the limit: over the limit the request is refused
with 413 before any view, rate limit or parser sees a byte; otherwise the view reads the same bytes from
memory with an exact Content-Length. A declared Content-Length over the limit is refused here too, without
being buffered. Either way up to DRAIN_BYTES of the refused body are read and dropped first (``_refuse``).
"""

from __future__ import annotations

import io

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import ApiError

READ_SIZE = 1 << 16
DRAIN_BYTES = 4 << 20  # read and dropped past the limit before the 413 (see _refuse)
_OUTCOME = "evote.body"  # environ key: "too_large" or "unreadable" when the body was refused
__all__ = ["install_body_limit"]


class _BodyReader:
    """WSGI middleware: buffers a body of at most ``limit`` bytes; reads and drops (up to DRAIN_BYTES) one over."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    def __call__(self, environ, start_response):
        declared = _declared_length(environ)
        if declared is not None and declared > self.limit:
            _refuse(environ, "too_large", declared if declared <= self.limit + DRAIN_BYTES else 0)
        elif "wsgi.input_terminated" in environ:
            _buffer(environ, self.limit)
        return self.app(environ, start_response)


def _declared_length(environ) -> int | None:
    text = environ.get("CONTENT_LENGTH") or ""
    return int(text) if text.isascii() and text.isdigit() else None


def _read(stream, count: int) -> list[bytes]:
    parts = []
    while count > 0:
        data = stream.read(min(READ_SIZE, count))
        if not data:
            break
        parts.append(data)
        count -= len(data)
    return parts


def _buffer(environ, limit: int) -> None:
    try:
        body = b"".join(_read(environ["wsgi.input"], limit + 1))
    except Exception:  # noqa: BLE001 — a broken chunk or a vanished client, in whichever server's own exception
        _refuse(environ, "unreadable", 0)
        return
    if len(body) > limit:
        _refuse(environ, "too_large", DRAIN_BYTES)
        return
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))


def _refuse(environ, outcome: str, drain: int) -> None:
    """Mark the request refused and read up to ``drain`` more bytes of its body, so that a client that sent a
    few megabytes too many has finished sending when the answer comes and reads it: a server that closes a
    connection with unread data makes the kernel reset it, and the client may lose the answer (a "broken pipe"
    instead of the 413). Past ``drain`` bytes the connection is dropped as before."""
    environ[_OUTCOME] = outcome
    try:
        _read(environ["wsgi.input"], drain)
    except Exception:  # noqa: BLE001 — the client went away or broke its chunks: the answer is the same
        pass
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(), "0"


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
