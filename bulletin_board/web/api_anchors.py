"""Trust anchors (record-format §10): the latest published for an election, and the administrator's request
that the board build, sign and publish them."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from ..log_format.entry import check_election_id
from ..log_format.trust_anchors import open_anchors
from .auth import admin_required
from .errors import ApiError
from .views import json_body

bp = Blueprint("board_anchors", __name__)
REQUEST_FIELDS = {"witnesses", "witness_quorum", "booth_sha256"}


@bp.get("/elections/<election_id>/anchors")
def anchors(election_id: str):
    """The signed anchors note as text/plain: compare its fingerprint with the out-of-band copy."""
    note = current_app.extensions["evote_elections"].latest_anchors(check_election_id(election_id))
    if note is None:
        raise ApiError(404, "no_anchors", "this election has published no trust anchors")
    return Response(note, mimetype="text/plain", headers={"Cache-Control": "no-cache"})


@bp.post("/admin/elections/<election_id>/anchors")
@admin_required
def publish_anchors(election_id: str):
    """Build the anchors from the election and the request (witness keys, quorum, booth hash), sign, publish."""
    check_election_id(election_id)
    body = json_body(REQUEST_FIELDS, {"booth_sha256"})
    result = current_app.extensions["evote_elections"].publish_anchors(election_id, body)
    note = current_app.extensions["evote_elections"].latest_anchors(election_id)
    published, _ = open_anchors(note)
    return jsonify({"seq": result.seq, "entry_hash": result.entry_hash.hex().upper(), "fingerprint": published.fingerprint,
                    "anchors": note}), 201
