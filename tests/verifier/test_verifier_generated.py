"""Records written in egk's layout by tests/support/egk_writer.py: an absent guardian, chained confirmation
codes, challenged ballots and tally contest data — and what the verifier says when they are broken."""

from __future__ import annotations

import json
import shutil

import pytest
from support.egk_writer import MANIFEST
from support.verifier_support import (  # noqa: F401  (fixtures)
    absent_guardian_record,
    ballot_result,
    chained_record,
    copy_record,
    edit,
    failed_steps,
    failures,
    plus_one,
    record_tally,
    times_g,
)

from voting.ballot import make_ballot
from voting.confirmation import confirmation_code
from voting.context import ElectionContext
from voting.encrypt import encrypt_ballot
from voting.group import STANDARD, g_pow
from voting.verifier.checks.challenged import STEPS, v12_v13_v14_challenged_ballots
from voting.verifier.checks.common import BallotEnv, BallotSetting, election_context
from voting.verifier.conventions import SPEC
from voting.verifier.findings import Status
from voting.verifier.model import BallotRecord, BallotState, RevealedNonce
from voting.verifier.readers.egk import open_egk
from voting.verifier.run import verify

DEVICE = "encrypted_ballots/device1"


def _steps(report):
    return {s.id: s for v in report.verifications for s in v.steps}


def test_absent_guardian_record_verifies(absent_guardian_record):
    """n = 3, k = 2, decrypted by guardians 1 and 3 only: the joint proofs verify against K."""
    report = verify(open_egk(absent_guardian_record), workers=1)
    assert report.passed, failed_steps(report)
    steps = _steps(report)
    assert steps["2.C"].count.passed == 6  # 3 guardians × k = 2 coefficients
    assert steps["9.B"].count.passed == 5 and steps["10.A"].count.passed == 5
    for step in ("11.A", "11.B", "12.A", "12.B", "13.A", "13.B", "13.C", "13.D", "13.E", "13.F", "14.A", "14.B"):
        assert steps[step].status is Status.PASSED, step
    assert steps["12.B"].count.passed == 5 and steps["14.B"].count.passed == 2  # one challenged ballot, 2 contests
    assert report.statistics == {**report.statistics, "ballots": 4, "cast": 3, "challenged": 1}


def test_chained_record_verifies(chained_record):
    report = verify(open_egk(chained_record), workers=1)
    assert report.passed, failed_steps(report)
    steps = _steps(report)
    assert steps["7.E"].count.passed == 4  # every ballot's link, the challenged one included
    for step in ("7.D", "7.F", "7.G"):
        assert steps[step].count.passed == 1, step


CHAIN_BREAKS = {
    "ballots reordered in the chain": (
        f"{DEVICE}/ballot_chain.json",
        lambda d: d.update(ballot_ids=[d["ballot_ids"][1], d["ballot_ids"][0], *d["ballot_ids"][2:]]),
        {"7.E"},
    ),
    "closing hash": (f"{DEVICE}/ballot_chain.json", lambda d: d.update(closing_hash=plus_one(d["closing_hash"])), {"7.G"}),
    "chain not closed": (f"{DEVICE}/ballot_chain.json", lambda d: d.update(closing_hash=None), {"7.G"}),
    "last confirmation code": (
        f"{DEVICE}/ballot_chain.json",
        lambda d: d.update(last_confirmation_code=plus_one(d["last_confirmation_code"])),
        {"7.F"},
    ),
    "recorded H_0": (f"{DEVICE}/ballot_chain.json", lambda d: d.update(baux0=plus_one(d["baux0"])), {"7.D"}),
    "B_aux,0 in the configuration": ("election_config.json", lambda d: d.update(baux0=d["baux0"] + [33]), {"7.D", "7.E", "7.G"}),
}


@pytest.mark.parametrize("name", CHAIN_BREAKS)
def test_broken_chain_is_detected(tmp_path, chained_record, name):
    filename, change, expected = CHAIN_BREAKS[name]
    root = copy_record(chained_record, tmp_path / "record")
    edit(root, filename, change)
    report = verify(open_egk(root), workers=1)
    assert failed_steps(report) == expected


