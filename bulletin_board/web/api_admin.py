"""Admin API (bearer token). The board layer only creates elections; the semantics layer adds the rest."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..entry import check_election_id
from .auth import admin_required
from .views import board, election_json, json_body

bp = Blueprint("board_admin", __name__)


@bp.post("/elections")
@admin_required
def create_election():
    body = json_body({"election_id"}, {"election_id"})
    board().create_election(check_election_id(body["election_id"]))
    return jsonify(election_json(board().election(body["election_id"]))), 201
