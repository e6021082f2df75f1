"""The abstract election record: what every reader produces and every check reads.

Values are kept **as written** in the record: group elements and scalars as integers (only their encoding
and 0 < x < p have been checked by the reader; on P-256 an element is the integer of its 33 encoded bytes),
hashes as bytes. The record names its group (:attr:`ElectionRecord.group`, a
:class:`voting.group.PrimeOrderGroup`), in which every check computes. The checks decide whether they are
correct — membership in Z_p^r (2.A, 5.A), scalars in Z_q (2.B, 5.C, 9.A), and every equation. A part that
a reader could not read at all is an :class:`Unreadable` naming the file, the field and the reason; every
check that needs it then fails with that reason.

Ballots are streamed: the record gives an iterator of :class:`RawBallot` (cheap, read by the reader in the
main process) and a picklable :class:`BallotDecoder` that turns each into a :class:`BallotRecord` inside a
worker. Nothing holds all ballots at once.

Readers for other implementations say where their byte layouts depart from the SPEC through
:class:`Conventions`; the checks use those hooks and nothing else of the reader.

A part that the record does not have *yet* — the tally of an election that is still open — is a
:class:`NotYet` with the reason; the steps that need it then do not apply, and say why. The evote record's
own parts (the board export, the election's entries, the counting) are in :mod:`.model_evote`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, TypeVar

from ..context import ElectionContext
from ..encrypted_ballot import EncryptedBallot
from ..group import STANDARD, PrimeOrderGroup
from ..hashed_elgamal import HashedCiphertext
from ..manifest import Contest, Manifest

if TYPE_CHECKING:
    from .model_evote import EvoteParts


class RecordUnreadable(Exception):
    """The path is not an election record of the requested format at all (the CLI exits with 2)."""


@dataclass(frozen=True)
class Unreadable:
    """A part of the record that could not be read."""

    origin: str  # file, relative to the record
    field: str  # field path inside the file; "" for the whole file
    reason: str

    def __str__(self) -> str:
        where = f"{self.origin}: {self.field}" if self.field else self.origin
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class NotYet:
    """A part the record does not have yet, because the election has not reached it (a live board)."""

    reason: str  # "the election is open: the tally comes after it closes (last entry: seq 41)"


class CannotRun(Exception):
    """A check needs a part of the record that is unreadable or absent; the check then fails."""

    def __init__(self, reason: str, origin: str = ""):
        self.reason = reason
        self.origin = origin
        super().__init__(reason)


class DoesNotApplyYet(Exception):
    """A check needs a part the record does not have yet (:class:`NotYet`); its steps do not apply."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


T = TypeVar("T")


def require(part: T | Unreadable | NotYet | None, what: str) -> T:
    """``part`` itself; :class:`CannotRun` naming what is missing and why; or :class:`DoesNotApplyYet`."""
    if part is None:
        raise CannotRun(f"the record has no {what}")
    if isinstance(part, Unreadable):
        raise CannotRun(f"{what} could not be read: {part}", part.origin)
    if isinstance(part, NotYet):
        raise DoesNotApplyYet(part.reason)
    return part


# --- election parameters and key ceremony (SPEC §3.1-3.2) -------------------------------------------


@dataclass(frozen=True)
class GroupConstants:
    """p, q, r, g as written in the record (None where the record does not state one)."""

    p: int | None
    q: int | None
    r: int | None
    g: int | None
    origin: str

    def written(self, name: str) -> int | None:
        """The constant named ``name`` (p, q, r or g) as written."""
        return getattr(self, name) if name in ("p", "q", "r", "g") else None


@dataclass(frozen=True)
class CurveConstants:
    """An elliptic-curve group as written (egk-ec's constants.json names): y² = x³ + ax + b over F_p, the
    generator (g.x, g.y), its order and the cofactor h; None where the record does not state one."""

    values: tuple[tuple[str, int | None], ...]  # ("primeModulus", p), ("a", a), ("b", b), ("order", n), ...
    origin: str

    def written(self, name: str) -> int | None:
        return dict(self.values).get(name)


@dataclass(frozen=True)
class Parameters:
    spec_version: str  # the version string the record claims (1.A)
    constants: GroupConstants | CurveConstants | Unreadable
    n: int
    k: int
    H_P: bytes
    H_M: bytes
    H_B: bytes
    manifest_bytes: bytes | Unreadable  # the bytes hashed into H_M (1.G)
    manifest: Manifest | Unreadable  # with the record's own contest and option indices
    origin: str


@dataclass(frozen=True)
class SchnorrRecord:
    """c_{i,j} (a 32-byte hash output) and v_{i,j} (an integer < 2^256 as written; 2.B checks v < q)."""

    c: bytes
    v: int


