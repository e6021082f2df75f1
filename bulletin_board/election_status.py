"""`evote election status`: where an election stands, computed by replaying its entries (checked link by link).

The object :func:`election_status` returns is the ``--json`` output, documented in docs/guide-administrator.md
("Where the election stands"); ``status_version`` changes only when a field changes meaning or disappears.
The counts use the result's words (voting/record/results.py, record-format §8.5): before the close, *counted*
is what would be counted if the election closed now.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any

from voting.record import mixing
from voting.record import registrar as rg
from voting.record import tallying as tl
from voting.record.counting import CHALLENGED_KIND, count, header_of
from voting.record.lifecycle import (
    ANCHORS_PUBLISHED,
    BALLOT_KINDS,
    CLOSED,
    CREATED,
    CREDENTIALS_PUBLISHED,
    KEYGEN_FAILED,
    OPENED,
    READY,
    ElectionState,
    apply_entry,
)  # fmt: skip
from voting.record.phases import CANCELLED, CONFIRMING, EXTENDED, KEYGEN, SCHEDULED
from voting.record.schedule import Schedule, format_time

from .admin_mix import mix_status
from .log_format.chain import ChainChecker
from .log_format.client import BoardClient, BoardClientError
from .log_format.entry import Entry
from .log_format.merkle_proofs import MemoryTree

STATUS_VERSION = 1
# the timeline's steps, in the order an election goes through them
STEPS = (
    "created", "key_ceremony_done", "credentials_listed", "anchors_published", "opens_at", "opened", "closes_at", "closed",
    "tally_encrypted", "tallied",
)  # fmt: skip
STEP_WORDS = {
    "created": "created",
    "key_ceremony_done": "key ceremony done",
    "key_ceremony_failed": "key ceremony FAILED",
    "credentials_listed": "credentials listed",
    "anchors_published": "trust anchors published",
    "opens_at": "opens at",
    "opened": "opened",
    "closes_at": "closes at",
    "closed": "closed",
    "tally_encrypted": "encrypted tally posted",
    "tallied": "tallied (result published)",
    "cancelled": "CANCELLED",
}
COUNT_WORDS = {
    "credentials_issued": "credentials issued",
    "credentials_revoked": "credentials revoked",
    "ballots_cast": "ballots cast",
    "ballots_counted": "ballots counted",
    "ballots_superseded": "ballots superseded",
    "ballots_challenged": "ballots challenged",
}
_FIRST_OF = {CREATED: "created", OPENED: "opened", CLOSED: "closed", tl.TALLY_ENCRYPTED: "tally_encrypted", tl.TALLY_RESULT: "tallied",
             CREDENTIALS_PUBLISHED: "credentials_listed", rg.CREDENTIALS: "credentials_listed"}  # fmt: skip
_LATEST_OF = {SCHEDULED: "scheduled", EXTENDED: "extended"}


def iso_time(received_at_us: int) -> str:
    """An entry's ``received_at`` (µs since the epoch, UTC) as ISO 8601 with a Z, to the second."""
    return datetime.fromtimestamp(received_at_us // 1_000_000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _mark(timeline: dict[str, dict], step: str, entry: Entry, *, latest: bool = False) -> None:
    if step not in timeline or latest:
        timeline[step] = {"step": step, "at": iso_time(entry.received_at), "seq": entry.seq}


def replay_with_timeline(client: BoardClient, election_id: str) -> tuple[ElectionState, list[Entry], dict[str, dict]]:
    """Replay every entry (each checked against its predecessor), noting when each step of the timeline happened."""
    state, entries, timeline = ElectionState(), [], {}  # type: tuple[ElectionState, list[Entry], dict[str, dict]]
    for entry in client.entries(election_id, 0, ChainChecker(election_id)):
        entries.append(entry)
        before = state.phase
        apply_entry(state, entry.seq, entry.kind, json.loads(entry.payload), entry.entry_hash, lambda seq: json.loads(entries[seq].payload))
        if entry.kind in _FIRST_OF:
            _mark(timeline, _FIRST_OF[entry.kind], entry)
        if entry.kind == ANCHORS_PUBLISHED:
            _mark(timeline, "anchors_published", entry, latest=True)
        if entry.kind in _LATEST_OF:
            _mark(timeline, _LATEST_OF[entry.kind], entry, latest=True)
        if entry.kind == CANCELLED:
            _mark(timeline, "cancelled", entry)
            timeline["cancelled"]["reason"] = json.loads(entry.payload).get("reason")
        if state.phase != before and state.phase == READY:
            _mark(timeline, "key_ceremony_done", entry)
        if state.phase != before and state.phase == KEYGEN_FAILED:
            _mark(timeline, "key_ceremony_failed", entry)
    return state, entries, timeline


def scheduled_close(state: ElectionState) -> str | None:
    """The election's scheduled close (UTC, ISO 8601), as election.created, election.scheduled and
    election.extended left it; None for an election without a schedule."""
    return format_time(state.schedule.closes_at) if state.schedule is not None else None


def scheduled_open(state: ElectionState) -> str | None:
    return format_time(state.schedule.opens_at) if state.schedule is not None else None


def not_opened_reason(phase: str, listed: bool, schedule: Schedule, now_us: int) -> str | None:
    """Why an election whose ``opens_at`` has come is not opened by the board (None: it can open now). The
    board's scheduler (scheduler.py) logs these words; ``evote election status`` shows them."""
    if phase in (KEYGEN, CONFIRMING):
        return "the key ceremony is not complete (evote election status shows each trustee's progress)"
    if phase == KEYGEN_FAILED:
        return "the key ceremony failed: create a new election with a replacement trustee, or cancel this one"
    if phase != READY:
        return None
    if now_us >= schedule.closes_at:
        return "its close came before it could open: set a new schedule (evote election schedule) or cancel it"
    if not listed:
        return "no credential is listed yet (evote election credentials)"
    return None


def _timeline(state: ElectionState, seen: dict[str, dict]) -> list[dict]:
    out = []
    for step in STEPS:
        if step == "key_ceremony_done" and "key_ceremony_failed" in seen:
            step = "key_ceremony_failed"
        if step == "closes_at":
            out.append({"step": step, "at": scheduled_close(state), "seq": None})
        elif step == "opens_at":
            out.append({"step": step, "at": scheduled_open(state), "seq": None})
        else:
            out.append(seen.get(step) or {"step": step, "at": None, "seq": None})
    if "cancelled" in seen:  # the last step of a cancelled election
        out.append({key: seen["cancelled"][key] for key in ("step", "at", "seq")})
    return out


def _when(step: dict | None) -> dict | None:
    return None if step is None else {"at": step["at"], "seq": step["seq"]}


def _schedule(state: ElectionState, seen: dict[str, dict], now_us: int) -> dict[str, Any] | None:
    """The current window, whether it was set or moved by entries, and why the board has not opened it yet."""
    if state.schedule is None:
        return None
    pending = state.schedule.opens_at <= now_us and state.phase in (KEYGEN, KEYGEN_FAILED, CONFIRMING, READY)
    return {
        **state.schedule.to_json(),
        "scheduled_at": _when(seen.get("scheduled")),
        "extended_at": _when(seen.get("extended")),
        "not_opened": not_opened_reason(state.phase, bool(state.eligible_credentials), state.schedule, now_us) if pending else None,
    }


def _counts(state: ElectionState, entries: list[Entry]) -> dict[str, int]:
    headers = [header_of(e.seq, e.kind, json.loads(e.payload)) for e in entries if e.kind in BALLOT_KINDS]
    counting = count(headers, state.definition.revote_rule if state.definition else "last")
    return {
        "credentials_issued": len(state.eligible_credentials),
        "credentials_revoked": len(state.revoked & state.credentials.keys()),
        "ballots_cast": sum(h.kind != CHALLENGED_KIND for h in headers),
        "ballots_counted": len(counting.counted),
        "ballots_superseded": len(counting.superseded),
        "ballots_challenged": sum(h.kind == CHALLENGED_KIND for h in headers),
    }


def _registrar(state: ElectionState) -> dict[str, Any] | None:
    registrar = state.definition.registrar if state.definition else None
    if registrar is None:
        return None
    roll = state.roll
    return {
        "name": registrar.name,
        "public_key": registrar.public_key,
        "accepted": state.registrar_accepted,
        "roll": None if roll is None else {"voters": roll.voters, "voters_per_style": dict(roll.voters_per_style),
                                           "total_weight": roll.total_weight, "roll_sha256": roll.roll_sha256},  # fmt: skip
        "credentials_listed": len(state.credentials),
        "erased": state.registrar_erased,
    }


def _trustees(state: ElectionState) -> list[dict[str, Any]]:
    if state.definition is None:
        return []
    current = state.rounds[-1] if state.rounds else None
    out = []
    for t in state.definition.trustees:
        i = t.index
        complaints = state.checked.get(i)
        decryption = None
        if current is not None:
            decryption = {
                "round": current.number,
                "share": i in current.shares,
                "in_challenge": current.challenge is not None and i in current.challenge.available,
                "response": i in current.responses,
                "excluded": state.excluded.get(i),
            }
        out.append({
            "index": i, "name": t.name, "identity_key": t.identity_key,
            "key_ceremony": {"commitments": i in state.commitments, "shares": i in state.shares, "checked": complaints is not None,
                             "complaints": list(complaints or []), "confirmed": i in state.confirmed},
            "decryption": decryption,
        })  # fmt: skip
    return out


def _mix(state: ElectionState) -> list[dict[str, Any]] | None:
    """Per contest with a counting method (record-format §12): rows, mixes and what is awaited; None without."""
    if state.definition is None or not mixing.counting_contests(state.definition.manifest):
        return None
    return [contest.to_json() for contest in mix_status(state)]


def _checkpoints(client: BoardClient, election_id: str, entries: list[Entry]) -> tuple[dict | None, dict | None]:
    signed = client.get(f"/elections/{election_id}/checkpoint")
    checkpoint = {key: signed.get(key) for key in ("origin", "size", "root")}
    size = checkpoint["size"]
    if isinstance(size, int) and 0 < size <= len(entries):  # the signed root must be the root of the entries read
        checkpoint["matches_entries"] = MemoryTree(e.entry_hash for e in entries[:size]).root(size).hex() == str(checkpoint["root"]).lower()
    else:
        checkpoint["matches_entries"] = None
    try:
        found = client.get(f"/elections/{election_id}/checkpoint/cosigned")
    except BoardClientError as exc:
        if exc.status == 404:
            return checkpoint, None
        raise
    witnesses = [str(w) for w in found.get("witnesses", [])]
    return checkpoint, {"size": found.get("size"), "root": found.get("root"), "witnesses": witnesses, "cosignatures": len(witnesses)}


def election_status(client: BoardClient, election_id: str) -> dict[str, Any]:
    """The ``--json`` object of ``evote election status`` (see the module docstring)."""
    state, entries, seen = replay_with_timeline(client, election_id)
    checkpoint, cosigned = _checkpoints(client, election_id, entries)
    cancelled = seen.get("cancelled")
    definition = state.definition
    current = state.rounds[-1] if state.rounds else None
    return {
        "status_version": STATUS_VERSION,
        "election_id": election_id,
        "phase": state.phase,
        "entries": len(entries),
        "trustees_needed": {"n": state.n, "k": definition.k if definition else 0},
        "timeline": _timeline(state, seen),
        "schedule": _schedule(state, seen, int(time.time() * 1_000_000)),
        "cancelled": None if cancelled is None else {"reason": cancelled["reason"], "at": cancelled["at"], "seq": cancelled["seq"]},
        "counts": _counts(state, entries),
        "registrar": _registrar(state),
        "trustees": _trustees(state),
        "decryption": None if current is None else {
            "round": current.number, "challenge_posted": current.challenge is not None, "excluded": sorted(state.excluded),
        },  # fmt: skip
        "mix": _mix(state),
        "checkpoint": checkpoint,
        "cosigned": cosigned,
    }
