"""The work done on one chunk of ballots, in a worker process (or a Dask worker, or inline).

For a chunk: decode every ballot with the record's decoder; check the membership in Z_p^r of every α, β (and
contest data C0) of the chunk in one batch (:func:`voting.membership.check_members`, checks 5.A and 6.A);
run the ballot checks of the checklist on each ballot; multiply the cast ballots' encryptions for
Verification 8; and keep a small digest of each ballot for the record-level checks.

Only picklable plain data goes in and out: the :class:`~.checks.common.BallotSetting`, the decoder, the raw
ballots, and a :class:`ChunkResult`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from typing import Callable, Iterable

from ..group import PrimeOrderGroup
from . import checks
from .checks import steps_of
from .checks.aggregation import Products, cast_products
from .checks.common import BallotEnv, BallotSetting
from .findings import Tally, failed, not_applicable
from .model import (
    BallotDecoder,
    BallotDigest,
    BallotRecord,
    BallotState,
    CannotRun,
    Defect,
    DoesNotApplyYet,
    NotYet,
    RawBallot,
    RevealedNonce,
)


@dataclass
class ChunkResult:
    tally: Tally
    digests: list[BallotDigest]
    products: Products
    ballots: int
    cast: int
    challenged: int
    selections: int
    verified_before: int = 0


def ballot_checks(setting: BallotSetting) -> tuple[Callable, ...]:
    """The ballot checks of the record's checklist (evote adds E.5), looked up when a chunk runs."""
    extra = checks.EVOTE_BALLOT_CHECKS if setting.format == "evote" else ()
    return extra + checks.BALLOT_CHECKS


def verify_chunk(setting: BallotSetting, decoder: BallotDecoder, raws: list[RawBallot]) -> ChunkResult:
    """Verify one chunk of ballots. Exceptions outside the checks (a broken decoder, lack of memory) escape
    to the caller, which fails the verification.

    A ballot ``verified_before`` (incremental verification) is decoded for the aggregation and the digests
    only: no membership, proof or signature check runs on it again.
    """
    env = BallotEnv(setting)
    records = [decode(decoder, raw) for raw in raws]
    fresh = [n for n, raw in enumerate(raws) if not raw.verified_before]
    for n, record in zip(fresh, admit([records[n] for n in fresh], setting.group)):
        records[n] = record
    tally = Tally()
    selections = 0
    functions = ballot_checks(setting)
    for n in fresh:
        record = records[n]
        for function in functions:
            run_check(function, (record, env), tally, record.subject)
        if record.ballot is not None:
            selections += sum(len(c.selections) for c in record.ballot.contests)
    return ChunkResult(
        tally=tally,
        digests=[digest(record) for record in records],
        products=cast_products(records),
        ballots=len(records),
        cast=sum(r.state is BallotState.CAST for r in records),
        challenged=sum(r.state is BallotState.CHALLENGED for r in records),
        selections=selections,
        verified_before=len(raws) - len(fresh),
    )


def decode(decoder: BallotDecoder, raw: RawBallot) -> BallotRecord:
    """The decoder's record; a decoder that raises leaves a ballot that fails Verification 5."""
    try:
        return decoder.decode(raw)
    except Exception as exc:  # the ballot cannot be read: it fails, the others go on
        return BallotRecord(
            raw.id,
            raw.origin,
            BallotState.OTHER,
            "",
            None,
            (Defect("5", "", f"could not be decoded: {type(exc).__name__}: {exc}"),),
            raw.device,
            raw.chain_position,
        )


