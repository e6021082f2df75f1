"""Ballot submissions: `ballot.cast` and `ballot.challenged` payloads (record-format §5, §8.2).

:func:`parse_submission` validates the envelope and the ballot's encodings (cheap);
:func:`check_submission` verifies the credential's signature, every proof and hash of the ballot
(Verifications 5-7) and, for a challenge with a reveal, that the revealed nonce and choices re-encrypt to
it (§3.6.5). Whether the credential is listed, and uniqueness on the board, are the board's checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..ballot_checks import check_ballot
from ..challenge import open_challenged_ballot
from ..context import ElectionContext
from ..credentials import (
    InvalidSignature,
    VoterKey,
    ballot_signature_message,
    contest_data_digest,
    parse_public_key,
    parse_signature,
    verify_signature,
)
from ..encoding import hex_bytes, parse_digest
from ..encrypted_ballot import EncryptedBallot, ballot_to_json, parse_encrypted_ballot
from ..errors import InvalidBallot
from ..manifest import Manifest
from .common import RecordError, exact

CAST = "cast"
CHALLENGE = "challenge"
KIND_OF_ACTION = {CAST: "ballot.cast", CHALLENGE: "ballot.challenged"}


@dataclass(frozen=True)
class Reveal:
    nonce: bytes
    choices: dict[str, dict[str, int]]

    def __repr__(self) -> str:
        return "Reveal(<nonce and choices of a challenged ballot>)"


@dataclass(frozen=True)
class Submission:
    action: str
    ballot: EncryptedBallot
    credential: str
    signature: bytes
    reveal: Reveal | None
    contest_data: bytes  # credentials.contest_data_digest of the posted ballot, signed with the confirmation code

    @property
    def kind(self) -> str:
        return KIND_OF_ACTION[self.action]


def build_submission(
    ballot: EncryptedBallot,
    voter: VoterKey,
    election_id: str,
    H_E: bytes,
    action: str,
    *,
    reveal_nonce: bytes | None = None,
    reveal_choices: Mapping[str, Any] | None = None,
    style_signed: bool = False,
) -> dict[str, Any]:
    """The JSON a voter's device posts to the board; ``style_signed`` for elections whose credential list
    binds styles (version 2: the signature covers the ballot style, record-format §5)."""
    if action not in KIND_OF_ACTION:
        raise ValueError("action is 'cast' or 'challenge'")
    ballot_json = ballot_to_json(ballot)
    payload: dict[str, Any] = {
        "action": action,
        "ballot": ballot_json,
        "credential": voter.public_key_hex,
        "signature": voter.sign_ballot(
            election_id, H_E, action, ballot.confirmation_code, contest_data_digest(ballot_json), ballot.style if style_signed else None
        ),
    }
    if reveal_nonce is not None:
        if action != CHALLENGE:
            raise ValueError("only a challenged ballot reveals its nonce")
        payload["reveal"] = {"nonce": hex_bytes(reveal_nonce), "choices": _choices_json(reveal_choices or {})}
    return payload


def _choices_json(choices: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    for contest, chosen in choices.items():
        if isinstance(chosen, Mapping):
            result[contest] = {option: int(value) for option, value in chosen.items() if value}
        else:
            counts: dict[str, int] = {}
            for option in chosen:
                counts[option] = counts.get(option, 0) + 1
            result[contest] = counts
    return result


def parse_choices(obj: object) -> dict[str, dict[str, int]]:
    """Revealed choices: per contest a list of option labels (each selected once) or {option: value}."""
    if not isinstance(obj, dict) or len(obj) > 500:
        raise RecordError("reveal.choices", "expected an object of contest label to option labels or {option: value}")
    result: dict[str, dict[str, int]] = {}
    for contest, options in obj.items():
        where = f"reveal.choices.{contest}"
        if isinstance(options, list):
            if len(options) > 1000 or not all(isinstance(option, str) for option in options):
                raise RecordError(where, "expected a list of option labels")
            counts: dict[str, int] = {}
            for option in options:
                counts[option] = counts.get(option, 0) + 1
            result[contest] = counts
        elif isinstance(options, dict) and len(options) <= 500:
            for value in options.values():
                if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1000:
                    raise RecordError(where, "values are integers from 0 to 1000")
            result[contest] = dict(options)
        else:
            raise RecordError(where, "expected a list of option labels or an object of option label to value")
    return result


def parse_submission(payload: object, manifest: Manifest, *, membership_checked_by_board: bool = False) -> Submission:
    """Validate the envelope and decode the ballot (encodings, structure, subgroup membership)."""
    obj = exact(payload, "payload", {"action", "ballot", "credential", "signature"}, frozenset({"reveal"}))
    action = obj["action"]
    if not isinstance(action, str) or action not in KIND_OF_ACTION:  # a list or object is unhashable
        raise RecordError("action", "expected 'cast' or 'challenge'")
    parse_public_key(obj["credential"], "credential")
    signature = parse_signature(obj["signature"], "signature")
    reveal = None
    if "reveal" in obj:
        if action != CHALLENGE:
            raise RecordError("reveal", "only a challenged ballot may reveal its nonce and choices")
        r = exact(obj["reveal"], "reveal", {"nonce", "choices"})
        reveal = Reveal(parse_digest(r["nonce"], "reveal.nonce"), parse_choices(r["choices"]))
    ballot = parse_encrypted_ballot(obj["ballot"], manifest, membership_checked_by_board=membership_checked_by_board)
    return Submission(action, ballot, obj["credential"], signature, reveal, contest_data_digest(obj["ballot"]))


def check_submission(
    submission: Submission, election_id: str, manifest: Manifest, context: ElectionContext, *, style_signed: bool = False
) -> None:
    """Signature, Verifications 5-7 and the reveal; raises :class:`RecordError` or :class:`InvalidBallot`.
    ``style_signed``: the election's credentials are bound to styles, and the signature covers the style."""
    code = submission.ballot.confirmation_code
    style = submission.ballot.style if style_signed else None
    message = ballot_signature_message(election_id, context.H_E, submission.action, code, submission.contest_data, style)
    try:
        verify_signature(parse_public_key(submission.credential, "credential"), message, submission.signature)
    except InvalidSignature:
        raise RecordError("signature", "is not the credential's signature over this ballot's confirmation code and contest data") from None
    check_ballot(submission.ballot, manifest, context)
    if submission.reveal is not None:
        try:
            open_challenged_ballot(submission.ballot, manifest, context, submission.reveal.nonce, submission.reveal.choices)
        except InvalidBallot as exc:
            raise InvalidBallot(f"reveal ({exc.field})", exc.reason, check=exc.check) from None
