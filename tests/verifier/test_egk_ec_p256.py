"""egk-ec records on NIST P-256: the sample verifies through the CLI in the P-256 group, every single-value change
an ElectionGuard 2.0 step covers fails that step (named by what it changes), and invalid points are refused with
the field named — the point at infinity is accepted exactly where egk-ec writes it, as T = K^0 or S = K^0.

The machinery is test_egk_ec_mutations.py's (egk_ec_support); the value changes here are P-256's: another point
is P + G, computed with the verifier's group, whose arithmetic tests/test_group_p256.py checks on known vectors.
"""

from __future__ import annotations

import base64
import json

import pytest
from support.egk_ec_support import (
    DEVICE,
    b64,
    ballot_file,
    ballot_result,
    bump,
    cli_run,
    coefficient_proof,
    p256_sample_path,
    record_tally,
    selection,
)
from support.verifier_support import copy_record, edit, failed_steps, failures

from voting.group_p256 import EGK_IDENTITY, GENERATOR, N, P, P256Point


def plus_g(value: str) -> str:
    """Another point of P-256, as egk-ec writes it: P + G in 33 compressed bytes, base64."""
    return b64((P256Point.parse(base64.b64decode(value), allow_identity=True) * GENERATOR).to_bytes())


OFF_CURVE = b64(b"\x02" + (1).to_bytes(32, "big"))  # x = 1: x³ - 3x + b is not a square mod p
NON_CANONICAL = b64(b"\x02" + (P + 3).to_bytes(32, "big"))  # x >= p
IDENTITY = b64(EGK_IDENTITY)
UNCOMPRESSED = b64(b"\x04" + bytes(64))
ORDER = b64(N.to_bytes(32, "big"))  # a response v = n is not in Z_n


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """One CLI run on the P-256 sample, as an observer would type it, with its JSON report."""
    return cli_run(p256_sample_path(), tmp_path_factory.mktemp("report"))


def test_p256_sample_verifies(sample_run):
    result, report = sample_run
    assert result.exit_code == 0, result.output
    assert "VERIFIED: every check that applies to this record passed." in result.output
    assert report["statistics"]["ballots"] == 42 and report["statistics"]["challenged"] == 9
    steps = {s["id"]: s for v in report["verifications"] for s in v["steps"]}
    for step in ("1.B", "1.C", "1.D", "1.E", "1.F", "2.C", "3.B", "4.A", "5.D", "6.D", "7.B", "8.A", "9.B", "10.A"):
        assert steps[step]["status"] == "passed" and steps[step]["passed"] > 0, step
    for step in ("12.B", "13.A", "14.B"):
        assert steps[step]["status"] == "passed" and steps[step]["passed"] > 0, step


def test_report_names_the_group(sample_run):
    result, report = sample_run
    assert "checked as: egk-ec 2.1.0, ElectionGuard v2.1.0, group P-256" in " ".join(result.output.split())
    notes = report["conventions"]["departures_from_spec"]
    assert any("hash_to_field" in note and "33-byte" in note for note in notes)


def test_parameters_are_checked_against_fips_186_5(tmp_path):
    """1.B: p, a, b; 1.C: n; 1.D: h; 1.E: g.x, g.y — each compared with FIPS 186-5 / SEC 2."""
    tally = record_tally(copy_record(p256_sample_path(), tmp_path / "record"), upto=1)
    assert failed_steps(tally) == set()
    passed = {step: tally.counts[step].passed for step in ("1.A", "1.B", "1.C", "1.D", "1.E", "1.F", "1.G", "1.H")}
    assert passed == {"1.A": 1, "1.B": 3, "1.C": 1, "1.D": 1, "1.E": 2, "1.F": 1, "1.G": 1, "1.H": 1}


def _constants(d):
    return d["constants"]


