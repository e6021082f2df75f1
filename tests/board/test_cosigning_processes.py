"""A board process and three real ``evote-witness`` processes on loopback (issue 16, "Done when").

One board (gunicorn, two workers, quorum 2, a cosigning round every 0.2 s) and three witnesses are shared by
the module; each test
casts real ballots through the HTTP API and waits for the cosigned checkpoint. The fork test starts a second
board with the same key and origin on a copy of the first one's database and lets the two logs diverge.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
import urllib.error
import urllib.request

import pytest
from support.processes import open_election, serve_board
from support.witness_processes import witness_processes

from bulletin_board.election_follower import election_state
from bulletin_board.keys import load_or_create_board_key
from bulletin_board.log_format.client import BoardClient
from bulletin_board.log_format.export import CHECKPOINTS_FILE, export_from_board
from bulletin_board.log_format.export_check import verify_exported_record
from bulletin_board.log_format.witness_policy import WitnessPolicy
from voting.ballot import make_ballot
from voting.credentials import derive_voter_key
from voting.encrypt import encrypt_ballot
from voting.record.submission import build_submission

ELECTION = "cosigned-1"
MANIFEST = {
    "label": "Witnessed",
    "spec_version": "v2.0.0",
    "contests": [{"label": "c", "votes_allowed": 1, "options": [{"label": "x"}, {"label": "y"}]}],
    "ballot_styles": [{"label": "s", "contests": ["c"]}],
}
BOARD_SETTINGS = {"EVOTE_COSIGN_INTERVAL_SECONDS": "0.2", "EVOTE_WITNESS_TIMEOUT_SECONDS": "2"}


class World:
    def __init__(self, directory, witnesses, board, credentials) -> None:
        self.directory, self.witnesses, self.board, self.credentials = directory, witnesses, board, credentials
        self.board_dir = directory / "board"  # its key file and SQLite database (serve_board's defaults)
        self.used = 0

    def next_ballot(self, board_url: str) -> dict:
        """A valid cast by a credential not used before."""
        credential = self.credentials[self.used]
        self.used += 1
        state, _ = election_state(BoardClient(board_url), ELECTION)
        result = encrypt_ballot(state.context, make_ballot(state.definition.manifest, "s", {"c": ["x"]}))
        return build_submission(result.ballot, derive_voter_key(credential, ELECTION), ELECTION, state.context.H_E, "cast")

    def cast(self, board_url: str) -> int:
        """Cast a ballot; returns the log's size afterwards."""
        status, _ = BoardClient(board_url).submit_ballot(ELECTION, self.next_ballot(board_url))
        assert status == 201
        return get(board_url, f"/api/v1/elections/{ELECTION}")["size"]


def get(base: str, path: str):
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return json.loads(response.read())


def cosigned(board_url: str, size: int, witnesses: int, timeout: float = 30) -> dict:
    """Wait until the board serves a checkpoint of ``size`` or more cosigned by ``witnesses`` witnesses."""
    deadline = time.monotonic() + timeout
    found: dict = {}
    while time.monotonic() < deadline:
        try:
            found = get(board_url, f"/api/v1/elections/{ELECTION}/checkpoint/cosigned?min_size={size}")
            if len(found["witnesses"]) >= witnesses:
                return found
        except urllib.error.HTTPError as refused:
            assert refused.code == 404, refused.read()
        time.sleep(0.1)
    raise AssertionError(f"no checkpoint of size >= {size} cosigned by {witnesses} witnesses within {timeout} s: {found}")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    directory = tmp_path_factory.mktemp("cosigning")
    board_dir = directory / "board"
    board_dir.mkdir()
    verifier = load_or_create_board_key(str(board_dir / "board.key"), "board.test").verifier
    with witness_processes(directory, boards=[("board.test", verifier)], n=3) as witnesses:
        policy = directory / "witnesses.json"
        policy.write_text(json.dumps({"quorum": 2, "witnesses": [{"url": w.url, "key": w.vkey.to_string()} for w in witnesses]}))
        settings = {"EVOTE_WITNESS_POLICY_FILE": str(policy), **BOARD_SETTINGS}
        with serve_board(board_dir, workers=2, extra_env=settings) as board:  # gunicorn: one cosigner for both
            credentials = open_election(board.url, ELECTION, MANIFEST, 12)
            yield World(directory, witnesses, board, credentials)


