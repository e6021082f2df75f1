"""Web attacks on the board's JSON API and the booth's pages (docs/threat-model.md, "web"): XSS through
manifest names and reflected input, CSRF on the booth's form and on the ballot API, clickjacking, and hostile
bodies and headers (oversized, deeply nested, huge numbers, NaN, duplicate keys, invalid UTF-8, wrong
types). Every refusal is a 4xx JSON error naming the field or the reason, and the board is unchanged."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.board_world import make_app

from attacks.web_support import (
    ADMIN_HEADERS,
    XSS_MANIFEST,
    XSS_PAYLOADS,
    assert_json_error,
    ballot,
    ballots_url,
    open_world,
    snapshot,
)

PAGES = ["/booth/", "/booth/elections/{id}/", "/booth/elections/{id}/vote", "/booth/elections/{id}/lookup",
         "/booth/elections/{id}/check"]  # fmt: skip
MAX_BODY = 65536
# This module is about hostile content, not floods: its board lets one client send all of its requests.
UNLIMITED = {"EVOTE_RATELIMIT_SUBMIT_PER_CLIENT": "off", "EVOTE_RATELIMIT_ADMIN_FAILURES_PER_CLIENT": "off"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """An open election whose every name is markup, on a board whose body limit is 64 KiB."""
    return open_world(
        tmp_path_factory.mktemp("web"), voters=4, manifest=XSS_MANIFEST, EVOTE_MAX_BODY_BYTES=str(MAX_BODY), **UNLIMITED
    )


def pages(world) -> list[str]:
    return [page.format(id=world.election_id) for page in PAGES]


def csp(response) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in response.headers["Content-Security-Policy"].split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


def refused(world, response, status: int, code: str, before) -> dict:
    error = assert_json_error(response, status, code)
    assert snapshot(world.app) == before, "a refused request changed the board"
    return error


# --- XSS --------------------------------------------------------------------------------------------------


def test_manifest_markup_reaches_the_api_only_as_inert_json(world):
    """The names are on the board as data; every API answer carrying them is JSON that no browser may sniff
    into HTML, under a policy that runs nothing even if it did."""
    for path in [f"/api/v1/elections/{world.election_id}/context", f"/api/v1/elections/{world.election_id}/entries"]:
        response = world.client.get(path)
        assert response.status_code == 200 and response.mimetype == "application/json"
        assert response.headers.get("X-Content-Type-Options") == "nosniff"
        assert csp(response)["default-src"] == ["'none'"] and "script-src" in csp(response)
        text = response.get_data(as_text=True)
        assert all(json.dumps(payload)[1:-1] in text for payload in XSS_PAYLOADS)  # really there, as JSON strings


def test_booth_pages_never_put_manifest_names_or_reflected_input_into_markup(world):
    """The pages carry no election data (the scripts insert it as text); what they do reflect, the current
    path and query in the language form, is escaped."""
    attack = "&".join(f"q{i}={payload}" for i, payload in enumerate(XSS_PAYLOADS))
    for page in pages(world):
        response = world.client.get(f"{page}?{attack}&lang=%22%3E%3Cscript%3Ealert(5)%3C/script%3E")
        assert response.status_code == 200 and response.mimetype == "text/html"
        html = response.get_data(as_text=True)
        for payload in XSS_PAYLOADS + ["<script>alert(5)"]:
            assert payload not in html, (page, payload)
        assert "q0=%3Cscript%3Ealert%281%29" in html  # reflected (URL-encoded, then escaped): the test reads real output
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag or tag == '<script type="importmap">', tag
        for body in IMPORT_MAP.findall(html):  # the one inline script: module paths and their hashes, no data
            document = json.loads(body)
            assert set(document) <= {"imports", "integrity"} and all(
                key.startswith("/booth/static/") for part in document.values() for key in part
            ), document


IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.S)


def _hash_source(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"


def test_content_security_policy_forbids_inline_and_foreign_script_everywhere(world):
    responses = [world.client.get(page) for page in pages(world)]
    responses += [
        world.client.get("/api/v1/board"),
        world.client.get("/api/v1/nowhere"),
        world.client.get("/booth/static/js/booth/vote_page.js"),
    ]
    for response in responses:
        policy = csp(response)
        admitted = [_hash_source(body) for body in IMPORT_MAP.findall(response.get_data(as_text=True))]
        # no 'unsafe-inline', 'unsafe-eval', data:, hosts or *: only the page's own import map, admitted by its hash
        assert policy["script-src"] == ["'self'", *admitted], policy
        assert policy["default-src"] == ["'none'"] and policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
        assert not any(
            "unsafe" in source or source in ("*", "data:", "http:", "https:") for sources in policy.values() for source in sources
        )


def test_error_bodies_that_echo_input_are_inert_json(world):
    before = snapshot(world.app)
    body = dict(ballot(world, 0), **{XSS_PAYLOADS[0]: 1})
    error = refused(world, world.client.post(ballots_url(world), json=body), 400, "unknown_field", before)
    assert error["field"] == XSS_PAYLOADS[0]  # echoed as a JSON string, in a JSON body that cannot be sniffed
    for path in [
        f"/api/v1/elections/{XSS_PAYLOADS[1]}/entries",
        f"/api/v1/{XSS_PAYLOADS[3]}",
        f"/booth/elections/{XSS_PAYLOADS[0]}/vote",
    ]:
        response = world.client.get(path)
        assert response.status_code in (400, 404) and response.mimetype == "application/json", path
        assert response.headers.get("X-Content-Type-Options") == "nosniff"


# --- CSRF --------------------------------------------------------------------------------------------------


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_the_language_form_refuses_posts_without_a_token_of_this_session(world, tmp_path):
    victim = world.app.test_client()
    victim.get("/booth/")  # the victim has a session
    attacker = world.app.test_client()
    attackers_token = _token(attacker.get("/booth/").get_data(as_text=True))  # valid, but for the attacker's session
    other_board = make_app(tmp_path, EVOTE_SECRET_KEY="another board's secret key").test_client()
    foreign_token = _token(other_board.get("/booth/").get_data(as_text=True))  # signed with another board's key
    for data in [
        {},
        {"csrf_token": ""},
        {"csrf_token": "x" * 40},
        {"csrf_token": attackers_token},
        {"csrf_token": foreign_token},
    ]:
        response = victim.post("/booth/language", data={"lang": "fr", "next": "/booth/", **data})
        assert response.status_code == 400, data
        assert "evote_lang" not in response.headers.get("Set-Cookie", "")
    honest = victim.post(
        "/booth/language",
        data={"lang": "fr", "next": "/booth/", "csrf_token": _token(victim.get("/booth/").get_data(as_text=True))},
    )
    assert honest.status_code == 303  # the same form with the victim's own token works: the refusals are the token's


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None]
)
def test_a_cross_site_simple_request_cannot_carry_a_valid_ballot(world, content_type):
    """A page on another site may POST text/plain or form bodies without asking (no CORS preflight). The body
    here is a valid, signed ballot: only the content type stands between it and the board."""
    payload = json.dumps(ballot(world, 1)).encode()
    before = snapshot(world.app)
    headers = {"Origin": "https://evil.example"} | ({"Content-Type": content_type} if content_type else {})
    error = refused(
        world, world.client.post(ballots_url(world), data=payload, headers=headers), 415, "unsupported_media_type", before
    )
    assert error["field"] == "Content-Type"


def test_cors_grants_no_cross_origin_access_and_the_api_sets_no_cookie(world):
    evil = {"Origin": "https://evil.example"}
    preflight = world.client.options(ballots_url(world), headers=evil | {"Access-Control-Request-Method": "POST",
                                                                          "Access-Control-Request-Headers": "content-type"})  # fmt: skip
    answers = [preflight, world.client.get("/api/v1/board", headers=evil),
               world.client.post(ballots_url(world), json={}, headers=evil),
               world.client.post("/api/v1/admin/elections", json={}, headers=evil | ADMIN_HEADERS)]  # fmt: skip
    for response in answers:
        assert not [name for name in response.headers.keys() if name.lower().startswith("access-control-")], response.headers
        assert "Set-Cookie" not in response.headers  # the API has no ambient credential a cross-site request could use


# --- clickjacking -------------------------------------------------------------------------------------------


def test_every_page_and_api_answer_forbids_framing(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in a view")

    responses = [world.client.get(page) for page in pages(world)]
    responses += [
        world.client.get("/booth/static/js/booth/vote_page.js"),
        world.client.get("/api/v1/board"),
        world.client.get("/api/v1/elections/no-such-election"),
        world.client.delete("/api/v1/board"),
        world.client.post(ballots_url(world), data="x", content_type="text/plain"),
        world.client.post(ballots_url(world), data=b"[" * (MAX_BODY + 1), content_type="application/json"),
        world.client.post("/booth/language", data={}),
    ]
    monkeypatch.setattr(world.app.extensions["evote_elections"], "context", broken)
    responses.append(world.client.get(f"/api/v1/elections/{world.election_id}/context"))
    assert sorted({r.status_code for r in responses}) == [200, 400, 404, 405, 413, 415, 500]
    for response in responses:
        assert response.headers.get("X-Frame-Options") == "DENY", response.status_code
        assert csp(response)["frame-ancestors"] == ["'none'"], response.status_code
    error = assert_json_error(responses[-1], 500, "internal_error")
    assert "a bug in a view" not in error["message"]  # no exception text reaches the client either


# --- hostile bodies and headers ------------------------------------------------------------------------------


def _valid_body(world, index: int = 2) -> str:
    return json.dumps(ballot(world, index))


@pytest.mark.parametrize("path", ["ballots", "trustee-messages", "admin"])
def test_bodies_over_the_limit_are_413_before_anything_is_parsed(world, path):
    url = {"ballots": ballots_url(world), "trustee-messages": f"/api/v1/elections/{world.election_id}/trustee-messages",
           "admin": "/api/v1/admin/elections"}[path]  # fmt: skip
    headers = ADMIN_HEADERS if path == "admin" else {}
    big = json.dumps({"credential": "A" * (MAX_BODY + 10)})
    before = snapshot(world.app)
    error = refused(
        world,
        world.client.post(url, data=big, content_type="application/json", headers=headers),
        413,
        "payload_too_large",
        before,
    )
    assert str(MAX_BODY) in error["message"]
    # A chunked body as a server hands it over: no Content-Length, a stream the server terminates. The test
    # client adds a Content-Length of its own to an input stream, which alone made this case pass while real
    # servers cut such a body at the limit and parsed the rest (issue 13); here the environ is set as they set it
    # (CONTENT_LENGTH None reads as absent).
    # test_web_servers.py sends real chunked bodies to the dev server and gunicorn.
    chunked = world.client.post(url, input_stream=io.BytesIO(big.encode()), content_type="application/json", headers=headers,
                                environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": None})  # fmt: skip
    refused(world, chunked, 413, "payload_too_large", before)


@pytest.mark.parametrize("kind", ["arrays", "objects", "inside a field"])
def test_deeply_nested_json_is_a_400_not_a_recursion_error(tmp_path, kind):
    world = open_world(tmp_path, voters=1)  # the default 1 MiB body limit, so 100 000 levels fit
    depth = 100_000
    body = {
        "arrays": "[" * depth + "]" * depth,
        "objects": '{"a":' * depth + "1" + "}" * depth,
        "inside a field": '{"action": "cast", "ballot": ' + "[" * depth + "]" * depth + "}",
    }[kind]
    before = snapshot(world.app)
    error = refused(
        world, world.client.post(ballots_url(world), data=body, content_type="application/json"), 400, "malformed_json", before
    )
    assert "nested deeper than" in error["message"] and error["field"] == "body"


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda text: text.replace('"action": "cast"', '"action": ' + "9" * 5000), "5000 digits is not allowed"),
        (lambda text: text.replace('"action": "cast"', '"action": -' + "9" * 50_000), "50000 digits is not allowed"),
        (lambda text: text.replace('"action": "cast"', '"action": ' + "9" * 30), "below 2^53"),
        (lambda text: text.replace('"action": "cast"', '"action": "cast", "reveal": NaN'), "NaN is not allowed"),
        (lambda text: text.replace('"action": "cast"', '"action": "cast", "reveal": Infinity'), "Infinity is not allowed"),
        (lambda text: text.replace('"action": "cast"', '"action": "cast", "reveal": -Infinity'), "-Infinity is not allowed"),
        (lambda text: text.replace('"action": "cast"', '"action": "cast", "reveal": 1e400'), "floating-point"),
        (lambda text: text.replace('"action": "cast"', '"action": "challenge", "action": "cast"'), "duplicate key 'action'"),
    ],
    ids=["5000 digits", "50000 digits", "beyond 2^53", "NaN", "Infinity", "-Infinity", "float", "duplicate key"],
)
def test_numbers_and_keys_json_allows_but_the_board_does_not(world, mutate, reason):
    """Each body is a valid signed ballot but for one value: the parser alone must refuse it."""
    text = _valid_body(world)
    assert '"action": "cast"' in text
    before = snapshot(world.app)
    response = world.client.post(ballots_url(world), data=mutate(text), content_type="application/json")
    error = refused(world, response, 400, None, before)
    assert reason in error["message"] and error["code"] in ("malformed_json", "invalid_payload"), error


@pytest.mark.parametrize(
    "encode",
    [lambda text: text.replace('"cast"', '"ca\udcffst"').encode("utf-8", "surrogateescape"),
     lambda text: text.encode("utf-16"), lambda text: b"\xef\xbb\xbf" + text.encode()[:-1] + b"\xc0\xaf}"],
    ids=["invalid byte", "utf-16", "overlong"],
)  # fmt: skip
def test_bodies_that_are_not_utf8_are_refused(world, encode):
    before = snapshot(world.app)
    response = world.client.post(ballots_url(world), data=encode(_valid_body(world)), content_type="application/json")
    error = refused(world, response, 400, "malformed_json", before)
    assert "not UTF-8" in error["message"] or "malformed JSON" in error["message"]


@pytest.mark.parametrize("value", [1, True, None, ["cast"], {"a": "b"}, ""])
def test_wrong_json_types_where_the_api_expects_strings(world, value):
    body = json.loads(_valid_body(world))
    body["action"] = value
    before = snapshot(world.app)
    error = refused(world, world.client.post(ballots_url(world), json=body), 400, None, before)
    assert error["field"] == "action"
    kind = world.client.post(f"/api/v1/elections/{world.election_id}/trustee-messages", json={"kind": value, "payload": {}})
    assert refused(world, kind, 400, None, before)["field"] == "kind"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer " + "A" * 200_000, "Bearer " + "é" * 5000, "Basic " + "QQ==" * 1000, "Bearer", "bearer  ", "Bearer \x00\x01"],
    ids=["200 kB token", "non-ASCII", "basic scheme", "no token", "blank", "control bytes"],
)
def test_hostile_authorization_headers_are_401_never_500(world, authorization):
    before = snapshot(world.app)
    response = world.client.post("/api/v1/admin/elections", json={}, headers={"Authorization": authorization})
    error = refused(world, response, 401, None, before)
    assert error["field"] == "Authorization" and error["code"] in ("missing_token", "invalid_token")
    secret = authorization.partition(" ")[2].strip()
    assert not secret or secret[:40] not in response.get_data(as_text=True)  # nothing of the token is echoed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=300), st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                                                             lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                                                             max_leaves=20).map(lambda v: json.dumps(v).encode())))  # fmt: skip
def test_no_body_makes_the_ballot_api_fail_or_append(world, body):
    before = snapshot(world.app)
    response = world.client.post(ballots_url(world), data=body, content_type="application/json")
    assert 400 <= response.status_code < 500 and response.status_code != 429
    assert_json_error(response, response.status_code)
    assert snapshot(world.app) == before
