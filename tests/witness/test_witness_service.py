"""The witness service as it runs: real ``evote-witness serve`` (and gunicorn) processes over HTTP.

One SQLite witness serves the module; each test uses its own election origin, so tests do not share a log.
"""

from __future__ import annotations

import json
import os
import random
import threading
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from nacl.signing import SigningKey
from support.environment import in_ci
from support.witness_board_log import BoardLog
from support.witness_processes import start_witness, witness_processes

from bulletin_board.log_format.checkpoint import parse_checkpoint, verify_checkpoint
from bulletin_board.log_format.note import NoteSigner, parse_note
from bulletin_board.log_format.witness_protocol import SIZE_CONTENT_TYPE, AddCheckpoint
from witness.keys import read_key_file

BOARD = BoardLog()  # the board key every witness here trusts for "board.test/..."


def post(url: str, body: bytes) -> tuple[int, bytes, str]:
    request = urllib.request.Request(url + "/add-checkpoint", data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers["Content-Type"]
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers["Content-Type"]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def election(name: str, size: int = 10) -> BoardLog:
    return BoardLog(f"board.test/elections/{name}", BOARD.signer, size)


@pytest.fixture(scope="module")
def witness(tmp_path_factory):
    with witness_processes(tmp_path_factory.mktemp("witness"), [("board.test", BOARD.vkey)], n=1) as witnesses:
        yield witnesses[0]


def test_every_answer_over_http_byte_for_byte(witness):
    log, cosigner = election("statuses"), read_key_file(witness.directory / "witness.key")
    status, body, content_type = post(witness.url, log.body(0))
    line = body.decode()
    timestamp = int.from_bytes(__import__("base64").b64decode(line.split(" ")[2])[4:12], "big")
    assert (status, body) == (200, cosigner.cosign(parse_note(log.note()).text, timestamp).encode())
    assert post(witness.url, log.body(0)) == (409, b"10\n", SIZE_CONTENT_TYPE)
    assert post(witness.url, log.body(11, 10))[0] == 400
    assert post(witness.url, BoardLog("other.test/elections/x", size=3).body(0))[0] == 404
    impostor = BoardLog(log.origin, NoteSigner("board.test", SigningKey.generate()), size=12)
    assert post(witness.url, impostor.body(10))[0] == 403
    fork = log.fork("forged", at=6).extend(4)
    assert post(witness.url, fork.body(10)) == (409, b"10\n", SIZE_CONTENT_TYPE)
    fork.extend(5)
    assert post(witness.url, AddCheckpoint(10, log.extend(5).request(10).proof, fork.note()).to_body())[0] == 422
    assert post(witness.url, log.body(10))[0] == 200
    held = {item["origin"]: item for item in get_json(witness.url + "/logs")}[log.origin]
    assert (held["size"], held["root"], held["note"]) == (15, log.tree.root().hex(), log.note())


def test_the_evidence_of_a_same_size_fork_is_self_contained(witness):
    log = election("fork-evidence")
    assert post(witness.url, log.body(0))[0] == 200
    fork = log.fork("forged", at=3).extend(7)
    assert post(witness.url, fork.body(10))[0] == 409
    records = get_json(f"{witness.url}/evidence?origin={log.origin}")
    assert [(r["kind"], r["old_size"], r["proof"]) for r in records] == [("same_size_different_root", 10, [])]
    held, submitted = (verify_checkpoint(records[0][key], [BOARD.signer.verifier]) for key in ("held_note", "submitted_note"))
    assert held.size == submitted.size and held.root != submitted.root  # two signed roots of one size: proof by itself
    assert post(witness.url, fork.body(10))[0] == 409  # the same request again is kept once
    assert len(get_json(f"{witness.url}/evidence?origin={log.origin}")) == 1


def test_bad_inputs_are_4xx_never_5xx_and_every_request_is_one_json_log_line(witness):
    log = election("bad-inputs")
    bodies = [b"", b"old 0\n", b"\xff" * 100, b"old 0\n\n" + b"x" * 100, log.body(0).replace(b"old 0", b"old 00"),
              log.body(0) + b"trailing\n", log.body(0).replace("—".encode(), b"-"), b"old 0\n\n" + b"a\n" * 40_000]
    bodies += [bytes(random.Random(n).randrange(256) for _ in range(200)) for n in range(10)]
    for body in bodies:
        assert 400 <= post(witness.url, body)[0] < 500, body[:40]
    for method, path in (("GET", "/add-checkpoint"), ("PUT", "/add-checkpoint"), ("GET", "/nowhere"), ("POST", "/logs")):
        try:
            urllib.request.urlopen(urllib.request.Request(witness.url + path, method=method, data=b"" if method != "GET" else None))
            raise AssertionError(f"{method} {path} answered 2xx")
        except urllib.error.HTTPError as exc:
            assert 400 <= exc.code < 500
    lines = witness.logs()
    assert all({"event", "method", "path", "status", "duration_ms"} <= set(line) for line in lines if line["event"] == "request")
    assert not [line for line in lines if line.get("status", 0) >= 500]
    assert "PRIVATE" not in witness.log_path.read_text()


def test_a_restart_loses_nothing(witness):
    log = election("restart")
    assert post(witness.url, log.body(0))[0] == 200
    witness.kill()  # a crash, not a clean stop: the 200 was committed before it was sent
    witness.start().wait_ready()
    assert post(witness.url, log.body(0)) == (409, b"10\n", SIZE_CONTENT_TYPE)
    assert post(witness.url, log.extend(1).body(10))[0] == 200


def hammer(urls: list[str], name: str, threads: int = 8, rounds: int = 12) -> None:
    """Threads submit checkpoints of two branches (a fork at 5) to servers of one witness, each trying to move
    the witness from the size it last heard of. No answer may roll the witness back or cosign both branches."""
    honest = election(name, 40)
    fork = honest.fork("forged", at=5).extend(35)
    assert post(urls[0], honest.body(0, 3))[0] == 200
    cosigned: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng, held = random.Random(seed), 3
        for _ in range(rounds):
            branch = rng.choice((honest, fork))
            size = rng.randint(held, 40)
            status, body, _ = post(rng.choice(urls), branch.body(held, size))
            if status == 200:
                with lock:
                    cosigned.append((size, branch.tree.root(size)))
            elif status == 409:
                held = int(body)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, range(threads)))
    roots_by_size: dict[int, set[bytes]] = {}
    for size, root in cosigned:
        roots_by_size.setdefault(size, set()).add(root)
    assert all(len(roots) == 1 for roots in roots_by_size.values()), "two checkpoints of one size were cosigned"
    beyond_fork = {root for size, root in cosigned if size > 5}
    assert beyond_fork <= {honest.tree.root(s) for s in range(6, 41)} or beyond_fork <= {fork.tree.root(s) for s in range(6, 41)}
    held = {item["origin"]: item for item in get_json(urls[0] + "/logs")}[honest.origin]
    assert held["size"] == max([3] + [size for size, _ in cosigned]), "the witness rolled back"


