"""Hostile input against real boards: the werkzeug dev server and gunicorn, on SQLite and on PostgreSQL, each a
separate process on 127.0.0.1 (docs/threat-model.md, "web"; issue 13, items 2 to 5).

- Hex fields (signatures, keys, hashes, group elements) with whitespace, odd length, foreign or Unicode digits
  or the wrong length are a 400 naming the field, never a 500 from the library they would have reached.
- A body over EVOTE_MAX_BODY_BYTES is a 413 whatever its framing: chunked bodies too, on every POST route.
- Every integer in a URL (path or query) is range-checked where it enters: routes and parameters are read
  from the app's url_map and its OpenAPI document, so a new route is covered without editing this file.
- Refused admin tokens from an address never lock out the valid token from the same address.

Every refusal leaves the board unchanged, and the server's log never shows a traceback.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from support.board_world import make_app
from support.processes import ADMIN_TOKEN, open_election, serve_board
from test_board_ballot_load import MANIFEST, _encrypt, database

from attacks.web_support import live_snapshot, send
from bulletin_board.web.api_docs import openapi_document

ELECTION = "hostile-input"
MAX_BODY = 65536
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SETTINGS = {  # per-address limits off (one client sends everything), except the one on refused admin tokens
    "EVOTE_MAX_BODY_BYTES": str(MAX_BODY),
    "EVOTE_RATELIMIT_SUBMIT_PER_CLIENT": "off",
    "EVOTE_RATELIMIT_TRUSTEE_PER_CLIENT": "off",
    "EVOTE_RATELIMIT_READS_PER_CLIENT": "off",
    "EVOTE_RATELIMIT_ADMIN_FAILURES_PER_CLIENT": "10 per minute; 100 per day",
}
SERVERS = {"dev-sqlite": ("dev", "sqlite"), "gunicorn-sqlite": ("gunicorn", "sqlite"),
           "gunicorn-postgresql": ("gunicorn", "postgresql")}  # fmt: skip


@dataclass
class Board:
    url: str
    log: Path
    submissions: list[dict]  # valid, signed, never posted: one per voter

    def snapshot(self):
        return live_snapshot(self.url)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module", params=list(SERVERS), ids=list(SERVERS))
def board(request, tmp_path_factory):
    server_kind, backend = SERVERS[request.param]
    directory = tmp_path_factory.mktemp(request.param)
    with contextlib.ExitStack() as stack:
        environment = stack.enter_context(pytest.MonkeyPatch.context())
        for name, value in SETTINGS.items():
            environment.setenv(name, value)
        url = stack.enter_context(contextlib.contextmanager(database)(backend, directory))
        server = stack.enter_context(serve_board(directory, url, workers=2 if server_kind == "gunicorn" else 0))
        credentials = open_election(server.url, ELECTION, MANIFEST, 6)
        port = urlsplit(server.url).port
        yield Board(server.url, directory / f"board-{port}.log", _encrypt((server.url, ELECTION, credentials, 1)))


@pytest.fixture(autouse=True)
def no_traceback_in_the_servers_log(request):
    if "board" not in request.fixturenames:
        yield
        return
    live = request.getfixturevalue("board")
    start = len(live.log_text())
    yield
    written = live.log_text()[start:]
    assert "Traceback" not in written and "Exception" not in written, written[-3000:]


def refused(live: Board, answer, status: int, field: str | None) -> dict:
    assert answer.status == status, (answer.status, answer.body[:400])
    error = answer.error()
    if field is not None:
        assert error["field"] == field, error
    return error


# --- item 2: hex fields -----------------------------------------------------------------------------------


def hostile_hex(valid: str) -> dict[str, str]:
    """Strings a lenient parser (``bytes.fromhex``, ``int(x, 16)``) would take, or that have the wrong length."""
    middle = len(valid) // 4 * 2  # between two bytes, where bytes.fromhex skips whitespace
    return {
        "two spaces for a byte": valid[:middle] + "  " + valid[middle + 2 :],  # the right length, one byte short
        "tab and newline for a byte": valid[:middle] + "\t\n" + valid[middle + 2 :],
        "leading spaces": "  " + valid[2:],
        "trailing newlines": valid[:-2] + "\r\n",
        "space inside a byte": valid[: middle + 1] + " " + valid[middle + 2 :],
        "no-break space": valid[:-1] + "\u00a0",
        "odd length": valid[:-1],
        "one byte short": valid[:-2],
        "one byte long": valid + "00",
        "lower case": valid.lower(),
        "not hex": valid[:-1] + "G",
        "0x prefix": "0x" + valid[2:],
        "Arabic-Indic digit": "\u0663" + valid[1:],
        "full-width digit": "\uff11" + valid[1:],
        "underscore": valid[:2] + "_" + valid[3:],
    }


def _set(document: dict, path: str, value) -> dict:
    """A deep copy of ``document`` with the field at ``path`` (a.b[0].c) replaced."""
    copy = json.loads(json.dumps(document))
    keys = [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]
    target = copy
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    return copy


def _get(document: dict, path: str):
    for key in [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]:
        document = document[key]
    return document


BALLOT_HEX_FIELDS = ["signature", "credential", "ballot.confirmation_code", "ballot.contests[0].contest_hash",
                     "ballot.contests[0].selections[0].alpha", "ballot.contests[0].selections[0].proof.c[0]",
                     "ballot.contests[0].contest_data.c1"]  # fmt: skip


@pytest.mark.parametrize("path", BALLOT_HEX_FIELDS)
def test_hex_fields_of_a_ballot_with_whitespace_or_foreign_digits_are_400_naming_the_field(board, path):
    submission = board.submissions[0]
    before = board.snapshot()
    for how, value in hostile_hex(_get(submission, path)).items():
        answer = send(
            board.url, "POST", f"/api/v1/elections/{ELECTION}/ballots", json.dumps(_set(submission, path, value)).encode()
        )
        error = refused(board, answer, 400, None)
        leaf = re.findall(r"[^.\[\]]+", path)[-1]
        assert error["field"] and leaf in error["field"] and error["code"] == "invalid_payload", (how, error)
    assert board.snapshot() == before


def test_a_trustee_message_signature_with_whitespace_is_400_naming_the_field(board):
    before = board.snapshot()
    for how, value in hostile_hex("AB" * 64).items():
        message = {"kind": "keygen.commitments", "payload": {"body": {"guardian": 1}, "signer": 1, "signature": value}}
        answer = send(board.url, "POST", f"/api/v1/elections/{ELECTION}/trustee-messages", json.dumps(message).encode())
        assert refused(board, answer, 400, "signature")["code"] == "invalid_payload", how
    assert board.snapshot() == before


def test_a_trustee_identity_key_with_whitespace_is_400_naming_the_field(board):
    """A public key from outside: the identity key in an election's definition (parse_public_key)."""
    from trustee_tools.state import TrusteeState
    from voting.record.election import define_election

    trustee = TrusteeState.new("Trustee")
    roster = [{"index": 1, "name": trustee.name, "identity_key": trustee.identity_public_key}]
    before = board.snapshot()
    for how, value in hostile_hex(trustee.identity_public_key).items():
        payload = define_election(f"hostile-key-{len(value)}", MANIFEST, roster, 1).to_payload()
        payload["guardians"]["trustees"][0]["identity_key"] = value
        answer = send(board.url, "POST", "/api/v1/admin/elections", json.dumps(payload).encode(), headers=AUTH)
        error = refused(board, answer, 400, None)
        assert error["field"].endswith("identity_key"), (how, error)
    assert board.snapshot() == before


