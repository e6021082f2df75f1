"""The Python 3.10 virtual environment with electionguard-python 1.4.0 for compare_electionguard.py.

electionguard 1.4.0 needs Python < 3.11 in practice (the project is on 3.11), so it lives in its own venv
under a cache directory outside the repository, made once and reused while it stays valid. Nothing of
electionguard is ever committed: it is installed here, at run time, from PyPI.

Pins and why:

* ``electionguard==1.4.0``: the peer we compare with (ElectionGuard spec 1.x, 4096-bit group).
* ``dacite==1.6.0``: electionguard 1.4.0 accepts dacite >=1.6,<2, but its ``serialize.from_raw`` (which reads
  the converted manifest) breaks with later releases: with dacite 1.9.2, ``from_raw(Manifest, ...)`` fails with
  "TypeError: 'datetime.datetime' object cannot be interpreted as an integer" (its type hooks for datetime
  and enums are applied differently). 1.6.0 is the release electionguard 1.4.0 was built against.
* ``hypothesis``: ``electionguard_tools/__init__.py`` imports ``electionguard_tools.strategies``, which imports
  hypothesis, but the wheel does not declare it; without it the orchestrator helpers (key ceremony,
  compensated decryption) do not import. Pinned for repeatable runs.
* ``gmpy2``: pinned to the version evote runs with, so both sides do their modular arithmetic with the
  same gmpy2 and GMP (the wheels bundle GMP) and the comparison is between the two implementations.

electionguard 1.4.0 itself pins ``pydantic==1.9.0``; nothing else needed pinning for it to import.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import gmpy2

REPO_ROOT = Path(__file__).resolve().parent.parent
HYPOTHESIS_PIN = "6.168.5"


def requirements() -> list[str]:
    return ["electionguard==1.4.0", "dacite==1.6.0", f"hypothesis=={HYPOTHESIS_PIN}", f"gmpy2=={gmpy2.version()}"]


def cache_dir() -> Path:
    """$EVOTE_BENCH_CACHE, else $XDG_CACHE_HOME/evote-bench, else ~/.cache/evote-bench."""
    configured = os.environ.get("EVOTE_BENCH_CACHE")
    if configured:
        path = Path(configured)
    else:
        path = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "evote-bench"
    path = path.resolve()
    if path == REPO_ROOT or REPO_ROOT in path.parents:
        raise SystemExit(f"the benchmark cache {path} must lie outside the repository {REPO_ROOT}")
    return path


def find_python310(explicit: str | None) -> str:
    """An interpreter for Python 3.10: --python310, $EVOTE_PYTHON310, python3.10 on PATH, or pyenv's 3.10.x."""
    candidates = [explicit, os.environ.get("EVOTE_PYTHON310"), shutil.which("python3.10")]
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.10.*/bin/python3.10"), reverse=True)
    for candidate in candidates:
        if candidate and _is_python310(candidate):
            return candidate
    raise SystemExit(
        "electionguard 1.4.0 needs Python 3.10 and none was found: install it (e.g. `pyenv install 3.10`) "
        "or pass --python310 /path/to/python3.10"
    )


def _is_python310(python: str) -> bool:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(sys.version_info[:2] == (3, 10))"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and out.stdout.strip() == "True"


def _marker(venv: Path) -> Path:
    return venv / "evote-bench.json"


def _is_valid(venv: Path) -> bool:
    python = venv / "bin" / "python"
    try:
        recorded = json.loads(_marker(venv).read_text())
    except (OSError, ValueError):
        return False
    if recorded.get("requirements") != requirements() or not python.exists():
        return False
    probe = "import electionguard, electionguard_tools.helpers.key_ceremony_orchestrator, dacite, hypothesis"
    return subprocess.run([str(python), "-c", probe], capture_output=True, timeout=300).returncode == 0


def ensure_venv(python310: str | None = None, *, log=print) -> Path:
    """The venv's python, creating or re-creating the venv when it is missing or stale."""
    venv = cache_dir() / "eg14-venv"
    if _is_valid(venv):
        return venv / "bin" / "python"
    interpreter = find_python310(python310)
    log(f"creating {venv} with {interpreter}: {' '.join(requirements())} (once; reused afterwards)")
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([interpreter, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    result = subprocess.run([*pip, *requirements()], capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"pip could not install {requirements()} into {venv}")
    _marker(venv).write_text(json.dumps({"requirements": requirements(), "python": interpreter}))
    if not _is_valid(venv):
        raise SystemExit(f"{venv} was installed but electionguard does not import there")
    return venv / "bin" / "python"
