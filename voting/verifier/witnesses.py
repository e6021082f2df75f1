"""Who cosigned a checkpoint, under a witness policy: the verifier's own reading of a note's signature lines.

A checkpoint a client relies on must carry valid cosignature/v1 lines (C2SP ``tlog-cosignature``,
:mod:`bulletin_board.log_format.cosignature`) by at least ``quorum`` distinct witnesses of its policy, each
over exactly that checkpoint's body. :func:`assess` reads every signature line of the note and says, per
witness of the policy, whether it cosigned (and when), and if not why: its line does not verify (a bad
signature, or a cosignature made over another checkpoint), its name signs with a key the policy does not
list, its timestamp lies in the future, or it is absent. Lines of signers outside the policy are named too;
they never count.

Pure: the clock is an argument (``now``, POSIX seconds).
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass

from bulletin_board.log_format.cosignature import Cosignature, CosignerKey
from bulletin_board.log_format.errors import InvalidInput
from bulletin_board.log_format.note import SIGNATURE_PREFIX, NoteVerifier, parse_note
from bulletin_board.log_format.witness_policy import WitnessPolicy

SKEW_SECONDS = 300  # a cosignature's time may be this far ahead of the verifier's clock


@dataclass(frozen=True)
class WitnessStatus:
    """One witness of the policy on one checkpoint."""

    witness: CosignerKey
    cosignature: Cosignature | None  # the valid cosignature, if any
    problem: str  # "" when it counts; else why not ("absent", "bad signature: ...", ...)

    @property
    def counts(self) -> bool:
        return self.cosignature is not None and not self.problem


@dataclass(frozen=True)
class Assessment:
    """Every witness of the policy on one checkpoint note, and the signature lines of nobody in it."""

    policy: WitnessPolicy
    statuses: tuple[WitnessStatus, ...]
    strangers: tuple[str, ...]  # "<name>+<key id>" of lines by neither the board nor a policy witness

    @property
    def valid(self) -> tuple[WitnessStatus, ...]:
        return tuple(s for s in self.statuses if s.counts)

    @property
    def met(self) -> bool:
        return len(self.valid) >= self.policy.quorum

    @property
    def future(self) -> tuple[WitnessStatus, ...]:
        return tuple(s for s in self.statuses if s.cosignature is not None and s.problem)

    def cosigners(self) -> str:
        """Who cosigned, with their times: "w1 at 2025-01-01T10:00:00Z, w2 at ..." or "nobody"."""
        return ", ".join(f"{s.witness.name} at {utc(s.cosignature.timestamp)}" for s in self.valid if s.cosignature) or "nobody"

    def missing(self) -> str:
        """The witnesses that do not count, each with why: "w3 (absent), w4 (bad signature: ...)"."""
        return "; ".join(f"{s.witness.name} ({s.problem})" for s in self.statuses if not s.counts)


def utc(timestamp: int) -> str:
    try:
        return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return f"{timestamp} (POSIX seconds)"


def assess(note: str, policy: WitnessPolicy, board_keys: tuple[NoteVerifier, ...] | list[NoteVerifier], now: int,
           skew: int = SKEW_SECONDS) -> Assessment:
    """Each witness of ``policy`` on the checkpoint ``note`` (the body is the note's text); raises
    ``BoardError`` (``MalformedNote``) when the note cannot be parsed at all."""
    parsed = parse_note(note)
    board = {(k.name, k.key_id) for k in board_keys}
    by_name = {w.name: w for w in policy.witnesses}
    found: dict[str, WitnessStatus] = {}
    strangers: list[str] = []
    for sig in parsed.signatures:
        if (sig.name, sig.key_id) in board:
            continue
        witness = by_name.get(sig.name)
        label = f"{sig.name}+{sig.key_id.hex()}"
        if witness is None:
            strangers.append(label)
            continue
        if sig.key_id != witness.key_id:
            _keep(found, WitnessStatus(witness, None, f"signed with a key the policy does not list (key id {sig.key_id.hex()}, "
                                                      f"the policy's is {witness.key_id.hex()})"))
            continue
        line = f"{SIGNATURE_PREFIX}{sig.name} {base64.b64encode(sig.key_id + sig.signature).decode('ascii')}\n"
        try:
            cosignature = witness.verify_line(parsed.text, line)
        except InvalidInput as exc:
            _keep(found, WitnessStatus(witness, None, f"bad signature: {exc.reason} over this checkpoint"))
            continue
        if cosignature is None:  # pragma: no cover - name and key id were matched above
            continue
        if cosignature.timestamp > now + skew:
            _keep(found, WitnessStatus(witness, cosignature, f"its time {utc(cosignature.timestamp)} is in the future "
                                                             f"(the verifier's clock: {utc(now)}, {skew} s allowed)"))
            continue
        _keep(found, WitnessStatus(witness, cosignature, ""))
    statuses = tuple(found.get(w.name, WitnessStatus(w, None, "absent: no cosignature line")) for w in policy.witnesses)
    return Assessment(policy, statuses, tuple(strangers))


def _keep(found: dict[str, WitnessStatus], status: WitnessStatus) -> None:
    """A witness's valid cosignature wins over another line of it that does not count."""
    previous = found.get(status.witness.name)
    if previous is None or (status.counts and not previous.counts):
        found[status.witness.name] = status


def describe(assessment: Assessment) -> str:
    """One sentence for a finding: k of n, who cosigned and when, who is missing and why."""
    policy = assessment.policy
    text = (f"{len(assessment.valid)} of the {policy.quorum} cosignatures required by the policy "
            f"({policy.describe()}): cosigned by {assessment.cosigners()}")
    missing = assessment.missing()
    if missing:
        text += f"; not counted: {missing}"
    if assessment.strangers:
        text += f"; lines by signers outside the policy (ignored): {', '.join(assessment.strangers)}"
    return text


__all__ = ["Assessment", "WitnessStatus", "assess", "describe", "utc", "SKEW_SECONDS"]