@dataclass(frozen=True)
class GuardianRecord:
    index: int  # i, the guardian's sequence number (x coordinate)
    name: str
    commitments: tuple[int, ...]  # K_{i,0}, ..., K_{i,k-1}
    proofs: tuple[SchnorrRecord, ...]
    origin: str


@dataclass(frozen=True)
class KeyCeremony:
    K: int
    H_E: bytes
    guardians: tuple[GuardianRecord | Unreadable, ...]
    origin: str


# --- ballots (SPEC §3.3-3.4) ------------------------------------------------------------------------


class BallotState(str, Enum):
    CAST = "cast"
    CHALLENGED = "challenged"
    OTHER = "other"  # neither cast nor challenged (egk's UNKNOWN): checked, never counted


@dataclass(frozen=True)
class RawBallot:
    """One ballot as found by the reader, before decoding; ``payload`` is reader-specific and picklable."""

    id: str
    origin: str
    payload: Any
    device: str | None = None
    chain_position: int | None = None  # position in the device's recorded chain listing (7.E)
    decryption: Any = None  # reader-specific payload of the ballot's decryption, if the record has one
    decryption_origin: str | None = None
    verified_before: bool = False  # checked by an earlier run (incremental): only decoded, aggregated and digested


@dataclass(frozen=True)
class Defect:
    """A value of a ballot that could not be decoded, filed under the check that covers it."""

    check: str
    where: str  # "contests[0].selections[1].proof.proofs[0].response"
    reason: str


@dataclass(frozen=True)
class DecryptedSelection:
    """One decrypted option: t and T = K^t (tally) or σ and S (challenged ballot), with the proof (c, v)."""

    option: str
    value: int  # t or σ
    element: int  # T or S
    c: bytes
    v: int
    ciphertext: tuple[int, int] | None  # (A, B) or (α, β) if the record repeats it next to the decryption
    where: str


@dataclass(frozen=True)
class WrittenContestData:
    """A contest data ciphertext (C0, C1, C2) as written; ``extra`` holds a format's own fields (egk: numBytes)."""

    C0: int
    C1: bytes
    C2: bytes
    extra: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class ContestDataDecryption:
    """β = C0^s with the proof (c, v) of SPEC §3.6.4."""

    encrypted: WrittenContestData
    beta: int
    c: bytes
    v: int
    where: str


@dataclass(frozen=True)
class DecryptedContest:
    contest: str
    selections: tuple[DecryptedSelection | Unreadable, ...]
    contest_data: ContestDataDecryption | Unreadable | None
    where: str


@dataclass(frozen=True)
class Decryption:
    """A decrypted tally or a decrypted challenged ballot (SPEC §3.6.3, §3.6.5)."""

    contests: tuple[DecryptedContest, ...]
    origin: str
    ballot_id: str | None = None  # the challenged ballot's id as written in its decryption


@dataclass(frozen=True)
class RevealedNonce:
    """A challenged ballot opened with its ballot nonce ξ_B and the claimed choices (SPEC §3.6.5, evote)."""

    ballot_nonce: bytes
    choices: dict[str, Any]
    origin: str


@dataclass(frozen=True)
class BallotRecord:
    """One decoded ballot. ``ballot`` is None when a value could not be decoded (see ``defects``).

    ``members_checked`` is False until the worker has checked α, β ∈ Z_p^r for the whole chunk (5.A, 6.A);
    checks refuse ballots that were not checked.
    """

    id: str
    origin: str
    state: BallotState
    style: str
    ballot: EncryptedBallot | None
    defects: tuple[Defect, ...] = ()
    device: str | None = None
    chain_position: int | None = None
    decryption: Decryption | RevealedNonce | Unreadable | NotYet | None = None
    members_checked: bool = False
    # evote: filled by the evote reader
    credential: bytes | None = None  # the Ed25519 public key that signed the submission
    signature: bytes | None = None
    board_seq: int | None = None
    board_kind: str | None = None  # "ballot.cast" or "ballot.challenged"
    action: str | None = None  # the submission's "cast" or "challenge"
    confirmation_code: bytes | None = None  # as written, readable even when the ballot's ciphertexts are not
    contest_data: bytes | None = None  # credentials.contest_data_digest of the ballot as written (signed, E.5)
    weight: int = 1  # its credential's weight in a version-2 election (record-format §8.3), by which 8 raises it

    @property
    def subject(self) -> str:
        return f"ballot {self.id}"


class BallotDecoder(Protocol):
    """Turns a reader's :class:`RawBallot` into a :class:`BallotRecord`; must be picklable (sent to workers)."""

    def decode(self, raw: RawBallot) -> BallotRecord: ...


