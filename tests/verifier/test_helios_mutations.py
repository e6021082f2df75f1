"""Single-value mutations of Helios records written by the test producer (tests/support/helios_records.py):
each fails the step of Helios' checklist that covers it, with a finding naming the object. A mutated vote or
trustee key has its own hash (vote_hash, public_key_hash) recomputed, so that the change itself is tested."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from support.helios_records import HeliosElection, group_for_tests, hash_b64, make_election, to_json

from voting.verifier.helios import open_helios
from voting.verifier.run_systems import verify_system

P, Q, G = group_for_tests()
OTHER = str(pow(G, 5, P))  # a group element that is nobody's key, commitment or factor
NOT_MEMBER = str(P - 1)  # of order 2: not in the subgroup


def bump(text: str) -> str:
    return str((int(text) + 1) % Q)


@pytest.fixture(scope="module")
def election() -> HeliosElection:
    return make_election()


def vote(i: int, *path: Any, change: Callable[[Any], Any]) -> Callable[[HeliosElection], None]:
    """Changes the value at ``path`` in cast vote ``i``'s vote, then recomputes its vote_hash."""
    def apply(e: HeliosElection) -> None:
        node = e.votes[i]["vote"]
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = change(node[path[-1]])
        e.votes[i]["vote_hash"] = hash_b64(to_json(e.votes[i]["vote"]))
    return apply


def trustee(i: int, *path: Any, change: Callable[[Any], Any], rehash: bool = True) -> Callable[[HeliosElection], None]:
    def apply(e: HeliosElection) -> None:
        node = e.trustees[i]
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = change(node[path[-1]])
        if rehash:
            e.trustees[i]["public_key_hash"] = hash_b64(to_json(e.trustees[i]["public_key"]))
    return apply


def field(document: str, *path: Any, change: Callable[[Any], Any]) -> Callable[[HeliosElection], None]:
    def apply(e: HeliosElection) -> None:
        node = getattr(e, document)
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = change(node[path[-1]])
    return apply


def repeat_first_vote(e: HeliosElection) -> None:
    e.votes.append(copy.deepcopy(e.votes[0]))


@dataclass(frozen=True)
class Mutation:
    id: str
    apply: Callable[[HeliosElection], None]
    step: str  # the step that must fail
    names: str  # what the failing finding's subject must contain


