"""The board's engine for an election's rules: a state machine over its entries (record-format §8).

:class:`ElectionState` replays the control entries of an election (everything but the ballots' contents) and
refuses any entry that breaks a rule: wrong phase, a trustee posting twice, a share before all commitments,
a key ceremony result or decryption step that does not match what anyone recomputes from the record.
The board applies it before appending and the trustee tools read it to know the next step. Dispatch is the
table :data:`RULES` (entry kind -> the rule in its phase's module: rules_key_ceremony, rules_voting,
rules_tally). Ballot-level rules that need the ballots themselves (signature, proofs, credential listing,
uniqueness, revoting) are applied by the board's ballot hook. The verifier never imports this engine: it
has its own table (voting/verifier/rules), and the tests keep this one as an oracle that they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from ..context import ElectionContext
from ..credential_list import ListedCredential
from ..encrypted_ballot import EncryptedBallot
from ..group import ElementModP
from ..hashed_elgamal import HashedCiphertext
from ..joint_decryption import DecryptionResult, Item
from ..key_ceremony import GuardianCommitments, public_key_share
from ..mixnet.generators import CommitmentGenerators
from . import chunks as ch
from . import keygen as kg
from . import mixing as mx
from . import registrar as rg
from . import rules_board, rules_key_ceremony, rules_mix, rules_registrar, rules_tally, rules_voting
from . import tallying as tl
from .common import RecordError, body_of
from .election import ElectionDefinition, parse_election_created
from .messages import open_message
from .phases import (
    ADMIN_KINDS,
    ANCHORS_PUBLISHED,
    BALLOT_KINDS,
    BOARD_KEY_TRANSITION,
    BOARD_KINDS,
    CANCELLED,
    CANCELLED_PHASE,
    CLOSED,
    CLOSED_PHASE,
    CONFIRMING,
    CREATED,
    CREDENTIALS_PUBLISHED,
    CREDENTIALS_REVOKED,
    EXTENDED,
    KEYGEN,
    KEYGEN_FAILED,
    OPEN,
    OPENED,
    READY,
    SCHEDULED,
    TALLIED,
    TALLYING,
    TRUSTEE_KINDS,
    DecryptionRound,
    RuleViolation,
)
from .registrar import RollCommitment
from .schedule import Schedule

__all__ = [
    "ElectionState", "RuleViolation", "DecryptionRound", "RULES", "Rule", "replay", "apply_entry", "challenged_ballots_of",
    "CREATED", "OPENED", "CLOSED", "BOARD_KINDS", "CREDENTIALS_PUBLISHED", "CREDENTIALS_REVOKED", "BALLOT_KINDS", "TRUSTEE_KINDS",
    "ADMIN_KINDS", "KEYGEN", "KEYGEN_FAILED", "CONFIRMING", "READY", "OPEN", "CLOSED_PHASE", "TALLYING", "TALLIED",
]  # fmt: skip


@dataclass(frozen=True)
class Rule:
    """One row of record-format §8.2: the kind, who posts it, and the function that checks and records it."""

    kind: str
    by: str  # "admin", "trustee", "voter", "registrar" (signed, §11) or "board" (the operator, on the board's machine)
    check: Callable[..., Any]  # (state, signer, body, entry_hash) for trustees; (state, body, entry_hash) for admin kinds


RULES: dict[str, Rule] = {rule.kind: rule for rule in (
    Rule(kg.COMMITMENTS, "trustee", rules_key_ceremony.keygen_commitments),
    Rule(kg.SHARES, "trustee", rules_key_ceremony.keygen_shares),
    Rule(kg.CHECKED, "trustee", rules_key_ceremony.keygen_checked),
    Rule(kg.SHARE_REVEALED, "trustee", rules_key_ceremony.keygen_share_revealed),
    Rule(kg.RESULT, "admin", rules_key_ceremony.keygen_result),
    Rule(kg.CONFIRMED, "trustee", rules_key_ceremony.keygen_confirmed),
    Rule(CREDENTIALS_PUBLISHED, "admin", rules_voting.credentials_published),
    Rule(CREDENTIALS_REVOKED, "admin", rules_voting.credentials_revoked),
    Rule(ANCHORS_PUBLISHED, "admin", rules_voting.anchors_published),
    Rule(BOARD_KEY_TRANSITION, "board", rules_board.key_transition),
    Rule(rg.ACCEPTED, "registrar", rules_registrar.accepted),
    Rule(rg.ROLL, "registrar", rules_registrar.roll),
    Rule(rg.CREDENTIALS, "registrar", rules_registrar.credentials),
    Rule(rg.REVOKED, "registrar", rules_registrar.revoked),
    Rule(rg.REPLACED, "registrar", rules_registrar.replaced),
    Rule(rg.ERASED, "registrar", rules_registrar.erased),
    Rule(SCHEDULED, "admin", rules_voting.election_scheduled),
    Rule(OPENED, "admin", rules_voting.election_opened),
    Rule(EXTENDED, "admin", rules_voting.election_extended),
    Rule(CLOSED, "admin", rules_voting.election_closed),
    Rule(CANCELLED, "admin", rules_voting.election_cancelled),
    Rule(mx.MIX_INPUT, "admin", rules_mix.mix_input),
    Rule(mx.MIX_SHUFFLED, "trustee", rules_mix.mix_shuffled),
    Rule(tl.TALLY_ENCRYPTED, "admin", rules_tally.tally_encrypted),
    Rule(tl.DECRYPTION_SHARE, "trustee", rules_tally.decryption_share),
    Rule(tl.DECRYPTION_CHALLENGE, "admin", rules_tally.decryption_challenge),
    Rule(tl.DECRYPTION_RESPONSE, "trustee", rules_tally.decryption_response),
    Rule(tl.DECRYPTION_FAILED, "admin", rules_tally.decryption_failed),
    Rule(tl.TALLY_RESULT, "admin", rules_tally.tally_result),
)}  # fmt: skip
# election.created and chunk (below, in ``apply``) and the ballot kinds (rules_voting.ballot) complete the table
# of §8.2, §12.2 and §13.


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
        self.credentials: dict[str, ListedCredential] = {}  # public key -> its style and weight
        self.revoked: set[str] = set()
        self.registrar_accepted = False  # record-format §11
        self.roll: RollCommitment | None = None
        self.registrar_erased = False
        self.schedule: Schedule | None = None  # election.created's, then election.scheduled / .extended
        self.now: int | None = None  # the entry's received_at while it is applied (None: a replay that does not say)
        self.context: ElectionContext | None = None
        self.tally: tl.TallyRecord | None = None
        self.challenged_ballots: tuple[EncryptedBallot, ...] = ()
        self.items: list[Item] = []
        self.rounds: list[DecryptionRound] = []
        self.excluded: dict[int, str] = {}
        self.result: tl.TallyResult | None = None
        self.chunks = ch.ChunkStore()  # record-format §13
        self.mix_inputs: dict[str, mx.MixInput] = {}  # record-format §12.2, by contest label
        self.mixes: dict[str, list[mx.MixShuffled]] = {}
        self.mix_generators: CommitmentGenerators | None = None  # derived from H_E once, for the most rows seen

    # --- helpers ------------------------------------------------------------------------------------

    @property
    def n(self) -> int:
        return self.definition.n if self.definition else 0

    def require(self, condition: bool, reason: str, where: str = "kind") -> None:
        if not condition:
            raise RuleViolation(where, reason)

    def require_phase(self, kind: str, *phases: str) -> None:
        self.require(self.phase in phases, f"{kind} is not allowed in phase {self.phase or 'none'!r}")

    @property
    def eligible_credentials(self) -> set[str]:
        return self.credentials.keys() - self.revoked

    @property
    def current_round(self) -> DecryptionRound:
        return self.rounds[-1]

    def mix_output(self, label: str) -> tuple[mx.Row, ...]:
        """The rows the next mix of a contest takes: the last mix's output, else the mix input."""
        done = self.mixes.get(label)
        return done[-1].rows if done else self.mix_inputs[label].rows

    def mix_pending(self) -> list[str]:
        """What ``tally.encrypted`` waits for in the mix (empty when it may be posted)."""
        return rules_mix.mix_pending(self)

    def public_key_shares(self) -> dict[int, ElementModP]:
        return {i: public_key_share(self.commitments.values(), i) for i in range(1, self.n + 1)}

    # --- dispatch -----------------------------------------------------------------------------------

    def apply(
        self, kind: str, payload: object, *, entry_hash: bytes = b"", challenged_ballots: Sequence[EncryptedBallot] = (),
        has_cast: Callable[[str], bool] | None = None, received_at: int | None = None, seq: int | None = None,
        shuffle_checked: bool = False,
    ) -> Any:
        """Check ``kind``/``payload`` against the rules and record it. Ballot entries only check the phase.
        ``seq`` is the entry's (a ``chunk`` needs it); ``shuffle_checked``: the board checked a
        ``mix.shuffled`` proof itself before taking the lock (rules_mix.check_shuffle).
        ``has_cast(public key)`` tells whether a credential has cast a ballot (registrar.replaced); the board
        passes its ballot index, a replay that cannot know passes None. ``received_at`` is the entry's time
        (the schedule's rules); None skips them (a caller that does not have it)."""
        self.now = received_at
        if kind == CREATED:
            self.require(self.definition is None, "an election is created once, by its first entry")
            self.definition = parse_election_created(payload)
            self.schedule = self.definition.schedule
            self.phase = KEYGEN
            return self.definition
        self.require(self.definition is not None, "the first entry of an election is election.created")
        self.require(self.phase != CANCELLED_PHASE, "the election was cancelled: nothing more is appended")
        if kind in BALLOT_KINDS:
            return rules_voting.ballot(self, kind)
        if kind == ch.CHUNK:
            return self._chunk(payload, seq)
        rule = RULES.get(kind)
        if rule is None:
            raise RuleViolation("kind", f"{kind!r} is not an entry kind of evote elections")
        poster: ch.Poster | None = None
        if ch.is_chunked(payload):
            poster, payload = self.chunks.resolve(kind, payload)
        if rule.by == "trustee":
            signer, body = open_message(self.definition, kind, payload)
            self.require(poster in (None, signer), f"the chunks were posted by {poster}, the message is signed by {signer}", "payload.chunked")
            if kind == mx.MIX_SHUFFLED:
                return rules_mix.mix_shuffled(self, signer, body, entry_hash, shuffle_checked=shuffle_checked)
            return rule.check(self, signer, body, entry_hash)
        self.require(poster in (None, ch.ADMIN), "an administrator's entry uses the administrator's chunks", "payload.chunked")
        if rule.by == "registrar":
            body = rg.open_registrar_message(self.definition.registrar, self.definition.election_id, kind, payload)
            return rule.check(self, body, entry_hash, has_cast)
        if kind == tl.TALLY_ENCRYPTED:
            return rules_tally.tally_encrypted(self, body_of(payload), challenged_ballots)
        return rule.check(self, body_of(payload), entry_hash)

    def _chunk(self, payload: object, seq: int | None) -> ch.Chunk:
        """A part of a larger entry (record-format §13), posted as that entry is: signed by a trustee, or by the
        administrator."""
        self.require(seq is not None, "a chunk is applied with its entry's seq", "seq")
        assert seq is not None
        if isinstance(payload, dict) and "signature" in payload:
            poster, body = open_message(self.definition, ch.CHUNK, payload)
            chunk = ch.parse_chunk_body(body, seq, poster)
            self.require(RULES[chunk.kind].by == "trustee", f"a {chunk.kind} is posted by the administrator", "body.for")
        else:
            chunk = ch.parse_chunk_body(body_of(payload), seq, ch.ADMIN)
            self.require(RULES[chunk.kind].by == "admin", f"a {chunk.kind} is posted by a trustee", "for")
        return self.chunks.add(chunk)

    # --- outcomes that the administrator and the trustees compute from the state ---------------------

    def adjudicate(self) -> kg.KeygenResult:
        """The key ceremony's outcome as anyone computes it from the record (SPEC §3.2.2 complaints)."""
        return rules_key_ceremony.adjudicate(self)

    def response_fault(self, guardian: int) -> str | None:
        """Why guardian's answer in the current round is unusable (missing or failing eqs. 74-75), or None."""
        return rules_tally.response_fault(self, guardian)

    def assemble_result(self) -> tuple[list[DecryptionResult], tl.TallyResult]:
        """Check every response of the round and build the tally result (Verifications 9-14 hold by construction)."""
        return rules_tally.assemble_result(self)


