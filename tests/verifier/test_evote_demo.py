"""`evote demo` end to end at a small size: real trustee processes, voters through the voter client, the
board over HTTP, and its last step — evote-verify on the exported record — must pass."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from support.processes import REPO, env


@pytest.mark.slow
def test_the_demo_election_verifies(tmp_path):
    out = tmp_path / "demo"
    command = [sys.executable, "-m", "evote.cli", "demo", "--voters", "6", "--out", str(out)]  # 2 challenge, 3 revote
    result = subprocess.run(command, cwd=REPO, env=env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "VERIFIED" in result.stdout and "verification passed" in result.stdout
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