VOTER_2 = "cast vote of voter 'voter-002"
MUTATIONS = [
    Mutation("group-generator", field("election", "public_key", "g", change=lambda _: "1"), "HK.2", "election group"),
    Mutation("trustee-key-not-member", trustee(1, "public_key", "y", change=lambda _: NOT_MEMBER), "HK.3", "trustee 2"),
    Mutation("trustee-key-other-p", trustee(1, "public_key", "p", change=lambda p: str(int(p) + 2)), "HK.3", "trustee 2"),
    Mutation("trustee-key", trustee(1, "public_key", "y", change=lambda _: OTHER), "HK.4", "trustee 2 (trustee2@example.org)"),
    Mutation("trustee-pok-challenge", trustee(0, "pok", "challenge", change=bump), "HK.4", "trustee 1"),
    Mutation("trustee-pok-response", trustee(2, "pok", "response", change=bump), "HK.4", "trustee 3"),
    Mutation("trustee-pok-commitment", trustee(2, "pok", "commitment", change=lambda _: OTHER), "HK.4", "trustee 3"),
    Mutation("trustee-key-hash", trustee(0, "public_key_hash", change=lambda h: "A" + h[1:], rehash=False), "HK.5", "trustee 1"),
    Mutation("election-key", field("election", "public_key", "y", change=lambda _: OTHER), "HK.6", "election public key"),
    Mutation("vote-election-hash", vote(1, "election_hash", change=lambda h: "A" + h[1:]), "HB.2", VOTER_2),
    Mutation("vote-election-uuid", vote(1, "election_uuid", change=lambda u: "x" + u), "HB.2", VOTER_2),
    Mutation("vote-answers-missing", vote(1, "answers", change=lambda a: a[:-1]), "HB.1", VOTER_2),
    Mutation("ciphertext-not-member", vote(1, "answers", 0, "choices", 1, "alpha", change=lambda _: NOT_MEMBER), "HB.3",
             f"{VOTER_2}-"),
    Mutation("ciphertext-alpha", vote(1, "answers", 0, "choices", 1, "alpha", change=lambda _: OTHER), "HB.4",
             "› question 1 › answer 2"),
    Mutation("individual-challenge", vote(2, "answers", 1, "individual_proofs", 3, 0, "challenge", change=bump), "HB.4",
             "› question 2 › answer 4"),
    Mutation("individual-response", vote(2, "answers", 1, "individual_proofs", 0, 1, "response", change=bump), "HB.4",
             "› question 2 › answer 1"),
    Mutation("individual-commitment", vote(0, "answers", 0, "individual_proofs", 2, 1, "commitment", "B",
                                           change=lambda _: OTHER), "HB.4", "› question 1 › answer 3"),
    Mutation("overall-challenge", vote(3, "answers", 1, "overall_proof", 2, "challenge", change=bump), "HB.5", "› question 2"),
    Mutation("overall-commitment", vote(3, "answers", 0, "overall_proof", 0, "commitment", "A", change=lambda _: OTHER),
             "HB.5", "› question 1"),
    Mutation("vote-hash", field("votes", 4, "vote_hash", change=lambda h: "A" + h[1:]), "HB.6", "cast vote of voter 'voter-005"),
    Mutation("voter-hash", field("votes", 4, "voter_hash", change=lambda h: "A" + h[1:]), "HB.7", "cast vote of voter 'voter-005"),
    Mutation("voter-unknown", field("votes", 4, "voter_uuid", change=lambda u: "nobody"), "HB.7", "cast vote of voter 'nobody'"),
    Mutation("voter-twice", repeat_first_vote, "HB.8", "voter 'voter-001"),
    Mutation("tally-alpha", field("encrypted_tally", "tally", 1, 2, "alpha", change=lambda _: OTHER), "HT.1",
             "encrypted tally › question 2 › answer 3"),
    Mutation("tally-count", field("encrypted_tally", "num_tallied", change=lambda n: n + 1), "HT.1", "encrypted tally"),
    Mutation("factor-not-member", trustee(1, "decryption_factors", 0, 1, change=lambda _: NOT_MEMBER), "HT.2", "trustee 2"),
    Mutation("factor", trustee(1, "decryption_factors", 0, 1, change=lambda _: OTHER), "HT.3", "trustee 2 (trustee2@example.org) › question 1 › answer 2"),
    Mutation("factor-count", trustee(1, "decryption_factors", 0, 1, change=lambda _: OTHER), "HR.1", "result › question 1 › answer 2"),
    Mutation("factor-proof-response", trustee(2, "decryption_proofs", 2, 0, "response", change=bump), "HT.3",
             "trustee 3 (trustee3@example.org) › question 3 › answer 1"),
    Mutation("factor-proof-challenge", trustee(0, "decryption_proofs", 1, 1, "challenge", change=bump), "HT.3",
             "trustee 1 (trustee1@example.org) › question 2 › answer 2"),
    Mutation("result-count", field("result", 1, 2, change=lambda n: n + 1), "HR.2", "result › question 2"),
]


def verify_mutated(election: HeliosElection, mutation: Mutation, tmp_path) -> dict:
    mutated = copy.deepcopy(election)
    mutation.apply(mutated)
    report = verify_system(open_helios(mutated.write_directory(tmp_path / "record")), workers=1)
    return report.to_json()


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.id)
def test_each_mutation_fails_its_step_naming_the_object(election, mutation, tmp_path):
    report = verify_mutated(election, mutation, tmp_path)
    assert report["result"] == "failed"
    steps = {s["id"]: s for v in report["verifications"] for s in v["steps"]}
    step = steps[mutation.step]
    assert step["status"] == "failed", step
    subjects = [f["subject"] for f in step.get("failures", [])]
    assert any(mutation.names in s for s in subjects), subjects
    assert "verified_result" not in report


def test_the_unmutated_record_passes(election, tmp_path):
    report = verify_system(open_helios(election.write_directory(tmp_path / "record")), workers=1).to_json()
    assert report["result"] == "consistent"


def test_failures_carry_expected_and_found(election, tmp_path):
    report = verify_mutated(election, MUTATIONS[[m.id for m in MUTATIONS].index("result-count")], tmp_path)
    step = next(s for v in report["verifications"] for s in v["steps"] if s["id"] == "HR.2")
    failure = step["failures"][0]
    assert failure["origin"] == "result.json[1]"
    assert failure["expected"] == str(election.result[1]) and failure["found"] != failure["expected"]
