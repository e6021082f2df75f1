"""The booth's in-browser witness checks (static/js/booth/board_proofs.js cosignatures, trust_anchors.js,
witness_view.js) against the board's Python library, under Node: cosignature/v1 lines counted as
``cosignatures_in`` counts them (valid, flipped byte, other key, other checkpoint, timestamps at and past
2^63 - 1), trust anchors opened as ``open_anchors`` opens them (same fingerprint and policy), and receipts
shown as witnessed only when a quorum of valid cosignatures covers a checkpoint that holds the ballot on the
receipt's own history; never when the board alone "completed" the receipt."""

from __future__ import annotations

import base64
import json
import struct
import subprocess

import pytest
from nacl.signing import SigningKey
from support.booth_js_support import REPO_ROOT, in_ci, node_executable

from bulletin_board.elections.ballots import receipt as board_receipt
from bulletin_board.log import BoardLog
from bulletin_board.log_format.checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint
from bulletin_board.log_format.cosignature import Cosigner, add_signature_lines, cosignatures_in
from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.merkle_hash import leaf_hash
from bulletin_board.log_format.merkle_verify import verify_inclusion
from bulletin_board.log_format.note import SIGNATURE_PREFIX, NoteSigner, parse_note, sign_note
from bulletin_board.log_format.trust_anchors import TrustAnchors, open_anchors
from bulletin_board.log_format.witness_policy import WitnessPolicy
from bulletin_board.storage import make_engine, migrate
from voting.booth.code_hash import booth_code_sha256

ORIGIN = "witness-js.test"
ELECTION = "witness-2026"
WHEN = 1_767_000_000
MAX_TIMESTAMP = (1 << 63) - 1


def _line(name: str, data: bytes) -> str:
    return f"{SIGNATURE_PREFIX}{name} {base64.b64encode(data).decode()}\n"


def _forged(witness: Cosigner, body: str, timestamp: int = WHEN) -> str:
    """A line with the witness's name and key id, signed by another key (what a board could make up)."""
    other = Cosigner(witness.name, SigningKey.generate())
    data = base64.b64decode(other.cosign(body, timestamp).split(" ")[2])
    return _line(witness.name, witness.key.key_id + data[4:])


def _flip(line: str, at: int = -5) -> str:
    data = bytearray(base64.b64decode(line.split(" ")[2]))
    data[at] ^= 0x01
    return _line(line.split(" ")[1], bytes(data))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    directory = tmp_path_factory.mktemp("witness-js")
    witnesses = [Cosigner(f"w{i}.witness.example", SigningKey.generate()) for i in (1, 2, 3)]
    while "+" not in witnesses[0].key.to_string().split("+", 2)[2]:  # key data holding '+' (base64's 62nd digit)
        witnesses[0] = Cosigner("w1.witness.example", SigningKey.generate())
    while True:  # the board's key data too
        signer = NoteSigner(ORIGIN, SigningKey.generate())
        if "+" in signer.verifier.to_string().split("+", 2)[2]:
            break
    logs = {}
    for branch in ("main", "fork"):  # the fork: same board key, other entries (a split view)
        url = f"sqlite:///{directory / f'{branch}.sqlite3'}"
        migrate(url)
        logs[branch] = BoardLog(make_engine(url), signer, ORIGIN)
        logs[branch].create_election(ELECTION)
        for i in range(13):
            logs[branch].append(ELECTION, "test.entry", {"i": i, "branch": branch})
    board = {"origin": ORIGIN, "key_name": signer.name, "public_key": bytes(signer.verifier.public_key).hex().upper()}
    origin = logs["main"].election_origin(ELECTION)
    policy = WitnessPolicy(tuple(w.key for w in witnesses), 2)
    anchors = TrustAnchors(origin, (signer.verifier,), ((1, "ab" * 32),), policy, booth_code_sha256())
    return {"signer": signer, "logs": logs, "witnesses": witnesses, "board": board, "anchors": anchors, "origin": origin}


