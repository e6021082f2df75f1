"""Subresource Integrity in Debian's Chromium: a booth page whose module, an ES module it imports (integrity
from the import map) or its stylesheet is served with other bytes than those hashed at start is refused by
the browser, and the same page served faithfully works."""

from __future__ import annotations

import pytest
from support.booth_board import live_board

pytestmark = pytest.mark.browser


class _Tamper:
    """WSGI middleware: serves other bytes for the static paths in ``changed`` (what a compromised server or a
    cache in between would do), passing everything else to the app."""

    def __init__(self, app):
        self.app = app
        self.changed: dict[str, tuple[bytes, str]] = {}

    def __call__(self, environ, start_response):
        found = self.changed.get(environ.get("PATH_INFO", ""))
        if found is None:
            return self.app(environ, start_response)
        body, mimetype = found
        start_response("200 OK", [("Content-Type", mimetype), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
        return [body]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with live_board(tmp_path_factory.mktemp("sri-board")) as board:
        tamper = _Tamper(board.app.wsgi_app)
        board.app.wsgi_app = tamper
        yield board, tamper


def _visit(chromium, url: str) -> tuple[str, str, list[str]]:
    context = chromium.new_context()
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.on("pageerror", lambda e: messages.append(str(e)))
    page.goto(url)
    page.wait_for_timeout(1000)
    status = page.text_content("#elections-status")
    color = page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position")
    context.close()
    return status, color, messages


def test_a_changed_script_module_or_stylesheet_is_refused(chromium, served):
    board, tamper = served
    url = f"{board.url}/booth/"
    status, position, messages = _visit(chromium, url)
    assert status == "There is no election on this site yet." and position == "absolute" and messages == []
    cases = {
        "the page's module": ("/booth/static/js/booth/index_page.js", "text/javascript"),
        "a module it imports": ("/booth/static/js/booth/api.js", "text/javascript"),
    }
    for what, (path, mimetype) in cases.items():
        original = board.app.test_client().get(path).get_data()
        tamper.changed = {path: (original + b"\n// changed after the booth started\n", mimetype)}
        status, _, messages = _visit(chromium, url)
        assert status == "Loading…", what  # the script never ran
        assert any("integrity" in m.lower() for m in messages), (what, messages)
    css = "/booth/static/css/booth.css"
    tamper.changed = {css: (board.app.test_client().get(css).get_data() + b"\n.x{}\n", "text/css")}
    _, position, messages = _visit(chromium, url)
    assert position != "absolute" and any("integrity" in m.lower() for m in messages)  # no style at all
    tamper.changed = {}
    assert _visit(chromium, url)[0] == "There is no election on this site yet."
