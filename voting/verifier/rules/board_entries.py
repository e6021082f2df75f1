"""The board's own entries (record-format §10): ``board.key_transition``, any time after election.created,
a key transition about this election's log. Its signatures are section B's (checks/board.py), which follows
the transitions from the key the verifier trusts."""

from __future__ import annotations

from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.key_transition import parse_transition
from bulletin_board.log_format.note import parse_note

from ...record.common import exact
from .state import EntryFacts, Observed


def key_transition(seen: Observed, payload: object, facts: EntryFacts) -> None:
    body = exact(payload, "payload", {"transition"})
    try:
        transition = parse_transition(parse_note(body["transition"]).text)
    except BoardError as exc:
        seen.need(False, f"not a key transition: {exc.message}", "transition")
        return
    seen.need(transition.origin.endswith(f"/elections/{seen.election.election_id}"),
              "the key transition is about another election's log", "transition")
