"""transparency-dev/merkle's proof-verification vectors: valid cases verify, invalid ones raise."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from bulletin_board.log_format.errors import ProofError, RootMismatch
from bulletin_board.log_format.merkle_verify import verify_consistency, verify_inclusion

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "transparency-dev-merkle"
# Cases where evote is deliberately stricter than the Go library: roots must always be 32-byte hashes.
STRICTER = {"additional/sizes-are-equal-one-and-proof-is-empty.json": "12-byte roots are accepted by Go for equal sizes"}


def _b64(value):
    return base64.b64decode(value) if value is not None else b""


def _cases(kind):
    files = sorted((VECTORS / kind).rglob("*.json"))
    assert len(files) > 40, f"vectors missing under {VECTORS / kind}"
    cases = []
    for path in files:
        name = str(path.relative_to(VECTORS / kind))
        case = json.loads(path.read_text())
        if name in STRICTER:
            assert case["wantErr"] is False, f"{name} no longer needs its exception"
            case["wantErr"] = True
        cases.append(pytest.param(case, id=name))
    return cases


@pytest.mark.parametrize("case", _cases("inclusion"))
def test_inclusion_vector(case):
    proof = [_b64(item) for item in case["proof"] or []]
    args = (case["leafIdx"], case["treeSize"], _b64(case["leafHash"]), proof, _b64(case["root"]))
    if case["wantErr"]:
        with pytest.raises((ProofError, RootMismatch)):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("case", _cases("consistency"))
def test_consistency_vector(case):
    proof = [_b64(item) for item in case["proof"] or []]
    args = (case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), proof)
    if case["wantErr"]:
        with pytest.raises((ProofError, RootMismatch)):
            verify_consistency(*args)
    else:
        verify_consistency(*args)
