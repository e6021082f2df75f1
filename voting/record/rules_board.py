"""The board's own entries (record-format §8.2, §10): ``board.key_transition``.

The board operator appends it to every election's log with ``evote board rotate-key`` (never over HTTP).
The rule: any time after ``election.created``; the payload is ``{"transition": <note>}`` whose text is a
key transition (``bulletin_board/log_format/key_transition.py``) for this election's log. Its two
signatures are checked by whoever trusts the old key: the board when it appends, the verifier in section B.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.key_transition import parse_transition
from bulletin_board.log_format.note import parse_note

from .common import RecordError, exact

if TYPE_CHECKING:
    from .lifecycle import ElectionState


def parse_key_transition(payload: object, election_id: str):
    """The transition in a ``board.key_transition`` payload, about this election's log (signatures unchecked)."""
    body = exact(payload, "payload", {"transition"})
    try:
        transition = parse_transition(parse_note(body["transition"]).text)
    except BoardError as exc:
        raise RecordError("transition", exc.message) from None
    if not transition.origin.endswith(f"/elections/{election_id}"):
        raise RecordError("transition", f"the transition is about {transition.origin}, not this election's log")
    return transition


def key_transition(state: ElectionState, body: dict, _: bytes) -> None:
    parse_key_transition(body, state.definition.election_id)
