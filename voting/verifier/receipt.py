"""A voter's receipt against the board: is my ballot there, where the receipt says, for good?

A receipt (docs/record-format.md §9) names the ballot's entry (seq, kind, entry_hash, confirmation code),
carries a signed checkpoint that covers it and the inclusion proof from the entry to that checkpoint's root.
Checked against the board the voter names (``evote-verify receipt RECEIPT.json --board URL``):

* (R.1) the receipt's checkpoint is signed by the board's key for the election's origin;
* (R.2) the inclusion proof links the entry to that checkpoint's root (RFC 9162 §2.1.3.2);
* (R.3) the board serves, at that seq, an entry whose hash recomputed from its fields is the receipt's,
  of the receipt's kind and confirmation code, and its current checkpoint includes it;
* (R.4) the board's current checkpoint is an append-only extension of the receipt's (RFC 9162 §2.1.4.2):
  the board has not rewritten the history the voter was shown.

With a witness policy (``--witness``/``--anchors``, :mod:`.anchors`), section W too:

* (W.2) the trust anchors hold (:func:`~voting.verifier.anchors.anchor_findings`): signed by the board key
  they name, the fingerprint given, the receipt's board key and origin, and the trustees of the election's
  ``election.created`` as the board serves it at seq 0 (its inclusion in the receipt's checkpoint checked);
* (W.3) the receipt's checkpoint is cosigned by the quorum, or the board (or mirror) serves a later
  checkpoint cosigned by the quorum and a consistency proof from the receipt's checkpoint to it, which
  verifies. A receipt whose only checkpoint lacks the quorum fails: it is never shown as witnessed.

Each check yields one :class:`~voting.verifier.findings.Finding` (sections R and W) with its evidence; a
check that cannot run fails.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import rfc8785

from bulletin_board.log_format.checkpoint import election_origin, parse_checkpoint, verify_checkpoint
from bulletin_board.log_format.client import BoardClient, BoardClientError
from bulletin_board.log_format.client_checks import check_entry_included, check_log_extends
from bulletin_board.log_format.entry import check_election_id, check_kind, compute_entry_hash
from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.merkle_hash import leaf_hash
from bulletin_board.log_format.merkle_verify import verify_inclusion
from bulletin_board.log_format.note import NoteVerifier, parse_note

from ..encoding import hex_bytes, parse_digest
from .anchors import ClientTrust, anchor_findings, registrar_in, trustees_of
from .findings import Finding, failed, passed
from .model import RecordUnreadable
from .readers.files import DEFAULT_LIMITS, FileRefused, parse_json, read_given
from .witnesses import assess, describe

STEPS = {
    "R.1": "the receipt's checkpoint is signed by the board's key for the election",
    "R.2": "the inclusion proof links the ballot's entry to the receipt's checkpoint",
    "R.3": "the board serves the ballot at that seq, and its current checkpoint includes it",
    "R.4": "the board's current checkpoint extends the receipt's (no rewritten history)",
}
WITNESS_STEPS = {
    "W.2": "the trust anchors are signed by the board and name its key, origin and trustees",
    "W.3": "the receipt's checkpoint, or a later one the board proves extends it, is cosigned by the witness quorum",
}


class BoardUnreachable(Exception):
    """The board could not be asked at all (the command exits 2)."""


@dataclass(frozen=True)
class Receipt:
    election_id: str
    seq: int
    kind: str
    entry_hash: bytes
    confirmation_code: str
    checkpoint: str
    leaf_index: int
    tree_size: int
    hashes: tuple[bytes, ...]
    board: dict[str, Any]


def read_receipt(path: str | Path, limit: int = DEFAULT_LIMITS.small) -> Receipt:
    """A receipt file: the receipt object, or the board's answer ``{"receipt": ...}``; raises RecordUnreadable.

    Read like a record's files (:mod:`.readers.files`): a regular file (or a link to one, wherever: the
    observer named it), at most ``limit`` bytes; a named pipe, a device or a directory is refused unread.
    """
    try:
        data = parse_json(read_given(path, limit, "a receipt"))
    except FileRefused as exc:
        raise RecordUnreadable(f"{path}: {exc.reason}") from None
    except ValueError as exc:
        raise RecordUnreadable(f"the receipt {path} is not JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("receipt"), dict):
        data = data["receipt"]
    try:
        proof = data["inclusion_proof"]
        return Receipt(
            election_id=check_election_id(data["election_id"]),
            seq=_integer(data["seq"]),
            kind=check_kind(data["kind"]),
            entry_hash=parse_digest(data["entry_hash"], "entry_hash"),
            confirmation_code=_text(data["confirmation_code"]),
            checkpoint=_text(data["checkpoint"]),
            leaf_index=_integer(proof["leaf_index"]),
            tree_size=_integer(proof["tree_size"]),
            hashes=tuple(parse_digest(h, "inclusion_proof.hashes") for h in proof["hashes"]),
            board=dict(data["board"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordUnreadable(f"{path} is not an evote receipt: {type(exc).__name__}: {exc}") from None


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, found {type(value).__name__}")
    return value


def _integer(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError(f"expected a non-negative integer, found {value!r}")
    return value


class _Board:
    """The few board requests a receipt check makes; unreachable boards raise :class:`BoardUnreachable`."""

    def __init__(self, url: str):
        try:
            self.client = BoardClient(url, retries=1)
        except BoardClientError as exc:
            raise BoardUnreachable(str(exc)) from None
        self.url = url

    def get(self, path: str) -> Any:
        try:
            return self.client.get(path)
        except BoardClientError as exc:
            if exc.status is None:
                raise BoardUnreachable(str(exc)) from None
            raise


def verify_receipt(
    receipt: Receipt, board_url: str, *, board_key: str | None = None, trust: ClientTrust | None = None,
    key_source: str = "--board-key",
) -> list[Finding]:
    """R.1-R.4 against the board at ``board_url``; ``board_key`` (a verifier key) overrides the board's own;
    with ``trust`` (a witness policy, perhaps from trust anchors) W.2 and W.3 too."""
    board = _Board(board_url)
    try:
        info = board.get("/board")
        trusted = NoteVerifier.from_string(board_key or info.get("verifier_key"))
        if trust is not None and trust.anchors is not None:
            origin = trust.anchors.origin  # the anchors name the origin; R.1 compares the receipt's with it
        else:
            origin = election_origin(info.get("origin"), receipt.election_id)
    except (BoardError, BoardClientError, AttributeError, TypeError, ValueError) as exc:
        # the board's own description is unusable: no check can run, so the receipt is not verified
        return [failed("R.1", "board", f"the board's description (/api/v1/board) cannot be used: {type(exc).__name__}: {exc}")]
    source = key_source if board_key else f"published by the board at {board_url.rstrip('/')}/api/v1/board"
    election = urllib.parse.quote(receipt.election_id, safe="")
    findings: list[Finding] = []
    for step in (_r1_signed, _r2_included, _r3_on_board, _r4_consistent):
        findings.extend(_run(step, receipt, board, trusted, source, origin, election))
    if trust is not None:
        findings.extend(_run(_w2_anchors, receipt, board, trusted, trust, origin, election))
        findings.extend(_run(_w3_witnessed, receipt, board, trusted, trust, origin, election))
    return findings


def steps_for(trust: ClientTrust | None) -> dict[str, str]:
    """The checks a receipt verification must report on: R.1-R.4, and W.2-W.3 under a witness policy."""
    return STEPS | WITNESS_STEPS if trust is not None else dict(STEPS)


def _run(step: Callable[..., Iterator[Finding]], *args) -> Iterator[Finding]:
    check = f"{step.__name__[1].upper()}.{step.__name__[2]}"
    try:
        yield from step(*args)
    except BoardUnreachable:
        raise
    except (BoardError, BoardClientError, KeyError, TypeError, ValueError) as exc:
        yield failed(check, "receipt", f"cannot be verified: {type(exc).__name__}: {exc}")


def _r1_signed(receipt: Receipt, board, trusted: NoteVerifier, source: str, origin: str, election: str) -> Iterator[Finding]:
    subject = f"checkpoint of size {receipt.tree_size}"
    named = (receipt.board.get("key_name"), receipt.board.get("public_key"))
    if named != (trusted.name, trusted.public_key.hex().upper()):
        yield failed(
            "R.1", subject, "the receipt names another board key than the board's", "receipt: board",
            expected=f"{trusted.name} {trusted.public_key.hex().upper()} ({source})", found=f"{named[0]} {named[1]}",
        )  # fmt: skip
        return
    named_origin = receipt.board.get("origin")
    if f"{named_origin}/elections/{receipt.election_id}" != origin:
        yield failed("R.1", subject, "the receipt names another board origin than the board's", "receipt: board.origin",
                     expected=origin.rsplit("/elections/", 1)[0], found=str(named_origin))  # fmt: skip
        return
    try:
        signed = verify_checkpoint(receipt.checkpoint, [trusted], origin=origin)
    except BoardError as exc:
        yield failed(
            "R.1", subject, f"the receipt's checkpoint does not verify under the board's key: {exc}", "receipt: checkpoint"
        )
        return
    if signed.size != receipt.tree_size:
        yield failed(
            "R.1",
            subject,
            "the inclusion proof is for another tree size than the checkpoint's",
            expected=signed.size,
            found=receipt.tree_size,
        )
        return
    yield passed("R.1", subject, f"signed by {trusted.name}+{trusted.key_id.hex()} ({source}) for {origin}")


def _r2_included(receipt: Receipt, board, trusted, source, origin: str, election: str) -> Iterator[Finding]:
    subject = f"entry seq {receipt.seq}"
    if receipt.leaf_index != receipt.seq:
        yield failed(
            "R.2",
            subject,
            "the inclusion proof is for another position than the receipt's seq",
            expected=receipt.seq,
            found=receipt.leaf_index,
        )
        return
    root = parse_checkpoint(parse_note(receipt.checkpoint).text).root
    try:
        verify_inclusion(receipt.seq, receipt.tree_size, leaf_hash(receipt.entry_hash), list(receipt.hashes), root)
    except BoardError as exc:
        yield failed(
            "R.2", subject, f"the inclusion proof does not verify: {exc}", "receipt: inclusion_proof",
            expected=f"root {hex_bytes(root)}", found="proof " + " ".join(hex_bytes(h) for h in receipt.hashes),
        )  # fmt: skip
        return
    yield passed(
        "R.2",
        subject,
        f"entry hash {hex_bytes(receipt.entry_hash)} is leaf {receipt.seq} of the tree of size {receipt.tree_size}",
    )


def _r3_on_board(receipt: Receipt, board, trusted: NoteVerifier, source, origin: str, election: str) -> Iterator[Finding]:
    subject = f"entry seq {receipt.seq}"
    try:
        item = board.get(f"/elections/{election}/entries/{receipt.seq}")
    except BoardClientError as exc:
        yield failed("R.3", subject, f"the board does not serve an entry at this seq: {exc}")
        return
    payload = rfc8785.dumps(item["payload"])
    computed = compute_entry_hash(item["seq"], bytes.fromhex(item["prev_hash"]), item["kind"], item["received_at"], payload)
    code = (item["payload"].get("ballot") or {}).get("confirmation_code") if isinstance(item["payload"], dict) else None
    found = (item["seq"], item["kind"], computed, code)
    expected = (receipt.seq, receipt.kind, receipt.entry_hash, receipt.confirmation_code)
    if found != expected:
        yield failed(
            "R.3", subject, "the entry the board serves at this seq is not the receipt's ballot", f"{board.url}: entries/{receipt.seq}",
            expected=f"seq {expected[0]}, {expected[1]}, entry hash {hex_bytes(expected[2])}, code {expected[3]}",
            found=f"seq {found[0]}, {found[1]}, entry hash {hex_bytes(found[2])}, code {found[3]}",
        )  # fmt: skip
        return
    current = board.get(f"/elections/{election}/checkpoint")
    now = verify_checkpoint(current["note"], [trusted], origin=origin)
    proof = board.get(f"/elections/{election}/entries/{receipt.seq}/inclusion?size={now.size}")
    try:
        check_entry_included(
            current["note"], [trusted], origin, receipt.seq, computed, [bytes.fromhex(h) for h in proof["proof"]]
        )
    except BoardError as exc:
        yield failed("R.3", subject, f"the board's current checkpoint (size {now.size}) does not include the entry: {exc}")
        return
    yield passed(
        "R.3",
        subject,
        f"the board serves the ballot {receipt.confirmation_code[:16]}… here, in its current tree of size {now.size}",
    )


def _r4_consistent(receipt: Receipt, board, trusted: NoteVerifier, source, origin: str, election: str) -> Iterator[Finding]:
    subject = "board history"
    current = board.get(f"/elections/{election}/checkpoint")
    old = parse_checkpoint(parse_note(receipt.checkpoint).text)
    new = verify_checkpoint(current["note"], [trusted], origin=origin)
    proof: list[bytes] = []
    try:
        if old.size <= new.size:
            answer = board.get(f"/elections/{election}/consistency?old={old.size}&new={new.size}")
            proof = [bytes.fromhex(h) for h in answer["proof"]]
        check_log_extends(receipt.checkpoint, current["note"], [trusted], origin, proof)
    except (BoardError, BoardClientError) as exc:
        shown = "\n".join(hex_bytes(h) for h in proof) or "(empty)"
        yield failed(
            "R.4", subject, f"the board's current log is not an extension of the one on the receipt: {exc}", board.url,
            expected=f"receipt's checkpoint:\n{receipt.checkpoint}",
            found=f"board's current checkpoint:\n{current['note']}\nconsistency proof from {old.size} to {new.size}:\n{shown}",
        )  # fmt: skip
        return
    yield passed(
        "R.4", subject, f"the board's log of {new.size} entries extends the receipt's of {old.size} ({len(proof)}-hash proof)"
    )


def _w2_anchors(receipt: Receipt, board, trusted: NoteVerifier, trust: ClientTrust, origin: str,
                election: str) -> Iterator[Finding]:
    named = receipt.board.get("origin")
    found_origin = f"{named}/elections/{receipt.election_id}" if isinstance(named, str) else None
    created = _created_on_board(receipt, board, election)
    trustees = trustees_of(created) if isinstance(created, dict) else created
    registrar = registrar_in(created) if isinstance(created, dict) else None
    yield from anchor_findings(trust, trusted, found_origin, trustees,
                               f"{board.url}: the receipt's board, election.created at seq 0", registrar)


def _created_on_board(receipt: Receipt, board, election: str) -> dict | str:
    """election.created's payload as the board serves it, the entry checked to be leaf 0 of the receipt's
    checkpoint (so that the board cannot show this voter other trustees or registrar than the log holds); or
    why it cannot be used."""
    try:
        item = board.get(f"/elections/{election}/entries/0")
        proof = board.get(f"/elections/{election}/entries/0/inclusion?size={receipt.tree_size}")
        computed = compute_entry_hash(0, bytes.fromhex(item["prev_hash"]), item["kind"], item["received_at"],
                                      rfc8785.dumps(item["payload"]))
        root = parse_checkpoint(parse_note(receipt.checkpoint).text).root
        verify_inclusion(0, receipt.tree_size, leaf_hash(computed), [bytes.fromhex(h) for h in proof["proof"]], root)
    except (BoardError, BoardClientError, KeyError, TypeError, ValueError) as exc:
        return f"the board's entry 0 cannot be checked against the receipt's checkpoint: {type(exc).__name__}: {exc}"
    if item["kind"] != "election.created":
        return f"the board's entry 0 is {item['kind']!r}, not election.created"
    payload = item["payload"]
    return payload if isinstance(payload, dict) else "the board's election.created payload is not an object"


def _w3_witnessed(receipt: Receipt, board, trusted: NoteVerifier, trust: ClientTrust, origin: str,
                  election: str) -> Iterator[Finding]:
    policy, keys = trust.policy, (trusted,)
    subject = f"checkpoint of size {receipt.tree_size}"
    own = assess(receipt.checkpoint, policy, keys, trust.now, trust.skew)
    for status in own.future:
        yield failed("W.3", subject, f"the cosignature by {status.witness.name} is dated in the future: {status.problem}",
                     "receipt: checkpoint")
    if own.met:
        yield passed("W.3", subject, f"the receipt's checkpoint: {describe(own)}", "receipt: checkpoint")
        return
    required = f"{policy.quorum} valid cosignatures by distinct witnesses ({policy.describe()}, from {trust.source})"
    try:
        answer = board.get(f"/elections/{election}/checkpoint/cosigned?min_size={receipt.tree_size}")
        note = answer["note"]
    except BoardClientError as exc:
        yield failed("W.3", subject, "the receipt's checkpoint lacks the witness quorum, and the board serves no cosigned "
                     f"checkpoint covering it ({exc}): this receipt is not witnessed", "receipt: checkpoint",
                     expected=required, found=describe(own))
        return
    later = verify_checkpoint(note, [trusted], origin=origin)
    witnessed = assess(note, policy, keys, trust.now, trust.skew)
    where = f"{board.url}: checkpoint/cosigned"
    for status in witnessed.future:
        yield failed("W.3", subject, f"the cosignature by {status.witness.name} on the board's cosigned checkpoint is "
                     f"dated in the future: {status.problem}", where)
    if not witnessed.met:
        yield failed("W.3", subject, f"neither the receipt's checkpoint nor the board's cosigned checkpoint (size "
                     f"{later.size}) has the witness quorum: this receipt is not witnessed", where, expected=required,
                     found=f"receipt: {describe(own)}\nboard: {describe(witnessed)}")
        return
    proof: list[bytes] = []
    try:
        if later.size > receipt.tree_size:
            answer = board.get(f"/elections/{election}/consistency?old={receipt.tree_size}&new={later.size}")
            proof = [bytes.fromhex(h) for h in answer["proof"]]
        check_log_extends(receipt.checkpoint, note, [trusted], origin, proof)
    except (BoardError, BoardClientError) as exc:
        shown = "\n".join(hex_bytes(h) for h in proof) or "(empty)"
        yield failed("W.3", subject, f"the witnessed checkpoint is not an extension of the receipt's: {exc}; the voter "
                     "was shown a log the witnesses did not see (a split view)", where,
                     expected=f"receipt's checkpoint:\n{receipt.checkpoint}",
                     found=f"cosigned checkpoint:\n{note}\nconsistency proof from {receipt.tree_size} to {later.size}:\n{shown}")
        return
    yield passed("W.3", subject, f"the board's cosigned checkpoint of size {later.size} extends the receipt's "
                 f"({len(proof)}-hash consistency proof verified here): {describe(witnessed)}", where)
