"""Ballot submission: everything checked before the ballot is appended, then the voter's receipt.

Before the log's lock: the envelope, encodings and subgroup membership, the credential's signature, every
proof and hash of the ballot (Verifications 5-7) and a challenge's reveal, for a ballot admitted while
the election is open and not closing (:mod:`.closing`). Under the lock, in the append's hook: the election
is open, the credential is on the frozen list and not revoked, the confirmation code and every α are new
on the board (no ballot copying), the revoting rule holds, the credential has room in its limits
(:mod:`.credential_limits`); the index rows are written with the entry. An identical resubmission returns
the first receipt, appends nothing and counts against no limit, even once the election is closing or closed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, insert, select

from voting.record import rules_voting
from voting.record.schedule import Schedule, format_time
from voting.record.submission import CAST, KIND_OF_ACTION, Submission

from .. import voter_login
from ..log import BoardLog
from ..log_types import AppendContext
from ..storage.schema import ballot_index, ciphertext_index, credentials, entries
from .closing import BallotCheck
from .credential_limits import CredentialLimits, check_allowance
from .errors import Refused


def ciphertext_key(alpha_bytes: bytes) -> str:
    """The index key of one α: SHA-256 of b(α, 512), upper-case hex."""
    return hashlib.sha256(alpha_bytes).hexdigest().upper()


@dataclass(frozen=True)
class AcceptedBallot:
    seq: int
    kind: str
    entry_hash: bytes
    size: int
    appended: bool


def outside_window(schedule) -> Refused:
    return Refused(409, "outside_voting_hours", None, f"ballots are accepted from {format_time(schedule.opens_at)} until "
                   f"{format_time(schedule.closes_at)} (UTC), by the board's clock")


def ballot_hook(submission: Submission, revote_rule: str, limits: CredentialLimits, in_flight: BallotCheck,
                login: voter_login.SignedIn | None = None, schedule: Schedule | None = None):
    """The check run inside the serialised append (see module docstring). ``login``: the signed-in voter of an
    election with voter login, whose first cast binds the login to the credential (:func:`.voter_login.check_cast`)."""
    code = submission.ballot.confirmation_code.hex().upper()
    alphas = [ciphertext_key(ct.alpha.to_bytes()) for ct in submission.ballot.ciphertexts()]

    def check(ctx: AppendContext):
        conn = ctx.connection
        existing = conn.execute(
            select(ballot_index.c.seq).where(ballot_index.c.election_id == ctx.election_id).where(ballot_index.c.confirmation_code == code)
        ).first()
        if existing is not None:
            stored = conn.execute(select(entries.c.payload).where(entries.c.election_id == ctx.election_id).where(entries.c.seq == existing[0])).scalar()
            if bytes(stored) == ctx.payload_bytes:
                return ctx.existing(existing[0])  # the same submission again: same receipt, nothing appended
            raise Refused(409, "duplicate_ballot", "ballot.confirmation_code", "a ballot with this confirmation code is already on the board")
        if in_flight.refusal is not None:
            raise in_flight.refusal  # not admitted (closing or not open): its proofs were not checked
        if not rules_voting.ballot_allowed(ctx.state):
            raise Refused(409, "election_not_open", None, f"the election is not open for ballots (phase {ctx.state!r})")
        if not rules_voting.ballot_in_window(schedule, ctx.received_at):  # the board's clock, under the log's lock
            raise outside_window(schedule)
        listed = conn.execute(
            select(credentials.c.revoked, credentials.c.style, credentials.c.weight)
            .where(credentials.c.election_id == ctx.election_id)
            .where(credentials.c.public_key == submission.credential)
        ).first()
        if listed is None:
            raise Refused(403, "unknown_credential", "credential", "this credential is not on the election's published list")
        if listed.revoked:
            raise Refused(403, "revoked_credential", "credential", "this credential was revoked")
        if not rules_voting.ballot_style_allowed(listed.style, submission.ballot.style):
            raise Refused(403, "wrong_ballot_style", "ballot.style", f"this credential votes the ballot style {listed.style!r}, not {submission.ballot.style!r}")
        if login is not None and submission.action == CAST:
            voter_login.check_cast(conn, ctx.election_id, login, submission.credential, listed.style, listed.weight, ctx.seq)
        copied = conn.execute(
            select(ciphertext_index.c.seq).where(ciphertext_index.c.election_id == ctx.election_id).where(ciphertext_index.c.ciphertext_hash.in_(alphas))
        ).first()
        if copied is not None or len(set(alphas)) != len(alphas):
            raise Refused(409, "duplicate_ciphertext", "ballot", "a ciphertext of this ballot is already on the board (ballot copying is refused)")
        if revote_rule == "first" and submission.action == CAST:
            cast_before = conn.execute(
                select(ballot_index.c.seq)
                .where(ballot_index.c.election_id == ctx.election_id)
                .where(ballot_index.c.credential == submission.credential)
                .where(ballot_index.c.action == CAST)
            ).first()
            if cast_before is not None:
                raise Refused(409, "already_voted", "credential", "this election counts a credential's first ballot, and it has one")
        check_allowance(conn, ctx.election_id, submission, limits, ctx.received_at)
        conn.execute(
            insert(ballot_index).values(
                election_id=ctx.election_id, confirmation_code=code, seq=ctx.seq, credential=submission.credential,
                action=submission.action, revealed=submission.reveal is not None,
            )
        )  # fmt: skip
        in_flight.finish_in(ctx)
        conn.execute(insert(ciphertext_index), [{"election_id": ctx.election_id, "ciphertext_hash": a, "seq": ctx.seq} for a in alphas])
        return None

    return check


def receipt(log: BoardLog, election_id: str, seq: int, size: int, confirmation_code: bytes) -> dict:
    """The voter's receipt: seq, entry hash, a signed checkpoint that includes it, the inclusion proof."""
    signed = log.checkpoint(election_id, size)
    proof = log.inclusion_proof(election_id, seq, size)
    entry = log.entry(election_id, seq)
    return {
        "election_id": election_id,
        "seq": seq,
        "kind": entry.kind,
        "entry_hash": entry.entry_hash.hex().upper(),
        "confirmation_code": confirmation_code.hex().upper(),
        "checkpoint": signed.note,
        "inclusion_proof": {"leaf_index": seq, "tree_size": size, "hashes": [h.hex().upper() for h in proof.proof]},
        "board": board_identity(log),
    }