def test_a_confirmation_code_in_the_url_with_whitespace_is_400(board):
    code = board.submissions[0]["ballot"]["confirmation_code"]
    for how, value in hostile_hex(code).items():
        answer = send(board.url, "GET", f"/api/v1/elections/{ELECTION}/ballots/{quote(value, safe='')}")
        refused(board, answer, 400, "confirmation_code")


# --- item 3: bodies over the limit, whatever their framing ------------------------------------------------------


def _padded(submission: dict, size: int) -> bytes:
    """The submission's JSON followed by spaces, ``size`` bytes in all (still one valid JSON document)."""
    text = json.dumps(submission).encode()
    assert len(text) < size
    return text + b" " * (size - len(text))


def test_a_chunked_ballot_over_the_limit_is_413_and_one_at_the_limit_is_counted(board):
    """The issue's case: a valid ballot followed by 2 MiB of spaces, chunked. Before the fix the board read the
    first MAX_BODY bytes, found a complete ballot there, and appended it (201)."""
    before = board.snapshot()
    path = f"/api/v1/elections/{ELECTION}/ballots"
    for size in (MAX_BODY + 1, MAX_BODY + (2 << 20)):
        answer = send(board.url, "POST", path, _padded(board.submissions[1], size), chunked=True)
        assert str(MAX_BODY) in refused(board, answer, 413, "body")["message"]
    answer = send(board.url, "POST", path, _padded(board.submissions[1], MAX_BODY + (2 << 20)))  # with Content-Length
    refused(board, answer, 413, "body")
    assert board.snapshot() == before
    answer = send(board.url, "POST", path, _padded(board.submissions[1], MAX_BODY), chunked=True)  # exactly the limit
    assert answer.status == 201, answer.body[:300]
    assert json.loads(answer.body)["receipt"]["confirmation_code"] == board.submissions[1]["ballot"]["confirmation_code"]


