"""The parts of an evote election record that ElectionGuard's model has no room for (docs/record-format.md §6-8).

An evote record is the board's export of one election: ``manifest.json``, ``entries.jsonl`` (one entry per
line), ``checkpoint.txt`` (the signed checkpoint) and ``board-key.json``. The reader keeps the export as found
(:class:`BoardExport`, read again line by line by the board checks B.1-B.5), the election's control entries
in seq order with its ballot entries folded into runs (:class:`ControlEntry`, :class:`BallotRun`, replayed by
the rules checks L.1-L.9), and which cast ballots count under the revoting rule (:class:`CountedBallots`, reported
by E.2 and used to label the ballots the workers aggregate).

Memory: control entries are held (their size grows with the manifest, the trustees and the challenged
ballots); the credential list and the revoting rule's map hold one entry per voter; nothing is held per
ballot entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .model import NotYet, Unreadable


@dataclass(frozen=True)
class BoardLine:
    """One line of ``entries.jsonl`` as read; the board checks (B.1, B.4) decide whether it is an entry."""

    position: int  # 0-based line number: the seq the entry must have
    raw: bytes  # the line without its final newline
    item: dict[str, Any] | None  # the line's JSON object, None when it is not one
    problem: str  # why the line is not a JSON object ("" when it is)
    terminated: bool  # the line ended with "\n"


@dataclass(frozen=True)
class BoardExport:
    """The board's export as found, and the board key the verifier was given out of band (if any)."""

    location: str
    manifest: dict[str, Any] | Unreadable  # manifest.json
    board_key: dict[str, Any] | Unreadable  # board-key.json
    checkpoint: str | Unreadable  # checkpoint.txt: the signed note
    lines: Callable[[], Iterator[BoardLine]]  # entries.jsonl, read afresh on each call
    trusted_key: str | None  # a verifier key obtained out of band (--board-key), or None
    trusted_key_origin: str = ""  # where the trusted key came from
    transport: tuple[str, ...] = ()  # faults seen while downloading from a board (URL mode)
    cosigned: tuple[str, ...] | Unreadable | None = None  # checkpoints.jsonl's notes (readers/evote_cosigned.py); None: no such file
    cosigned_origin: str = ""  # where checkpoint.txt's cosignatures come from (a board URL: /checkpoint/cosigned)


@dataclass(frozen=True)
class SavedCheckpoint:
    """The checkpoint of an earlier verification (``--since``), and the board's consistency proof if one was fetched."""

    note: str
    origin: str  # the file it was read from
    proof: tuple[bytes, ...] | None  # from the board (URL mode); None: computed from the export's entries
    proof_origin: str = ""


@dataclass(frozen=True)
class ControlEntry:
    """Any entry that is not a ballot: the election's definition, ceremony, credentials, phases, tally."""

    seq: int
    kind: str
    payload: Any
    entry_hash: bytes  # as written (B.1 checks it)
    received_at: int | None = None  # the board's time (microseconds), as written; None when unreadable
    written: Any = None  # a chunked entry (record-format §13): the payload as written; ``payload`` is then the whole one


@dataclass(frozen=True)
class BallotRun:
    """Consecutive ballot entries between two control entries (the rules only need their place)."""

    first_seq: int
    last_seq: int
    count: int
    first_received_at: int | None = None  # the board's time of the run's first and last ballot (the schedule's rule)
    last_received_at: int | None = None


Event = ControlEntry | BallotRun


@dataclass(frozen=True)
class CountedBallots:
    """Which ``ballot.cast`` entries count (record-format §8.3), computed while the entries are read."""

    revote_rule: str
    counted: frozenset[int]  # seqs of the counted cast ballots, one per credential
    cast_entries: int  # ballot.cast entries in the voting period
    superseded: tuple[int, ...]  # 'last': earlier casts of a credential that cast again
    second_casts: tuple[tuple[bytes, int, int], ...]  # 'first': (credential, counted seq, later seq) the board must refuse
    outside: tuple[int, ...]  # ballot.cast entries before the election opened or after it closed (never counted)
    unreadable: tuple[int, ...]  # ballot.cast entries whose credential cannot be read (cannot be counted)
    first_cast: dict[bytes, int] = field(default_factory=dict)  # credential -> seq of its first cast in the period


@dataclass
class EvoteParts:
    """Everything of an evote record beyond the ElectionGuard model."""

    election_id: str | None
    export: BoardExport
    events: tuple[Event, ...]  # control entries and ballot runs, in seq order
    ballot_payload_at: Callable[[int], Any]  # the payload of the ballot.challenged entry at a seq (tally.encrypted)
    counting: CountedBallots | Unreadable | NotYet
    saved: SavedCheckpoint | None = None  # --since
    since_size: int | None = None  # the saved checkpoint's size: entries below it were verified before
    entries: int = 0  # lines in entries.jsonl
    stage: str = ""  # how far the election got, from the kinds of its entries: "open (no tally yet)"
    credential_list: Any = None  # the list in force at opening, read once (checks/credential_lists.py)
    trust: Any = None  # the witness policy and trust anchors required (anchors.ClientTrust): section W; None: no policy
    registrar_key: str | None = None  # the registrar's key obtained out of band (--registrar-key, or the anchors'): E.9
    registrar_key_origin: str = ""
    memo: dict[Any, Any] = field(default_factory=dict)  # costly results the checks share (proofs of shuffle, the mix's rows)

    def statistics(self) -> dict[str, Any]:
        key = self.export.trusted_key_origin if self.export.trusted_key else "the record's own (not compared with a key obtained out of band: --board-key)"
        statistics = {"election_id": self.election_id, "entries": self.entries, "stage": self.stage, "since": self.since_size, "board_key": key}
        if self.trust is not None:
            statistics["witness_policy"] = f"{self.trust.policy.describe()}, from {self.trust.source}"
        return statistics

    def control(self, *kinds: str) -> Iterator[ControlEntry]:
        """The control entries of the given kinds (all if none given), in seq order."""
        for event in self.events:
            if isinstance(event, ControlEntry) and (not kinds or event.kind in kinds):
                yield event

    def first(self, kind: str) -> ControlEntry | None:
        return next(self.control(kind), None)
