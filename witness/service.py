"""The witness service: one ``add-checkpoint`` request, decided and recorded atomically.

``WitnessService.add_checkpoint(body)`` parses the request (400 on any malformed byte), then runs the pure
``witness_protocol.decide`` inside ``Store.deciding``: the origin's row is locked, the decision is taken
against it, a 200 stores the new latest checkpoint and a verified-but-suspicious request (409 same size
different root, 422) stores its evidence; the transaction commits before the caller answers. Push (HTTP)
and pull (``follow.py``) both come through here, so the witness has one rule for both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from bulletin_board.log_format.checkpoint import parse_checkpoint
from bulletin_board.log_format.cosignature import Cosigner
from bulletin_board.log_format.errors import BoardError, InvalidInput
from bulletin_board.log_format.note import NoteVerifier, parse_note
from bulletin_board.log_format.witness_protocol import AddCheckpoint, Decision, Held, decide, parse_add_checkpoint

from .config import WitnessConfig
from .storage import Store

MAX_STORABLE_SIZE = (1 << 63) - 1  # sizes are stored as signed 64-bit integers
EVIDENCE_KIND = {"same size, different root": "same_size_different_root", "consistency proof fails": "inconsistent_proof"}

__all__ = ["WitnessService", "Outcome"]


@dataclass(frozen=True)
class Outcome:
    """What the witness answers, and what its log line says (no secrets: sizes, origin, reason)."""

    status: int
    body: bytes
    content_type: str
    reason: str
    origin: str | None = None
    old_size: int | None = None
    size: int | None = None
    cosignature: str | None = None
    evidence_kept: bool = False

    def log_fields(self) -> dict[str, object]:
        return {"origin": self.origin, "old_size": self.old_size, "size": self.size, "reason": self.reason, "evidence_kept": self.evidence_kept}


class WitnessService:
    def __init__(self, config: WitnessConfig, cosigner: Cosigner, store: Store,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.cosigner = cosigner
        self.store = store
        self.clock = clock

    def keys_for_origin(self, origin: str) -> tuple[NoteVerifier, ...] | None:
        board = self.config.board_for(origin)
        return board.keys if board else None

    def add_checkpoint(self, body: bytes) -> Outcome:
        try:
            request = parse_add_checkpoint(body)
            checkpoint = parse_checkpoint(parse_note(request.note).text)
        except (BoardError, ValueError) as exc:
            reason = f"{exc.field}: {exc.reason}" if isinstance(exc, InvalidInput) else str(exc)
            return Outcome(400, f"bad request: {reason}\n".encode("utf-8"), "text/plain; charset=utf-8", reason)
        if checkpoint.size > MAX_STORABLE_SIZE:
            return Outcome(400, b"bad request: sizes above 2^63 - 1 are not supported\n", "text/plain; charset=utf-8",
                           "size above 2^63 - 1", checkpoint.origin, request.old_size, checkpoint.size)
        return self.decide(request, checkpoint.origin, checkpoint.size)

    def decide(self, request: AddCheckpoint, origin: str, size: int) -> Outcome:
        now = int(self.clock())
        kept = False
        with self.store.deciding(now) as rows:
            seen: dict[str, Held | None] = {}

            def held(origin: str) -> Held | None:
                seen[origin] = rows.held(origin)
                return seen[origin]

            decision: Decision = decide(request, self.keys_for_origin, held, self.cosigner, now)
            if decision.status == 200 and decision.checkpoint is not None:
                rows.set_latest(decision.checkpoint, request.note, decision.body.decode("utf-8"))
            elif decision.evidence is not None:
                latest = seen.get(origin)
                if latest is not None:
                    kept = rows.add_evidence(origin, EVIDENCE_KIND[decision.evidence], latest, request.note,
                                             request.old_size, request.proof, self.config.max_evidence_per_origin)
        cosignature = decision.body.decode("utf-8") if decision.status == 200 else None
        return Outcome(decision.status, decision.body, decision.content_type, decision.reason, origin, request.old_size,
                       size, cosignature, kept)
