"""Section L: every entry was allowed when the board appended it (docs/record-format.md §8).

The rules are the verifier's own table (:mod:`voting.verifier.rules`), written from the record format and
independent of the board's engine: the record's control entries are replayed through it in seq order, each
ballot run in its place (ballot runs carry no payloads: the credentials that cast before a registrar.replaced,
which its rule needs, come from the reader's counting). An entry the rules refuse is reported, with the rule's reason, and left out of the
replay, as the board would have refused it; later entries that needed it are then refused too, each reported
in its own step.
"""

from __future__ import annotations

from typing import Callable, Iterator

from ...errors import VotingError
from ...record.mixing import rows_digest
from ...record.registrar import REPLACED
from ..findings import Finding, failed, not_applicable, passed
from ..model import CannotRun, DoesNotApplyYet, ElectionRecord, require
from ..model_evote import BallotRun, ControlEntry, CountedBallots
from ..rules import RULES, EntryFacts, Observed, RuleBroken, apply_rule
from ..rules.chunks import is_chunked
from ..rules.table import open_trustee_entry, signed_by_trustee, whole_payload
from ..rules.voting_period import ballots_in_window
from .mix_parts import counted_rows, manifest_of, parts_of, shuffle_checker

WHEN_ABSENT = {
    "L.2": "the record has no trustee entry",
    "L.3": "the record has no key ceremony entry",
    "L.4": "the key ceremony has no result yet",
    "L.5": "the record has no credential list, opening or closing entry",
    "L.6": "the record has no ballot entry",
    "L.7": "the election has not been tallied yet",
    "L.8": "no decryption round failed",
    "L.9": "the decryption has no result yet",
    "L.10": "the record has no chunked entry",
    "L.11": "the record has no mix entry",
}


def l_election_rules(record: ElectionRecord) -> Iterator[Finding]:
    """Section L (The election's rules), the replay of the record's entries through the board's rules.

    (L.1) The first entry is election.created and defines the election the record is of (its election_id):
    a valid manifest, the standard parameters, 1 ≤ k ≤ n trustees with distinct identity keys, a revoting
    rule, and H_P, H_M, H_B as recomputed (record-format §8.2); nothing comes before it.
    (L.2) Every trustee entry is signed by the identity key registered for its trustee in election.created:
    Ed25519 over "evote/trustee-message/v1" ∥ 0x00 ∥ b(len(id), 4) ∥ id ∥ b(len(kind), 4) ∥ kind ∥ RFC8785(body),
    with body.guardian the signer (§8.1).
    (L.3) The key ceremony's messages come in order, once per trustee: commitments (with their Schnorr proofs,
    SPEC §3.2.2), then shares once every commitment is posted, then checks once every share is posted; a
    share is revealed only against an open complaint; each confirmation names the keygen.result entry and
    its H_E.
    (L.4) keygen.result is the outcome anyone recomputes from the record: the complaints adjudicated with
    the revealed shares (SPEC §3.2.2), and when no trustee is faulty K = ∏ K_i (eq. 8) and H_E (eq. 23).
    (L.5) Credentials are published and revoked only before the election opens, each listed once and sorted;
    in an election that names a registrar only its entries signed by its key list, revoke or replace
    credentials, within its roll commitment, and a replaced credential cast no ballot (record-format §11);
    the election opens only after every trustee confirmed the key, with at least one credential, and closes
    only while open; with a schedule (election.created's, or election.scheduled before opening), it opens no
    earlier than opens_at and closes no earlier than closes_at by the entries' received_at, and an
    election.extended only moves closes_at later, while open, before it has come; election.cancelled comes
    before tally.encrypted and nothing follows it.
    (L.6) Ballot entries are appended only while the election is open, and, with a schedule, received inside
    [opens_at, closes_at).
    (L.7) tally.encrypted comes after closing and names challenged ballots by seq and confirmation code;
    decryption shares come from trustees not excluded, once per round; each decryption.challenge is M and c
    recomputed from the round's shares with at least k of them (SPEC eqs. 67-72); responses come from the
    round's trustees, once.
    (L.8) Every decryption.failed names only trustees of the round whose response is missing or fails SPEC
    eqs. 74-75; they are excluded from the next round.
    (L.9) tally.result is what the last round's shares and responses assemble to: every response verified
    (eqs. 74-75), v = Σ v_i (eq. 76), t with T = K^t, and the challenged ballots' selections and contest
    data.
    (L.10) Every chunk is posted the way its entry is (the administrator's, or a trustee's signed message), for a
    kind its poster may chunk, part 0, 1, ... of its poster's unused chunks of that kind, data canonical base64
    of 1 to 700,000 bytes; a chunked entry names exactly its poster's unused chunks of its kind in order, which
    put together are its RFC 8785 payload with the stated length and SHA-256, and then its own rule applies to
    that payload (record-format §13).
    (L.11) mix.input comes after the close and before tally.encrypted, once per contest with counting, holding
    the counted ballots' rows (M.1); each mix.shuffled comes next in its contest's cascade, by a trustee that
    has not mixed the contest, names the digest of the previous output and has a valid proof of shuffle (M.2);
    tally.encrypted waits for every contest's mix input and, for N >= 1 rows, k mixes (record-format §12.2-12.3).

    A step with no entry of its kinds in the record does not apply, and says so.
    """
    parts = require(record.evote, "evote election entries")
    state = Observed(shuffle_check=shuffle_checker(parts).check)
    reported: set[str] = set()
    first_cast = parts.counting.first_cast if isinstance(parts.counting, CountedBallots) else {}
    for event in parts.events:
        if isinstance(event, ControlEntry) and event.kind == REPLACED:  # the rule needs who cast before it
            state.cast_by = {credential.hex().upper() for credential, seq in first_cast.items() if seq < event.seq}
        for finding in _replay(state, event, parts, _mix_rows(record)):
            reported.add(finding.check)
            yield finding
    if "L.1" not in reported:
        yield failed("L.1", "election", "the record has no entries", "entries.jsonl")
    phase = state.phase
    for step, reason in WHEN_ABSENT.items():
        if step in reported:
            continue
        if state.definition is None:  # nothing could be checked against an election that is not defined
            yield failed(step, "election", "not verified: the record defines no election (L.1)", "entries.jsonl")
        else:
            yield not_applicable(step, "election", f"{reason} (the election's phase at the end of the record: {phase})")


