"""Serving the booth's ES modules to headless Chromium, for tests/test_booth_js.py and benchmarks/.

A loopback HTTP server on a free port mounts a few repository folders under their repository paths (so the
modules' relative imports resolve as on disk) and sends a Content-Security-Policy without inline scripts.
Chromium is Debian's /usr/bin/chromium driven by Python Playwright; no browser is ever downloaded.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import posixpath
import shutil
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]  # tests/support/ -> the repository
# Data from other projects is read where it lies, in ../shared beside the checkout (as in conftest.py).
EGK_VECTORS = REPO_ROOT.parent / "shared" / "vectors" / "electionguard-2.0"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
CSP = "default-src 'self'; script-src 'self'"
REPO_MOUNTS = ("voting/booth/static", "tests/js", "benchmarks")


def node_executable() -> str | None:
    return shutil.which("node")


def require_node() -> str:
    """Node's path; without Node the test skips with the reason, and fails under CI=true."""
    import pytest

    executable = node_executable()
    if executable is None:
        message = "node is not on PATH: the booth's JavaScript needs Node 20+"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return executable


def browser_unavailable_reason() -> str | None:
    """Why the Chromium tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is absent (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python Playwright is not installed (pip install playwright; never `playwright install`)"
    return None


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".html": "text/html; charset=utf-8",
    }

    def do_GET(self) -> None:
        if self.path == "/favicon.ico":  # browsers ask for it; answer without a 404 in the console
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def translate_path(self, path: str) -> str:
        path = posixpath.normpath(urllib.parse.unquote(urllib.parse.urlsplit(path).path))
        for prefix, root in self.server.mounts.items():  # type: ignore[attr-defined]
            if path == prefix or path.startswith(prefix + "/"):
                target = (root / path[len(prefix) :].lstrip("/")).resolve()
                if target == root or root in target.parents:
                    return str(target)
        return str(REPO_ROOT / "nonexistent")

    def list_directory(self, path):  # no directory listings
        self.send_error(404)
        return None

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # quiet test output
        pass


@contextlib.contextmanager
def serve(extra_mounts: dict[str, Path] | None = None) -> Iterator[str]:
    """Serves REPO_MOUNTS (plus extra_mounts: URL prefix -> folder) on 127.0.0.1; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.mounts = {"/" + mount: (REPO_ROOT / mount).resolve() for mount in REPO_MOUNTS}  # type: ignore[attr-defined]
    for prefix, folder in (extra_mounts or {}).items():
        server.mounts["/" + prefix.strip("/")] = Path(folder).resolve()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.contextmanager
def chromium_page() -> Iterator[tuple[object, list[str]]]:
    """A fresh headless Chromium page; yields (page, errors) where errors collects page errors and console errors."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
            page.on(
                "response",
                lambda response: errors.append(f"HTTP {response.status}: {response.url}") if response.status >= 400 else None,
            )
            page.on(
                "console",
                lambda message: errors.append(f"console {message.type}: {message.text}") if message.type == "error" else None,
            )
            yield page, errors
        finally:
            browser.close()


def run_page(url: str, *, timeout_ms: int = 120_000) -> tuple[dict, list[str]]:
    """Opens a page that reports JSON in #results and sets body[data-done]; returns (results, errors)."""
    import json

    with chromium_page() as (page, errors):
        page.goto(url)
        try:
            page.wait_for_selector("body[data-done='true']", timeout=timeout_ms, state="attached")
        except Exception as error:  # noqa: BLE001 - add what the page said before failing
            raise AssertionError(f"{url} did not finish: {error}; page errors: {errors}") from error
        return json.loads(page.text_content("#results") or "{}"), errors


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def axe_source() -> str:
    """axe-core's script as shipped with axe-playwright-python (injected into pages by the browser tests only)."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
