"""Rate limits on the board's API (flask-limiter), per client address.

docs/board.md, "Rate limits and abuse", gives the settings (web/config.py) and why each default is what it is.

| limit (EVOTE_RATELIMIT_...)  | on                                   | key                          | counts            |
|------------------------------|--------------------------------------|------------------------------|-------------------|
| SUBMIT_PER_CLIENT            | POST /elections/<id>/ballots         | client address               | every request     |
| TRUSTEE_PER_CLIENT           | POST /elections/<id>/trustee-messages, /registrar-messages, /cosignatures | client address | every request |
| ADMIN_FAILURES_PER_CLIENT    | /admin/... without the valid token   | client address               | refused tokens    |
| READS_PER_CLIENT             | every GET under /api/v1              | client address               | every request     |

The per-credential limits are not here: the board counts a credential's ballots itself, inside the append and
under its lock, from its own ballot index (bulletin_board/elections/credential_limits.py), so they hold
exactly under any concurrency and count only ballots the board appended (the credential is public: junk
sent in a voter's name costs the sender's per-client limit and never locks the voter out).

The valid admin token is exempt from the limit on refused tokens (it cannot be guessed: admin_token.py), so
guesses from an address the administrator shares never lock the administrator out.

The limits live in one storage (EVOTE_RATELIMIT_STORAGE_URI): ``memory://`` counts per process, so several
gunicorn workers need ``redis://``. When that storage cannot be reached, reads fall back to per-process
counting (fail open: the board stays readable), while writes (ballots, trustee messages, admin) are refused
with 503 ``rate_limit_unavailable`` (fail closed: no worker can skip the per-client limits the others count).
If the store fails after the answer, while counting a refused admin token, the answer stands (the operator's
log notes the lost count).
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from limits.errors import StorageError
from werkzeug.exceptions import InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from .auth import presented_valid_token
from .config import BoardSettings
from .errors import error_response, internal_error_response

STORAGE_TIMEOUT_SECONDS = 2  # a dead Redis must not hold a worker for long
READ_METHODS = ("GET", "HEAD")

SUBMIT_ENDPOINT = "board_elections.submit_ballot"
TRUSTEE_ENDPOINT = "board_elections.trustee_message"
REGISTRAR_ENDPOINT = "board_elections.registrar_message"
COSIGNATURES_ENDPOINT = "board_witnesses.deposit_cosignatures"
ADMIN_BLUEPRINT = "board_admin"

__all__ = ["install_rate_limits", "client_key"]


def client_key() -> str:
    """The client's address (the proxy's view of it when EVOTE_TRUSTED_PROXIES > 0, see ProxyFix)."""
    return "client:" + (request.remote_addr or "unknown")


def _refused_token(response) -> bool:
    return response.status_code == 401


def _breach_response(setting: str, what: str):
    """``on_breach``: the board's JSON error with a Retry-After in seconds, naming the limit's setting."""

    def on_breach(limit: RequestLimit):
        retry_after = max(1, math.ceil(limit.window[0] - time.time()))  # window[0]: when the window resets
        message = f"too many {what}: the limit is {limit.limit} (EVOTE_RATELIMIT_{setting}); retry after {retry_after} s"
        return error_response(429, "rate_limited", message, None, {"Retry-After": str(retry_after)})

    return on_breach


def _is_api_read() -> bool:
    return request.method in READ_METHODS and request.path.startswith(current_app.config["EVOTE_API_PREFIX"] + "/")


def _storage_options(uri: str) -> dict:
    if uri.startswith("redis"):
        return {"socket_connect_timeout": STORAGE_TIMEOUT_SECONDS, "socket_timeout": STORAGE_TIMEOUT_SECONDS}
    return {}


def install_rate_limits(app: Flask, settings: BoardSettings, api_prefix: str) -> None:
    """Put the limits above on ``app``'s registered views; call after the blueprints are registered."""
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies)
    app.config["EVOTE_API_PREFIX"] = api_prefix
    limits = settings.rate_limits
    options = {"key_func": client_key, "storage_uri": settings.ratelimit_storage_uri, "headers_enabled": False,
               "storage_options": {**_storage_options(settings.ratelimit_storage_uri), "wrap_exceptions": True},
               "key_prefix": "evote"}  # fmt: skip
    if limits["READS_PER_CLIENT"]:
        Limiter(app=app, application_limits=[limits["READS_PER_CLIENT"]],
                application_limits_exempt_when=lambda: not _is_api_read(), swallow_errors=True,
                in_memory_fallback_enabled=True, on_breach=_breach_response("READS_PER_CLIENT", "reads from this client address"),
                **options)  # fmt: skip
    writes = Limiter(app=app, swallow_errors=False, **options)
    route_limits = [
        (SUBMIT_ENDPOINT, "SUBMIT_PER_CLIENT", "ballot submissions from this client address", client_key, None),
        (TRUSTEE_ENDPOINT, "TRUSTEE_PER_CLIENT", "trustee messages from this client address", client_key, None),
        (REGISTRAR_ENDPOINT, "TRUSTEE_PER_CLIENT", "registrar messages from this client address", client_key, None),
        (COSIGNATURES_ENDPOINT, "TRUSTEE_PER_CLIENT", "witness deposits from this client address", client_key, None),
    ]
    for endpoint, setting, what, key_func, deduct_when in route_limits:
        if limits[setting]:
            app.view_functions[endpoint] = writes.limit(
                limits[setting], key_func=key_func, deduct_when=deduct_when, scope=setting.lower(),
                on_breach=_breach_response(setting, what), methods=["POST"],
            )(app.view_functions[endpoint])  # fmt: skip
    if limits["ADMIN_FAILURES_PER_CLIENT"]:
        writes.limit(limits["ADMIN_FAILURES_PER_CLIENT"], deduct_when=_refused_token, scope="admin_failures_per_client",
                     exempt_when=presented_valid_token,  # a valid token passes, whatever the refusals before it
                     on_breach=_breach_response("ADMIN_FAILURES_PER_CLIENT", "refused admin tokens from this client address"))(
            app.blueprints[ADMIN_BLUEPRINT])  # fmt: skip

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        if error.response is not None:
            return error.response
        return error_response(429, "rate_limited", f"too many requests: the limit is {error.description}")

    @app.after_request
    def keep_the_response(response):
        # Registered after the limiters, so Flask runs it before their deductions (after_request hooks run in
        # reverse): if a count taken after the answer (a refused admin token) then fails, the response survives.
        g.evote_response = response
        return response

    @app.errorhandler(InternalServerError)
    def failure_after_the_response(error: InternalServerError):
        """An exception after the view answered. A rate-limit store failing while counting a response after it
        was made (``deduct_when``) must not turn that response into an error. The operator's log says the
        count was lost; anything else is the usual internal error."""
        response = g.get("evote_response")
        if isinstance(error.original_exception, StorageError) and response is not None:
            current_app.logger.error("rate-limit storage failed after the response; this request was not counted (%s)",
                                     type(error.original_exception.storage_error).__name__)  # fmt: skip
            return response
        return internal_error_response()

    @app.errorhandler(StorageError)
    def storage_unavailable(error: StorageError):
        current_app.logger.error("rate-limit storage unreachable, write refused: %s", type(error.storage_error).__name__)
        return error_response(503, "rate_limit_unavailable", "the board cannot check its rate limits right now; nothing was "
                              "recorded, try again shortly", None, {"Retry-After": "30"})  # fmt: skip
