"""The election's rules as a state machine over its entries (record-format §8).

:class:`ElectionState` replays the control entries of an election (everything but the ballots' contents) and
refuses any entry that breaks a rule: wrong phase, a trustee posting twice, a share before all commitments,
a key ceremony result or decryption step that does not match what anyone recomputes from the record.
The board applies it before appending; the trustee tools read it to know the next step; the verifier
replays it over the exported record. Ballot-level rules that need the ballots themselves (signature,
proofs, credential listing, uniqueness, revoting) are applied by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from ..context import ElectionContext
from ..credentials import parse_public_key
from ..decryption import check_tally_value, verify_decryption
from ..elgamal import Ciphertext, discrete_log
from ..encoding import require_list
from ..encrypted_ballot import EncryptedBallot
from ..errors import InvalidProof, ShareError
from ..group import ElementModP, ElementModQ
from ..hashed_elgamal import HashedCiphertext, decrypt_contest_data, open_revealed_share
from ..joint_decryption import (
    DecryptionChallenge,
    DecryptionResult,
    DecryptionShare,
    Item,
    assemble,
    check_guardian_responses,
    make_challenge,
)
from ..key_ceremony import GuardianCommitments, check_share, joint_public_key, public_key_share
from . import keygen as kg
from . import tallying as tl
from .common import RecordError, body_of, exact
from .election import ElectionDefinition, parse_election_created
from .messages import open_message

CREATED, OPENED, CLOSED = "election.created", "election.opened", "election.closed"
CREDENTIALS_PUBLISHED, CREDENTIALS_REVOKED = "credentials.published", "credentials.revoked"
BALLOT_KINDS = ("ballot.cast", "ballot.challenged")
TRUSTEE_KINDS = (
    kg.COMMITMENTS, kg.SHARES, kg.CHECKED, kg.SHARE_REVEALED, kg.CONFIRMED,
    tl.DECRYPTION_SHARE, tl.DECRYPTION_RESPONSE,
)  # fmt: skip
ADMIN_KINDS = (
    CREATED, kg.RESULT, CREDENTIALS_PUBLISHED, CREDENTIALS_REVOKED, OPENED, CLOSED,
    tl.TALLY_ENCRYPTED, tl.DECRYPTION_CHALLENGE, tl.DECRYPTION_FAILED, tl.TALLY_RESULT,
)  # fmt: skip
MAX_CREDENTIALS_PER_ENTRY = 100_000

# phases
KEYGEN, KEYGEN_FAILED, CONFIRMING, READY, OPEN, CLOSED_PHASE, TALLYING, TALLIED = (
    "keygen", "keygen_failed", "confirming", "ready", "open", "closed", "tallying", "tallied",
)  # fmt: skip


class RuleViolation(RecordError):
    """An entry that the election's rules do not allow at this point, or whose content does not match."""


@dataclass
class DecryptionRound:
    number: int
    shares: dict[int, DecryptionShare] = field(default_factory=dict)
    challenge: DecryptionChallenge | None = None
    responses: dict[int, tuple[ElementModQ, ...]] = field(default_factory=dict)


