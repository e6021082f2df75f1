"""Every single-value change to an egk-ec record that an ElectionGuard 2.0 verification step covers fails that
step; each change is named by what it changes. Values no step covers are listed, each with the reason.

Record values run the record checks (no ballots); ballot values run the verifier's worker on that ballot;
ballot chains (no chained egk-ec sample exists) are made from the sample by :func:`chain_record`, a literal
writer of egk-ec's chain rules. Changes that only the whole run sees are in test_egk_ec_sample.py, and
the group's and versions' refusals too.
"""

from __future__ import annotations

import base64

import pytest
from support.egk_ec_support import (
    DEVICE,
    NON_MEMBER,
    Q,
    b64,
    ballot_file,
    ballot_result,
    bump,
    chain_record,
    coefficient_proof,
    plus_one,
    record_tally,
    sample_path,
    selection,
    times_g,
)
from support.verifier_support import copy_record, edit, failed_steps, failures, report_failures

from voting.verifier.readers.egk_ec import open_egk_ec
from voting.verifier.run import verify


def _contest_data(doc, contest=0):
    return doc["contests"][contest]["decrypted_contest_data"]


RECORD_MUTATIONS = {  # what changes: (file, change, the steps that fail)
    "number of guardians n": ("election_config.json", lambda d: d.update(number_of_guardians=4), {"1.H", "2", "4.A"}),
    "quorum k": ("election_config.json", lambda d: d.update(quorum=2), {"1.H", "2", "4.A"}),
    "H_P": ("election_config.json", lambda d: bump(d, "parameter_base_hash"), {"1.F"}),
    "H_M": ("election_config.json", lambda d: bump(d, "manifest_hash"), {"1.G"}),
    "H_B": ("election_config.json", lambda d: bump(d, "election_base_hash"), {"1.H"}),
    "manifest text": ("manifest.json", lambda d: d.update(election_scope_id="Other"), {"1.G", "1.H", "4.A"}),
    "joint key K": (
        "election_initialized.json",
        lambda d: d.update(joint_public_key=times_g(d["joint_public_key"])),
        {"3.B", "4.A", "9.B", "10.A"},
    ),
    "H_E": ("election_initialized.json", lambda d: bump(d, "extended_base_hash"), {"4.A", "9.B"}),
    "commitment K_2,1": (
        "election_initialized.json",
        lambda d: coefficient_proof(d, 1, 1).update(public_key=times_g(coefficient_proof(d, 1, 1)["public_key"])),
        {"2.C"},
    ),
    "commitment K_3,0": (
        "election_initialized.json",
        lambda d: coefficient_proof(d, 2, 0).update(public_key=times_g(coefficient_proof(d, 2, 0)["public_key"])),
        {"2.C", "3.B"},
    ),
    "commitment not in the subgroup": (
        "election_initialized.json",
        lambda d: coefficient_proof(d, 0, 2).update(public_key=NON_MEMBER),
        {"2.A", "2.C"},
    ),
    "guardian index i": ("election_initialized.json", lambda d: d["guardians"][1].update(x_coordinate=5), {"2", "2.C"}),
    "Schnorr challenge": ("election_initialized.json", lambda d: bump(coefficient_proof(d, 0, 1), "challenge"), {"2.C"}),
    "Schnorr response": ("election_initialized.json", lambda d: bump(coefficient_proof(d, 2, 2), "response"), {"2.C"}),
    "Schnorr response = q": (
        "election_initialized.json",
        lambda d: coefficient_proof(d, 2, 2).update(response=Q),
        {"2.B", "2.C"},
    ),
    "encrypted tally A": (
        "encrypted_tally.json",
        lambda d: selection(d, 2, 0)["encrypted_vote"].update(pad=times_g(selection(d, 2, 0)["encrypted_vote"]["pad"])),
        {"9", "9.B"},  # and 8.A, which needs the ballots (test_egk_ec_sample.py)
    ),
    "tally T": (
        "tally.json",
        lambda d: selection(d, 4, 1).update(b_over_m=times_g(selection(d, 4, 1)["b_over_m"])),
        {"9.B", "10.A"},
    ),
    "tally t": ("tally.json", lambda d: selection(d, 4, 1).update(tally=selection(d, 4, 1)["tally"] + 1), {"10.A"}),
    "tally proof c": ("tally.json", lambda d: bump(selection(d, 6, 0)["proof"], "challenge"), {"9.B"}),
    "tally proof v": ("tally.json", lambda d: bump(selection(d, 6, 0)["proof"], "response"), {"9.B"}),
    "tally proof v = q": ("tally.json", lambda d: selection(d, 6, 0)["proof"].update(response=Q), {"9.A", "9.B"}),
    "(A, B) repeated in the tally": (
        "tally.json",
        lambda d: selection(d, 6, 0)["encrypted_vote"].update(pad=times_g(selection(d, 6, 0)["encrypted_vote"]["pad"])),
        {"9"},
    ),
    "tally contest label": ("tally.json", lambda d: d["contests"][7].update(contest_id="contest-unknown"), {"9", "9.B", "10.B"}),
    "tally option label": (
        "tally.json",
        lambda d: selection(d, 8, 0).update(selection_id="selection-unknown"),
        {"9", "9.B", "10.C", "10.D"},
    ),
}


