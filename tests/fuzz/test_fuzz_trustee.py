"""Fuzzing what ``evote-trustee`` reads (trustee_tools/cli.py, vault.py, state.py): a mutated vault file, and
a board that serves mutated entries (another trustee's share or complaint with a changed field, a rewritten
link of the chain) to the trustee's follower (bulletin_board/client.py ``ElectionFollower``).

Each must end in an error the command prints as one line (cli._run catches exactly these), never a
traceback or a hang, and never with the passphrase or a secret in its text.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bulletin_board.client import BoardClient, BoardClientError
from bulletin_board.errors import BoardError
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

PASSPHRASE = "fuzzing passphrase, test only"
CLEAN_ERRORS = (steps.Waiting, steps.Refusal, BoardClientError, BoardError, VaultError, VotingError)  # trustee_tools/cli.py _run


@pytest.fixture(scope="module")
def vault_file(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fuzz-vault")
    state = TrusteeState.new("Fuzz Trustee")
    Vault(directory).create(PASSPHRASE, state, kdf="interactive")
    return directory, (directory / "trustee.vault").read_bytes(), state


@fuzz_settings(60, deadline_seconds=10, weight=0.2)
@given(data=st.data())
def test_a_mutated_vault_is_a_clean_error(vault_file, tmp_path_factory, data):
    directory, original, state = vault_file
    raw = data.draw(raw_mutations(json.loads(original)), label="vault file")
    before = json.loads(original)
    assume(not strictly_equal(known_part(json.loads(raw), before) if _json(raw) else None, before))  # unknown keys are ignored
    target = tmp_path_factory.mktemp("vault")
    (target / "trustee.vault").write_bytes(raw)
    try:
        Vault(target).open(PASSPHRASE)
    except VaultError as exc:
        assert PASSPHRASE not in str(exc) and state.identity_seed.upper() not in str(exc).upper(), str(exc)
        return
    raise AssertionError(f"a changed vault opened: {raw[:300]!r}")


def _json(raw: bytes) -> bool:
    try:
        json.loads(raw)
        return True
    except ValueError:
        return False


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


@fuzz_settings(120, deadline_seconds=10)
@given(data=st.data())
def test_the_follower_refuses_mutated_entries_cleanly(served, data):
    entries = json.loads(json.dumps(served))
    i = data.draw(st.integers(0, len(entries) - 1), label="entry")
    entries[i] = data.draw(mutated(entries[i]), label="mutated entry")
    assume(not strictly_equal(known_part(_as_served(entries[i]), served[i]), served[i]))  # unknown keys are ignored
    follower = _ServingBoard(entries).follow("fuzz-follow")
    try:
        follower.refresh()
    except CLEAN_ERRORS:
        return
    raise AssertionError(f"a changed entry {i} was followed: {differences(served[i], entries[i])}")


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