def test_ballot_removed_from_a_chain(tmp_path, chained_record):
    root = copy_record(chained_record, tmp_path / "record")
    (root / DEVICE / "eballot-b2.json").unlink()
    report = verify(open_egk(root), workers=1)
    assert {"7.E", "8", "8.A", "8.B"} <= failed_steps(report)
    (finding, *_) = [f for v in report.verifications for s in v.steps if s.id == "7.E" for f in s.count.failures]
    assert "b2" in (finding.found or "")


def test_chain_link_with_a_correct_code_but_wrong_aux_is_detected(tmp_path, chained_record):
    """A ballot whose B_aux does not continue the chain fails 7.E even when its own code is consistent."""
    root = copy_record(chained_record, tmp_path / "record")
    ctx = election_context(open_egk(root))
    doc = json.loads((root / DEVICE / "eballot-b3.json").read_text())
    aux = bytes(32) + b"device information"
    code = confirmation_code(ctx, [bytes.fromhex(c["contest_hash"]) for c in doc["contests"]], aux)
    doc.update(code_baux=aux.hex().upper(), confirmation_code=code.hex().upper())
    (root / DEVICE / "eballot-b3.json").write_text(json.dumps(doc))
    report = verify(open_egk(root), workers=1)
    assert failed_steps(report) == {"7.E"}  # b3 itself, and b4 whose predecessor's code changed
    assert len([f for v in report.verifications for s in v.steps if s.id == "7.E" for f in s.count.failures]) == 2


def test_spec_style_first_link_is_not_egk(tmp_path, chained_record):
    """egk starts the chain with B_aux,1 = H_0; the SPEC's H_0 ∥ B_aux,0 is not what egk records hold."""
    root = copy_record(chained_record, tmp_path / "record")
    edit(root, f"{DEVICE}/eballot-b1.json", lambda d: d.update(code_baux=d["code_baux"] + b"device information".hex().upper()))
    assert {"7.B", "7.E"} <= failed_steps(verify(open_egk(root), workers=1))


def test_duplicate_confirmation_code(tmp_path, absent_guardian_record):
    root = copy_record(absent_guardian_record, tmp_path / "record")
    shutil.copy(root / DEVICE / "eballot-b1.json", root / DEVICE / "eballot-b9.json")
    edit(root, f"{DEVICE}/eballot-b9.json", lambda d: d.update(ballot_id="b9"))
    report = verify(open_egk(root), workers=1)
    assert {"7.C", "8", "8.A", "8.B"} == failed_steps(report)  # b9 is cast, so also aggregated and unlisted
    (finding,) = [f for v in report.verifications for s in v.steps if s.id == "7.C" for f in s.count.failures]
    assert "b1" in finding.found and "b9" in finding.found


# --- challenged ballots -----------------------------------------------------------------------------

CHALLENGED = "challenged_ballots/dballot-b3.json"


def _sel(d, contest=0, selection=0):
    return d["contests"][contest]["selections"][selection]


CHALLENGE_MUTATIONS = {
    "S": (lambda d: _sel(d).update(b_over_m=times_g(_sel(d)["b_over_m"])), {"12.B", "13.A"}),
    "σ": (lambda d: _sel(d, 0, 1).update(tally=1), {"13.A", "13.C"}),
    "σ out of range": (lambda d: _sel(d, 1, 1).update(tally=2), {"13.A", "13.B"}),
    "proof v": (lambda d: _sel(d)["proof"].update(response=plus_one(_sel(d)["proof"]["response"])), {"12.B"}),
    "proof c": (lambda d: _sel(d, 1, 0)["proof"].update(challenge=plus_one(_sel(d, 1, 0)["proof"]["challenge"])), {"12.B"}),
    "copy of (α, β)": (lambda d: _sel(d)["encrypted_vote"].update(pad=times_g(_sel(d)["encrypted_vote"]["pad"])), {"12"}),
    "option label": (lambda d: _sel(d, 0, 2).update(selection_id="dave"), {"13.E", "13.F"}),
    "contest label": (lambda d: d["contests"][1].update(contest_id="senate"), {"12", "13.D"}),
    "contest data β": (
        lambda d: d["contests"][0]["decrypted_contest_data"].update(
            beta=times_g(d["contests"][0]["decrypted_contest_data"]["beta"])
        ),
        {"14", "14.B"},
    ),
    "contest data proof c": (
        lambda d: d["contests"][1]["decrypted_contest_data"]["proof"].update(
            challenge=plus_one(d["contests"][1]["decrypted_contest_data"]["proof"]["challenge"])
        ),
        {"14.B"},
    ),
    "contest data not decrypted": (lambda d: d["contests"][1].update(decrypted_contest_data=None), {"14"}),
    "another ballot's decryption": (lambda d: d.update(id="b1"), {"12", *STEPS}),
}


