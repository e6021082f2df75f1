"""A dishonest board operator who holds the board's signing key (docs/threat-model.md "Board operator").

With the key file the operator can re-chain, re-hash and re-sign any history (tests/support/evote_tools.py
``resign``), so nothing inside one export betrays it. What does: a checkpoint somebody saved earlier — a
voter's receipt or an observer's last verified checkpoint — and a consistency proof the operator cannot
produce for a history that does not extend it (RFC 9162 §2.1.4; bulletin_board/log_format/client_checks.py
``check_log_extends``, ``evote-verify --since``). Edits without re-signing are covered in
tests/board/test_tamper.py and tests/verifier/test_evote_mutations.py; forks of growing size and rollbacks in
tests/verifier/test_evote_incremental.py.
"""

from __future__ import annotations

import pytest

from attacks.attack_support import edited, read_entries, run_cli, tiny_open_election
from bulletin_board.log_format.checkpoint import parse_checkpoint
from bulletin_board.log_format.client_checks import check_entry_included, check_log_extends
from bulletin_board.log_format.errors import InconsistentLog, ProofError, RootMismatch
from bulletin_board.log_format.merkle_proofs import MemoryTree, consistency_proof, inclusion_proof
from bulletin_board.log_format.note import NoteVerifier, parse_note

CHOICES = {"mayor": ["alice"], "council": ["dan"]}


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    """Four ballots; the receipt of the second voter; the honest export."""
    directory = tmp_path_factory.mktemp("operator")
    world, app = tiny_open_election(directory, voters=4)
    receipts = [world.cast(world.credentials[n], CHOICES)["receipt"] for n in range(4)]
    record = world.export(app, directory / "honest")
    return {"world": world, "app": app, "receipt": receipts[1], "record": record, "key": directory / "board.key"}


def verifiers(receipt) -> list[NoteVerifier]:
    return [NoteVerifier(receipt["board"]["key_name"], bytes.fromhex(receipt["board"]["public_key"]))]


def origin_of(receipt) -> str:
    return parse_checkpoint(parse_note(receipt["checkpoint"]).text).origin


def operators_best_proof(record, old_size: int) -> tuple[str, list[bytes], list[bytes]]:
    """The new checkpoint and the proofs an operator computes honestly from its rewritten log."""
    hashes = [bytes.fromhex(e["entry_hash"]) for e in read_entries(record)]
    tree = MemoryTree(hashes)
    return (record / "checkpoint.txt").read_text(), consistency_proof(tree, old_size, len(hashes)), hashes


def drop_ballot(seq):
    def change(entries):
        del entries[seq]

    return change


def move_ballot(seq):
    def change(entries):
        entries.insert(len(entries) - 1, entries.pop(seq))

    return change


def retime_ballot(seq):
    def change(entries):
        entries[seq]["received_at"] -= 1

    return change


@pytest.mark.parametrize("rewrite", ["dropped", "moved later", "rewritten time"])
def test_rewritten_history_is_caught_by_the_voters_receipt(tmp_path, board, rewrite):
    receipt = board["receipt"]
    seq = receipt["seq"]
    change = {"dropped": drop_ballot, "moved later": move_ballot, "rewritten time": retime_ballot}[rewrite](seq)
    record = edited(board["record"], tmp_path / "rewritten", change, key_file=board["key"])
    old_size = receipt["inclusion_proof"]["tree_size"]
    new_note, proof, hashes = operators_best_proof(record, old_size)
    with pytest.raises(InconsistentLog) as caught:
        check_log_extends(receipt["checkpoint"], new_note, verifiers(receipt), origin_of(receipt), proof)
    assert caught.value.old.size == old_size and caught.value.new.size == len(hashes)  # the evidence is kept
    new_size = len(hashes)
    if seq < new_size:  # the receipt's entry is not at its seq in the new history either
        with pytest.raises((ProofError, RootMismatch)):
            check_entry_included(new_note, verifiers(receipt), origin_of(receipt), seq, bytes.fromhex(receipt["entry_hash"]),
                                 inclusion_proof(MemoryTree(hashes), seq, new_size))  # fmt: skip
    saved = tmp_path / "receipt-checkpoint.txt"
    saved.write_text(receipt["checkpoint"])
    result = run_cli(str(record), "--workers", "1", "--since", str(saved))
    assert result.exit_code == 1 and "REFUSED (B.5)" in result.output, result.output


def test_same_size_fork_shown_to_two_clients_is_caught_when_they_compare(tmp_path, board):
    """Two observers each saved a checkpoint of the same size, both signed by the board's key: in one the last
    ballot is there, in the other it was dropped and the next entry re-signed in its place."""
    honest = board["record"]
    entries = read_entries(honest)
    last_ballot = max(n for n, e in enumerate(entries) if e["kind"] == "ballot.cast")

    def swap_last_two_ballots(es):
        es[last_ballot - 1], es[last_ballot] = es[last_ballot], es[last_ballot - 1]

    fork = edited(honest, tmp_path / "fork", swap_last_two_ballots, key_file=board["key"])
    note_a, note_b = (honest / "checkpoint.txt").read_text(), (fork / "checkpoint.txt").read_text()
    size_a, size_b = (parse_checkpoint(parse_note(n).text).size for n in (note_a, note_b))
    assert size_a == size_b and note_a != note_b
    keys, origin = verifiers(board["receipt"]), parse_checkpoint(parse_note(note_a).text).origin
    check_log_extends(note_a, note_a, keys, origin, [])  # the same view twice is consistent
    with pytest.raises(InconsistentLog) as caught:
        check_log_extends(note_a, note_b, keys, origin, [])
    assert caught.value.old.root != caught.value.new.root
    saved = tmp_path / "a.txt"
    saved.write_text(note_a)
    result = run_cli(str(fork), "--workers", "1", "--since", str(saved))
    assert result.exit_code == 1 and "REFUSED (B.5)" in result.output, result.output
