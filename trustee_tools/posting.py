"""Posting a trustee's signed message: whole, or in chunks when too large (record-format §13), and waiting for
the board's verdict when it checks the message outside the request (record-format §12.2).

A large message (a ``mix.shuffled`` of many rows, the decryption share or response of a mixed contest) is signed
as usual; its RFC 8785 bytes are cut into parts, each posted as a signed ``chunk`` message, then the entry
itself names the parts by seq. A ``mix.shuffled`` is answered 202 ``{"status": "checking", "check": id}``;
``GET …/checks/<id>`` then says ``checking``, ``appended`` (with the seq) or ``refused`` (with the error).
"""

from __future__ import annotations

import time
import urllib.parse
from typing import Callable

from bulletin_board.log_format.client import BoardClient, BoardClientError
from voting.record import chunks
from voting.record.messages import sign_message

from .state import TrusteeState

CHECK_TIMEOUT_SECONDS = 3600.0
Report = Callable[[str], None]


def post_message(board: BoardClient, state: TrusteeState, election_id: str, kind: str, body: dict, *, poll_seconds: float,
                 report: Report = lambda message: None) -> int | None:  # fmt: skip
    """Sign and post ``body`` as ``kind``, chunked when large; returns the entry's seq when the board says it."""
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
    return _verdict(board, election_id, kind, board.post_trustee(election_id, kind, payload), poll_seconds)


def _verdict(board: BoardClient, election_id: str, kind: str, answer: object, poll_seconds: float) -> int | None:
    """The seq of an appended entry; for a message the board checks later, poll its check until it is decided."""
    if not isinstance(answer, dict):
        return None
    if answer.get("status") != "checking":
        return answer.get("seq")
    check = answer.get("check")
    if not isinstance(check, str) or not check:
        raise BoardClientError("the board said it is checking the message but gave no check id")
    path = f"/elections/{urllib.parse.quote(election_id)}/checks/{urllib.parse.quote(check)}"
    deadline = time.monotonic() + CHECK_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        verdict = board.get(path)
        status = verdict.get("status") if isinstance(verdict, dict) else None
        if status == "appended":
            return verdict.get("seq")
        if status == "refused":
            error = verdict.get("error") or {}
            where = f" ({error['field']})" if error.get("field") else ""
            raise BoardClientError(f"the board refused: {error.get('message', 'no reason given')}{where}", code=error.get("code"),
                                   field=error.get("field"))  # fmt: skip
        if status != "checking":
            raise BoardClientError(f"the board answered the check {check} with an unknown status {status!r}")
        time.sleep(poll_seconds)
    raise BoardClientError(f"the board did not finish checking the {kind} within {CHECK_TIMEOUT_SECONDS:.0f} s (check {check})")
