"""The ``anchors.published`` entry (record-format §8.2, §10): the election's trust anchors, as published.

The anchors (``bulletin_board/log_format/trust_anchors.py``) are what clients trust instead of the board:
the board's key, the trustees' identity keys, the witness policy and the booth's code hash, taken by
observers and voters from an out-of-band copy (the organizer's site, the fingerprint on the voting card).
Publishing them on the log as well makes them part of the record, copied by every mirror and export, and
the append-only log keeps every version the board ever published.

Payload: ``{"anchors": "<signed note>"}``; this module only parses it (the note parses as anchors whose origin
is this election's ``…/elections/<id>``). The rule, written twice (``rules_voting.anchors_published`` for the
board, ``verifier/rules/voting_period.anchors_published`` for the verifier): before the election closes, and
the trustee lines are exactly election.created's trustees with their identity keys. The board's signature on
the note is checked by the board when it appends (it holds its key) and by the verifier against the board key
it trusts.
"""

from __future__ import annotations

from typing import Any

from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.note import parse_note
from bulletin_board.log_format.trust_anchors import TrustAnchors, parse_anchors

from .common import RecordError, exact
from .election import ElectionDefinition
from .phases import ANCHORS_PUBLISHED

__all__ = ["ANCHORS_PUBLISHED", "anchors_payload", "parse_anchors_payload", "trustee_lines"]


def anchors_payload(note: str) -> dict[str, Any]:
    return {"anchors": note}


def trustee_lines(definition: ElectionDefinition) -> tuple[tuple[int, str], ...]:
    """The (index, identity key) pairs the anchors must name: election.created's trustees, keys in lowercase."""
    return tuple((t.index, t.identity_key.lower()) for t in definition.trustees)


def parse_anchors_payload(payload: object, definition: ElectionDefinition) -> TrustAnchors:
    body = exact(payload, "payload", {"anchors"})
    note = body["anchors"]
    try:
        anchors = parse_anchors(parse_note(note).text)
    except BoardError as exc:
        raise RecordError("anchors", exc.message) from None
    if not anchors.origin.endswith(f"/elections/{definition.election_id}"):
        raise RecordError("anchors", f"the anchors' origin {anchors.origin!r} is not this election's log")
    return anchors