def test_a_small_chunked_ballot_is_handled_normally(board):
    answer = send(board.url, "POST", f"/api/v1/elections/{ELECTION}/ballots", json.dumps(board.submissions[2]).encode(),
                  chunked=True)  # fmt: skip
    assert answer.status == 201, answer.body[:300]


def _post_rules():
    app = make_app(Path(_scratch()), EVOTE_SECRET_KEY="scratch")
    return sorted(rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods)


def _scratch() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="evote-url-map-")


def _fill(rule: str, **values: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values.get(m.group(1), "x"), rule)


def test_every_post_route_refuses_a_chunked_body_over_the_limit(board):
    """Every POST route of the app (read from its url_map, the booth's form included) answers 413 to a chunked
    body one byte over the limit, before a rate limit, a form parser or a view reads it."""
    rules = _post_rules()
    assert "/api/v1/elections/<election_id>/ballots" in rules and "/booth/language" in rules
    before = board.snapshot()
    for rule in rules:
        body = b'{"kind": "credentials.published", "payload": {}}' + b" " * MAX_BODY
        answer = send(board.url, "POST", _fill(rule, election_id=ELECTION), body, headers=AUTH, chunked=True)
        assert answer.status == 413, (rule, answer.status, answer.body[:300])
        assert answer.error()["field"] == "body"
    assert board.snapshot() == before


def test_broken_chunked_encoding_is_refused_without_a_traceback(board):
    parts = urlsplit(board.url)
    before = board.snapshot()
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        connection.sendall(f"POST /api/v1/elections/{ELECTION}/ballots HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                           "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                           "ZZ\r\n{}\r\n0\r\n\r\n".encode())  # fmt: skip
        status_line = connection.makefile("rb").readline()
    assert status_line.split()[1] in (b"400", b"413"), status_line
    assert board.snapshot() == before


# --- item 4: integers in URLs ------------------------------------------------------------------------------------

MALFORMED_INTEGERS = {
    "huge": "9" * 30,
    "2^63": "9223372036854775808",
    "2^64": "18446744073709551616",
    "negative": "-1",
    "plus sign": "+1",
    "leading zero": "01",
    "leading zeros": "0000000000000000000000001",
    "Arabic-Indic digit": "\u0663",
    "superscript two": "\u00b2",
    "full-width one": "\uff11",
    "space": " 1",
    "hex": "0x10",
    "exponent": "1e3",
    "decimal point": "1.0",
    "empty": "",
}
LARGEST = {"2^63 - 1": "9223372036854775807", "2^63 - 2": "9223372036854775806"}


def _integer_parameters() -> list[tuple[str, str, str, dict[tuple[str, str], str]]]:
    """(rule, where, name, the other parameters' valid values) for every integer parameter of every GET route under /api/v1, from the
    app's url_map and the OpenAPI document (which must describe every route)."""
    app = make_app(Path(_scratch()), EVOTE_SECRET_KEY="scratch")
    document = openapi_document()

    def resolve(item: dict) -> dict:
        if "$ref" in item:
            name = item["$ref"].rsplit("/", 1)[1]
            return document["components"]["parameters"][name]
        return item

    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1/") or "GET" not in rule.methods:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len("/api/v1") :])
        assert path in document["paths"], f"{rule.rule} is not in openapi.json: its parameters would go untested"
        item = document["paths"][path]
        parameters = [resolve(p) for p in item.get("parameters", []) + item["get"].get("parameters", [])]
        integers = [p for p in parameters if p.get("schema", {}).get("type") == "integer"]
        smallest = {
            (p["in"], p["name"]): str(p["schema"].get("minimum", 0)) for p in integers if p["in"] == "path" or p.get("required")
        }
        found += [(rule.rule, p["in"], p["name"], {k: v for k, v in smallest.items() if k[1] != p["name"]}) for p in integers]
    return found


