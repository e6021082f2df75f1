"""The board's ``/healthz`` (bulletin_board/web/health.py): up when its database answers, degraded when fewer
witnesses than the quorum answer this worker, 503 when the database is gone; never a secret."""

from __future__ import annotations

import json

from support.board_world import make_app


def test_a_board_without_witnesses_is_ok(tmp_path):
    body = make_app(tmp_path).test_client().get("/healthz").get_json()
    assert body == {"status": "ok", "database": "ok", "origin": "board.test"}


def test_witnesses_that_do_not_answer_make_it_degraded_not_down(tmp_path):
    from nacl.signing import SigningKey

    from bulletin_board.log_format.cosignature import Cosigner

    keys = [Cosigner(f"w{i}.test", SigningKey.generate()).key.to_string() for i in range(3)]
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"quorum": 2, "witnesses": [{"url": f"http://127.0.0.1:9/w{i}", "key": k} for i, k in enumerate(keys)]}))
    app = make_app(tmp_path, EVOTE_WITNESS_POLICY_FILE=str(policy), EVOTE_WITNESS_TIMEOUT_SECONDS="0.2")
    cosigner = app.extensions["evote_board"].cosigner
    for witness in cosigner.policy.witnesses:
        cosigner._failures[witness.url] = 1  # as after a refused connection (port 9 is discard: nobody answers)
    body = app.test_client().get("/healthz").get_json()
    assert body["status"] == "degraded" and body["witnesses"] == {"quorum": 2, "listed": 3, "failing_here": ["w0.test", "w1.test", "w2.test"]}
    cosigner.stop()


def test_a_database_that_is_gone_is_503_without_its_address(tmp_path):
    app = make_app(tmp_path)
    app.extensions["evote_board"].log.engine.dispose()
    (tmp_path / "board.sqlite3").unlink()
    (tmp_path / "board.sqlite3").mkdir()  # the path is now a directory: SQLite cannot open it
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["status"] == "down"
    assert str(tmp_path) not in response.get_data(as_text=True)
