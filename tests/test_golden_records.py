"""Every frozen record format keeps verifying (tests/golden/README.md): each golden export passes every step
of evote-verify against its pinned board key, and a one-value change to it still fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from voting.verifier.cli import main

GOLDEN = Path(__file__).parent / "golden"
PINNED_KEYS = {
    "evote-record-v1-rich": "board.test+1318613c+AVFUas3t3oPS1NL0vcVpkGZPf/UgizRaqxC7JE4x7fF0",
    "evote-record-v1-ranked": "board.test+a4d7dd4e+AaImWCtAklWNg8laGMmP+auFTTn9sgQOJ6lyaiL5xPXZ",
}
RECORDS = sorted(p.name for p in GOLDEN.iterdir() if (p / "manifest.json").is_file())


def verify(path: Path, key: str, tmp_path: Path) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        main, [str(path), "--board-key", key, "--workers", "1", "--json", str(out)], catch_exceptions=False
    )
    return result.exit_code, json.loads(out.read_text())


def test_every_golden_record_has_a_pinned_key():
    assert RECORDS and set(RECORDS) == set(PINNED_KEYS)


@pytest.mark.parametrize("name", RECORDS)
def test_a_golden_record_verifies(tmp_path, name):
    code, report = verify(GOLDEN / name, PINNED_KEYS[name], tmp_path)
    assert code == 0 and report["result"] == "passed", report["result"]


@pytest.mark.parametrize("name", RECORDS)
def test_a_changed_golden_record_fails(tmp_path, name):
    """The golden test can fail: one tally count changed (and nothing re-signed) is caught."""
    copy = shutil.copytree(GOLDEN / name, tmp_path / name)
    lines = (copy / "entries.jsonl").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if '"kind":"tally.result"' in line)
    entry = json.loads(lines[at])
    entry["payload"]["contests"][0]["options"][0]["t"] += 1
    lines[at] = json.dumps(entry, separators=(",", ":"), sort_keys=True)
    (copy / "entries.jsonl").write_text("\n".join(lines) + "\n")
    code, report = verify(copy, PINNED_KEYS[name], tmp_path)
    assert code == 1 and report["result"] != "passed"
