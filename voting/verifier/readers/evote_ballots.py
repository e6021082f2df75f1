"""evote's ballots: streaming the ballot entries of ``entries.jsonl``, and decoding them in the workers.

The stream reads the file line by line and hands each ballot entry's line (bytes) to the workers with its
state and, in a version-2 election, its credential's weight: a ``ballot.cast`` the revoting rule counts is *cast*, one it does not count (superseded, a second cast
under "first", outside the voting period) is *other*, a ``ballot.challenged`` is *challenged*
(record-format §8.3). A challenged ballot carries its decryption: the revealed nonce of its own submission, or
the ``tally.result`` item that decrypts it, or — before the result — a :class:`NotYet`.

The decoder (:class:`EvoteBallotDecoder`, in the workers) reads the submission's envelope (credential,
signature, action, confirmation code: E.5) apart from the encrypted ballot (§3), so that a fault in one does
not hide the other; a value that cannot be decoded becomes a :class:`Defect` filed under the step that
covers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from ...credentials import contest_data_digest
from ...encoding import parse_digest, parse_p_unchecked_membership, require_keys
from ...encrypted_ballot import EncryptedBallot, parse_encrypted_ballot
from ...errors import EncodingError, InvalidBallot
from ...manifest import Manifest
from ...record.submission import KIND_OF_ACTION, parse_choices
from ..model import (
    BallotRecord,
    BallotState,
    ContestDataDecryption,
    DecryptedContest,
    DecryptedSelection,
    Decryption,
    Defect,
    NotYet,
    RawBallot,
    RevealedNonce,
    Unreadable,
    WrittenContestData,
)
from ..model_evote import CountedBallots
from .evote_entries import EntriesFile, credential_of, entry_fields, parse_line
from .evote_parts import decrypted_selection, get, items, response
from .files import FileRefused

SUBMISSION_FIELDS = {"action", "ballot", "credential", "signature"}


@dataclass(frozen=True)
class EvoteBallotLine:
    """A ballot entry on its way to a worker (RawBallot.payload)."""

    line: bytes
    seq: int
    kind: str
    state: str  # a BallotState value
    weight: int = 1  # its credential's weight on the list in force at opening (version 2; else 1)


@dataclass(frozen=True)
class EvoteBallots:
    """The ballot entries of an export, streamed in seq order (see the module docstring)."""

    entries: EntriesFile
    counting: CountedBallots | None
    decryptions: dict[int, tuple[Any, str]]  # seq -> (tally.result item, where)
    pending: str | None  # why challenged ballots have no decryption yet (no tally.result), or None
    since_size: int | None  # --since: entries below this seq were verified before
    result_seq: int | None  # seq of tally.result
    weights: dict[bytes, int] | None = None  # version 2: each eligible credential's weight (record-format §8.3)

    def stream(self) -> Iterator[RawBallot]:
        """The ballot entries; a line that is not an entry (too long, not JSON) is B.4's to report. A file that
        cannot be read at all stops the stream with the reason (every ballot step then fails)."""
        try:
            for line, item, _ in self.entries.lines():
                fields = entry_fields(item)
                if item is None or fields is None or fields[1] not in KIND_OF_ACTION.values():
                    continue
                seq, kind = fields
                yield self._raw(line.body, seq, kind, _code(item), self._weight(item))
        except FileRefused as exc:
            raise FileRefused(exc.name, f"cannot be read, so no ballot can be verified: {exc.reason}") from None

    def _weight(self, item: dict[str, Any]) -> int:
        """The weight of the entry's credential (1 in a version-1 election, or for a credential E.1 fails)."""
        if not self.weights:
            return 1
        return self.weights.get(credential_of(item.get("payload")) or b"", 1)

    def _raw(self, line: bytes, seq: int, kind: str, code: str, weight: int = 1) -> RawBallot:
        if kind == "ballot.challenged":
            state = BallotState.CHALLENGED
        elif self.counting is None or seq in self.counting.counted:
            state = BallotState.CAST
        else:
            state = BallotState.OTHER
        decryption: Any = None
        found = self.decryptions.get(seq)
        if found is not None:
            decryption = ("result", *found)
        elif kind == "ballot.challenged" and self.pending is not None:
            decryption = ("pending", self.pending)
        new_decryption = (
            found is not None
            and self.result_seq is not None
            and self.since_size is not None
            and self.result_seq >= self.since_size
        )
        before = self.since_size is not None and seq < self.since_size and not new_decryption
        return RawBallot(
            id=f"seq {seq}",
            origin=f"entries.jsonl seq {seq} ({kind}, confirmation code {code})",
            payload=EvoteBallotLine(line, seq, kind, state.value, weight),
            decryption=decryption,
            verified_before=before,
        )


def _code(item: dict[str, Any]) -> str:
    """The confirmation code as written, for the findings' evidence ("?" when there is none)."""
    payload = item.get("payload")
    ballot = payload.get("ballot") if isinstance(payload, dict) else None
    code = ballot.get("confirmation_code") if isinstance(ballot, dict) else None
    return code if isinstance(code, str) and len(code) <= 64 else "?"


def defect_check(field: str) -> str:
    """The step that covers a value of the encrypted ballot that cannot be decoded."""
    if field.endswith(".alpha") or field.endswith(".beta"):
        return "5.A"
    for part, check in ((".limit_proof.c", "6.B"), (".limit_proof.v", "6.C"), (".proof.c", "5.B"), (".proof.v", "5.C")):
        if part in field:
            return check
    if field.endswith("contest_hash") or field.endswith("confirmation_code"):
        return "7"
    return "5"


