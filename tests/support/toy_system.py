"""A made-up voting system for testing the runner of other systems' checklists (voting/verifier/run_systems.py):
its ballots are integers, each must be even (TS.1), their sum must equal the record's stated total (TS.2),
and its "key proof" (TK.1) is a weak-Fiat-Shamir step. Module-level classes, so worker processes unpickle them."""

from __future__ import annotations

from dataclasses import dataclass, field

from voting.verifier.findings import failed, passed
from voting.verifier.systems import Section


@dataclass
class Sum:
    total: int = 0
    seen: list[int] = field(default_factory=list)

    def merge(self, other: Sum) -> None:
        self.total += other.total
        self.seen.extend(other.seen)


@dataclass(frozen=True)
class Setting:
    def new_accumulator(self) -> Sum:
        return Sum()


@dataclass(frozen=True)
class ToyBallot:
    number: int
    value: int

    @property
    def subject(self) -> str:
        return f"ballot {self.number}"


def ts1_even(setting: Setting, ballot: ToyBallot, acc: Sum):
    """(TS.1) every ballot is even"""
    acc.total += ballot.value
    acc.seen.append(ballot.number)
    if ballot.value % 2:
        yield failed("TS.1", ballot.subject, "the ballot is odd", f"ballots[{ballot.number}]", expected="even", found=ballot.value)
    else:
        yield passed("TS.1", ballot.subject)


def ts2_total(record: ToyRecord, acc: Sum):
    """(TS.2) the ballots add up to the stated total"""
    if acc.total != record.total:
        yield failed("TS.2", "the total", "the sum differs", "total", expected=record.total, found=acc.total)
    else:
        yield passed("TS.2", "the total")


def ts3_key_proof(record: ToyRecord):
    """(TK.1) the key's proof checks

    (TK.2) a step no check reports on when the record says so"""
    yield passed("TK.1", "the key")
    if not record.silent:
        yield passed("TK.2", "the key")


def ts5_raises(record: ToyRecord):
    """(TK.3) a check that raises when the record says so"""
    if record.explode:
        raise KeyError("boom")
    yield passed("TK.3", "the record")


class ToyRecord:
    format = "helios"
    conventions = "toy system 1"
    notes = ("a toy cannot prove anything",)
    setting = Setting()

    def __init__(self, values, total, *, silent=False, explode=False, location="toy"):
        self.values, self.total, self.silent, self.explode, self.location = list(values), total, silent, explode, location
        self.statistics: dict = {}
        self.sections = (
            Section("TK", "Keys", "toy spec §1", record=(ts3_key_proof, ts5_raises), weak_fiat_shamir=("TK.1",)),
            Section("TS", "Ballots", "toy spec §2", ballot=(ts1_even,), summary=(ts2_total,)),
        )

    def ballots(self):
        return (ToyBallot(n, v) for n, v in enumerate(self.values))

    def verified_result(self, acc: Sum):
        return {"questions": [{"question": "sum", "answers": [{"answer": "total", "count": acc.total}]}], "order": acc.seen}
