"""The HTTP API with Flask's test client: every endpoint, and each bad input with its own JSON 4xx."""

from __future__ import annotations

import logging

import pytest
from openapi_spec_validator import validate

from bulletin_board.admin_token import new_admin_token
from bulletin_board.app import create_app
from bulletin_board.log_format.client_checks import check_entry_included, check_log_extends
from bulletin_board.log_format.note import NoteVerifier

from .conftest import created_payload

TOKEN = new_admin_token()
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(tmp_path):
    app = create_app({"EVOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'board.sqlite3'}",
                      "EVOTE_BOARD_KEY_FILE": str(tmp_path / "board.key"), "EVOTE_BOARD_ORIGIN": "test.board",
                      "EVOTE_ADMIN_TOKEN": TOKEN, "EVOTE_MAX_BODY_BYTES": "16384", "EVOTE_MAX_PAGE": "50"})
    log = app.extensions["evote_board"].log
    log.create_election("e1")
    for i in range(23):
        log.append("e1", "test.item", {"i": i, "text": "é"})
    log.create_election("empty")
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def snapshot(app):
    return app.extensions["evote_board"].log.elections()


def error_of(response, status, code, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "field", "message"}
    assert body["error"]["code"] == code
    assert body["error"]["field"] == field
    assert "Traceback" not in response.get_data(as_text=True) and "<html" not in response.get_data(as_text=True).lower()
    return body["error"]


# --- endpoints --------------------------------------------------------------------------------------------

def test_board_info(client, app):
    info = client.get("/api/v1/board").get_json()
    verifier = NoteVerifier.from_string(info["verifier_key"])
    assert info["origin"] == "test.board" and info["key_name"] == verifier.name
    assert info["public_key"] == verifier.public_key.hex().upper() and info["key_id"] == verifier.key_id.hex()


def test_elections_and_summary(client):
    listed = client.get("/api/v1/elections").get_json()["elections"]
    assert [e["election_id"] for e in listed] == ["e1", "empty"]
    summary = client.get("/api/v1/elections/e1").get_json()
    assert summary["size"] == 23 and summary["origin"] == "test.board/elections/e1"
    assert summary == listed[0]


def test_entries_paging(client):
    first = client.get("/api/v1/elections/e1/entries?limit=10").get_json()
    assert [e["seq"] for e in first["entries"]] == list(range(10)) and first["next"] == 10 and first["size"] == 23
    last = client.get("/api/v1/elections/e1/entries?start=20&limit=10").get_json()
    assert [e["seq"] for e in last["entries"]] == [20, 21, 22] and last["next"] is None
    beyond = client.get("/api/v1/elections/e1/entries?start=99").get_json()
    assert beyond["entries"] == [] and beyond["next"] is None
    default = client.get("/api/v1/elections/e1/entries").get_json()
    assert len(default["entries"]) == 23


def test_one_entry(client, app):
    entry = client.get("/api/v1/elections/e1/entries/4").get_json()
    stored = app.extensions["evote_board"].log.entry("e1", 4)
    assert entry == {"seq": 4, "kind": "test.item", "payload": {"i": 4, "text": "é"},
                     "prev_hash": stored.prev_hash.hex().upper(), "entry_hash": stored.entry_hash.hex().upper(),
                     "received_at": stored.received_at}


def test_checkpoint_inclusion_and_consistency_verify_on_the_client(client):
    verifier = NoteVerifier.from_string(client.get("/api/v1/board").get_json()["verifier_key"])
    origin = "test.board/elections/e1"
    old = client.get("/api/v1/elections/e1/checkpoint?size=9").get_json()
    new = client.get("/api/v1/elections/e1/checkpoint").get_json()
    assert (old["size"], new["size"]) == (9, 23)
    inclusion = client.get("/api/v1/elections/e1/entries/5/inclusion?size=9").get_json()
    assert inclusion["root"] == old["root"]
    check_entry_included(old["note"], [verifier], origin, 5, bytes.fromhex(inclusion["entry_hash"]),
                         [bytes.fromhex(h) for h in inclusion["proof"]])
    consistency = client.get("/api/v1/elections/e1/consistency?old=9&new=23").get_json()
    check_log_extends(old["note"], new["note"], [verifier], origin, [bytes.fromhex(h) for h in consistency["proof"]])
    assert client.get("/api/v1/elections/e1/consistency?old=9").get_json() == consistency


def test_admin_creates_an_election(client):
    response = client.post("/api/v1/admin/elections", json=created_payload("new-1"), headers=AUTH)
    assert response.status_code == 201 and response.get_json()["size"] == 1  # the election.created entry
    error_of(client.post("/api/v1/admin/elections", json=created_payload("new-1"), headers=AUTH),
             409, "election_exists", "election_id")


