"""A registrar's directory with 30 voters issued, shared by the registrar's tests (made once per session).

tests/registrar has no __init__.py (like tests/witness): a package named ``registrar`` here would hide the
real one. Test modules take the fixtures with ``issued_dir = registrar_support.issued_dir``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from registrar.cli import main
from registrar.issuing import Issued, load
from registrar.vault import Vault

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "registrar passphrase for tests"
ELECTION = "riverton-2026"
BOOTH_URL = "https://vote.riverton.example/elections/riverton-2026"
MANIFEST = {
    "label": "Riverton municipal election 2026",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "council-north", "title": "North council", "votes_allowed": 1, "options": [{"label": "ann"}, {"label": "bo"}]},
        {"label": "council-south", "title": "South council", "votes_allowed": 1, "options": [{"label": "cy"}, {"label": "di"}]},
    ],
    "ballot_styles": [{"label": "north", "contests": ["council-north"]}, {"label": "south", "contests": ["council-south"]}],
    "info": {"style.north": "North Ward", "style.south": "South Ward", "organizer": "City of Riverton"},
}
STYLE_WORDS = {"north": "North Ward", "south": "South Ward"}


def roll_text(count: int = 30) -> str:
    """``count`` voters: odd ids in English and the north ward, even ids in French and the south ward."""
    lines = ["voter_id,style,weight,email,language,name,address,postcode,city"]
    for n in range(1, count + 1):
        style, language = ("north", "en") if n % 2 else ("south", "fr")
        lines.append(f'V{n:03d},{style},1,voter{n}@example.org,{language},Voter {n},"{n} River Street\nFlat {n}",10{n:02d},Riverton')
    return "\n".join(lines) + "\n"


def run(*args: str, passphrase: str = PASSPHRASE):
    """evote-registrar in this process (click's runner): exit code and what it printed, a traceback never caught."""
    result = CliRunner().invoke(main, list(args), env={"EVOTE_REGISTRAR_PASSPHRASE": passphrase})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def subprocess_env(**extra: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(REPO) + os.pathsep + environment.get("PYTHONPATH", "")
    environment["EVOTE_REGISTRAR_PASSPHRASE"] = PASSPHRASE
    environment.pop("EVOTE_SMTP_USER", None)
    environment.pop("EVOTE_SMTP_PASSWORD", None)
    environment.update(extra)
    return environment


def registrar_process(*args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "registrar.cli", *args], env=subprocess_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)  # fmt: skip


_MADE: dict[str, Path] = {}


@pytest.fixture(scope="session")
def issued_dir(tmp_path_factory) -> Path:
    """init, issue and cards done once: <tmp>/state (the registrar's directory), roll.csv, manifest.json, cards.pdf."""
    if "base" not in _MADE:
        _MADE["base"] = _make(tmp_path_factory.mktemp("registrar"))
    return _MADE["base"]


def _make(base: Path) -> Path:
    (base / "manifest.json").write_text(json.dumps(MANIFEST))
    (base / "roll.csv").write_text(roll_text())
    state = str(base / "state")
    assert run("init", "--dir", state, "--name", "Riverton Credential Office", "--kdf", "interactive").exit_code == 0
    issued = run("issue", "--dir", state, "--roll", str(base / "roll.csv"), "--election", ELECTION, "--manifest", str(base / "manifest.json"))
    assert issued.exit_code == 0, issued.output
    cards = run("cards", "--dir", state, "--out", str(base / "cards.pdf"), "--booth-url", BOOTH_URL, "--closes-at", "3 November 2026, 20:00 CET",
                "--anchors-fingerprint", "sha256:" + "0f" * 32)  # fmt: skip
    assert cards.exit_code == 0, cards.output
    return base


@pytest.fixture
def state_copy(issued_dir, tmp_path) -> Path:
    """A private copy of the issued directory, for a test that changes it (a delivery log, an erasure)."""
    return Path(shutil.copytree(issued_dir / "state", tmp_path / "state"))


def issued_in(directory: Path) -> Issued:
    vault = Vault(directory)
    vault.open(PASSPHRASE)
    return load(vault)