def test_concurrent_requests_to_two_servers_of_one_witness_cannot_roll_it_back(witness):
    second = start_witness(witness.directory, witness.name, [("board.test", BOARD.vkey)])  # same key, same SQLite file
    try:
        second.wait_ready()
        hammer([witness.url, second.url], "concurrent-sqlite")
    finally:
        second.stop()


@pytest.fixture
def postgres_url():
    url = os.environ.get("EVOTE_TEST_POSTGRES_URL")
    if not url:
        if in_ci():
            pytest.fail("EVOTE_TEST_POSTGRES_URL is not set (CI=true: PostgreSQL is required)")
        pytest.skip("EVOTE_TEST_POSTGRES_URL is not set")
    return url


@pytest.mark.postgres
def test_postgresql_under_gunicorn_and_a_second_server(tmp_path, postgres_url):
    from sqlalchemy import create_engine, text

    schema = f"witness_test_{uuid.uuid4().hex[:12]}"
    boards = [("board.test", BOARD.vkey)]
    try:
        gunicorn = start_witness(tmp_path, "witness.test/pg", boards, database_url=postgres_url, database_schema=schema,
                                 workers=2)
        serve = start_witness(tmp_path, "witness.test/pg", boards, database_url=postgres_url, database_schema=schema)
        try:
            gunicorn.wait_ready()
            serve.wait_ready()
            hammer([gunicorn.url, serve.url], "concurrent-postgres")
            log = election("pg-restart")
            assert post(gunicorn.url, log.body(0))[0] == 200
            serve.restart()
            assert post(serve.url, log.body(0)) == (409, b"10\n", SIZE_CONTENT_TYPE)
        finally:
            gunicorn.stop()
            serve.stop()
    finally:
        engine = create_engine(postgres_url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def test_checkpoint_sizes_in_the_logs_parse(witness):
    for item in get_json(witness.url + "/logs"):
        assert parse_checkpoint(parse_note(item["note"]).text).size == item["size"]
