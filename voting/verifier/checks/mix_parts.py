"""What section M reads of an evote record: the counted ballots' rows, the mix entries and the decrypted rows
(docs/record-format.md §12). Costly readings are kept in the record's memo, read once per verification.

* :func:`counted_rows`: for each contest with counting, the counted ballots (section E.2, the verifier's own
  counting of record-format §8.3) that have the contest, in seq order, and each one's ciphertexts of the contest
  in manifest option order: what its ``mix.input`` must hold. The ballots are read again from ``entries.jsonl``,
  one line at a time.
* :func:`mix_entries`: each contest's ``mix.input`` and its ``mix.shuffled`` entries in seq order, as posted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...errors import VotingError
from ...manifest import Contest, Manifest
from ...record import mixing as mx
from ...record.submission import parse_submission
from ..model import CannotRun, ElectionRecord, require
from ..model_evote import ControlEntry, CountedBallots, EvoteParts
from ..readers.evote_entries import entry_fields
from ..shuffles import ShuffleChecker
from .eligibility import CAST_KIND

Rows = tuple[mx.Row, ...]


def parts_of(record: ElectionRecord) -> EvoteParts:
    return require(record.evote, "evote election entries")


def manifest_of(record: ElectionRecord) -> Manifest:
    return require(require(record.parameters, "election parameters").manifest, "manifest")


def shuffle_checker(parts: EvoteParts) -> ShuffleChecker:
    """One checker per record: section L's replay and M.2 share the generators and the verdicts."""
    return parts.memo.setdefault("shuffles", ShuffleChecker())


def counted_rows(parts: EvoteParts, manifest: Manifest) -> dict[str, tuple[tuple[int, ...], Rows]]:
    """contest label -> (the counted ballots that have it, their rows); :class:`CannotRun` when a counted ballot
    cannot be read (it has no row, so no mix input can be checked)."""
    key = ("counted rows", id(manifest))
    if key not in parts.memo:
        parts.memo[key] = _read_counted_rows(parts, manifest)
    return parts.memo[key]


def _read_counted_rows(parts: EvoteParts, manifest: Manifest) -> dict[str, tuple[tuple[int, ...], Rows]]:
    counting: CountedBallots = require(parts.counting, "counting of the ballots (E.2)")
    labels = {c.label for c in mx.counting_contests(manifest)}
    seqs: dict[str, list[int]] = {label: [] for label in labels}
    rows: dict[str, list[mx.Row]] = {label: [] for label in labels}
    for line in parts.export.lines():
        fields = entry_fields(line.item)
        if fields is None or fields[1] != CAST_KIND or fields[0] not in counting.counted:
            continue
        try:  # compared for equality only: membership in Z_p^r is 5.A's, of every ballot
            ballot = parse_submission(line.item.get("payload"), manifest, membership_checked_by_board=True).ballot  # type: ignore[union-attr]
        except VotingError as exc:
            raise CannotRun(
                f"the counted ballot at seq {fields[0]} cannot be read: {exc}", f"entries.jsonl: seq {fields[0]}"
            ) from None
        for contest in ballot.contests:
            if contest.contest in labels:
                described = manifest.contest(contest.contest)
                assert described is not None  # the parser checked the ballot against the manifest
                by_option = {s.option: s.ciphertext for s in contest.selections}
                seqs[contest.contest].append(fields[0])
                rows[contest.contest].append(tuple(by_option[o.label] for o in described.options))
    return {label: (tuple(seqs[label]), tuple(rows[label])) for label in labels}


@dataclass(frozen=True)
class PostedMix:
    """One ``mix.shuffled`` as posted: who, where, and its parsed body (or why it cannot be read)."""

    seq: int
    server: str  # "mix server 2 (Bob)"
    body: mx.MixShuffled | None
    problem: str = ""

    @property
    def where(self) -> str:
        return f"entries.jsonl: seq {self.seq} (mix.shuffled)"


@dataclass
class ContestMix:
    """A contest with counting: its mix input (the first posted), and its mixes in seq order."""

    contest: Contest
    input: mx.MixInput | None = None
    input_seq: int | None = None
    input_problem: str = "the record has no mix.input for this contest"
    mixes: list[PostedMix] = field(default_factory=list)

    def output(self) -> Rows:
        """The last output as posted: the last mix's rows, else the input's (none when unreadable)."""
        for mix in reversed(self.mixes):
            return mix.body.rows if mix.body is not None else ()
        return self.input.rows if self.input is not None else ()


def trustee_names(parts: EvoteParts) -> dict[Any, str]:
    """The trustees' names by index as election.created lists them (for naming a mix server only)."""
    created = parts.first("election.created")
    payload = created.payload if created is not None else None
    guardians = payload.get("guardians") if isinstance(payload, dict) else None
    trustees = guardians.get("trustees") if isinstance(guardians, dict) else None
    if not isinstance(trustees, list):
        return {}
    return {t.get("index"): str(t.get("name")) for t in trustees if isinstance(t, dict) and isinstance(t.get("index"), int)}


def server_words(index: object, names: dict[Any, str]) -> str:
    return f"mix server {index} ({names.get(index, 'not a trustee of the election')})"


def mix_entries(record: ElectionRecord) -> dict[str, ContestMix]:
    """Each contest with counting (manifest order) with its mix entries as posted."""
    parts, manifest = parts_of(record), manifest_of(record)
    key = ("mix entries", id(manifest))
    if key not in parts.memo:
        parameters = require(record.parameters, "election parameters")
        parts.memo[key] = _read_mix_entries(parts, manifest, parameters.n)
    return parts.memo[key]


def _read_mix_entries(parts: EvoteParts, manifest: Manifest, n: int) -> dict[str, ContestMix]:
    contests = {c.label: ContestMix(c) for c in mx.counting_contests(manifest)}
    names = trustee_names(parts)
    for entry in parts.control(mx.MIX_INPUT, mx.MIX_SHUFFLED):
        if entry.kind == mx.MIX_INPUT:
            _read_input(contests, entry, manifest)
        else:
            _read_mix(contests, entry, manifest, n, names)
    return contests


def _read_input(contests: dict[str, ContestMix], entry: ControlEntry, manifest: Manifest) -> None:
    label = entry.payload.get("contest") if isinstance(entry.payload, dict) else None
    contest = contests.get(label) if isinstance(label, str) else None
    if contest is None or contest.input_seq is not None:
        return  # section L reports a mix input for no contest with counting, or a second one
    contest.input_seq = entry.seq
    try:
        contest.input = mx.parse_mix_input(entry.payload, manifest)
    except VotingError as exc:
        contest.input_problem = f"the mix input at seq {entry.seq} cannot be read: {exc}"


def _read_mix(contests: dict[str, ContestMix], entry: ControlEntry, manifest: Manifest, n: int, names: dict) -> None:
    payload = entry.payload
    body = payload.get("body") if isinstance(payload, dict) else None
    label = body.get("contest") if isinstance(body, dict) else None
    contest = contests.get(label) if isinstance(label, str) else None
    if contest is None:
        return  # section L reports a mix of no contest with counting
    signer = payload.get("signer")
    server = server_words(signer, names)
    try:
        if body.get("guardian") != signer:  # type: ignore[union-attr]
            raise VotingError(f"body.guardian is {body.get('guardian')!r}, the message is signed by {signer!r}")  # type: ignore[union-attr]
        contest.mixes.append(PostedMix(entry.seq, server, mx.parse_mix_shuffled(body, manifest, n)))
    except VotingError as exc:
        contest.mixes.append(PostedMix(entry.seq, server, None, f"cannot be read: {exc}"))
