"""Admin API (bearer token): create an election, post the administrator's entries."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from ..log_format.entry import check_election_id
from .auth import admin_required
from .errors import ApiError
from .views import board, election_json, json_body

bp = Blueprint("board_admin", __name__)
CREATED_FIELDS = {"election_id", "manifest", "parameters", "guardians", "revote_rule", "hashes"}
OPTIONAL_CREATED_FIELDS = {"eligibility", "organizer", "registrar", "voter_login", "schedule", "manifest_file"}  # record-format §2.2, §4.1, §8.2, §11


@bp.post("/elections")
@admin_required
def create_election():
    """Create an election from its `election.created` payload (docs/record-format.md §8.2)."""
    body = json_body(CREATED_FIELDS | OPTIONAL_CREATED_FIELDS, CREATED_FIELDS)
    election_id = check_election_id(body["election_id"])
    current_app.extensions["evote_elections"].create(body)
    return jsonify(election_json(board().election(election_id))), 201


@bp.post("/elections/<election_id>/entries")
@admin_required
def admin_entry(election_id: str):
    """Post an administrator entry (`credentials.published`, `election.opened`, `tally.encrypted`, ...)."""
    check_election_id(election_id)
    body = json_body({"kind", "payload"}, {"kind", "payload"})
    if not isinstance(body["kind"], str):
        raise ApiError(400, "invalid_input", "kind must be a string", "kind")
    result = current_app.extensions["evote_elections"].post_admin(election_id, body["kind"], body["payload"])
    return jsonify({"seq": result.seq, "entry_hash": result.entry_hash.hex().upper()}), 201
