"""The egk sample record verifies, and a change to any value a verification covers fails that verification.

The sample is read where it lies (../shared) and mutated only in copies under tmp_path. One end-to-end run
(through the CLI) covers a different change in each of eight ballots, the aggregation and the report files;
changes that leave a ballot undecodable run the verifier's worker on that ballot; changes to the
parameters, keys and tallies run the record checks.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support.verifier_support import (
    DEVICE,
    NON_MEMBER,
    Q_HEX,
    ballot_result,
    copy_record,
    edit,
    failed_steps,
    failures,
    plus_one,
    record_tally,
    sample_path,
    times_g,
)

from voting.verifier.cli import main
from voting.verifier.findings import Status
from voting.verifier.readers.egk import open_egk
from voting.verifier.run import verify


@pytest.fixture(scope="module")
def sample_report():
    return verify(open_egk(sample_path()), workers=2)


def test_sample_verifies(sample_report):
    assert sample_report.passed
    status = {v.number: v.status for v in sample_report.verifications}
    assert all(status[n] is Status.PASSED for n in range(1, 11))
    assert status[11] is Status.NOT_APPLICABLE  # egk's tally decrypts no contest data
    assert status[13] is Status.NOT_APPLICABLE and status[14] is Status.NOT_APPLICABLE  # no challenged ballots
    steps = {s.id: s for v in sample_report.verifications for s in v.steps}
    for step in ("7.D", "7.E", "7.F", "7.G"):
        assert steps[step].status is Status.NOT_APPLICABLE
        assert steps[step].count.reasons == ["the record does not chain confirmation codes"]


def test_sample_every_selection_is_checked(sample_report):
    steps = {s.id: s for v in sample_report.verifications for s in v.steps}
    assert sample_report.statistics["ballots"] == 11 and sample_report.statistics["cast"] == 11
    assert steps["5.D"].count.passed == 1100  # 11 ballots × 20 contests × 5 options
    assert steps["6.D"].count.passed == 220
    assert steps["7.A"].count.passed == 220 and steps["7.B"].count.passed == 11
    assert steps["8.A"].count.passed == 100 and steps["9.B"].count.passed == 100
    assert steps["2.C"].count.passed == 9  # n = k = 3


# --- ballot values (Verifications 5-7) -------------------------------------------------------------


def _selection(doc, contest=0, selection=0):
    return doc["contests"][contest]["selections"][selection]


def _part(proof, n):
    return proof["proofs"][n]


def _bump(obj: dict, key: str):
    """Change obj[key] (a hex value) by one."""
    obj[key] = plus_one(obj[key])


BALLOT_MUTATIONS = {  # ballot id: (what changes, the change, the steps that must fail for that ballot and no other)
    "id-1": (
        "alpha replaced by another group element",
        lambda d: _selection(d)["encrypted_vote"].update(pad=times_g(_selection(d)["encrypted_vote"]["pad"])),
        {"5.D", "6.D", "7.A"},
    ),
    "id-2": (
        "selection proof challenge c_0",
        lambda d: _bump(_part(_selection(d)["proof"], 0), "challenge"),
        {"5.D"},
    ),
    "id-3": (
        "selection proof response v_1",
        lambda d: _bump(_part(_selection(d, 2, 3)["proof"], 1), "response"),
        {"5.D"},
    ),
    "id-4": (
        "contest limit proof response",
        lambda d: _bump(_part(d["contests"][3]["proof"], 0), "response"),
        {"6.D"},
    ),
    "id-5": (
        "contest limit proof challenge",
        lambda d: _bump(_part(d["contests"][3]["proof"], 1), "challenge"),
        {"6.D"},
    ),
    "id-6": ("contest hash", lambda d: _bump(d["contests"][5], "contest_hash"), {"7.A", "7.B"}),
    "id-7": ("confirmation code", lambda d: _bump(d, "confirmation_code"), {"7.B"}),
    "id-8": ("B_aux", lambda d: d.update(code_baux=d["code_baux"] + "00"), {"7.B"}),
}
LABEL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def mutated_sample(tmp_path_factory):
    """One end-to-end run (CLI, 2 workers) on a copy with a different change in each of ballots id-1..id-8,
    one changed encrypted tally entry, and a hostile contest label in the decrypted tally."""
    tmp = tmp_path_factory.mktemp("mutated")
    root = copy_record(sample_path(), tmp / "record")
    for ballot_id, (_, change, _) in BALLOT_MUTATIONS.items():
        edit(root, f"{DEVICE}/eballot-{ballot_id}.json", change)
    edit(
        root,
        "encrypted_tally.json",
        lambda d: _selection(d, 2, 0)["encrypted_vote"].update(pad=times_g(_selection(d, 2, 0)["encrypted_vote"]["pad"])),
    )
    edit(root, "tally.json", lambda d: d["contests"][19].update(contest_id=LABEL))
    json_file, html_file = tmp / "report.json", tmp / "report.html"
    result = CliRunner().invoke(main, [str(root), "--workers", "2", "--json", str(json_file), "--html", str(html_file)])
    report = json.loads(json_file.read_text())
    steps = {s["id"]: s for v in report["verifications"] for s in v["steps"]}
    return result, steps, html_file.read_text()


def _failed_for(steps: dict, subject: str) -> set[str]:
    return {
        step
        for step, data in steps.items()
        for f in data.get("failures", [])
        if f["subject"] == subject or f["subject"].startswith(subject + " ›")
    }


@pytest.mark.parametrize("ballot_id", BALLOT_MUTATIONS)
def test_ballot_mutation_fails_its_check(mutated_sample, ballot_id):
    _, steps, _ = mutated_sample
    assert _failed_for(steps, f"ballot {ballot_id}") == BALLOT_MUTATIONS[ballot_id][2]
    for step in BALLOT_MUTATIONS[ballot_id][2]:
        ours = [f for f in steps[step]["failures"] if f["subject"].startswith(f"ballot {ballot_id}")]
        assert all(f"eballot-{ballot_id}.json" in f["origin"] for f in ours)


def test_unchanged_ballots_pass(mutated_sample):
    _, steps, _ = mutated_sample
    for ballot_id in ("id-9", "id-10", "id-11"):
        assert _failed_for(steps, f"ballot {ballot_id}") == set()


def test_ballot_mutation_evidence_names_the_selection(mutated_sample):
    _, steps, _ = mutated_sample
    (finding,) = [f for f in steps["5.D"]["failures"] if f["subject"].startswith("ballot id-2")]
    assert finding["subject"] == "ballot id-2 › contest1 › selection1"
    assert finding["expected"] != finding["found"]
    (finding,) = [f for f in steps["5.D"]["failures"] if f["subject"].startswith("ballot id-3")]
    assert finding["subject"] == "ballot id-3 › contest3 › selection14"


def test_aggregation_and_tally_mutations_fail_their_checks(mutated_sample):
    result, steps, _ = mutated_sample
    assert result.exit_code == 1 and "NOT VERIFIED" in result.output
    failed = {k for k, s in steps.items() if s["status"] == "failed"}
    assert failed == {"5.D", "6.D", "7.A", "7.B", "8.A", "9", "9.B", "10.B", "10.E"}
    assert {f["subject"] for f in steps["8.A"]["failures"]} == {"tally › contest1 › selection1", "tally › contest3 › selection11"}
    assert steps["8.B"]["status"] == "passed"
    assert "tally › contest3 › selection11" in {f["subject"] for f in steps["9.B"]["failures"]}
    assert [f["found"] for f in steps["10.B"]["failures"]] == [LABEL]


def test_html_report_escapes_record_text(mutated_sample):
    _, _, html = mutated_sample
    assert LABEL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html and "http://" not in html and "https://" not in html


UNDECODABLE = {
    "beta not in the subgroup": (lambda d: _selection(d)["encrypted_vote"].update(data=NON_MEMBER), {"5.A", "6.A"}),
    "selection proof response v_0 = q": (lambda d: _part(_selection(d)["proof"], 0).update(response=Q_HEX), {"5.C"}),
}


@pytest.mark.parametrize("name", UNDECODABLE)
def test_undecodable_ballot_value_fails_its_check(tmp_path, name):
    change, expected = UNDECODABLE[name]
    root = copy_record(sample_path(), tmp_path / "record")
    edit(root, f"{DEVICE}/eballot-id-4.json", change)
    tally = ballot_result(root, {"id-4"}).tally
    # the ballot is not decoded further: its proofs and hashes are reported as not verified
    assert failed_steps(tally) == expected | {"5.D", "6.D", "7.A", "7.B"}
    assert all("not verified" in f.message for f in failures(tally, "5.D"))
    (finding, *_) = failures(tally, sorted(expected)[0])
    assert "eballot-id-4.json: contests[0].selections[0]" in finding.origin


# --- parameters, keys and tallies (Verifications 1-4, 9-10) -----------------------------------------


def _guardian_proof(d, guardian, coefficient):
    return d["guardians"][guardian]["coefficient_proofs"][coefficient]


RECORD_MUTATIONS = {
    "specification version": ("election_config.json", lambda d: d.update(config_version="v1.9"), {"1.A"}),
    "large prime": ("constants.json", lambda d: d.update(large_prime=plus_one(d["large_prime"])), {"1.B"}),
    "generator": ("constants.json", lambda d: d.update(generator=times_g(d["generator"])), {"1.E"}),
    "H_P": ("election_config.json", lambda d: d.update(parameter_base_hash=plus_one(d["parameter_base_hash"])), {"1.F"}),
    "H_M": ("election_config.json", lambda d: d.update(manifest_hash=plus_one(d["manifest_hash"])), {"1.G"}),
    "H_B": ("election_config.json", lambda d: d.update(election_base_hash=plus_one(d["election_base_hash"])), {"1.H"}),
    "commitment K_2,1": (
        "election_initialized.json",
        lambda d: _guardian_proof(d, 1, 1).update(public_key=times_g(_guardian_proof(d, 1, 1)["public_key"])),
        {"2.C"},
    ),
    "commitment K_3,0": (
        "election_initialized.json",
        lambda d: _guardian_proof(d, 2, 0).update(public_key=times_g(_guardian_proof(d, 2, 0)["public_key"])),
        {"2.C", "3.B"},
    ),
    "commitment not in the subgroup": (
        "election_initialized.json",
        lambda d: _guardian_proof(d, 0, 2).update(public_key=NON_MEMBER),
        {"2.A", "2.C"},
    ),
    "Schnorr challenge": (
        "election_initialized.json",
        lambda d: _guardian_proof(d, 0, 1).update(challenge=plus_one(_guardian_proof(d, 0, 1)["challenge"])),
        {"2.C"},
    ),
    "Schnorr response": (
        "election_initialized.json",
        lambda d: _guardian_proof(d, 2, 2).update(response=plus_one(_guardian_proof(d, 2, 2)["response"])),
        {"2.C"},
    ),
    "Schnorr response = q": (
        "election_initialized.json",
        lambda d: _guardian_proof(d, 2, 2).update(response=Q_HEX),
        {"2.B", "2.C"},
    ),
    "joint key K": (
        "election_initialized.json",
        lambda d: d.update(joint_public_key=times_g(d["joint_public_key"])),
        {"3.B", "4.A", "9.B", "10.A"},
    ),
    "H_E": (
        "election_initialized.json",
        lambda d: d.update(extended_base_hash=plus_one(d["extended_base_hash"])),
        {"4.A", "9.B"},
    ),
    "tally T": (
        "tally.json",
        lambda d: _selection(d, 4, 2).update(b_over_m=times_g(_selection(d, 4, 2)["b_over_m"])),
        {"9.B", "10.A"},
    ),
    "tally t": ("tally.json", lambda d: _selection(d, 4, 2).update(tally=_selection(d, 4, 2)["tally"] + 1), {"10.A"}),
    "decryption proof c": (
        "tally.json",
        lambda d: _selection(d, 6, 0)["proof"].update(challenge=plus_one(_selection(d, 6, 0)["proof"]["challenge"])),
        {"9.B"},
    ),
    "decryption proof v": (
        "tally.json",
        lambda d: _selection(d, 6, 0)["proof"].update(response=plus_one(_selection(d, 6, 0)["proof"]["response"])),
        {"9.B"},
    ),
    "decryption proof v = q": ("tally.json", lambda d: _selection(d, 6, 0)["proof"].update(response=Q_HEX), {"9.A", "9.B"}),
    "tally contest label": ("tally.json", lambda d: d["contests"][7].update(contest_id="contest-unknown"), {"9", "9.B", "10.B"}),
    "tally option label": (
        "tally.json",
        lambda d: _selection(d, 8, 1).update(selection_id="selection-unknown"),
        {"9", "9.B", "10.C", "10.D"},
    ),
}


@pytest.mark.parametrize("name", RECORD_MUTATIONS)
def test_record_mutation_fails_its_check(tmp_path, name):
    filename, change, expected = RECORD_MUTATIONS[name]
    root = copy_record(sample_path(), tmp_path / "record")
    edit(root, filename, change)
    upto = max(int(step.split(".")[0]) for step in expected)  # the tally's 100 proofs only when a tally step is expected
    assert failed_steps(record_tally(root, upto=max(upto, 4))) == expected


def test_unmodified_copy_passes_the_record_checks(tmp_path):
    assert failed_steps(record_tally(copy_record(sample_path(), tmp_path / "record"))) == set()


def test_report_failures_of_tally_label(tmp_path):
    root = copy_record(sample_path(), tmp_path / "record")
    edit(root, "tally.json", lambda d: d["contests"][7].update(contest_id="contest-unknown"))
    (finding,) = failures(record_tally(root), "10.B")
    assert finding.found == "contest-unknown" and finding.origin.startswith("tally.json")
