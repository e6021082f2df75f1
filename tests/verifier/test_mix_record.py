"""evote-verify checks the mix (issue 20 item 5; record-format §12; docs/verification-checks.md section M).

One ranked election is run through a board application (n = 3, k = 2; an IRV and a Schulze contest beside a
plain one; trustees 1 and 2 mix each contest, decrypt and publish the result) and exported once. Each forgery
below changes exactly one thing and is published as a dishonest operator would: the entries re-chained and the
checkpoint re-signed with the board's key, a forged mix signed with its mix server's own identity key (the
server is the forger). The named check must fail, naming the mix server by index and name, the contest and
the position.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from support.board_world import make_app
from support.evote_tools import edited, nth, read_entries
from support.evote_world import EvoteWorld
from support.forged_mixes import FORGED_MIXES, honest_remix
from test_trustee_mix import BALLOTS, MANIFEST, downloaded, mix_by

from trustee_tools import mixing as trustee_mixing
from voting.mixnet.shuffle import shuffle
from voting.record import admin, mixing
from voting.record.counting import count, header_of
from voting.record.messages import sign_message
from voting.record.submission import parse_submission
from voting.verifier import open_record
from voting.verifier.findings import Status
from voting.verifier.run import verify

MIXED_STEPS = ("M.1", "M.2", "M.3", "M.4", "M.5")


def ranked_election(directory):
    """The tallied ranked election of the module docstring, exported: (record path, board key file, world)."""
    app = make_app(directory)
    world = EvoteWorld(app.test_client(), election_id="ranked-verify", n=3, k=2, voters=len(BALLOTS), manifest=MANIFEST)
    world.keygen()
    world.open()
    for credential, choices in zip(world.credentials, BALLOTS):
        world.cast(credential, choices)
    world.admin_entry("election.closed", {})
    for label, honest in trustee_mixing.recomputed_inputs(world.state(), downloaded(world)).items():
        world.admin_entry("mix.input", mixing.mix_input_payload(label, honest.ballots, honest.rows))
    for trustee in world.trustees[:2]:
        for label in ("mayor", "park"):
            mix_by(world, trustee, label)
    ballots = [e for e in world.entries() if e["kind"].startswith("ballot.")]
    counting = count([header_of(e["seq"], e["kind"], e["payload"]) for e in ballots], "last")
    parsed = {e["seq"]: parse_submission(e["payload"], world.definition.manifest) for e in ballots}
    world.admin_entry("tally.encrypted", admin.encrypted_tally(world.state(), counting, iter(sorted(parsed.items())), []))
    world.decrypt(available={1, 2})
    path = world.export(app, directory / "record")
    return SimpleNamespace(path=path, key_file=directory / "board.key", world=world)


@pytest.fixture(scope="module")
def ranked(tmp_path_factory):
    return ranked_election(tmp_path_factory.mktemp("ranked-record"))


def verified(path):
    return verify(open_record(path), workers=1)


def failures(report, check: str) -> list:
    return [f for v in report.verifications for s in v.steps if s.id == check for f in s.count.failures]


def failed_steps(report) -> set[str]:
    return {s.id for v in report.verifications for s in v.steps if s.status is Status.FAILED}


def test_a_record_with_an_irv_and_a_schulze_contest_passes(ranked):
    report = verified(ranked.path)
    assert report.passed, failed_steps(report)
    steps = {s.id: s for v in report.verifications for s in v.steps}
    assert all(steps[m].status is Status.PASSED for m in MIXED_STEPS + ("L.11",))
    assert steps["M.2"].count.passed == 4  # two contests, two mixes each
    assert json.loads(json.dumps(report.to_json()))["result"] == "passed"


# --- forged mixes: the mix server re-mixes the first output itself and publishes a forged output -----------


def _forge_mix(ranked, entries, label: str, position: int, tamper) -> None:
    """Replace the ``position``-th mix of ``label`` by one its server makes from the previous output: shuffled
    honestly, then ``tamper(inputs, outputs, witness, context)`` returns (outputs, proof) to publish."""
    world = ranked.world
    context, manifest = world.state().context, world.definition.manifest
    mixes = [e for e in entries if e["kind"] == "mix.shuffled" and e["payload"]["body"]["contest"] == label]
    if position == 1:
        source = next(e for e in entries if e["kind"] == "mix.input" and e["payload"]["contest"] == label)
        inputs = mixing.parse_mix_input(source["payload"], manifest).rows
    else:
        inputs = mixing.parse_mix_shuffled(mixes[position - 2]["payload"]["body"], manifest, world.definition.n).rows
    target = mixes[position - 1]
    guardian = target["payload"]["signer"]
    outputs, witness = shuffle(inputs, context)
    outputs, proof = tamper(list(inputs), list(outputs), witness, context)
    body = mixing.mix_shuffled_body(guardian, label, position, mixing.rows_digest(inputs), outputs, proof)
    trustee = world.trustees[guardian - 1]
    target["payload"] = sign_message(trustee.identity, world.election_id, "mix.shuffled", guardian, body)


@pytest.mark.parametrize("what,tamper", FORGED_MIXES, ids=[f[0] for f in FORGED_MIXES])
def test_a_forged_mix_fails_m2_naming_its_server(ranked, tmp_path, what, tamper):
    forged = edited(ranked.path, tmp_path / "forged", lambda e: _forge_mix(ranked, e, "mayor", 2, tamper), key_file=ranked.key_file)
    report = verified(forged)
    server = ranked.world.trustees[1]
    named = [f for f in failures(report, "M.2") if f"mix 2 by mix server 2 ({server.name})" in f.subject]
    assert named and "contest 'mayor'" in named[0].subject, failures(report, "M.2")
    assert "L.11" in failed_steps(report)  # the replay refuses it too, as the board would have
    assert not report.passed


def test_the_honest_remix_of_the_same_server_passes_the_proof(ranked, tmp_path):
    """The forgeries' harness itself: an honest re-mix with its proof passes M.2 (only the decryption then fails)."""
    forged = edited(ranked.path, tmp_path / "remixed", lambda e: _forge_mix(ranked, e, "mayor", 2, honest_remix), key_file=ranked.key_file)
    report = verified(forged)
    assert "M.2" not in failed_steps(report) and "M.4" in failed_steps(report)