class ElectionState:
    """Replays control entries; each ``apply`` either records the entry or raises :class:`RuleViolation`."""

    def __init__(self) -> None:
        self.definition: ElectionDefinition | None = None
        self.phase = ""
        self.commitments: dict[int, GuardianCommitments] = {}
        self.shares: dict[int, dict[int, HashedCiphertext]] = {}
        self.checked: dict[int, list[int]] = {}
        self.revealed: dict[tuple[int, int], kg.RevealedShare] = {}
        self.keygen_result: kg.KeygenResult | None = None
        self.result_entry_hash = b""
        self.confirmed: set[int] = set()
        self.credentials: set[str] = set()
        self.revoked: set[str] = set()
        self.context: ElectionContext | None = None
        self.tally: tl.TallyRecord | None = None
        self.challenged_ballots: tuple[EncryptedBallot, ...] = ()
        self.items: list[Item] = []
        self.rounds: list[DecryptionRound] = []
        self.excluded: dict[int, str] = {}
        self.result: tl.TallyResult | None = None

    # --- helpers ------------------------------------------------------------------------------------

    @property
    def n(self) -> int:
        return self.definition.n if self.definition else 0

    def _require(self, condition: bool, reason: str, where: str = "kind") -> None:
        if not condition:
            raise RuleViolation(where, reason)

    def _require_phase(self, kind: str, *phases: str) -> None:
        self._require(self.phase in phases, f"{kind} is not allowed in phase {self.phase or 'none'!r}")

    @property
    def eligible_credentials(self) -> set[str]:
        return self.credentials - self.revoked

    @property
    def current_round(self) -> DecryptionRound:
        return self.rounds[-1]

    def public_key_shares(self) -> dict[int, ElementModP]:
        return {i: public_key_share(self.commitments.values(), i) for i in range(1, self.n + 1)}

    # --- dispatch -----------------------------------------------------------------------------------

    def apply(
        self, kind: str, payload: object, *, entry_hash: bytes = b"", challenged_ballots: Sequence[EncryptedBallot] = ()
    ) -> Any:
        """Check ``kind``/``payload`` against the rules and record it. Ballot entries only check the phase."""
        if kind == CREATED:
            self._require(self.definition is None, "an election is created once, by its first entry")
            self.definition = parse_election_created(payload)
            self.phase = KEYGEN
            return self.definition
        self._require(self.definition is not None, "the first entry of an election is election.created")
        if kind in BALLOT_KINDS:
            self._require_phase(kind, OPEN)
            return None
        if kind in TRUSTEE_KINDS:
            signer, body = open_message(self.definition, kind, payload)
            return getattr(self, "_" + kind.replace(".", "_"))(signer, body, entry_hash)
        if kind in ADMIN_KINDS:
            body = body_of(payload)
            if kind == tl.TALLY_ENCRYPTED:
                return self._tally_encrypted(body, challenged_ballots)
            if kind == kg.RESULT:
                result = self._keygen_result(body)
                self.result_entry_hash = entry_hash
                return result
            return getattr(self, "_" + kind.replace(".", "_"))(body)
        raise RuleViolation("kind", f"{kind!r} is not an entry kind of evote elections")

    # --- key ceremony (SPEC §3.2.2) --------------------------------------------------------------------

    def _keygen_commitments(self, signer: int, body: dict, _: bytes) -> GuardianCommitments:
        self._require_phase(kg.COMMITMENTS, KEYGEN)
        self._require(signer not in self.commitments, f"trustee {signer} already published its commitments")
        commitments = kg.parse_commitments(body, self.n, self.definition.k)
        try:
            commitments.verify(self.definition.parameters.H_P, self.definition.k)  # Verification 2, check 3.A
        except InvalidProof as exc:
            raise RuleViolation("body.proofs", str(exc)) from None
        self.commitments[signer] = commitments
        return commitments

    def _keygen_shares(self, signer: int, body: dict, _: bytes) -> dict[int, HashedCiphertext]:
        self._require_phase(kg.SHARES, KEYGEN)
        self._require(len(self.commitments) == self.n, "shares are sent once every trustee published its commitments")
        self._require(signer not in self.shares, f"trustee {signer} already sent its shares")
        sender, shares = kg.parse_shares(body, self.n)
        self.shares[sender] = shares
        return shares

    def _keygen_checked(self, signer: int, body: dict, _: bytes) -> list[int]:
        self._require_phase(kg.CHECKED, KEYGEN)
        self._require(len(self.shares) == self.n, "shares are checked once every trustee sent its shares")
        self._require(signer not in self.checked, f"trustee {signer} already reported its checks")
        _, complaints = kg.parse_checked(body, self.n)
        self.checked[signer] = complaints
        return complaints

    def _keygen_share_revealed(self, signer: int, body: dict, _: bytes) -> kg.RevealedShare:
        self._require_phase(kg.SHARE_REVEALED, KEYGEN)
        revealed = kg.parse_revealed(body, self.n)
        self._require(
            signer in self.checked.get(revealed.recipient, []),
            f"no complaint by trustee {revealed.recipient} against trustee {signer}",
        )
        self._require((signer, revealed.recipient) not in self.revealed, "this share was already revealed")
        self.revealed[(signer, revealed.recipient)] = revealed
        return revealed

    def adjudicate(self) -> kg.KeygenResult:
        """The key ceremony's outcome as anyone computes it from the record (SPEC §3.2.2 complaints)."""
        H_P = self.definition.parameters.H_P
        faulty: dict[int, str] = {}
        for receiver, complaints in sorted(self.checked.items()):
            for sender in complaints:
                revealed = self.revealed.get((sender, receiver))
                if revealed is None:
                    faulty.setdefault(sender, f"did not reveal its share for trustee {receiver} after a complaint")
                    continue
                encrypted = self.shares[sender][receiver]
                recipient_key = self.commitments[receiver].public_key
                try:
                    opened = open_revealed_share(H_P, sender, receiver, recipient_key, encrypted, revealed.nonce)
                    if opened != revealed.share:
                        raise ShareError(sender, receiver, "the revealed share is not the one that was encrypted")
                    check_share(revealed.share, receiver, self.commitments[sender])
                except ShareError as exc:
                    faulty.setdefault(sender, exc.reason)
        if faulty:
            return kg.KeygenResult(False, None, None, tuple(sorted(faulty.items())))
        K = joint_public_key(self.commitments[i].public_key for i in range(1, self.n + 1))  # eq. 8
        return kg.KeygenResult(True, K, self.definition.parameters.context(K).H_E, ())

    def _keygen_result(self, body: dict) -> kg.KeygenResult:
        self._require_phase(kg.RESULT, KEYGEN)
        self._require(len(self.checked) == self.n, "the result comes after every trustee reported its checks")
        posted = kg.parse_result(body, self.n)
        expected = self.adjudicate()
        if posted != expected:
            raise RuleViolation(
                "payload", f"does not match the outcome recomputed from the record: {kg.result_payload(expected)}"
            )
        self.keygen_result = posted
        if posted.complete:
            self.context = ElectionContext(posted.K, posted.H_E)
            self.phase = CONFIRMING
        else:
            self.phase = KEYGEN_FAILED
        return posted

    def _keygen_confirmed(self, signer: int, body: dict, _: bytes) -> None:
        self._require_phase(kg.CONFIRMED, CONFIRMING)
        self._require(signer not in self.confirmed, f"trustee {signer} already confirmed")
        _, H_E, result_hash = kg.parse_confirmed(body, self.n)
        self._require(H_E == self.context.H_E, "the confirmed H_E is not the one of keygen.result", "body.H_E")
        self._require(
            bool(self.result_entry_hash) and result_hash == self.result_entry_hash,
            "does not name the keygen.result entry",
            "body.result_entry_hash",
        )
        self.confirmed.add(signer)
        if len(self.confirmed) == self.n:
            self.phase = READY

    # --- credentials and the voting period ------------------------------------------------------------

    def _parse_credential_list(self, body: dict) -> list[str]:
        obj = exact(body, "payload", {"credentials"})
        keys = require_list(obj["credentials"], "credentials", min_len=1, max_len=MAX_CREDENTIALS_PER_ENTRY)
        for position, key in enumerate(keys):
            parse_public_key(key, f"credentials[{position}]")
        if keys != sorted(set(keys)):
            raise RuleViolation("credentials", "distinct public keys in increasing order")
        return keys

    def _credentials_published(self, body: dict) -> list[str]:
        self._require_phase(CREDENTIALS_PUBLISHED, KEYGEN, CONFIRMING, READY)
        keys = self._parse_credential_list(body)
        already = self.credentials.intersection(keys)
        self._require(not already, "lists a credential that is already published", "credentials")
        self.credentials.update(keys)
        return keys

    def _credentials_revoked(self, body: dict) -> list[str]:
        self._require_phase(CREDENTIALS_REVOKED, KEYGEN, CONFIRMING, READY)
        keys = self._parse_credential_list(body)
        self._require(set(keys) <= self.credentials - self.revoked, "revokes a credential that is not on the list", "credentials")
        self.revoked.update(keys)
        return keys

    def _election_opened(self, body: dict) -> None:
        exact(body, "payload", set())
        self._require_phase(OPENED, READY)
        self._require(bool(self.eligible_credentials), "the election opens with at least one published credential")
        self.phase = OPEN

    def _election_closed(self, body: dict) -> None:
        exact(body, "payload", set())
        self._require_phase(CLOSED, OPEN)
        self.phase = CLOSED_PHASE

    # --- tally and decryption (SPEC §3.5-3.6) ----------------------------------------------------------

    def _tally_encrypted(self, body: dict, challenged_ballots: Sequence[EncryptedBallot]) -> tl.TallyRecord:
        self._require_phase(tl.TALLY_ENCRYPTED, CLOSED_PHASE)
        record = tl.parse_tally(body, self.definition.manifest)
        self._require(len(challenged_ballots) == len(record.challenged), "the challenged ballots of the tally must be supplied")
        for ref, ballot in zip(record.challenged, challenged_ballots):
            self._require(
                ref.confirmation_code == ballot.confirmation_code,
                f"challenged seq {ref.seq} has another confirmation code",
                "challenged",
            )
        self.tally = record
        self.challenged_ballots = tuple(challenged_ballots)
        self.items = tl.decryption_items(self.definition.manifest, record.tally, challenged_ballots)
        self.rounds = [DecryptionRound(1)]
        self.phase = TALLYING
        return record

    def _decryption_share(self, signer: int, body: dict, _: bytes) -> DecryptionShare:
        self._require_phase(tl.DECRYPTION_SHARE, TALLYING)
        round_, share = tl.parse_share(body, self.n, len(self.items))
        current = self.current_round
        self._require(round_ == current.number, f"the current decryption round is {current.number}", "body.round")
        self._require(signer not in self.excluded, f"trustee {signer} was excluded: {self.excluded.get(signer)}")
        self._require(current.challenge is None, "this round's challenge is already posted")
        self._require(signer not in current.shares, f"trustee {signer} already posted its share for this round")
        current.shares[signer] = share
        return share

    def _decryption_challenge(self, body: dict) -> DecryptionChallenge:
        self._require_phase(tl.DECRYPTION_CHALLENGE, TALLYING)
        current = self.current_round
        self._require(
            len(current.shares) >= self.definition.k,
            f"{len(current.shares)} share(s) posted; the quorum is k = {self.definition.k}",
        )
        round_, posted = tl.parse_challenge(body, self.n, len(self.items))
        self._require(
            round_ == current.number and current.challenge is None, f"the open decryption round is {current.number}", "round"
        )
        expected = make_challenge(current.shares, self.items, self.context, self.definition.k)
        self._require(
            posted == expected, "does not match M and c recomputed from the round's shares (SPEC eqs. 67-72)", "payload"
        )
        current.challenge = posted
        return posted

    def _decryption_response(self, signer: int, body: dict, _: bytes) -> tuple[ElementModQ, ...]:
        self._require_phase(tl.DECRYPTION_RESPONSE, TALLYING)
        i, round_, responses = tl.parse_response(body, self.n, len(self.items))
        current = self.current_round
        self._require(
            round_ == current.number and current.challenge is not None, "no open challenge for this round", "body.round"
        )
        self._require(signer in current.challenge.available, f"trustee {signer} is not part of this round")
        self._require(signer not in current.responses, f"trustee {signer} already answered this round")
        current.responses[signer] = responses  # checked (eqs. 74-75) by decryption.failed / tally.result
        return responses

    def response_fault(self, guardian: int) -> str | None:
        """Why guardian's answer in the current round is unusable (missing or failing eqs. 74-75), or None."""
        current = self.current_round
        if guardian not in current.responses:
            return "did not answer the decryption challenge"
        try:
            check_guardian_responses(
                current.shares[guardian], current.responses[guardian], current.challenge, self.items,
                public_key_share(self.commitments.values(), guardian), self.context,
            )  # fmt: skip
        except InvalidProof as exc:
            return str(exc)
        return None

    def _decryption_failed(self, body: dict) -> tuple[tuple[int, str], ...]:
        self._require_phase(tl.DECRYPTION_FAILED, TALLYING)
        round_, faulty = tl.parse_failed(body, self.n)
        current = self.current_round
        self._require(round_ == current.number and current.challenge is not None, "no open challenge for this round", "round")
        for i, _ in faulty:
            self._require(i in current.challenge.available, f"trustee {i} is not part of this round", "faulty")
            self._require(
                self.response_fault(i) is not None, f"trustee {i} answered correctly; it cannot be named faulty", "faulty"
            )
        for i, reason in faulty:
            self.excluded[i] = reason
        self.rounds.append(DecryptionRound(current.number + 1))
        return faulty

    def assemble_result(self) -> tuple[list[DecryptionResult], tl.TallyResult]:
        """Check every response of the round and build the tally result (Verifications 9-14 hold by construction)."""
        current = self.current_round
        for i in current.challenge.available:
            fault = self.response_fault(i)
            if fault is not None:
                raise RuleViolation("responses", f"trustee {i}: {fault}")
        results = assemble(current.challenge, current.responses)
        manifest = self.definition.manifest
        count = self.tally.tally.ballot_count
        values = iter(zip(self.items, results))
        contests = {
            c.label: {o.label: _decrypted_value(next(values), self.context, count * c.option_limit) for o in c.options}
            for c in manifest.contests
        }
        challenged = []
        for ref, ballot in zip(self.tally.challenged, self.challenged_ballots):
            selections = {
                contest.contest: {
                    s.option: _decrypted_value(next(values), self.context, manifest.contest(contest.contest).option_limit)
                    for s in contest.selections
                }
                for contest in ballot.contests
            }
            data = {}
            for contest in ballot.contests:
                item, result = next(values)
                decoded = decrypt_contest_data(self.context, manifest.contest(contest.contest).index, item, result.M)
                data[contest.contest] = tl.DecryptedContestData(result.M, result.proof, decoded[1] if decoded else None)
            challenged.append(tl.DecryptedBallot(ref.seq, selections, data))
        return results, tl.TallyResult(current.number, contests, tuple(challenged))

    def _tally_result(self, body: dict) -> tl.TallyResult:
        self._require_phase(tl.TALLY_RESULT, TALLYING)
        current = self.current_round
        self._require(current.challenge is not None, "no decryption round has a challenge yet")
        pairs = [(ref.seq, ballot) for ref, ballot in zip(self.tally.challenged, self.challenged_ballots)]
        posted = tl.parse_result(body, self.definition.manifest, pairs)
        self._require(posted.round == current.number, f"the current decryption round is {current.number}", "round")
        _, expected = self.assemble_result()
        if posted != expected:
            raise RuleViolation("payload", "does not match the decryption assembled from the round's shares and responses")
        self.result = posted
        self.phase = TALLIED
        return posted


