"""JSON forms of the log's values, shared by the blueprints."""

from __future__ import annotations

import json

from flask import current_app, request

from ..log import BoardLog
from ..log_format.canonical import parse_json_object
from ..log_format.entry import Entry
from ..log_format.errors import CanonicalJsonError
from ..log_types import ElectionInfo
from .errors import ApiError


def board() -> BoardLog:
    return current_app.extensions["evote_board"].log


def hex_(value: bytes) -> str:
    return value.hex().upper()


def entry_json(entry: Entry) -> dict:
    return {"seq": entry.seq, "kind": entry.kind, "payload": json.loads(entry.payload),
            "prev_hash": hex_(entry.prev_hash), "entry_hash": hex_(entry.entry_hash),
            "received_at": entry.received_at}


def election_json(info: ElectionInfo) -> dict:
    return {"election_id": info.election_id, "created_at": info.created_at, "state": info.state,
            "size": info.size, "head_hash": hex_(info.head_hash), "origin": board().election_origin(info.election_id),
            "cancelled": info.state == "cancelled"}  # election.cancelled (terminal): a booth leaves it out of its index


def json_body(allowed: set[str], required: set[str]) -> dict:
    """The request's JSON object, strictly parsed (no floats, duplicate keys or unknown fields).

    Only ``application/json`` is read: a cross-site form or ``text/plain`` post (a CSRF "simple request")
    is refused with 415 before its body is looked at.
    """
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "the body must be application/json", "Content-Type")
    try:
        body = parse_json_object(request.get_data(cache=False), field="body")
    except CanonicalJsonError as exc:
        raise ApiError(400, "malformed_json", exc.reason, "body") from None
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(400, "unknown_field", "unknown field", unknown[0])
    missing = sorted(required - set(body))
    if missing:
        raise ApiError(400, "missing_field", "required field is missing", missing[0])
    return body
