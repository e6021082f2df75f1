"""Posting a trustee's signed message: whole, or in chunks when too large (record-format §13), and waiting for
the board's verdict when it checks the message outside the request (record-format §12.2).

A large message (a ``mix.shuffled`` of many rows, the decryption share or response of a mixed contest) is signed
as usual; its RFC 8785 bytes are cut into parts, each posted as a signed ``chunk`` message, then the entry
itself names the parts by seq. A ``mix.shuffled`` is answered 202 ``{"status": "checking", "check": id}``;
``GET …/checks/<id>`` then says ``checking``, ``appended`` (with the seq) or ``refused`` (with the error).
"""

from __future__ import annotations

from typing import Callable

from bulletin_board.log_format.client import BoardClient
from voting.record import chunks
from voting.record.messages import sign_message

from .state import TrusteeState

Report = Callable[[str], None]


def post_message(board: BoardClient, state: TrusteeState, election_id: str, kind: str, body: dict, *, poll_seconds: float,
                 report: Report = lambda message: None) -> int:  # fmt: skip
    """Sign and post ``body`` as ``kind``, chunked when large; returns the entry's seq, once the board has
    checked it when it checks it outside the request (``BoardClient.wait_for_check``; a refusal raises)."""
    payload = sign_message(state.identity, election_id, kind, state.guardian, body)
    if chunks.needs_chunks(payload):
        whole = chunks.canonical(payload)
        parts = chunks.split_payload(payload)
        seqs = []
        for part, data in enumerate(parts):
            chunk = chunks.trustee_chunk_body(state.guardian, kind, whole, part, data)
            answer = board.post_trustee(election_id, chunks.CHUNK, sign_message(state.identity, election_id, chunks.CHUNK, state.guardian, chunk))
            seqs.append(answer["seq"])
            report(f"{kind}: part {part + 1} of {len(parts)} posted ({len(data):,} bytes)")
        payload = chunks.chunked_payload(seqs, whole)
    answer = board.post_trustee(election_id, kind, payload)
    return board.wait_for_check(election_id, answer, poll_seconds=poll_seconds)