def _cases(world) -> tuple[list[dict], dict]:
    signer, log, fork = world["signer"], world["logs"]["main"], world["logs"]["fork"]
    w1, w2, w3 = world["witnesses"]
    keys = [w.key.to_string() for w in world["witnesses"]]
    cases: list[dict] = []
    expected: dict = {}

    # --- cosignature/v1 lines, counted against the Python library ---------------------------------------
    note = log.checkpoint(ELECTION, 9).note
    body = parse_note(note).text
    other_body = parse_note(log.checkpoint(ELECTION, 8).note).text
    beyond = _line(w1.name, w1.key.key_id + struct.pack(">Q", MAX_TIMESTAMP + 1) + bytes(64))
    shifted = base64.b64decode(w1.cosign(body, WHEN).split(" ")[2])
    shifted = _line(w1.name, shifted[:4] + struct.pack(">Q", WHEN + 1) + shifted[12:])
    lines = {
        "two valid": [w1.cosign(body, WHEN), w2.cosign(body, WHEN + 1)],
        "three valid": [w.cosign(body, WHEN) for w in (w1, w2, w3)],
        "flipped byte": [_flip(w1.cosign(body, WHEN)), w2.cosign(body, WHEN)],
        "flipped key id": [_flip(w1.cosign(body, WHEN), at=0)],
        "other key, same name": [Cosigner(w1.name, SigningKey.generate()).cosign(body, WHEN)],
        "other key, same name and key id": [_forged(w1, body), w2.cosign(body, WHEN)],
        "other checkpoint": [w1.cosign(other_body, WHEN), w2.cosign(body, WHEN)],
        "largest timestamp": [w1.cosign(body, MAX_TIMESTAMP)],
        "timestamp past 2^63 - 1": [beyond],
        "timestamp changed": [shifted],
        "unlisted witness": [Cosigner("w4.witness.example", SigningKey.generate()).cosign(body, WHEN)],
        "same witness twice": [w1.cosign(body, WHEN), w1.cosign(body, WHEN + 5)],
        "board signature only": [],
    }
    for name, added in lines.items():
        cosigned = add_signature_lines(note, added) if added else note
        valid, problems = cosignatures_in(cosigned, [w.key for w in world["witnesses"]])
        cases.append({"type": "cosignatures", "name": name, "note": cosigned, "keys": keys})
        expected[name] = {"valid": sorted([c.name, str(c.timestamp)] for c in valid), "problems": len(problems)}

    # --- trust anchors -----------------------------------------------------------------------------------
    anchors = world["anchors"]
    signed = anchors.sign(signer)
    base = {"type": "anchors", "election_id": ELECTION, "board": world["board"]}
    cases.append({**base, "name": "anchors", "note": signed})
    expected["anchors"] = {"fingerprint": anchors.fingerprint, "quorum": 2, "witnesses": [w.name for w in world["witnesses"]],
                           "booth": anchors.booth_sha256}
    assert open_anchors(signed, expected_fingerprint=anchors.fingerprint)[0] == anchors
    text = anchors.text()
    bad_notes = {
        "anchors signed by another key": sign_note(text, NoteSigner(signer.name, SigningKey.generate())),
        "anchors edited after signing": signed.replace("witness-quorum 2", "witness-quorum 1"),
        "anchors of a quorum above the witnesses": sign_note(text.replace("witness-quorum 2", "witness-quorum 4"), signer),
        "anchors without the booth line": sign_note("".join(l for l in text.splitlines(True) if not l.startswith("booth")), signer),
        "anchors with a bad witness key": sign_note(text.replace(keys[0], keys[0][:-6] + "AAAAA="), signer),
    }
    for name, bad in bad_notes.items():
        with pytest.raises(BoardError):
            open_anchors(bad)
        cases.append({**base, "name": name, "note": bad})
        expected[name] = "error"
    other_origin = TrustAnchors(anchors.origin + "x", anchors.board_keys, anchors.trustees, anchors.policy, anchors.booth_sha256)
    for name, note_, board in [
        ("anchors of another election", other_origin.sign(signer), world["board"]),
        ("anchors naming another board key", signed, {**world["board"], "public_key": "AB" * 32}),
    ]:
        cases.append({**base, "name": name, "note": note_, "board": board})
        expected[name] = "error"

    # --- receipts and what the witnesses say about them -----------------------------------------------------
    context = {"election_id": ELECTION, "board": world["board"], "anchors": anchors.fingerprint}
    seq = 5
    receipt = board_receipt(log, ELECTION, seq, 6, bytes(32))
    late_receipt = board_receipt(log, ELECTION, seq, 11, bytes(32))

    def proofs(branch):
        inclusion = {f"{seq}/{n}": [h.hex().upper() for h in branch.inclusion_proof(ELECTION, seq, n).proof] for n in range(6, 14)}
        consistency = {f"{a}/{b}": [h.hex().upper() for h in branch.consistency_proof(ELECTION, a, b).proof]
                       for a in range(1, 14) for b in range(a, 14)}
        return {"inclusion": inclusion, "consistency": consistency}

    main_proofs, fork_proofs = proofs(log), proofs(fork)

    def cosigned(branch, size, *lines_):
        checkpoint = branch.checkpoint(ELECTION, size).note
        return {"size": size, "note": add_signature_lines(checkpoint, list(lines_)) if lines_ else checkpoint}

    def body_of(branch, size):
        return parse_note(branch.checkpoint(ELECTION, size).note).text

    b9 = body_of(log, 9)
    forged_root = sign_checkpoint(Checkpoint(world["origin"], 9, bytes(32)), signer).note
    quorum_zero = TrustAnchors(anchors.origin, anchors.board_keys, anchors.trustees,
                               WitnessPolicy(anchors.policy.witnesses, 0), anchors.booth_sha256).sign(signer)
    board_made = add_signature_lines(log.checkpoint(ELECTION, 9).note, [_forged(w1, b9), _forged(w2, b9)])
    scenarios = {
        "witnessed by 2 of 3": (receipt, cosigned(log, 9, w1.cosign(b9, WHEN), w2.cosign(b9, WHEN)), main_proofs, "witnessed"),
        "witnessed, an older cosigned checkpoint": (late_receipt, cosigned(log, 9, w1.cosign(b9, WHEN), w3.cosign(b9, WHEN)),
                                                    main_proofs, "witnessed"),
        "one valid and one forged cosignature": (receipt, cosigned(log, 9, w1.cosign(b9, WHEN), _forged(w2, b9)), main_proofs, "short"),
        "cosignatures over another checkpoint": (receipt, cosigned(log, 9, w1.cosign(body_of(log, 8), WHEN),
                                                                   w2.cosign(body_of(fork, 9), WHEN)), main_proofs, "short"),
        "a fork cosigned by 2": (receipt, cosigned(fork, 9, w1.cosign(body_of(fork, 9), WHEN), w2.cosign(body_of(fork, 9), WHEN)),
                                 fork_proofs, "failed"),
        "a checkpoint the board signed over another root": (receipt, {"size": 9, "note": add_signature_lines(
            forged_root, [w1.cosign(parse_note(forged_root).text, WHEN), w2.cosign(parse_note(forged_root).text, WHEN)])},
            main_proofs, "failed"),
        "no cosigned checkpoint yet": (receipt, None, main_proofs, "pending"),
        "completed by the board alone": ({**receipt, "cosigned_checkpoint": board_made, "cosigned_inclusion_proof": {
            "leaf_index": seq, "tree_size": 9, "hashes": main_proofs["inclusion"][f"{seq}/9"]}}, None, main_proofs, "short"),
    }
    for name, (r, served, board_answers, state) in scenarios.items():
        cases.append({"type": "receipt", "name": name, "receipt": r, "context": context, "anchors": signed,
                      "board": {"cosigned": served, **board_answers}})
        expected[name] = state
    cases.append({"type": "receipt", "name": "anchors of quorum 0", "receipt": receipt, "context": context,
                  "anchors": quorum_zero, "board": {"cosigned": scenarios["witnessed by 2 of 3"][1], **main_proofs}})
    expected["anchors of quorum 0"] = "none"
    return cases, expected


