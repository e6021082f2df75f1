"""Abuse of the board's API: floods of submissions, trustee messages and reads, brute force on the admin token,
a dead rate-limit store, and limits that must hold across gunicorn workers (docs/threat-model.md, "abuse";
bulletin_board/web/limits.py, docs/board.md "Rate limits and abuse")."""

from __future__ import annotations

import hmac
import json
import logging
import re
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from support.board_world import ADMIN_TOKEN, make_app
from support.processes import ADMIN_TOKEN as PROCESS_ADMIN_TOKEN
from support.processes import free_port, open_election, serve_board
from test_board_ballot_load import MANIFEST as MEASURE_MANIFEST
from test_board_ballot_load import _encrypt

from attacks.web_support import ADMIN_HEADERS, assert_json_error, ballot, ballots_url, open_world, redis_url, snapshot
from bulletin_board.log_format.errors import InvalidInput
from bulletin_board.web import auth
from bulletin_board.web.config import load_settings


def assert_rate_limited(response, setting: str) -> int:
    """A 429 in the board's error shape naming ``setting``, with a Retry-After in whole seconds."""
    error = assert_json_error(response, 429, "rate_limited")
    assert error["field"] is None and f"EVOTE_RATELIMIT_{setting}" in error["message"]
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 3600
    return retry_after


