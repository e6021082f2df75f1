"""Voter login endpoints (bulletin_board/voter_login.py; docs/board.md, "Voter login: a second factor by e-mail").

    POST /admin/elections/<id>/logins   (admin token)  {"logins": [{voter_id, email, style, weight, language?}]}
    POST /elections/<id>/login          {"voter_id"}           -> 202, the same answer for every voter id
    POST /elections/<id>/login/verify   {"voter_id", "code"}   -> 200 {session, expires_at, style, weight} or 401

Ballots of such an election carry ``Authorization: Voter <session>`` (:func:`voter_session`).

Rate limits (flask-limiter, as web/limits.py, in the same storage): code requests per voter id
(EVOTE_RATELIMIT_LOGIN_PER_VOTER, counted for ids on the roll and off it alike, so the limit tells nothing)
and per client address (EVOTE_RATELIMIT_LOGIN_PER_CLIENT), verifications per client address (the same
setting, counted apart); the upload counts refused admin tokens like the admin blueprint
(EVOTE_RATELIMIT_ADMIN_FAILURES_PER_CLIENT). A code allows MAX_TRIES wrong tries, so a voter id can be
guessed at most (codes a day) x MAX_TRIES times a day out of 10^8 codes.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any, cast

from flask import Blueprint, Flask, current_app, jsonify, request
from flask_limiter import Limiter, RequestLimit

from .. import voter_login
from ..log_format.entry import check_election_id
from ..login_texts import login_mail
from ..mail import MailQueue, plain_message
from .auth import admin_required, presented_valid_token
from .errors import ApiError, error_response
from .limits import client_key
from .views import board, json_body

bp = Blueprint("board_login", __name__)
ACCEPTED = {"status": "accepted", "message": "If this voter id is on the election's roll, a code is on its way to the "
            "e-mail address the roll gives for it. It is valid for 10 minutes."}  # fmt: skip
MAIL = "evote_login_mail"  # app.extensions: the MailQueue, or None without EVOTE_SMTP_URL

__all__ = ["bp", "voter_session"]


def voter_session() -> str | None:
    """The session token of ``Authorization: Voter <token>``, or None (never logged, never echoed)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "voter" and token.strip() else None


def _elections():
    return current_app.extensions["evote_elections"]


def _login_election(election_id: str):
    """The election's definition and phase; 409 ``no_voter_login`` unless its election.created has voter_login."""
    definition, phase = _elections().definition_and_phase(check_election_id(election_id))
    if definition.voter_login is None:
        raise ApiError(409, "no_voter_login", "this election has no voter login (election.created voter_login)", "election_id")
    return definition, phase


def _voter_id(body: dict) -> str:
    problem = voter_login.text_problem(body["voter_id"], voter_login.MAX_VOTER_ID)
    if problem:
        raise ApiError(400, "invalid_input", f"a voter id is {problem}", "voter_id")
    return body["voter_id"]


@bp.post("/admin/elections/<election_id>/logins")
@admin_required
def upload_logins(election_id: str):
    """The roll's logins, never credentials; 200 ``{added, replaced, unchanged, logins}``."""
    definition, phase = _login_election(election_id)
    if current_app.extensions.get(MAIL) is None:
        raise ApiError(409, "mail_not_configured", "the board cannot send login codes: set EVOTE_SMTP_URL and EVOTE_SMTP_FROM")
    body = json_body({"logins"}, {"logins"})
    styles = [style.label for style in definition.manifest.ballot_styles]
    logins = voter_login.parse_logins(body["logins"], styles, definition.eligibility.max_weight)
    return jsonify(voter_login.store_logins(board().engine, election_id, phase, logins))


