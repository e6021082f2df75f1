"""The test environment: the repository, ../shared beside the checkout, CI=true, optional modules.

Outside CI a missing service or data skips its tests with the reason; under CI=true it fails them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]  # tests/support/ -> the repository
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


def require_module(name: str, reason: str):
    """Import an optional test dependency: skip with ``reason`` outside CI, fail under CI=true."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        if in_ci():
            pytest.fail(f"{name} is not installed: {reason} (CI=true: the test extras must provide it)")
        pytest.skip(reason)
