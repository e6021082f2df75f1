"""Public read API: board info, elections, entries."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from . import params
from .views import board, election_json, entry_json, hex_

bp = Blueprint("board_entries", __name__)


@bp.get("/board")
def board_info():
    log = board()
    verifier = log.signer.verifier
    return jsonify({"api_version": "v1", "origin": log.origin, "key_name": verifier.name,
                    "public_key": hex_(verifier.public_key), "key_id": verifier.key_id.hex(),
                    "verifier_key": verifier.to_string(), "witness_policy": _witness_policy()})


def _witness_policy() -> dict:
    """The witnesses this board asks (informational: clients take their policy from the trust anchors)."""
    policy = current_app.extensions["evote_board"].settings.witness_policy
    return policy.to_json() if policy is not None else {"quorum": 0, "witnesses": []}


@bp.get("/elections")
def list_elections():
    params.query({})
    return jsonify({"elections": [election_json(info) for info in board().elections()]})


@bp.get("/elections/<election_id>")
def election_summary(election_id: str):
    params.query({})
    return jsonify(election_json(board().election(params.election(election_id))))


@bp.get("/elections/<election_id>/entries")
def list_entries(election_id: str):
    election_id = params.election(election_id)
    max_page = current_app.extensions["evote_board"].settings.max_page
    args = params.query({"start": params.INDEX, "limit": (1, max_page)})
    start = args["start"] or 0
    limit = args["limit"] or min(100, max_page)
    log = board()
    size = log.size(election_id)
    page = log.entries(election_id, start, limit) if start < size else []
    following = start + len(page)
    return jsonify({"election_id": election_id, "size": size, "start": start,
                    "entries": [entry_json(entry) for entry in page],
                    "next": following if following < size else None})


@bp.get("/elections/<election_id>/entries/<seq>")
def one_entry(election_id: str, seq: str):
    election_id = params.election(election_id)
    params.query({})
    return jsonify(entry_json(board().entry(election_id, params.integer(seq, "seq", high=params.MAX_INDEX))))
