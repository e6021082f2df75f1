"""Fuzzing what ``evote-trustee`` reads (trustee_tools/cli.py, vault.py, state.py): a mutated vault file, and
a board that serves mutated entries (another trustee's share or complaint with a changed field, a rewritten
link of the chain) to the trustee's follower (bulletin_board/log_format/client.py ``ElectionFollower``).

Each must end in an error the command prints as one line (cli._run catches exactly these), never a
traceback or a hang, and never with the passphrase or a secret in its text. The readers ignore unknown keys
(and the follower reads the two link hashes as hex, where case is an encoding); the strategies never make
such a change, so every change they make must be refused. Each fuzzer counts the examples that got past the
vault's header to the key derivation and its MAC, or past the entry's form to the chain's checks.
"""

from __future__ import annotations

import base64
import binascii
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulletin_board.election_follower import ElectionFollower
from bulletin_board.log_format.client import BoardClient, BoardClientError
from bulletin_board.log_format.errors import BoardError, ChainBroken
from trustee_tools import steps
from trustee_tools.state import TrusteeState
from trustee_tools.vault import Vault, VaultError
from voting.errors import VotingError

from .fuzz_support import (
    EvoteWorld,
    differences,
    fuzz_board_app,
    fuzz_settings,
    known_part,
    mutated,
    raw_mutations,
    strictly_equal,
)
from .reach import At, Reach

PASSPHRASE = "fuzzing passphrase, test only"
CLEAN_ERRORS = (steps.Waiting, steps.Refusal, BoardClientError, BoardError, VaultError, VotingError)  # trustee_tools/cli.py _run


@pytest.fixture(scope="module")
def vault_file(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fuzz-vault")
    state = TrusteeState.new("Fuzz Trustee")
    Vault(directory).create(PASSPHRASE, state, kdf="interactive")
    return directory, (directory / "trustee.vault").read_bytes(), state


def same_vault(value, original) -> bool:
    """Whether a vault document holds the values of ``original``: unknown keys are ignored, and the salt and
    ciphertext are read as base64, where some strings decode to the same bytes (unused low bits)."""

    def decoded_fields(document):
        if not isinstance(document, dict):
            return document
        out = known_part(document, original)
        for name in ("salt", "ciphertext"):
            try:
                out[name] = base64.b64decode(out[name], validate=True).hex()
            except (KeyError, TypeError, ValueError, binascii.Error):
                pass
        return out

    return strictly_equal(decoded_fields(value), decoded_fields(original))


@st.composite
def sealed_changes(draw, document: dict) -> bytes:
    """The vault with its header intact and one bit of its salt or ciphertext flipped, or the ciphertext cut
    short (still base64): changes only the key derivation and the MAC can tell (other strengths than the
    vault's own are left out: deriving a key with them takes seconds)."""
    name = draw(st.sampled_from(["salt", "ciphertext", "ciphertext"]))
    data = bytearray(base64.b64decode(document[name]))
    if name == "ciphertext" and draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data) - 1))]
    else:
        data[draw(st.integers(0, len(data) - 1))] ^= 1 << draw(st.integers(0, 7))
    return json.dumps(dict(document, **{name: base64.b64encode(bytes(data)).decode()})).encode()


def test_a_mutated_vault_is_a_clean_error(vault_file, tmp_path_factory):
    directory, original, state = vault_file
    before = json.loads(original)
    reach = Reach("mutated vaults", kdf=At(Vault, "_derive"))  # a header evote writes: Argon2id, then the MAC

    @fuzz_settings(60, deadline_seconds=10, weight=0.2)
    @given(data=st.data())
    def examples(data):
        raw = data.draw(
            st.one_of(raw_mutations(before, same=same_vault, unknown_keys=False), sealed_changes(before)), label="vault file"
        )
        target = tmp_path_factory.mktemp("vault")
        (target / "trustee.vault").write_bytes(raw)
        with reach.example():
            try:
                Vault(target).open(PASSPHRASE)
            except VaultError as exc:
                assert PASSPHRASE not in str(exc) and state.identity_seed.upper() not in str(exc).upper(), str(exc)
                return
        raise AssertionError(f"a changed vault opened: {raw[:300]!r}")

    with reach.watching():
        examples()
    reach.require(kdf=0.15)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The entries a board serves for an election whose key ceremony had a complaint, as the API's JSON."""
    app = fuzz_board_app(tmp_path_factory.mktemp("fuzz-follow"))
    world = EvoteWorld(app.test_client(), election_id="fuzz-follow", n=3, k=2, voters=1)
    world.keygen_with_complaint(complainer=3, accused=2)
    return world.entries()


class _ServingBoard(BoardClient):
    """A board (no network) that serves the given entries page: what a dishonest operator can answer."""

    def __init__(self, entries):
        super().__init__("http://board.invalid")
        self.page = entries

    def get(self, path):
        return {"entries": self.page if "start=0" in path else []}


def same_entry(value, original) -> bool:
    return strictly_equal(known_part(_as_served(value), original), original)


def test_the_follower_refuses_mutated_entries_cleanly(served):
    reach = Reach("entries the follower refuses")

    @fuzz_settings(120, deadline_seconds=10)
    @given(data=st.data())
    def examples(data):
        entries = json.loads(json.dumps(served))
        i = data.draw(st.integers(0, len(entries) - 1), label="entry")
        entries[i] = data.draw(
            mutated(entries[i], same=same_entry, unknown_keys=False, hex_encodings=False), label="mutated entry"
        )
        follower = ElectionFollower(_ServingBoard(entries), "fuzz-follow")
        with reach.example():
            try:
                follower.refresh()
            except CLEAN_ERRORS as error:
                if not (isinstance(error, ChainBroken) and error.check == "entry"):
                    reach.mark("checked")  # the entry had its form: the chain's links or the rules refused it
                return
        raise AssertionError(f"a changed entry {i} was followed: {differences(served[i], entries[i])}")

    with reach.watching():
        examples()
    reach.require(checked=0.4)


def _as_served(entry):
    """The client reads the two link hashes with bytes.fromhex: their case and spaces are encodings."""
    if not isinstance(entry, dict):
        return entry
    copy = dict(entry)
    for name in ("prev_hash", "entry_hash"):
        try:
            copy[name] = bytes.fromhex(copy[name]).hex().upper()
        except (KeyError, TypeError, ValueError):
            pass
    return copy
