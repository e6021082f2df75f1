"""The booth's server side without a browser: pages, security headers on every response, markup that runs
under a strict Content-Security-Policy, the CSRF-protected language form, and receipt QR codes."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.booth_board import booth_app

from voting.booth.security import CONTENT_SECURITY_POLICY, page_policy

PAGES = ["/booth/", "/booth/elections/e1/", "/booth/elections/e1/vote", "/booth/elections/e1/lookup",
         "/booth/elections/e1/check"]
CODE = "0123456789ABCDEF" * 4
TEMPLATES = Path(__file__).resolve().parent.parent / "voting" / "booth" / "templates"
SCRIPTS = Path(__file__).resolve().parent.parent / "voting" / "booth" / "static" / "js"


@pytest.fixture
def app(tmp_path):
    return booth_app(tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


class _Markup(HTMLParser):
    """Collects what a strict CSP would refuse: inline scripts, event-handler and style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[dict] = []
        self.ids: list[str] = []
        self.import_maps: list[str] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, _ in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}=...>")
        if attributes.get("href", "").lower().startswith("javascript:"):
            self.problems.append(f"<{tag} href=javascript:...>")
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "script":
            self._in_script = attributes
            self.scripts.append(attributes)
        if tag == "style":
            self.problems.append("<style> element")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        script = self._in_script
        if script is not None and data.strip() and script.get("type") not in ("application/json", "importmap"):
            self.problems.append("inline script")
        if script is not None and script.get("type") == "importmap":
            self.import_maps.append(data)  # admitted by its hash only (tests/test_booth_sri.py)


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_under_a_strict_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    markup = _Markup()
    markup.feed(response.get_data(as_text=True))
    import_map_hash = "'sha256-" + base64.b64encode(hashlib.sha256(markup.import_maps[0].encode()).digest()).decode() + "'"
    assert response.headers["Content-Security-Policy"] == page_policy(import_map_hash)
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert markup.problems == [] and len(markup.import_maps) == 1
    assert len(markup.ids) == len(set(markup.ids)), "duplicate element ids"
    modules = [s for s in markup.scripts if s.get("type") == "module"]
    assert len(modules) == 1 and modules[0]["src"].startswith("/booth/static/js/booth/")
    assert all(s.get("type") in ("module", "application/json", "importmap") for s in markup.scripts)


def test_security_headers_cover_the_board_api_and_static_files(client):
    for path in ["/api/v1/board", "/api/v1/elections/nope/context", "/booth/static/js/eg/worker.js"]:
        response = client.get(path)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
    script = client.get("/booth/static/js/booth/vote_page.js")
    assert script.status_code == 200 and script.mimetype in ("text/javascript", "application/javascript")
    https = client.get("/booth/", base_url="https://booth.example")
    assert https.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_cross_site_form_cannot_post_a_ballot(client):
    """A plain HTML form (form-encoded, or text/plain, the types a cross-site form may send without a CORS
    preflight) is refused: the ballot API takes application/json only and uses no cookie."""
    for content_type in ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain"):
        response = client.post("/api/v1/elections/e1/ballots", data="action=cast", content_type=content_type)
        assert response.status_code == 415, content_type


def test_styles_respect_the_users_text_size():
    """Font sizes in rem/em only (the browser's text size setting scales the booth); px appears only in
    the 1px visually-hidden idiom."""
    css = (SCRIPTS.parent / "css" / "booth.css").read_text()
    without_comments = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert not re.search(r"font(-size)?:[^;]*\dpx", without_comments)
    rules_with_px = [rule for rule in re.findall(r"([^{}]+)\{([^}]*)\}", without_comments) if "px" in rule[1]]
    assert [selector.strip() for selector, _ in rules_with_px] == [".visually-hidden"]
    assert "font-size: 1.125rem" in css and "html { font-size: 100%; }" in css


def test_no_template_or_script_turns_data_into_markup():
    """Election data reaches the DOM only as text: no innerHTML/outerHTML/insertAdjacentHTML/document.write/
    eval/new Function in the booth's scripts, and no |safe or autoescape off in the templates."""
    scripts = "\n".join(p.read_text() for p in SCRIPTS.rglob("*.js"))
    for forbidden in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                      "setAttribute('on", "srcdoc"]:
        assert forbidden not in scripts, forbidden
    templates = "\n".join(p.read_text() for p in TEMPLATES.rglob("*.html"))
    assert "|safe" not in templates.replace(" ", "") and "autoescape false" not in templates