# --- the input, the decrypted rows and the count ----------------------------------------------------------------


def _leave_out_a_ballot(entries):
    payload = next(e for e in entries if e["kind"] == "mix.input" and e["payload"]["contest"] == "park")["payload"]
    payload["ballots"], payload["rows"] = payload["ballots"][1:], payload["rows"][1:]


def test_a_mix_input_that_leaves_out_a_counted_ballot_fails_m1(ranked, tmp_path):
    victim = nth(read_entries(ranked.path), "mix.input", 1)["payload"]["ballots"][0]
    report = verified(edited(ranked.path, tmp_path / "short", _leave_out_a_ballot, key_file=ranked.key_file))
    found = failures(report, "M.1")
    assert found and "contest 'park'" in found[0].subject and f"missing here: [{victim}]" in found[0].expected
    assert "L.11" in failed_steps(report)


def _change_a_decrypted_cell(entries):
    cell = nth(entries, "tally.result")["payload"]["mixed"][0]["rows"][0][0]
    cell["value"] = 1 - cell["value"] if cell["value"] <= 1 else 0


def test_a_changed_decrypted_cell_fails_m4(ranked, tmp_path):
    report = verified(edited(ranked.path, tmp_path / "cell", _change_a_decrypted_cell, key_file=ranked.key_file))
    found = failures(report, "M.4")
    assert found and "contest 'mayor' › decrypted rows › row 0" in found[0].subject
    assert {"M.4", "L.9"} <= failed_steps(report)


def _change_the_count(entries):
    option = nth(entries, "tally.result")["payload"]["contests"][0]["options"][0]
    option["t"] += 1


def test_a_changed_count_fails_m5(ranked, tmp_path):
    report = verified(edited(ranked.path, tmp_path / "count", _change_the_count, key_file=ranked.key_file))
    found = failures(report, "M.5")
    assert found and "contest 'mayor'" in found[0].subject and "add up" in found[0].message


def test_the_verified_result_reports_each_count_with_its_rounds(ranked):
    from voting.verifier.html import render_html
    from voting.verifier.result import result_lines, verified_result

    record = open_record(ranked.path)
    report = verify(record, workers=1)
    report.verified_result = verified_result(record, report)
    mayor = next(c for c in report.verified_result["contests"] if c["contest"] == "mayor")
    assert mayor["counting"]["method"] == "irv" and len(mayor["winners"]) == 1
    assert mayor["counting"]["rounds"] and len(mayor["counting"]["seed"]) == 64
    park = next(c for c in report.verified_result["contests"] if c["contest"] == "park")
    assert park["counting"]["method"] == "schulze" and park["counting"]["pairwise"]
    lines = "\n".join(result_lines(report.verified_result))
    assert "method irv: elected" in lines and "round 1:" in lines and "method schulze: elected" in lines
    page = render_html(report)
    assert "round 1:" in page and "counted from the mixed rows" in page
    assert json.loads(json.dumps(report.to_json()))["verified_result"]["contests"][0]["counting"]["rounds"]
