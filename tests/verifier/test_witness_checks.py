"""Section W of evote-verify on exports: W.1 (the checkpoint relied on carries the witness quorum) and W.2 (the
trust anchors hold), each tampered exactly once, and the passing cases. Fixtures are built in-process with
the log library (Cosigner, TrustAnchors, add_signature_lines) on one tiny election shared by the module."""

from __future__ import annotations

import base64
import json
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from nacl.signing import SigningKey
from support.evote_support import run_cli
from support.evote_world import tiny_open_election

from bulletin_board.keys import load_board_key
from bulletin_board.log_format.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint
from bulletin_board.log_format.cosignature import Cosigner, add_signature_lines
from bulletin_board.log_format.note import NoteSigner, parse_note, sign_note
from bulletin_board.log_format.trust_anchors import TrustAnchors
from bulletin_board.log_format.witness_policy import WitnessPolicy
from voting.verifier import open_record
from voting.verifier.anchors import ClientTrust, read_trust
from voting.verifier.checks.witnesses import w1_checkpoint_cosigned, w2_trust_anchors
from voting.verifier.findings import Tally
from voting.verifier.model import RecordUnreadable
from voting.verifier.model_evote import SavedCheckpoint
from voting.verifier.worker import run_check

CHOICES = {"mayor": ["alice"], "council": ["dan"]}
NOW = int(time.time())
WITNESSES = tuple(Cosigner(f"witness-{n}.example", SigningKey(bytes([n]) * 32)) for n in (1, 2, 3))
STRANGER = Cosigner("witness-9.example", SigningKey(bytes([9]) * 32))
BOOTH = "ab" * 32


@dataclass(frozen=True)
class World:
    export: Path  # a tiny election's export, checkpoint without cosignatures
    signer: NoteSigner  # the board's key (tests sign checkpoints and anchors with it)
    origin: str
    anchors: TrustAnchors
    election: object
    app: object


def cosign(note: str, *cosigners: Cosigner, at: int = NOW - 5) -> str:
    body = parse_note(note).text
    return add_signature_lines(note, [c.cosign(body, at) for c in cosigners])


def keys(*cosigners: Cosigner) -> list[str]:
    return [c.key.to_string() for c in cosigners]


def policy(quorum: int = 2) -> WitnessPolicy:
    return WitnessPolicy(tuple(w.key for w in WITNESSES), quorum)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    directory = tmp_path_factory.mktemp("witnessed")
    election, app = tiny_open_election(directory, election_id="witnessed-election", voters=2)
    election.cast(election.credentials[0], CHOICES)
    export = election.export(app, directory / "export")
    signer = load_board_key(directory / "board.key", "board.test")
    origin = parse_checkpoint(parse_note((export / "checkpoint.txt").read_text()).text).origin
    created = election.entries()[0]["payload"]["guardians"]["trustees"]
    trustees = tuple((t["index"], t["identity_key"].lower()) for t in created)
    anchors = TrustAnchors(origin, (signer.verifier,), trustees, policy(), BOOTH)
    return World(export, signer, origin, anchors, election, app)


def copy_with(world: World, target: Path, *cosigners: Cosigner, at: int = NOW - 5) -> Path:
    record = Path(shutil.copytree(world.export, target))
    checkpoint = record / "checkpoint.txt"
    checkpoint.write_text(cosign(checkpoint.read_text(), *cosigners, at=at), encoding="utf-8", newline="")
    return record


def trust_of(quorum: int = 2, anchors: TrustAnchors | None = None, note: str | None = None,
             fingerprint: str | None = None) -> ClientTrust:
    source = "the trust anchors (test)" if anchors else "--witness"
    return ClientTrust(policy(quorum), source, anchors, note, "anchors.txt" if anchors else "", fingerprint, NOW)