def admit(records: list[BallotRecord], group: PrimeOrderGroup) -> list[BallotRecord]:
    """Check α, β ∈ Z_p^r (5.A, 6.A) and C0 ∈ Z_p^r for every decoded ballot of the chunk in one batch, in the
    record's group (P-256: each a canonical encoding of a point of the curve, not the identity).

    A ballot with a non-member is not decoded further (``ballot`` None, a defect per offending value).
    Every returned record has ``members_checked`` set.
    """
    values, owners = [], []
    for n, record in enumerate(records):
        if record.ballot is None:
            continue
        for ci, contest in enumerate(record.ballot.contests):
            for si, selection in enumerate(contest.selections):
                where = f"contests[{ci}].selections[{si}].encrypted_vote"
                values += [group.written(selection.ciphertext.alpha), group.written(selection.ciphertext.beta)]
                owners += [(n, f"{where}.pad", True), (n, f"{where}.data", True)]
            values.append(group.written(contest.contest_data.C0))
            owners.append((n, f"contests[{ci}].encrypted_contest_data.c0", False))
    defects: dict[int, list[Defect]] = {}
    for index in group.non_members(values, [f"{o[1]}" for o in owners]):
        n, where, vote = owners[index]
        if vote:
            defects.setdefault(n, []).extend([Defect("5.A", where, "is not in Z_p^r"), Defect("6.A", where, "is not in Z_p^r")])
        else:
            defects.setdefault(n, []).append(Defect("5", where, "the contest data's C0 is not in Z_p^r"))
    return [
        dataclasses.replace(
            r, ballot=None if n in defects else r.ballot, defects=r.defects + tuple(defects.get(n, ())), members_checked=True
        )
        for n, r in enumerate(records)
    ]


_NUMBER = re.compile(r"v(\d+)_")


def run_check(function: Callable, args: tuple, tally: Tally, subject: str) -> None:
    """Run one check function into ``tally``. A check that cannot run, or raises, fails every step it
    covers — it never passes and is never skipped silently. A check whose part of the record does not exist
    yet (an election still open) reports its steps as not applicable, with the reason."""
    try:
        tally.extend(function(*args))
    except CannotRun as exc:
        _fail_steps(function, tally, subject, f"cannot run: {exc.reason}", exc.origin)
    except DoesNotApplyYet as exc:
        for step in _steps(function):
            tally.add(not_applicable(step, subject, exc.reason))
    except Exception as exc:
        _fail_steps(function, tally, subject, f"the check raised {type(exc).__name__}: {exc}", "")


def _steps(function: Callable) -> list[str]:
    """The steps the check's docstring lists, else its verification's number (``v8_aggregation``: "8")."""
    steps = list(steps_of(function))
    if steps:
        return steps
    number = _NUMBER.match(function.__name__)
    if number is None:  # a defect of the checklist, not of the record: every check names what it covers
        raise TypeError(f"the check {function.__name__} lists no steps and is not named v<N>_...")
    return [number.group(1)]


def _fail_steps(function: Callable, tally: Tally, subject: str, message: str, origin: str) -> None:
    for step in _steps(function):
        tally.add(failed(step, subject, message, origin))


def digest(record: BallotRecord) -> BallotDigest:
    ballot = record.ballot
    evote = record.board_kind is not None
    return BallotDigest(
        id=record.id,
        origin=record.origin,
        state=record.state.value,
        device=record.device,
        chain_position=record.chain_position,
        confirmation_code=ballot.confirmation_code if ballot else record.confirmation_code,
        aux=ballot.aux if ballot else None,
        contests=tuple(c.contest for c in ballot.contests) if ballot else (),
        decoded=ballot is not None,
        decrypted=record.decryption is not None and not isinstance(record.decryption, NotYet),
        board_seq=record.board_seq,
        board_kind=record.board_kind,
        credential=record.credential,
        revealed=isinstance(record.decryption, RevealedNonce),
        ciphertext_keys=tuple(ciphertext_key(c.alpha) for c in ballot.ciphertexts()) if evote and ballot else (),
        style=record.style,
    )


def ciphertext_key(alpha) -> bytes:
    """SHA-256 of b(α, 512): how the board indexes a ciphertext to refuse copies (E.6)."""
    return hashlib.sha256(alpha.to_bytes()).digest()


def chunks(items: Iterable[RawBallot], size: int):
    chunk: list[RawBallot] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
