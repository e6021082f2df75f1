"""Fuzzing the signed checkpoints and notes a client is fed (bulletin_board/log_format/note.py, checkpoint.py,
client_checks.py) and the verifier-key strings (``NoteVerifier.from_string``).

Every malformed input must raise a :class:`~bulletin_board.log_format.errors.BoardError` naming what is wrong (the
clients turn exactly those into findings or one-line errors); a changed checkpoint must never verify. A
signed note may carry signature lines of keys its verifier does not know (C2SP signed-note), so adding one
after the signatures changes nothing: the strategy adds such a line only inside the signed text. Each fuzzer
counts the examples that reached a signature check, a Merkle proof check, or the decoding of a key.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from nacl.signing import SigningKey

from bulletin_board.log_format import client_checks
from bulletin_board.log_format.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint, verify_checkpoint
from bulletin_board.log_format.client_checks import check_entry_included, check_log_extends
from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.merkle_hash import RootAccumulator, leaf_hash
from bulletin_board.log_format.note import NoteSigner, NoteVerifier, parse_note

from .fuzz_support import fuzz_settings
from .reach import At, Reach

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


FOREIGN_SIGNATURE = "— other.board " + "A" * 96  # a well-formed signature line by a key nobody here knows


@st.composite
def changed_notes(draw, text: str) -> str:
    """``text`` (a signed note) with one change, never none: a character flipped, inserted or deleted, the
    text truncated, a line added, or random text. A foreign signature line goes into the signed text only:
    among the signatures, a verifier ignores it and the note is unchanged."""
    choice = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "line", "random"]))
    if choice == "random":
        return draw(st.text(max_size=300).filter(lambda t: t != text))
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
    line = draw(st.sampled_from(["", "— fuzz.board AAAA", FOREIGN_SIGNATURE, "x"]))
    last = lines.index("") if line == FOREIGN_SIGNATURE and "" in lines else len(lines)  # a blank line ends the signed text
    lines.insert(draw(st.integers(0, last)), line)
    return "\n".join(lines)


def test_a_changed_checkpoint_never_verifies():
    reach = Reach("changed checkpoints", signature=At(NoteVerifier, "verify"))  # parsed far enough to check our signature

    @fuzz_settings(400, deadline_seconds=2)
    @given(note=changed_notes(NOTE))
    def examples(note):
        assert note != NOTE, "the strategy returned the note unchanged"
        for parse in (parse_note, parse_checkpoint):
            try:
                parse(note)
            except BoardError:
                pass
        with reach.example():
            try:
                signed = verify_checkpoint(note, VERIFIERS, origin=ORIGIN)
            except BoardError:
                return
        raise AssertionError(f"a changed checkpoint verified: {note!r} -> {signed}")

    with reach.watching():
        examples()
    reach.require(signature=0.2)


def test_client_checks_raise_only_board_errors():
    reach = Reach(
        "client checks", inclusion=At(client_checks, "verify_inclusion"), consistency=At(client_checks, "verify_consistency")
    )

    @fuzz_settings(300, deadline_seconds=2)
    @given(
        note=st.one_of(st.just(NOTE), changed_notes(NOTE)),
        seq=st.integers(-2, 6),
        proof=st.lists(st.one_of(st.sampled_from(HASHES), st.binary(max_size=40)), max_size=5),
        newer=st.one_of(st.just(_signed(5)), changed_notes(_signed(5))),
    )
    def examples(note, seq, proof, newer):
        with reach.example():
            for check in (
                lambda: check_entry_included(note, VERIFIERS, ORIGIN, seq, HASHES[seq % 5], proof),
                lambda: check_log_extends(note, newer, VERIFIERS, ORIGIN, proof),
            ):
                try:
                    check()
                except BoardError:
                    pass

    with reach.watching():
        examples()
    reach.require(inclusion=0.25, consistency=0.08)


def test_verifier_keys_parse_or_raise_a_board_error():
    reach = Reach("verifier keys")

    @fuzz_settings(300, deadline_seconds=2)
    @given(text=st.one_of(st.text(max_size=120), changed_notes(SIGNER.verifier.to_string())))
    def examples(text):
        with reach.example():
            try:
                key = NoteVerifier.from_string(text)
            except BoardError as error:
                if "must be <name>+" not in str(error):
                    reach.mark("decoded")  # past the form name+keyid+base64: the key data was read
                return
            reach.mark("decoded")
        assert key.to_string() == text or key == SIGNER.verifier, (text, key)

    with reach.watching():
        examples()
    reach.require(decoded=0.2)