def test_witness_checks_in_js_agree_with_the_library(world, tmp_path):
    node = node_executable()
    if node is None:
        if in_ci():
            pytest.fail("node is not on PATH: the booth's JavaScript tests need Node 20+")
        pytest.skip("node is not on PATH")
    cases, expected = _cases(world)
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    completed = subprocess.run([node, "tests/js/booth_witness_check.mjs", str(path)], cwd=REPO_ROOT, capture_output=True,
                               text=True, timeout=120, check=True)
    results = json.loads(completed.stdout)
    assert set(results) == set(expected)
    for name, wanted in expected.items():
        found = results[name]
        if wanted == "error":
            assert "error" in found, name
        elif isinstance(wanted, str):
            assert found.get("state") == wanted, (name, found)
        else:
            assert found == wanted, name
    # sanity of the library oracle itself: the cases cover what they say
    assert expected["two valid"]["valid"] == sorted([[w.name, str(WHEN + i)] for i, w in enumerate(world["witnesses"][:2])])
    assert expected["flipped byte"] == {"valid": [[world["witnesses"][1].name, str(WHEN)]], "problems": 1}
    assert expected["largest timestamp"]["valid"][0][1] == str(MAX_TIMESTAMP)
    assert expected["timestamp past 2^63 - 1"]["problems"] == 1 and expected["timestamp changed"]["problems"] == 1

    # a receipt the browser completed reads back in Python: board-signed, 2 valid cosignatures, inclusion holds
    for name in ("witnessed by 2 of 3", "witnessed, an older cosigned checkpoint"):
        assert results[name]["valid"] == 2
        done = results[name]["completed"]
        signed = verify_checkpoint(done["cosigned_checkpoint"], [world["signer"].verifier], origin=world["origin"])
        assert world["anchors"].policy.require(done["cosigned_checkpoint"]).met
        proof = done["cosigned_inclusion_proof"]
        assert proof["leaf_index"] == done["seq"] and proof["tree_size"] == signed.size == 9
        verify_inclusion(done["seq"], signed.size, leaf_hash(bytes.fromhex(done["entry_hash"])),
                         [bytes.fromhex(h) for h in proof["hashes"]], signed.root)
        assert {k: v for k, v in done.items() if not k.startswith("cosigned_")} == next(
            c["receipt"] for c in cases if c["name"] == name)
    assert results["one valid and one forged cosignature"]["valid"] == 1
    assert results["completed by the board alone"]["valid"] == 0
