"""Shared fixtures. Data from other projects is read where it lies, in ../shared beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.environment import REPO_ROOT, SHARED, in_ci, require_module, shared_path  # noqa: F401


@pytest.fixture
def egk_vectors() -> Path:
    return shared_path("vectors", "electionguard-2.0")


@pytest.fixture
def egk_sample_record() -> Path:
    return shared_path("samples", "egk-2.0-allAvailableJson")


@pytest.fixture(scope="session")
def rich(tmp_path_factory):
    """An evote election with everything the verifier must understand, exported once per session and never
    modified (tests copy it): tests/support/evote_world.py ``rich_election``."""
    from support.evote_world import rich_election

    return rich_election(tmp_path_factory.mktemp("rich"))
