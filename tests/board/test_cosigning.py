"""The board's cosigner and its endpoints, against small in-process witnesses built on the pure ``decide``.

These check the board's side alone, fast: the settings, a round with three witnesses, a witness down, a
witness that lost its state (the 409 retry), a witness ahead of the board, a lying witness, the lease, and
the endpoints' refusals. tests/board/test_cosigning_processes.py runs the same story with real
``evote-witness`` processes.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time

import pytest
from nacl.signing import SigningKey
from support.board_world import ADMIN_TOKEN, make_app
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bulletin_board.cosigning import CheckpointCosigner, CosignerLease
from bulletin_board.log_format.cosignature import Cosigner
from bulletin_board.log_format.errors import InvalidInput
from bulletin_board.log_format.export import CHECKPOINTS_FILE, export_from_log
from bulletin_board.log_format.export_check import verify_exported_record
from bulletin_board.log_format.witness_policy import WitnessPolicy
from bulletin_board.log_format.witness_protocol import Held, decide, parse_add_checkpoint
from bulletin_board.web.config import load_settings
from bulletin_board.witness_client import parse_witness_policy

from .conftest import created_payload


class TinyWitness:
    """A witness in a thread: the library's ``decide`` behind werkzeug, its state in a dict."""

    def __init__(self, name: str, board_verifiers: tuple, prefix: str = "board.test/") -> None:
        self.cosigner = Cosigner(name, SigningKey.generate())
        self.prefix = prefix
        self.board_verifiers = board_verifiers
        self.held: dict[str, Held] = {}
        self.requests: list[int] = []  # the old sizes received
        self.lie = False  # answer with a cosignature by another key under this witness's name
        self.delay = 0.0  # seconds before answering (a slow witness)
        self._lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def policy_item(self) -> dict:
        return {"url": self.url, "key": self.cosigner.key.to_string()}

    @Request.application
    def _app(self, request: Request) -> Response:
        if request.path != "/add-checkpoint" or request.method != "POST":
            return Response("not found\n", 404)
        try:
            add = parse_add_checkpoint(request.get_data())
        except InvalidInput as exc:
            return Response(f"{exc}\n", 400)
        self.requests.append(add.old_size)
        time.sleep(self.delay)
        with self._lock:
            decision = decide(add, lambda origin: self.board_verifiers if origin.startswith(self.prefix) else None,
                              self.held.get, self.cosigner, int(time.time()))
            if decision.status == 200 and decision.checkpoint is not None:
                self.held[decision.checkpoint.origin] = Held(decision.checkpoint.size, decision.checkpoint.root, add.note)
        body = decision.body
        if self.lie and decision.status == 200:
            body = Cosigner(self.cosigner.name, SigningKey.generate()).cosign(decision.checkpoint.body(), 1).encode()
        return Response(body, decision.status, content_type=decision.content_type)

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def board(tmp_path):
    """A board app with three witnesses in its policy (quorum 2); rounds run by the test, not the thread."""
    from bulletin_board.keys import load_or_create_board_key

    verifier = load_or_create_board_key(str(tmp_path / "board.key"), "board.test").verifier
    witnesses = [TinyWitness(f"witness-{i}.test", (verifier,)) for i in range(3)]
    policy_file = tmp_path / "witnesses.json"
    policy_file.write_text(json.dumps({"quorum": 2, "witnesses": [w.policy_item() for w in witnesses]}))
    app = make_app(tmp_path, EVOTE_WITNESS_POLICY_FILE=str(policy_file), EVOTE_COSIGN_INTERVAL_SECONDS="3600",
                   EVOTE_WITNESS_TIMEOUT_SECONDS="2")
    state = app.extensions["evote_board"]
    client = app.test_client()
    response = client.post("/api/v1/admin/elections", json=created_payload("e1"), headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 201, response.get_json()
    yield app, client, state, witnesses
    state.cosigner.stop()
    for witness in witnesses:
        witness.close()


def grow(state, count: int = 1) -> None:
    for n in range(count):
        state.log.append("e1", "test.filler", {"n": n, "nonce": secrets.token_hex(8)})


def statuses(outcomes) -> dict[str, str]:
    return {outcome.witness: outcome.status for outcome in outcomes}


def test_settings_name_the_field_at_fault(tmp_path):
    def refused(document, **extra):
        path = tmp_path / "policy.json"
        path.write_text(document if isinstance(document, str) else json.dumps(document))
        with pytest.raises(InvalidInput) as caught:
            load_settings({"EVOTE_WITNESS_POLICY_FILE": str(path), **extra}, environ={})
        return caught.value.field

    key = Cosigner("w.test", SigningKey.generate()).key.to_string()
    assert refused("{not json") == "EVOTE_WITNESS_POLICY_FILE"
    assert refused({"quorum": 3, "witnesses": [{"url": "http://127.0.0.1:1", "key": key}]}) == "EVOTE_WITNESS_POLICY_FILE: quorum"
    assert refused({"witnesses": [{"url": "ftp://x", "key": key}]}) == "EVOTE_WITNESS_POLICY_FILE: witnesses[0].url"
    assert refused({"witnesses": [{"url": "http://a", "key": key[:-2]}]}) == "EVOTE_WITNESS_POLICY_FILE: witnesses[0].key"
    assert refused({"witnesses": [], "extra": 1}) == "EVOTE_WITNESS_POLICY_FILE: extra"
    assert refused({"witnesses": []}, EVOTE_COSIGN_INTERVAL_SECONDS="0") == "EVOTE_COSIGN_INTERVAL_SECONDS"
    assert refused({"witnesses": []}, EVOTE_WITNESS_TIMEOUT_SECONDS="1e3") == "EVOTE_WITNESS_TIMEOUT_SECONDS"
    with pytest.raises(InvalidInput, match="cannot read"):
        load_settings({"EVOTE_WITNESS_POLICY_FILE": str(tmp_path / "absent.json")}, environ={})
    assert parse_witness_policy({"witnesses": [{"url": "http://a:1/", "key": key}]}).quorum == 1


def test_three_witnesses_cosign_each_new_size_from_the_size_they_hold(board, tmp_path):
    app, client, state, witnesses = board
    assert client.get("/api/v1/elections/e1/checkpoint/cosigned").get_json()["error"]["code"] == "not_yet_cosigned"
    first = statuses(state.cosigner.run_once())
    assert set(first.values()) == {"cosigned"} and len(first) == 3
    assert state.cosigner.run_once() == []  # nothing grew: nobody is asked
    grow(state, 5)
    assert set(statuses(state.cosigner.run_once()).values()) == {"cosigned"}
    assert [w.requests for w in witnesses] == [[0, 1]] * 3  # the second request starts from the size each held
    cosigned = client.get("/api/v1/elections/e1/checkpoint/cosigned").get_json()
    assert cosigned["size"] == 6 and sorted(cosigned["witnesses"]) == [w.cosigner.name for w in witnesses]
    assert cosigned["note"].startswith(client.get("/api/v1/elections/e1/checkpoint?size=6").get_json()["note"])
    policy = WitnessPolicy(tuple(w.cosigner.key for w in witnesses), 3)
    assert len(policy.require(cosigned["note"]).valid) == 3
    assert client.get("/api/v1/elections/e1/checkpoint/cosigned?min_size=7").status_code == 404
    assert client.get("/api/v1/elections/e1/checkpoint/cosigned?min_size=1").get_json()["size"] == 6
    listed = client.get("/api/v1/elections/e1/checkpoints").get_json()["checkpoints"]
    assert [(c["size"], len(c["witnesses"])) for c in listed] == [(1, 3), (6, 3)]
    info = client.get("/api/v1/board").get_json()["witness_policy"]
    assert info["quorum"] == 2 and [w["url"] for w in info["witnesses"]] == [w.url for w in witnesses]
    export = export_from_log(state.log, "e1", tmp_path / "record")
    assert verify_exported_record(export).size == 6  # the manifest is version 1's: checkpoints.jsonl is extra
    lines = [json.loads(line) for line in (export / CHECKPOINTS_FILE).read_text().splitlines()]
    assert [(c["size"], c["note"], c["witnesses"]) for c in lines] == [(c["size"], c["note"], c["witnesses"]) for c in listed]


def test_a_witness_down_lost_or_ahead_costs_only_its_own_cosignature(board):
    app, client, state, witnesses = board
    state.cosigner.run_once()
    witnesses[0].close()  # down
    witnesses[1].held.clear()  # restarted without its state: it answers 409 "0", the board retries from 0
    witnesses[2].held[state.log.election_origin("e1")] = Held(99, b"\0" * 32, "")  # holds a larger tree (a fork)
    grow(state, 2)
    started = time.monotonic()
    outcome = statuses(state.cosigner.run_once())
    assert time.monotonic() - started < 4
    assert outcome == {"witness-0.test": "unreachable", "witness-1.test": "cosigned", "witness-2.test": "witness_ahead"}
    assert witnesses[1].requests == [0, 1, 0]
    cosigned = client.get("/api/v1/elections/e1/checkpoint/cosigned").get_json()
    assert cosigned["size"] == 3 and cosigned["witnesses"] == ["witness-1.test"]


def test_a_slow_witness_holds_up_neither_the_others_nor_the_next_rounds(board):
    app, client, state, witnesses = board
    witnesses[0].delay = 4  # past the board's 2 s timeout
    started = time.monotonic()
    state.cosigner.run_once(wait=False)
    grow(state)
    while True:  # the loop's next rounds, while witness 0's request is still under way
        state.cosigner.run_once(wait=False)
        found = client.get("/api/v1/elections/e1/checkpoint/cosigned?min_size=2").get_json()
        if found.get("witnesses") == ["witness-1.test", "witness-2.test"]:
            break
        assert time.monotonic() - started < 1.8, found
        time.sleep(0.05)
    assert witnesses[0].requests == [0]  # not asked again while its first request runs


def test_a_cosignature_that_does_not_verify_is_never_stored(board):
    app, client, state, witnesses = board
    witnesses[0].lie = True
    outcome = statuses(state.cosigner.run_once())
    assert outcome["witness-0.test"] == "bad_answer"
    assert "witness-0.test" not in client.get("/api/v1/elections/e1/checkpoint/cosigned").get_json()["witnesses"]
    assert sorted(state.log.witness_sizes("e1")) == sorted(w.cosigner.key.to_string() for w in witnesses[1:])


def test_one_cosigner_holds_the_lease_until_it_stops(board):
    app, client, state, witnesses = board
    other = CheckpointCosigner(state.log, state.settings.witness_policy, interval=3600, timeout=2)
    assert state.cosigner.run_once() is not None
    assert other.run_once() is None  # the first one's lease has not expired
    state.cosigner.stop()  # releases it
    assert other.run_once() is not None
    assert state.cosigner.lease.acquire() is False
    expired = CosignerLease(state.log.engine, lambda: state.log.clock() + 10**12, 1)
    assert expired.acquire() is True  # a holder that stopped renewing is replaced
    other.stop()


def test_the_lease_admits_one_holder_on_each_backend(log):
    """SQLite and PostgreSQL (conftest's ``log``): the holder renews, another waits, an expired lease passes."""
    now = [time.time_ns() // 1000 + 10**13]  # past any lease an earlier test took with the real clock
    first, second = (CosignerLease(log.engine, lambda: now[0], 5) for _ in range(2))
    assert first.acquire() and first.acquire() and not second.acquire()
    now[0] += 6_000_000
    assert second.acquire() and not first.acquire()
    second.release()
    assert first.acquire()
    first.release()


def test_a_round_stores_and_serves_cosignatures_on_each_backend(log, election):
    """The cosigner and the stored cosignatures on SQLite and PostgreSQL (conftest's ``log``, origin test.board)."""
    witnesses = [TinyWitness(f"w{i}.test", (log.signer.verifier,), prefix="test.board/") for i in range(2)]
    policy = parse_witness_policy({"quorum": 2, "witnesses": [w.policy_item() for w in witnesses]})
    cosigner = CheckpointCosigner(log, policy, interval=3600, timeout=2)
    cosigner.lease = CosignerLease(log.engine, lambda: time.time_ns() // 1000 + 10**14, 5)  # past earlier tests' leases
    try:
        for n in range(3):
            log.append(election, "test.filler", {"n": n})
        assert {o.status for o in cosigner.run_once() if o.election_id == election} == {"cosigned"}
        log.append(election, "test.filler", {"n": 3})
        assert {o.status for o in cosigner.run_once() if o.election_id == election} == {"cosigned"}
        found = log.cosigned_checkpoint(election)
        assert found.signed.size == 4 and found.witnesses == ("w0.test", "w1.test")
        assert policy.policy.require(found.note).met
        assert [(c.signed.size, len(c.witnesses)) for c in log.cosigned_checkpoints(election)] == [(3, 2), (4, 2)]
        assert log.cosigned_checkpoint(election, 5) is None
        assert set(log.witness_sizes(election).values()) == {4}
    finally:
        cosigner.stop()
        for witness in witnesses:
            witness.close()


def test_a_pull_mode_witness_deposits_its_cosignature_and_bad_deposits_change_nothing(board):
    app, client, state, witnesses = board
    grow(state, 3)
    current = client.get("/api/v1/elections/e1/checkpoint").get_json()
    note, size = current["note"], current["size"]
    body = note.split("\n\n")[0] + "\n"
    line = witnesses[0].cosigner.cosign(body, 1700000000)
    stranger = Cosigner("stranger.test", SigningKey.generate()).cosign(body, 1700000000)

    def post(text, content_type="text/plain", election="e1"):
        return client.post(f"/api/v1/elections/{election}/cosignatures", data=text.encode(), content_type=content_type)

    def refused(response, status, field):
        assert response.status_code == status, response.get_json()
        assert response.get_json()["error"]["field"] == field

    name, data = witnesses[1].cosigner.cosign(body, 1).split(" ")[1:]
    raw = bytearray(base64.b64decode(data))
    raw[-1] ^= 1  # the witness's key id, a signature that does not verify
    forged = f"\u2014 {name} {base64.b64encode(bytes(raw)).decode()}\n"
    refused(post(note + forged), 400, "cosignature")
    refused(post(note + line, "application/json"), 415, "Content-Type")
    refused(post("garbage"), 400, "note")
    refused(post(note.replace(f"\n{size}\n", f"\n{size - 1}\n") + line), 400, "note")  # the board's signature no longer verifies
    assert post(note + line, election="nope").status_code == 404
    assert client.get("/api/v1/elections/e1/checkpoint/cosigned").status_code == 404  # nothing was kept
    assert post(note + stranger).get_json() == {"added": 0}  # another key's line is ignored, as C2SP says
    assert post(note + line + stranger).get_json() == {"added": 1}
    assert post(note + line).get_json() == {"added": 0}
    assert client.get("/api/v1/elections/e1/checkpoint/cosigned").get_json()["witnesses"] == ["witness-0.test"]
    refused(client.get("/api/v1/elections/e1/checkpoint/cosigned?min_size=-1"), 400, "min_size")
    refused(client.get("/api/v1/elections/e1/checkpoints?size=1"), 400, "size")


def test_the_thread_cosigns_by_itself(tmp_path):
    """With a short interval the board cosigns with no test driving it (the loop, not run_once)."""
    from bulletin_board.keys import load_or_create_board_key

    verifier = load_or_create_board_key(str(tmp_path / "board.key"), "board.test").verifier
    witness = TinyWitness("solo.test", (verifier,))
    policy_file = tmp_path / "witnesses.json"
    policy_file.write_text(json.dumps({"quorum": 1, "witnesses": [witness.policy_item()]}))
    app = make_app(tmp_path, EVOTE_WITNESS_POLICY_FILE=str(policy_file), EVOTE_COSIGN_INTERVAL_SECONDS="0.1")
    client = app.test_client()
    try:
        client.post("/api/v1/admin/elections", json=created_payload("e1"), headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        deadline = time.monotonic() + 10
        while client.get("/api/v1/elections/e1/checkpoint/cosigned").status_code != 200:
            assert time.monotonic() < deadline, "the cosigner did not cosign within 10 s"
            time.sleep(0.05)
    finally:
        app.extensions["evote_board"].cosigner.stop()
        witness.close()


def test_one_round_cosigns_every_election_that_grew(log, election):
    """A witness asked about one election in a round is still asked about the others in that round (only a
    request left running from an earlier round holds a witness back)."""
    from .conftest import new_election_id

    other = new_election_id()
    log.create_election(other)
    witnesses = [TinyWitness(f"w{i}.test", (log.signer.verifier,), prefix="test.board/") for i in range(2)]
    policy = parse_witness_policy({"quorum": 2, "witnesses": [w.policy_item() for w in witnesses]})
    cosigner = CheckpointCosigner(log, policy, interval=3600, timeout=2)
    cosigner.lease = CosignerLease(log.engine, lambda: time.time_ns() // 1000 + 10**15, 5)  # past earlier tests' leases
    try:
        for target in (election, other):
            log.append(target, "test.filler", {"n": 0})
        outcomes = [o for o in cosigner.run_once() if o.election_id in (election, other)]
        assert sorted((o.election_id, o.status) for o in outcomes) == sorted([(election, "cosigned")] * 2 + [(other, "cosigned")] * 2)
    finally:
        cosigner.stop()
