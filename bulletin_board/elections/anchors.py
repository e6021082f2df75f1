"""The board's side of an election's trust anchors (record-format §10): it builds and signs them on the
administrator's request, refuses anchors it did not sign for this election, and serves the latest published.

The board signs the anchors as their publisher; their authority comes from being obtained out of band (the
organizer's site, the fingerprint on the voting card), so the board's signature only binds them to its key.
The witness policy inside is the organizer's choice, written once here and checked by every client against
the copy it was given, never re-read from the board afterwards.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from voting.record.anchors import ANCHORS_PUBLISHED, anchors_payload, trustee_lines
from voting.record.election import ElectionDefinition
from voting.record.phases import BOARD_KEY_TRANSITION

from ..log import BoardLog
from ..log_format.errors import BoardError, InvalidInput
from ..log_format.key_transition import open_transition, parse_transition
from ..log_format.note import NoteSigner, NoteVerifier, open_note, parse_note
from ..log_format.trust_anchors import TrustAnchors, fingerprint, open_anchors
from ..log_format.witness_policy import WitnessPolicy
from ..storage.engine import read_transaction
from ..storage.schema import entries
from .errors import Refused

__all__ = ["build_anchors", "check_board_signed", "latest_anchors", "latest_anchors_in", "fingerprint_of", "previous_keys"]


def build_anchors(log: BoardLog, definition: ElectionDefinition, body: dict[str, Any]) -> dict[str, Any]:
    """The ``anchors.published`` payload for the administrator's request ``{witnesses, witness_quorum, booth_sha256}``."""
    witnesses = body.get("witnesses", [])
    if not isinstance(witnesses, list) or not all(isinstance(w, str) for w in witnesses):
        raise InvalidInput("witnesses", "must be a list of witness keys (name+keyid+base64)")
    quorum = body.get("witness_quorum", len(witnesses))
    if isinstance(quorum, bool) or not isinstance(quorum, int):
        raise InvalidInput("witness_quorum", "must be an integer")
    booth = body.get("booth_sha256")
    if not isinstance(booth, str) or len(booth) != 64 or any(c not in "0123456789abcdef" for c in booth):
        raise InvalidInput("booth_sha256", "must be the booth code's SHA-256 as 64 lowercase hex digits")
    policy = WitnessPolicy.from_strings(witnesses, quorum)
    registrar = definition.registrar.public_key.lower() if definition.registrar is not None else None
    anchors = TrustAnchors(log.election_origin(definition.election_id), previous_keys(log, definition.election_id, log.signer),
                           trustee_lines(definition), policy, booth, registrar)
    return anchors_payload(anchors.sign(log.signer))


def check_board_signed(log: BoardLog, election_id: str, payload: object) -> None:
    """Refuse anchors that this board's key did not sign, that omit its key, or that are about another log."""
    note = payload.get("anchors") if isinstance(payload, dict) else None
    try:
        anchors, _ = open_anchors(note if isinstance(note, str) else "")
        open_note(note, (log.signer.verifier,))
    except BoardError as exc:
        raise Refused(400, "invalid_anchors", "payload.anchors", f"the trust anchors are not signed by this board: {exc.message}") from None
    if log.signer.verifier not in anchors.board_keys:
        raise Refused(400, "invalid_anchors", "payload.anchors", "the trust anchors do not name this board's key")
    if anchors.origin != log.election_origin(election_id):
        raise Refused(400, "invalid_anchors", "payload.anchors", f"the trust anchors are about {anchors.origin}, not this election's log")


def latest_anchors(log: BoardLog, election_id: str) -> str | None:
    """The note of the election's last ``anchors.published`` entry, or None."""
    log.election(election_id)  # UnknownElection -> 404
    with read_transaction(log.engine) as conn:
        return latest_anchors_in(conn, election_id)


def latest_anchors_in(conn: Connection, election_id: str) -> str | None:
    payload = conn.execute(select(entries.c.payload).where(entries.c.election_id == election_id)
                           .where(entries.c.kind == ANCHORS_PUBLISHED).order_by(entries.c.seq.desc()).limit(1)).scalar()
    return None if payload is None else json.loads(bytes(payload))["anchors"]


def fingerprint_of(note: str | None) -> str | None:
    """The anchors' fingerprint for the election context (a hint for the booth, which re-checks the note)."""
    return None if note is None else fingerprint(parse_note(note).text)


def previous_keys(log: BoardLog, election_id: str, current: NoteSigner) -> tuple[NoteVerifier, ...]:
    """The election's board keys, oldest first, ending with ``current``: the keys its ``board.key_transition``
    entries hand over from and to (each checked signed by both), for the trust anchors of a rotated board."""
    with read_transaction(log.engine) as conn:
        payloads = conn.execute(select(entries.c.payload).where(entries.c.election_id == election_id)
                                .where(entries.c.kind == BOARD_KEY_TRANSITION).order_by(entries.c.seq)).scalars().all()
    keys: list[NoteVerifier] = []
    for payload in payloads:
        note = json.loads(bytes(payload))["transition"]
        transition = open_transition(note, keys or [parse_transition(parse_note(note).text).old])
        keys += [key for key in (transition.old, transition.new) if key not in keys]
    return tuple([key for key in keys if key != current.verifier] + [current.verifier])
