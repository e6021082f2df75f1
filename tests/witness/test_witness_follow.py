"""Pull mode against a real board process: ``evote-witness follow --once`` cosigns an election's checkpoints as
the log grows (with the board's consistency proof) and deposits each cosignature at the board."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

from support.processes import ADMIN_TOKEN, env, serve_board
from support.witness_processes import write_witness_config

from bulletin_board.election_follower import ElectionFollower
from bulletin_board.log_format.client import BoardClient
from bulletin_board.log_format.cosignature import cosignatures_in
from trustee_tools import steps
from trustee_tools.state import TrusteeState
from voting.record.election import define_election
from voting.record.messages import sign_message
from witness.app import build_service
from witness.config import load_config
from witness.keys import create_key_file

MANIFEST = {"label": "Follow test", "spec_version": "v2.0.0",
            "contests": [{"label": "c", "votes_allowed": 1, "options": [{"label": "x"}, {"label": "y"}]}],
            "ballot_styles": [{"label": "s", "contests": ["c"]}]}


def follow_once(config) -> str:
    result = subprocess.run([sys.executable, "-m", "witness.cli", "follow", "--config", str(config), "--once"],
                            env=env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert all(json.loads(line)["event"] == "follow" for line in result.stderr.splitlines())  # one JSON line per election
    return result.stdout


def test_follow_cosigns_a_growing_election_and_deposits_at_the_board(tmp_path):
    witness_key = create_key_file(tmp_path / "witness.key", "witness.test/puller").key
    policy = tmp_path / "policy.json"  # the board knows the witness (to keep its deposits) but cannot reach it
    policy.write_text(json.dumps({"quorum": 1, "witnesses": [{"url": "http://127.0.0.1:9", "key": witness_key.to_string()}]}))
    extra = {"EVOTE_WITNESS_POLICY_FILE": str(policy), "EVOTE_COSIGN_INTERVAL_SECONDS": "3600"}
    with serve_board(tmp_path, extra_env=extra) as board:
        client = BoardClient(board.url, admin_token=ADMIN_TOKEN)
        board_key = client.board_info()["verifier_key"]
        config = write_witness_config(tmp_path, "witness.test/puller", [("board.test", board_key, board.url)])
        trustee = TrusteeState.new("Trustee 1")
        roster = [{"index": 1, "name": trustee.name, "identity_key": trustee.identity_public_key}]
        client.create_election(define_election("e1", MANIFEST, roster, 1).to_payload())

        assert "board.test/elections/e1: size 1 200 cosigned; deposited" in follow_once(config)
        follower = ElectionFollower(client, "e1")
        steps.join(trustee, follower.refresh())
        outgoing = steps.commitments(trustee, follower.refresh())
        client.post_trustee("e1", outgoing.kind, sign_message(trustee.identity, "e1", outgoing.kind, trustee.guardian, outgoing.body))
        assert "board.test/elections/e1: size 2 200 cosigned; deposited" in follow_once(config)
        assert "size 2 already cosigned" in follow_once(config)

        service = build_service(load_config(config))
        assert service.store.held("board.test/elections/e1").size == 2
        with urllib.request.urlopen(board.url + "/api/v1/elections/e1/checkpoints") as response:
            checkpoints = json.loads(response.read())["checkpoints"]
        cosigned = {item["size"]: cosignatures_in(item["note"], [witness_key])[0] for item in checkpoints}
        assert cosigned[1] and cosigned[2], "the board keeps the deposited cosignatures"
