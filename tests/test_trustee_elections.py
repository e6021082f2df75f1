"""One trustee, many elections: one state directory and one identity key serve two elections through their key
ceremonies; a directory written by the single-election release is migrated on first use, atomically."""

from __future__ import annotations

import base64
import json
import os

import nacl.secret
import pytest
from click.testing import CliRunner
from support.board_world import ADMIN_TOKEN, MANIFEST, make_app
from support.evote_support import serve_app

from bulletin_board import admin_ops as ops
from bulletin_board.election_follower import election_state
from bulletin_board.log_format.client import BoardClient
from trustee_tools.cli import main
from trustee_tools.state import TrusteeState
from trustee_tools.vault import Vault, VaultError

PASSPHRASE = "trustee passphrase for tests"
STEPS = ("commit", "send-shares", "check-shares", "answer-complaints")


def trustee(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, list(args), env={"EVOTE_TRUSTEE_PASSPHRASE": PASSPHRASE}, catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def init(directory) -> dict:
    trustee("init", "--dir", str(directory), "--name", directory.name, "--kdf", "interactive")
    return json.loads((directory / "public.json").read_text())


def ceremony(board: str, election_id: str, dirs: list) -> None:
    """The key ceremony of one election, step by step, each trustee from its own directory."""
    for step in STEPS:
        for directory in dirs:
            trustee(step, "--dir", str(directory), "--board", board, "--election", election_id)
    ops.keygen_result(BoardClient(board, admin_token=ADMIN_TOKEN), election_id)
    for directory in dirs:
        trustee("confirm", "--dir", str(directory), "--board", board, "--election", election_id)
    assert election_state(BoardClient(board), election_id)[0].phase == "ready"


def test_one_directory_serves_two_elections(tmp_path):
    ada, bob, cy = (init(tmp_path / name) for name in ("ada", "bob", "cy"))
    app = make_app(tmp_path)
    with serve_app(app) as board:
        admin = BoardClient(board, admin_token=ADMIN_TOKEN)
        roster = lambda *people: [{"name": p["name"], "identity_key": p["identity_key"]} for p in people]  # noqa: E731
        ops.create_election(admin, "north", MANIFEST, roster(ada, bob), 2)
        ops.create_election(admin, "south", MANIFEST, roster(cy, ada), 2)  # Ada is trustee 2 here
        # before Ada has joined either: --election is required (nothing to choose from)
        assert "give --election ID" in trustee("commit", "--dir", str(tmp_path / "ada"), "--board", board, ok=False)
        ceremony(board, "north", [tmp_path / "ada", tmp_path / "bob"])
        # one election served: --election may be left out
        assert "already done" in trustee("commit", "--dir", str(tmp_path / "ada"), "--board", board)
        ceremony(board, "south", [tmp_path / "cy", tmp_path / "ada"])
        refused = trustee("commit", "--dir", str(tmp_path / "ada"), "--board", board, ok=False)
        assert "serves 2 elections (north, south)" in refused
    shown = trustee("show", "--dir", str(tmp_path / "ada"))
    assert "north: trustee 1" in shown and "south: trustee 2" in shown
    vault = Vault(tmp_path / "ada")
    identity = vault.open(PASSPHRASE)
    north, south = vault.load("north"), vault.load("south")
    assert (north.guardian, south.guardian) == (1, 2) and north.coefficients != south.coefficients
    assert north.identity_public_key == south.identity_public_key == identity.identity_public_key == ada["identity_key"]
    assert sorted(p.name for p in (tmp_path / "ada" / "elections").glob("*.vault")) == ["north.vault", "south.vault"]


def write_old_directory(directory, state: TrusteeState, passphrase: str) -> None:
    """A state directory as the single-election release wrote it: the whole state in trustee.vault."""
    vault = Vault(directory)
    vault.create(passphrase, state, kdf="interactive")  # the same KDF header and key as the old release
    box: nacl.secret.SecretBox = vault._box  # noqa: SLF001 - the old format, written as the old release did
    document = json.loads(vault.path.read_text())
    document["ciphertext"] = base64.b64encode(bytes(box.encrypt(json.dumps(state.to_json(), sort_keys=True).encode()))).decode()
    vault.path.write_text(json.dumps(document))
    public = {"name": state.name, "identity_key": state.identity_public_key, "election_id": state.election_id, "guardian": state.guardian}
    (directory / "public.json").write_text(json.dumps(public))


def test_an_old_single_election_directory_is_migrated_atomically(tmp_path, monkeypatch):
    old = TrusteeState.new("Old")
    old.election_id, old.guardian, old.coefficients, old.posted = "town-2025", 3, ["AB" * 32, "CD" * 32], ["keygen.commitments"]
    write_old_directory(tmp_path / "old", old, PASSPHRASE)
    assert Vault(tmp_path / "old").elections() == ["town-2025"]  # known before the passphrase is given
    assert "town-2025: trustee 3" in trustee("show", "--dir", str(tmp_path / "old"))

    # a migration killed between its two writes: the old file is intact and the next open migrates again
    def crash(self):
        raise OSError("killed")

    with monkeypatch.context() as patch:
        patch.setattr(Vault, "_write_identity", crash)
        with pytest.raises(OSError):
            Vault(tmp_path / "old").open(PASSPHRASE)
    assert (tmp_path / "old" / "elections" / "town-2025.vault").exists()
    vault = Vault(tmp_path / "old")
    identity = vault.open(PASSPHRASE)
    assert identity.identity_seed == old.identity_seed and vault.load("town-2025") == old
    plaintext = json.loads(vault._box.decrypt(base64.b64decode(json.loads(vault.path.read_text())["ciphertext"])))  # noqa: SLF001
    assert set(plaintext) == {"version", "name", "identity_seed"} and plaintext["version"] == 2
    for path in (vault.path, tmp_path / "old" / "elections" / "town-2025.vault"):
        assert path.stat().st_mode & 0o077 == 0
    assert json.loads((tmp_path / "old" / "public.json").read_text())["elections"] == {"town-2025": 3}
    again = Vault(tmp_path / "old")
    again.open(PASSPHRASE)  # already migrated: nothing changes
    assert again.load("town-2025") == old and again.elections() == ["town-2025"]
    with pytest.raises(VaultError, match="wrong passphrase"):
        Vault(tmp_path / "old").open("not the passphrase")


def test_a_passphrase_file_others_can_read_is_refused(tmp_path):
    secret = tmp_path / "passphrase"
    secret.write_text(PASSPHRASE + "\n")
    os.chmod(secret, 0o644)
    args = ["init", "--dir", str(tmp_path / "t"), "--name", "T", "--kdf", "interactive", "--passphrase-file", str(secret)]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1 and "can be read by other users (mode 0644)" in refused.output and f"chmod 600 {secret}" in refused.output
    assert not (tmp_path / "t").exists()
    os.chmod(secret, 0o600)
    assert CliRunner().invoke(main, args).exit_code == 0
    assert "--passphrase-file" in (help_text := CliRunner().invoke(main, ["init", "--help"]).output) and "chmod 600" in help_text
