"""Security headers for every response of the board's app, and the booth's CSRF-protected form.

The booth's pages run only same-origin scripts (no inline script, no event-handler attribute, no eval), so
the policy can be strict: a stolen or injected string can never run as code. The headers are added with
``setdefault``: a view that sets its own value keeps it (the booth's pages set ``page_policy``, which admits
their one inline import map by its hash).
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    "connect-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
])



def page_policy(import_map_hash: str) -> str:
    """The policy of a booth page: as above, and its import map admitted by hash (served_code.py); still no
    other inline script, no eval, no event-handler attribute."""
    return CONTENT_SECURITY_POLICY.replace("script-src 'self'", f"script-src 'self' {import_map_hash}", 1)


SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def add_security_headers(response: Response) -> Response:
    """The ``after_request`` hook: the headers above on every response, HSTS over HTTPS, no caching of pages."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def install_security_headers(app: Flask) -> None:
    """Apply :func:`add_security_headers` to every response of ``app`` (API, pages and static files)."""
    if add_security_headers not in app.after_request_funcs.get(None, []):
        app.after_request(add_security_headers)


class LanguageForm(FlaskForm):
    """The language switcher: a POST form (it sets a cookie), protected by Flask-WTF's CSRF token."""

    lang = SelectField()
    next = HiddenField()