def test_every_checkpoint_is_cosigned_by_all_three_and_a_witness_down_stops_nothing(world):
    board, witnesses = world.board.url, world.witnesses
    size = world.cast(board)
    note = cosigned(board, size, 3)["note"]
    assert len(WitnessPolicy(tuple(w.vkey for w in witnesses), 3).require(note).valid) == 3
    assert all(any(held["size"] >= size for held in get(w.url, "/logs")) for w in witnesses)

    witnesses[0].stop()
    try:
        started = time.monotonic()
        sizes = [world.cast(board) for _ in range(2)]
        assert time.monotonic() - started < 20  # ballots flow while a witness is down
        found = cosigned(board, sizes[-1], 2)
        assert sorted(found["witnesses"]) == sorted(w.name for w in witnesses[1:])
        assert WitnessPolicy(tuple(w.vkey for w in witnesses), 2).check(found["note"]).met
    finally:
        witnesses[0].start().wait_ready()
    size = world.cast(board)
    assert len(cosigned(board, size, 3)["witnesses"]) == 3  # back: it catches up from the size it held
    for witness in witnesses:  # one cosigner for both gunicorn workers: no request ever raced another (409)
        assert {r["status"] for r in witness.logs() if r.get("path") == "/add-checkpoint"} == {200}, witness.name
    record = export_from_board(board, ELECTION, world.directory / "record")
    assert verify_exported_record(record).size >= size
    exported = [json.loads(line) for line in (record / CHECKPOINTS_FILE).read_text().splitlines()]
    assert any(len(c["witnesses"]) == 3 and c["size"] >= size for c in exported)


def test_a_witness_restart_loses_nothing_and_a_board_that_forgot_the_witness_continues_through_the_409(world):
    """The board's record of what the witness holds is deleted (a board restored from a backup, or answers it
    never received): it asks from size 0, reads the witness's size from the 409 and retries from there."""
    board, witness = world.board.url, world.witnesses[1]
    size = world.cast(board)
    cosigned(board, size, 3)
    witness.restart()
    assert any(h["size"] == size for h in get(witness.url, "/logs"))  # durable before it answered
    with sqlite3.connect(world.board_dir / "board.sqlite3", timeout=30) as database:
        database.execute("DELETE FROM checkpoint_cosignatures WHERE witness_name = ?", (witness.name,))
    assert witness.name in cosigned(board, size, 3)["witnesses"]
    statuses = [r["status"] for r in witness.logs() if r.get("event") == "request" and r.get("path") == "/add-checkpoint"]
    assert statuses[-2:] == [409, 200], statuses[-6:]


def test_a_forking_board_gets_no_cosignature_for_its_second_branch_and_the_witnesses_keep_the_evidence(world):
    board, witnesses = world.board.url, world.witnesses
    common = cosigned(board, world.cast(board), 3)["size"]
    fork_dir = world.directory / "fork"
    fork_dir.mkdir()
    shutil.copy(world.board_dir / "board.key", fork_dir / "board.key")
    with sqlite3.connect(world.board_dir / "board.sqlite3") as source, sqlite3.connect(fork_dir / "board.sqlite3") as copy:
        source.backup(copy)  # the same log, up to now (the WAL included)
        copy.execute("DELETE FROM cosigner_lease")  # else the copy waits for the first board's lease to expire
    settings = {"EVOTE_WITNESS_POLICY_FILE": str(world.directory / "witnesses.json"), **BOARD_SETTINGS}
    with serve_board(fork_dir, extra_env=settings) as fork:
        assert get(fork.url, f"/api/v1/elections/{ELECTION}")["size"] >= common
        honest = cosigned(board, world.cast(board), 3)["size"]  # the first branch grows and is witnessed
        forked = world.cast(fork.url)
        forked = world.cast(fork.url)  # two entries: from the witnesses' size the proof cannot verify
        assert forked > honest
        evidence = {w.name: fork_evidence(w, 30) for w in witnesses}
        with pytest.raises(urllib.error.HTTPError) as refused:
            get(fork.url, f"/api/v1/elections/{ELECTION}/checkpoint/cosigned?min_size={common + 1}")
        assert refused.value.code == 404  # the second branch has not one cosignature
        fork_root = get(fork.url, f"/api/v1/elections/{ELECTION}/checkpoint?size={honest}")["root"]
        assert fork_root != get(board, f"/api/v1/elections/{ELECTION}/checkpoint?size={honest}")["root"]
    for name, kept in evidence.items():
        assert {e["kind"] for e in kept} <= {"same_size_different_root", "inconsistent_proof"}, name
        assert all(f"\n{honest}\n" in e["held_note"] for e in kept), name  # each holds the first branch's checkpoint
        assert any(f"\n{forked}\n" in e["submitted_note"] or f"\n{honest}\n" in e["submitted_note"] for e in kept), name


def fork_evidence(witness, timeout: float) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kept = [e for e in get(witness.url, "/evidence") if e["origin"].endswith(f"/elections/{ELECTION}")]
        if kept:
            return kept
        time.sleep(0.2)
    raise AssertionError(f"{witness.name} kept no evidence of the fork within {timeout} s")