def _mix_rows(record: ElectionRecord) -> Callable[[str], tuple]:
    """What a contest's mix.input must hold, from the verifier's own counting (M.1's reading): (seqs, D(rows))."""

    def rows_of(label: str) -> tuple:
        try:
            seqs, rows = counted_rows(parts_of(record), manifest_of(record))[label]
        except (CannotRun, DoesNotApplyYet) as exc:
            raise RuleBroken("payload", f"the counted ballots' rows cannot be read: {exc.reason}") from None
        except KeyError:
            raise RuleBroken("contest", f"{label!r} is not a contest with counting") from None
        return seqs, rows_digest(rows)

    return rows_of


def _replay(state: Observed, event, parts, mix_rows) -> Iterator[Finding]:
    if isinstance(event, BallotRun):
        yield from _ballots(state, event)
        return
    entry: ControlEntry = event
    subject = f"entry seq {entry.seq} ({entry.kind})"
    where = f"entries.jsonl: seq {entry.seq}"
    rule = RULES.get(entry.kind)
    if rule is None:
        return  # not an entry kind of evote elections: B.4 reports it
    if state.definition is None and entry.kind != "election.created":
        yield failed(rule.step, subject, "not allowed: the election is not defined (L.1: election.created comes first)", where)
        return
    payload = entry.written if entry.written is not None else entry.payload
    if is_chunked(payload):
        try:
            payload = whole_payload(state, entry.kind, payload)
        except VotingError as exc:
            yield failed("L.10", subject, f"refused by the rules: {exc}", where)
            return
        yield passed("L.10", subject, "put together from its chunks", where)
    if signed_by_trustee(rule, payload):
        try:
            open_trustee_entry(state, entry.kind, payload)
        except VotingError as exc:
            yield failed("L.2", subject, f"refused: {exc}", where)
            return
        yield passed("L.2", subject, origin=where)
    try:
        facts = EntryFacts(entry.entry_hash, parts.ballot_payload_at, entry.received_at, entry.seq, mix_rows)
        apply_rule(state, entry.kind, payload, facts)
    except RuleBroken as exc:
        yield failed(rule.step, subject, f"refused by the rules: {exc.reason}", f"{where}: {exc.field}")
        return
    except VotingError as exc:  # a value the record format does not allow (field and reason)
        yield failed(rule.step, subject, f"refused by the rules: {exc}", where)
        return
    except (ValueError, TypeError, KeyError, IndexError, ArithmeticError) as exc:  # a value the rules could not use
        yield failed(rule.step, subject, f"refused by the rules: {type(exc).__name__}: {exc}", where)
        return
    if entry.kind == "election.created" and state.election.election_id != parts.election_id:
        yield failed(
            "L.1", subject, "election.created defines another election than the record's", where,
            expected=parts.election_id, found=state.election.election_id,
        )  # fmt: skip
        return
    yield passed(rule.step, subject, f"allowed; the election is now {state.phase}", where)


def _ballots(state: Observed, run: BallotRun) -> Iterator[Finding]:
    subject = f"ballot entries seq {run.first_seq}-{run.last_seq}" if run.count > 1 else f"ballot entry seq {run.first_seq}"
    where = f"entries.jsonl: seq {run.first_seq}"
    if state.definition is None:
        yield failed("L.6", subject, "not allowed: the election is not defined (L.1)", where)
        return
    try:
        apply_rule(state, "ballot.cast", None, EntryFacts(b"", _no_ballot))  # ballots change nothing; the rule is the phase
    except RuleBroken as exc:
        yield failed("L.6", subject, f"refused by the rules: {exc.reason}", where, found=f"{run.count} ballot entries")
        return
    if not ballots_in_window(state, run.first_received_at, run.last_received_at):
        window = state.schedule.to_json()
        yield failed("L.6", subject, "received outside the schedule's voting window, by the board's own clock", where,
                     expected=f"from {window['opens_at']} until {window['closes_at']}",
                     found=f"received_at {run.first_received_at} to {run.last_received_at} (microseconds)")
        return
    yield passed("L.6", subject, f"{run.count} ballot entries while the election is open"
                 + (", inside the schedule's window" if state.schedule is not None else ""), where)


def _no_ballot(seq: int):
    raise KeyError(seq)