RECORD_MUTATIONS = {  # what changes: (file, change, the steps that fail)
    "curve coefficient b": (
        "constants.json",
        lambda d: _constants(d).update(b=format(int(_constants(d)["b"], 16) + 1, "x")),
        {"1.B"},
    ),
    "curve order n": ("constants.json", lambda d: _constants(d).update(order=format(N - 2, "x")), {"1.C"}),
    "generator g.y": (
        "constants.json",
        lambda d: _constants(d).update({"g.y": format(P - int(_constants(d)["g.y"], 16), "x")}),
        {"1.E"},
    ),
    "H_P": ("election_config.json", lambda d: bump(d, "parameter_base_hash"), {"1.F"}),
    "H_B": ("election_config.json", lambda d: bump(d, "election_base_hash"), {"1.H"}),
    "joint key K": (
        "election_initialized.json",
        lambda d: d.update(joint_public_key=plus_g(d["joint_public_key"])),
        {"3.B", "4.A", "9.B", "10.A"},
    ),
    "H_E": ("election_initialized.json", lambda d: bump(d, "extended_base_hash"), {"4.A", "9.B"}),
    "commitment K_2,1": (
        "election_initialized.json",
        lambda d: coefficient_proof(d, 1, 1).update(public_key=plus_g(coefficient_proof(d, 1, 1)["public_key"])),
        {"2.C"},
    ),
    "commitment K_3,0": (
        "election_initialized.json",
        lambda d: coefficient_proof(d, 2, 0).update(public_key=plus_g(coefficient_proof(d, 2, 0)["public_key"])),
        {"2.C", "3.B"},
    ),
    "Schnorr challenge": ("election_initialized.json", lambda d: bump(coefficient_proof(d, 0, 1), "challenge"), {"2.C"}),
    "Schnorr response": ("election_initialized.json", lambda d: bump(coefficient_proof(d, 2, 2), "response"), {"2.C"}),
    "Schnorr response = n": (
        "election_initialized.json",
        lambda d: coefficient_proof(d, 2, 2).update(response=ORDER),
        {"2.B", "2.C"},
    ),
    "encrypted tally A": (
        "encrypted_tally.json",
        lambda d: selection(d, 2, 0)["encrypted_vote"].update(pad=plus_g(selection(d, 2, 0)["encrypted_vote"]["pad"])),
        {"9", "9.B"},
    ),
    "tally T": (
        "tally.json",
        lambda d: selection(d, 4, 1).update(b_over_m=plus_g(selection(d, 4, 1)["b_over_m"])),
        {"9.B", "10.A"},
    ),
    "tally T made the identity": ("tally.json", lambda d: selection(d, 4, 1).update(b_over_m=IDENTITY), {"9.B", "10.A"}),
    "tally t": ("tally.json", lambda d: selection(d, 4, 1).update(tally=selection(d, 4, 1)["tally"] + 1), {"10.A"}),
    "zero tally t": ("tally.json", lambda d: selection(d, 0, 2).update(tally=1), {"10.A"}),
    "tally proof c": ("tally.json", lambda d: bump(selection(d, 6, 0)["proof"], "challenge"), {"9.B"}),
    "tally proof v": ("tally.json", lambda d: bump(selection(d, 6, 0)["proof"], "response"), {"9.B"}),
    "tally proof v = n": ("tally.json", lambda d: selection(d, 6, 0)["proof"].update(response=ORDER), {"9.A", "9.B"}),
}


@pytest.mark.parametrize("name", RECORD_MUTATIONS)
def test_record_mutation_fails_its_check(tmp_path, name):
    filename, change, expected = RECORD_MUTATIONS[name]
    root = copy_record(p256_sample_path(), tmp_path / "record")
    edit(root, filename, change)
    assert failed_steps(record_tally(root)) == expected


def _vote(doc):
    return selection(doc)["encrypted_vote"]


def _part(proof, n):
    return proof["proofs"][n]


def _contest_data(doc, contest=0):
    return doc["contests"][contest]["decrypted_contest_data"]


