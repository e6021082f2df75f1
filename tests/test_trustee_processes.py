"""A 3-of-5 election run by five separate `evote-trustee` processes and the `evote` admin commands against a
board served over HTTP; the tally decrypted by trustees {1, 3, 5} and, on a copy of the board, by {2, 3, 4}."""

from __future__ import annotations

import json
import shutil
import signal
import time

import pytest
from support.board_world import MANIFEST
from support.processes import cast_over_http, evote, finish, serve_board, trustee, trustee_run

from bulletin_board.election_follower import election_state
from bulletin_board.log_format.client import BoardClient

pytestmark = pytest.mark.slow
ELECTION = "five-trustees"


def wait_until(predicate, timeout=120, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


def test_three_of_five_over_http_with_a_killed_trustee(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    dirs = [tmp_path / f"trustee{i}" for i in range(1, 6)]
    for i, directory in enumerate(dirs, start=1):
        result = trustee_run("init", "--dir", str(directory), "--name", f"Trustee {i}", "--kdf", "interactive", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    roster = [json.loads((d / "public.json").read_text()) for d in dirs]
    (tmp_path / "trustees.json").write_text(json.dumps([{"name": r["name"], "identity_key": r["identity_key"]} for r in roster]))

    with serve_board(tmp_path) as server:
        board = server.url
        evote("election", "create", "manifest.json", "--id", ELECTION, "--trustees", "trustees.json", "--quorum", "3", "--board", board, cwd=tmp_path)
        client = BoardClient(board)
        keygen_args = ["keygen", "--board", board, "--election", ELECTION, "--poll", "0.3", "--wait", "300"]
        # trustee 1 is killed with SIGKILL right after it published its commitments, then started again
        first = trustee(*keygen_args, "--dir", str(dirs[0]), cwd=tmp_path)
        wait_until(lambda: 1 in election_state(client, ELECTION)[0].commitments, what="trustee 1's commitments")
        first.send_signal(signal.SIGKILL)
        first.wait()
        processes = [trustee(*keygen_args, "--dir", str(d), cwd=tmp_path) for d in dirs]
        wait_until(lambda: len(election_state(client, ELECTION)[0].checked) == 5, timeout=300, what="all share checks")
        evote("election", "keygen-result", ELECTION, "--board", board, cwd=tmp_path)
        for process in processes:
            assert "key ceremony complete" in finish(process)

        evote("credentials", "generate", "--election", ELECTION, "--manifest", "manifest.json", "--count", "4", "--style", "all", "--out", "creds", cwd=tmp_path)
        evote("election", "credentials", ELECTION, "creds/credentials-public.json", "--board", board, cwd=tmp_path)
        evote("election", "open", ELECTION, "--board", board, cwd=tmp_path)
        credentials = [line.split(",")[1].strip() for line in (tmp_path / "creds" / "credentials-private.csv").read_text().splitlines()[1:]]
        cast_over_http(board, ELECTION, credentials[0], {"mayor": ["alice"], "council": ["dan"]})
        cast_over_http(board, ELECTION, credentials[1], {"mayor": ["bob"], "council": ["dan", "eve"]})
        cast_over_http(board, ELECTION, credentials[2], {"mayor": ["bob"]})
        cast_over_http(board, ELECTION, credentials[3], {"mayor": ["alice"]}, action="challenge")
        evote("election", "close", ELECTION, "--board", board, cwd=tmp_path)
        evote("election", "tally", ELECTION, "--board", board, cwd=tmp_path)
        status = evote("election", "status", ELECTION, "--board", board, cwd=tmp_path).stdout
        assert "phase tallying" in status
    # A copy of the board and of the trustees' state directories as they are before any decryption: the
    # second subset decrypts the same tally independently. (A trustee refuses to answer two different
    # challenges from one state directory — that would reveal its key share — so each run has its own.)
    for suffix in ("", "-wal", "-shm"):  # the database in WAL mode: copy the log beside it too
        if (tmp_path / f"board.sqlite3{suffix}").exists():
            shutil.copy(tmp_path / f"board.sqlite3{suffix}", tmp_path / f"copy.sqlite3{suffix}")
    copies = []
    for directory in dirs:
        copies.append(directory.with_name(directory.name + "-copy"))
        shutil.copytree(directory, copies[-1])

    results = []
    for database, subset, state_dirs in ((tmp_path / "board.sqlite3", (1, 3, 5), dirs), (tmp_path / "copy.sqlite3", (2, 3, 4), copies)):
        with serve_board(tmp_path, database) as server:
            board = server.url
            # only k - 1 trustees: a clear refusal that says who is missing
            if subset == (1, 3, 5):
                lone = [trustee("decrypt", "--dir", str(dirs[i - 1]), "--board", board, "--election", ELECTION, "--poll", "0.3", "--wait", "20", cwd=tmp_path) for i in (1, 3)]
                refusal = evote("election", "decrypt", ELECTION, "--board", board, "--wait", "8", cwd=tmp_path, check=False)
                assert refusal.returncode == 1 and "waiting for trustee(s) [2, 4, 5]" in refusal.stderr and "k = 3" in refusal.stderr
                for process in lone:
                    process.terminate()
                    process.wait()
            decryptors = [
                trustee("decrypt", "--dir", str(state_dirs[i - 1]), "--board", board, "--election", ELECTION, "--poll", "0.3", "--wait", "300", cwd=tmp_path)
                for i in subset
            ]
            output = evote("election", "decrypt", ELECTION, "--board", board, "--wait", "200", "--quorum-wait", "10", cwd=tmp_path).stdout
            for process in decryptors:
                assert "decrypted" in finish(process)
            state, _ = election_state(BoardClient(board), ELECTION)
            assert state.current_round.challenge.available == subset
            results.append(output)
    assert results[0] == results[1]
    assert "Alice" not in results[0]  # names default to labels in this manifest
    assert "alice: 1" in results[0] and "bob: 2" in results[0] and "dan: 2" in results[0] and "eve: 1" in results[0]
