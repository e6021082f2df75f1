"""The Helios checklist (sections HK, HB, HT, HR), the setting sent to the workers and the accumulator that
the ballot checks fill."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gmpy2

from ..systems import Section
from .checks_ballots import check_cast_vote, check_one_vote_per_voter
from .checks_keys import check_documents, check_election_key, check_group, check_trustee_keys, question_problem
from .checks_tally import check_counts, check_decryptions, check_encrypted_tally
from .group import Group, json_hash

SOURCE = "helios-server"


@dataclass
class HeliosAccumulator:
    """The products of the cast votes' ciphertexts (question -> answer -> (alpha, beta)), how many cast votes
    were read and multiplied in, and the voters seen (with those seen twice)."""

    p: int
    products: list[list[tuple[Any, Any]]] | None = None
    ballots: int = 0
    tallied: int = 0
    voters: set[str] = field(default_factory=set)
    repeated: list[str] = field(default_factory=list)

    def add(self, ciphertexts: list[list[tuple[Any, Any]]]) -> None:
        self.tallied += 1
        self.products = ciphertexts if self.products is None else self._times(self.products, ciphertexts)

    def _times(self, mine, theirs):
        p = gmpy2.mpz(self.p)
        return [[(a * x % p, b * z % p) for (a, b), (x, z) in zip(r, s)] for r, s in zip(mine, theirs)]

    def saw(self, voter: str) -> None:
        if voter in self.voters:
            self.repeated.append(voter)
        self.voters.add(voter)

    def merge(self, other: HeliosAccumulator) -> None:
        self.ballots += other.ballots
        self.tallied += other.tallied
        if other.products is not None:
            self.products = other.products if self.products is None else self._times(self.products, other.products)
        self.repeated += other.repeated + sorted(self.voters & other.voters)
        self.voters |= other.voters


@dataclass(frozen=True)
class HeliosSetting:
    """Picklable: what each worker needs to check a cast vote."""

    group: Group | None
    y: Any
    uuid: Any
    election_hashes: tuple[str, ...]  # helios-server's (of Helios' JSON), then pyrios' (of the bytes as served)
    questions: tuple[tuple[int, int, int | None], ...]  # (number of answers, min, max)
    voters: dict[str, str] | None  # voter uuid -> the hash of the voter's JSON
    problem: str = ""

    def new_accumulator(self) -> HeliosAccumulator:
        return HeliosAccumulator(int(self.group.p) if self.group else 0)

    @classmethod
    def of(cls, record) -> HeliosSetting:
        questions = []
        for question in record.questions:
            if question_problem(question):
                return cls(None, None, None, (), (), None, "a question is malformed (HK.1)")
            questions.append((len(question["answers"]), question.get("min") or 0, question.get("max")))
        voters = None
        if isinstance(record.voters, list):
            voters = {v["uuid"]: json_hash(v) for v in record.voters if isinstance(v, dict) and isinstance(v.get("uuid"), str)}
        hashes = tuple(dict.fromkeys(h for h in (record.election_hash, record.raw_election_hash) if h))
        y = gmpy2.mpz(record.public_key) if record.public_key is not None else None
        election = record.election if isinstance(record.election, dict) else {}
        return cls(record.group, y, election.get("uuid"), hashes, tuple(questions), voters,
                   record.problems.get("public_key", ""))


SECTIONS = (
    Section("HK", "Election, group and trustees' keys",
            f"{SOURCE} helios/crypto/algs.py (EGPublicKey.validate_pk_params, verify_sk_proof), helios/models.py",
            record=(check_documents, check_group, check_trustee_keys, check_election_key), weak_fiat_shamir=("HK.4",)),
    Section("HB", "Cast votes",
            f"{SOURCE} helios/workflows/homomorphic.py (EncryptedVote.verify, EncryptedAnswer.verify), helios/crypto/algs.py",
            ballot=(check_cast_vote,), summary=(check_one_vote_per_voter,), weak_fiat_shamir=("HB.4", "HB.5")),
    Section("HT", "Encrypted tally and decryption factors",
            f"{SOURCE} helios/workflows/homomorphic.py (Tally.add_vote, verify_decryption_proofs)",
            summary=(check_encrypted_tally, check_decryptions), weak_fiat_shamir=("HT.3",)),
    Section("HR", "Result", f"{SOURCE} helios/workflows/homomorphic.py (Tally.decrypt_from_factors), helios/views.py /result",
            summary=(check_counts,)),
)