@pytest.mark.parametrize("name", CHALLENGE_MUTATIONS)
def test_challenged_ballot_mutation(tmp_path, absent_guardian_record, name):
    change, expected = CHALLENGE_MUTATIONS[name]
    root = copy_record(absent_guardian_record, tmp_path / "record")
    edit(root, CHALLENGED, change)
    if name == "another ballot's decryption":
        report = verify(open_egk(root), workers=1)  # now it decrypts b1, a cast ballot, and b3 has none
        assert failed_steps(report) == expected
        messages = [f.message for v in report.verifications for s in v.steps if s.id == "12" for f in s.count.failures]
        assert any("not challenged" in m for m in messages) and any("no decryption" in m for m in messages)
        return
    assert failed_steps(ballot_result(root, {"b3"}).tally) == expected


def test_missing_decryption_of_a_challenged_ballot(tmp_path, absent_guardian_record):
    root = copy_record(absent_guardian_record, tmp_path / "record")
    (root / CHALLENGED).unlink()
    (finding,) = failures(ballot_result(root, {"b3"}).tally, "12")
    assert finding.message == "the challenged ballot has no decryption in the record"


def test_tally_contest_data_mutation(tmp_path, absent_guardian_record):
    root = copy_record(absent_guardian_record, tmp_path / "record")
    edit(
        root,
        "tally.json",
        lambda d: d["contests"][0]["decrypted_contest_data"]["proof"].update(
            response=plus_one(d["contests"][0]["decrypted_contest_data"]["proof"]["response"])
        ),
    )
    assert failed_steps(record_tally(root)) == {"11.B"}


def test_challenged_ballot_opened_with_its_nonce():
    """The model's other way to open a challenged ballot (SPEC §3.6.5): the nonce ξ_B and the choices."""
    context = ElectionContext(g_pow(STANDARD.random_scalar()), bytes(range(32)))
    choices = {"mayor": ["bob"], "council": ["dan"]}
    result = encrypt_ballot(context, make_ballot(MANIFEST, "all", choices))
    env = BallotEnv(BallotSetting(int(context.K.value), context.H_E, MANIFEST, SPEC, None))

    def findings(reveal_choices):
        record = BallotRecord(
            "c1",
            "board",
            BallotState.CHALLENGED,
            "all",
            result.ballot,
            members_checked=True,
            decryption=RevealedNonce(result.ballot_nonce, reveal_choices, "board: reveal"),
        )
        return list(v12_v13_v14_challenged_ballots(record, env))

    honest = findings(choices)
    assert {f.check for f in honest if f.status is Status.FAILED} == set()
    assert {f.check for f in honest if f.status is Status.PASSED} >= {"13.A", "13.B", "13.F", "14"}
    assert {f.check for f in honest if f.status is Status.NOT_APPLICABLE} == {"12.A", "12.B", "14.A", "14.B"}
    lying = findings({"mayor": ["alice"], "council": ["dan"]})
    assert [f.check for f in lying if f.status is Status.FAILED] == ["13.A"]


def test_two_decryptions_of_one_ballot(tmp_path, absent_guardian_record):
    root = copy_record(absent_guardian_record, tmp_path / "record")
    shutil.copy(root / CHALLENGED, root / "challenged_ballots" / "dballot-b3-again.json")
    report = verify(open_egk(root), workers=1)
    assert failed_steps(report) == {"12"}
    (finding,) = [f for v in report.verifications for s in v.steps if s.id == "12" for f in s.count.failures]
    assert finding.message == "the record has 2 decryptions of this ballot"
