"""Belenios 1.x directory records (election.json, trustees.json, public_creds.txt, ballots.jsons, result.json),
written from scratch by tests/support/belenios_legacy.py: detected by evote-verify as Belenios records, they
verify with their result; every single-value mutation that Belenios 1.x's own ``verify`` covers fails the
step that covers it, with a finding naming the object."""

from __future__ import annotations

import json
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
from support.belenios_legacy import QUESTIONS, VOTES, small_group, write_legacy_election

from voting.verifier.belenios.groups import group_named
from voting.verifier.belenios.legacy_proofs import WrappedGroup, wrapped_group
from voting.verifier.belenios.reader import is_belenios
from voting.verifier.readers import detect_format, open_record
from voting.verifier.readers.unsupported import FormatNotSupported
from voting.verifier.run_systems import verify_system
from voting.verifier.systems import SystemRecord

P = int(getattr(group_named("BELENIOS-2048"), "p"))


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Any:
    return write_legacy_election(tmp_path_factory.mktemp("legacy") / "good")


def opened(path: Path) -> Any:
    record = open_record(path)
    assert isinstance(record, SystemRecord)
    return record


def verified(path: Path, **options):
    return verify_system(opened(path), workers=options.get("workers", 1), chunk_size=options.get("chunk_size", 64))


def failures(report) -> dict[str, list]:
    return {s.id: s.count.failures for v in report.verifications for s in v.steps if s.count.failed}


def statuses(report) -> dict[str, str]:
    return {s.id: s.status.value for v in report.verifications for s in v.steps}


def counts(report) -> list[list[int]]:
    return [[a["count"] for a in q["answers"]] for q in report.verified_result["questions"]]


def test_a_1x_record_is_detected_and_verifies_with_its_result(good):
    assert is_belenios(good.directory) and detect_format(good.directory) == "belenios"
    record = opened(good.directory)
    assert record.conventions.startswith("Belenios 1.x") and "BELENIOS-2048" in record.conventions
    report = verify_system(record, workers=1)
    assert report.passed, failures(report)
    assert counts(report) == good.expected_result
    steps = statuses(report)
    assert steps["BB.4"] == steps["BS.4"] == steps["BT.3"] == steps["BR.2"] == "not applicable"
    assert all(steps[s] == "passed" for s in ("BS.1", "BS.3", "BS.5", "BB.5", "BB.6", "BB.7", "BT.1", "BT.4", "BT.5", "BR.1"))
    assert record.statistics["ballots"] == len(VOTES) and record.statistics["fingerprint"]


def test_workers_give_the_same_report(good):
    report = verified(good.directory, workers=2, chunk_size=1)
    assert report.passed, failures(report)
    assert counts(report) == good.expected_result


def test_the_older_layout_weights_and_a_group_of_its_own_verify(tmp_path):
    election = write_legacy_election(tmp_path / "old", small=True, old_layout=True, weights=[2, 1, 3, 1], trustees=3)
    assert not (election.directory / "trustees.json").exists()
    record = opened(election.directory)
    assert isinstance(record.group, WrappedGroup)
    assert pickle.loads(pickle.dumps(record.setting)).group.p == record.group.p
    report = verify_system(record, workers=2, chunk_size=1)
    assert report.passed, failures(report)
    assert counts(report) == election.expected_result and record.statistics["total_weight"] == 7


def test_an_untallied_record_verifies_its_ballots(tmp_path):
    election = write_legacy_election(tmp_path / "open", votes=VOTES[:2], tallied=False)
    report = verified(election.directory)
    assert report.passed, failures(report)
    assert {statuses(report)[s] for s in ("BT.1", "BT.2", "BT.4", "BT.5", "BR.1")} == {"not applicable"}


def test_group_parameters_are_checked():
    p, q, g = small_group()
    assert wrapped_group({"p": str(p), "q": str(q), "g": str(g)}).q == q
    for bad in ({"p": str(p), "q": str(q + 2), "g": str(g)}, {"p": str(p), "q": str(q), "g": "1"}, {"p": str(p + 2), "q": str(q), "g": str(g)}):
        with pytest.raises(ValueError):
            wrapped_group(bad)


def test_non_homomorphic_1x_records_are_not_supported(tmp_path, good):
    copy = tmp_path / "nh"
    shutil.copytree(good.directory, copy)
    election = json.loads((copy / "election.json").read_text())
    election["questions"][0] = {"type": "NonHomomorphic", "value": QUESTIONS[0]}
    (copy / "election.json").write_text(json.dumps(election, separators=(",", ":")) + "\n")
    with pytest.raises(FormatNotSupported):
        open_record(copy)


# --- single-value mutations ------------------------------------------------------------------------------------

def bump(text: str) -> str:
    return str(int(text) + 1)


def json_file(name: str, change: Callable[[Any], None]) -> Callable[[Path], None]:
    def apply(directory: Path) -> None:
        value = json.loads((directory / name).read_text())
        change(value)
        (directory / name).write_text(json.dumps(value, separators=(",", ":")) + "\n")
    return apply


