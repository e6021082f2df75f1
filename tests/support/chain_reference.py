"""Test-only: a literal reading of SPEC v2.0.0 §3.4.3 and Verification 7.D-7.G over an egk record directory,
the oracle that the verifier's chaining check (voting/verifier/checks/chaining.py) must agree with.

Deliberately naive and independent of the verifier: files are read with ``json``, H is HMAC-SHA-256 as SPEC
§5.1 defines it, nothing of the verifier's reader or checks is used. B_j is "the j-th ballot voted on this
device": the ballot whose **own** ``ballot_id`` is the j-th id of the device's ``ballot_chain.json``. egk's
first link is B_aux,1 = H_0 (the SPEC's eq. 60 gives H_0 ∥ B_aux,0; docs/verification-checks.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

CONFIRMATION_CODE = b"\x24"  # SPEC eqs. 58, 59, 61


def H(key: bytes, *parts: bytes) -> bytes:
    """SPEC §5.1: H(B0; B1) = HMAC-SHA-256(B0, B1)."""
    return hmac.new(key, b"".join(parts), hashlib.sha256).digest()


def chain_problems(root: Path) -> list[str]:
    """What 7.D-7.G, read literally, find wrong with the record's ballot chains (empty: they hold)."""
    config = json.loads((root / "election_config.json").read_text())
    if not config["chain_confirmation_codes"]:
        return []
    H_E = bytes.fromhex(json.loads((root / "election_initialized.json").read_text())["extended_base_hash"])
    aux0 = bytes(b % 256 for b in config["baux0"])
    problems = []
    for device in sorted(p for p in (root / "encrypted_ballots").iterdir() if p.is_dir()):
        chain = json.loads((device / "ballot_chain.json").read_text())
        own: dict[str, list[dict]] = {}
        for path in device.glob("eballot-*.json"):
            ballot = json.loads(path.read_text())
            own.setdefault(ballot.get("ballot_id"), []).append(ballot)
        H_0 = H(H_E, CONFIRMATION_CODE, aux0)  # eq. 59
        if bytes.fromhex(chain["baux0"]) != H_0:
            problems.append(f"7.D {device.name}: H_0")
        previous: bytes | None = H_0
        for j, ballot_id in enumerate(chain["ballot_ids"], start=1):
            found = own.get(ballot_id, [])
            if len(found) != 1:
                problems.append(f"7.E {device.name}: B_{j} = ballot {ballot_id} is {len(found)} ballots")
                previous = None
                continue
            (B_j,) = found
            expected = previous if j == 1 else (previous + aux0 if previous is not None else None)  # eq. 60
            if expected is None or bytes.fromhex(B_j["code_baux"]) != expected:
                problems.append(f"7.E {device.name}: B_aux,{j} of ballot {ballot_id}")
            previous = bytes.fromhex(B_j["confirmation_code"])
        if sorted(own, key=str) != sorted(chain["ballot_ids"]):
            problems.append(f"7.E {device.name}: the ballots are not exactly the chain's")
        if previous is None or bytes.fromhex(chain["last_confirmation_code"]) != previous:
            problems.append(f"7.F {device.name}: H(B_l)")
        closing = chain["closing_hash"]
        if previous is None or closing is None or bytes.fromhex(closing) != H(H_E, CONFIRMATION_CODE, previous + aux0 + b"CLOSE"):
            problems.append(f"7.G {device.name}: closing hash")  # eq. 61
    return problems
