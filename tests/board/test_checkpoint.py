"""Signed notes (Go's vectors), checkpoint bodies, the board key file, and the client-side checks."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from bulletin_board.keys import KeyFileError, load_board_key, load_or_create_board_key
from bulletin_board.log_format.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint, verify_checkpoint
from bulletin_board.log_format.client_checks import check_entry_included, check_log_extends
from bulletin_board.log_format.errors import (
    BadSignature,
    InconsistentLog,
    InvalidInput,
    MalformedNote,
    ProofError,
    RootMismatch,
    UnknownKey,
)
from bulletin_board.log_format.merkle_proofs import MemoryTree, consistency_proof, inclusion_proof
from bulletin_board.log_format.note import NoteSigner, NoteVerifier, key_id, open_note, parse_note, sign_note

GO = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "go-sumdb-note" / "vectors.json").read_text())


def go_signer() -> NoteSigner:
    data = base64.b64decode(GO["signer_key"].split("+", 4)[-1])
    assert data[0] == 1
    return NoteSigner("PeterNeumann", SigningKey(data[1:]))


def test_go_vector_key_id_verifier_key_and_signature():
    signer = go_signer()
    assert signer.verifier.to_string() == GO["verifier_key"]
    assert signer.verifier.key_id == key_id("PeterNeumann", signer.verifier.public_key) == bytes.fromhex("c74f20a3")
    assert sign_note(GO["text"], signer) == GO["signed"]


def test_go_vector_open_with_known_and_unknown_signers():
    peter = NoteVerifier.from_string(GO["verifier_key"])
    enoch = NoteVerifier.from_string(GO["other_verifier_key"])
    both = GO["signed"] + GO["other_signature_line"]
    assert open_note(both, [peter]).verified_by == (peter,)
    assert open_note(both, [peter, enoch]).verified_by == (peter, enoch)
    with pytest.raises(UnknownKey):
        open_note(both, [])


def test_go_vector_corrupted_signature():
    peter = NoteVerifier.from_string(GO["verifier_key"])
    text, sig = GO["signed"].split("\n\n")
    with pytest.raises(BadSignature):
        open_note(text + "\n\n" + sig[:60] + "ABCD" + sig[60:], [peter])


@pytest.mark.parametrize("mangle", [
    lambda t, s: t,
    lambda t, s: t + "\n",
    lambda t, s: t + "\n" + s[:-1],
    lambda t, s: "\x01" + t + "\n" + s,
    lambda t, s: t + "\n" + "\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
    lambda t, s: t + "\n" + s + "Unexpected line.\n",
    lambda t, s: t + "\n" + s * 101,
    lambda t, s: t + "\n" + s.replace("x08go", "x08g!"),
])
def test_go_vector_malformed_notes(mangle):
    text = GO["text"]
    line = GO["signed"][len(text) + 1:]
    with pytest.raises(MalformedNote):
        open_note(mangle(text, line), [NoteVerifier.from_string(GO["verifier_key"])])


@pytest.mark.parametrize("key", [GO["verifier_key"][:-1], GO["verifier_key"].replace("c74f20a3", "c74f20a4"),
                                 "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "a+b"])
def test_bad_verifier_keys(key):
    with pytest.raises(InvalidInput):
        NoteVerifier.from_string(key)


ROOT = bytes(range(32))


def test_checkpoint_body_round_trip(signer):
    checkpoint = Checkpoint("test.board/elections/e1", 12, ROOT)
    assert checkpoint.body() == f"test.board/elections/e1\n12\n{base64.b64encode(ROOT).decode()}\n"
    signed = sign_checkpoint(checkpoint, signer)
    assert verify_checkpoint(signed.note, [signer.verifier], origin="test.board/elections/e1").checkpoint == checkpoint
    assert parse_note(signed.note).signatures[0].key_id == signer.verifier.key_id


@pytest.mark.parametrize("body", [
    "o\n1\n{root}\nextension\n", "o\n01\n{root}\n", "o\n-1\n{root}\n", "o\n1\n{short}\n", "o\n1\n{root}",
    "o o\n1\n{root}\n", "o\n1\n!!!!\n", "o\n18446744073709551616\n{root}\n",
    "o\n1\n{root}\u2014\n",  # a non-ASCII character in the root: base64 raised a plain ValueError (found by fuzzing)
])
def test_malformed_checkpoint_bodies(body):
    root, short = base64.b64encode(ROOT).decode(), base64.b64encode(ROOT[:31]).decode()
    with pytest.raises(MalformedNote):
        parse_checkpoint(body.format(root=root, short=short))


def test_checkpoint_checks(signer):
    signed = sign_checkpoint(Checkpoint("test.board/elections/e1", 3, ROOT), signer)
    other = NoteSigner(signer.name, SigningKey.generate())
    with pytest.raises(UnknownKey):                                        # signed by another key of the same name
        verify_checkpoint(sign_checkpoint(signed.checkpoint, other).note, [signer.verifier])
    with pytest.raises(BadSignature):                                      # the body changed after signing
        verify_checkpoint(signed.note.replace("\n3\n", "\n4\n"), [signer.verifier])
    with pytest.raises(MalformedNote):                                     # another log's checkpoint
        verify_checkpoint(signed.note, [signer.verifier], origin="test.board/elections/e2")
    with pytest.raises(MalformedNote):
        verify_checkpoint(b"bytes", [signer.verifier])


# --- board key file -----------------------------------------------------------------------------------

def test_key_file_created_private_and_stable(tmp_path):
    path = tmp_path / "board.key"
    first = load_or_create_board_key(path, "b")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_board_key(path, "b").verifier == first.verifier
    assert [p.name for p in tmp_path.iterdir()] == ["board.key"]


def test_key_file_readable_by_others_is_refused(tmp_path):
    path = tmp_path / "board.key"
    load_or_create_board_key(path, "b")
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="0644"):
        load_board_key(path, "b")


def test_key_file_garbage_is_refused_without_echoing_it(tmp_path):
    path = tmp_path / "board.key"
    path.write_text("evote-board-ed25519-v1 " + "ab" * 31 + "SECRET\n")
    os.chmod(path, 0o600)
    with pytest.raises(KeyFileError) as caught:
        load_board_key(path, "b")
    assert "SECRET" not in str(caught.value) and "abab" not in str(caught.value)


# --- client-side composition ----------------------------------------------------------------------------

ORIGIN = "test.board/elections/e1"
HASHES = [bytes([i]) * 32 for i in range(40)]
TREE = MemoryTree(HASHES)


def signed_at(signer, size):
    return sign_checkpoint(Checkpoint(ORIGIN, size, TREE.root(size)), signer).note


def test_check_entry_included(signer):
    note = signed_at(signer, 21)
    proof = inclusion_proof(TREE, 7, 21)
    assert check_entry_included(note, [signer.verifier], ORIGIN, 7, HASHES[7], proof).size == 21
    with pytest.raises(RootMismatch):
        check_entry_included(note, [signer.verifier], ORIGIN, 7, HASHES[8], proof)
    with pytest.raises(RootMismatch):
        check_entry_included(note, [signer.verifier], ORIGIN, 6, HASHES[7], proof)
    with pytest.raises(UnknownKey):
        check_entry_included(note, [NoteSigner("x", SigningKey.generate()).verifier], ORIGIN, 7, HASHES[7], proof)


def test_check_log_extends(signer):
    old, new = signed_at(signer, 13), signed_at(signer, 40)
    proof = consistency_proof(TREE, 13, 40)
    assert [c.size for c in check_log_extends(old, new, [signer.verifier], ORIGIN, proof)] == [13, 40]


def test_inconsistent_log_keeps_both_checkpoints_and_the_proof(signer):
    forked = MemoryTree(HASHES[:10] + [b"\xff" * 32] + HASHES[11:])
    old = signed_at(signer, 13)
    new = sign_checkpoint(Checkpoint(ORIGIN, 40, forked.root(40)), signer).note
    proof = consistency_proof(forked, 13, 40)
    with pytest.raises(InconsistentLog) as caught:
        check_log_extends(old, new, [signer.verifier], ORIGIN, proof)
    error = caught.value
    assert (error.old.note, error.new.note, error.proof) == (old, new, proof)
    assert isinstance(error.__cause__, (RootMismatch, ProofError))
    with pytest.raises(InconsistentLog, match="smaller"):
        check_log_extends(new, old, [signer.verifier], ORIGIN, proof)


def test_verifier_key_round_trip_including_plus_signs_in_base64():
    keys = [NoteSigner("n", SigningKey.generate()).verifier for _ in range(64)]
    assert any("+" in key.to_string().split("+", 2)[2] for key in keys)
    assert all(NoteVerifier.from_string(key.to_string()) == key for key in keys)
