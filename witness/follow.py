"""Pull mode: the witness fetches checkpoints from the boards it follows, so it need not wait to be asked.

For each configured board with a ``url``: ``GET {url}/api/v1/elections``; for each election,
``GET .../checkpoint`` and, when the witness already holds a smaller checkpoint of that origin,
``GET .../consistency?old=<held>&new=<size>``. The request is built exactly as a board would send it and
decided by the same atomic ``WitnessService.decide`` as a pushed one; a cosignature is then deposited with
``POST {url}/api/v1/elections/<id>/cosignatures`` (the note with the cosignature line appended). A board
that does not accept deposits (404) is logged, not fatal: the cosignature still sits in ``GET /logs``.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from bulletin_board.log_format.checkpoint import parse_checkpoint
from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.note import parse_note
from bulletin_board.log_format.witness_protocol import AddCheckpoint, parse_size_body

from .config import BoardConfig
from .logs import log_event
from .service import Outcome, WitnessService

TIMEOUT_SECONDS = 10
MAX_RESPONSE_BYTES = 8 * 1024 * 1024

__all__ = ["FollowResult", "follow_once", "follow_board", "follow_forever", "start_follower"]


class FetchError(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FollowResult:
    board: str
    election_id: str
    origin: str | None
    old_size: int | None
    size: int | None
    status: int | None  # the witness's decision (None: nothing decided)
    reason: str
    deposited: int | None = None  # cosignatures the board added; None when not deposited

    def line(self) -> str:
        where = self.origin or f"{self.board} election {self.election_id}"
        deposit = "" if self.deposited is None else f", board added {self.deposited}"
        status = "" if self.status is None else f" {self.status}"
        return f"{where}: size {self.size}{status} {self.reason}{deposit}"


def follow_once(service: WitnessService) -> list[FollowResult]:
    results: list[FollowResult] = []
    for board in service.config.boards:
        if board.url:
            results.extend(follow_board(service, board))
    return results


def follow_board(service: WitnessService, board: BoardConfig) -> list[FollowResult]:
    assert board.url is not None
    try:
        listing = _get_json(f"{board.url}/api/v1/elections")
        ids = [item["election_id"] for item in listing["elections"] if isinstance(item.get("election_id"), str)]
    except (FetchError, KeyError, TypeError, AttributeError) as exc:
        log_event("follow", board=board.url, status=None, reason=f"cannot list elections: {exc}")
        return [FollowResult(board.url, "", None, None, None, None, f"cannot list elections: {exc}")]
    results = []
    for election_id in ids:
        result = _follow_election(service, board.url, election_id)
        log_event("follow", board=board.url, election_id=election_id, origin=result.origin, old_size=result.old_size,
                  size=result.size, status=result.status, reason=result.reason, deposited=result.deposited)
        results.append(result)
    return results


def _follow_election(service: WitnessService, url: str, election_id: str) -> FollowResult:
    base = f"{url}/api/v1/elections/{urllib.parse.quote(election_id, safe='')}"
    try:
        note = _get_json(f"{base}/checkpoint")["note"]
        checkpoint = parse_checkpoint(parse_note(note).text)
    except (FetchError, KeyError, TypeError, BoardError) as exc:
        return FollowResult(url, election_id, None, None, None, None, f"no checkpoint: {exc}")
    origin, size = checkpoint.origin, checkpoint.size
    held = service.store.held(origin)
    if held is not None and held.size == size and held.root == checkpoint.root:
        return FollowResult(url, election_id, origin, held.size, size, None, "already cosigned")
    if held is not None and held.size > size:
        return FollowResult(url, election_id, origin, held.size, size, None, f"board serves size {size}, below the held {held.size}")
    outcome: Outcome | None = None
    old = held.size if held else 0
    for _attempt in range(2):  # a pushed request may move the held size between our read and our decision
        try:
            proof = _consistency(base, old, size)
        except (FetchError, KeyError, TypeError, ValueError) as exc:
            return FollowResult(url, election_id, origin, old, size, None, f"no consistency proof: {exc}")
        outcome = service.decide(AddCheckpoint(old, proof, note), origin, size)
        if outcome.status != 409 or outcome.evidence_kept:
            break
        try:
            old = parse_size_body(outcome.body)
        except BoardError:
            break
        if old > size:
            break
    assert outcome is not None
    if outcome.status != 200 or outcome.cosignature is None:
        return FollowResult(url, election_id, origin, old, size, outcome.status, outcome.reason)
    deposited, reason = _deposit(base, note, outcome.cosignature)
    return FollowResult(url, election_id, origin, old, size, 200, f"cosigned; {reason}", deposited)


def _consistency(base: str, old: int, size: int) -> tuple[bytes, ...]:
    if old == 0 or old == size:
        return ()
    data = _get_json(f"{base}/consistency?old={old}&new={size}")
    return tuple(bytes.fromhex(item) for item in data["proof"])


def _deposit(base: str, note: str, cosignature: str) -> tuple[int | None, str]:
    body = (note + cosignature).encode("utf-8")
    request = urllib.request.Request(f"{base}/cosignatures", data=body, method="POST",
                                     headers={"Content-Type": "text/plain; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            added = json.loads(response.read(MAX_RESPONSE_BYTES)).get("added")
            return (added if isinstance(added, int) else None), "deposited"
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None, "the board does not accept deposited cosignatures (404)"
        return None, f"deposit refused ({exc.code})"
    except (OSError, ValueError, AttributeError) as exc:
        return None, f"deposit failed: {exc}"


def _get_json(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            return json.loads(response.read(MAX_RESPONSE_BYTES))
    except urllib.error.HTTPError as exc:
        raise FetchError(f"GET {url}: {exc.code}", exc.code) from None
    except (OSError, ValueError) as exc:
        raise FetchError(f"GET {url}: {exc}") from None


def follow_forever(service: WitnessService, interval: float, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    while not stop.is_set():
        started = time.monotonic()
        try:
            follow_once(service)
        except Exception as exc:  # one bad pass must not end the follower; the next one tries again
            log_event("follow", status=None, reason=f"pass failed: {type(exc).__name__}: {exc}")
        stop.wait(max(0.0, interval - (time.monotonic() - started)))


def start_follower(service: WitnessService, interval: float) -> threading.Event:
    """Follow in a daemon thread beside the HTTP server; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=follow_forever, args=(service, interval, stop), name="witness-follow", daemon=True).start()
    return stop