def board_identity(log: BoardLog) -> dict:
    verifier = log.signer.verifier
    return {"origin": log.origin, "key_name": verifier.name, "public_key": verifier.public_key.hex().upper()}


def lookup(log: BoardLog, election_id: str, code: str, revote_rule: str) -> dict | None:
    """Where a confirmation code is on the board, its status, and a receipt against the current checkpoint."""
    with log.engine.connect() as conn:
        row = conn.execute(
            select(ballot_index.c.seq, ballot_index.c.credential, ballot_index.c.action)
            .where(ballot_index.c.election_id == election_id)
            .where(ballot_index.c.confirmation_code == code)
        ).first()
        if row is None:
            return None
        seq, credential, action = row
        status = "challenged"
        if action == CAST:
            later = conn.execute(
                select(ballot_index.c.seq)
                .where(ballot_index.c.election_id == election_id)
                .where(ballot_index.c.credential == credential)
                .where(ballot_index.c.action == CAST)
                .where(ballot_index.c.seq > seq)
            ).first()
            status = "superseded" if later is not None and revote_rule == "last" else "cast"
    size = log.size(election_id)
    return {"status": status, "receipt": receipt(log, election_id, seq, size, bytes.fromhex(code))}


def credential_lookup(log: BoardLog, election_id: str, public_key: str, revote_rule: str) -> dict | None:
    """One credential of the election's list (record format §4, §9): its ballot style (None on a version-1
    list), weight, whether it was revoked, and its ballots on the board in board order with their status, as
    :func:`list_ballots` gives them. Reads the credentials table and the credential index of ``ballot_index``,
    so a booth checks one voter without downloading the list. None when the key is not on the list."""
    with log.engine.connect() as conn:
        listed = conn.execute(
            select(credentials.c.style, credentials.c.weight, credentials.c.revoked)
            .where(credentials.c.election_id == election_id)
            .where(credentials.c.public_key == public_key)
        ).first()
        if listed is None:
            return None
        rows = conn.execute(
            select(ballot_index.c.seq, ballot_index.c.confirmation_code, ballot_index.c.action)
            .where(ballot_index.c.election_id == election_id)
            .where(ballot_index.c.credential == public_key)
            .order_by(ballot_index.c.seq)
        ).all()
    last_cast = max((r.seq for r in rows if r.action == CAST), default=-1) if revote_rule == "last" else -1
    ballots = [
        {"confirmation_code": r.confirmation_code, "seq": r.seq, "kind": KIND_OF_ACTION[r.action], "status": _status(r.action, last_cast > r.seq)}
        for r in rows
    ]
    return {"public_key": public_key, "style": listed.style, "weight": listed.weight,
            "status": "revoked" if listed.revoked else "eligible", "ballots": ballots}  # fmt: skip