@pytest.mark.parametrize("name", RECORD_MUTATIONS)
def test_record_mutation_fails_its_check(tmp_path, name):
    filename, change, expected = RECORD_MUTATIONS[name]
    root = copy_record(sample_path(), tmp_path / "record")
    edit(root, filename, change)
    assert failed_steps(record_tally(root)) == expected


def _vote(doc):
    return selection(doc)["encrypted_vote"]


def _part(proof, n):
    return proof["proofs"][n]


UNDECODED = {"5.D", "6.D", "7.A", "7.B"}  # a ballot that cannot be decoded is not verified further
BALLOT_MUTATIONS = {  # what changes: (ballot, eballot or dballot, change, the steps that fail)
    "alpha": ("id-2", "e", lambda d: _vote(d).update(pad=times_g(_vote(d)["pad"])), {"5.D", "6.D", "7.A"}),
    "beta": ("id-2", "e", lambda d: _vote(d).update(data=times_g(_vote(d)["data"])), {"5.D", "6.D", "7.A"}),
    "beta not in the subgroup": ("id-2", "e", lambda d: _vote(d).update(data=NON_MEMBER), {"5.A", "6.A"} | UNDECODED),
    "selection proof challenge c_0": ("id-2", "e", lambda d: bump(_part(selection(d)["proof"], 0), "challenge"), {"5.D"}),
    "selection proof response v_1": ("id-2", "e", lambda d: bump(_part(selection(d)["proof"], 1), "response"), {"5.D"}),
    "selection proof response v_1 = q": (
        "id-2",
        "e",
        lambda d: _part(selection(d)["proof"], 1).update(response=Q),
        {"5.C"} | UNDECODED,
    ),
    "contest limit proof challenge": ("id-2", "e", lambda d: bump(_part(d["contests"][0]["proof"], 0), "challenge"), {"6.D"}),
    "contest limit proof response": ("id-2", "e", lambda d: bump(_part(d["contests"][0]["proof"], 0), "response"), {"6.D"}),
    "contest hash": ("id-2", "e", lambda d: bump(d["contests"][0], "contest_hash"), {"7.A", "7.B"}),
    "confirmation code": ("id-2", "e", lambda d: bump(d, "confirmation_code"), {"7.B"}),
    "B_aux": ("id-2", "e", lambda d: d.update(code_baux=d["code_baux"] + "00"), {"7.B"}),
    "ballot style": ("id-2", "e", lambda d: d.update(ballot_style_id="BallotStyle1"), {"5"} | UNDECODED),
    "ballot state (egk's word)": ("id-2", "e", lambda d: d.update(state="SPOILED"), {"5"} | UNDECODED),
    "option index": ("id-2", "e", lambda d: selection(d).update(sequence_order=7), {"5"} | UNDECODED),
    "pre-encrypted": ("id-2", "e", lambda d: d.update(is_preencrypt=True), {"5"} | UNDECODED),
    "challenged: S": ("id-1", "d", lambda d: selection(d).update(b_over_m=times_g(selection(d)["b_over_m"])), {"12.B", "13.A"}),
    "challenged: σ": ("id-1", "d", lambda d: selection(d).update(tally=1 - selection(d)["tally"]), {"13.A"}),
    "challenged: proof c": ("id-1", "d", lambda d: bump(selection(d)["proof"], "challenge"), {"12.B"}),
    "challenged: proof v": ("id-1", "d", lambda d: bump(selection(d)["proof"], "response"), {"12.B"}),
    "challenged: proof v = q": ("id-1", "d", lambda d: selection(d)["proof"].update(response=Q), {"12.A", "12.B"}),
    "challenged: (α, β) repeated": (
        "id-1",
        "d",
        lambda d: selection(d)["encrypted_vote"].update(pad=times_g(selection(d)["encrypted_vote"]["pad"])),
        {"12"},
    ),
    "challenged: option label": ("id-1", "d", lambda d: selection(d).update(selection_id="selection-x"), {"13.E", "13.F"}),
    "challenged: contest data β": (
        "id-1",
        "d",
        lambda d: _contest_data(d).update(beta=times_g(_contest_data(d)["beta"])),
        {"14", "14.B"},
    ),
    "challenged: contest data proof c": ("id-1", "d", lambda d: bump(_contest_data(d)["proof"], "challenge"), {"14.B"}),
    "challenged: contest data proof v": ("id-1", "d", lambda d: bump(_contest_data(d)["proof"], "response"), {"14.B"}),
    "challenged: C1 repeated": (
        "id-1",
        "d",
        lambda d: _contest_data(d)["encrypted_contest_data"].update(
            c1=plus_one(_contest_data(d)["encrypted_contest_data"]["c1"])
        ),
        {"14"},
    ),
    "challenged: numBytes repeated": (
        "id-1",
        "d",
        lambda d: _contest_data(d)["encrypted_contest_data"].update(numBytes=61),
        {"14"},
    ),
    "challenged: the decryption's ballot id": (
        "id-1",
        "d",
        lambda d: d.update(id="id-2"),
        {"12", "12.A", "12.B", "13.A", "13.B", "13.C", "13.D", "13.E", "13.F", "14.A", "14.B"},
    ),
}


