"""`evote election decrypt --exclude TRUSTEE` / `--exclude-unresponsive`: a trustee who posted its partial
decryption but never answers the round's challenge is named in a `decryption.failed` entry (record-format
§8.2, check L.8) and the others finish in a new round. The command refuses, posting nothing, to exclude a
trustee who answered correctly, one outside the round, or so many that fewer than k remain.

The first tests run the command (in this process) against a board served over HTTP from a copy of one
tallied election; the last runs the trustees and the board as separate processes.
"""

from __future__ import annotations

import copy
import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from support.board_world import ADMIN_TOKEN, make_app
from support.evote_support import failed_steps, serve_app, step, verified  # noqa: E402
from support.evote_world import EvoteWorld  # noqa: E402
from support.processes import PASSPHRASE, evote, finish, serve_board, trustee

from bulletin_board.election_follower import election_state  # noqa: E402
from bulletin_board.log_format.client import BoardClient
from evote.cli import main as evote_main
from trustee_tools import steps
from trustee_tools.vault import Vault
from voting.record import admin
from voting.verifier.findings import Status

ELECTION = "exclusion"


@pytest.fixture(scope="module")
def tallied(tmp_path_factory):
    """n = 3, k = 2: an election closed and tallied (a cast ballot, a sealed challenge), nothing decrypted."""
    directory = tmp_path_factory.mktemp("tallied")
    world = EvoteWorld(make_app(directory).test_client(), election_id=ELECTION, n=3, k=2, voters=2)
    world.keygen()
    world.open()
    world.cast(world.credentials[0], {"mayor": ["alice"], "council": ["dan"]})
    world.cast(world.credentials[1], {"mayor": ["bob"]}, action="challenge")
    world.close_and_tally()
    world.client = None
    return directory, world


def board_copy(tallied, directory):
    """The tallied board copied into ``directory``, and a world (trustee secrets included) that talks to it."""
    source, template = tallied
    shutil.copy(source / "board.key", directory / "board.key")
    with sqlite3.connect(source / "board.sqlite3") as old, sqlite3.connect(directory / "board.sqlite3") as new:
        old.backup(new)
    app = make_app(directory)
    world = copy.deepcopy(template)
    world.client = app.test_client()
    return app, world


@pytest.fixture
def served(tallied, tmp_path):
    app, world = board_copy(tallied, tmp_path)
    with serve_app(app) as url:
        yield world, url, app


def decrypt(url, *args):
    """`evote election decrypt` with the admin token in the environment; stdout and stderr apart."""
    result = CliRunner().invoke(
        evote_main, ["election", "decrypt", ELECTION, "--board", url, *args], env={"EVOTE_ADMIN_TOKEN": ADMIN_TOKEN},
        catch_exceptions=False,
    )  # fmt: skip
    assert "Traceback" not in result.output + result.stderr
    return result


def round_with_a_silent_trustee(world, *, wrong=None):
    """Round 1: trustees 1, 2 and 3 post their shares, the challenge is posted, 1 and 2 answer, 3 never does;
    ``wrong`` answers garbage."""
    for t in world.trustees:
        world.trustee_post(t, steps.decryption_share(t, world.state()))
    world.admin_entry("decryption.challenge", admin.decryption_challenge(world.state()))
    for t in world.trustees[:2]:
        out = steps.decryption_response(t, world.state())
        if t.guardian == wrong:
            out.body["responses"][0] = "00" * 32
        world.trustee_post(t, out)


def failed_entries(world):
    return [e["payload"] for e in world.entries() if e["kind"] == "decryption.failed"]


def test_a_trustee_who_answered_correctly_cannot_be_excluded_and_nothing_is_posted(served):
    world, url, _ = served
    round_with_a_silent_trustee(world)
    before = world.entries()
    for args in (["--exclude", "2"], ["--exclude", "3", "--exclude", "2"]):  # all or nothing
        refused = decrypt(url, *args, "--wait", "0")
        assert refused.exit_code == 1, refused.output
        assert "trustee 2 answered the challenge of round 1 correctly" in refused.stderr
        assert "Nothing was posted" in refused.stderr
        assert world.entries() == before, "a refused exclusion changed the board"


def test_the_silent_trustee_is_excluded_and_the_others_finish_a_record_that_verifies(served, tmp_path):
    world, url, app = served
    round_with_a_silent_trustee(world)
    waiting = decrypt(url, "--wait", "0")
    assert waiting.exit_code == 1
    assert "waiting for the answers of trustee(s) [3]" in waiting.stderr and "add --exclude 3" in waiting.stderr
    excluded = decrypt(url, "--exclude", "3", "--wait", "0")  # round 2 then waits for the trustees' shares
    assert "round 1: excluded trustee 3: did not answer the decryption challenge" in excluded.stderr
    assert "round 2: shares from []; waiting for trustee(s) [1, 2]" in excluded.stderr
    assert failed_entries(world) == [
        {"round": 1, "faulty": [{"guardian": 3, "reason": "did not answer the decryption challenge"}]}
    ]
    again = decrypt(url, "--exclude", "3", "--wait", "0")
    assert again.exit_code == 1 and "round 2 has no challenge yet" in again.stderr
    world.decrypt(available={1, 2})
    report = verified(world.export(app, tmp_path / "record"))
    assert not failed_steps(report)
    assert step(report, "L.8").status is Status.PASSED


def test_exclude_unresponsive_names_only_the_silent_trustee_after_the_answer_wait(served):
    world, url, _ = served
    round_with_a_silent_trustee(world)
    result = decrypt(url, "--exclude-unresponsive", "--answer-wait", "0", "--wait", "0")
    assert "round 1: excluded trustee 3: did not answer" in result.stderr
    assert [f["guardian"] for p in failed_entries(world) for f in p["faulty"]] == [3]


