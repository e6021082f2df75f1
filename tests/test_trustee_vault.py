"""The trustee state directory: encrypted at rest, wrong passphrase clear, atomic and resumable."""

from __future__ import annotations

import json

import pytest

from trustee_tools.state import RoundSecrets, TrusteeState
from trustee_tools.vault import Vault, VaultError


def test_round_trip_and_secrets_not_in_clear(tmp_path):
    state = TrusteeState.new("Alice")
    state.coefficients = ["AB" * 32]
    state.rounds["1"] = RoundSecrets(u=["CD" * 32])
    vault = Vault(tmp_path / "alice")
    vault.create("correct horse battery", state, kdf="interactive")
    raw = (tmp_path / "alice" / "trustee.vault").read_text()
    assert state.identity_seed not in raw and "AB" * 32 not in raw and "CD" * 32 not in raw
    assert (tmp_path / "alice" / "trustee.vault").stat().st_mode & 0o077 == 0
    loaded = Vault(tmp_path / "alice").open("correct horse battery")
    assert loaded == state
    public = json.loads((tmp_path / "alice" / "public.json").read_text())
    assert public["identity_key"] == state.identity_public_key and "identity_seed" not in public


def test_wrong_passphrase_and_damage_are_clear_errors(tmp_path):
    vault = Vault(tmp_path / "t")
    vault.create("correct horse battery", TrusteeState.new("T"), kdf="interactive")
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
        Vault(tmp_path / "a").create("short", TrusteeState.new("A"), kdf="interactive")
    Vault(tmp_path / "b").create("long enough pass", TrusteeState.new("B"), kdf="interactive")
    with pytest.raises(VaultError, match="already"):
        Vault(tmp_path / "b").create("long enough pass", TrusteeState.new("B"), kdf="interactive")


def test_save_after_open_keeps_key_and_updates(tmp_path):
    vault = Vault(tmp_path / "c")
    vault.create("long enough pass", TrusteeState.new("C"), kdf="interactive")
    state = vault.open("long enough pass")
    state.guardian = 4
    vault.save(state)
    assert Vault(tmp_path / "c").open("long enough pass").guardian == 4
