"""Election endpoints for voters, trustees and observers (docs/record-format.md §9)."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify

from ..elections.async_checks import ASYNC_KINDS, CHECKING, is_check_id
from ..elections.credential_limits import LimitReached
from ..log_format.entry import check_election_id
from . import entry_checks, params
from .api_login import voter_session
from .errors import ApiError
from .views import json_body

bp = Blueprint("board_elections", __name__)
CONFIRMATION_CODE = re.compile(r"[0-9A-F]{64}")
PUBLIC_KEY = re.compile(r"[0-9A-F]{64}")  # an Ed25519 credential key as the list writes it (record format §4)
SUBMISSION_FIELDS = {"action", "ballot", "credential", "signature", "reveal"}


def elections():
    return current_app.extensions["evote_elections"]


@bp.get("/elections/<election_id>/context")
def context(election_id: str):
    return jsonify(elections().context(check_election_id(election_id)))


@bp.post("/elections/<election_id>/ballots")
def submit_ballot(election_id: str):
    """A voter's ballot (record format §5): 201 appended, 200 the first receipt of an identical resubmission.
    409 ``election_closing`` / ``election_not_open`` once a close is under way or done
    (elections/closing.py); 429 ``rate_limited_<kind>`` with Retry-After when the credential used up one of
    its limits (elections/credential_limits.py), in words a voter can read. An election with voter login takes
    ``Authorization: Voter <session>`` (web/api_login.py): 401 ``login_required`` without a valid one."""
    check_election_id(election_id)
    body = json_body(SUBMISSION_FIELDS, SUBMISSION_FIELDS - {"reveal"})
    try:
        receipt, appended = elections().submit_ballot(election_id, body, session=voter_session())
    except LimitReached as limited:
        raise ApiError(429, limited.code, limited.message, limited.field, {"Retry-After": str(limited.retry_after)}) from None
    return jsonify({"receipt": receipt}), 201 if appended else 200


@bp.get("/elections/<election_id>/ballots")
def list_ballots(election_id: str):
    """The public list of confirmation codes, in board order, paged (``start`` is a seq, ``limit`` at most the
    board's page size); with ``prefix`` (8 to 64 hex digits, either case) only the codes that start with it.
    A prefix finds ballots; only the whole code on a receipt identifies one (record format §9)."""
    election_id = params.election(election_id)
    max_page = current_app.extensions["evote_board"].settings.max_page
    args = params.query({"start": params.INDEX, "limit": (1, max_page)}, {"prefix": params.code_prefix})
    limit = args["limit"] or min(100, max_page)
    return jsonify(elections().list_ballots(election_id, args["prefix"], args["start"] or 0, limit))


@bp.get("/elections/<election_id>/ballots/<code>")
def lookup_ballot(election_id: str, code: str):
    check_election_id(election_id)
    if not CONFIRMATION_CODE.fullmatch(code):
        raise ApiError(400, "invalid_input", "a confirmation code is 64 upper-case hex digits", "confirmation_code")
    found = elections().lookup(election_id, code)
    if found is None:
        raise ApiError(404, "not_found", "no ballot with this confirmation code on this election's board", "confirmation_code")
    return jsonify(found)


@bp.get("/elections/<election_id>/credentials/<public_key>")
def lookup_credential(election_id: str, public_key: str):
    """One credential of the published list (record format §4, §9): ``{public_key, style, weight, status,
    ballots}``, so that a booth learns a voter's ballot style, and whether the credential may still vote,
    without downloading the list. 400 naming ``public_key`` for anything but 64 upper-case hex digits; 404
    for a key that is not on the list."""
    check_election_id(election_id)
    if not PUBLIC_KEY.fullmatch(public_key):
        raise ApiError(400, "invalid_input", "a credential's public key is 64 upper-case hex digits", "public_key")
    found = elections().credential(election_id, public_key)
    if found is None:
        raise ApiError(404, "unknown_credential", "this credential is not on the election's list of credentials", "public_key")
    return jsonify(found)


@bp.post("/elections/<election_id>/trustee-messages")
def trustee_message(election_id: str):
    check_election_id(election_id)
    body = json_body({"kind", "payload"}, {"kind", "payload"})
    if not isinstance(body["kind"], str):
        raise ApiError(400, "invalid_input", "kind must be a string", "kind")
    if body["kind"] in ASYNC_KINDS:  # a proof of shuffle is checked outside the request (record-format §12.2)
        if not isinstance(body["payload"], dict):
            raise ApiError(400, "invalid_payload", "expected a JSON object", "payload")
        accepted = entry_checks.checks().submit(election_id, body["kind"], body["payload"])
        return jsonify(accepted.to_json()), 202 if accepted.status == CHECKING else 200
    result = elections().post_trustee(election_id, body["kind"], body["payload"])
    return jsonify({"seq": result.seq, "entry_hash": result.entry_hash.hex().upper()}), 201


@bp.get("/elections/<election_id>/checks/<check>")
def entry_check(election_id: str, check: str):
    """An entry being checked outside the request (record-format §12.2): ``{"status": "checking"}``, ``{"status":
    "appended", "seq"}`` or ``{"status": "refused", "error": {"code", "field", "message"}}``, from any worker."""
    check_election_id(election_id)
    if not is_check_id(check):
        raise ApiError(400, "invalid_input", "a check is 32 lower-case hex digits, as the board answered it", "check")
    found = entry_checks.status(election_id, check)
    if found is None:
        raise ApiError(404, "unknown_check", "no check with this id on this election's board", "check")
    return jsonify(found.to_json())


@bp.post("/elections/<election_id>/registrar-messages")
def registrar_message(election_id: str):
    """The credential authority's signed entries (record-format §11): no token, its signature decides."""
    check_election_id(election_id)
    body = json_body({"kind", "payload"}, {"kind", "payload"})
    if not isinstance(body["kind"], str):
        raise ApiError(400, "invalid_input", "kind must be a string", "kind")
    result = elections().post_registrar(election_id, body["kind"], body["payload"])
    return jsonify({"seq": result.seq, "entry_hash": result.entry_hash.hex().upper()}), 201
