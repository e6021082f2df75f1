"""The trustee state directory: encrypted at rest, wrong passphrase clear, atomic and resumable, one election per file."""

from __future__ import annotations

import json

import pytest

from trustee_tools.state import RoundSecrets, TrusteeIdentity, TrusteeState
from trustee_tools.vault import Vault, VaultError


def test_round_trip_and_secrets_not_in_clear(tmp_path):
    identity = TrusteeIdentity.new("Alice")
    vault = Vault(tmp_path / "alice")
    vault.create("correct horse battery", identity, kdf="interactive")
    state = vault.load("town-2026")
    state.guardian = 2
    state.coefficients = ["AB" * 32]
    state.rounds["1"] = RoundSecrets(u=["CD" * 32])
    vault.save(state)
    for path in (tmp_path / "alice" / "trustee.vault", tmp_path / "alice" / "elections" / "town-2026.vault"):
        raw = path.read_text()
        assert identity.identity_seed not in raw and "AB" * 32 not in raw and "CD" * 32 not in raw
        assert path.stat().st_mode & 0o077 == 0
    reopened = Vault(tmp_path / "alice")
    assert reopened.open("correct horse battery") == identity
    assert reopened.load("town-2026") == state and reopened.elections() == ["town-2026"]
    public = json.loads((tmp_path / "alice" / "public.json").read_text())
    assert public == {"name": "Alice", "identity_key": identity.identity_public_key, "elections": {"town-2026": 2}}


def test_wrong_passphrase_and_damage_are_clear_errors(tmp_path):
    vault = Vault(tmp_path / "t")
    vault.create("correct horse battery", TrusteeIdentity.new("T"), kdf="interactive")
    with pytest.raises(VaultError, match="wrong passphrase"):
        Vault(tmp_path / "t").open("wrong horse battery")
    path = tmp_path / "t" / "trustee.vault"
    document = json.loads(path.read_text())
    document["ciphertext"] = document["ciphertext"][:-8] + "AAAAAAA="
    path.write_text(json.dumps(document))
    with pytest.raises(VaultError, match="wrong passphrase|altered"):
        Vault(tmp_path / "t").open("correct horse battery")
    path.write_text("{not json")
    with pytest.raises(VaultError, match="damaged"):
        Vault(tmp_path / "t").open("correct horse battery")
    with pytest.raises(VaultError, match="no trustee state"):
        Vault(tmp_path / "missing").open("x" * 10)


def test_create_refuses_short_passphrase_and_existing_state(tmp_path):
    with pytest.raises(VaultError, match="at least"):
        Vault(tmp_path / "a").create("short", TrusteeIdentity.new("A"), kdf="interactive")
    Vault(tmp_path / "b").create("long enough pass", TrusteeIdentity.new("B"), kdf="interactive")
    with pytest.raises(VaultError, match="already.*no new init"):
        Vault(tmp_path / "b").create("long enough pass", TrusteeIdentity.new("B"), kdf="interactive")


def test_save_after_open_keeps_key_and_updates(tmp_path):
    vault = Vault(tmp_path / "c")
    vault.create("long enough pass", TrusteeIdentity.new("C"), kdf="interactive")
    vault.open("long enough pass")
    state = vault.load("e1")
    state.guardian = 4
    vault.save(state)
    again = Vault(tmp_path / "c")
    again.open("long enough pass")
    assert again.load("e1").guardian == 4 and again.load("e2").guardian == 0  # a new election starts fresh


def test_an_election_file_under_another_name_or_key_is_refused(tmp_path):
    vault = Vault(tmp_path / "d")
    vault.create("long enough pass", TrusteeIdentity.new("D"), kdf="interactive")
    vault.save(TrusteeState(name="D", identity_seed=vault.identity.identity_seed, election_id="first", guardian=1))
    folder = tmp_path / "d" / "elections"
    (folder / "second.vault").write_bytes((folder / "first.vault").read_bytes())
    with pytest.raises(VaultError, match="holds the secrets of election 'first'"):
        vault.load("second")
    other = Vault(tmp_path / "e")
    other.create("long enough pass", TrusteeIdentity.new("E"), kdf="interactive")
    (tmp_path / "e" / "elections").mkdir()
    (tmp_path / "e" / "elections" / "first.vault").write_bytes((folder / "first.vault").read_bytes())
    with pytest.raises(VaultError, match="not written with this directory's key"):
        other.load("first")
    with pytest.raises(VaultError, match="not an election id"):
        vault.load("../escape")


def test_one_command_per_election_at_a_time(tmp_path):
    vault = Vault(tmp_path / "f")
    vault.create("long enough pass", TrusteeIdentity.new("F"), kdf="interactive")
    with vault.lock("e1"):
        with pytest.raises(VaultError, match="another evote-trustee command is working on election 'e1'"):
            with Vault(tmp_path / "f").lock("e1"):
                pass
        with Vault(tmp_path / "f").lock("e2"):  # another election of the same directory: allowed
            pass
    with Vault(tmp_path / "f").lock("e1"):
        pass
