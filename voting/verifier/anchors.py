"""What a client trusts instead of the board: a witness policy, and the election's trust anchors.

``evote-verify`` (records, board URLs, ``--since``, receipts) takes a policy from the command line
(``--witness KEY``..., ``--witness-quorum K``) or, as issue 16 asks, from the **trust anchors** published out
of band (``--anchors FILE``, optionally ``--anchors-fingerprint sha256:...`` from the voting card;
:mod:`bulletin_board.log_format.trust_anchors`). With anchors, the board's key, the election's origin and the
witness policy come from them: a ``--board-key`` or ``--witness`` that contradicts them is refused before
anything is read (:func:`read_trust`, exit 2). Whether the anchors hold — signed by the board key, the
fingerprint, the origin, the trustees' keys — is a finding (W.2, :func:`anchor_findings`), not an exit:
the record is verified and the report says what failed.

Without a policy nothing changes: :func:`read_trust` returns None and the checklist has no section W.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from bulletin_board.log_format.cosignature import CosignerKey
from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.note import NoteVerifier, open_note, parse_note
from bulletin_board.log_format.trust_anchors import TrustAnchors, fingerprint, parse_anchors
from bulletin_board.log_format.witness_policy import WitnessPolicy

from .findings import Finding, failed, not_applicable, passed, warning
from .model import RecordUnreadable
from .readers.files import DEFAULT_LIMITS, FileRefused, read_given
from .witnesses import SKEW_SECONDS

ANCHORS_OPTION = "--anchors"


@dataclass(frozen=True)
class ClientTrust:
    """The policy a verification requires, where it came from, and the anchors it came from (if any)."""

    policy: WitnessPolicy
    source: str  # "--witness" or "the trust anchors (FILE)"
    anchors: TrustAnchors | None = None
    anchors_note: str | None = None
    anchors_file: str = ""
    expected_fingerprint: str | None = None
    now: int = 0  # the verifier's clock (POSIX seconds), for cosignatures dated in the future
    skew: int = SKEW_SECONDS


def read_anchors(path: str | Path) -> tuple[str, TrustAnchors]:
    """The signed anchors note in ``path`` and its parsed text (no signature checked here: that is W.2);
    raises :class:`RecordUnreadable` when the file is not a trust-anchors note at all."""
    try:
        note = read_given(path, DEFAULT_LIMITS.small, "a trust-anchors file").decode("utf-8")
    except FileRefused as exc:
        raise RecordUnreadable(f"{ANCHORS_OPTION}: {path}: {exc.reason}") from None
    except UnicodeDecodeError:
        raise RecordUnreadable(f"{ANCHORS_OPTION}: {path} is not UTF-8 text") from None
    try:
        return note, parse_anchors(parse_note(note).text)
    except BoardError as exc:
        raise RecordUnreadable(f"{ANCHORS_OPTION}: {path} is not a signed trust-anchors note: {exc}") from None


def read_trust(
    witnesses: Iterable[str] = (),
    quorum: int | None = None,
    anchors_file: str | Path | None = None,
    anchors_fingerprint: str | None = None,
    board_key: str | None = None,
    *,
    now: int | None = None,
) -> tuple[ClientTrust | None, str | None]:
    """The policy of the command's options and the board key to require; raises :class:`RecordUnreadable`
    (exit 2) for options that cannot be used or contradict the anchors. (None, board_key) without a policy."""
    witnesses = tuple(witnesses)
    clock = int(time.time()) if now is None else now
    if anchors_file is None:
        if anchors_fingerprint is not None:
            raise RecordUnreadable("--anchors-fingerprint needs --anchors FILE")
        if not witnesses:
            if quorum is not None:
                raise RecordUnreadable("--witness-quorum needs --witness KEY (or --anchors FILE)")
            return None, board_key
        try:
            policy = WitnessPolicy.from_strings(witnesses, quorum)
        except BoardError as exc:
            raise RecordUnreadable(f"--witness / --witness-quorum: {exc}") from None
        return ClientTrust(policy, "--witness", now=clock), board_key
    note, anchors = read_anchors(anchors_file)
    if board_key is not None:
        try:
            given = NoteVerifier.from_string(board_key.strip())
        except BoardError as exc:
            raise RecordUnreadable(f"--board-key is not a verifier key: {exc}") from None
        if given not in anchors.board_keys:
            listed = ", ".join(k.to_string() for k in anchors.board_keys)
            raise RecordUnreadable(f"--board-key {given.to_string()} contradicts the trust anchors ({anchors_file}), "
                                   f"which name the board key {listed}")
    else:
        given = anchors.board_key
    for text in witnesses:
        try:
            key = _cosigner(text)
        except BoardError as exc:
            raise RecordUnreadable(f"--witness: {exc}") from None
        if key not in anchors.policy.witnesses:
            raise RecordUnreadable(f"--witness {key.to_string()} contradicts the trust anchors ({anchors_file}), whose "
                                   f"witnesses are: {', '.join(w.to_string() for w in anchors.policy.witnesses) or 'none'}")
    if quorum is not None and quorum < anchors.policy.quorum:
        raise RecordUnreadable(f"--witness-quorum {quorum} is below the trust anchors' quorum {anchors.policy.quorum}")
    policy = anchors.policy
    if quorum is not None and quorum > policy.quorum:
        try:
            policy = WitnessPolicy(policy.witnesses, quorum)
        except BoardError as exc:
            raise RecordUnreadable(f"--witness-quorum: {exc}") from None
    trust = ClientTrust(policy, f"the trust anchors ({anchors_file})", anchors, note, str(anchors_file),
                        anchors_fingerprint.strip() if anchors_fingerprint else None, clock)
    return trust, given.to_string()


def _cosigner(text: str) -> CosignerKey:
    return CosignerKey.from_string(text, "witness")


@dataclass(frozen=True)
class Trustee:
    index: int
    name: str
    identity_key: str  # lowercase hex, as the anchors write it


def anchor_findings(trust: ClientTrust, signed_by: NoteVerifier | None, origin: str | None,
                    trustees: list[Trustee] | str, where: str, registrar: str | None = None) -> Iterator[Finding]:
    """(W.2) for a record or a receipt: the anchors are signed by their board key, have the fingerprint
    given, name the board key that signs the log (``signed_by``), its origin, the trustees' identity keys
    (``trustees``, or why they cannot be read) and the registrar's key election.created names (``registrar``,
    :func:`registrar_in`; neither naming one is fine); the booth's hash is reported."""
    anchors, note = trust.anchors, trust.anchors_note
    if anchors is None or note is None:
        yield not_applicable("W.2", "trust anchors", "no trust anchors were given (--anchors)")
        return
    subject, source = "trust anchors", trust.anchors_file
    found = fingerprint(anchors.text())
    if trust.expected_fingerprint is not None:
        if found != trust.expected_fingerprint.lower():
            yield failed("W.2", subject, "the anchors' fingerprint is not the one given (--anchors-fingerprint): "
                         "these are not the anchors published for the election", source,
                         expected=trust.expected_fingerprint, found=found)
        else:
            yield passed("W.2", subject, f"fingerprint {found} is the one given (--anchors-fingerprint)", source)
    try:
        opened = open_note(note, anchors.board_keys)
        by = ", ".join(f"{k.name}+{k.key_id.hex()}" for k in opened.verified_by)
        yield passed("W.2", subject, f"signed by the board key they name ({by}); fingerprint {found}"
                     + ("" if trust.expected_fingerprint else " (not compared: no --anchors-fingerprint given)"), source)
    except BoardError as exc:
        yield failed("W.2", subject, f"the anchors are not signed by the board key they name: {exc}", source,
                     expected=f"a signature by {', '.join(k.to_string() for k in anchors.board_keys)}")
    if signed_by is None:
        yield failed("W.2", "board key", "the key that signs the log cannot be read, so it cannot be compared with the anchors'", where)
    elif signed_by not in anchors.board_keys:
        yield failed("W.2", "board key", "the log is signed by a key the anchors do not name", where,
                     expected=" or ".join(k.to_string() for k in anchors.board_keys), found=signed_by.to_string())
    else:
        yield passed("W.2", "board key", f"the log's key {signed_by.to_string()} is the anchors'", where)
    if origin != anchors.origin:
        yield failed("W.2", "origin", "the log's origin is not the anchors'", where, expected=anchors.origin, found=origin)
    else:
        yield passed("W.2", "origin", f"the log's origin is the anchors' {anchors.origin}", where)
    yield from _trustees(anchors, trustees, where)
    yield from _registrar(anchors, registrar, where)
    yield warning("W.2", "booth", f"the anchors name the booth's code sha256:{anchors.booth_sha256}; the verifier cannot "
                  "see the booth a voter used: compare this hash with the booth's (docs/guide-observer.md)", source)


