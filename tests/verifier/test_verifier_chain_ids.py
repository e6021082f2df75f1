"""Verification 7.E binds each link of a ballot chain to its ballot (issue 13 item 10): a chained egk record whose
ballot files hold each other's ballot ids fails, and the verifier agrees with a literal reading of the SPEC
(tests/support/chain_reference.py) on every change to a chain."""

from __future__ import annotations

import json

import pytest
from support.chain_reference import chain_problems
from support.verifier_support import chained_record, copy_record, edit, failed_steps, report_failures  # noqa: F401

from voting.verifier.readers.egk import open_egk
from voting.verifier.run import verify

DEVICE = "encrypted_ballots/device1"
CHAIN_STEPS = {"7.D", "7.E", "7.F", "7.G"}


def _swap_ids_inside(root, first: str, second: str) -> None:
    """The two files keep their names and contents; only the ``ballot_id`` written inside is exchanged."""
    edit(root, f"{DEVICE}/eballot-{first}.json", lambda d: d.update(ballot_id=second))
    edit(root, f"{DEVICE}/eballot-{second}.json", lambda d: d.update(ballot_id=first))


def test_ballot_ids_swapped_inside_two_files_fail_7e_naming_both(tmp_path, chained_record):
    root = copy_record(chained_record, tmp_path / "record")
    _swap_ids_inside(root, "b1", "b2")
    report = verify(open_egk(root), workers=1)
    assert failed_steps(report) == {"7.E"}
    findings = report_failures(report, "7.E")
    assert {(f.origin, f.expected, f.found) for f in findings} == {
        (f"{DEVICE}/eballot-b1.json", "ballot_id b1", "ballot_id b2"),
        (f"{DEVICE}/eballot-b2.json", "ballot_id b2", "ballot_id b1"),
    }
    assert all("the chain lists ballot" in f.message and "the ballot_id written inside" in f.message for f in findings)
    assert chain_problems(root)  # the literal reading of the SPEC finds it too


def test_the_unmodified_chained_record_passes_and_the_reference_agrees(chained_record):
    report = verify(open_egk(chained_record), workers=1)
    assert report.passed and chain_problems(chained_record) == []


def _set_id(name: str, value):
    return lambda root: edit(root, f"{DEVICE}/eballot-{name}.json", lambda d: d.update(ballot_id=value))


def _swap_files(root) -> None:
    """Names kept, contents exchanged (each file's ballot_id then matches the other's name)."""
    first, second = root / DEVICE / "eballot-b2.json", root / DEVICE / "eballot-b3.json"
    a, b = first.read_bytes(), second.read_bytes()
    first.write_bytes(b)
    second.write_bytes(a)


def _reorder_listing(root) -> None:
    edit(root, f"{DEVICE}/ballot_chain.json", lambda d: d.update(ballot_ids=[d["ballot_ids"][i] for i in (0, 2, 1, 3)]))


CHANGES = {  # name: (change, whether the SPEC's chain itself is broken)
    "ids swapped inside b3 and b4": (lambda root: _swap_ids_inside(root, "b3", "b4"), True),
    "b2's id inside replaced by an unlisted id": (_set_id("b2", "b9"), True),
    "chain listing reordered": (_reorder_listing, True),
    # the SPEC knows no files: its chain holds; egk names each file by its ballot, and the names now lie
    "b2 and b3 files exchanged whole": (_swap_files, False),
}


@pytest.mark.parametrize("name", CHANGES)
def test_the_verifier_and_the_literal_spec_agree_on_a_changed_chain(tmp_path, chained_record, name):
    root = copy_record(chained_record, tmp_path / "record")
    change, spec_chain_broken = CHANGES[name]
    change(root)
    report = verify(open_egk(root), workers=1)
    assert failed_steps(report) & CHAIN_STEPS == {"7.E"}
    assert any(problem.startswith("7.E") for problem in chain_problems(root)) is spec_chain_broken


def test_a_ballot_that_does_not_say_which_it_is_fails(tmp_path, chained_record):
    """Without a ballot_id inside, only the file name would place the ballot in the chain: Verification 5."""
    root = copy_record(chained_record, tmp_path / "record")
    path = root / DEVICE / "eballot-b2.json"
    document = json.loads(path.read_text())
    del document["ballot_id"]
    path.write_text(json.dumps(document))
    report = verify(open_egk(root), workers=1)
    (finding,) = report_failures(report, "5")
    assert (finding.subject, finding.origin) == ("ballot b2", f"{DEVICE}/eballot-b2.json: ballot_id")
    assert "is missing" in finding.message
