"""Rotating the board's key (bulletin_board/key_rotation.py, docs/board.md): every election's log gets a
``board.key_transition`` signed by both keys, the new key signs every later checkpoint, and the trust anchors
then name both keys, oldest first. tests/verifier/test_key_transition.py follows it from the verifier's side."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from support.board_world import BoardWorld, make_app

from bulletin_board.cli import main as evote_cli
from bulletin_board.keys import load_board_key
from bulletin_board.log_format.checkpoint import verify_checkpoint
from bulletin_board.log_format.errors import UnknownKey
from bulletin_board.log_format.key_transition import open_transition
from bulletin_board.log_format.trust_anchors import open_anchors


@pytest.fixture
def rotated(tmp_path):
    world = BoardWorld(make_app(tmp_path).test_client(), voters=2)
    old = world.client.get("/api/v1/board").get_json()["verifier_key"]
    result = CliRunner().invoke(evote_cli, ["board", "rotate-key", "--new-key-file", str(tmp_path / "new.key"),
                                            "--db", f"sqlite:///{tmp_path / 'board.sqlite3'}",
                                            "--key-file", str(tmp_path / "board.key"), "--origin", "board.test"])
    assert result.exit_code == 0, result.output
    world.client = make_app(tmp_path).test_client()  # the board started again, with the new key
    return world, old, result.output


def test_the_log_is_handed_over_and_later_checkpoints_are_signed_by_the_new_key(rotated, tmp_path):
    world, old, output = rotated
    new = world.client.get("/api/v1/board").get_json()["verifier_key"]
    assert new != old and "board.key_transition appended" in output and not (tmp_path / "new.key").exists()
    assert list(tmp_path.glob("board.key.retired-*")) and load_board_key(tmp_path / "board.key", "board.test").verifier.to_string() == new
    last = world.entries()[-1]
    assert last["kind"] == "board.key_transition"
    old_key = load_board_key(next(tmp_path.glob("board.key.retired-*")), "board.test").verifier
    transition = open_transition(last["payload"]["transition"], [old_key])
    assert transition.new.to_string() == new and transition.origin == f"board.test/elections/{world.election_id}"
    note = world.client.get(f"/api/v1/elections/{world.election_id}/checkpoint").get_json()["note"]
    verify_checkpoint(note, [transition.new])
    with pytest.raises(UnknownKey):
        verify_checkpoint(note, [old_key])


def test_anchors_after_a_rotation_name_both_keys_oldest_first(rotated):
    world, old, _ = rotated
    answer = world.admin_post(f"/api/v1/admin/elections/{world.election_id}/anchors", {"booth_sha256": "ab" * 32})
    assert answer.status_code == 201, answer.get_json()
    anchors, signers = open_anchors(answer.get_json()["anchors"])
    new = world.client.get("/api/v1/board").get_json()["verifier_key"]
    assert [k.to_string() for k in anchors.board_keys] == [old, new] and [s.to_string() for s in signers] == [new]


def test_nobody_posts_a_key_transition_over_http(rotated):
    world, _, _ = rotated
    size = world.size()
    transition = world.entries()[-1]["payload"]
    response = world.admin_post(f"/api/v1/admin/elections/{world.election_id}/entries",
                                {"kind": "board.key_transition", "payload": transition})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "unknown_kind"
    assert world.size() == size


def test_rotating_to_the_current_key_is_refused(tmp_path):
    BoardWorld(make_app(tmp_path).test_client(), voters=1)
    result = CliRunner().invoke(evote_cli, ["board", "rotate-key", "--new-key-file", str(tmp_path / "board.key"),
                                            "--db", f"sqlite:///{tmp_path / 'board.sqlite3'}",
                                            "--key-file", str(tmp_path / "board.key"), "--origin", "board.test"])
    assert result.exit_code == 2 and "current key" in result.output and "Traceback" not in result.output