def _trustees(anchors: TrustAnchors, trustees: list[Trustee] | str, where: str) -> Iterator[Finding]:
    subject = "trustees"
    listed = "\n".join(f"trustee {index} {key}" for index, key in anchors.trustees) or "(none)"
    if isinstance(trustees, str):
        yield failed("W.2", subject, f"the election's trustees cannot be read, so they cannot be compared with the anchors': "
                     f"{trustees}", where, expected=listed)
        return
    if sorted(anchors.trustees) != sorted((t.index, t.identity_key) for t in trustees):
        yield failed("W.2", subject, "the election's trustees (election.created) are not those the anchors name", where,
                     expected=listed,
                     found="\n".join(f"trustee {t.index} {t.identity_key} ({t.name})" for t in trustees) or "(none)")
        return
    yield passed("W.2", subject, f"the {len(trustees)} trustees' identity keys of election.created are the anchors'", where)


def _registrar(anchors: TrustAnchors, registrar: str | None, where: str) -> Iterator[Finding]:
    subject = "registrar"
    if anchors.registrar is None and registrar is None:
        return
    if anchors.registrar != registrar:
        yield failed("W.2", subject, "the election's credential authority (election.created registrar) is not the one the "
                     "anchors name: whoever holds the election's registrar key issued the credentials", where,
                     expected=f"registrar {anchors.registrar}" if anchors.registrar else "no registrar",
                     found=f"registrar {registrar}" if registrar else "no registrar")
        return
    yield passed("W.2", subject, f"election.created's registrar key {registrar} is the anchors'", where)


def registrar_in(payload: object) -> str | None:
    """election.created's registrar key in lowercase hex (as the anchors write it); None when it names none;
    "(unreadable)" when its registrar cannot be read."""
    if not isinstance(payload, dict) or "registrar" not in payload:
        return None
    named = payload["registrar"]
    key = named.get("public_key") if isinstance(named, dict) else None
    return key.lower() if isinstance(key, str) else "(unreadable)"


def trustees_of(payload: object) -> list[Trustee] | str:
    """election.created's trustees (record-format §8.2 ``guardians.trustees``), keys in lowercase; or why not."""
    try:
        raw = payload["guardians"]["trustees"]  # type: ignore[index]
        return [Trustee(int(t["index"]), str(t["name"]), str(t["identity_key"]).lower()) for t in raw]
    except (KeyError, TypeError, ValueError) as exc:
        return f"election.created has no readable guardians.trustees ({type(exc).__name__}: {exc})"