@pytest.mark.parametrize("name", BALLOT_MUTATIONS)
def test_ballot_mutation_fails_its_check(tmp_path, name):
    ballot_id, kind, change, expected = BALLOT_MUTATIONS[name]
    root = copy_record(sample_path(), tmp_path / "record")
    edit(root, ballot_file(ballot_id, kind), change)
    tally = ballot_result(root, {ballot_id}).tally
    assert failed_steps(tally) == expected
    assert all(f"ballot-{ballot_id}.json" in f.origin for step in expected for f in failures(tally, step))


MALFORMED = {  # an encoding egk-ec does not write: (change to ballot id-3, the field named, the reason)
    "not base64": (lambda d: _vote(d).update(pad="!" + _vote(d)["pad"][1:]), "encrypted_vote.pad", "expected base64"),
    "element one byte short": (
        lambda d: _vote(d).update(pad=b64(base64.b64decode(_vote(d)["pad"])[1:])),
        "encrypted_vote.pad",
        "expected 512 bytes in base64, found 511",
    ),
    "element in hex": (
        lambda d: _vote(d).update(pad=base64.b64decode(_vote(d)["pad"]).hex().upper()),
        "encrypted_vote.pad",
        "longer than 512 bytes",
    ),
    "element 0": (lambda d: _vote(d).update(pad=b64(bytes(512))), "encrypted_vote.pad", "0 < x < p"),
    "hash without padding": (
        lambda d: d.update(confirmation_code=d["confirmation_code"].rstrip("=")),
        "confirmation_code",
        "expected base64",
    ),
    "hash with padding bits set": (
        lambda d: d.update(confirmation_code=d["confirmation_code"][:-2] + chr(ord(d["confirmation_code"][-2]) + 1) + "="),
        "confirmation_code",
        "not canonical base64",
    ),
    "response 31 bytes": (
        lambda d: _part(selection(d)["proof"], 0).update(response=b64(bytes(31))),
        "proofs[0].response",
        "expected 32 bytes",
    ),
    "B_aux in lower-case hex": (lambda d: d.update(code_baux=d["code_baux"].lower()), "code_baux", "upper-case hex"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_value_is_refused_naming_the_field(tmp_path, name):
    change, field, reason = MALFORMED[name]
    root = copy_record(sample_path(), tmp_path / "record")
    edit(root, f"{DEVICE}/eballot-id-3.json", change)
    tally = ballot_result(root, {"id-3"}).tally
    named = [f for step in failed_steps(tally) for f in failures(tally, step) if field in f"{f.origin} {f.message}"]
    assert named and any(reason in f.message for f in named), [f.message for f in named]


def test_malformed_record_value_is_unreadable_naming_the_field(tmp_path):
    root = copy_record(sample_path(), tmp_path / "record")
    edit(root, "election_config.json", lambda d: d.update(manifest_hash=d["manifest_hash"].rstrip("=")))
    edit(root, "tally.json", lambda d: selection(d, 1, 0).update(b_over_m=b64(bytes(32))))
    tally = record_tally(root)
    (finding, *_) = failures(tally, "1.F")
    assert "election_config.json: manifest_hash: expected base64" in finding.message
    words = "contests[1].selections[0].b_over_m: expected 512 bytes in base64, found 32"
    assert any(words in f.message for step in ("9", "10.A") for f in failures(tally, step))
    assert failures(tally, "9.B")[0].message == "not verified: the decryption cannot be read"


# --- ballot chains (7.D-7.G) --------------------------------------------------------------------------

CHAIN = f"{DEVICE}/ballot_chain.json"
CHAIN_MUTATIONS = {  # what changes in ballot_chain.json: (change, the chain steps that fail)
    "nothing": (None, set()),
    "closing hash": (lambda d: bump(d, "closing_hash"), {"7.G"}),
    "no closing hash": (lambda d: d.update(closing_hash=None), {"7.G"}),
    "last confirmation code": (lambda d: bump(d, "last_confirmation_code"), {"7.F"}),
    "B_aux,0": (lambda d: d.update(baux0=d["baux0"] + [1]), {"7.D", "7.E", "7.F", "7.G"}),
    "device name": (lambda d: d.update(encrypting_device="other"), {"7.D", "7.E", "7.F", "7.G"}),
    "ballot order": (lambda d: d.update(ballot_ids=[d["ballot_ids"][1], d["ballot_ids"][0], *d["ballot_ids"][2:]]), {"7.E"}),
}


@pytest.fixture(scope="module", params=[b"", b"device information"], ids=["device name as B_aux,0", "configured B_aux,0"])
def chained(request, tmp_path_factory):
    return tmp_path_factory.mktemp("chained"), request.param


@pytest.mark.parametrize("name", CHAIN_MUTATIONS)
def test_chain_mutation_fails_its_check(chained, name):
    tmp, aux0 = chained
    change, expected = CHAIN_MUTATIONS[name]
    root = chain_record(sample_path(), tmp / name.replace(" ", "-"), ["id-3", "id-1", "id-2"], aux0)
    if change is not None:
        edit(root, CHAIN, change)
    report = verify(open_egk_ec(root), workers=1)
    chain_steps = {"7.B", "7.C", "7.D", "7.E", "7.F", "7.G"}
    assert failed_steps(report) & chain_steps == expected
    if not expected:  # the literal chain writer and the verifier agree: every chain step passed
        assert all(not report_failures(report, step) for step in chain_steps)


# --- values no verification step covers ---------------------------------------------------------------

UNCOVERED = {  # what changes: (file, change, why no ElectionGuard 2.0 step covers it)
    "guardian name": (
        "election_initialized.json",
        lambda d: d["guardians"][1].update(guardian_id="other"),
        "a label; the guardian is its index i, which 2.C hashes",
    ),
    "configuration's baux0, codes not chained": (
        "election_config.json",
        lambda d: d.update(baux0=b64(b"other")),
        "B_aux is bound only through the confirmation code (7.B) and, when codes are chained, 7.D-7.G",
    ),
    "configuration metadata": ("election_config.json", lambda d: d.update(metadata={"x": "y"}), "egk-ec's free text"),
    "tally's election_id": ("tally.json", lambda d: bump(d, "election_id"), "egk-ec repeats H_E; 4.A checks H_E itself"),
    "contest data C0 of a cast ballot": (
        f"{DEVICE}/eballot-id-2.json",
        lambda d: d["contests"][0]["encrypted_contest_data"].update(c0=times_g(d["contests"][0]["encrypted_contest_data"]["c0"])),
        "SPEC eq. 58's χ does not hash the contest data; only its decryption (11, 14) covers it",
    ),
    "contest data C1 of a cast ballot": (
        f"{DEVICE}/eballot-id-2.json",
        lambda d: d["contests"][0]["encrypted_contest_data"].update(
            c1=plus_one(d["contests"][0]["encrypted_contest_data"]["c1"])
        ),
        "as C0",
    ),
    "contest data C2 of a cast ballot": (
        f"{DEVICE}/eballot-id-2.json",
        lambda d: bump(d["contests"][0]["encrypted_contest_data"], "c2"),
        "as C0",
    ),
    "numBytes on a challenged ballot": (
        f"{DEVICE}/eballot-id-1.json",
        lambda d: d["contests"][0]["encrypted_contest_data"].update(numBytes=61),
        "an egk field, not the SPEC's: 14 opens the contest data with the copy beside the decryption",
    ),
    "ballot timestamp": (f"{DEVICE}/eballot-id-2.json", lambda d: d.update(timestamp=1), "not in the SPEC's ballot"),
    "ballot's encrypting_device": (
        f"{DEVICE}/eballot-id-2.json",
        lambda d: d.update(encrypting_device="other"),
        "a ballot's device is its directory, whose chain 7.D-7.G check",
    ),
    "ballot's election_id": (f"{DEVICE}/eballot-id-2.json", lambda d: bump(d, "election_id"), "egk-ec repeats H_E"),
    "ballot's encrypted_sn": (
        f"{DEVICE}/eballot-id-2.json",
        lambda d: d["encrypted_sn"].update(pad=times_g(d["encrypted_sn"]["pad"])),
        "an egk addition (an encrypted serial number) the SPEC does not define",
    ),
    "challenged ballot's decrypted contest data as JSON": (
        "challenged_ballots/dballot-id-1.json",
        lambda d: _contest_data(d)["contest_data"].update(status="over_vote"),
        "14 proves β and the MAC; the plaintext egk-ec writes beside them is not compared",
    ),
}


@pytest.mark.parametrize("name", UNCOVERED)
def test_uncovered_value_is_listed_with_its_reason(tmp_path, name):
    """These changes pass every check: each is listed here, with why no step covers it, never skipped."""
    filename, change, reason = UNCOVERED[name]
    assert reason
    root = copy_record(sample_path(), tmp_path / "record")
    edit(root, filename, change)
    assert failed_steps(record_tally(root)) == set()
    if filename.startswith(("encrypted_ballots/", "challenged_ballots/")):
        assert failed_steps(ballot_result(root, {"id-1", "id-2"}).tally) == set()