def replay(entries: Iterable[tuple], ballot_payload_at: Callable[[int], Any], *, shuffles_checked: bool = False) -> ElectionState:
    """An :class:`ElectionState` from an election's entries in seq order (seq, kind, payload, entry_hash[,
    received_at]): with received_at, the schedule's rules are applied too. ``shuffles_checked``: the board
    replaying its own log, whose ``mix.shuffled`` proofs it checked before appending them (every other reader
    checks them again).

    Ballot entries are skipped (their rules need the ballots; the caller checks them). ``ballot_payload_at``
    returns the payload of the ballot entry at a seq: the challenged ballots a `tally.encrypted` lists.
    """
    state = ElectionState()
    for seq, kind, payload, entry_hash, *when in entries:
        apply_entry(
            state, seq, kind, payload, entry_hash, ballot_payload_at, received_at=when[0] if when else None, shuffle_checked=shuffles_checked
        )
    return state


def apply_entry(
    state: ElectionState, seq: int, kind: str, payload: Any, entry_hash: bytes, ballot_payload_at: Callable[[int], Any],
    has_cast: Callable[[str], bool] | None = None, received_at: int | None = None, shuffle_checked: bool = False,
) -> None:
    """Apply one entry of a replay (ballot entries are skipped); errors name the entry. ``has_cast``: see
    ``ElectionState.apply`` (None: the replay does not judge which credentials cast a ballot)."""
    if kind in BALLOT_KINDS:
        return
    challenged: list[EncryptedBallot] = []
    try:
        if kind == tl.TALLY_ENCRYPTED and state.definition is not None:
            challenged = challenged_ballots_of(payload, state.definition.manifest, ballot_payload_at)
        state.apply(
            kind, payload, entry_hash=entry_hash, challenged_ballots=challenged, has_cast=has_cast, received_at=received_at, seq=seq,
            shuffle_checked=shuffle_checked,
        )
    except RecordError as exc:
        raise RuleViolation(f"entry {seq} ({kind}): {exc.field}", exc.reason) from None


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
