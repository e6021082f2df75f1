"""The board's election operations: create, admin and trustee entries, ballots, context and lookups.

Every append goes through :meth:`BoardLog.append` with a hook that applies the election's rules
(:mod:`voting.record.lifecycle`) under the log's lock, so a refused request leaves the log unchanged.
Closing goes through :func:`.closing.close`, which waits for the ballots being checked; each ballot
registers with :func:`.closing.ballot_check` before its proofs are checked.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from sqlalchemy import func, select, update
from sqlalchemy import insert as sql_insert

from voting.encoding import hex_bytes
from voting.errors import VotingError
from voting.record import chunks, counted_rows, rules_mix, rules_voting
from voting.record import keygen as kg
from voting.record import mixing as mx
from voting.record import registrar as rg
from voting.record import tallying as tl
from voting.record.anchors import ANCHORS_PUBLISHED
from voting.record.counting import CAST_KIND, CHALLENGED_KIND, BallotHeader, tally_from_entries
from voting.record.election import parse_election_created
from voting.record.lifecycle import (
    ADMIN_KINDS,
    BALLOT_KINDS,
    BOARD_KINDS,
    CLOSED,
    CREATED,
    CREDENTIALS_PUBLISHED,
    CREDENTIALS_REVOKED,
    TRUSTEE_KINDS,
    ElectionState,
)
from voting.record.phases import CANCELLED, CANCELLED_PHASE
from voting.record.results import result_from_headers
from voting.record.schedule import Schedule, format_time
from voting.record.submission import CAST, CHALLENGE, check_submission, parse_submission

from .. import voter_login
from ..log import BoardLog
from ..log_types import AppendContext, AppendResult
from ..storage.schema import ballot_index, credentials, entries
from . import anchors, closing
from . import ballots as ballot_rules
from .control import ControlStates
from .credential_limits import CredentialLimits
from .errors import Refused, refusal_from

DEFAULT_CLOSE_GRACE_SECONDS = 5.0


class ElectionService:
    def __init__(self, log: BoardLog, *, limits: CredentialLimits | None = None,
                 close_grace_seconds: float = DEFAULT_CLOSE_GRACE_SECONDS) -> None:  # fmt: skip
        self.log = log
        self.states = ControlStates()
        self.limits = limits or CredentialLimits()
        self.close_grace_seconds = close_grace_seconds
        self._results: dict[str, dict[str, Any]] = {}  # election id -> its result (tallied elections only)

    # --- reading ----------------------------------------------------------------------------------

    def _with_state(self, election_id: str, use):
        self.log.election(election_id)  # UnknownElection -> 404
        with self.states.lock(election_id), self.log.engine.connect() as conn:
            return use(self.states.current(conn, election_id), conn)

    def context(self, election_id: str) -> dict[str, Any]:
        def build(state: ElectionState, conn) -> dict[str, Any]:
            definition = state.definition
            counts = dict(
                conn.execute(
                    select(ballot_index.c.action, func.count()).where(ballot_index.c.election_id == election_id).group_by(ballot_index.c.action)
                ).all()
            )
            listed = conn.execute(
                select(func.count()).select_from(credentials).where(credentials.c.election_id == election_id).where(credentials.c.revoked.is_(False))
            ).scalar()
            return {
                "election_id": election_id,
                "phase": state.phase,
                "manifest": definition.manifest.document,
                "K": state.context.K.to_bytes().hex().upper() if state.context else None,
                "H_E": state.context.H_E.hex().upper() if state.context else None,
                "revote_rule": definition.revote_rule,
                "organizer": definition.organizer.to_json() if definition.organizer else None,
                "trustees": [{"index": t.index, "name": t.name} for t in definition.trustees],
                "counts": {"cast": counts.get(CAST, 0), "challenged": counts.get(CHALLENGE, 0), "credentials": listed},
                "board": ballot_rules.board_identity(self.log),
                "result": self._result(election_id, state, conn),
                "anchors": anchors.fingerprint_of(anchors.latest_anchors_in(conn, election_id)),
                "voter_login": voter_login.public_summary(conn, election_id, definition.voter_login),
                "schedule": state.schedule.to_json() if state.schedule is not None else None,
                "cancelled": _cancelled(conn, election_id) if state.phase == CANCELLED_PHASE else None,
                "mix": _mix_progress(state),
            }

        return self._with_state(election_id, build)

    def _result(self, election_id: str, state: ElectionState, conn) -> dict[str, Any] | None:
        """The published result and turnout (record-format §8.5) once tallied; computed once, it never changes."""
        if state.result is None:
            return None
        if election_id not in self._results:
            rows = conn.execute(
                select(ballot_index.c.seq, ballot_index.c.action, ballot_index.c.credential, ballot_index.c.confirmation_code,
                       ballot_index.c.revealed)
                .where(ballot_index.c.election_id == election_id)
                .order_by(ballot_index.c.seq)
                .execution_options(yield_per=1000)
            )  # fmt: skip
            kinds = {CAST: CAST_KIND, CHALLENGE: CHALLENGED_KIND}
            headers = (BallotHeader(seq, kinds[action], credential, bytes.fromhex(code), revealed)
                       for seq, action, credential, code, revealed in rows)  # fmt: skip
            self._results[election_id] = result_from_headers(state, headers).to_json()
        return self._results[election_id]

    def schedule_view(self, election_id: str) -> tuple[str, Schedule | None, bool]:
        """For the scheduler (bulletin_board/scheduler.py): the phase, the current schedule and whether a
        credential is listed (what opening needs besides the key ceremony)."""
        return self._with_state(election_id, lambda state, _: (state.phase, state.schedule, bool(state.eligible_credentials)))

    def definition_and_phase(self, election_id: str):
        """The election's definition (its election.created) and its current phase."""
        return self._with_state(election_id, lambda state, _: (state.definition, state.phase))

    def lookup(self, election_id: str, code: str) -> dict[str, Any] | None:
        rule = self._with_state(election_id, lambda state, _: state.definition.revote_rule)
        return ballot_rules.lookup(self.log, election_id, code, rule)

    def credential(self, election_id: str, public_key: str) -> dict[str, Any] | None:
        """One listed credential, its style, weight, status and ballots (:func:`.ballots.credential_lookup`)."""
        rule = self._with_state(election_id, lambda state, _: state.definition.revote_rule)
        return ballot_rules.credential_lookup(self.log, election_id, public_key, rule)

    def list_ballots(self, election_id: str, prefix: str | None, start: int, limit: int) -> dict[str, Any]:
        """A page of the ballots on the board, or of those whose confirmation code starts with ``prefix``."""
        rule = self._with_state(election_id, lambda state, _: state.definition.revote_rule)
        return ballot_rules.list_ballots(self.log, election_id, prefix, start, limit, rule)

    # --- control entries ----------------------------------------------------------------------------

    def _control_hook(self, kind: str, payload: dict, challenged: list, *, shuffle_checked: bool = False):
        def check(ctx: AppendContext) -> None:
            election_id = ctx.election_id
            with self.states.lock(election_id):
                state = self.states.current(ctx.connection, election_id)
                before = state.phase
                def has_cast(public_key: str) -> bool:  # registrar.replaced: only a credential that cast nothing
                    return ctx.connection.execute(
                        select(func.count()).select_from(ballot_index).where(ballot_index.c.election_id == election_id)
                        .where(ballot_index.c.credential == public_key).where(ballot_index.c.action == CAST)
                    ).scalar() > 0

                try:
                    parsed = state.apply(kind, payload, challenged_ballots=challenged, has_cast=has_cast, received_at=ctx.received_at,
                                         seq=ctx.seq, shuffle_checked=shuffle_checked)  # fmt: skip
                except VotingError as exc:
                    self.states.forget(election_id)
                    raise refusal_from(exc) from None
                except Exception:
                    self.states.forget(election_id)
                    raise
                if kind == kg.RESULT:
                    self.states.forget(election_id)  # replay with the entry's hash, which trustees confirm
                else:
                    self.states.applied(election_id, ctx.seq)
                listing = kind
                if kind == rg.REPLACED:
                    listing, parsed = rg.CREDENTIALS, [parsed.new]  # list the new credential, then revoke the old
                    _revoke(ctx.connection, election_id, [payload["body"]["old"]])
                if listing in (CREDENTIALS_PUBLISHED, rg.CREDENTIALS):
                    ctx.connection.execute(
                        sql_insert(credentials),
                        [{"election_id": election_id, "public_key": c.public_key, "revoked": False, "listed_at_seq": ctx.seq,
                          "style": c.style, "weight": c.weight} for c in parsed],  # fmt: skip
                    )
                elif listing in (CREDENTIALS_REVOKED, rg.REVOKED):
                    _revoke(ctx.connection, election_id, parsed)
                if state.phase != before:
                    ctx.set_state(state.phase)

        return check

    def create(self, payload: Any) -> AppendResult:
        """Create an election from its `election.created` payload (validated before anything is stored)."""
        try:
            definition = parse_election_created(payload)
        except VotingError as exc:
            raise refusal_from(exc) from None
        self.log.create_election(definition.election_id, state="created")
        return self.log.append(definition.election_id, CREATED, payload, check=self._control_hook(CREATED, payload, []))

    def post_admin(self, election_id: str, kind: str, payload: Any) -> AppendResult:
        if kind not in ADMIN_KINDS or kind == CREATED:
            raise Refused(400, "unknown_kind", "kind", f"{kind!r} is not an administrator entry kind")
        if not isinstance(payload, dict):
            raise Refused(400, "invalid_payload", "payload", "expected a JSON object")
        challenged = []
        if kind == ANCHORS_PUBLISHED:
            anchors.check_board_signed(self.log, election_id, payload)
        if kind == tl.TALLY_ENCRYPTED:
            expected, challenged = self._expected_tally(election_id)
            if payload != expected:
                raise Refused(409, "tally_mismatch", "payload", "is not the product of the counted ballots recomputed by the board")
        if kind == mx.MIX_INPUT:
            self._check_mix_input(election_id, payload)
        append = lambda: self.log.append(election_id, kind, payload, check=self._control_hook(kind, payload, challenged))  # noqa: E731
        if kind == CLOSED:
            return closing.close(self.log, election_id, self.close_grace_seconds, append)
        return append()

    def publish_anchors(self, election_id: str, request: Any) -> AppendResult:
        """Build, sign and append the election's trust anchors from the administrator's request (record-format §10)."""
        if not isinstance(request, dict):
            raise Refused(400, "invalid_payload", "payload", "expected a JSON object")
        definition = self._with_state(election_id, lambda state, _: state.definition)
        return self.post_admin(election_id, ANCHORS_PUBLISHED, anchors.build_anchors(self.log, definition, request))

    def latest_anchors(self, election_id: str) -> str | None:
        return anchors.latest_anchors(self.log, election_id)

    def post_board(self, election_id: str, kind: str, payload: Any) -> AppendResult:
        """The board operator's own entries (``board.key_transition``), appended on the board's machine only
        (``evote board rotate-key``); no HTTP route reaches this."""
        if kind not in BOARD_KINDS:
            raise Refused(400, "unknown_kind", "kind", f"{kind!r} is not a board entry kind")
        return self.log.append(election_id, kind, payload, check=self._control_hook(kind, payload, []))

    def post_registrar(self, election_id: str, kind: str, payload: Any) -> AppendResult:
        """The credential authority's signed entries (record-format §11): the signature is the authority, no token."""
        if kind not in rg.REGISTRAR_KINDS:
            raise Refused(400, "unknown_kind", "kind", f"{kind!r} is not a registrar entry kind")
        return self.log.append(election_id, kind, payload, check=self._control_hook(kind, payload, []))

    def post_trustee(self, election_id: str, kind: str, payload: Any, *, shuffle_checked: bool = False) -> AppendResult:
        """A trustee's signed entry. A ``mix.shuffled`` has its proof of shuffle checked first, outside the log's
        lock (:meth:`check_shuffle`), unless the caller did that (``shuffle_checked``)."""
        if kind not in TRUSTEE_KINDS:
            raise Refused(400, "unknown_kind", "kind", f"{kind!r} is not a trustee entry kind")
        if kind == mx.MIX_SHUFFLED and not shuffle_checked:
            self.check_shuffle(election_id, payload)
        hook = self._control_hook(kind, payload, [], shuffle_checked=kind == mx.MIX_SHUFFLED)
        return self.log.append(election_id, kind, payload, check=hook)

    # --- the mix (record-format §12) ------------------------------------------------------------------

    def check_shuffle(self, election_id: str, payload: Any, *, workers: int = 1) -> None:
        """Verify a ``mix.shuffled``'s proof of shuffle against the current state, holding no lock while the
        proof is checked; raises :class:`Refused`. Appending it afterwards re-checks that it still comes next
        and names the same input (its ``input_digest``), so the proof checked here is the one that counts."""
        try:
            state, shuffled = self._with_state(election_id, lambda state, _: (state, rules_mix.shuffled_of(state, payload)))
            rules_mix.check_shuffle(state, shuffled, workers=workers)
        except VotingError as exc:
            raise refusal_from(exc) from None

    def expected_mix_inputs(self, election_id: str) -> dict[str, dict]:
        """Each counting contest's ``mix.input`` payload, recomputed from the ballots the board accepted."""

        def compute(state: ElectionState, conn) -> dict[str, dict]:
            manifest = state.definition.manifest
            inputs = counted_rows.mix_inputs_from_entries(manifest, state.definition.revote_rule, lambda: _stored_ballots(conn, election_id))
            return {label: mx.mix_input_payload(label, i.ballots, i.rows) for label, i in inputs.items()}

        return self._with_state(election_id, compute)

    def _check_mix_input(self, election_id: str, payload: dict) -> None:
        """A ``mix.input`` (whole or chunked) must be one of the recomputed inputs: compared by the SHA-256 of
        its RFC 8785 bytes, which the engine then checks the chunks against."""
        if chunks.is_chunked(payload):
            sha = payload["chunked"].get("sha256") if isinstance(payload["chunked"], dict) else None
        else:
            sha = hex_bytes(chunks.whole_digest(chunks.canonical(payload)))
        expected = {hex_bytes(chunks.whole_digest(chunks.canonical(p))) for p in self.expected_mix_inputs(election_id).values()}
        if sha not in expected:
            raise Refused(409, "mix_input_mismatch", "payload", "is not the rows of the counted ballots recomputed by the board")

    # --- tally --------------------------------------------------------------------------------------

    def _expected_tally(self, election_id: str) -> tuple[dict, list]:
        """The `tally.encrypted` payload recomputed from the ballots the board accepted (two passes)."""

        def compute(state: ElectionState, conn) -> tuple[dict, list]:
            if state.phase != "closed":
                raise Refused(409, "rule_violation", "kind", f"tally.encrypted is not allowed in phase {state.phase!r}")

            manifest = state.definition.manifest
            record, challenged = tally_from_entries(
                manifest, state.definition.revote_rule, lambda: _stored_ballots(conn, election_id), cast_checked_by_board=True,
                weights=rules_voting.weights_of(state),
            )  # fmt: skip
            return tl.tally_payload(record, manifest), challenged

        return self._with_state(election_id, compute)

    # --- ballots ------------------------------------------------------------------------------------

    def submit_ballot(self, election_id: str, payload: Any, session: str | None = None) -> tuple[dict, bool]:
        """Check and append a ballot; returns (receipt, appended). ``session``: the voter's login session token
        (``Authorization: Voter``), required when the election has ``voter_login`` (bulletin_board/voter_login.py)."""

        def prepare(state: ElectionState, conn):
            if state.context is None:
                raise Refused(409, "election_not_open", None, f"the election is not open for ballots (phase {state.phase!r})")
            login = voter_login.signed_in(conn, election_id, session) if state.definition.voter_login is not None else None
            if not rules_voting.ballot_in_window(state.schedule, self.log.clock()):
                raise ballot_rules.outside_window(state.schedule)
            return state.definition, state.context, login, state.schedule

        definition, context, login, schedule = self._with_state(election_id, prepare)
        try:
            submission = parse_submission(payload, definition.manifest)
        except VotingError as exc:
            raise refusal_from(exc) from None
        with closing.ballot_check(self.log, election_id) as in_flight:
            # Only an admitted ballot has its proofs checked; for one that is not, the hook returns the first
            # receipt of an identical resubmission and refuses anything else.
            if in_flight.refusal is None:
                try:
                    check_submission(submission, election_id, definition.manifest, context, style_signed=definition.styles_bound)
                except VotingError as exc:
                    raise refusal_from(exc) from None
            hook = ballot_rules.ballot_hook(submission, definition.revote_rule, self.limits, in_flight, login, schedule)
            result = self.log.append(election_id, submission.kind, payload, check=hook)
            in_flight.appended = result.appended
        # the receipt is about the tree that ends with this ballot, so a resubmission gets the same one
        receipt = ballot_rules.receipt(self.log, election_id, result.seq, result.seq + 1, submission.ballot.confirmation_code)
        return receipt, result.appended


