"""Incremental verification: a checkpoint saved by a passing run, more entries, then --since verifies only
what was appended, after the consistency proof; a board whose history does not extend the saved checkpoint
(a fork, a rollback, another key) is refused with the evidence: both checkpoints and the proof."""

from __future__ import annotations

import json
import shutil

import pytest
from nacl.signing import SigningKey
from support.evote_support import run_cli, serve_app
from support.evote_world import tiny_open_election

from bulletin_board.log_format.checkpoint import parse_checkpoint, sign_checkpoint
from bulletin_board.log_format.note import NoteSigner, parse_note

CHOICES = {"mayor": ["alice"], "council": ["dan"]}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """An open election with one ballot, exported and verified, its checkpoint saved; then two more ballots,
    the tally and its decryption, exported again."""
    directory = tmp_path_factory.mktemp("live")
    world, app = tiny_open_election(directory)
    world.cast(world.credentials[0], CHOICES)
    first = world.export(app, directory / "first")
    saved = directory / "saved-checkpoint.txt"
    result = run_cli(str(first), "--workers", "1", "--save-checkpoint", str(saved))
    assert result.exit_code == 0, result.output
    world.cast(world.credentials[1], {"mayor": ["bob"]})
    world.cast(world.credentials[2], CHOICES, action="challenge")
    world.cast(world.credentials[2], CHOICES)
    world.close_and_tally()
    world.decrypt(available={1})
    final = world.export(app, directory / "final")
    return {"world": world, "app": app, "first": first, "final": final, "saved": saved, "directory": directory}


def report_of(path):
    return json.loads(path.read_text())


def steps_of(report):
    return {s["id"]: s for v in report["verifications"] for s in v["steps"]}


def test_saved_checkpoint_is_the_verified_one(live):
    assert live["saved"].read_text() == (live["first"] / "checkpoint.txt").read_text()


def test_since_verifies_only_the_ballots_appended(tmp_path, live):
    out = tmp_path / "r.json"
    result = run_cli(str(live["final"]), "--workers", "1", "--since", str(live["saved"]), "--json", str(out))
    assert result.exit_code == 0, result.output
    report = report_of(out)
    stats, steps = report["statistics"], steps_of(report)
    first_size = parse_checkpoint(parse_note(live["saved"].read_text()).text).size
    assert stats["since"] == first_size and stats["verified_before"] == 1
    assert stats["ballots"] == 4 and stats["selections"] == 15  # three new ballots of 5 options each
    assert steps["B.5"]["status"] == "passed" and steps["5.D"]["passed"] == 15 and steps["E.5"]["passed"] == 3
    assert steps["8.A"]["status"] == "passed"  # aggregation over every counted ballot, old ones included
    assert steps["12.A"]["status"] == "passed"  # the sealed challenge decrypted after the checkpoint


def test_since_with_nothing_new_checks_no_ballot_again(tmp_path, live):
    saved = tmp_path / "final-checkpoint.txt"
    shutil.copy(live["final"] / "checkpoint.txt", saved)
    out = tmp_path / "r.json"
    result = run_cli(str(live["final"]), "--workers", "1", "--since", str(saved), "--json", str(out))
    assert result.exit_code == 0, result.output
    steps = steps_of(report_of(out))
    assert steps["5.D"]["status"] == "not applicable" and "verified before" in steps["5.D"]["not_applicable_because"][0]
    assert steps["B.5"]["status"] == "passed" and steps["L.9"]["status"] == "passed"


def _refused(result, *evidence):
    assert result.exit_code == 1, result.output
    assert "REFUSED (B.5)" in result.output and "Nothing else was verified" in result.output
    for text in evidence:
        assert text in result.output, text


def test_a_forked_board_is_refused_with_both_checkpoints_and_the_proof(tmp_path, live):
    """Another board with the same key, origin and election id, but another history."""
    fork = tmp_path / "fork"
    fork.mkdir()
    shutil.copy(live["directory"] / "board.key", fork / "board.key")
    world, app = tiny_open_election(fork)
    for n in range(3):
        world.cast(world.credentials[n], CHOICES)
    exported = world.export(app, fork / "record")
    saved = live["saved"].read_text()
    out, page = tmp_path / "refused.json", tmp_path / "refused.html"
    result = run_cli(str(exported), "--workers", "1", "--since", str(live["saved"]), "--json", str(out), "--html", str(page))
    current = (exported / "checkpoint.txt").read_text()
    _refused(result, saved.split("\n")[2], current.split("\n")[2], "are not those of the saved checkpoint", "root of the first")
    refusal = report_of(out)
    assert refusal["result"] == "refused" and refusal["refusal"]["check"] == "B.5"
    assert "Election verification refused" in page.read_text() and current.split("\n")[2] in page.read_text()
    with serve_app(app) as url:
        result = run_cli(f"{url}/{world.election_id}", "--workers", "1", "--since", str(live["saved"]))
    _refused(result, "are not those of the saved checkpoint")  # the verifier's own recomputation comes first


def test_a_rolled_back_log_is_refused(tmp_path, live):
    saved = tmp_path / "final-checkpoint.txt"
    shutil.copy(live["final"] / "checkpoint.txt", saved)
    result = run_cli(str(live["first"]), "--workers", "1", "--since", str(saved))
    _refused(result, "smaller")


def test_a_checkpoint_signed_by_another_key_is_refused(tmp_path, live):
    other = NoteSigner("board.test", SigningKey(bytes(range(32))))
    forged = sign_checkpoint(parse_checkpoint(parse_note(live["saved"].read_text()).text), other).note
    saved = tmp_path / "forged.txt"
    saved.write_text(forged)
    _refused(run_cli(str(live["final"]), "--workers", "1", "--since", str(saved)), "no signature by a known key")


def test_a_failing_record_saves_no_checkpoint(tmp_path, live):
    record = shutil.copytree(live["final"], tmp_path / "record")
    (record / "checkpoint.txt").write_text((live["first"] / "checkpoint.txt").read_text())  # B.2: wrong size
    saved = tmp_path / "saved.txt"
    result = run_cli(str(record), "--workers", "1", "--save-checkpoint", str(saved))
    assert result.exit_code == 1 and not saved.exists() and "checkpoint not saved" in result.output


def test_a_saved_checkpoint_with_a_non_ascii_size_is_refused_cleanly(tmp_path, live):
    """"²".isdigit() is true but int("²") raises: the size line of a --since file is read as ASCII digits only."""
    lines = live["saved"].read_text().split("\n")
    lines[1] = "²"
    saved = tmp_path / "superscript.txt"
    saved.write_text("\n".join(lines))
    result = run_cli(str(live["final"]), "--workers", "1", "--since", str(saved))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    _refused(result)
    assert "Traceback" not in result.output