def _decrypted_value(pair: tuple[Item, DecryptionResult], context: ElectionContext, bound: int) -> tl.DecryptedValue:
    """T = B·M^{-1} and the t with T = K^t (SPEC §3.6, eq. 64); the proof is checked (Verification 9)."""
    item, result = pair
    if not isinstance(item, Ciphertext):
        raise RuleViolation("items", "a vote ciphertext was expected at this position of the decryption items")
    T = item.beta * result.M.inverse()
    verify_decryption(context, item.alpha, item.beta, T, result.proof)
    t = discrete_log(T, context.K, max(bound, 1))
    check_tally_value(T, t, context.K)
    return tl.DecryptedValue(t, T, result.proof)


def replay(entries: Iterable[tuple[int, str, Any, bytes]], ballot_payload_at: Callable[[int], Any]) -> ElectionState:
    """An :class:`ElectionState` from an election's entries in seq order (seq, kind, payload, entry_hash).

    Ballot entries are skipped (their rules need the ballots; the caller checks them). ``ballot_payload_at``
    returns the payload of the ballot entry at a seq: the challenged ballots a `tally.encrypted` lists.
    """
    state = ElectionState()
    for seq, kind, payload, entry_hash in entries:
        if kind in BALLOT_KINDS:
            continue
        challenged: list[EncryptedBallot] = []
        if kind == tl.TALLY_ENCRYPTED and state.definition is not None:
            challenged = challenged_ballots_of(payload, state.definition.manifest, ballot_payload_at)
        try:
            state.apply(kind, payload, entry_hash=entry_hash, challenged_ballots=challenged)
        except RecordError as exc:
            raise RuleViolation(f"entry {seq} ({kind}): {exc.field}", exc.reason) from None
    return state


def challenged_ballots_of(tally_payload: Any, manifest: Any, ballot_payload_at: Callable[[int], Any]) -> list[EncryptedBallot]:
    """The encrypted ballots a `tally.encrypted` payload lists for the trustees to decrypt."""
    from .submission import parse_submission

    refs = tally_payload.get("challenged", []) if isinstance(tally_payload, dict) else []
    ballots = []
    for position, ref in enumerate(refs):
        seq = ref.get("seq") if isinstance(ref, dict) else None
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise RuleViolation(f"challenged[{position}].seq", "expected the seq of a challenged ballot")
        ballots.append(parse_submission(ballot_payload_at(seq), manifest).ballot)
    return ballots
