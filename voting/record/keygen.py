"""Key ceremony entries: commitments, encrypted shares, checks, complaints, result, confirmations
(record-format §8.2; SPEC §3.2.2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..encoding import hex_bytes, hex_p, hex_q, parse_bytes, parse_digest, parse_p, parse_q, require_list
from ..group import ElementModP, ElementModQ
from ..hashed_elgamal import HashedCiphertext
from ..key_ceremony import GuardianCommitments
from ..proofs.schnorr import SchnorrProof
from .common import RecordError, exact, guardian_index

COMMITMENTS = "keygen.commitments"
SHARES = "keygen.shares"
CHECKED = "keygen.checked"
SHARE_REVEALED = "keygen.share_revealed"
RESULT = "keygen.result"
CONFIRMED = "keygen.confirmed"
MAX_REASON = 300


# --- keygen.commitments ---------------------------------------------------------------------------


def commitments_body(commitments: GuardianCommitments) -> dict[str, Any]:
    return {
        "guardian": commitments.i,
        "commitments": [hex_p(K) for K in commitments.commitments],
        "proofs": [{"c": hex_bytes(p.c), "v": hex_q(p.v)} for p in commitments.proofs],
    }


def parse_commitments(body: object, n: int, k: int) -> GuardianCommitments:
    obj = exact(body, "body", {"guardian", "commitments", "proofs"})
    i = guardian_index(obj["guardian"], "body.guardian", n)
    raw_commitments = require_list(obj["commitments"], "body.commitments", min_len=k, max_len=k)
    raw_proofs = require_list(obj["proofs"], "body.proofs", min_len=k, max_len=k)
    commitments = tuple(parse_p(K, f"body.commitments[{j}]") for j, K in enumerate(raw_commitments))
    proofs = []
    for j, proof in enumerate(raw_proofs):
        p = exact(proof, f"body.proofs[{j}]", {"c", "v"})
        proofs.append(SchnorrProof(parse_digest(p["c"], f"body.proofs[{j}].c"), parse_q(p["v"], f"body.proofs[{j}].v")))
    return GuardianCommitments(i, commitments, tuple(proofs))


# --- keygen.shares --------------------------------------------------------------------------------


def shares_body(sender: int, shares: dict[int, HashedCiphertext]) -> dict[str, Any]:
    return {
        "guardian": sender,
        "shares": [
            {"recipient": l, "c0": hex_p(e.C0), "c1": hex_bytes(e.C1), "c2": hex_bytes(e.C2)} for l, e in sorted(shares.items())
        ],
    }


def parse_shares(body: object, n: int) -> tuple[int, dict[int, HashedCiphertext]]:
    obj = exact(body, "body", {"guardian", "shares"})
    sender = guardian_index(obj["guardian"], "body.guardian", n)
    raw = require_list(obj["shares"], "body.shares", min_len=n - 1, max_len=n - 1)
    shares: dict[int, HashedCiphertext] = {}
    for position, entry in enumerate(raw):
        where = f"body.shares[{position}]"
        e = exact(entry, where, {"recipient", "c0", "c1", "c2"})
        recipient = guardian_index(e["recipient"], f"{where}.recipient", n)
        if recipient == sender or recipient in shares:
            raise RecordError(f"{where}.recipient", "one share per other trustee")
        c1 = parse_bytes(e["c1"], f"{where}.c1")
        if len(c1) != 32:
            raise RecordError(f"{where}.c1", "an encrypted share has 32 bytes")
        shares[recipient] = HashedCiphertext(parse_p(e["c0"], f"{where}.c0"), c1, parse_digest(e["c2"], f"{where}.c2"))
    return sender, shares


# --- keygen.checked and keygen.share_revealed ------------------------------------------------------


def checked_body(receiver: int, complaints: list[int]) -> dict[str, Any]:
    return {"guardian": receiver, "complaints": sorted(complaints)}


def parse_checked(body: object, n: int) -> tuple[int, list[int]]:
    obj = exact(body, "body", {"guardian", "complaints"})
    receiver = guardian_index(obj["guardian"], "body.guardian", n)
    complaints = [
        guardian_index(i, f"body.complaints[{p}]", n)
        for p, i in enumerate(require_list(obj["complaints"], "body.complaints", max_len=n))
    ]
    if receiver in complaints or len(set(complaints)) != len(complaints) or complaints != sorted(complaints):
        raise RecordError("body.complaints", "distinct other trustees, in increasing order")
    return receiver, complaints


@dataclass(frozen=True)
class RevealedShare:
    sender: int
    recipient: int
    share: ElementModQ
    nonce: ElementModQ


def revealed_body(sender: int, recipient: int, share: ElementModQ, nonce: ElementModQ) -> dict[str, Any]:
    return {"guardian": sender, "recipient": recipient, "share": hex_q(share), "nonce": hex_q(nonce)}


def parse_revealed(body: object, n: int) -> RevealedShare:
    obj = exact(body, "body", {"guardian", "recipient", "share", "nonce"})
    sender = guardian_index(obj["guardian"], "body.guardian", n)
    recipient = guardian_index(obj["recipient"], "body.recipient", n)
    if recipient == sender:
        raise RecordError("body.recipient", "a trustee reveals shares it sent to others")
    return RevealedShare(sender, recipient, parse_q(obj["share"], "body.share"), parse_q(obj["nonce"], "body.nonce"))


# --- keygen.result and keygen.confirmed -------------------------------------------------------------


@dataclass(frozen=True)
class KeygenResult:
    complete: bool
    K: ElementModP | None
    H_E: bytes | None
    faulty: tuple[tuple[int, str], ...]


def result_payload(result: KeygenResult) -> dict[str, Any]:
    if result.complete:
        return {"status": "complete", "K": hex_p(result.K), "H_E": hex_bytes(result.H_E)}
    return {"status": "failed", "faulty": [{"guardian": i, "reason": reason} for i, reason in result.faulty]}


def parse_result(payload: object, n: int) -> KeygenResult:
    if isinstance(payload, dict) and payload.get("status") == "complete":
        obj = exact(payload, "payload", {"status", "K", "H_E"})
        return KeygenResult(True, parse_p(obj["K"], "K"), parse_digest(obj["H_E"], "H_E"), ())
    obj = exact(payload, "payload", {"status", "faulty"})
    if obj["status"] != "failed":
        raise RecordError("status", "expected 'complete' or 'failed'")
    faulty = []
    for position, entry in enumerate(require_list(obj["faulty"], "faulty", min_len=1, max_len=n)):
        e = exact(entry, f"faulty[{position}]", {"guardian", "reason"})
        reason = e["reason"]
        if not isinstance(reason, str) or not 0 < len(reason) <= MAX_REASON:
            raise RecordError(f"faulty[{position}].reason", f"a reason of 1 to {MAX_REASON} characters")
        faulty.append((guardian_index(e["guardian"], f"faulty[{position}].guardian", n), reason))
    return KeygenResult(False, None, None, tuple(faulty))


def confirmed_body(guardian: int, H_E: bytes, result_entry_hash: bytes) -> dict[str, Any]:
    return {"guardian": guardian, "H_E": hex_bytes(H_E), "result_entry_hash": hex_bytes(result_entry_hash)}


def parse_confirmed(body: object, n: int) -> tuple[int, bytes, bytes]:
    obj = exact(body, "body", {"guardian", "H_E", "result_entry_hash"})
    return (
        guardian_index(obj["guardian"], "body.guardian", n),
        parse_digest(obj["H_E"], "body.H_E"),
        parse_digest(obj["result_entry_hash"], "body.result_entry_hash"),
    )