def test_per_client_submission_limit_answers_429_and_leaves_the_board_unchanged(tmp_path):
    world = open_world(tmp_path, voters=4, EVOTE_RATELIMIT_SUBMIT_PER_CLIENT="3 per minute")
    for index in range(3):
        world.expect(world.client.post(ballots_url(world), json=ballot(world, index)), 201)
    before = snapshot(world.app)
    flood = world.client.post(ballots_url(world), json=ballot(world, 3))  # a valid ballot of a fresh voter
    assert_rate_limited(flood, "SUBMIT_PER_CLIENT")
    assert snapshot(world.app) == before
    other_address = world.client.post(ballots_url(world), json=ballot(world, 3), environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_address.status_code == 201  # the limit is per client address, not global


def assert_credential_limited(response, kind: str) -> None:
    """A 429 of the board's own per-credential count (elections/credential_limits.py): a code per kind, a
    sentence for the voter with no setting name and no number, and a Retry-After."""
    error = assert_json_error(response, 429, f"rate_limited_{kind}")
    assert error["field"] == "credential" and "EVOTE_" not in error["message"] and not re.search(r"\d", error["message"])
    assert 1 <= int(response.headers["Retry-After"]) <= 3600


def test_per_credential_limit_stops_one_voter_while_another_voter_on_the_same_client_casts(tmp_path):
    world = open_world(tmp_path, voters=2, EVOTE_RATELIMIT_CREDENTIAL_CASTS="2 per hour")
    world.expect(world.client.post(ballots_url(world), json=ballot(world, 0, {"mayor": ["alice"]})), 201)
    world.expect(world.client.post(ballots_url(world), json=ballot(world, 0, {"mayor": ["bob"]})), 201)  # a revote
    before = snapshot(world.app)
    third = world.client.post(ballots_url(world), json=ballot(world, 0, {"mayor": ["alice"]}))
    assert_credential_limited(third, "casts")
    assert snapshot(world.app) == before
    from_elsewhere = world.client.post(ballots_url(world), json=ballot(world, 0), environ_base={"REMOTE_ADDR": "192.0.2.8"})
    assert_credential_limited(from_elsewhere, "casts")  # the credential, not the address, is counted
    world.expect(world.client.post(ballots_url(world), json=ballot(world, 1)), 201)


def test_junk_submitted_in_a_voters_name_does_not_lock_the_voter_out(tmp_path):
    """The credential is public: only ballots the board appended (signed by the voter) count against it."""
    world = open_world(tmp_path, voters=1, EVOTE_RATELIMIT_CREDENTIAL_CASTS="2 per hour")
    forged = ballot(world, 0)
    forged["signature"] = "AB" * 64
    for _ in range(4):
        assert_json_error(world.client.post(ballots_url(world), json=forged), 400, "invalid_payload")
    world.expect(world.client.post(ballots_url(world), json=ballot(world, 0)), 201)


def test_trustee_message_flood_answers_429(tmp_path):
    world = open_world(tmp_path, voters=1, EVOTE_RATELIMIT_TRUSTEE_PER_CLIENT="4 per minute")
    url = f"/api/v1/elections/{world.election_id}/trustee-messages"
    junk = {"kind": "keygen.commitments", "payload": {"nonsense": True}}
    flooder = {"REMOTE_ADDR": "192.0.2.20"}  # the key ceremony above posted from the test client's own address
    for _ in range(4):
        assert world.client.post(url, json=junk, environ_base=flooder).status_code in (400, 409, 422)
    before = snapshot(world.app)
    assert_rate_limited(world.client.post(url, json=junk, environ_base=flooder), "TRUSTEE_PER_CLIENT")
    assert snapshot(world.app) == before


def test_admin_token_brute_force_answers_429_from_that_address_only(tmp_path):
    app = make_app(tmp_path, EVOTE_RATELIMIT_ADMIN_FAILURES_PER_CLIENT="3 per minute")
    client = app.test_client()
    for _ in range(10):  # accepted tokens are not counted
        assert client.get("/api/v1/board").status_code == 200
        client.post("/api/v1/admin/elections", json={}, headers=ADMIN_HEADERS)
    for guess in range(3):
        wrong = client.post("/api/v1/admin/elections", json={}, headers={"Authorization": f"Bearer guess-{guess:016d}"})
        assert_json_error(wrong, 401, "invalid_token")
    before = snapshot(app)
    assert_rate_limited(client.post("/api/v1/admin/elections", json={}, headers={"Authorization": "Bearer guess-4"}),
                        "ADMIN_FAILURES_PER_CLIENT")  # fmt: skip
    assert snapshot(app) == before
    valid = client.post("/api/v1/admin/elections", json={}, headers=ADMIN_HEADERS)
    assert_json_error(valid, 400, "missing_field")  # the valid token from the same address is never locked out
    elsewhere = client.post("/api/v1/admin/elections", json={}, headers=ADMIN_HEADERS, environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert_json_error(elsewhere, 400, "missing_field")  # the administrator elsewhere is not locked out


def test_reads_are_limited_per_client_but_booth_pages_are_not(tmp_path):
    app = make_app(tmp_path, EVOTE_RATELIMIT_READS_PER_CLIENT="5 per minute", EVOTE_SECRET_KEY="attack-tests-secret-key")
    client = app.test_client()
    paths = ["/api/v1/board", "/api/v1/elections", "/api/v1/openapi.json", "/api/v1/elections/e1/context", "/api/v1/board"]
    assert [client.get(path).status_code for path in paths] == [200, 200, 200, 404, 200]
    assert_rate_limited(client.get("/api/v1/elections"), "READS_PER_CLIENT")  # one count across every read endpoint
    assert client.get("/booth/elections/e1/vote").status_code == 200
    assert client.get("/api/v1/board", environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 200


@pytest.mark.parametrize(
    "name, value, reason",
    [
        ("EVOTE_RATELIMIT_SUBMIT_PER_CLIENT", "lots", "is not a rate limit"),
        ("EVOTE_RATELIMIT_CREDENTIAL_CASTS", "10 per fortnight", "is not a rate limit"),
        ("EVOTE_RATELIMIT_CREDENTIAL_SEALED_CHALLENGES", "three a day", "is not a rate limit"),
        ("EVOTE_CLOSE_GRACE_SECONDS", "5 s", "must be an integer"),
        ("EVOTE_RATELIMIT_READS_PER_CLIENT", "-1 per minute", "is not a rate limit"),
        ("EVOTE_RATELIMIT_STORAGE_URI", "memcached://127.0.0.1:11211", "must be a URI with scheme"),
        ("EVOTE_RATELIMIT_STORAGE_URI", "127.0.0.1:6379", "must be a URI with scheme"),
        ("EVOTE_TRUSTED_PROXIES", "-1", "must be an integer"),
    ],
)
def test_bad_limit_settings_are_refused_at_startup_naming_the_setting(name, value, reason):
    with pytest.raises(InvalidInput) as refused:
        load_settings({name: value}, environ={})
    assert refused.value.field == name and reason in refused.value.reason


def test_off_disables_one_limit_only(tmp_path):
    settings = load_settings({"EVOTE_RATELIMIT_SUBMIT_PER_CLIENT": "off", "EVOTE_RATELIMIT_TRUSTEE_PER_CLIENT": ""}, environ={})
    assert settings.rate_limits["SUBMIT_PER_CLIENT"] is None and settings.rate_limits["TRUSTEE_PER_CLIENT"] is None
    assert settings.credential_limits.casts  # the board's own per-credential limits stay
    for value, expected in [("2 per minute", [415, 415, 429, 429]), ("off", [415, 415, 415, 415])]:
        (tmp_path / value).mkdir()
        client = make_app(
            tmp_path / value, EVOTE_RATELIMIT_SUBMIT_PER_CLIENT=value, EVOTE_RATELIMIT_READS_PER_CLIENT="2 per minute"
        ).test_client()
        assert [
            client.post("/api/v1/elections/e1/ballots", data="x", content_type="text/plain").status_code for _ in range(4)
        ] == expected
        assert [client.get("/api/v1/board").status_code for _ in range(3)] == [200, 200, 429]  # the other limits stay


def test_trusted_proxy_count_decides_which_address_is_limited(tmp_path):
    """Behind one trusted proxy the client is the last X-Forwarded-For hop; without one the header is ignored."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    forwarded = lambda address: {"X-Forwarded-For": f"198.51.100.1, {address}"}  # noqa: E731 (the first hop is forged)
    direct = make_app(tmp_path / "a", EVOTE_RATELIMIT_READS_PER_CLIENT="2 per minute").test_client()
    codes = [direct.get("/api/v1/board", headers=forwarded(f"203.0.113.{i}")).status_code for i in range(3)]
    assert codes == [200, 200, 429]  # a client cannot dodge the limit by writing X-Forwarded-For itself
    proxied = make_app(tmp_path / "b", EVOTE_RATELIMIT_READS_PER_CLIENT="2 per minute", EVOTE_TRUSTED_PROXIES="1").test_client()
    codes = [proxied.get("/api/v1/board", headers=forwarded(f"203.0.113.{i}")).status_code for i in range(3)]
    assert codes == [200, 200, 200]  # three voters behind the proxy, each counted on their own
    assert [proxied.get("/api/v1/board", headers=forwarded("203.0.113.50")).status_code for _ in range(3)] == [200, 200, 429]


def test_a_dead_limit_store_keeps_reads_open_and_refuses_writes(tmp_path):
    """Redis unreachable: reads fall back to per-process counting, while a ballot gets 503 (it would otherwise
    skip the per-credential limit that the other workers count), and nothing is appended."""
    world = open_world(tmp_path, voters=1)
    dead = make_app(tmp_path, EVOTE_RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    client = dead.test_client()
    before = snapshot(dead)
    assert client.get(f"/api/v1/elections/{world.election_id}/entries").status_code == 200
    refused = client.post(ballots_url(world), json=ballot(world, 0))
    error = assert_json_error(refused, 503, "rate_limit_unavailable")
    assert refused.headers["Retry-After"] == "30" and "nothing was recorded" in error["message"]
    message = {"kind": "keygen.commitments", "payload": {}}
    assert_json_error(client.post(f"/api/v1/elections/{world.election_id}/trustee-messages", json=message), 503)
    assert_json_error(
        client.post("/api/v1/admin/elections", json={}, headers={"Authorization": "Bearer wrong-token-000000"}), 503
    )
    assert snapshot(dead) == before


def test_a_limit_store_failing_after_the_answer_keeps_the_answer(tmp_path, monkeypatch, caplog):
    """A refused admin token is counted after the answer (``deduct_when``). If the store fails at that moment,
    the client still gets the 401, not a 500; the operator's log says the count was lost. (Ballots are no
    longer counted here: the board counts them inside the append, test_credential_limits.py.)"""
    from limits.errors import StorageError
    from limits.storage import MemoryStorage

    client = make_app(tmp_path, EVOTE_RATELIMIT_READS_PER_CLIENT="off").test_client()  # the one incr left: the count

    def failing_incr(self, *args, **kwargs):
        raise StorageError(ConnectionError("the store went away"))

    monkeypatch.setattr(MemoryStorage, "incr", failing_incr)
    with caplog.at_level(logging.ERROR):
        answer = client.post("/api/v1/admin/elections", json={}, headers={"Authorization": "Bearer wrong-token-" + "0" * 32})
    assert_json_error(answer, 401, "invalid_token")  # nosniff: the other after-request hooks still ran
    assert "this request was not counted" in caplog.text


def test_the_admin_token_is_compared_with_hmac_compare_digest(tmp_path, monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    client = make_app(tmp_path).test_client()  # before the spy: the token's own check at startup is no request
    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    guesses = ["short", ADMIN_TOKEN[:-1] + ".", ADMIN_TOKEN + "-longer", "é" * 40, "\x7f" * 3000]
    for guess in guesses:
        headers = {"Authorization": "Bearer " + guess}
        assert_json_error(client.post("/api/v1/admin/elections", json={}, headers=headers), 401, "invalid_token")
    assert_json_error(client.post("/api/v1/admin/elections", json={}, headers=ADMIN_HEADERS), 400, "missing_field")
    expected = ADMIN_TOKEN.encode()
    assert calls == [(guess.encode("utf-8"), expected) for guess in guesses] + [(expected, expected)]


def test_the_admin_token_is_never_logged_by_the_app(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_app(tmp_path, EVOTE_RATELIMIT_ADMIN_FAILURES_PER_CLIENT="2 per minute").test_client()
    wrong = "wrong-token-" + "Z" * 20
    bodies = []
    for token in [wrong, ADMIN_TOKEN, wrong, wrong, ADMIN_TOKEN]:  # refused, accepted, refused, 429, accepted
        response = client.post("/api/v1/admin/elections", json={"election_id": "x"}, headers={"Authorization": f"Bearer {token}"})
        bodies.append(response.get_data(as_text=True))
    assert [json.loads(b)["error"]["code"] for b in bodies] == [
        "invalid_token",
        "missing_field",
        "invalid_token",
        "rate_limited",
        "missing_field",
    ]
    captured = caplog.text + "".join(bodies)
    assert "rate" in caplog.text  # flask-limiter's breach line was captured: the log is really being read
    assert ADMIN_TOKEN not in captured and wrong not in captured


def _post(url: str, body: bytes, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


@pytest.mark.slow
def test_the_admin_token_is_never_logged_by_gunicorn(tmp_path, monkeypatch):
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--access-logfile - --error-logfile - --log-level debug")
    with serve_board(tmp_path, workers=2) as server:
        wrong = "wrong-process-token-" + "Q" * 16
        for token in [wrong, PROCESS_ADMIN_TOKEN]:
            status, _ = _post(server.url + "/api/v1/admin/elections", b"{}", {"Authorization": f"Bearer {token}"})
            assert status == (401 if token == wrong else 400)
    log = "".join(path.read_text() for path in tmp_path.glob("board-*.log"))
    assert "POST /api/v1/admin/elections" in log  # the access log is on: this test reads real log lines
    assert PROCESS_ADMIN_TOKEN not in log and wrong not in log


def _posts_in_every_worker(base_url: str, path: str, body: bytes, headers: dict, count: int) -> list[int]:
    """POST ``body`` on ``count`` connections at once. Each sends its headers and then waits before its body,
    so a sync gunicorn worker that has taken one connection is busy with it: ``count`` connections keep
    ``count`` different workers each serving one request. Returns the statuses, sorted."""
    parts = urlsplit(base_url)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = (f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n{head}"
               f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()  # fmt: skip
    connections = [socket.create_connection((parts.hostname, parts.port), timeout=30) for _ in range(count)]
    try:
        for connection in connections:
            connection.sendall(request)
        time.sleep(0.5)  # every worker has accepted one connection and waits for its body
        for connection in connections:
            connection.sendall(body)
        return sorted(int(connection.makefile("rb").readline().split()[1]) for connection in connections)
    finally:
        for connection in connections:
            connection.close()


@pytest.mark.slow
def test_limits_hold_across_gunicorn_workers_with_redis(tmp_path, monkeypatch):
    """Three workers, one Redis: the per-client and admin limits count every worker's requests. With memory://
    each worker would count alone and let three times as many through. (The per-credential limit is counted by
    the board in its database, so it holds across workers without Redis; it is part of the run all the same.)"""
    monkeypatch.setenv("EVOTE_RATELIMIT_STORAGE_URI", redis_url(db=11))
    monkeypatch.setenv("EVOTE_RATELIMIT_SUBMIT_PER_CLIENT", "8 per minute")
    monkeypatch.setenv("EVOTE_RATELIMIT_CREDENTIAL_CASTS", "1 per hour")
    monkeypatch.setenv("EVOTE_RATELIMIT_ADMIN_FAILURES_PER_CLIENT", "2 per minute")
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--access-logfile - --access-logformat 'worker=%(p)s status=%(s)s %(r)s'")
    with serve_board(tmp_path, workers=3) as server:
        election_id = "workers-redis"
        credentials = open_election(server.url, election_id, MEASURE_MANIFEST, 1)
        path = f"/api/v1/elections/{election_id}/ballots"
        cast = _encrypt((server.url, election_id, credentials, 1))[0]
        assert _post(server.url + path, json.dumps(cast).encode(), {})[0] == 201
        revote = json.dumps(_encrypt((server.url, election_id, credentials, 2))[0]).encode()
        assert _posts_in_every_worker(server.url, path, revote, {}, 3) == [429, 429, 429]  # the credential's one append
        assert _posts_in_every_worker(server.url, path, b"{}", {}, 3) == [400, 400, 400]
        assert _posts_in_every_worker(server.url, path, b"{}", {}, 3) == [400, 429, 429]  # 8 per client in all
        guess = {"Authorization": "Bearer guess-0000000000000"}
        first = _posts_in_every_worker(server.url, "/api/v1/admin/elections", b"{}", guess, 3)
        assert first.count(401) >= 2  # refusals are counted after the answer: concurrent guesses may all pass
        assert _posts_in_every_worker(server.url, "/api/v1/admin/elections", b"{}", guess, 3) == [429, 429, 429]
    log = "".join(path.read_text() for path in tmp_path.glob("board-*.log"))
    workers = set(re.findall(r"worker=<(\d+)> status=4\d\d POST /api/v1/(?:elections/\S+/ballots|admin)", log))
    assert len(workers) == 3, "the limited requests were not served by every worker; the test would prove nothing"
