"""The README's two commands, parsed from README.md and run literally in fresh copies of the repository, each
creating its own virtual environment: so the README can never drift from what works.

The test command runs the suite inside the copy; ``PYTEST_ADDOPTS`` narrows that nested run to a few fast test
files (running the whole suite inside itself would double CI's time), and ``EVOTE_README_NESTED`` keeps this
file from recursing. The command itself is executed exactly as written.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support.environment import REPO_ROOT, SHARED

pytestmark = pytest.mark.slow
NESTED = os.environ.get("EVOTE_README_NESTED") == "1"


def readme_command(marker: str) -> str:
    text = (REPO_ROOT / "README.md").read_text()
    match = re.search(rf"<!-- {marker} -->\s*```sh\n(.+?)\n```", text, re.S)
    assert match, f"README.md has no shell block after <!-- {marker} -->"
    return match.group(1).strip()


def fresh_copy(tmp_path: Path) -> Path:
    """The repository's tracked files (as they are in the working tree) in a new directory, with ../shared beside it."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True).stdout.split(b"\0")
    target = tmp_path / "checkout"
    for name in filter(None, files):
        source = REPO_ROOT / name.decode()
        if source.is_file():
            destination = target / name.decode()
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    if SHARED.exists():
        (tmp_path / "shared").symlink_to(SHARED)
    return target


def run(command: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "VIRTUAL_ENV"))}
    environment.pop("PYTHONPATH", None)
    environment.update(extra)
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=environment, capture_output=True, text=True, timeout=1800)


def test_commands_are_where_ci_reads_them():
    assert ".venv/bin/evote demo" in readme_command("demo-command")
    assert "pytest" in readme_command("test-command")
    assert "<!-- test-command -->" in (REPO_ROOT / ".ci" / "run").read_text()


@pytest.mark.skipif(NESTED, reason="already inside the README's test command")
def test_demo_command_runs_a_whole_verified_election(tmp_path):
    checkout = fresh_copy(tmp_path)
    result = run(readme_command("demo-command"), checkout)
    assert result.returncode == 0, f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    assert "verification passed" in result.stdout
    assert (checkout / "evote-demo" / "report.html").is_file()
    assert (checkout / "evote-demo" / "record" / "entries.jsonl").is_file()


@pytest.mark.skipif(NESTED, reason="already inside the README's test command")
def test_test_command_installs_and_runs_pytest(tmp_path):
    checkout = fresh_copy(tmp_path)
    result = run(
        readme_command("test-command"), checkout,
        EVOTE_README_NESTED="1", PYTEST_ADDOPTS="-q tests/test_group.py tests/test_hashing.py tests/test_lifecycle.py",
    )  # fmt: skip
    assert result.returncode == 0, f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    assert re.search(r"\d+ passed", result.stdout)
