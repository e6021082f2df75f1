"""Every error leaves as JSON ``{"error": {"code", "field", "message"}}``: no HTML, no traceback."""

from __future__ import annotations

from flask import Flask, current_app, jsonify
from werkzeug.exceptions import HTTPException

from ..log_format.errors import BoardError, ElectionExists, InvalidInput, OutOfRange, UnknownElection, VerificationError

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
               415: "unsupported_media_type", 429: "too_many_requests", 500: "internal_error",
               503: "unavailable"}


class ApiError(Exception):
    """Raised by views for an HTTP-level refusal that is not a ``BoardError``."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.headers = status, code, message, field, headers or {}


def error_response(status: int, code: str, message: str, field: str | None = None, headers: dict | None = None):
    response = jsonify({"error": {"code": code, "field": field, "message": message}})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def internal_error_response():
    """The one answer to an unexpected failure: no detail for the client, the operator's log has it."""
    return error_response(500, "internal_error", "internal error; the operator's log has the details")


def _board_status(error: BoardError) -> int:
    status = getattr(error, "status", None)
    if isinstance(status, int):
        return status
    if isinstance(error, (UnknownElection, OutOfRange)):
        return 404
    if isinstance(error, ElectionExists):
        return 409
    if isinstance(error, InvalidInput):
        return 400
    return 500


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        return error_response(error.status, error.code, error.message, error.field, error.headers)

    @app.errorhandler(BoardError)
    def board_error(error: BoardError):
        status = _board_status(error)
        if status == 500 and isinstance(error, VerificationError):
            current_app.logger.error("verification failure: %s", error)
        return error_response(status, error.code, error.message, error.field)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        message, field = error.description or error.name, None
        if status == 413:
            message, field = f"request body is larger than {app.config.get('MAX_CONTENT_LENGTH')} bytes", "body"
        headers = {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else None
        return error_response(status, _HTTP_CODES.get(status, "http_error"), message, field, headers)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        current_app.logger.exception("unhandled error in %s", type(error).__name__)
        return internal_error_response()
