"""Section BM on real Belenios records: an election with a non-homomorphic question, shuffled by two trustees
and tallied by Debian's belenios-tool 2.0 (tests/support/belenios_shuffles.py), verifies; each single value
changed (and the archive resealed, so only that value is wrong) fails the step that covers it, with a finding
naming the shuffle, question and position, and `belenios-tool election verify` rejects the same archive."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.belenios_shuffles import Archive, make_nh_election, tool_verifies

from voting.verifier.belenios.groups import group_named
from voting.verifier.belenios.reader import open_belenios
from voting.verifier.run_systems import verify_system

GROUP = group_named("RFC-3526-2048")
ORDER_TWO = str(getattr(GROUP, "p") - 1)  # p - 1: an element of Z_p^* outside the subgroup of order q
Q2 = "question 2 ('Rank the colours')"


@pytest.fixture(scope="module")
def election(tmp_path_factory) -> Path:
    return make_nh_election(tmp_path_factory.mktemp("nh") / "election")


def _steps(path: Path) -> dict[str, object]:
    report = verify_system(open_belenios(path), workers=1)
    return {step.id: step.count for part in report.verifications for step in part.steps}


def _next(text: str) -> str:
    """Another element of the group (times g): a single value changed, still a valid element."""
    return GROUP.to_text(GROUP.mul(GROUP.parse(text), GROUP.g))


def test_the_shuffled_election_verifies_and_belenios_agrees(election):
    steps = _steps(election)
    for step in ("BM.1", "BM.2", "BM.3", "BR.2"):
        assert steps[step].failed == 0 and steps[step].passed, (step, steps[step])
    assert steps["BM.3"].passed == 2  # two shuffles, one non-homomorphic question
    assert steps["BM.1"].passed == 5  # one non-homomorphic answer per ballot
    assert tool_verifies(election)[0]


def _mutated(election: Path, tmp_path: Path, mutate) -> Path:
    archive = Archive(election)
    mutate(archive)
    return archive.write(tmp_path / election.name)


def _shuffle_edit(number, change):
    def mutate(archive):
        archive.edit(archive.owned_payload(archive.events("Shuffle")[number - 1]), change)
    return mutate


def _set(path, value_of):
    def change(shuffle):
        target = shuffle
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value_of(target[path[-1]])
    return change


MUTATIONS = {
    # name: (mutation, failing step, words the first failure's subject must contain)
    "shuffled ciphertext": (_shuffle_edit(1, _set(["ciphertexts", 0, 2, "beta"], _next)), "BM.3", f"shuffle 1 by trustee 1 › {Q2}"),
    "shuffled ciphertext outside the group": (_shuffle_edit(2, _set(["ciphertexts", 0, 3, "alpha"], lambda _: ORDER_TWO)),
                                              "BM.2", f"shuffle 2 by trustee 2 › {Q2} › position 4 (alpha)"),
    "commitment t1": (_shuffle_edit(2, _set(["proofs", 0, 0, 0], _next)), "BM.3", f"shuffle 2 by trustee 2 › {Q2}"),
    "commitment t_hat": (_shuffle_edit(1, _set(["proofs", 0, 0, 4, 1], _next)), "BM.3", "shuffle 1 by trustee 1"),
    "response s'": (_shuffle_edit(1, _set(["proofs", 0, 1, 5, 0], lambda s: str((int(s) + 1) % GROUP.q))), "BM.3", "shuffle 1 by trustee 1"),
    "permutation commitment (challenge input)": (_shuffle_edit(2, _set(["proofs", 0, 2, 1], _next)), "BM.3", "shuffle 2 by trustee 2"),
    "order of the shuffles": (lambda a: a.swap(*a.events("Shuffle")), "BM.3", f"shuffle 1 by trustee 2 › {Q2}"),
    "non-homomorphic decryption factor": (
        lambda a: a.edit(a.owned_payload(a.events("PartialDecryption")[0]), _set(["decryption_factors", 1, 0], _next)),
        "BT.4", "partial decryption of trustee 1 › question 2 › 1"),
    "raw ballot in the result": (lambda a: a.edit(a.payload(a.events("Result")[0]), _set(["result", 1, 0], lambda b: [b[1], b[0], b[2]])),
                                 "BR.2", "question 2 › ballot 1"),
    "non-homomorphic answer's proof": (
        lambda a: a.edit(a.payload(a.events("Ballot")[2]), _set(["answers", 1, "proof", "response"], lambda s: str((int(s) + 1) % GROUP.q))),
        "BM.1", "ballot 3"),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_each_single_value_changed_fails_and_belenios_rejects_it(election, tmp_path, name):
    mutate, step, subject = MUTATIONS[name]
    mutated = _mutated(election, tmp_path, mutate)
    count = _steps(mutated)[step]
    assert count.failed, (name, step, count)
    assert any(subject in f.subject for f in count.failures), [f.subject for f in count.failures]
    accepted, said = tool_verifies(mutated)
    assert not accepted, said


def test_no_shuffle_at_all_fails(election, tmp_path):
    def drop_shuffles(archive):
        for event in archive.events("Shuffle"):
            archive.drop(event)
    mutated = _mutated(election, tmp_path, drop_shuffles)
    count = _steps(mutated)["BM.2"]
    assert count.failed and count.failures[0].subject == "shuffles"
    assert not tool_verifies(mutated)[0]


def test_a_shuffle_by_one_trustee_only_is_a_warning(tmp_path):
    archive = make_nh_election(tmp_path / "one", shufflers=(2,))
    count = _steps(archive)["BM.2"]
    assert count.failed == 0 and any("[1] did not shuffle" in w.message for w in count.warnings)
    assert tool_verifies(archive)[0]
