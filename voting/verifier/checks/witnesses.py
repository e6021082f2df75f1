"""Section W: the checkpoints a verification relies on are witnessed, and the trust anchors hold (issue 16).

Only with a witness policy (``--witness KEY``..., ``--witness-quorum K``, or ``--anchors FILE``): the
checklist then has section W after B, and its steps must report like any other. Without a policy the
checklist is unchanged. Cosignatures are read by :mod:`voting.verifier.witnesses`; the anchors' findings are
:func:`voting.verifier.anchors.anchor_findings`, shared with the receipt check (W.2, W.3 in
:mod:`voting.verifier.receipt`).
"""

from __future__ import annotations

from typing import Generator, Iterator

from bulletin_board.log_format.checkpoint import election_origin, parse_checkpoint
from bulletin_board.log_format.cosignature import add_signature_lines
from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.note import NoteVerifier, parse_note

from ..anchors import ClientTrust, anchor_findings, registrar_in, trustees_of
from ..findings import Finding, failed, passed
from ..model import CannotRun, ElectionRecord, Unreadable, require
from ..model_evote import BoardExport, EvoteParts
from ..readers.evote_cosigned import CHECKPOINTS
from ..witnesses import Assessment, assess, describe

CHECKPOINT = "checkpoint.txt"


def _parts(record: ElectionRecord) -> tuple[EvoteParts, ClientTrust]:
    parts = require(record.evote, "evote board export")
    if parts.trust is None:
        raise CannotRun("no witness policy was given (section W runs only with --witness or --anchors)")
    return parts, parts.trust


def w1_checkpoint_cosigned(record: ElectionRecord) -> Iterator[Finding]:
    """Section W (Witnesses and trust anchors), the checkpoints the verification relies on.

    (W.1) The checkpoint the verification relies on — the export's final checkpoint (checkpoint.txt, with the
    cosignatures the export's checkpoints.jsonl holds for the same checkpoint), the board's cosigned
    checkpoint of the size read (a board URL), and with --since the saved checkpoint too — carries at least
    k valid cosignature/v1 lines (C2SP tlog-cosignature) by distinct witnesses of the policy, each over
    exactly that checkpoint's body, none dated in the future beyond the allowed skew; the finding names who
    cosigned and when, and who is missing and why (bad signature, a key the policy does not list, absent).
    """
    parts, trust = _parts(record)
    export = parts.export
    note = require(export.checkpoint, "checkpoint")
    board_keys = _board_keys(export)
    lines, problem = _export_cosignatures(export, note)
    if problem:
        yield failed("W.1", "cosigned checkpoints", problem, CHECKPOINTS)
    where = export.cosigned_origin or CHECKPOINT
    final = yield from _witnessed("checkpoint", lines, trust, board_keys, where)
    if final is not None and not final.met and isinstance(export.cosigned, tuple):
        best = _largest_witnessed(export.cosigned, trust, board_keys)
        if best:
            yield failed("W.1", "checkpoint", f"the export's largest checkpoint with the quorum is of size {best}: the "
                         "entries after it are not witnessed", CHECKPOINTS)
    if parts.saved is not None:
        yield from _witnessed("saved checkpoint", parts.saved.note, trust, board_keys, parts.saved.origin)


def _witnessed(label: str, note: str, trust: ClientTrust, board_keys: tuple[NoteVerifier, ...],
               where: str) -> Generator[Finding, None, Assessment | None]:
    try:
        size = parse_checkpoint(parse_note(note).text).size
        assessment = assess(note, trust.policy, board_keys, trust.now, trust.skew)
    except BoardError as exc:
        yield failed("W.1", label, f"the checkpoint cannot be read: {exc}", where)
        return None
    subject = f"{label} of size {size}"
    for status in assessment.future:
        yield failed("W.1", subject, f"the cosignature by {status.witness.name} is dated in the future: {status.problem}",
                     where)
    if assessment.met:
        yield passed("W.1", subject, describe(assessment), where)
    else:
        yield failed("W.1", subject, "the checkpoint lacks the witness quorum: it may be a view of the log shown to "
                     "this reader only (a split view)", where,
                     expected=f"{trust.policy.quorum} valid cosignatures by distinct witnesses of the policy "
                     f"({trust.policy.describe()}, from {trust.source})", found=describe(assessment))
    return assessment


def _board_keys(export: BoardExport) -> tuple[NoteVerifier, ...]:
    """The board's keys, whose signature lines are not cosignatures (the given one and the record's own)."""
    keys = []
    for text in (export.trusted_key, export.board_key.get("verifier_key") if isinstance(export.board_key, dict) else None):
        try:
            keys.append(NoteVerifier.from_string(text))
        except BoardError:
            continue
    return tuple(keys)


def relied_on_note(export: BoardExport) -> str | None:
    """The final checkpoint with every cosignature the export holds for it (what --save-checkpoint keeps)."""
    return None if isinstance(export.checkpoint, Unreadable) else _export_cosignatures(export, export.checkpoint)[0]


def _export_cosignatures(export: BoardExport, note: str) -> tuple[str, str]:
    """checkpoint.txt with the signature lines of every checkpoints.jsonl note of the same body; a problem."""
    cosigned = export.cosigned
    if cosigned is None:
        return note, ""
    if isinstance(cosigned, Unreadable):
        return note, f"{CHECKPOINTS} cannot be read: {cosigned}"
    try:
        body = parse_note(note).text
    except BoardError:
        return note, ""  # W.1 says the checkpoint cannot be read
    merged = note
    for other in cosigned:
        try:
            if parse_note(other).text == body:
                merged = add_signature_lines(merged, other[other.rfind("\n\n") + 2:])
        except BoardError as exc:
            return merged, f"a note of {CHECKPOINTS} for this checkpoint cannot be read: {exc}"
    return merged, ""


def _largest_witnessed(notes: tuple[str, ...], trust: ClientTrust, board_keys: tuple[NoteVerifier, ...]) -> int | None:
    best = None
    for note in notes:
        try:
            size = parse_checkpoint(parse_note(note).text).size
            if (best is None or size > best) and assess(note, trust.policy, board_keys, trust.now, trust.skew).met:
                best = size
        except BoardError:
            continue
    return best


def w2_trust_anchors(record: ElectionRecord) -> Iterator[Finding]:
    """Section W (Witnesses and trust anchors), the trust anchors.

    (W.2) With --anchors: the anchors are signed by the board key they name, have the fingerprint given
    (--anchors-fingerprint), name the key that signs the record (board-key.json) and the record's origin
    <board_origin>/elections/<id>, and their trustee lines are exactly the identity keys of election.created's
    trustees (lowercase hex), their registrar line (if any) exactly election.created's registrar key (an election
    with a registrar needs the line); the booth's code hash they name is reported (the verifier cannot see the booth).
    Without anchors this step does not apply.
    """
    parts, trust = _parts(record)
    key = parts.export.board_key
    signed_by: NoteVerifier | None = None
    origin: str | None = None
    if isinstance(key, dict):
        try:
            signed_by = NoteVerifier.from_string(key.get("verifier_key"))
        except BoardError:
            signed_by = None
        try:
            origin = election_origin(key.get("board_origin"), parts.election_id)
        except BoardError:
            origin = None
    created = parts.first("election.created")
    trustees = trustees_of(created.payload) if created is not None else "the record has no election.created"
    registrar = registrar_in(created.payload) if created is not None else None
    yield from anchor_findings(trust, signed_by, origin, trustees, "board-key.json; entries.jsonl seq 0 (election.created)", registrar)