@dataclass(frozen=True)
class BallotDigest:
    """What the record-level checks need to know of one ballot after it was checked (kept on disk)."""

    id: str
    origin: str
    state: str
    device: str | None
    chain_position: int | None
    confirmation_code: bytes | None
    aux: bytes | None
    contests: tuple[str, ...]  # contest labels on the ballot
    decoded: bool  # its encryptions could be decoded (else it failed Verification 5)
    decrypted: bool  # the record has a decryption for it
    # evote: what the eligibility and copying checks need (E.1-E.8)
    board_seq: int | None = None
    board_kind: str | None = None
    credential: bytes | None = None
    revealed: bool = False  # a challenged ballot opened with its nonce (no trustee decryption)
    ciphertext_keys: tuple[bytes, ...] = ()  # SHA-256 of b(α, 512) for each selection, as the board indexes them
    style: str = ""  # the ballot style it says it is (E.7)


# --- aggregation and tally (SPEC §3.5-3.6) ----------------------------------------------------------


@dataclass(frozen=True)
class TallyEntry:
    contest: str
    option: str
    A: int
    B: int
    where: str


@dataclass(frozen=True)
class EncryptedTallyRecord:
    entries: tuple[TallyEntry, ...]
    cast_ballot_ids: tuple[str, ...] | None  # when the record lists the ballots it aggregated
    origin: str


# --- ballot chaining (SPEC §3.4.3) ------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceChain:
    device: str
    aux0: bytes  # B_aux,0 of this device
    listed_ids: tuple[str, ...] | None  # the chain's ballots in order, when the record lists them
    recorded_H0: bytes | None
    last_code: bytes | None
    closing_hash: bytes | None
    origin: str


@dataclass(frozen=True)
class Chaining:
    enabled: bool
    devices: tuple[DeviceChain | Unreadable, ...]
    origin: str


# --- where an implementation's byte layouts depart from the SPEC ------------------------------------


ContestDataChallenge = Callable[[ElectionContext, HashedCiphertext, Any, Any, Any], bytes]
OpenContestData = Callable[[ElectionContext, Contest, WrittenContestData, int], "bytes | None"]


@dataclass(frozen=True)
class Conventions:
    """How a record's producer computes what the SPEC leaves open or states differently.

    The defaults are the SPEC's (and evote's). Every field is a module-level function, so a record's
    conventions travel to worker processes by reference.
    """

    name: str
    contest_data_challenge: ContestDataChallenge  # eq. 81
    open_contest_data: OpenContestData  # D from β (eqs. 86-89), or None when C2 ≠ HMAC(k_0, C0 ∥ C1)
    first_chain_aux: Callable[[bytes, bytes], bytes]  # B_aux,1 from (H_0, B_aux,0): eq. 60 gives H_0 ∥ B_aux,0
    aux0_identifies_device: bool  # 7.D: B_aux,0 is unique per device
    notes: tuple[str, ...] = ()  # departures from the SPEC, shown in the report


# --- the record -------------------------------------------------------------------------------------


@dataclass
class ElectionRecord:
    format: str
    location: str
    conventions: Conventions
    parameters: Parameters | Unreadable
    key_ceremony: KeyCeremony | Unreadable | NotYet
    chaining: Chaining | Unreadable | None
    encrypted_tally: EncryptedTallyRecord | Unreadable | NotYet | None
    decrypted_tally: Decryption | Unreadable | NotYet | None
    decryption_ids: tuple[str, ...]  # ids of every challenged-ballot decryption in the record
    ballots: Callable[[], Iterator[RawBallot]]
    decoder: BallotDecoder
    ballot_count: int | None = None  # known in advance for a progress bar, when cheap to know
    ballots_optional: bool = False  # a record without ballots is complete (a live board): ballot steps do not apply
    evote: EvoteParts | None = None  # the board export and the election's entries (evote records)
    group: PrimeOrderGroup = STANDARD  # the group the record names; every check computes in it
    closers: list[Callable[[], None]] = field(default_factory=list)  # temporary files of the reader

    def close(self) -> None:
        """Release what the reader holds (a downloaded record's temporary directory)."""
        while self.closers:
            self.closers.pop()()


@dataclass
class StreamSummary:
    """Facts gathered while the ballots streamed past, for the record-level checks (7.C-7.G, 8, 10.E, 12).

    ``digests`` re-reads the per-ballot digests in stream order from disk; ``products`` holds, for every
    (contest, option), the product of the cast ballots' (α, β) as elements of the record's group — one pair
    per option, not per ballot.
    ``interrupted`` says why the stream did not complete, if it did not.
    """

    ballots: int
    cast: int
    challenged: int
    selections: int
    products: dict[tuple[str, str], tuple[Any, Any]]
    digests: Callable[[], Iterator[BallotDigest]]
    interrupted: str | None = None
    verified_before: int = 0  # ballots checked by an earlier run (incremental): decoded, aggregated, not re-checked
