"""The layers of docs/architecture.md are a tested fact.

* Importing the verifier or the log library loads no web framework, database or ORM.
* Every import-linter contract in .importlinter holds on the tree, and each one is seen to fail: a copy of
  the tree with one deliberate violation per contract breaks exactly those contracts.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("voting", "bulletin_board", "trustee_tools", "evote", "witness", "registrar")
HEAVY = ("sqlalchemy", "alembic", "flask", "werkzeug")


def loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return set(done.stdout.split())


@pytest.mark.parametrize("module", ["voting.verifier", "voting.verifier.cli", "bulletin_board.log_format.client", "bulletin_board"])
def test_importing_loads_no_web_framework_or_database(module):
    assert not loaded_after(f"import {module}") & set(HEAVY)


def contracts() -> dict[str, str]:
    config = configparser.ConfigParser()
    config.read(REPO / ".importlinter")
    return {section.split(":")[-1]: config[section]["name"] for section in config.sections() if section.startswith("importlinter:contract:")}


def lint_imports(tree: Path) -> str:
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.fail("lint-imports is not installed: the test extras provide import-linter")
    done = subprocess.run([str(lint), "--no-cache"], cwd=tree, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})  # fmt: skip
    return done.stdout + done.stderr


def verdicts(output: str) -> dict[str, str]:
    found = {}
    for key, name in contracts().items():
        line = next((line for line in output.splitlines() if line.startswith(name)), "")
        found[key] = "KEPT" if line.endswith("KEPT") else "BROKEN" if line.endswith("BROKEN") else "missing"
    return found


NOT_CORE = {"record", "booth", "verifier"}  # voting's packages with their own contracts (rules, booth, verifier)


def test_every_core_module_is_under_the_core_contract():
    """A new module of the voting core is checked by the core contract only if it is listed there."""
    config = configparser.ConfigParser()
    config.read(REPO / ".importlinter")
    listed = set(config["importlinter:contract:core"]["source_modules"].split())
    core = {
        f"voting.{path.stem if path.is_file() else path.name}"
        for path in (REPO / "voting").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path.is_dir() and (path / "__init__.py").exists() and path.name not in NOT_CORE)
    }
    assert core <= listed, f"add to the core contract in .importlinter: {sorted(core - listed)}"


def test_every_contract_holds_on_the_tree():
    output = lint_imports(REPO)
    assert set(verdicts(output).values()) == {"KEPT"}, output


# One deliberate violation per contract: (contract, module file to append to, the import that breaks it).
VIOLATIONS = [
    ("core", "voting/group.py", "import flask"),
    ("rules", "voting/record/common.py", "import bulletin_board.log"),
    ("log-library", "bulletin_board/log_format/entry.py", "import sqlalchemy"),
    ("verifier", "voting/verifier/findings.py", "import voting.record.lifecycle"),
    ("booth", "trustee_tools/state.py", "import voting.booth"),
    ("composition-root", "bulletin_board/log.py", "import evote"),
    ("witness", "witness/service.py", "import bulletin_board.storage"),
    ("registrar", "registrar/vault.py", "import trustee_tools"),
]


def test_each_contract_fails_on_its_deliberate_violation(tmp_path):
    """One violation at a time, on a copy of the tree: the contract it targets is BROKEN."""
    assert {key for key, _, _ in VIOLATIONS} == set(contracts())
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "static", "translations"))
    shutil.copy(REPO / ".importlinter", tmp_path / ".importlinter")
    for key, path, statement in VIOLATIONS:
        original = (tmp_path / path).read_text()
        (tmp_path / path).write_text(original + f"\n{statement}  # deliberate violation (tests/test_layers.py)\n")
        try:
            found = verdicts(lint_imports(tmp_path))
        finally:
            (tmp_path / path).write_text(original)
        assert found[key] == "BROKEN", (key, found)
