"""The pure witness decision (``witness_protocol.decide``), one test per answer of C2SP tlog-witness."""

from __future__ import annotations

import hashlib

import pytest
from nacl.signing import SigningKey
from support.witness_board_log import BoardLog

from bulletin_board.log_format.checkpoint import parse_checkpoint
from bulletin_board.log_format.cosignature import Cosigner, cosignatures_in
from bulletin_board.log_format.errors import InvalidInput
from bulletin_board.log_format.note import NoteSigner, parse_note
from bulletin_board.log_format.witness_protocol import SIZE_CONTENT_TYPE, AddCheckpoint, Held, decide, parse_add_checkpoint

NOW = 1_700_000_000
COSIGNER = Cosigner("witness.test/w1", SigningKey(hashlib.sha256(b"witness seed for tests").digest()))


class Witness:
    """``decide`` with the state a witness service keeps: the latest held checkpoint per origin."""

    def __init__(self, board: BoardLog) -> None:
        self.keys = {board.origin: (board.signer.verifier,)}
        self.latest: dict[str, Held] = {}

    def add(self, request: AddCheckpoint):
        decision = decide(request, self.keys.get, self.latest.get, COSIGNER, NOW)
        if decision.status == 200:
            self.latest[decision.checkpoint.origin] = Held(decision.checkpoint.size, decision.checkpoint.root, request.note)
        return decision


@pytest.fixture
def board() -> BoardLog:
    return BoardLog(size=10)


def test_a_chain_of_consistent_checkpoints_is_cosigned_each_time(board):
    witness, held = Witness(board), 0
    for grow in (3, 0, 1, 7, 20):
        board.extend(grow)
        decision = witness.add(board.request(held))
        assert (decision.status, decision.content_type) == (200, "text/plain; charset=utf-8"), decision.reason
        assert decision.body.startswith("— witness.test/w1 ".encode()) and decision.body.endswith(b"\n")
        valid, problems = cosignatures_in(board.note() + decision.body.decode(), [COSIGNER.key])
        assert [c.timestamp for c in valid] == [NOW] and not problems
        held = board.tree.size


def test_unknown_origin_is_404(board):
    other = BoardLog("elsewhere.test/elections/e1", size=3)
    assert Witness(board).add(other.request(0)).status == 404


def test_no_trusted_signature_is_403(board):
    impostor = BoardLog(board.origin, NoteSigner("board.test", SigningKey.generate()), size=10)
    assert Witness(board).add(impostor.request(0)).status == 403


def test_old_size_above_the_checkpoint_size_is_400(board):
    witness = Witness(board)
    assert witness.add(board.request(11, 10)).status == 400


def test_stale_old_size_is_409_with_the_latest_size(board):
    witness = Witness(board)
    assert witness.add(board.request(0)).status == 200
    board.extend(5)
    for old in (0, 3, 14):
        decision = witness.add(board.request(old))
        assert (decision.status, decision.body, decision.content_type) == (409, b"10\n", SIZE_CONTENT_TYPE)
        assert decision.evidence is None


def test_same_size_different_root_is_409_and_evidence(board):
    witness = Witness(board)
    assert witness.add(board.request(0)).status == 200
    fork = board.fork("forged", at=6).extend(4)
    decision = witness.add(fork.request(10))
    assert (decision.status, decision.body, decision.content_type) == (409, b"10\n", SIZE_CONTENT_TYPE)
    assert decision.evidence == "same size, different root"
    assert witness.latest[board.origin].root == board.tree.root()  # never two checkpoints of one size


def test_a_proof_that_does_not_verify_is_422_and_evidence(board):
    witness = Witness(board)
    assert witness.add(board.request(0, 6)).status == 200
    fork = board.fork("forged", at=4).extend(8)
    decision = witness.add(AddCheckpoint(6, board.request(6).proof, fork.note()))
    assert (decision.status, decision.evidence) == (422, "consistency proof fails")
    assert witness.add(fork.request(6)).status == 422  # the fork's own proof from 6 cannot reach our root either


def test_a_non_empty_proof_from_size_zero_is_422(board):
    request = board.request(0)
    decision = Witness(board).add(AddCheckpoint(0, (hashlib.sha256(b"x").digest(),), request.note))
    assert decision.status == 422


MALFORMED = [
    b"",
    b"old 0\n",  # no empty line, no checkpoint
    b"old 01\n\n",  # leading zero
    b"old -1\n\n",
    b"old 0\nnot base64!\n\n",
    b"old 0\nAAAA\n\n",  # base64, but not 32 bytes
    b"old 0\n\nnot a checkpoint\n\n\xe2\x80\x94 x AAAAAAA=\n",
    b"\xff\xfe",
    b"old 0\n" + b"p2Y5OVzg211RqNc/+x/R/epVmOvO4soQ2j+i7B8Jx6c=\n" * 64 + b"\n",  # 64 proof lines
]


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_bodies_are_refused_before_any_decision(body):
    with pytest.raises(InvalidInput):
        parse_add_checkpoint(body)


def test_a_request_body_round_trips(board):
    request = board.request(4)
    assert parse_add_checkpoint(request.to_body()) == request
    assert parse_checkpoint(parse_note(request.note).text).size == 10
