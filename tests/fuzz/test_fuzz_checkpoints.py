"""Fuzzing the signed checkpoints and notes a client is fed (bulletin_board/note.py, checkpoint.py,
client_checks.py) and the verifier-key strings (``NoteVerifier.from_string``).

Every malformed input must raise a :class:`~bulletin_board.errors.BoardError` naming what is wrong (the
clients turn exactly those into findings or one-line errors); a changed checkpoint must never verify.
"""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st
from nacl.signing import SigningKey

from bulletin_board.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint, verify_checkpoint
from bulletin_board.client_checks import check_entry_included, check_log_extends
from bulletin_board.errors import BoardError
from bulletin_board.merkle_hash import leaf_hash
from bulletin_board.merkle_hash import RootAccumulator
from bulletin_board.note import NoteSigner, NoteVerifier, parse_note

from .fuzz_support import fuzz_settings

ORIGIN = "fuzz.board/elections/e1"
SIGNER = NoteSigner("fuzz.board", SigningKey(bytes(range(32))))  # a fixed test key, public: never for production
VERIFIERS = (SIGNER.verifier,)
HASHES = [bytes([i]) * 32 for i in range(5)]


def _signed(size: int) -> str:
    accumulator = RootAccumulator()
    for digest in HASHES[:size]:
        accumulator.append_leaf(leaf_hash(digest))
    return sign_checkpoint(Checkpoint(ORIGIN, size, accumulator.root()), SIGNER).note


NOTE = _signed(3)


@st.composite
def changed_notes(draw, text: str) -> str:
    choice = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "line", "random"]))
    if choice == "random":
        return draw(st.text(max_size=300))
    i = draw(st.integers(0, len(text) - 1))
    if choice == "flip":
        return text[:i] + draw(st.characters(blacklist_categories=["Cs"]).filter(lambda c: c != text[i])) + text[i + 1 :]
    if choice == "insert":
        return text[:i] + draw(st.text(min_size=1, max_size=5)) + text[i:]
    if choice == "delete":
        return text[:i] + text[i + draw(st.integers(1, 5)) :]
    if choice == "truncate":
        return text[:i]
    lines = text.split("\n")
    lines.insert(
        draw(st.integers(0, len(lines))), draw(st.sampled_from(["", "— fuzz.board AAAA", "— other.board " + "A" * 96, "x"]))
    )
    return "\n".join(lines)


@fuzz_settings(400, deadline_seconds=2)
@given(note=changed_notes(NOTE))
def test_a_changed_checkpoint_never_verifies(note):
    assume(note != NOTE)
    for parse in (parse_note, parse_checkpoint):
        try:
            parse(note)
        except BoardError:
            pass
    try:
        signed = verify_checkpoint(note, VERIFIERS, origin=ORIGIN)
    except BoardError:
        return
    # A note may carry more signature lines than the verifier knows (C2SP signed-note): the body and our
    # signature line are then unchanged, which is the only way a changed note may verify.
    body, signature_line = NOTE.split("\n\n")[0], NOTE.split("\n\n")[1].rstrip("\n")
    assert note.split("\n\n")[0] == body and signature_line in note.split("\n"), (
        f"a changed checkpoint verified: {note!r} -> {signed}"
    )


@fuzz_settings(300, deadline_seconds=2)
@given(
    note=st.one_of(st.just(NOTE), changed_notes(NOTE)),
    seq=st.integers(-2, 6),
    proof=st.lists(st.one_of(st.sampled_from(HASHES), st.binary(max_size=40)), max_size=5),
    newer=st.one_of(st.just(_signed(5)), changed_notes(_signed(5))),
)
def test_client_checks_raise_only_board_errors(note, seq, proof, newer):
    for check in (
        lambda: check_entry_included(note, VERIFIERS, ORIGIN, seq, HASHES[seq % 5], proof),
        lambda: check_log_extends(note, newer, VERIFIERS, ORIGIN, proof),
    ):
        try:
            check()
        except BoardError:
            pass


@fuzz_settings(300, deadline_seconds=2)
@given(text=st.one_of(st.text(max_size=120), changed_notes(SIGNER.verifier.to_string())))
def test_verifier_keys_parse_or_raise_a_board_error(text):
    try:
        key = NoteVerifier.from_string(text)
    except BoardError:
        return
    assert key.to_string() == text or key == SIGNER.verifier, (text, key)
