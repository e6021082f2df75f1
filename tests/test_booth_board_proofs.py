"""The booth's in-browser board checks (static/js/booth/board_proofs.js) against the board's own Python:
receipts made by the board (signed checkpoint + RFC 9162 inclusion proof) verify, consistency proofs
verify, entry hashes recompute from the API's JSON, and every tampered variant is refused."""

from __future__ import annotations

import copy
import json
import subprocess

import pytest
from nacl.signing import SigningKey
from support.booth_js_support import REPO_ROOT, in_ci, node_executable

from bulletin_board.elections.ballots import receipt
from bulletin_board.log import BoardLog
from bulletin_board.log_format.note import NoteSigner
from bulletin_board.storage import make_engine, migrate
from bulletin_board.web.views import entry_json

ORIGIN = "proofs.test"
ELECTION = "proofs-2026"
PAYLOADS = [
    {"label": "Springfield 2026"},
    {"text": "é ü 🗳 \u2028 \"quoted\" \\ back\tslash\n", "n": 9007199254740991, "neg": -5, "flags": [True, False, None]},
    {"nested": {"b": [1, {"z": "", "a": []}], "a": {}}, "emoji_keys": {"é": 1, "e": 2, "\u00e9t\u00e9": 3, "Z": 4}},
] + [{"ballot": {"confirmation_code": f"{i:064X}"}, "i": i} for i in range(10)]


def flip(hex_text: str) -> str:
    return ("0" if hex_text[0] != "0" else "1") + hex_text[1:]


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    directory = tmp_path_factory.mktemp("proofs")
    url = f"sqlite:///{directory / 'board.sqlite3'}"
    migrate(url)
    signer = NoteSigner(ORIGIN, SigningKey.generate())
    log = BoardLog(make_engine(url), signer, ORIGIN)
    log.create_election(ELECTION)
    for payload in PAYLOADS:
        log.append(ELECTION, "test.entry", payload)
    board = {"origin": ORIGIN, "key_name": signer.name, "public_key": bytes(signer.verifier.public_key).hex().upper()}
    out: list[dict] = []
    valid: list[str] = []

    def add(name, case, ok):
        out.append({"name": name, **case})
        if ok:
            valid.append(name)

    for seq, size in [(0, 1), (0, 13), (4, 5), (5, 13), (12, 13), (7, 8), (3, 11)]:
        r = receipt(log, ELECTION, seq, size, bytes(32))
        base = {"type": "receipt", "election_id": ELECTION, "board": board}
        add(f"receipt {seq}/{size}", {**base, "receipt": r}, True)
        bad = copy.deepcopy(r)
        bad["entry_hash"] = flip(r["entry_hash"])
        add(f"receipt {seq}/{size} other entry hash", {**base, "receipt": bad}, False)
        if r["inclusion_proof"]["hashes"]:
            bad = copy.deepcopy(r)
            bad["inclusion_proof"]["hashes"][-1] = flip(bad["inclusion_proof"]["hashes"][-1])
            add(f"receipt {seq}/{size} tampered proof", {**base, "receipt": bad}, False)
            bad = copy.deepcopy(r)
            bad["inclusion_proof"]["hashes"].pop()
            add(f"receipt {seq}/{size} short proof", {**base, "receipt": bad}, False)
        bad = copy.deepcopy(r)
        bad["seq"] = bad["inclusion_proof"]["leaf_index"] = (seq + 1) % size if size > 1 else 1
        add(f"receipt {seq}/{size} other index", {**base, "receipt": bad}, False)
        forged = NoteSigner(ORIGIN, SigningKey.generate())  # same name, another key: the key id differs
        bad = copy.deepcopy(r)
        bad["checkpoint"] = log.checkpoint(ELECTION, size).note.split("\n\n")[0] + "\n\n" + forged.signature_line(
            log.checkpoint(ELECTION, size).note.split("\n\n")[0] + "\n")
        add(f"receipt {seq}/{size} signed by another key", {**base, "receipt": bad}, False)
        bad = copy.deepcopy(r)
        body, signature = r["checkpoint"].split("\n\n")
        bad["checkpoint"] = body.replace(f"\n{size}\n", f"\n{size + 1}\n") + "\n\n" + signature
        add(f"receipt {seq}/{size} edited checkpoint", {**base, "receipt": bad}, False)
        add(f"receipt {seq}/{size} other election", {**base, "election_id": "other", "receipt": r}, False)
        add(f"receipt {seq}/{size} other board key", {**base, "board": {**board, "public_key": flip(board["public_key"])}, "receipt": r}, False)

    for old, new in [(1, 13), (4, 13), (5, 8), (7, 13), (8, 8), (12, 13), (3, 4)]:
        proof = log.consistency_proof(ELECTION, old, new)
        case = {"type": "consistency", "old_size": old, "new_size": new, "old_root": proof.old_root.hex().upper(),
                "new_root": proof.new_root.hex().upper(), "proof": [h.hex().upper() for h in proof.proof]}
        add(f"consistency {old}->{new}", case, True)
        add(f"consistency {old}->{new} other new root", {**case, "new_root": flip(case["new_root"])}, False)
        if case["proof"]:
            add(f"consistency {old}->{new} tampered", {**case, "proof": [flip(case["proof"][0])] + case["proof"][1:]}, False)

    for entry in log.entries(ELECTION, 0, 100):
        as_json = json.loads(json.dumps(entry_json(entry)))
        add(f"entry {entry.seq}", {"type": "entry", "entry": as_json}, True)
        edited = copy.deepcopy(as_json)
        edited["received_at"] += 1
        add(f"entry {entry.seq} other time", {"type": "entry", "entry": edited}, False)
    path = directory / "cases.json"
    path.write_text(json.dumps(out))
    return path, valid, [c["name"] for c in out]


def test_board_checks_in_js_agree_with_the_board(cases):
    node = node_executable()
    if node is None:
        if in_ci():
            pytest.fail("node is not on PATH: the booth's JavaScript tests need Node 20+")
        pytest.skip("node is not on PATH")
    path, valid, names = cases
    completed = subprocess.run([node, "tests/js/board_proofs_check.mjs", str(path)], cwd=REPO_ROOT, capture_output=True,
                               text=True, timeout=120, check=True)
    results = json.loads(completed.stdout)
    assert set(results) == set(names)
    wrong = {name: result for name, result in results.items() if (result == "ok") != (name in valid)}
    assert wrong == {}
    assert len(valid) >= 20 and len(names) - len(valid) >= 40