@bp.post("/elections/<election_id>/login")
def request_code(election_id: str):
    """202 with one answer whether or not the id is on the roll; the code leaves by e-mail in the background."""
    definition, phase = _login_election(election_id)
    voter_id = _voter_id(json_body({"voter_id"}, {"voter_id"}))
    if phase != "open":
        raise ApiError(409, "election_not_open", f"the election is not open for ballots (phase {phase!r})")
    mail: MailQueue | None = current_app.extensions.get(MAIL)
    if mail is None:
        raise ApiError(503, "mail_not_configured", "the board cannot send login codes right now", None, {"Retry-After": "300"})
    issued = voter_login.issue_code(board().engine, election_id, voter_id)
    if issued is not None:
        language, subject, text = login_mail(issued.login.language, title=definition.manifest.label, code=issued.code,
                                             minutes=voter_login.CODE_SECONDS // 60, expires=voter_login.utc_text(issued.expires_at))  # fmt: skip
        mail.submit(plain_message(mail.settings, issued.login.email, subject, text, language))
    return jsonify(ACCEPTED), 202


@bp.post("/elections/<election_id>/login/verify")
def verify_code(election_id: str):
    """200 ``{session, expires_at, style, weight}``; 401 ``wrong_code`` with ``tries_left``, ``code_locked``,
    ``code_expired``."""
    _login_election(election_id)
    body = json_body({"voter_id", "code"}, {"voter_id", "code"})
    voter_id = _voter_id(body)
    code = voter_login.normalise_code(body["code"])
    if code is None:
        raise ApiError(400, "invalid_input", f"a login code is {voter_login.CODE_DIGITS} digits", "code")
    try:
        session = voter_login.verify_code(board().engine, election_id, voter_id, code)
    except voter_login.LoginRefused as refused:
        response = jsonify({"error": {"code": refused.code, "field": refused.field, "message": refused.message},
                            "tries_left": refused.tries_left})  # fmt: skip
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Voter realm="evote-voter-login"'
        return response
    response = jsonify({"session": session.token, "expires_at": voter_login.iso_time(session.expires_at),
                        "style": session.style, "weight": session.weight})  # fmt: skip
    response.headers["Cache-Control"] = "no-store"  # a session token is kept by no cache
    return response


def _voter_key() -> str:
    """The voter id a code request names (hashed with its election: the limit store never holds a voter id)."""
    body = request.get_json(silent=True)
    voter_id = body.get("voter_id") if isinstance(body, dict) else None
    named = f"{request.view_args.get('election_id') if request.view_args else ''}\x00{voter_id if isinstance(voter_id, str) else ''}"
    return "voter:" + hashlib.sha256(named.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _breach(setting: str, what: str):
    """The board's 429 (as web/limits.py answers): a JSON error naming the setting, and a Retry-After."""

    def on_breach(limit: RequestLimit):
        retry_after = max(1, math.ceil(limit.window[0] - time.time()))
        message = f"too many {what}: the limit is {limit.limit} (EVOTE_RATELIMIT_{setting}); retry after {retry_after} s"
        return error_response(429, "rate_limited", message, None, {"Retry-After": str(retry_after)})

    return on_breach


def _install_limits(app: Flask) -> None:
    settings = app.extensions["evote_board"].settings
    limits = settings.rate_limits
    app.extensions[MAIL] = MailQueue(settings.mail) if settings.mail is not None else None
    timeouts = {"socket_connect_timeout": 2, "socket_timeout": 2} if settings.ratelimit_storage_uri.startswith("redis") else {}
    limiter = Limiter(app=app, key_func=client_key, storage_uri=settings.ratelimit_storage_uri, headers_enabled=False,
                      storage_options={**timeouts, "wrap_exceptions": True}, key_prefix="evote", swallow_errors=False)  # fmt: skip
    routes = [
        ("board_login.request_code", "LOGIN_PER_VOTER", "login-code requests for this voter id", _voter_key, "login_per_voter"),
        ("board_login.request_code", "LOGIN_PER_CLIENT", "login-code requests from this client address", client_key, "login_per_client"),
        ("board_login.verify_code", "LOGIN_PER_CLIENT", "login-code verifications from this client address", client_key, "login_verify_per_client"),
    ]
    for endpoint, setting, what, key_func, scope in routes:
        if limits.get(setting):
            limited = limiter.limit(limits[setting], key_func=key_func, scope=scope, methods=["POST"], on_breach=_breach(setting, what))
            app.view_functions[endpoint] = cast(Any, limited(app.view_functions[endpoint]))
    if limits.get("ADMIN_FAILURES_PER_CLIENT"):
        refused = limiter.limit(
            limits["ADMIN_FAILURES_PER_CLIENT"], deduct_when=lambda response: response.status_code == 401, scope="admin_failures_per_client",
            exempt_when=presented_valid_token, on_breach=_breach("ADMIN_FAILURES_PER_CLIENT", "refused admin tokens from this client address"),
        )  # fmt: skip
        app.view_functions["board_login.upload_logins"] = cast(Any, refused(app.view_functions["board_login.upload_logins"]))


@bp.record_once
def _on_register(state) -> None:
    """After this blueprint's routes are on the app: its mail queue and its rate limits."""
    _install_limits(state.app)
