"""Erase the private credentials once the cards are delivered, and say so (issue 17 item 1).

Once every card is out, the registrar no longer needs the link between voters and credentials, and keeping
it is a risk: whoever holds it can vote for any abstainer. :func:`erase_credentials` overwrites
``credentials.vault`` with random bytes, fsyncs, unlinks it and fsyncs the directory, then writes
``erased.json`` (the statement to publish) so that no later command makes a card from a stale copy.

What this cannot guarantee, said plainly: on an SSD, flash memory or a copy-on-write or journaling file
system the old blocks may survive the overwrite, and a backup, a snapshot or a copy made earlier (the
printed cards, a print shop's spool, a mail server's queue) is out of reach. The file was only ever
written sealed under the passphrase, so what survives is ciphertext; keep the state directory on an
encrypted disk and destroy the disk, or the passphrase, when the election is over.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from .issuing import COMMITMENT_FILE, CREDENTIALS_FILE, ERASED_FILE, IssueError, read_json
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
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.write(os.urandom(size))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
    fsync_directory(directory)
    election_id = public_list.get("election_id") if isinstance(public_list, dict) else None
    count = len(public_list.get("credentials", [])) if isinstance(public_list, dict) else None
    roll_sha256 = commitment.get("roll_sha256") if isinstance(commitment, dict) else None
    erased_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    statement = {
        # one line of text: the body of the registrar.erased entry of the board step (registrar/publish.py)
        "statement": (
            f"The registrar {registrar_name} (public key {registrar_public_key}) erased its private copy of the {count} "
            f"credentials of election {election_id} (which voter holds which credential; roll SHA-256 {roll_sha256}) at {erased_at}."
        ),
        "election_id": election_id,
        "registrar_public_key": registrar_public_key,
        "credentials": count,
        "roll_sha256": roll_sha256,
        "erased_at": erased_at,
    }
    atomic_write(directory / ERASED_FILE, (json.dumps(statement, indent=1) + "\n").encode(), mode=0o644)
    return statement
