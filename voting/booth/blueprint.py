"""The booth's pages: a Flask blueprint mounted on the bulletin board's app.

    register_booth(app)                       # pages under /booth, security headers on every response
    register_booth(app, url_prefix="/vote")   # elsewhere

| path (under the prefix)                 | page |
|-----------------------------------------|------|
| ``/``                                   | choose an election |
| ``/elections/<id>/``                    | election information |
| ``/elections/<id>/vote``                | the booth: credential, ballot, review, encryption, cast or challenge, receipt |
| ``/elections/<id>/lookup``              | find a ballot on the board by confirmation code or receipt |
| ``/elections/<id>/check``               | check a challenged ballot (re-encrypt its reveal) on any device |
| ``/elections/<id>/ballots``             | the confirmation codes of all ballots on the board, a page at a time |
| ``/elections/<id>/qr/<page>/<code>.svg`` | QR code of the lookup or check URL of a confirmation code |
| ``POST /language``                      | the language switcher (CSRF token) |

The server renders the pages' fixed text; the election's data comes from the board's API
(docs/record-format.md §9) and is put into the page by the scripts as text, never as markup. Nothing a
voter types or marks is sent to these views: the credential and the choices stay in the browser.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Flask, Response, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from bulletin_board.log_format.entry import ELECTION_ID_PATTERN

from .code_hash import STATIC, booth_code_sha256, integrity_map
from .i18n import COOKIE, LANGUAGES, RIGHT_TO_LEFT, current_language, install_babel
from .qr import qr_svg
from .security import LanguageForm, install_security_headers, page_policy
from .served_code import ServedCode
from .strings import js_strings

API_PREFIX = "/api/v1"
CODE_PATTERN = re.compile(r"[0-9A-F]{64}")
QR_PAGES = ("lookup", "check")
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600

bp = Blueprint("booth", __name__, template_folder="templates", static_folder="static")
log = logging.getLogger(__name__)


def _election(election_id: str) -> str:
    if not ELECTION_ID_PATTERN.fullmatch(election_id):
        abort(404)
    return election_id


def _here_without_lang() -> str:
    """The current path and query without ``lang`` (where the language form sends the voter back)."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + ("?" + urlencode(query) if query else "")


@bp.context_processor
def _page_globals() -> dict:
    language = current_language()
    form = LanguageForm(formdata=None, lang=language, next=_here_without_lang())
    form.lang.choices = list(LANGUAGES.items())
    code = _served_code()
    return {"lang": language, "dir": "rtl" if language in RIGHT_TO_LEFT else "ltr", "languages": LANGUAGES,
            "language_form": form, "js_strings": js_strings(), "api_base": API_PREFIX,
            "integrity": code.integrity, "import_map": code.import_map(_static_url), "booth_sha256": code.sha256}


def _served_code() -> ServedCode:
    return current_app.extensions["evote_booth_code"]


def _static_url(filename: str) -> str:
    return url_for("booth.static", filename=filename)


def _page(template: str, election_id: str | None = None, **values) -> Response:
    """A page, with a Content-Security-Policy that admits its import map (by hash) and no other inline script."""
    response = make_response(render_template(f"booth/{template}", election_id=election_id, **values))
    response.headers["Content-Security-Policy"] = page_policy(_served_code().import_map(_static_url).csp_hash)
    return response


@bp.get("/")
def index():
    chosen = request.args.get("election", "").strip()
    if chosen and ELECTION_ID_PATTERN.fullmatch(chosen):
        return redirect(url_for("booth.election", election_id=chosen), 303)
    return _page("index.html", invalid=bool(chosen))


@bp.get("/elections/<election_id>/")
def election(election_id: str):
    return _page("election.html", _election(election_id))


@bp.get("/elections/<election_id>/vote")
def vote(election_id: str):
    return _page("vote.html", _election(election_id))


@bp.get("/elections/<election_id>/lookup")
def lookup(election_id: str):
    return _page("lookup.html", _election(election_id))


@bp.get("/elections/<election_id>/ballots")
def ballots(election_id: str):
    return _page("ballots.html", _election(election_id))


@bp.get("/elections/<election_id>/check")
def check(election_id: str):
    return _page("check.html", _election(election_id))


@bp.get("/elections/<election_id>/qr/<page>/<code>.svg")
def qr(election_id: str, page: str, code: str):
    """The QR code of a public URL: the lookup (cast receipt) or check (challenged ballot) page of ``code``."""
    _election(election_id)
    if page not in QR_PAGES or not CODE_PATTERN.fullmatch(code):
        abort(404)
    public_url = current_app.config.get("EVOTE_PUBLIC_URL")  # e.g. https://vote.example.org behind a proxy
    if public_url:
        target = public_url.rstrip("/") + url_for(f"booth.{page}", election_id=election_id, code=code)
    else:
        target = url_for(f"booth.{page}", election_id=election_id, code=code, _external=True)
    title = _("Link to the page that looks up this ballot") if page == "lookup" else _("Link to the page that checks this challenged ballot")
    response = Response(qr_svg(target, title=title), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400"  # built from the Host header: no shared caches
    return response


def _safe_next(target: str) -> str:
    """A local path to return to (never another host, never a scheme-relative URL)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("booth.index")
    return target


@bp.post("/language")
def set_language():
    form = LanguageForm()
    form.lang.choices = list(LANGUAGES.items())
    if not form.validate_on_submit():
        response = _page("form_error.html")
        response.status_code = 400
        return response
    response = redirect(_safe_next(form.next.data or ""), 303)
    response.set_cookie(COOKIE, form.lang.data, max_age=LANGUAGE_COOKIE_SECONDS, secure=request.is_secure,
                        httponly=True, samesite="Lax")
    return response


def register_booth(app: Flask, *, url_prefix: str = "/booth", secret_key: str | bytes | None = None) -> None:
    """Mount the booth on ``app`` (the board's ``create_app()``): pages under ``url_prefix``, Flask-Babel
    with the booth's catalogues, Flask-WTF's CSRF token for the language form, and the security headers
    on every response of the app.

    The CSRF token is signed with ``app.secret_key``; give every worker the same one (``secret_key``,
    ``SECRET_KEY`` in the app's config, or the ``EVOTE_SECRET_KEY`` environment variable). Without any, a
    random key is made for this process, which is fine for one process only.
    """
    key = secret_key or app.config.get("SECRET_KEY") or os.environ.get("EVOTE_SECRET_KEY")
    if not key:
        log.warning("no SECRET_KEY or EVOTE_SECRET_KEY: the booth's forms use a per-process random key")
        key = secrets.token_bytes(32)
    app.secret_key = key
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 4 * 3600)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    install_babel(app)
    install_security_headers(app)
    # the booth's code is hashed once: its pages carry this integrity, and a file changed later is refused
    app.extensions["evote_booth_code"] = ServedCode(booth_code_sha256(STATIC), integrity_map(STATIC))
    app.register_blueprint(bp, url_prefix=url_prefix)
