"""The Belenios checklist (sections BS, BC, BB, BT, BR, and BM from shuffle.py when present), the setting sent
to the workers and the accumulator the ballot checks fill."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..systems import Section
from .ballots import check_ballot
from .groups import Group, group_named
from .reader import credential_key
from .setup import check_archive, check_credentials, check_election, check_trustees, parse_weight
from .tally import check_decryptions, check_encrypted_tally, check_result, check_tallied

SPEC = "Belenios spec (doc/specification.tex, 2.0)"


@dataclass
class BeleniosAccumulator:
    """What the ballot checks add up: the weighted products of the tallied ballots' homomorphic ciphertexts
    (question -> choice -> (alpha, beta)), their number and total weight, and the number of ballots."""

    products: dict[int, list[tuple[Any, Any]]] = field(default_factory=dict)
    group_name: str = ""
    ballots: int = 0
    tallied: int = 0
    total_weight: int = 0

    def add(self, group: Group, ciphertexts: list[Any], weight: int, nh: tuple[int, ...]) -> None:
        self.group_name, self.tallied, self.total_weight = group.name, self.tallied + 1, self.total_weight + weight
        for i, choices in enumerate(ciphertexts):
            if i in nh:
                continue
            current = self.products.setdefault(i, [(group.one, group.one)] * len(choices))
            self.products[i] = [(group.mul(a, group.pow(x, weight)), group.mul(b, group.pow(z, weight)))
                                for (a, b), (x, z) in zip(current, choices)]

    def merge(self, other: BeleniosAccumulator) -> None:
        self.ballots += other.ballots
        self.tallied += other.tallied
        self.total_weight += other.total_weight
        if not other.group_name:
            return
        self.group_name = other.group_name
        self.merge_products(group_named(other.group_name), other.products)

    def merge_products(self, group: Group, products: dict[int, list[tuple[Any, Any]]]) -> None:
        """Multiplies another chunk's products into this one's, question by question and choice by choice."""
        for i, theirs in products.items():
            mine = self.products.get(i)
            self.products[i] = theirs if mine is None else [
                (group.mul(a, x), group.mul(b, z)) for (a, b), (x, z) in zip(mine, theirs)]


@dataclass(frozen=True)
class BeleniosSetting:
    """Picklable: what each worker needs to check a ballot."""

    group: Group
    public_key: Any
    uuid: str
    fingerprint: str
    questions: tuple[Any, ...]
    weights: dict[bytes, int]  # credential_key(public credential) -> weight
    nh: tuple[int, ...]

    def new_accumulator(self) -> BeleniosAccumulator:
        return BeleniosAccumulator()

    @classmethod
    def of(cls, record) -> BeleniosSetting:
        weights: dict[bytes, int] = {}
        for text in record.credentials if isinstance(record.credentials, list) else []:
            credential, _, weight = str(text).partition(",")
            try:
                weights[credential_key(credential)] = parse_weight(weight) if weight else 1
            except ValueError:
                continue
        uuid = record.election.get("uuid") if isinstance(record.election, dict) else ""
        return cls(record.group, record.public_key, str(uuid), record.fingerprint, tuple(record.questions), weights,
                   tuple(record.nh_questions))


def _shuffle_sections() -> tuple[Section, ...]:
    """Section BM (shuffles and non-homomorphic questions): the ``SECTIONS`` tuple of nonhomomorphic.py, or of
    shuffle.py, whichever defines it (written beside this package's other checks)."""
    import importlib.util

    for name in ("nonhomomorphic", "shuffle"):
        if importlib.util.find_spec(f"{__package__}.{name}") is not None:
            found = getattr(importlib.import_module(f"{__package__}.{name}"), "SECTIONS", None)
            if found:
                return tuple(found)
    return ()


SECTIONS = (
    Section("BS", "Archive and election setup", f"{SPEC} §Public data, §Verification keys, §Threshold decryption, §Trustees",
            record=(check_archive, check_election, check_trustees)),
    Section("BC", "Public credentials", f"{SPEC} §Credentials", record=(check_credentials,)),
    Section("BB", "Ballots", f"{SPEC} §Ballots, §Signatures, §Encrypted answers, §Proofs of interval membership, "
            "§Proofs of possibly-blank votes", ballot=(check_ballot,), summary=(check_tallied,)),
    Section("BT", "Encrypted tally and partial decryptions", f"{SPEC} §Encrypted tally, §Partial decryptions",
            summary=(check_encrypted_tally, check_decryptions)),
    *_shuffle_sections(),
    Section("BR", "Result", f"{SPEC} §Election result", summary=(check_result,)),
)
