"""docs/threat-model.md stays true: every threat row cites at least one test, and every cited test exists
(pytest collects it)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "threat-model.md"
NODE_ID = re.compile(r"`(tests/[\w/]+\.py::[\w\[\]\-.]+)`")
THREAT_ROW = re.compile(r"^\| ([A-Z]\d+) \|")
REQUIRED_SECTIONS = (
    "## Assets",
    "## Adversaries",
    "## What we do not defend against",
    "## Web attacks and abuse",
    "## Malformed input (fuzzing)",
)


def threat_rows(text: str) -> dict[str, str]:
    return {m.group(1): line for line in text.splitlines() if (m := THREAT_ROW.match(line))}


def test_every_threat_row_cites_a_test():
    rows = threat_rows(DOC.read_text(encoding="utf-8"))
    assert len(rows) >= 30, sorted(rows)
    uncited = [threat for threat, line in rows.items() if not NODE_ID.search(line.split("|")[-2])]
    assert uncited == []


def test_threat_ids_are_unique_and_sections_present():
    text = DOC.read_text(encoding="utf-8")
    ids = [m.group(1) for line in text.splitlines() if (m := THREAT_ROW.match(line))]
    assert len(ids) == len(set(ids))
    for section in REQUIRED_SECTIONS:
        assert section + "\n" in text, section


def collect(node_ids: list[str]) -> tuple[int, set[str], str]:
    """pytest --collect-only in a subprocess: its exit code, the collected ids (parameters cut), its output."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *node_ids],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    collected = {line.split("[")[0] for line in result.stdout.splitlines() if "::" in line}
    return result.returncode, collected, result.stdout[-3000:] + result.stderr[-3000:]


def test_every_cited_test_exists():
    cited = sorted(set(NODE_ID.findall(DOC.read_text(encoding="utf-8"))))
    assert cited
    returncode, collected, output = collect(cited)
    assert returncode == 0, output
    assert [node for node in cited if node.split("[")[0] not in collected] == []


def test_the_checks_catch_a_bad_row():
    """The parsing has teeth: a row without a test and a cited name that does not exist are both noticed."""
    text = "| X1 | Voter | a threat | a defence | none yet |\n| X2 | Voter | t | d | `tests/attacks/test_threat_model.py::no_such_test` |\n"
    rows = threat_rows(text)
    assert not NODE_ID.search(rows["X1"].split("|")[-2]) and NODE_ID.search(rows["X2"])
    returncode, collected, _ = collect(NODE_ID.findall(rows["X2"]))
    assert returncode != 0 and "tests/attacks/test_threat_model.py::no_such_test" not in collected
