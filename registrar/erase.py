"""Erase the private credentials once the cards are delivered, and say so (issue 17 item 1).

Once every card is out, the registrar no longer needs the link between voters and credentials, and keeping
it is a risk: whoever holds it can vote for any abstainer. :func:`erase_credentials` overwrites
``credentials.vault`` with random bytes, fsyncs, unlinks it and fsyncs the directory, then writes
``erased.json`` (the statement to publish) so that no later command makes a card from a stale copy.

What this cannot guarantee, said plainly: on an SSD, flash memory or a copy-on-write or journaling file
system the old blocks may survive the overwrite, and a backup, a snapshot or a copy made earlier (the
printed cards, a print shop's spool, a mail server's queue) is out of reach. The voter keys (``voter-keys.vault``: which voter holds which public key, no credential) stay, sealed, so that
a lost card can still be replaced by voter id; ``erase_voter_keys`` destroys them after the election. The file was only ever
written sealed under the passphrase, so what survives is ciphertext; keep the state directory on an
encrypted disk and destroy the disk, or the passphrase, when the election is over.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from .issuing import COMMITMENT_FILE, CREDENTIALS_FILE, ERASED_FILE, VOTER_KEYS_FILE, IssueError, read_json
from .vault import atomic_write, fsync_directory


def erase_credentials(directory: Path, registrar_name: str, registrar_public_key: str) -> dict[str, Any]:
    """Destroy the sealed private file; returns the statement (also written to erased.json)."""
    path = directory / CREDENTIALS_FILE
    if (directory / ERASED_FILE).exists():
        raise IssueError(f"the credentials of {directory} were already erased (see {ERASED_FILE})")
    if not path.exists():
        raise IssueError(f"{directory} holds no private credentials to erase")
    public_list = read_json(directory / "credential-list.json")
    commitment = read_json(directory / COMMITMENT_FILE)
    shred(path)
    election_id = public_list.get("election_id") if isinstance(public_list, dict) else None
    count = len(public_list.get("credentials", [])) if isinstance(public_list, dict) else None
    roll_sha256 = commitment.get("roll_sha256") if isinstance(commitment, dict) else None
    erased_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    statement = {
        # one line of text: the body of the registrar.erased entry of the board step (registrar/publish.py)
        "statement": (
            f"The registrar {registrar_name} (public key {registrar_public_key}) erased its private copy of the {count} "
            f"credentials of election {election_id} (which voter holds which credential; roll SHA-256 {roll_sha256}) at {erased_at}. "
            "It keeps, sealed, which voter holds which public key, to replace a lost card, until it erases that too."
        ),
        "election_id": election_id,
        "registrar_public_key": registrar_public_key,
        "credentials": count,
        "roll_sha256": roll_sha256,
        "erased_at": erased_at,
    }
    atomic_write(directory / ERASED_FILE, (json.dumps(statement, indent=1) + "\n").encode(), mode=0o644)
    return statement


def shred(path: Path) -> None:
    """Overwrite ``path`` with random bytes, fsync, unlink, fsync the directory (see the module docstring)."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.write(os.urandom(size))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
    fsync_directory(path.parent)


def erase_voter_keys(directory: Path) -> dict[str, Any]:
    """Destroy ``voter-keys.vault`` (the sealed voter ↔ public-key link, registrar/voter_keys.py) once no card
    can be lost any more: after it, nothing links a voter to a credential on the registrar's side. erased.json
    then holds a second statement saying so (posted as another ``registrar.erased`` with ``--board``)."""
    if not (directory / ERASED_FILE).exists():
        raise IssueError("erase the private credentials first (the voter keys are what replaces a lost card after that)")
    path = directory / VOTER_KEYS_FILE
    if path.exists():
        shred(path)
    statement = read_json(directory / ERASED_FILE)
    if "voter_keys_erased_at" not in statement:
        statement["voter_keys_erased_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        statement["statement"] = (
            f"The registrar (public key {statement['registrar_public_key']}) erased its sealed copy of which voter holds which "
            f"public key for election {statement['election_id']} at {statement['voter_keys_erased_at']}: it can no longer link "
            "a voter to a credential."
        )
        atomic_write(directory / ERASED_FILE, (json.dumps(statement, indent=1) + "\n").encode(), mode=0o644)
    return statement
