"""Public proof API: signed checkpoints (with the witnesses' cosignatures), inclusion and consistency proofs."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..log import CosignedCheckpoint
from ..log_format.errors import InvalidInput
from ..log_format.merkle_hash import leaf_hash
from . import params
from .errors import ApiError
from .views import board, hex_

bp = Blueprint("board_proofs", __name__)


@bp.get("/elections/<election_id>/checkpoint")
def checkpoint(election_id: str):
    election_id = params.election(election_id)
    size = params.query({"size": params.SIZE})["size"]
    signed = board().checkpoint(election_id, size)
    return jsonify({"election_id": election_id, "origin": signed.origin, "size": signed.size,
                    "root": hex_(signed.root), "note": signed.note})


@bp.get("/elections/<election_id>/checkpoint/cosigned")
def cosigned_checkpoint(election_id: str):
    """The largest checkpoint with at least one witness cosignature (size >= min_size if given), its note
    carrying the board's signature and every cosignature the board obtained; 404 ``not_yet_cosigned`` if none."""
    election_id = params.election(election_id)
    min_size = params.query({"min_size": params.SIZE})["min_size"]
    found = board().cosigned_checkpoint(election_id, min_size)
    if found is None:
        wanted = f" of size {min_size} or more" if min_size is not None else ""
        raise ApiError(404, "not_yet_cosigned", f"no checkpoint{wanted} has a witness cosignature yet", "min_size")
    signed = found.signed
    return jsonify({"election_id": election_id, "origin": signed.origin, "size": signed.size, "root": hex_(signed.root),
                    "note": found.note, "witnesses": list(found.witnesses)})


@bp.get("/elections/<election_id>/checkpoints")
def all_checkpoints(election_id: str):
    """Every checkpoint the board issued, oldest first, each note with the cosignatures obtained for it."""
    election_id = params.election(election_id)
    params.query({})
    return jsonify({"election_id": election_id,
                    "checkpoints": [_stored(item) for item in board().cosigned_checkpoints(election_id)]})


def _stored(item: CosignedCheckpoint) -> dict:
    return {"size": item.signed.size, "root": hex_(item.signed.root), "note": item.note, "witnesses": list(item.witnesses)}


@bp.get("/elections/<election_id>/entries/<seq>/inclusion")
def inclusion(election_id: str, seq: str):
    election_id = params.election(election_id)
    seq_value = params.integer(seq, "seq", high=params.MAX_INDEX)
    size = params.query({"size": params.SIZE})["size"]
    proof = board().inclusion_proof(election_id, seq_value, size)
    return jsonify({"election_id": election_id, "seq": proof.seq, "size": proof.size,
                    "entry_hash": hex_(proof.entry_hash), "leaf_hash": hex_(leaf_hash(proof.entry_hash)),
                    "proof": [hex_(item) for item in proof.proof], "root": hex_(proof.root)})


@bp.get("/elections/<election_id>/consistency")
def consistency(election_id: str):
    election_id = params.election(election_id)
    args = params.query({"old": params.SIZE, "new": params.SIZE})
    if args["old"] is None:
        raise InvalidInput("old", "required: the older tree size")
    proof = board().consistency_proof(election_id, args["old"], args["new"])
    return jsonify({"election_id": election_id, "old_size": proof.old_size, "new_size": proof.new_size,
                    "proof": [hex_(item) for item in proof.proof], "old_root": hex_(proof.old_root),
                    "new_root": hex_(proof.new_root)})
