"""The booth's in-browser cryptography (voting/booth/static/js/eg/): its Node test suite, and the same
library in headless Chromium, in a real module Web Worker, under a Content-Security-Policy without inline
scripts."""

from __future__ import annotations

import subprocess
import urllib.request

import pytest
from support.booth_js_support import EGK_VECTORS, REPO_ROOT, browser_unavailable_reason, in_ci, require_node, run_page, serve

from voting.ballot_checks import check_ballot
from voting.challenge import open_challenged_ballot
from voting.context import ElectionContext
from voting.encoding import parse_p
from voting.encrypted_ballot import parse_encrypted_ballot
from voting.manifest import parse_manifest


def test_node_suite() -> None:
    """`node --test tests/js/` passes (unit tests, egk vectors, reference-verifier checks)."""
    node = require_node()
    completed = subprocess.run(
        [node, "--test", "tests/js/"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, f"node --test failed:\n{completed.stdout[-20000:]}\n{completed.stderr[-5000:]}"


def test_pages_are_served_with_a_csp_without_inline_scripts() -> None:
    """The browser checks below run under "script-src 'self'", as the booth will."""
    with serve() as base:
        with urllib.request.urlopen(f"{base}/tests/js/browser/index.html") as response:
            assert response.headers["Content-Security-Policy"] == "default-src 'self'; script-src 'self'"
            assert "<script>" not in response.read().decode()
        with urllib.request.urlopen(f"{base}/voting/booth/static/js/eg/worker.js") as response:
            assert response.headers["Content-Type"] == "text/javascript"
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base}/voting/booth/static/js/eg/../../../../../pyproject.toml")


@pytest.fixture(scope="module")
def browser_results() -> dict:
    reason = browser_unavailable_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"the booth's browser tests cannot run: {reason}")
        pytest.skip(reason)
    mounts = {"vectors": EGK_VECTORS} if EGK_VECTORS.exists() else {}
    with serve(mounts) as base:
        query = "?vectors=/vectors/" if mounts else ""
        results, errors = run_page(f"{base}/tests/js/browser/index.html{query}")
    assert not errors, f"Chromium reported errors: {errors}"
    return results


def _passed(results: dict, name: str) -> dict:
    assert name in results, f"the page did not run {name}: {sorted(results)}"
    entry = results[name]
    assert entry["ok"], f"{name}: {entry['detail']}"
    return entry


@pytest.mark.browser
def test_chromium_worker_encrypts_ballot_that_verifies(browser_results: dict) -> None:
    """A 10-option ballot from the module worker passes the reference verifier and the challenge check in
    the page, and the Python core's ballot checks and challenge opening here."""
    detail = _passed(browser_results, "worker_encrypts_verifiable_ballot")["detail"]
    assert detail["encryptMs"] < 5000
    manifest = parse_manifest(detail["manifest"])
    context = ElectionContext(parse_p(detail["electionPublicKey"], "K"), bytes.fromhex(detail["extendedBaseHash"]))
    ballot = parse_encrypted_ballot(detail["ballot"], manifest)
    check_ballot(ballot, manifest, context)
    reveal = detail["reveal"]
    plain = open_challenged_ballot(ballot, manifest, context, bytes.fromhex(reveal["nonce"]), reveal["choices"])
    assert plain.contests[0].votes == (0, 0, 0, 0, 0, 0, 1, 0, 0, 0)


@pytest.mark.browser
def test_chromium_worker_reports_errors(browser_results: dict) -> None:
    _passed(browser_results, "worker_reports_errors")


@pytest.mark.browser
def test_chromium_credential_and_ed25519_signature(browser_results: dict) -> None:
    _passed(browser_results, "credential_and_signature")


@pytest.mark.browser
def test_chromium_page_has_no_csp_violations(browser_results: dict) -> None:
    _passed(browser_results, "csp_violations")


@pytest.mark.browser
@pytest.mark.parametrize("check", ["egk_parameters", "egk_ballot_encryption", "egk_confirmation_code", "egk_ballot_chaining"])
def test_chromium_egk_vectors(egk_vectors, browser_results: dict, check: str) -> None:
    """The egk known-answer checks of the Node suite (tests/js/egk_checks.mjs), run in Chromium."""
    _passed(browser_results, check)
