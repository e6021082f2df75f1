"""`evote election status` over a served board through an election's life: the timeline, the counts in the
result's words, each trustee's progress, the latest checkpoint; human output and the documented --json."""

from __future__ import annotations

import json

from click.testing import CliRunner
from support.board_world import BoardWorld, make_app
from support.evote_support import serve_app

from bulletin_board.cli_election import election

STEPS = ["created", "key_ceremony_done", "credentials_listed", "anchors_published", "opens_at", "opened", "closes_at", "closed",
         "tally_encrypted", "tallied"]  # fmt: skip


def status(board: str, *extra: str):
    result = CliRunner().invoke(election, ["status", "life", "--board", board, *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if "--json" in extra else result.output


def test_status_through_an_elections_life(tmp_path):
    app = make_app(tmp_path)
    with serve_app(app) as board:
        world = BoardWorld(app.test_client(), election_id="life", n=3, k=2, voters=4)
        created = status(board, "--json")
        assert created["status_version"] == 1 and created["phase"] == "keygen" and created["entries"] == 1
        assert [s["step"] for s in created["timeline"]] == STEPS
        assert created["timeline"][0]["seq"] == 0 and created["timeline"][0]["at"].endswith("Z")
        assert all(s["at"] is None for s in created["timeline"][1:])
        assert created["trustees"][0]["key_ceremony"] == {"commitments": False, "shares": False, "checked": False, "complaints": [], "confirmed": False}
        assert created["cosigned"] is None and created["checkpoint"]["size"] == 1 and created["checkpoint"]["matches_entries"] is True

        world.keygen()
        world.open()
        c = world.credentials
        world.cast(c[0], {"mayor": ["alice"], "council": ["dan"]})
        world.cast(c[1], {"mayor": ["bob"]})
        world.cast(c[1], {"mayor": ["alice"]})  # a revote: the first is superseded
        world.cast(c[2], {"mayor": ["bob"]}, action="challenge", reveal=True)
        opened = status(board, "--json")
        assert opened["phase"] == "open"
        assert opened["counts"] == {"credentials_issued": 4, "credentials_revoked": 0, "ballots_cast": 3, "ballots_counted": 2,
                                    "ballots_superseded": 1, "ballots_challenged": 1}  # fmt: skip
        steps = {s["step"]: s for s in opened["timeline"]}
        assert steps["key_ceremony_done"]["seq"] is not None and steps["opened"]["seq"] > steps["credentials_listed"]["seq"]
        assert steps["closes_at"] == {"step": "closes_at", "at": None, "seq": None}
        assert all(t["key_ceremony"]["confirmed"] for t in opened["trustees"])
        text = status(board)
        assert "open for ballots" in text and "ballots superseded" in text and "not scheduled" in text
        assert "Trustee 1" in text and "Latest cosigned checkpoint: none" in text and "{" not in text

        world.close_and_tally()
        world.decrypt(available={1, 3})
        done = status(board, "--json")
        assert done["phase"] == "tallied" and all(s["at"] for s in done["timeline"] if s["step"] not in ("anchors_published", "opens_at", "closes_at"))
        progress = {t["index"]: t["decryption"] for t in done["trustees"]}
        assert progress[1]["response"] and progress[3]["response"] and not progress[2]["share"]
        assert done["checkpoint"]["size"] == done["entries"] and done["checkpoint"]["root"]
        text = status(board)
        assert "tallied" in text and "round 1: answered" in text and f"size {done['entries']}" in text


def test_status_of_an_unknown_election_says_what_to_do(tmp_path):
    app = make_app(tmp_path)
    with serve_app(app) as board:
        result = CliRunner().invoke(election, ["status", "nowhere", "--board", board])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Check the election id" in result.output
