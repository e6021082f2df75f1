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


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium through Playwright, one per test module (each module's sync Playwright ends with it);
    missing, it fails the tests under CI=true and skips them elsewhere."""
    from support.booth_js_support import CHROMIUM, CHROMIUM_ARGS, browser_unavailable_reason

    reason = browser_unavailable_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"the booth's browser tests cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module", autouse=True)
def _stop_background_services():
    """Each board application built in this process starts its scheduler (and, with witnesses, its cosigner):
    once the module that built them is done, their threads stop, instead of polling databases the module's
    temporary directories no longer hold (bulletin_board/background.py)."""
    yield
    from bulletin_board import background

    background.stop_all()