BALLOT_MUTATIONS = {  # what changes: (ballot, eballot or dballot, change, the steps that fail)
    "alpha": ("id-2", "e", lambda d: _vote(d).update(pad=plus_g(_vote(d)["pad"])), {"5.D", "6.D", "7.A"}),
    "beta": ("id-2", "e", lambda d: _vote(d).update(data=plus_g(_vote(d)["data"])), {"5.D", "6.D", "7.A"}),
    "selection proof challenge c_0": ("id-2", "e", lambda d: bump(_part(selection(d)["proof"], 0), "challenge"), {"5.D"}),
    "selection proof response v_1": ("id-2", "e", lambda d: bump(_part(selection(d)["proof"], 1), "response"), {"5.D"}),
    "contest limit proof challenge": ("id-2", "e", lambda d: bump(_part(d["contests"][0]["proof"], 0), "challenge"), {"6.D"}),
    "contest hash": ("id-2", "e", lambda d: bump(d["contests"][0], "contest_hash"), {"7.A", "7.B"}),
    "confirmation code": ("id-2", "e", lambda d: bump(d, "confirmation_code"), {"7.B"}),
    "challenged: S": ("id-12", "d", lambda d: selection(d).update(b_over_m=plus_g(selection(d)["b_over_m"])), {"12.B", "13.A"}),
    "challenged: σ": ("id-12", "d", lambda d: selection(d, 0, 1).update(tally=0), {"13.A"}),
    "challenged: proof c": ("id-12", "d", lambda d: bump(selection(d)["proof"], "challenge"), {"12.B"}),
    "challenged: proof v": ("id-12", "d", lambda d: bump(selection(d)["proof"], "response"), {"12.B"}),
    "challenged: contest data β": (
        "id-12",
        "d",
        lambda d: _contest_data(d).update(beta=plus_g(_contest_data(d)["beta"])),
        {"14", "14.B"},
    ),
    "challenged: contest data proof c": ("id-12", "d", lambda d: bump(_contest_data(d)["proof"], "challenge"), {"14.B"}),
}


@pytest.mark.parametrize("name", BALLOT_MUTATIONS)
def test_ballot_mutation_fails_its_check(tmp_path, name):
    ballot_id, kind, change, expected = BALLOT_MUTATIONS[name]
    root = copy_record(p256_sample_path(), tmp_path / "record")
    edit(root, ballot_file(ballot_id, kind), change)
    tally = ballot_result(root, {ballot_id}).tally
    assert failed_steps(tally) == expected


INVALID_POINTS = {  # a point egk-ec would not write, in a ballot: (value, the reason named with the field)
    "off the curve": (OFF_CURVE, "no point on P-256"),
    "non-canonical x >= p": (NON_CANONICAL, "x >= p"),
    "the identity": (IDENTITY, "is the identity"),
    "uncompressed form": (UNCOMPRESSED, "longer than 33 bytes in base64"),
}


@pytest.mark.parametrize("name", INVALID_POINTS)
def test_invalid_point_in_a_ballot_is_refused_naming_the_field(tmp_path, name):
    value, reason = INVALID_POINTS[name]
    root = copy_record(p256_sample_path(), tmp_path / "record")
    edit(root, f"{DEVICE}/eballot-id-3.json", lambda d: _vote(d).update(data=value))
    tally = ballot_result(root, {"id-3"}).tally
    named = [
        f for step in failed_steps(tally) for f in failures(tally, step) if "encrypted_vote.data" in f"{f.origin} {f.message}"
    ]
    assert named and any(reason in f.message for f in named), [f.message for f in named]
    assert "5.D" in failed_steps(tally)  # the ballot is not verified further


@pytest.mark.parametrize("name", INVALID_POINTS)
def test_invalid_point_in_the_key_ceremony_is_refused_naming_the_field(tmp_path, name):
    value, reason = INVALID_POINTS[name]
    root = copy_record(p256_sample_path(), tmp_path / "record")
    edit(root, "election_initialized.json", lambda d: coefficient_proof(d, 0, 1).update(public_key=value))
    tally = record_tally(root, upto=3)
    messages = [f.message for step in failed_steps(tally) for f in failures(tally, step)]
    assert any("coefficient_proofs[1].public_key" in m and reason in m for m in messages), messages


def test_identity_is_accepted_as_a_zero_tally_only(tmp_path):
    """The sample's zero tallies write T = K^0 as the identity (33 bytes 0xFF), which verifies (10.A, 9.B);
    the same bytes as an encrypted tally's A are refused, naming the field."""
    root = copy_record(p256_sample_path(), tmp_path / "record")
    zero = selection(json.loads((root / "tally.json").read_text()), 0, 2)
    assert zero["tally"] == 0 and base64.b64decode(zero["b_over_m"]) == EGK_IDENTITY
    assert failed_steps(record_tally(root)) == set()
    edit(root, "encrypted_tally.json", lambda d: selection(d, 0, 2)["encrypted_vote"].update(pad=IDENTITY))
    tally = record_tally(root)
    messages = [f.message for step in failed_steps(tally) for f in failures(tally, step)]
    assert any("encrypted_vote.pad" in m and "is the identity" in m for m in messages), messages
