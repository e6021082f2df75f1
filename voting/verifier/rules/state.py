"""What the verifier has observed of an election so far, entry by entry (record-format §8.2).

Phases, in the words of the record format: ``key ceremony`` (from election.created), ``key ceremony
failed``, ``confirming`` (after a complete keygen.result), ``ready`` (every trustee confirmed), ``open``,
``closed``, ``tallying`` (from tally.encrypted) and ``tallied``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ...context import ElectionContext
from ...encrypted_ballot import EncryptedBallot
from ...errors import EncodingError
from ...hashed_elgamal import HashedCiphertext
from ...joint_decryption import DecryptionChallenge, DecryptionShare, Item
from ...key_ceremony import GuardianCommitments
from ...record.election import ElectionDefinition
from ...record.keygen import KeygenResult, RevealedShare
from ...record.tallying import TallyRecord, TallyResult

if TYPE_CHECKING:
    from .chunks import ChunkLedger

KEY_CEREMONY, KEY_CEREMONY_FAILED, CONFIRMING, READY = "key ceremony", "key ceremony failed", "confirming", "ready"
OPEN, CLOSED, TALLYING, TALLIED, CANCELLED = "open", "closed", "tallying", "tallied", "cancelled"
BEFORE_OPENING = (KEY_CEREMONY, CONFIRMING, READY)


class RuleBroken(EncodingError):
    """An entry the election's rules do not allow where it stands; ``field`` names what is wrong."""


@dataclass(frozen=True)
class EntryFacts:
    """What a rule may need besides the payload: the entry's own hash and the ballots it refers to."""

    entry_hash: bytes
    ballot_at: Callable[[int], Any]  # the payload of the ballot entry at a seq (KeyError when there is none)
    received_at: int | None = None  # the board's time of the entry (microseconds); None: not known here
    seq: int | None = None  # the entry's seq (a chunk's; the parts a chunked entry names are seqs)
    mix_rows: Callable[[str], Any] | None = None  # a contest label -> (seqs, rows) its mix.input must hold (§12.2)


@dataclass
class Round:
    """One decryption round (record-format §8.2: decryption.share ... decryption.failed or tally.result)."""

    number: int
    shares: dict[int, DecryptionShare] = field(default_factory=dict)
    challenge: DecryptionChallenge | None = None
    responses: dict[int, tuple] = field(default_factory=dict)


def _ledger() -> ChunkLedger:
    from .chunks import ChunkLedger  # chunks.py raises this module's RuleBroken

    return ChunkLedger()


@dataclass
class Observed:
    """Everything the rules need from the entries before the one being checked."""

    definition: ElectionDefinition | None = None
    phase: str = "none"
    commitments: dict[int, GuardianCommitments] = field(default_factory=dict)
    shares: dict[int, dict[int, HashedCiphertext]] = field(default_factory=dict)
    complaints: dict[int, list[int]] = field(default_factory=dict)  # receiver -> accused senders
    revealed: dict[tuple[int, int], RevealedShare] = field(default_factory=dict)  # (sender, receiver)
    keygen: KeygenResult | None = None
    keygen_entry_hash: bytes = b""
    confirmed: set[int] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)
    listed_as: dict[str, tuple] = field(default_factory=dict)  # registrar elections: key -> (style, weight)
    registrar_accepted: bool = False
    roll: Any = None  # the registrar's RollCommitment
    cast_by: set[str] = field(default_factory=set)  # credentials that cast a ballot (registrar.replaced)
    schedule: Any = None  # the voting window (voting/record/schedule.py Schedule): election.created's, then .scheduled/.extended
    context: ElectionContext | None = None
    tally: TallyRecord | None = None
    challenged: tuple[EncryptedBallot, ...] = ()
    items: list[Item] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)
    excluded: dict[int, str] = field(default_factory=dict)
    result: TallyResult | None = None
    chunks: ChunkLedger = field(default_factory=_ledger)  # record-format §13
    mix_inputs: dict[str, Any] = field(default_factory=dict)  # contest label -> its mix.input (record-format §12.2)
    mixes: dict[str, list] = field(default_factory=dict)  # contest label -> its mix.shuffled, in order
    shuffle_check: Callable[..., None] | None = None  # (inputs, shuffled, context): raises when the proof fails

    def need(self, condition: bool, reason: str, where: str = "kind") -> None:
        if not condition:
            raise RuleBroken(where, reason)

    def need_phase(self, kind: str, *phases: str) -> None:
        self.need(self.phase in phases, f"{kind} is not allowed while the election is {self.phase!r}")

    @property
    def n(self) -> int:
        return self.definition.n if self.definition else 0

    @property
    def k(self) -> int:
        return self.definition.k if self.definition else 0

    @property
    def round(self) -> Round:
        return self.rounds[-1]

    # The values below exist once the entry that defines them was allowed; a rule that needs one earlier is
    # refused, never crashed.

    @property
    def election(self) -> ElectionDefinition:
        if self.definition is None:
            raise RuleBroken("kind", "the first entry of an election is election.created")
        return self.definition

    @property
    def key(self) -> ElectionContext:
        if self.context is None:
            raise RuleBroken("kind", "the key ceremony has no complete result yet")
        return self.context

    @property
    def tally_record(self) -> TallyRecord:
        if self.tally is None:
            raise RuleBroken("kind", "the election has no encrypted tally yet")
        return self.tally

    def open_challenge(self) -> DecryptionChallenge:
        challenge = self.round.challenge
        if challenge is None:
            raise RuleBroken("round", "no open challenge in this round")
        return challenge