def _url(rule: str, where: str, name: str, value: str, others: dict[tuple[str, str], str]) -> str:
    values = {**others, (where, name): value}
    path = _fill(rule, election_id=ELECTION, **{n: quote(v, safe="") for (w, n), v in values.items() if w == "path"})
    query = {n: v for (w, n), v in values.items() if w == "query"}
    return path + ("?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items()) if query else "")


def test_every_integer_in_a_url_is_range_checked_where_it_enters(board):
    """Malformed integers are a 400 naming the parameter; the largest well-formed ones are a 400 or 404 naming
    it (or an empty page), never the 500 of `seq + 1` overflowing the database's 64-bit integer."""
    parameters = _integer_parameters()
    assert {name for _, _, name, _ in parameters} >= {"seq", "start", "limit", "size", "old", "new"}
    for rule, where, name, others in parameters:
        for how, value in MALFORMED_INTEGERS.items():
            if where == "path" and value == "":
                continue  # an empty path segment is another route
            answer = send(board.url, "GET", _url(rule, where, name, value, others))
            assert answer.status == 400 and answer.error()["field"] == name, (rule, name, how, answer.status, answer.body[:200])
        for how, value in LARGEST.items():
            answer = send(board.url, "GET", _url(rule, where, name, value, others))
            assert answer.status in (200, 400, 404), (rule, name, how, answer.status, answer.body[:200])
            if answer.status != 200:
                assert answer.error()["field"] == name, (rule, name, how)


def test_no_path_argument_of_any_route_gives_a_5xx(board):
    """Every path argument of every route (API, booth, static files) with each malformed integer and hostile hex."""
    app = make_app(Path(_scratch()), EVOTE_SECRET_KEY="scratch")
    code = board.submissions[0]["ballot"]["confirmation_code"]
    values = [v for v in MALFORMED_INTEGERS.values() if v] + list(LARGEST.values()) + list(hostile_hex(code).values())
    valid = {"election_id": ELECTION, "code": code, "page": "lookup", "seq": "0", "filename": "js/booth/vote_page.js",
             "public_key": "AB" * 32}  # fmt: skip
    for rule in app.url_map.iter_rules():
        method = "GET" if "GET" in rule.methods else "POST"
        for argument in rule.arguments:
            for value in values:
                path = _fill(rule.rule, **dict(valid, **{argument: quote(value, safe="")}))
                answer = send(board.url, method, path, b"{}" if method == "POST" else None, headers=AUTH)
                assert answer.status < 500, (rule.rule, argument, value, answer.status, answer.body[:200])


def test_integers_in_bodies_beyond_the_safe_range_are_400(board):
    before = board.snapshot()
    for value in ["9223372036854775807", "-9223372036854775809", "9" * 40, "1e400"]:
        body = f'{{"kind": "keygen.commitments", "payload": {{"body": {{"guardian": 1}}, "signer": {value}, "signature": ""}}}}'
        answer = send(board.url, "POST", f"/api/v1/elections/{ELECTION}/trustee-messages", body.encode())
        assert refused(board, answer, 400, "body")["code"] == "malformed_json"
    assert board.snapshot() == before


# --- item 5: refused admin tokens never lock out the valid one ------------------------------------------------------


def test_two_hundred_refused_tokens_do_not_lock_out_the_valid_token_from_the_same_address(board):
    """Anybody behind the administrator's address (a shared NAT, a proxy) can send wrong tokens; they are
    limited per address (429 after ten a minute), but the valid token still passes, whatever their count."""
    before = board.snapshot()
    statuses = []
    for guess in range(200):
        wrong = {"Authorization": f"Bearer evote-admin-guess{guess:043d}"}
        statuses.append(send(board.url, "POST", "/api/v1/admin/elections", b"{}", headers=wrong).status)
    assert set(statuses) == {401, 429} and statuses.count(401) <= 10 * 2, sorted(set(statuses))  # 10 per worker at most
    assert board.snapshot() == before
    for _ in range(4):  # every gunicorn worker
        answer = send(board.url, "POST", "/api/v1/admin/elections", b"{}", headers=AUTH)
        assert answer.status == 400 and answer.error()["code"] == "missing_field", answer.body[:300]  # past the token
