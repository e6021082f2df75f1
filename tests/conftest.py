"""Shared fixtures. Data from other projects is read where it lies, in ../shared beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def shared_path(*parts: str) -> Path:
    """Path inside ../shared; skips outside CI when it is absent, fails under CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} is absent: the project's shared data lies beside the checkout in ../shared"
        if in_ci():
            pytest.fail(message + " (CI=true: a missing ../shared is a failure, never a skip)")
        pytest.skip(message)
    return path


@pytest.fixture
def egk_vectors() -> Path:
    return shared_path("vectors", "electionguard-2.0")


@pytest.fixture
def egk_sample_record() -> Path:
    return shared_path("samples", "egk-2.0-allAvailableJson")


def require_module(name: str, reason: str):
    """Import an optional test dependency: skip with ``reason`` outside CI, fail under CI=true."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        if in_ci():
            pytest.fail(f"{name} is not installed: {reason} (CI=true: the test extras must provide it)")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def rich(tmp_path_factory):
    """An evote election with everything the verifier must understand, exported once per session and never
    modified (tests copy it): tests/verifier/evote_world.py ``rich_election``."""
    from evote_world import rich_election  # tests/verifier is on sys.path once its test modules are imported

    return rich_election(tmp_path_factory.mktemp("rich"))
