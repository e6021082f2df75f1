"""Witnesses at the board: a pull-mode witness deposits its cosignature (docs/board.md, "Witnesses at the board").

``POST /elections/<id>/cosignatures`` takes, as ``text/plain``, a checkpoint note this board signed with
cosignature lines appended. The board keeps the lines of witnesses in its policy that verify over a checkpoint
of its own log; lines of other keys are ignored (C2SP signed-note). Any problem is a 4xx naming the field, and
a refused request changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ..log_format.checkpoint import verify_checkpoint
from ..log_format.cosignature import cosignatures_in
from ..log_format.errors import VerificationError
from ..log_format.note import MAX_NOTE_CHARS
from . import params
from .errors import ApiError
from .views import board

bp = Blueprint("board_witnesses", __name__)


@bp.post("/elections/<election_id>/cosignatures")
def deposit_cosignatures(election_id: str):
    election_id = params.election(election_id)
    params.query({})
    if request.mimetype != "text/plain":
        raise ApiError(415, "unsupported_media_type", "the body must be text/plain: a signed checkpoint note", "Content-Type")
    data = request.get_data(cache=False)
    if len(data) > 4 * MAX_NOTE_CHARS:
        raise ApiError(400, "invalid_input", f"a checkpoint note is at most {MAX_NOTE_CHARS} characters", "note")
    try:
        note = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_input", "the note is not UTF-8", "note") from None
    log = board()
    current = log.size(election_id)  # 404 for an unknown election
    try:
        checkpoint = verify_checkpoint(note, [log.signer.verifier], origin=log.election_origin(election_id)).checkpoint
    except VerificationError as exc:
        raise ApiError(400, "invalid_input", f"not a checkpoint of this election signed by this board: {exc}", "note") from None
    if checkpoint.size > current:
        raise ApiError(400, "invalid_input", f"the checkpoint's size {checkpoint.size} exceeds the log's ({current})", "note")
    if log.root(election_id, checkpoint.size) != checkpoint.root:
        raise ApiError(400, "invalid_input", "the checkpoint's root is not this log's root at its size", "note")
    policy = current_app.extensions["evote_board"].settings.witness_policy
    keys = policy.policy.witnesses if policy is not None else ()
    try:
        valid, problems = cosignatures_in(note, keys)
    except VerificationError as exc:
        raise ApiError(400, "invalid_input", str(exc), "cosignature") from None
    if problems:
        raise ApiError(400, "invalid_input", "; ".join(problems)[:500], "cosignature")
    by_id = {(key.name, key.key_id): key for key in keys}
    lines = [(by_id[(found.name, found.key_id)], found.line) for found in valid]
    if not lines:
        return jsonify({"added": 0})
    log.checkpoint(election_id, checkpoint.size)  # stored, if it was not, before its cosignatures
    return jsonify({"added": log.store_cosignatures(election_id, checkpoint.size, lines)})