def test_secret_inputs_have_no_name_so_no_form_can_send_them(client):
    """The credential input has no name: a form submitted without the scripts sends nothing (the ballot's
    inputs, made by the script, are checked in the browser tests)."""
    page = client.get("/booth/elections/e1/vote").get_data(as_text=True)
    credential = re.search(r"<input id=\"credential-input\"[^>]*>", page).group(0)
    assert "name=" not in credential and 'type="password"' in credential
    assert 'autocomplete="off"' in credential


def test_unknown_election_ids_and_paths_are_404(client):
    assert client.get("/booth/elections/bad id/vote").status_code == 404
    assert client.get("/booth/elections/-bad/").status_code == 404
    assert client.get("/booth/elections/e1/qr/lookup/abc.svg").status_code == 404
    assert client.get(f"/booth/elections/e1/qr/lookup/{CODE.lower()}.svg").status_code == 404
    assert client.get(f"/booth/elections/e1/qr/other/{CODE}.svg").status_code == 404


def test_index_redirects_to_a_valid_election_and_explains_an_invalid_one(client):
    response = client.get("/booth/?election=town-2026")
    assert response.status_code == 303 and response.headers["Location"].endswith("/booth/elections/town-2026/")
    page = client.get("/booth/?election=no%20spaces").get_data(as_text=True)
    assert 'aria-invalid="true"' in page and "election-id-error" in page


@pytest.mark.parametrize("page", ["lookup", "check"])
def test_qr_code_holds_only_the_public_page_url(client, app, page):
    response = client.get(f"/booth/elections/town-2026/qr/{page}/{CODE}.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<?xml") and "<title>" in svg and "<script" not in svg
    # The same URL encoded by segno gives the same picture: the code holds exactly the page's public URL.
    from voting.booth.qr import qr_svg

    expected_url = f"http://localhost/booth/elections/town-2026/{page}?code={CODE}"
    title = re.search(r"<title>(.*?)</title>", svg).group(1)
    assert svg.encode() == qr_svg(expected_url, title=title)
    app.config["EVOTE_PUBLIC_URL"] = "https://vote.example.org/"
    behind_proxy = client.get(f"/booth/elections/town-2026/qr/{page}/{CODE}.svg").get_data()
    assert behind_proxy == qr_svg(f"https://vote.example.org/booth/elections/town-2026/{page}?code={CODE}", title=title)


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_language_form_needs_its_csrf_token(client):
    refused = client.post("/booth/language", data={"lang": "fr", "next": "/booth/"})
    assert refused.status_code == 400
    assert "evote_lang" not in refused.headers.get("Set-Cookie", "")
    page = client.get("/booth/elections/e1/vote").get_data(as_text=True)
    token = _csrf_token(page)
    accepted = client.post("/booth/language", data={"lang": "fr", "next": "/booth/elections/e1/vote", "csrf_token": token})
    assert accepted.status_code == 303 and accepted.headers["Location"] == "/booth/elections/e1/vote"
    assert "evote_lang=fr" in accepted.headers["Set-Cookie"] and "HttpOnly" in accepted.headers["Set-Cookie"]
    assert '<html lang="fr" dir="ltr">' in client.get("/booth/elections/e1/vote").get_data(as_text=True)
    forged = client.post("/booth/language", data={"lang": "fr", "next": "/booth/", "csrf_token": token[:-2] + "xx"})
    assert forged.status_code == 400


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_language_form_never_redirects_off_site(client, target):
    token = _csrf_token(client.get("/booth/").get_data(as_text=True))
    response = client.post("/booth/language", data={"lang": "en", "next": target, "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/booth/"


def test_language_form_returns_to_the_page_without_its_lang_parameter(client):
    page = client.get("/booth/elections/e1/lookup?lang=fr&code=AB").get_data(as_text=True)
    assert 'name="next" type="hidden" value="/booth/elections/e1/lookup?code=AB"' in page


def test_registering_twice_is_refused(app):
    from voting.booth import register_booth

    with pytest.raises(RuntimeError, match="Flask-Babel"):
        register_booth(app)
