"""W.4 (voting/verifier/checks/witnessed_close.py): the witnesses' cosignature times, not only the board's
clock, place the counted ballots before a scheduled close; a late or missing quorum leaves them on the
board's word."""

from __future__ import annotations

from nacl.signing import SigningKey

from bulletin_board.log_format.checkpoint import Checkpoint, sign_checkpoint
from bulletin_board.log_format.cosignature import Cosigner, add_signature_lines
from bulletin_board.log_format.note import NoteSigner
from bulletin_board.log_format.witness_policy import WitnessPolicy
from voting.verifier.checks.witnessed_close import witnessed_before

BOARD = NoteSigner("board.test", SigningKey.generate())
WITNESSES = [Cosigner(f"w{i}.test", SigningKey.generate()) for i in range(3)]
POLICY = WitnessPolicy(tuple(w.key for w in WITNESSES), 2)
CLOSES_AT = 1_800_000_000 * 1_000_000  # microseconds
NOW = 1_900_000_000


def note(size: int, *times: int) -> str:
    signed = sign_checkpoint(Checkpoint("board.test/elections/e", size, bytes([size]) * 32), BOARD)
    lines = [w.cosign(signed.checkpoint.body(), t) for w, t in zip(WITNESSES, times)]
    return add_signature_lines(signed.note, lines) if lines else signed.note


def test_a_quorum_cosigning_before_the_close_places_the_ballots_in_time():
    notes = [note(5, 1_700_000_000, 1_700_000_000), note(12, 1_799_999_990, 1_799_999_999, 1_800_000_100)]
    assert witnessed_before(CLOSES_AT, 10, notes, POLICY, (BOARD.verifier,), NOW, 300) == (12, 1_799_999_999)


def test_a_quorum_only_after_the_close_leaves_the_times_on_the_boards_word():
    notes = [note(12, 1_799_999_990, 1_800_000_001)]  # the second witness cosigned one second after the close
    assert witnessed_before(CLOSES_AT, 10, notes, POLICY, (BOARD.verifier,), NOW, 300) is None


def test_a_checkpoint_that_does_not_cover_the_last_ballot_proves_nothing():
    notes = [note(10, 1_700_000_000, 1_700_000_000)]  # size 10 covers seq 0-9, the last ballot is seq 10
    assert witnessed_before(CLOSES_AT, 10, notes, POLICY, (BOARD.verifier,), NOW, 300) is None


def test_a_forged_cosignature_does_not_count():
    good = note(12, 1_700_000_000)
    forger = Cosigner("w1.test", SigningKey.generate())  # the name of a listed witness, another key
    body = good[: good.index("\n\n") + 1]
    forged = add_signature_lines(good, [forger.cosign(body, 1_700_000_000)])
    assert witnessed_before(CLOSES_AT, 10, [forged], POLICY, (BOARD.verifier,), NOW, 300) is None
