"""Helpers for the egk-ec reader's tests: the samples, base64 value changes, and a literal chain writer.

The samples are read where they lie (../shared/samples) and changed only in copies. :func:`chain_record`
re-chains a copy's ballots as egk-ec's ``EncryptedBallotChain.kt`` would (B_aux,1 = H_0 ∥ B_aux,0;
B_aux,0 the configuration's baux0, or the device's name when that is empty), computing every hash with
HMAC-SHA-256 directly — a literal reference for the test, not the verifier's code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

from support import verifier_support
from support.environment import shared_path
from support.verifier_support import copy_record, edit
from voting.group import STANDARD
from voting.verifier.findings import Tally
from voting.verifier.readers.egk_ec import open_egk_ec
from voting.verifier.worker import ChunkResult

SAMPLE = ("samples", "egk-ec-allAvailable")
P256_SAMPLE = ("samples", "egk-ec-allAvailableEc")
DEVICE = "encrypted_ballots/runWorkflowDevice"
CONFIRMATION = b"\x24"  # SPEC eq. 58-61's domain separator


def sample_path() -> Path:
    return shared_path(*SAMPLE)


def p256_sample_path() -> Path:
    return shared_path(*P256_SAMPLE)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def times_g(value: str) -> str:
    """Another element of Z_p^r, as egk-ec writes it: b(x·g mod p, 512) in base64."""
    x = int.from_bytes(base64.b64decode(value), "big")
    return b64(int(x * STANDARD.g % STANDARD.p).to_bytes(512, "big"))


def plus_one(value: str) -> str:
    """A base64 value of the same width whose number is one more (mod 2^(8·width))."""
    data = base64.b64decode(value)
    return b64(((int.from_bytes(data, "big") + 1) % (1 << (8 * len(data)))).to_bytes(len(data), "big"))


NON_MEMBER = b64(int(STANDARD.p - 1).to_bytes(512, "big"))  # order 2: not in the order-q subgroup
Q = b64(int(STANDARD.q).to_bytes(32, "big"))  # a response v = q is not in Z_q


def record_tally(root: Path, *, upto: int = 14) -> Tally:
    """The record-level checks of Verifications 1..``upto`` on an egk-ec record, without its ballots."""
    return verifier_support.record_tally(root, upto=upto, opener=open_egk_ec)


def ballot_result(root: Path, ballot_ids: set[str]) -> ChunkResult:
    """The verifier's worker on the given ballots of an egk-ec record (checks 5-7 and 12-14)."""
    return verifier_support.ballot_result(root, ballot_ids, opener=open_egk_ec)


def _H(key: bytes, *parts: bytes) -> bytes:
    return hmac.new(key, b"".join(parts), hashlib.sha256).digest()


def chain_record(source: Path, target: Path, ballot_ids: list[str], config_aux0: bytes) -> Path:
    """A copy of ``source`` whose device keeps only ``ballot_ids``, chained in that order and closed."""
    root = copy_record(source, target)
    device_dir = root / DEVICE
    for path in device_dir.glob("eballot-*.json"):
        if path.name[len("eballot-") : -len(".json")] not in ballot_ids:
            path.unlink()
    edit(root, "election_config.json", lambda d: d.update(chain_confirmation_codes=True, baux0=b64(config_aux0)))
    H_E = base64.b64decode(json.loads((root / "election_initialized.json").read_text())["extended_base_hash"])
    device = device_dir.name
    aux0 = config_aux0 or device.encode("utf-8")
    previous = _H(H_E, CONFIRMATION, aux0)  # H_0
    for ballot_id in ballot_ids:
        aux = previous + aux0

        def rechain(doc: dict, aux: bytes = aux) -> None:
            chis = b"".join(base64.b64decode(c["contest_hash"]) for c in doc["contests"])
            doc.update(code_baux=aux.hex().upper(), confirmation_code=b64(_H(H_E, CONFIRMATION, chis, aux)))

        edit(root, f"{DEVICE}/eballot-{ballot_id}.json", rechain)
        previous = base64.b64decode(json.loads((device_dir / f"eballot-{ballot_id}.json").read_text())["confirmation_code"])
    chain = {
        "encrypting_device": device,
        "baux0": [b - 256 if b > 127 else b for b in aux0],  # Kotlin's ByteArray: signed bytes
        "election_base_hash": b64(H_E),
        "ballot_ids": ballot_ids,
        "last_confirmation_code": b64(previous),
        "closing_hash": b64(_H(H_E, CONFIRMATION, previous, aux0, b"CLOSE")),
        "metadata": {},
    }
    (device_dir / "ballot_chain.json").write_text(json.dumps(chain, indent=2))
    return root


# --- where values lie in egk-ec's documents (for the tests' value changes) ----------------------------


def selection(doc: dict, contest: int = 0, option: int = 0) -> dict:
    """The ``option``-th selection of the ``contest``-th contest of a ballot, tally or decryption."""
    return doc["contests"][contest]["selections"][option]


def coefficient_proof(doc: dict, guardian: int, coefficient: int) -> dict:
    """election_initialized.json: guardian's proof for K_{i,j} (its ``public_key``, ``challenge``, ``response``)."""
    return doc["guardians"][guardian]["coefficient_proofs"][coefficient]


def bump(obj: dict, key: str) -> None:
    """Add one to the base64 value ``obj[key]`` (:func:`plus_one`)."""
    obj[key] = plus_one(obj[key])


def ballot_file(ballot_id: str, kind: str) -> str:
    """The encrypted ballot ("e") or the challenged ballot's decryption ("d") of ``ballot_id``."""
    return f"{DEVICE}/eballot-{ballot_id}.json" if kind == "e" else f"challenged_ballots/dballot-{ballot_id}.json"


def cli_run(root: Path, workdir: Path, *options: str):
    """``evote-verify ROOT --workers 2 --json …`` as an observer types it: the CLI result and the JSON report."""
    from click.testing import CliRunner

    from voting.verifier.cli import main

    report_file = workdir / "report.json"
    result = CliRunner().invoke(main, [str(root), "--workers", "2", "--json", str(report_file), *options])
    return result, json.loads(report_file.read_text())
