"""Section W against a board over HTTP: W.1 on a board URL (the board's /checkpoint/cosigned covering the size
read), and a voter's receipt under a policy (W.2 the anchors, W.3 the receipt's checkpoint or a later one the
board proves extends it is cosigned; a receipt whose only checkpoint lacks the quorum fails).

The board here has no witnesses configured; what its /checkpoint/cosigned answers is set by each test (a WSGI
layer in front of the real board), so each case is exact: none, the quorum, a forged branch."""

from __future__ import annotations

import json

import pytest
from support.evote_support import run_cli, serve_app
from test_witness_checks import CHOICES, STRANGER, WITNESSES, anchors_file, cosign, keys, world  # noqa: F401

from bulletin_board.log_format.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint
from bulletin_board.log_format.note import parse_note

POLICY = [*sum((["--witness", k] for k in keys(*WITNESSES)), []), "--witness-quorum", "2"]


class CosignedLayer:
    """Answers GET .../checkpoint/cosigned with ``answer`` when set; everything else goes to the board."""

    def __init__(self, app):
        self.app, self.answer = app, None

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"].endswith("/checkpoint/cosigned") and self.answer is not None:
            body = json.dumps(self.answer).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def served(world):  # noqa: F811
    receipt = world.election.cast(world.election.credentials[1], CHOICES)["receipt"]
    world.election.cast(world.election.credentials[1], {"mayor": ["bob"]})  # the board grows past the receipt
    layer = CosignedLayer(world.app)
    with serve_app(layer) as url:
        yield {"url": url, "receipt": receipt, "layer": layer, "world": world}


@pytest.fixture
def layer(served):
    served["layer"].answer = None
    yield served["layer"]
    served["layer"].answer = None


def current(world) -> dict:  # noqa: F811
    return world.app.test_client().get("/api/v1/elections/witnessed-election/checkpoint").get_json()


def answer_for(note: str) -> dict:
    cp = parse_checkpoint(parse_note(note).text)
    return {"election_id": "witnessed-election", "origin": cp.origin, "size": cp.size, "root": cp.root.hex(), "note": note,
            "witnesses": []}


def check(tmp_path, served, receipt, *options):
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    out = tmp_path / "checks.json"
    result = run_cli("receipt", str(path), "--board", served["url"], "--json", str(out), *options)
    checks = {c["check"]: c for c in json.loads(out.read_text())["checks"]} if out.exists() else {}
    return result, checks


def test_a_receipt_without_the_quorum_fails_under_a_policy(tmp_path, served, layer):
    result, checks = check(tmp_path, served, served["receipt"], *POLICY)
    assert result.exit_code == 1, result.output
    assert {c: checks[c]["status"] for c in ("R.1", "R.2", "R.3", "R.4")} == dict.fromkeys(("R.1", "R.2", "R.3", "R.4"), "passed")
    assert checks["W.3"]["status"] == "failed" and "not witnessed" in checks["W.3"]["message"]
    assert "WITNESSED" not in result.output
    result, checks = check(tmp_path, served, served["receipt"])  # no policy: as before, no W
    assert result.exit_code == 0 and "W.3" not in checks


def test_a_receipt_whose_checkpoint_is_cosigned_passes(tmp_path, served, layer):
    receipt = json.loads(json.dumps(served["receipt"]))
    receipt["checkpoint"] = cosign(receipt["checkpoint"], *WITNESSES[:2])
    result, checks = check(tmp_path, served, receipt, *POLICY)
    assert result.exit_code == 0, result.output
    assert checks["W.3"]["status"] == "passed" and "witness-1.example at" in checks["W.3"]["message"]
    assert "WITNESSED" in result.output


def test_a_later_cosigned_checkpoint_with_a_consistency_proof_passes(tmp_path, served, layer):
    layer.answer = answer_for(cosign(current(served["world"])["note"], *WITNESSES[1:]))
    path = anchors_file(tmp_path, served["world"])
    result, checks = check(tmp_path, served, served["receipt"], "--anchors", str(path))
    assert result.exit_code == 0, result.output
    assert checks["W.3"]["status"] == "passed" and "consistency proof verified here" in checks["W.3"]["message"]
    assert checks["W.2"]["status"] == "passed"


def test_a_cosigned_checkpoint_of_another_branch_fails(tmp_path, served, layer):
    world = served["world"]
    cp = parse_checkpoint(parse_note(current(world)["note"]).text)
    forged = sign_checkpoint(Checkpoint(cp.origin, cp.size, bytes(32)), world.signer).note
    layer.answer = answer_for(cosign(forged, *WITNESSES[:2]))
    result, checks = check(tmp_path, served, served["receipt"], *POLICY)
    assert result.exit_code == 1
    assert checks["W.3"]["status"] == "failed" and "split view" in checks["W.3"]["message"]


def test_a_board_url_is_verified_at_its_cosigned_checkpoint(tmp_path, served, layer):
    url = f"{served['url']}/witnessed-election"
    out = tmp_path / "report.json"
    result = run_cli(url, "--workers", "1", *POLICY, "--json", str(out))
    assert result.exit_code == 1
    steps = {s["id"]: s for v in json.loads(out.read_text())["verifications"] for s in v["steps"]}
    assert steps["W.1"]["status"] == "failed" and "serves no cosigned checkpoint" in json.dumps(steps["W.1"])
    layer.answer = answer_for(cosign(current(served["world"])["note"], *WITNESSES[:2], STRANGER))
    result = run_cli(url, "--workers", "1", *POLICY, "--json", str(out))
    assert result.exit_code == 0, result.output
    steps = {s["id"]: s for v in json.loads(out.read_text())["verifications"] for s in v["steps"]}
    assert steps["W.1"]["status"] == "passed"