def w_checks(path: Path, trust: ClientTrust, saved: str | None = None) -> Tally:
    record = open_record(path, trust=trust)
    if saved is not None:
        record.evote.saved = SavedCheckpoint(saved, "saved.txt", None)
    tally = Tally()
    for function in (w1_checkpoint_cosigned, w2_trust_anchors):
        run_check(function, (record,), tally, "witnesses")
    record.close()
    return tally


def w1(tally: Tally):
    count = tally.counts["W.1"]
    return count.failed, count.failures


# --- W.1: the checkpoint relied on carries the quorum --------------------------------------------------


def test_the_quorum_of_cosignatures_passes_and_names_who_and_when(tmp_path, world):
    record = copy_with(world, tmp_path / "r", *WITNESSES[:2])
    out = tmp_path / "report.json"
    result = run_cli(str(record), "--workers", "1", *sum((["--witness", k] for k in keys(*WITNESSES)), []),
                     "--witness-quorum", "2", "--json", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    sections = [v["verification"] for v in report["verifications"]]
    assert sections[:3] == ["B", "W", "L"]
    steps = {s["id"]: s for v in report["verifications"] for s in v["steps"]}
    assert steps["W.1"]["status"] == "passed" and steps["W.2"]["status"] == "not applicable"
    assert "witness policy: 2 of 3 witnesses" in result.output
    assert report["statistics"]["witness_policy"].startswith("2 of 3 witnesses")


def test_without_a_policy_the_checklist_is_unchanged(tmp_path, world):
    out = tmp_path / "report.json"
    result = run_cli(str(world.export), "--workers", "1", "--json", str(out))
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert "W" not in [v["verification"] for v in report["verifications"]]
    assert "witness_policy" not in report["statistics"]


def test_passing_evidence_names_the_cosigners_and_their_times(tmp_path, world):
    tally = w_checks(copy_with(world, tmp_path / "r", *WITNESSES), trust_of(2))
    assert tally.counts["W.1"].passed == 1 and not tally.counts["W.1"].failed


def test_a_dropped_cosignature_fails_naming_the_absent_witness(tmp_path, world):
    failed, failures = w1(w_checks(copy_with(world, tmp_path / "r", WITNESSES[0]), trust_of(2)))
    assert failed == 1
    assert "witness-2.example (absent" in failures[0].found and "witness-1.example at" in failures[0].found
    assert "split view" in failures[0].message


def test_a_flipped_cosignature_byte_is_a_bad_signature(tmp_path, world):
    record = copy_with(world, tmp_path / "r", *WITNESSES[:2])
    note = (record / "checkpoint.txt").read_text()
    line = next(x for x in note.splitlines() if x.startswith("— witness-2.example "))
    raw = bytearray(base64.b64decode(line.split(" ")[2]))
    raw[-1] ^= 1
    forged = f"— witness-2.example {base64.b64encode(bytes(raw)).decode()}"
    (record / "checkpoint.txt").write_text(note.replace(line, forged), encoding="utf-8", newline="")
    failed, failures = w1(w_checks(record, trust_of(2)))
    assert failed == 1 and "witness-2.example (bad signature" in failures[0].found


def test_a_cosignature_over_another_checkpoint_does_not_count(tmp_path, world):
    record = copy_with(world, tmp_path / "r", WITNESSES[0])
    note = (record / "checkpoint.txt").read_text()
    other = parse_checkpoint(parse_note(note).text)
    elsewhere = Checkpoint(other.origin, other.size + 1, bytes(32)).body()
    moved = add_signature_lines(note, [WITNESSES[1].cosign(elsewhere, NOW - 5)])
    (record / "checkpoint.txt").write_text(moved, encoding="utf-8", newline="")
    failed, failures = w1(w_checks(record, trust_of(2)))
    assert failed == 1 and "witness-2.example (bad signature" in failures[0].found


def test_an_unknown_witness_key_never_counts(tmp_path, world):
    impostor = Cosigner("witness-2.example", SigningKey(bytes([42]) * 32))  # a listed name, another key
    failed, failures = w1(w_checks(copy_with(world, tmp_path / "r", WITNESSES[0], impostor, STRANGER), trust_of(2)))
    assert failed == 1
    assert "witness-2.example (signed with a key the policy does not list" in failures[0].found
    assert "witness-9.example+" in failures[0].found and "outside the policy" in failures[0].found


def test_a_quorum_not_met_fails(tmp_path, world):
    failed, failures = w1(w_checks(copy_with(world, tmp_path / "r", *WITNESSES[:2]), trust_of(3)))
    assert failed == 1 and "2 of the 3 cosignatures required" in failures[0].found


def test_a_cosignature_dated_in_the_future_is_a_finding(tmp_path, world):
    record = copy_with(world, tmp_path / "r", *WITNESSES[:2], at=NOW + 3600)
    failed, failures = w1(w_checks(record, trust_of(2)))
    assert failed == 3  # each future cosignature, and then the quorum
    assert "dated in the future" in failures[0].message


def test_the_exports_checkpoints_file_supplies_the_cosignatures(tmp_path, world):
    record = Path(shutil.copytree(world.export, tmp_path / "r"))
    note = (record / "checkpoint.txt").read_text()
    cp = parse_checkpoint(parse_note(note).text)
    lines = [{"size": cp.size, "root": cp.root.hex(), "note": cosign(note, *WITNESSES)}]
    (record / "checkpoints.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    tally = w_checks(record, trust_of(3))
    assert tally.counts["W.1"].passed == 1 and not tally.counts["W.1"].failed
    (record / "checkpoints.jsonl").write_text("not json\n")
    assert "checkpoints.jsonl" in w1(w_checks(record, trust_of(3)))[1][0].message


def test_the_saved_checkpoint_of_since_needs_the_quorum_too(tmp_path, world):
    record = copy_with(world, tmp_path / "r", *WITNESSES[:2])
    plain = (world.export / "checkpoint.txt").read_text()
    failed, failures = w1(w_checks(record, trust_of(2), saved=plain))
    assert failed == 1 and failures[0].subject.startswith("saved checkpoint of size")
    tally = w_checks(record, trust_of(2), saved=cosign(plain, *WITNESSES[1:]))
    assert tally.counts["W.1"].passed == 2 and not tally.counts["W.1"].failed


# --- W.2: the trust anchors ----------------------------------------------------------------------------


def anchors_file(tmp_path: Path, world: World, anchors: TrustAnchors | None = None, signer: NoteSigner | None = None) -> Path:
    anchors = anchors or world.anchors
    path = tmp_path / "anchors.txt"
    path.write_text(sign_note(anchors.text(), signer or world.signer), encoding="utf-8", newline="")
    return path


def anchored(tmp_path, world, *, anchors=None, signer=None, fingerprint=None) -> Tally:
    path = anchors_file(tmp_path, world, anchors, signer)
    trust, _ = read_trust(anchors_file=path, anchors_fingerprint=fingerprint, now=NOW)
    return w_checks(copy_with(world, tmp_path / "r", *WITNESSES[:2]), trust)


def w2_failures(tally: Tally) -> list:
    return tally.counts["W.2"].failures


def test_anchors_that_hold_pass_and_report_the_booth(tmp_path, world):
    tally = anchored(tmp_path, world, fingerprint=world.anchors.fingerprint)
    count = tally.counts["W.2"]
    assert not count.failed and count.passed == 6  # fingerprint, signature, board key, origin, trustees, booth
    assert BOOTH in count.warnings[0].message and not tally.counts["W.1"].failed


def test_a_wrong_anchors_fingerprint_fails(tmp_path, world):
    failures = w2_failures(anchored(tmp_path, world, fingerprint="sha256:" + "00" * 32))
    assert len(failures) == 1 and "fingerprint" in failures[0].message and failures[0].found == world.anchors.fingerprint


def test_anchors_not_signed_by_the_board_key_fail(tmp_path, world):
    other = NoteSigner("board.test", SigningKey(bytes([7]) * 32))
    failures = w2_failures(anchored(tmp_path, world, signer=other))
    assert len(failures) == 1 and "not signed by the board key" in failures[0].message


def test_anchors_with_another_trustee_key_fail(tmp_path, world):
    changed = replace(world.anchors, trustees=((1, "cd" * 32),))
    failures = w2_failures(anchored(tmp_path, world, anchors=changed))
    assert len(failures) == 1 and failures[0].subject == "trustees" and "cd" * 32 in failures[0].expected


def test_anchors_of_another_origin_fail(tmp_path, world):
    changed = replace(world.anchors, origin="board.test/elections/another-election")
    failures = w2_failures(anchored(tmp_path, world, anchors=changed))
    assert len(failures) == 1 and failures[0].subject == "origin" and failures[0].found == world.origin


def test_anchors_naming_another_board_key_fail_w2_and_b3(tmp_path, world):
    other = NoteSigner("board.test", SigningKey(bytes([7]) * 32))
    changed = replace(world.anchors, board_keys=(other.verifier,))
    path = anchors_file(tmp_path, world, changed, other)
    result = run_cli(str(copy_with(world, tmp_path / "r", *WITNESSES[:2])), "--workers", "1", "--anchors", str(path),
                     "--json", str(tmp_path / "report.json"))
    assert result.exit_code == 1
    steps = {s["id"]: s for v in json.loads((tmp_path / "report.json").read_text())["verifications"] for s in v["steps"]}
    assert steps["W.2"]["status"] == "failed" and steps["B.3"]["status"] == "failed"
    assert "a key the anchors do not name" in json.dumps(steps["W.2"]["failures"])


def test_a_board_key_or_witness_contradicting_the_anchors_is_refused(tmp_path, world):
    path = anchors_file(tmp_path, world)
    other = NoteSigner("board.test", SigningKey(bytes([7]) * 32)).verifier.to_string()
    result = run_cli(str(world.export), "--anchors", str(path), "--board-key", other)
    assert result.exit_code == 2 and "contradicts the trust anchors" in result.output
    result = run_cli(str(world.export), "--anchors", str(path), "--witness", STRANGER.key.to_string())
    assert result.exit_code == 2 and "contradicts the trust anchors" in result.output
    result = run_cli(str(world.export), "--anchors", str(path), "--witness-quorum", "1")
    assert result.exit_code == 2 and "below the trust anchors' quorum" in result.output
    with pytest.raises(RecordUnreadable, match="needs --witness"):
        read_trust(quorum=1)


def test_the_anchors_policy_is_required_end_to_end(tmp_path, world):
    path = anchors_file(tmp_path, world)
    fingerprint = world.anchors.fingerprint
    result = run_cli(str(copy_with(world, tmp_path / "ok", *WITNESSES[1:])), "--workers", "1", "--anchors", str(path),
                     "--anchors-fingerprint", fingerprint)
    assert result.exit_code == 0, result.output
    assert "the trust anchors" in result.output
    result = run_cli(str(copy_with(world, tmp_path / "one", WITNESSES[2])), "--workers", "1", "--anchors", str(path))
    assert result.exit_code == 1 and "W.1" in result.output


def test_a_forged_record_signed_by_the_board_still_needs_witnesses(tmp_path, world):
    """The operator re-signs a checkpoint of the same size with another root: the board signature passes,
    no witness cosigned it."""
    record = Path(shutil.copytree(world.export, tmp_path / "r"))
    cp = parse_checkpoint(parse_note((record / "checkpoint.txt").read_text()).text)
    forged = sign_checkpoint(Checkpoint(cp.origin, cp.size, bytes(32)), world.signer).note
    (record / "checkpoint.txt").write_text(cosign(forged, STRANGER), encoding="utf-8", newline="")
    assert w1(w_checks(record, trust_of(1)))[0] == 1
