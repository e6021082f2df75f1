"""Following a board-key rotation (record-format §10, docs/board.md "Rotating the board's key"): an observer
who trusts the old key accepts the record signed by the new one only through a board.key_transition signed
by both; a transition the trusted key did not sign hands nothing over (check B.3)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from nacl.signing import SigningKey
from support.board_world import BoardWorld, make_app

from bulletin_board.cli import main as evote_cli
from bulletin_board.keys import load_board_key
from bulletin_board.log_format.export import export_from_log
from bulletin_board.log_format.key_transition import KeyTransition
from bulletin_board.log_format.note import NoteSigner
from voting.verifier import open_record
from voting.verifier.checks.board import b3_checkpoint_signature
from voting.verifier.findings import Status
from voting.verifier.model import CannotRun


def _rotate(tmp_path):
    CliRunner().invoke(evote_cli, ["board", "rotate-key", "--new-key-file", str(tmp_path / "new.key"), "--db",
                                   f"sqlite:///{tmp_path / 'board.sqlite3'}", "--key-file", str(tmp_path / "board.key"),
                                   "--origin", "board.test"], catch_exceptions=False)


@pytest.fixture
def rotated(tmp_path):
    world = BoardWorld(make_app(tmp_path).test_client(), voters=1)
    old = load_board_key(tmp_path / "board.key", "board.test")
    _rotate(tmp_path)
    app = make_app(tmp_path)
    world.client = app.test_client()
    world.keygen()  # entries after the rotation, under the new key
    return world, app, old


def _b3(record_dir, board_key):
    record = open_record(record_dir, board_key=board_key)
    try:
        return list(b3_checkpoint_signature(record))
    finally:
        record.close()


def test_the_old_key_accepts_the_record_through_the_transition(rotated, tmp_path):
    world, app, old = rotated
    out = export_from_log(app.extensions["evote_board"].log, world.election_id, tmp_path / "record")
    findings = _b3(out, old.verifier.to_string())
    assert [f.status for f in findings] == [Status.PASSED] and "handed over" in findings[0].message


def test_a_transition_not_signed_by_the_trusted_key_hands_nothing_over(rotated, tmp_path):
    world, app, old = rotated
    out = export_from_log(app.extensions["evote_board"].log, world.election_id, tmp_path / "record")
    impostor = NoteSigner("board.test", SigningKey.generate())
    new = load_board_key(tmp_path / "board.key", "board.test")
    forged = KeyTransition(f"board.test/elections/{world.election_id}", impostor.verifier, new.verifier).sign(impostor, new)
    lines = []
    for line in (out / "entries.jsonl").read_text().splitlines():
        entry = json.loads(line)
        if entry["kind"] == "board.key_transition":  # the hand-over, as if from a key the observer does not trust
            entry["payload"] = {"transition": forged}
        lines.append(json.dumps(entry, separators=(",", ":"), sort_keys=True))
    (out / "entries.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(CannotRun, match="no board.key_transition in the record hands"):
        _b3(out, old.verifier.to_string())
