"""evote-verify evidence: what two checkpoints signed by the board prove. Same size and different roots is a
fork by itself; different sizes with a failing proof is a fork only with the entries (--record), which the
verifier recomputes; everything else shows no fork. Exit 0 fork, 1 no fork, 2 unreadable."""

from __future__ import annotations

import base64
import json

import pytest
from nacl.signing import SigningKey
from support.evote_support import run_cli
from support.evote_tools import read_entries
from test_witness_checks import WITNESSES, anchors_file, cosign, world  # noqa: F401

from bulletin_board.log_format.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint
from bulletin_board.log_format.merkle_hash import RootAccumulator, leaf_hash
from bulletin_board.log_format.note import NoteSigner, parse_note


@pytest.fixture(scope="module")
def notes(world):  # noqa: F811
    """The export's checkpoint (size n), a board-signed checkpoint of its first n - 2 entries, a forged
    checkpoint of size n, and the board's valid consistency proof from n - 2 to n."""
    real = (world.export / "checkpoint.txt").read_text()
    cp = parse_checkpoint(parse_note(real).text)
    accumulator = RootAccumulator()
    for entry in read_entries(world.export)[: cp.size - 2]:
        accumulator.append_leaf(leaf_hash(bytes.fromhex(entry["entry_hash"])))
    prefix = sign_checkpoint(Checkpoint(cp.origin, cp.size - 2, accumulator.root()), world.signer).note
    forged = sign_checkpoint(Checkpoint(cp.origin, cp.size, bytes(32)), world.signer).note
    answer = world.app.test_client().get(f"/api/v1/elections/witnessed-election/consistency?old={cp.size - 2}&new={cp.size}")
    proof = [base64.b64encode(bytes.fromhex(h)).decode() for h in answer.get_json()["proof"]]
    return {"real": real, "prefix": prefix, "forged": forged, "proof": proof, "size": cp.size,
            "key": world.signer.verifier.to_string(), "export": world.export}


def record(tmp_path, held, submitted, proof=None, old_size=None):
    path = tmp_path / "evidence.json"
    item = {"origin": "board.test/elections/witnessed-election", "kind": "inconsistent_proof", "held_note": held,
            "submitted_note": submitted, "old_size": old_size, "proof": proof}
    path.write_text(json.dumps([item]))
    return path


def pair(tmp_path, first, second):
    (tmp_path / "a.txt").write_text(first)
    (tmp_path / "b.txt").write_text(second)
    return str(tmp_path / "a.txt"), str(tmp_path / "b.txt")


def test_same_size_different_roots_is_a_fork_by_itself(tmp_path, notes):
    result = run_cli("evidence", *pair(tmp_path, notes["real"], cosign(notes["forged"], WITNESSES[0])), "--board-key", notes["key"])
    assert result.exit_code == 0, result.output
    assert "PROOF OF A FORK" in result.output and "same size" in result.output and "Traceback" not in result.output
    both = tmp_path / "both.txt"
    both.write_text(notes["real"] + "\n" + notes["forged"])  # two notes in one file
    assert run_cli("evidence", str(both), "--board-key", notes["key"]).exit_code == 0


def test_the_same_checkpoint_twice_is_no_fork(tmp_path, notes):
    result = run_cli("evidence", *pair(tmp_path, notes["real"], notes["real"]), "--board-key", notes["key"])
    assert result.exit_code == 1 and "same checkpoint twice" in result.output


def test_a_note_the_board_did_not_sign_proves_nothing(tmp_path, notes):
    other = NoteSigner("board.test", SigningKey(bytes([7]) * 32))
    cp = parse_checkpoint(parse_note(notes["real"]).text)
    unsigned = sign_checkpoint(Checkpoint(cp.origin, cp.size, bytes(32)), other).note
    result = run_cli("evidence", *pair(tmp_path, notes["real"], unsigned), "--board-key", notes["key"])
    assert result.exit_code == 1 and "not evidence of a fork" in result.output


def test_different_sizes_and_a_failing_proof_need_the_entries(tmp_path, notes):
    bad = [base64.b64encode(bytes(32)).decode()] * len(notes["proof"])
    path = record(tmp_path, notes["prefix"], notes["forged"], bad, notes["size"] - 2)
    result = run_cli("evidence", str(path), "--board-key", notes["key"])
    assert result.exit_code == 1, result.output
    assert "does not verify" in result.output and "together with the entries" in result.output
    result = run_cli("evidence", str(path), "--board-key", notes["key"], "--record", str(notes["export"]))
    assert result.exit_code == 0, result.output
    assert "self-contained" in result.output


def test_entries_that_agree_with_both_show_only_a_wrong_proof(tmp_path, notes):
    bad = [base64.b64encode(bytes(32)).decode()] * len(notes["proof"])
    path = record(tmp_path, notes["prefix"], notes["real"], bad, notes["size"] - 2)
    result = run_cli("evidence", str(path), "--board-key", notes["key"], "--record", str(notes["export"]))
    assert result.exit_code == 1 and "The supplied proof was wrong, not the log" in result.output


def test_a_valid_consistency_proof_is_no_fork(tmp_path, notes):
    path = record(tmp_path, notes["prefix"], notes["real"], notes["proof"], notes["size"] - 2)
    result = run_cli("evidence", str(path), "--board-key", notes["key"])
    assert result.exit_code == 1 and "verifies" in result.output and "No fork" in result.output


def test_the_anchors_give_the_key_and_unreadable_evidence_exits_2(tmp_path, notes, world):  # noqa: F811
    anchors = anchors_file(tmp_path, world)
    result = run_cli("evidence", *pair(tmp_path, notes["real"], notes["forged"]), "--anchors", str(anchors),
                     "--anchors-fingerprint", world.anchors.fingerprint, "--json", str(tmp_path / "v.json"))
    assert result.exit_code == 0 and json.loads((tmp_path / "v.json").read_text())["fork"] is True
    assert run_cli("evidence", *pair(tmp_path, notes["real"], notes["forged"])).exit_code == 2  # no key
    (tmp_path / "junk.json").write_text('{"held_note": 3}')
    result = run_cli("evidence", str(tmp_path / "junk.json"), "--board-key", notes["key"])
    assert result.exit_code == 2 and "cannot read the evidence" in result.output and "Traceback" not in result.output
