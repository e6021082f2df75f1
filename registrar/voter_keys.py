"""The sealed voter ↔ public-key file: how the registrar finds a voter's card on the board after erasing.

``voter-keys.vault`` (kind ``voter-keys``) holds, for each voter of the roll, the public key of their current
credential (never the credential itself), its style and weight, the delivery fields (e-mail, language,
postal lines) and the history: the keys it replaced and whether it was revoked. It lets the registrar revoke
or replace a card *by voter id* after ``erase`` destroyed ``credentials.vault``. It still links voters to
ballots (a public key is what a ballot is signed with), so it is sealed under the registrar's passphrase
like every secret file (registrar/vault.py) and never handed to anyone; ``erase --voter-keys`` destroys it
once no card can be lost any more (after the election closes).

A replacement in progress keeps the new credential here, sealed, under ``pending`` until the board accepted
it and the new card is written: running ``replace`` again finishes it instead of issuing a second one.
"""

from __future__ import annotations

from typing import Any

from .issuing import CREDENTIALS_FILE, CREDENTIALS_KIND, ERASED_FILE, VOTER_KEYS_FILE, VOTER_KEYS_KIND, IssueError, voter_keys_of
from .vault import Vault, VaultError


def seal_voter_keys(vault: Vault, document: dict[str, Any]) -> None:
    vault.seal(VOTER_KEYS_FILE, VOTER_KEYS_KIND, document)


def load_voter_keys(vault: Vault) -> dict[str, Any]:
    """The document (module docstring); made from ``credentials.vault`` the first time for a directory issued
    before this file existed. Raises IssueError when the directory has neither."""
    directory = vault.directory
    try:
        if (directory / VOTER_KEYS_FILE).exists():
            return dict(vault.unseal(VOTER_KEYS_FILE, VOTER_KEYS_KIND))
        if (directory / CREDENTIALS_FILE).exists():
            document = voter_keys_of(vault.unseal(CREDENTIALS_FILE, CREDENTIALS_KIND))
            seal_voter_keys(vault, document)
            return document
    except VaultError as exc:
        raise IssueError(str(exc)) from None
    if (directory / ERASED_FILE).exists():
        raise IssueError(f"the voter keys of {directory} were erased (erase --voter-keys): a card can only be named by its public key now")
    raise IssueError(f"{directory} holds no voter keys ({VOTER_KEYS_FILE}): run 'evote-registrar issue' first")


def voter_entry(document: dict[str, Any], voter_id: str) -> dict[str, Any]:
    for voter in document["voters"]:
        if voter["voter_id"] == voter_id:
            return voter
    raise IssueError(f"--voter-id {voter_id!r}: no voter of this directory's roll has this id")