@dataclass(frozen=True)
class EvoteBallotDecoder:
    manifest: Manifest | None

    def decode(self, raw: RawBallot) -> BallotRecord:
        data: EvoteBallotLine = raw.payload
        item, problem = parse_line(data.line)
        payload = item.get("payload") if item is not None else None
        defects: list[Defect] = []
        if not isinstance(payload, dict):
            defects.append(Defect("5", "payload", problem or "the entry's payload is not a submission"))
            payload = {}
        try:
            require_keys(payload, "payload", SUBMISSION_FIELDS, frozenset({"reveal"}))
        except EncodingError as exc:
            defects.append(Defect("5", exc.field, exc.reason))
        ballot = None
        raw_ballot = payload.get("ballot")
        if self.manifest is None:
            defects.append(Defect("5", "", "the manifest cannot be read"))
        elif raw_ballot is not None:
            try:
                ballot = parse_encrypted_ballot(raw_ballot, self.manifest, membership_checked_by_board=True)
            except (EncodingError, InvalidBallot) as exc:
                defects.append(Defect(defect_check(exc.field), f"payload.{exc.field}", exc.reason))
        code = None
        try:
            code = parse_digest(
                raw_ballot.get("confirmation_code") if isinstance(raw_ballot, dict) else None, "ballot.confirmation_code"
            )
        except EncodingError:
            pass
        try:
            contest_data = contest_data_digest(raw_ballot) if isinstance(raw_ballot, dict) else None
        except (KeyError, TypeError, ValueError):
            contest_data = None  # E.5 fails: the signed contest data cannot be read
        signature = payload.get("signature")
        action = payload.get("action")
        return BallotRecord(
            id=raw.id,
            origin=raw.origin,
            state=BallotState(data.state),
            style=str(raw_ballot.get("style")) if isinstance(raw_ballot, dict) else "",
            ballot=ballot,
            defects=tuple(defects),
            decryption=self._decryption(raw, payload, ballot),
            credential=credential_of(payload),
            signature=_signature(signature),
            board_seq=data.seq,
            board_kind=data.kind,
            action=action if isinstance(action, str) else None,
            confirmation_code=code,
            contest_data=contest_data,
            weight=data.weight,
        )

    def _decryption(self, raw: RawBallot, payload: dict, ballot: EncryptedBallot | None):
        if "reveal" in payload:
            try:
                reveal = require_keys(payload["reveal"], "reveal", {"nonce", "choices"})
                return RevealedNonce(
                    parse_digest(reveal["nonce"], "reveal.nonce"), parse_choices(reveal["choices"]), f"{raw.origin}: reveal"
                )
            except EncodingError as exc:
                return Unreadable(raw.origin, exc.field, exc.reason)
        if raw.decryption is None:
            return None
        if raw.decryption[0] == "pending":
            return NotYet(raw.decryption[1])
        _, item, where = raw.decryption
        return challenged_decryption(item, where, ballot)


def _signature(value: object) -> bytes | None:
    if isinstance(value, str) and len(value) == 128 and value == value.upper():
        try:
            return bytes.fromhex(value)
        except ValueError:
            return None
    return None


def challenged_decryption(item: Any, origin: str, ballot: EncryptedBallot | None) -> Decryption | Unreadable:
    """One challenged ballot of tally.result: σ, S and proof per selection; β and proof per contest data."""
    try:
        own = {c.contest: c.contest_data for c in ballot.contests} if ballot is not None else {}
        contests = []
        for ci, contest in enumerate(items(item, "contests", "")):
            at = f"contests[{ci}]"
            label = str(get(contest, "contest", at))
            selections: list[DecryptedSelection | Unreadable] = []
            for si, selection in enumerate(items(contest, "selections", at)):
                try:
                    selections.append(decrypted_selection(selection, f"{at}.selections[{si}]", "sigma", "S"))
                except EncodingError as exc:
                    selections.append(Unreadable(origin, exc.field, exc.reason))
            contests.append(DecryptedContest(label, tuple(selections), _contest_data(contest, at, origin, own.get(label)), at))
        return Decryption(tuple(contests), origin, f"seq {get(item, 'seq', '')}")
    except EncodingError as exc:
        return Unreadable(origin, exc.field, exc.reason)


def _contest_data(contest: Any, at: str, origin: str, own) -> ContestDataDecryption | Unreadable:
    """β and its proof; the ciphertext (C0, C1, C2) is the ballot's own (evote does not repeat it)."""
    where = f"{at}.contest_data"
    try:
        data = get(contest, "contest_data", at)
        proof = get(data, "proof", where)
        if own is None:
            return Unreadable(origin, where, "the challenged ballot has no such contest, or could not be decoded")
        return ContestDataDecryption(
            encrypted=WrittenContestData(int(own.C0.value), own.C1, own.C2),
            beta=int(parse_p_unchecked_membership(get(data, "beta", where), f"{where}.beta")),
            c=parse_digest(get(proof, "c", f"{where}.proof"), f"{where}.proof.c"),
            v=response(get(proof, "v", f"{where}.proof"), f"{where}.proof.v"),
            where=where,
        )
    except EncodingError as exc:
        return Unreadable(origin, exc.field, exc.reason)
