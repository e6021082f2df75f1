"""`evote-verify` on other systems' records, as an observer runs it: a Belenios archive made by Belenios itself
(belenios-tool) is detected and verified, a tampered one fails naming what, and the options that only mean
something for evote records are refused. The program runs as a real process (its exit status, its output)."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from support.belenios_tool import copy_election, election_once, mutate

VERIFY = [sys.executable, "-m", "voting.verifier.cli"]


def evote_verify(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([*VERIFY, *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def belenios_election():
    return election_once("plain", weights=[2, 1, 3])


def test_a_belenios_archive_is_detected_verified_and_reported(belenios_election, tmp_path):
    archive = copy_election(belenios_election, tmp_path / "record")
    run = evote_verify(tmp_path / "record", "--json", tmp_path / "r.json", "--html", tmp_path / "r.html", "--workers", 2)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "(belenios)" in run.stdout and "VERIFIED" in run.stdout and "Traceback" not in run.stderr
    assert f"uuid: {belenios_election.uuid}" in run.stdout and "credential fingerprint:" in run.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["record_format"] == "belenios" and report["result"] == "passed"
    assert [v["verification"] for v in report["verifications"]] == ["BS", "BC", "BB", "BT", "BM", "BR"]
    counts = [[a["count"] for a in q["answers"]] for q in report["verified_result"]["questions"]]
    assert counts == belenios_election.expected_result
    for line in (f"Question {n}: {q['question']}" for n, q in enumerate(belenios_election.questions, start=1)):
        assert line in run.stdout
    page = (tmp_path / "r.html").read_text()
    HTMLParser().feed(page)
    assert "<strong>Verified.</strong>" in page and "Eligibility" in page and belenios_election.uuid in page
    same = evote_verify(archive, "--format", "belenios", "--workers", 1)  # the .bel file itself, format named
    assert same.returncode == 0, same.stdout + same.stderr


def test_a_tampered_belenios_archive_fails_naming_the_ballot(belenios_election, tmp_path):
    archive = copy_election(belenios_election, tmp_path / "record")
    mutate(archive, lambda name, data: isinstance(data, dict) and "signature" in data,
           lambda ballot: {**ballot, "election_uuid": "X" + ballot["election_uuid"][1:]})  # fmt: skip
    run = evote_verify(archive, "--json", tmp_path / "r.json")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "NOT VERIFIED" in run.stdout and "BB.2" in run.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["result"] == "failed" and "verified_result" not in report


@pytest.mark.parametrize(
    "option", [["--board-key", "k+1+AA"], ["--since", "x.txt"], ["--registrar-key", "00" * 32], ["--language", "fr"]]
)
def test_evote_only_options_are_refused_for_a_belenios_record(belenios_election, tmp_path, option):
    archive = copy_election(belenios_election, tmp_path / "record")
    (tmp_path / "x.txt").write_text("not a checkpoint")
    run = evote_verify(archive, *option, cwd=tmp_path)
    assert run.returncode == 2 and "evote records only" in run.stderr and "Traceback" not in run.stderr


def test_a_directory_that_is_no_record_names_belenios_among_the_formats(tmp_path):
    run = evote_verify(tmp_path)
    assert run.returncode == 2 and "nor a Belenios record" in run.stderr


@pytest.fixture(scope="module")
def helios_election():
    from support.helios_records import make_election

    return make_election()


def test_a_helios_record_is_consistent_never_verified(helios_election, tmp_path):
    record = helios_election.write_directory(tmp_path / "record")
    run = evote_verify(record, "--json", tmp_path / "r.json", "--html", tmp_path / "r.html")
    assert run.returncode == 3, run.stdout + run.stderr
    assert "(helios)" in run.stdout and "CONSISTENT" in run.stdout and "VERIFIED" not in run.stdout
    assert "proofs consistent under Helios' weak Fiat-Shamir" in run.stdout and "Eligibility" in run.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["result"] == "consistent" and report["result_means"] == "proofs consistent under Helios' weak Fiat-Shamir"
    statuses = {s["status"] for v in report["verifications"] for s in v["steps"]}
    assert "consistent" in statuses and "failed" not in statuses
    counts = [[a["count"] for a in q["answers"]] for q in report["verified_result"]["questions"]]
    assert counts == helios_election.result
    page = (tmp_path / "r.html").read_text()
    assert "Consistent, not verified" in page and "<strong>Verified.</strong>" not in page


def test_a_helios_bundle_is_detected_and_a_changed_count_fails(helios_election, tmp_path):
    bundle = helios_election.write_bundle(tmp_path / "bundle.json")
    assert evote_verify(bundle).returncode == 3
    record = helios_election.write_directory(tmp_path / "record")
    result = json.loads((record / "result.json").read_text())
    result[0][0] += 1
    (record / "result.json").write_text(json.dumps(result))
    run = evote_verify(record, "--format", "helios")
    assert run.returncode == 1 and "NOT VERIFIED" in run.stdout and "HR." in run.stdout, run.stdout


def test_a_shuffled_belenios_question_shows_every_decrypted_ballot(tmp_path_factory):
    from support.belenios_shuffles import VOTES, make_nh_election

    archive = make_nh_election(tmp_path_factory.mktemp("nh") / "election")
    out = tmp_path_factory.mktemp("reports")
    run = evote_verify(archive, "--json", out / "r.json", "--html", out / "r.html")
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{len(VOTES)} ballot(s) decrypted after the shuffles" in run.stdout
    (ranked,) = [q for q in json.loads((out / "r.json").read_text())["verified_result"]["questions"] if "ballots" in q]
    cast = sorted(json.loads(vote)[1] for vote in VOTES)
    assert sorted(ranked["ballots"]) == cast and ranked["answer_names"] == ["Red", "Green", "Blue"]
    page = (out / "r.html").read_text()
    for ballot in cast:  # each decrypted ballot is a row of the table, its values in the answers' columns
        assert "".join(f'<td class="n">{v}</td>' for v in ballot) in page
    for line in (", ".join(f"{n}: {v}" for n, v in zip(["Red", "Green", "Blue"], ballot)) for ballot in cast):
        assert line in run.stdout
