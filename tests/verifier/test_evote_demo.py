"""`evote demo` end to end at a small size: real trustee processes, voters through the voter client's code,
the board over HTTP, and its last step — evote-verify on the exported record — must pass. The demo's
election is version 2 (record-format §4.1): two wards, a roll with weights 1 and 2, each voter on its own
ward's ballot, and the verified result weighted."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest
from support.processes import REPO, env

from voting.credentials import derive_voter_key


@pytest.mark.slow
def test_the_demo_election_verifies(tmp_path):
    out = tmp_path / "demo"
    command = [sys.executable, "-m", "evote.cli", "demo", "--voters", "6", "--out", str(out)]  # 2 challenge, 3 revote
    result = subprocess.run(command, cwd=REPO, env=env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "VERIFIED" in result.stdout and "verification passed" in result.stdout
    assert "Verified result" in result.stdout  # the verifier's (weighted) result is the demo's last word on it
    report = json.loads((out / "report.json").read_text())
    assert report["result"] == "passed" and report["record_format"] == "evote" and report["summary"]["checks"] > 500
    steps = {s["id"]: s["status"] for v in report["verifications"] for s in v["steps"]}
    for step in ("B.1", "B.2", "B.3", "L.4", "L.9", "E.1", "E.4", "E.5", "5.D", "8.A", "9.B", "12.B", "13.A"):
        assert steps[step] == "passed", step
    statistics = report["statistics"]
    assert (
        statistics["challenged"] == 2 and statistics["cast"] == 6 and statistics["ballots"] == 11
    )  # 6 + 3 revotes + 2 challenges
    assert (out / "record" / "entries.jsonl").stat().st_size > 0 and (out / "report.html").exists()


@pytest.mark.slow
def test_the_demo_binds_wards_and_weights_to_credentials(tmp_path):
    """The roll's wards and weights reach the public list through the issued credentials (and nothing else
    of the roll does), each voter votes its own ward's ballot, and the tally weighs each counted ballot."""
    out = tmp_path / "demo"
    command = [sys.executable, "-m", "evote.cli", "demo", "--voters", "6", "--challenge", "0", "--revote", "1", "--out", str(out)]
    result = subprocess.run(command, cwd=REPO, env=env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    entries = [json.loads(line) for line in (out / "record" / "entries.jsonl").read_text().splitlines()]
    created = next(e["payload"] for e in entries if e["kind"] == "election.created")
    assert created["eligibility"] == {"version": 2, "max_weight": 2}
    election_id = created["election_id"]
    (published,) = [e["payload"] for e in entries if e["kind"] == "credentials.published"]
    assert published["version"] == 2 and published["election_id"] == election_id
    listed = {c["public_key"]: (c["style"], c["weight"]) for c in published["credentials"]}

    roll = {row["voter_id"]: row for row in csv.DictReader((out / "voter-roll.csv").open(newline=""))}
    issued = list(csv.DictReader((out / "credentials-private.csv").open(newline="")))
    assert sorted(row["voter_id"] for row in issued) == sorted(roll) and len(roll) == 6
    assert {roll[v]["style"] for v in roll} == {"north-ward", "south-ward"} and {roll[v]["weight"] for v in roll} == {"1", "2"}
    keys = {}
    for row in issued:
        key = derive_voter_key(row["credential"], election_id).public_key_hex
        assert listed[key] == (roll[row["voter_id"]]["style"], int(roll[row["voter_id"]]["weight"]))
        keys[key] = row
    assert set(listed) == set(keys)
    record_text = (out / "record" / "entries.jsonl").read_text()
    assert not any(v in record_text or roll[v]["email"] in record_text for v in roll)  # the roll stays private

    ballots = [e["payload"] for e in entries if e["kind"] == "ballot.cast"]
    assert len(ballots) == 7 and all(b["ballot"]["style"] == listed[b["credential"]][0] for b in ballots)
    (tally,) = [e["payload"] for e in entries if e["kind"] == "tally.encrypted"]
    assert tally["ballot_count"] == 6 and tally["total_weight"] == sum(weight for _, weight in listed.values())
    assert tally["total_weight"] > tally["ballot_count"]