def ballot_line(number: int, change: Callable[[Any], None]) -> Callable[[Path], None]:
    def apply(directory: Path) -> None:
        lines = (directory / "ballots.jsons").read_text().splitlines()
        value = json.loads(lines[number - 1])
        change(value)
        lines[number - 1] = json.dumps(value, separators=(",", ":"))
        (directory / "ballots.jsons").write_text("\n".join(lines) + "\n")
    return apply


def set_at(path: tuple, change: Callable[[Any], Any]) -> Callable[[Any], None]:
    def apply(value: Any) -> None:
        for key in path[:-1]:
            value = value[key]
        value[path[-1]] = change(value[path[-1]])
    return apply


def square(text: str) -> str:
    """Another element of the subgroup (the good record's group is BELENIOS-2048)."""
    return str(int(text) ** 2 % P)


def replace_credential(directory: Path) -> None:
    lines = (directory / "public_creds.txt").read_text().splitlines()
    first = json.loads((directory / "ballots.jsons").read_text().splitlines()[0])["signature"]["public_key"]
    lines = [square(line) if line == first else line for line in lines]
    (directory / "public_creds.txt").write_text("\n".join(lines) + "\n")


def prepend_credential(text: str) -> Callable[[Path], None]:
    def apply(directory: Path) -> None:
        (directory / "public_creds.txt").write_text(text + "\n" + (directory / "public_creds.txt").read_text())
    return apply


def duplicate_ballot(directory: Path) -> None:
    lines = (directory / "ballots.jsons").read_text().splitlines()
    (directory / "ballots.jsons").write_text("\n".join(lines + lines[:1]) + "\n")


@dataclass(frozen=True)
class Mutation:
    name: str
    step: str
    names: str  # a word the failing finding's subject must contain
    apply: Callable[[Path], None]


MUTATIONS = [
    Mutation("individual proof response", "BB.6", "ballot 2", ballot_line(2, set_at(("answers", 0, "individual_proofs", 1, 0, "response"), bump))),
    Mutation("overall proof challenge", "BB.7", "question 3", ballot_line(3, set_at(("answers", 2, "overall_proof", 0, "challenge"), bump))),
    Mutation("blank proof response", "BB.7", "question 2", ballot_line(1, set_at(("answers", 1, "blank_proof", 1, "response"), bump))),
    Mutation("ballot ciphertext", "BB.6", "choice 1", ballot_line(4, set_at(("answers", 0, "choices", 0, "alpha"), square))),
    Mutation("signature response", "BB.5", "ballot 3", ballot_line(3, set_at(("signature", "response"), bump))),
    Mutation("election hash", "BB.2", "ballot 1", ballot_line(1, set_at(("election_hash",), lambda h: "A" + h[1:]))),
    Mutation("ballot credential", "BB.3", "ballot 2", ballot_line(2, set_at(("signature", "public_key"), square))),
    Mutation("credential in the list", "BB.3", "ballot 1", replace_credential),
    Mutation("credential not in the group", "BC.1", "public credential", prepend_credential("2")),
    Mutation("credential used twice", "BB.8", "ballot 5", duplicate_ballot),
    Mutation("trustee pok response", "BS.3", "trustee 1", json_file("trustees.json", set_at((0, 1, "pok", "response"), bump))),
    Mutation("trustee key", "BS.3", "trustee 2", json_file("trustees.json", set_at((1, 1, "public_key"), square))),
    Mutation("election public key", "BS.5", "election public key", json_file("election.json", set_at(("public_key", "y"), square))),
    Mutation("encrypted tally", "BT.1", "question 1", json_file("result.json", set_at(("encrypted_tally", 0, 1, "beta"), square))),
    Mutation("num_tallied", "BT.2", "encrypted tally", json_file("result.json", set_at(("num_tallied",), lambda n: n + 1))),
    Mutation("decryption factor", "BT.4", "partial decryption 2", json_file("result.json", set_at(
        ("partial_decryptions", 1, "decryption_factors", 2, 1), square))),
    Mutation("decryption proof", "BT.4", "partial decryption 1", json_file("result.json", set_at(
        ("partial_decryptions", 0, "decryption_proofs", 1, 0, "response"), bump))),
    Mutation("missing partial decryption", "BT.5", "trustee 2", json_file("result.json", lambda r: r["partial_decryptions"].pop())),
    Mutation("result count", "BR.1", "question 2 › choice 1", json_file("result.json", set_at(("result", 1, 0), lambda n: n + 1))),
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_each_single_value_mutation_fails_its_step_naming_the_object(tmp_path, good, mutation):
    copy = tmp_path / "record"
    shutil.copytree(good.directory, copy)
    mutation.apply(copy)
    report = verified(copy)
    assert not report.passed
    failed = failures(report)
    assert mutation.step in failed, (mutation.name, sorted(failed))
    subjects = " ".join(f.subject for f in failed[mutation.step])
    assert mutation.names in subjects, subjects