def _mix_progress(state: ElectionState) -> dict[str, Any] | None:
    """Per contest with a counting method (record-format §12): its rows and who has mixed it, in order; None
    when the manifest has no such contest."""
    contests = mx.counting_contests(state.definition.manifest)
    if not contests:
        return None
    progress: dict[str, Any] = {"needed": state.definition.k, "contests": []}
    for contest in contests:
        given = state.mix_inputs.get(contest.label)
        progress["contests"].append({
            "contest": contest.label,
            "rows": None if given is None else len(given.rows),
            "mixed_by": [m.guardian for m in state.mixes.get(contest.label, [])],
        })  # fmt: skip
    return progress


def _stored_ballots(conn, election_id: str) -> Iterator[tuple[int, str, dict]]:
    """The election's ballot entries (seq, kind, payload) in increasing seq, streamed."""
    rows = conn.execute(
        select(entries.c.seq, entries.c.kind, entries.c.payload)
        .where(entries.c.election_id == election_id)
        .where(entries.c.kind.in_(BALLOT_KINDS))
        .order_by(entries.c.seq)
        .execution_options(yield_per=200)
    )
    return ((seq, kind, json.loads(payload)) for seq, kind, payload in rows)


def _cancelled(conn, election_id: str) -> dict[str, str] | None:
    """The cancel's reason and time (its entry's received_at, UTC) for the context."""
    row = conn.execute(
        select(entries.c.payload, entries.c.received_at).where(entries.c.election_id == election_id)
        .where(entries.c.kind == CANCELLED).order_by(entries.c.seq.desc()).limit(1)
    ).first()  # fmt: skip
    if row is None:
        return None
    return {"reason": json.loads(row.payload)["reason"], "at": format_time(row.received_at)}


def _revoke(connection, election_id: str, keys: list[str]) -> None:
    connection.execute(update(credentials).where(credentials.c.election_id == election_id)
                       .where(credentials.c.public_key.in_(keys)).values(revoked=True))