def list_ballots(log: BoardLog, election_id: str, prefix: str | None, start: int, limit: int, revote_rule: str) -> dict:
    """One page of the board's ballots in board order (seq >= ``start``), each with its confirmation code,
    seq, entry kind and status; with ``prefix`` (upper-case hex, checked by the web layer) only the codes
    that start with it. ``next`` is the ``start`` of the following page, or None.

    The prefix is a range on the indexed code column (``uq_ballot_index_code``): every code is 64 upper-case
    hex digits, so the codes that start with P are those from P000… to PFFF…, in any collation that orders
    0-9 before A-F; the LIKE 'P%' beside it (P is hex only, so nothing to escape) keeps the answer exact.
    """
    query = select(ballot_index.c.seq, ballot_index.c.confirmation_code, ballot_index.c.credential, ballot_index.c.action).where(
        ballot_index.c.election_id == election_id
    )
    if prefix is not None:
        code = ballot_index.c.confirmation_code
        query = query.where(code >= prefix.ljust(64, "0"), code <= prefix.ljust(64, "F"), code.like(prefix + "%"))
    with log.engine.connect() as conn:
        rows = conn.execute(query.where(ballot_index.c.seq >= start).order_by(ballot_index.c.seq).limit(limit + 1)).all()
        page = rows[:limit]
        cast = {r.credential for r in page if r.action == CAST}
        latest = _latest_casts(conn, election_id, cast) if revote_rule == "last" else {}
    ballots = [
        {"confirmation_code": r.confirmation_code, "seq": r.seq, "kind": KIND_OF_ACTION[r.action],
         "status": _status(r.action, latest.get(r.credential, r.seq) > r.seq)}
        for r in page
    ]  # fmt: skip
    return {"election_id": election_id, "prefix": prefix, "start": start, "ballots": ballots,
            "next": rows[limit].seq if len(rows) > limit else None}  # fmt: skip


def _latest_casts(conn, election_id: str, credentials: set[str]) -> dict[str, int]:
    """Each credential's last cast ballot (its seq), through the credential index."""
    if not credentials:
        return {}
    return dict(
        conn.execute(
            select(ballot_index.c.credential, func.max(ballot_index.c.seq))
            .where(ballot_index.c.election_id == election_id)
            .where(ballot_index.c.credential.in_(sorted(credentials)))
            .where(ballot_index.c.action == CAST)
            .group_by(ballot_index.c.credential)
        ).all()
    )


def _status(action: str, replaced: bool) -> str:
    if action != CAST:
        return "challenged"
    return "superseded" if replaced else "cast"
