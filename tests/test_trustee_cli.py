"""`evote-trustee` as a trustee uses it: one step at a time against a served board, clear one-line errors."""

from __future__ import annotations

import json

import pytest
from support.board_world import MANIFEST
from support.processes import PASSPHRASE, env, evote, serve_board, trustee_run

from bulletin_board.election_follower import election_state
from bulletin_board.log_format.client import BoardClient

pytestmark = pytest.mark.slow


def test_step_by_step_key_ceremony_and_errors(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    dirs = [tmp_path / "t1", tmp_path / "t2"]
    for n, directory in enumerate(dirs, start=1):
        assert trustee_run("init", "--dir", str(directory), "--name", f"T{n}", "--kdf", "interactive", cwd=tmp_path).returncode == 0
    shown = trustee_run("show", "--dir", str(dirs[0]), cwd=tmp_path)
    assert shown.returncode == 0 and "identity_key:" in shown.stdout and PASSPHRASE not in shown.stdout
    roster = [json.loads((d / "public.json").read_text()) for d in dirs]
    (tmp_path / "trustees.json").write_text(json.dumps([{"name": r["name"], "identity_key": r["identity_key"]} for r in roster]))
    with serve_board(tmp_path) as server:
        board = server.url
        evote("election", "create", "manifest.json", "--id", "steps", "--trustees", "trustees.json", "--quorum", "2", "--board", board, cwd=tmp_path)
        common = ["--board", board, "--election", "steps"]

        too_early = trustee_run("send-shares", "--dir", str(dirs[0]), *common, cwd=tmp_path)
        assert too_early.returncode == 1 and "gave up waiting" in too_early.stderr and "Traceback" not in too_early.stderr
        for step in ("commit", "send-shares", "check-shares", "answer-complaints"):
            for directory in dirs:
                result = trustee_run(step, "--dir", str(directory), *common, cwd=tmp_path)
                assert result.returncode == 0, result.stderr
        again = trustee_run("commit", "--dir", str(dirs[0]), *common, cwd=tmp_path)
        assert again.returncode == 0 and "already done" in again.stderr
        evote("election", "keygen-result", "steps", "--board", board, cwd=tmp_path)
        for directory in dirs:
            assert trustee_run("confirm", "--dir", str(directory), *common, cwd=tmp_path).returncode == 0
        state, _ = election_state(BoardClient(board), "steps")
        assert state.phase == "ready" and state.confirmed == {1, 2}

        import subprocess
        import sys

        wrong = subprocess.run(
            [sys.executable, "-m", "trustee_tools.cli", "confirm", "--dir", str(dirs[0]), *common],
            cwd=tmp_path, env=env(EVOTE_TRUSTEE_PASSPHRASE="not the passphrase"), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert wrong.returncode == 1 and "wrong passphrase" in wrong.stderr and "Traceback" not in wrong.stderr
        # one directory serves many elections: another election id is looked up on the board, not refused
        elsewhere = trustee_run("keygen", "--dir", str(dirs[0]), "--board", board, "--election", "other", "--wait", "0", cwd=tmp_path)
        assert elsewhere.returncode == 1 and "Check the election id" in elsewhere.stderr and "Traceback" not in elsewhere.stderr
        assert json.loads((dirs[0] / "public.json").read_text())["elections"] == {"steps": 1}