def test_openapi_document_is_valid_and_covers_every_route(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    documented = {(path, method) for path, item in document["paths"].items() for method in item if method != "parameters"}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule[len("/api/v1"):].replace("<", "{").replace(">", "}")
            served |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served


# --- rejections: each its own status and JSON body, and the log unchanged ----------------------------------

@pytest.mark.parametrize("url, status, code, field", [
    ("/api/v1/elections/bad%20id", 400, "invalid_input", "election_id"),
    ("/api/v1/elections/-x/entries", 400, "invalid_input", "election_id"),
    ("/api/v1/elections/nope", 404, "unknown_election", "election_id"),
    ("/api/v1/elections/nope/entries", 404, "unknown_election", "election_id"),
    ("/api/v1/elections/e1/entries/abc", 400, "invalid_input", "seq"),
    ("/api/v1/elections/e1/entries/-1", 400, "invalid_input", "seq"),
    ("/api/v1/elections/e1/entries/01", 400, "invalid_input", "seq"),
    ("/api/v1/elections/e1/entries/23", 404, "out_of_range", "seq"),
    ("/api/v1/elections/e1/entries/99999999999999999999", 400, "invalid_input", "seq"),
    ("/api/v1/elections/e1/entries?limit=0", 400, "invalid_input", "limit"),
    ("/api/v1/elections/e1/entries?limit=51", 400, "invalid_input", "limit"),
    ("/api/v1/elections/e1/entries?start=x", 400, "invalid_input", "start"),
    ("/api/v1/elections/e1/entries?start=1&start=2", 400, "invalid_input", "start"),
    ("/api/v1/elections/e1/entries?offset=1", 400, "invalid_input", "offset"),
    ("/api/v1/elections/e1/checkpoint?size=24", 404, "out_of_range", "size"),
    ("/api/v1/elections/e1/checkpoint?size=1.5", 400, "invalid_input", "size"),
    ("/api/v1/elections/e1/entries/3/inclusion?size=3", 404, "out_of_range", "seq"),
    ("/api/v1/elections/e1/entries/3/inclusion?size=30", 404, "out_of_range", "size"),
    ("/api/v1/elections/e1/consistency", 400, "invalid_input", "old"),
    ("/api/v1/elections/e1/consistency?old=5&new=4", 404, "out_of_range", "old"),
    ("/api/v1/elections/e1/consistency?old=5&new=x", 400, "invalid_input", "new"),
    ("/api/v1/nowhere", 404, "not_found", None),
])
def test_bad_reads(client, app, url, status, code, field):
    before = snapshot(app)
    error_of(client.get(url), status, code, field)
    assert snapshot(app) == before


def test_wrong_method_is_json_405(client):
    response = client.delete("/api/v1/elections/e1")
    error_of(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("kwargs, status, code, field", [
    ({"data": "{bad json", "content_type": "application/json"}, 400, "malformed_json", "body"),
    ({"data": '{"election_id": "a", "election_id": "b"}', "content_type": "application/json"}, 400, "malformed_json", "body"),
    ({"data": '{"election_id": 1.5}', "content_type": "application/json"}, 400, "malformed_json", "body"),
    ({"data": '["x"]', "content_type": "application/json"}, 400, "malformed_json", "body"),
    ({"json": {"election_id": "x" * 20000}}, 413, "payload_too_large", "body"),
    ({"data": "election_id=x", "content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", "Content-Type"),
    ({"json": created_payload("bad id")}, 400, "invalid_input", "election_id"),
    ({"json": created_payload(7)}, 400, "invalid_input", "election_id"),
    ({"json": created_payload("ok", revote_rule="never")}, 400, "invalid_payload", "revote_rule"),
    ({"json": created_payload("ok", hashes={"H_P": "00" * 32, "H_M": "00" * 32, "H_B": "00" * 32})}, 400, "invalid_payload", "hashes.H_P"),
    ({"json": {}}, 400, "missing_field", "election_id"),
    ({"json": {"election_id": "ok", "extra": 1}}, 400, "unknown_field", "extra"),
])
def test_bad_admin_bodies(client, app, kwargs, status, code, field):
    before = snapshot(app)
    error_of(client.post("/api/v1/admin/elections", headers=AUTH, **kwargs), status, code, field)
    assert snapshot(app) == before


@pytest.mark.parametrize("headers, code", [
    ({}, "missing_token"),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, "missing_token"),
    ({"Authorization": "Bearer"}, "missing_token"),
    ({"Authorization": "Bearer wrong-token-0123456789"}, "invalid_token"),
    ({"Authorization": f"Bearer {TOKEN}x"}, "invalid_token"),
    ({"Authorization": f"Bearer {TOKEN[:-1]}"}, "invalid_token"),
])
def test_admin_token_required(client, app, headers, code, caplog):
    before = snapshot(app)
    with caplog.at_level(logging.DEBUG):
        response = client.post("/api/v1/admin/elections", json={"election_id": "sneaky"}, headers=headers)
    error_of(response, 401, code, "Authorization")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert snapshot(app) == before
    assert TOKEN not in caplog.text and TOKEN not in response.get_data(as_text=True)


def test_admin_disabled_without_a_token(tmp_path):
    app = create_app({"EVOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}",
                      "EVOTE_BOARD_KEY_FILE": str(tmp_path / "k"), "EVOTE_ADMIN_TOKEN": ""})
    error_of(app.test_client().post("/api/v1/admin/elections", json={"election_id": "x"}, headers=AUTH),
             403, "admin_disabled")


@pytest.mark.parametrize("setting, value", [("EVOTE_ADMIN_TOKEN", "short"), ("EVOTE_MAX_BODY_BYTES", "lots"),
                                            ("EVOTE_MAX_PAGE", "0"), ("EVOTE_DATABASE_URL", "mysql://x/y"),
                                            ("EVOTE_BOARD_ORIGIN", "has space"), ("EVOTE_MAX_PAGE", "\u00b2")])
def test_bad_settings_refuse_to_start(tmp_path, setting, value):
    from bulletin_board.log_format.errors import InvalidInput
    config = {"EVOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}", "EVOTE_BOARD_KEY_FILE": str(tmp_path / "k")}
    config[setting] = value
    with pytest.raises(InvalidInput) as caught:
        create_app(config)
    assert value not in str(caught.value) or setting != "EVOTE_ADMIN_TOKEN"


def test_unexpected_errors_are_json_500_without_details(client, app, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(app.extensions["evote_board"].log, "elections", broken)
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/elections")
    error = error_of(response, 500, "internal_error")
    assert "secret internal detail" not in error["message"]
    assert "RuntimeError" in caplog.text  # the operator's log keeps the details
