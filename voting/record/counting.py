"""Which ballots count, and their encrypted tally (record-format §8.3; SPEC §3.5).

One ballot counts per credential: with the `last` revoting rule the cast ballot with the highest seq, with
`first` the only one the board accepted. Challenged ballots never count. Counting reads the ballot entries
twice — first only their credentials and seqs, then the counted ballots' ciphertexts — so memory grows
with the number of voters' seqs, not with the ballots' size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Mapping

from ..encoding import parse_digest
from ..encrypted_ballot import EncryptedBallot
from ..manifest import Manifest
from ..tally import EncryptedTally, TallyAccumulator
from .common import RecordError
from .submission import Submission, parse_submission
from .tallying import ChallengedRef, TallyRecord, counted_digest

CAST_KIND = "ballot.cast"
CHALLENGED_KIND = "ballot.challenged"


@dataclass(frozen=True)
class BallotHeader:
    """What the first pass reads of a ballot entry."""

    seq: int
    kind: str
    credential: str
    confirmation_code: bytes
    revealed: bool


def header_of(seq: int, kind: str, payload: dict) -> BallotHeader:
    """Read a ballot entry's header without decoding its ciphertexts."""
    try:
        code = parse_digest(payload["ballot"]["confirmation_code"], "ballot.confirmation_code")
        credential = payload["credential"]
    except (KeyError, TypeError):
        raise RecordError(f"entry {seq}", "is not a ballot submission") from None
    return BallotHeader(seq, kind, credential, code, "reveal" in payload)


@dataclass
class Counting:
    """Result of the first pass: the counted seq of each credential, superseded seqs, challenged ballots."""

    revote_rule: str
    counted: dict[str, int] = field(default_factory=dict)
    superseded: list[int] = field(default_factory=list)
    challenged: list[BallotHeader] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def add(self, header: BallotHeader) -> None:
        if header.kind == CHALLENGED_KIND:
            self.challenged.append(header)
            return
        previous = self.counted.get(header.credential)
        if previous is not None:
            if self.revote_rule == "first":
                self.violations.append(f"entry {header.seq}: a second cast ballot for one credential under the 'first' rule")
                return
            self.superseded.append(previous)
        self.counted[header.credential] = header.seq

    @property
    def counted_seqs(self) -> set[int]:
        return set(self.counted.values())

    @property
    def unrevealed_challenges(self) -> list[BallotHeader]:
        """Challenged ballots whose nonce the booth did not reveal: the trustees decrypt them."""
        return [h for h in self.challenged if not h.revealed]


def count(headers: Iterable[BallotHeader], revote_rule: str) -> Counting:
    counting = Counting(revote_rule)
    for header in sorted(headers, key=lambda h: h.seq):
        counting.add(header)
    return counting


def aggregate_counted(
    manifest: Manifest,
    counting: Counting,
    ballots: Iterator[tuple[int, Submission]],
    challenged: list[EncryptedBallot],
    weights: Mapping[str, int] | None = None,
) -> TallyRecord:
    """Second pass: the product of the counted ballots (eq. 62) and the `tally.encrypted` record.

    ``ballots`` yields (seq, parsed submission) for every ballot entry in increasing seq. ``weights`` maps
    each eligible credential to its weight (version-2 lists: each ballot's ciphertexts are raised to it,
    record-format §8.3); None for an unweighted tally.
    """
    counted = counting.counted_seqs
    accumulator = TallyAccumulator(manifest, weighted=weights is not None)
    codes = []
    for seq, submission in ballots:
        if seq in counted:
            weight = 1
            if weights is not None:
                if submission.credential not in weights:
                    raise RecordError(f"entry {seq}", "a counted ballot's credential has no weight on the credential list")
                weight = weights[submission.credential]
            accumulator.add(submission.ballot, weight)
            codes.append(submission.ballot.confirmation_code)
    if len(codes) != len(counted):
        raise RecordError("ballots", f"{len(counted) - len(codes)} counted ballot(s) missing from the second pass")
    tally: EncryptedTally = accumulator.result()
    refs = tuple(ChallengedRef(h.seq, h.confirmation_code) for h in counting.unrevealed_challenges)
    if len(challenged) != len(refs):
        raise RecordError("challenged", "one encrypted ballot per unrevealed challenge is needed")
    return TallyRecord(tally, counted_digest(codes), refs)


def tally_from_entries(
    manifest: Manifest,
    revote_rule: str,
    ballot_entries: Callable[[], Iterable[tuple[int, str, dict]]],
    *,
    cast_checked_by_board: bool,
    weights: Mapping[str, int] | None = None,
) -> tuple[TallyRecord, list[EncryptedBallot]]:
    """The `tally.encrypted` record recomputed from an election's ballot entries, read twice through
    ``ballot_entries()`` (seq, kind, payload in increasing seq): headers first, then the counted ballots.

    ``cast_checked_by_board`` skips the subgroup checks of the cast ballots' ciphertexts for callers that
    rely on the board's check at submission (the aggregates are checked when the tally is parsed);
    challenged ballots, which the trustees decrypt one by one, are always checked in full.
    """
    counting = count((header_of(seq, kind, payload) for seq, kind, payload in ballot_entries()), revote_rule)
    unrevealed = {h.seq for h in counting.unrevealed_challenges}
    challenged = [parse_submission(payload, manifest).ballot for seq, _, payload in ballot_entries() if seq in unrevealed]
    counted = counting.counted_seqs
    cast = (
        (seq, parse_submission(payload, manifest, membership_checked_by_board=cast_checked_by_board))
        for seq, kind, payload in ballot_entries()
        if kind == CAST_KIND and seq in counted
    )
    return aggregate_counted(manifest, counting, cast, challenged, weights), challenged
