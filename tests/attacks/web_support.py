"""Shared helpers of the web-attack and rate-limit tests (docs/threat-model.md, "web" and "abuse" rows).

An open election on a board app reached through the Flask test client (tests/support/board_world.py), a snapshot of
every election's log to show that a refused request changed nothing, and the Redis the cross-worker tests
need (EVOTE_TEST_REDIS_URL; skipped outside CI when absent, a failure under CI=true). For boards running as
real servers (tests/support/processes.py): :func:`send` (one raw HTTP request, chunked if asked) and
:func:`live_snapshot`.
"""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from support.board_world import ADMIN_TOKEN, BoardWorld, make_app
from support.environment import in_ci

REDIS_ENV = "EVOTE_TEST_REDIS_URL"
REDIS_DEFAULT = "redis://127.0.0.1:6379"
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
# Markup in every name a manifest has; each must reach a browser as text, never as markup or a URL.
XSS_PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>', "javascript:alert(3)",
                "</title><svg onload=alert(4)>", "{{7*7}}<!--"]  # fmt: skip
XSS_MANIFEST = {
    "label": XSS_PAYLOADS[0],
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "mayor", "title": XSS_PAYLOADS[1], "votes_allowed": 1,
         "options": [{"label": "alice", "name": XSS_PAYLOADS[2]}, {"label": "bob", "name": XSS_PAYLOADS[3]}]},
    ],
    "ballot_styles": [{"label": "all", "contests": ["mayor"]}],
    "info": {"jurisdiction": XSS_PAYLOADS[4]},
}  # fmt: skip


def open_world(tmp_path, *, voters: int = 3, manifest: dict | None = None, **settings: str) -> BoardWorld:
    """An open election (one trustee) on a fresh board app with ``settings`` (EVOTE_* overrides)."""
    app = make_app(tmp_path, EVOTE_SECRET_KEY="attack-tests-secret-key", **settings)
    world = BoardWorld(app.test_client(), n=1, k=1, voters=voters, **({"manifest": manifest} if manifest else {}))
    world.keygen()
    world.open()
    world.app = app
    return world


def snapshot(app) -> list[tuple[str, int, bytes]]:
    """Every election on the board with its log size and head hash, read from the log itself."""
    log = app.extensions["evote_board"].log
    return [(info.election_id, info.size, info.head_hash) for info in log.elections()]


def ballot(world: BoardWorld, credential_index: int = 0, choices: dict | None = None) -> dict:
    payload, _ = world.submission(world.credentials[credential_index], choices or {"mayor": ["alice"]})
    return payload


def ballots_url(world: BoardWorld) -> str:
    return f"/api/v1/elections/{world.election_id}/ballots"


def assert_json_error(response, status: int, code: str | None = None) -> dict:
    """A refusal in the board's shape: the status, JSON ``{"error": {code, field, message}}``, no traceback."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text
    error = response.get_json()["error"]
    assert set(error) == {"code", "field", "message"} and error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


def redis_url(db: int) -> str:
    """The test Redis (EVOTE_TEST_REDIS_URL) on database ``db``, emptied first; skip or fail when absent."""
    base = os.environ.get(REDIS_ENV, REDIS_DEFAULT).rstrip("/")
    parts = urlsplit(base)
    try:
        import redis

        client = redis.Redis(host=parts.hostname or "127.0.0.1", port=parts.port or 6379, db=db, socket_connect_timeout=2)
        client.flushdb()
        client.close()
    except Exception as exc:  # ImportError, or redis.ConnectionError (which is not an OSError)
        message = f"no Redis at {base} ({type(exc).__name__}): set {REDIS_ENV} to a running server"
        if in_ci():
            pytest.fail(message + " (CI=true: a missing Redis is a failure, never a skip)")
        pytest.skip(message)
    return f"{parts.scheme}://{parts.netloc}/{db}"


# --- real servers (issue 13: the test client does not behave like the dev server or gunicorn) -----------------

CHUNK = 16384  # bytes per chunk of a chunked body


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    def error(self) -> dict:
        """The board's JSON error, checked for shape and for the absence of any traceback."""
        assert self.headers.get("Content-Type", "").startswith("application/json"), (self.status, self.body[:300])
        text = self.body.decode("utf-8")
        assert "Traceback" not in text and 'File "' not in text
        error = json.loads(text)["error"]
        assert set(error) == {"code", "field", "message"} and error["message"]
        return error


def send(url: str, method: str, path: str, body: bytes | Iterable[bytes] | None = None, *, headers: dict | None = None,
         chunked: bool = False) -> Answer:  # fmt: skip
    """One request over a fresh connection; ``chunked`` sends the body with Transfer-Encoding: chunked (no
    Content-Length), in the pieces ``body`` yields when it is an iterable."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        all_headers = {"Content-Type": "application/json"} if body is not None else {}
        all_headers.update(headers or {})
        if chunked and isinstance(body, bytes):
            body = [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)]
        connection.request(method, path, body=body, headers=all_headers, encode_chunked=chunked)
        response = connection.getresponse()
        return Answer(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


def live_snapshot(url: str) -> list[tuple[str, int, str]]:
    """Every election on a running board with its size and head hash, read through its API."""
    answer = send(url, "GET", "/api/v1/elections")
    assert answer.status == 200, answer
    return [(e["election_id"], e["size"], e["head_hash"]) for e in json.loads(answer.body)["elections"]]