def test_an_exclusion_that_leaves_fewer_than_k_trustees_is_refused(served):
    world, url, _ = served
    round_with_a_silent_trustee(world, wrong=2)  # trustee 2's answer fails eqs. 74-75, trustee 3 is silent
    before = world.entries()
    for args in (["--exclude", "2", "--exclude", "3"], ["--exclude-unresponsive", "--answer-wait", "0"]):
        refused = decrypt(url, *args, "--wait", "5")
        assert refused.exit_code == 1, refused.output
        assert "would leave only trustee(s) 1, fewer than the quorum k = 2" in refused.stderr
        assert "Nothing was posted" in refused.stderr and "evote-trustee decrypt" in refused.stderr
        assert world.entries() == before


def test_trustees_outside_the_round_or_before_its_challenge_are_refused(served):
    world, url, _ = served
    before = world.entries()
    early = decrypt(url, "--exclude", "1", "--wait", "0")
    assert early.exit_code == 1 and "round 1 has no challenge yet" in early.stderr
    assert world.entries() == before
    for t in world.trustees[:2]:
        world.trustee_post(t, steps.decryption_share(t, world.state()))
    world.admin_entry("decryption.challenge", admin.decryption_challenge(world.state()))
    before = world.entries()
    outside = decrypt(url, "--exclude", "3", "--wait", "0")
    assert outside.exit_code == 1 and "trustee 3 is not part of decryption round 1" in outside.stderr
    nobody = decrypt(url, "--exclude", "7", "--wait", "0")
    assert nobody.exit_code == 1 and "there is no trustee 7: the trustees are numbered 1 to 3" in nobody.stderr
    zero = decrypt(url, "--exclude", "0")
    assert zero.exit_code == 2 and "--exclude" in zero.stderr
    assert world.entries() == before


# --- separate processes ----------------------------------------------------------------------------------


def wait_until(predicate, what, timeout=120):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.mark.slow
def test_trustee_processes_finish_after_the_operator_excludes_one_who_shared_and_died(tallied, tmp_path):
    """Three `evote-trustee decrypt` processes post their partial decryptions; trustee 3 is then killed, so
    it never answers the challenge. The operator excludes it and trustees 1 and 2 finish in round 2."""
    _, world = board_copy(tallied, tmp_path)
    dirs = []
    for t in world.trustees:
        dirs.append(tmp_path / f"trustee{t.guardian}")
        vault = Vault(dirs[-1])
        vault.create(PASSPHRASE, t, kdf="interactive")  # the identity, then this election's secrets beside it
        vault.save(t)
    with serve_board(tmp_path) as server:
        board = server.url
        client = BoardClient(board)

        def state():
            return election_state(client, ELECTION)[0]

        arguments = ["decrypt", "--board", board, "--election", ELECTION, "--poll", "0.2", "--wait", "180"]
        processes = [trustee(*arguments, "--dir", str(d), cwd=tmp_path) for d in dirs]
        wait_until(lambda: 3 in state().current_round.shares, "trustee 3's partial decryption")
        processes[2].send_signal(signal.SIGKILL)  # it shared, and will never answer
        processes[2].wait()
        posted = evote(
            "election", "decrypt", ELECTION, "--board", board, "--wait", "0", "--quorum-wait", "60", cwd=tmp_path, check=False
        )
        assert "challenge posted to trustees [1, 2, 3]" in posted.stderr, posted.stderr  # then gives up at once (--wait 0)
        wait_until(lambda: set(state().current_round.responses) == {1, 2}, "the answers of trustees 1 and 2")

        done = evote("election", "decrypt", ELECTION, "--board", board, "--exclude", "3", "--wait", "120", cwd=tmp_path)
        assert "round 1: excluded trustee 3: did not answer the decryption challenge" in done.stderr
        assert "Traceback" not in done.stderr and "alice: 1" in done.stdout and "bob: 0" in done.stdout
        for process in processes[:2]:
            assert "decrypted" in finish(process, timeout=120)
        final = state()
        assert final.excluded == {3: "did not answer the decryption challenge"}
        assert final.current_round.number == 2 and final.current_round.challenge.available == (1, 2)
        evote("record", "export", ELECTION, "--board", board, "--out", "record", cwd=tmp_path)
    verify = subprocess.run(
        [sys.executable, "-m", "voting.verifier.cli", "record", "--workers", "1", "--json", "report.json"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert verify.returncode == 0 and "VERIFIED" in verify.stdout, verify.stdout[-3000:] + verify.stderr[-2000:]
    report = json.loads((tmp_path / "report.json").read_text())
    l8 = [s for v in report["verifications"] for s in v["steps"] if s["id"] == "L.8"]
    assert [(s["status"], s["passed"]) for s in l8] == [("passed", 1)], l8


def test_a_board_serving_a_broken_chain_is_one_line(served, monkeypatch):
    """The command checks the board's log link by link: a rewritten entry is an error line, not a traceback."""
    world, url, _ = served
    round_with_a_silent_trustee(world)
    honest_get = BoardClient.get

    def rewritten(self, path):
        page = honest_get(self, path)
        if isinstance(page, dict) and page.get("entries"):
            page["entries"][0]["payload"] = {**page["entries"][0]["payload"], "label": "another election"}
        return page

    monkeypatch.setattr(BoardClient, "get", rewritten)
    before = world.entries()
    result = decrypt(url, "--exclude", "3")
    assert result.exit_code == 1 and result.stderr.startswith("error: the board's log does not check: chain broken at seq 0")
    assert world.entries() == before
