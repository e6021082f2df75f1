"""A second implementation judges every ballot (issue 14; docs/architecture.md, "Two implementations judge
ballots"): the booth's JavaScript, under Node, checks each ballot.cast and ballot.challenged entry of evote
records (tests/js/record_ballots_check.mjs: the voter's signature of record-format §5, every proof and the
confirmation code of §3, the Benaloh re-encryption of a revealed challenge), so that the Python verifier is
not the only code that accepts them. Runs over the golden records, a freshly generated one, and tampered
copies in which exactly the tampered ballots must be reported."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from support.booth_js_support import REPO_ROOT, in_ci, node_executable
from support.evote_tools import flip_hex, nth, read_entries, write_entries  # noqa: E402

SCRIPT = "tests/js/record_ballots_check.mjs"
GOLDEN = Path(__file__).parent / "golden"
GOLDEN_RECORDS = sorted(p.name for p in GOLDEN.iterdir() if (p / "manifest.json").is_file())
BALLOT_KINDS = ("ballot.cast", "ballot.challenged")


def node() -> str:
    found = node_executable()
    if found is None:
        if in_ci():
            pytest.fail("node is not on PATH: the booth's JavaScript judges ballots in CI, it needs Node 20+")
        pytest.skip("node is not on PATH")
    return found


def run_check(record: Path) -> subprocess.CompletedProcess:
    return subprocess.run([node(), SCRIPT, str(record)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)


def judge(record: Path) -> dict[int, str]:
    """{seq: "ok" | "<error name>: <message>"} for every ballot entry, as the booth's code judged it."""
    completed = run_check(record)
    assert completed.returncode == 0, completed.stderr
    return {int(seq): verdict for seq, verdict in json.loads(completed.stdout).items()}


def ballot_seqs(record: Path) -> list[int]:
    return [e["seq"] for e in read_entries(record) if e["kind"] in BALLOT_KINDS]


def assert_every_ballot_ok(record: Path) -> None:
    verdicts = judge(record)
    seqs = ballot_seqs(record)
    assert sorted(verdicts) == seqs and len(verdicts) == len(seqs)
    assert {seq: v for seq, v in verdicts.items() if v != "ok"} == {}


@pytest.mark.parametrize("name", GOLDEN_RECORDS)
def test_the_booth_accepts_every_ballot_of_a_golden_record(name):
    assert_every_ballot_ok(GOLDEN / name)


def test_the_booth_accepts_every_ballot_of_a_fresh_record(rich):
    assert_every_ballot_ok(rich.path)
    entries = read_entries(rich.path)
    assert any("reveal" in e["payload"] for e in entries if e["kind"] == "ballot.challenged")  # a revealed challenge
    assert any("reveal" not in e["payload"] for e in entries if e["kind"] == "ballot.challenged")  # and a sealed one


@pytest.fixture(scope="module")
def tampered(tmp_path_factory) -> tuple[dict[int, str], dict[int, str]]:
    """A copy of the golden record with three ballots changed, each where only one check can notice; returns
    (the booth's verdicts, {seq: the error name expected there}). One Node run judges all three, which keeps
    the test fast; each ballot's verdict depends only on its own entry."""
    record = shutil.copytree(GOLDEN / "evote-record-v1-rich", tmp_path_factory.mktemp("tampered") / "record")
    entries = read_entries(record)
    proof_flipped = nth(entries, "ballot.cast", 0)
    v = proof_flipped["payload"]["ballot"]["contests"][0]["selections"][1]["proof"]["v"]
    v[0] = flip_hex(v[0])  # the signature covers the confirmation code and contest data, not the proofs
    signature_flipped = nth(entries, "ballot.cast", 1)
    signature_flipped["payload"]["signature"] = flip_hex(signature_flipped["payload"]["signature"])
    revealed = next(e for e in entries if e["kind"] == "ballot.challenged" and "reveal" in e["payload"])
    choices = revealed["payload"]["reveal"]["choices"]
    assert choices["mayor"] == {"alice": 1}
    choices["mayor"] = {"bob": 1}  # the reveal is not signed; the posted ciphertexts encrypt alice
    write_entries(record, entries)  # hashes and the checkpoint are left alone: the booth judges ballots only
    expected = {
        proof_flipped["seq"]: "InvalidProof",
        signature_flipped["seq"]: "InvalidSignature",
        revealed["seq"]: "ChallengeMismatch",
    }
    return judge(record), expected


def test_exactly_the_tampered_ballots_are_reported(tampered):
    verdicts, expected = tampered
    assert len(verdicts) == 8
    assert {seq: v for seq, v in verdicts.items() if v == "ok"}.keys() == set(verdicts) - set(expected)
    assert {seq: verdicts[seq].split(":")[0] for seq in expected} == expected


def test_a_flipped_selection_proof_is_named(tampered):
    verdicts, expected = tampered
    seq = next(s for s, name in expected.items() if name == "InvalidProof")
    assert verdicts[seq].startswith("InvalidProof: ballot.contests[0].selections[1].proof")


def test_a_flipped_signature_is_reported(tampered):
    verdicts, expected = tampered
    seq = next(s for s, name in expected.items() if name == "InvalidSignature")
    assert verdicts[seq] == "InvalidSignature: signature: does not verify under the credential public key"


def test_a_reveal_that_does_not_re_encrypt_is_reported(tampered):
    verdicts, expected = tampered
    seq = next(s for s, name in expected.items() if name == "ChallengeMismatch")
    assert verdicts[seq].startswith("ChallengeMismatch: ballot.contests[0].selections[0].")


def test_ballots_before_the_election_key_are_reported(tmp_path):
    """Without keygen.result there is no K and H_E to judge by: every ballot says so (nothing passes)."""
    record = shutil.copytree(GOLDEN / "evote-record-v1-rich", tmp_path / "record")
    entries = [e for e in read_entries(record) if e["kind"] != "keygen.result"]
    for seq, entry in enumerate(entries):
        entry["seq"] = seq
    write_entries(record, entries)
    verdicts = judge(record)
    assert len(verdicts) == 8
    assert set(verdicts.values()) == {"FormatError: record: no complete keygen.result entry before this ballot"}


def test_a_directory_that_is_not_an_export_is_refused(tmp_path):
    (tmp_path / "manifest.json").write_text('{"format": "something-else", "version": 1}')
    completed = run_check(tmp_path)
    assert completed.returncode == 2 and completed.stdout == ""
    assert "manifest.json: expected format" in completed.stderr
