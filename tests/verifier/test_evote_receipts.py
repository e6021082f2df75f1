"""evote-verify receipt: a voter's receipt checked against the board (R.1-R.4), valid and tampered in each
way a receipt or a board can be wrong."""

from __future__ import annotations

import json
import shutil

import pytest
from nacl.signing import SigningKey
from support.evote_support import run_cli, serve_app
from support.evote_tools import flip_hex
from support.evote_world import tiny_open_election

from bulletin_board.log_format.checkpoint import parse_checkpoint, sign_checkpoint
from bulletin_board.log_format.note import NoteSigner, parse_note

CHOICES = {"mayor": ["alice"], "council": ["dan"]}


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    """An open election; the first voter's receipt; then more ballots, so the board has grown since."""
    directory = tmp_path_factory.mktemp("receipts")
    world, app = tiny_open_election(directory, voters=3)
    receipt = world.cast(world.credentials[0], CHOICES)
    world.cast(world.credentials[1], CHOICES)
    world.cast(world.credentials[2], CHOICES)
    with serve_app(app) as url:
        yield {"url": url, "receipt": receipt, "world": world, "directory": directory}


def check(tmp_path, receipt, url, *extra):
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    out = tmp_path / "checks.json"
    result = run_cli("receipt", str(path), "--board", url, "--json", str(out), *extra)
    statuses = {c["check"]: c["status"] for c in json.loads(out.read_text())["checks"]} if out.exists() else {}
    return result, statuses


def test_a_valid_receipt_verifies(tmp_path, board):
    result, statuses = check(tmp_path, board["receipt"], board["url"])
    assert result.exit_code == 0, result.output
    assert statuses == {"R.1": "passed", "R.2": "passed", "R.3": "passed", "R.4": "passed"}
    assert "VERIFIED" in result.output and "R.4 passed" in result.output


def test_a_receipt_with_another_seq_fails(tmp_path, board):
    receipt = json.loads(json.dumps(board["receipt"]))
    receipt["receipt"]["seq"] += 1
    result, statuses = check(tmp_path, receipt, board["url"])
    assert result.exit_code == 1
    assert statuses["R.2"] == "failed" and statuses["R.3"] == "failed" and statuses["R.1"] == "passed"


def test_a_tampered_inclusion_proof_fails(tmp_path, board):
    receipt = json.loads(json.dumps(board["receipt"]))
    hashes = receipt["receipt"]["inclusion_proof"]["hashes"]
    hashes[0] = flip_hex(hashes[0])
    result, statuses = check(tmp_path, receipt, board["url"])
    assert result.exit_code == 1 and statuses["R.2"] == "failed" and statuses["R.3"] == "passed"
    assert "inclusion proof does not verify" in result.output


def test_a_checkpoint_from_another_key_fails(tmp_path, board):
    receipt = json.loads(json.dumps(board["receipt"]))
    other = NoteSigner("board.test", SigningKey(bytes(range(32))))
    body = parse_checkpoint(parse_note(receipt["receipt"]["checkpoint"]).text)
    receipt["receipt"]["checkpoint"] = sign_checkpoint(body, other).note
    receipt["receipt"]["board"]["public_key"] = other.verifier.public_key.hex().upper()
    result, statuses = check(tmp_path, receipt, board["url"])
    assert result.exit_code == 1 and statuses["R.1"] == "failed" and "another board key" in result.output
    receipt["receipt"]["board"] = board["receipt"]["receipt"]["board"]  # the right key named, the wrong signature
    result, statuses = check(tmp_path, receipt, board["url"])
    assert result.exit_code == 1 and statuses["R.1"] == "failed" and statuses["R.4"] == "failed"


def test_a_board_that_rewrote_history_fails(tmp_path, board):
    """The same key, origin and election id, another history: the receipt's ballot is not where it was."""
    fork = tmp_path / "fork"
    fork.mkdir()
    shutil.copy(board["directory"] / "board.key", fork / "board.key")
    world, app = tiny_open_election(fork, voters=4)
    for n in range(4):
        world.cast(world.credentials[n], CHOICES)
    with serve_app(app) as url:
        result, statuses = check(tmp_path, board["receipt"], url)
    assert result.exit_code == 1
    assert statuses == {"R.1": "passed", "R.2": "passed", "R.3": "failed", "R.4": "failed"}
    assert "not an extension of the one on the receipt" in result.output and "consistency proof from" in result.output


def test_unreadable_receipt_or_unreachable_board_exits_2(tmp_path, board):
    (tmp_path / "bad.json").write_text("{not json")
    assert run_cli("receipt", str(tmp_path / "bad.json"), "--board", board["url"]).exit_code == 2
    (tmp_path / "good.json").write_text(json.dumps(board["receipt"]))
    result = run_cli("receipt", str(tmp_path / "good.json"), "--board", "http://127.0.0.1:9")
    assert result.exit_code == 2 and "cannot reach the board" in result.output


@pytest.mark.parametrize("election_id", ["", "../other", "a b", 7])
def test_a_receipt_naming_an_impossible_election_id_is_unreadable(tmp_path, board, election_id):
    """Found by tests/fuzz/test_fuzz_receipts.py: an empty election id once ended in a traceback."""
    receipt = json.loads(json.dumps(board["receipt"]))
    receipt["receipt"]["election_id"] = election_id
    result, statuses = check(tmp_path, receipt, board["url"])
    assert result.exit_code == 2 and result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2 and "cannot read the receipt" in result.output and "election_id" in result.output
    assert "Traceback" not in result.output and statuses == {}


def test_a_board_describing_itself_with_an_invalid_origin_fails_r1(tmp_path, board):
    """A board whose /api/v1/board answer cannot be used: no check can run, so the receipt is NOT VERIFIED."""
    from flask import Flask, jsonify

    real = board["world"].expect(board["world"].client.get("/api/v1/board"), 200)
    liar = Flask("liar")

    @liar.get("/api/v1/board")
    def describe():
        return jsonify({**real, "origin": "not an origin!"})

    with serve_app(liar) as url:
        result, statuses = check(tmp_path, board["receipt"], url)
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1 and statuses == {"R.1": "failed"} and "NOT VERIFIED" in result.output
    assert "board_origin" in result.output and "Traceback" not in result.output
