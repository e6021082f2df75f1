"""Issue an election's credentials from the roll: the sealed private file, the public list, the roll commitment.

``issue`` gives each voter one fresh credential (voting/credential_issuing.py, record-format §4) and returns
three things, written by :func:`save`:

- ``credentials.vault``: voter id ↔ credential with each voter's style, weight, e-mail, language and postal
  lines, sealed under the registrar's passphrase (registrar/vault.py). It links voters to ballots, so it is
  never on disk in plaintext, and ``evote-registrar erase`` destroys it after delivery.
- ``voter-keys.vault``: the same voters with their credentials' public keys only, sealed too: what
  ``revoke`` and ``replace`` use to find a voter's card after the erasure (registrar/voter_keys.py).
- ``credential-list.json``: the public version-2 list body (public key, style, weight per credential, sorted
  by key; voting/credential_list.py), which the registrar signs and posts (registrar/publish.py).
- ``roll-commitment.json``: ``{"roll_sha256", "voters_per_style", "total_weight", "voters"}``: the SHA-256 of
  the roll file's bytes (hex), the number of voters of each style, the sum of the weights and the number of
  voters. Published with the list, it lets anyone compare the list with the roll the administrator handed
  over, and a voter who is shown the roll check their own line (the "fake voters" detail of issue 17).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voting.credential_issuing import issue_credentials
from voting.credentials import new_credential
from voting.errors import ManifestError
from voting.manifest import Manifest, parse_manifest
from voting.voter_roll_delivery import Voter, parse_registrar_roll, voter_of

from .vault import Vault, VaultError, atomic_write

CREDENTIALS_FILE = "credentials.vault"
CREDENTIALS_KIND = "credentials"
LIST_FILE = "credential-list.json"
COMMITMENT_FILE = "roll-commitment.json"
MANIFEST_FILE = "manifest.json"
ERASED_FILE = "erased.json"
VOTER_KEYS_FILE = "voter-keys.vault"  # registrar/voter_keys.py
VOTER_KEYS_KIND = "voter-keys"


class IssueError(Exception):
    """The credentials cannot be issued or read back; the message says why in one sentence."""


@dataclass(frozen=True)
class Holder:
    """One voter with their credential (secret) and its public key for the election."""

    voter: Voter
    credential: str = field(repr=False)
    public_key: str


@dataclass(frozen=True)
class Issued:
    election_id: str
    manifest: Manifest
    holders: tuple[Holder, ...]
    public_list: dict[str, Any]
    roll_commitment: dict[str, Any]
    warnings: tuple[str, ...] = ()


def roll_commitment(roll_bytes: bytes, voters: list[Voter]) -> dict[str, Any]:
    """The public commitment to the roll (module docstring)."""
    per_style = Counter(v.style for v in voters)
    return {
        "roll_sha256": hashlib.sha256(roll_bytes).hexdigest(),
        "voters_per_style": dict(sorted(per_style.items())),
        "total_weight": sum(v.weight for v in voters),
        "voters": len(voters),
    }


def issue(
    roll_bytes: bytes,
    election_id: str,
    manifest: Manifest,
    max_weight: int,
    default_language: str = "en",
    make_credential: Callable[[], str] = new_credential,
) -> Issued:
    """One fresh credential per voter of the roll in ``roll_bytes``; raises RollError naming the roll's problems."""
    roll = parse_registrar_roll(roll_bytes, (s.label for s in manifest.ballot_styles), max_weight, default_language)
    issued = issue_credentials(election_id, roll, make_credential)
    voters = [voter_of(entry, default_language) for entry in roll.entries]
    holders = tuple(Holder(voter, c.credential, c.public_key) for voter, c in zip(voters, issued.issued, strict=True))
    return Issued(
        election_id, manifest, holders, issued.public_payload(), roll_commitment(roll_bytes, voters), tuple(issued.warnings(manifest))
    )


def save(vault: Vault, issued: Issued) -> None:
    """Seal the private file, then write the public ones. Refuses to replace credentials already issued."""
    directory = vault.directory
    for existing in (CREDENTIALS_FILE, LIST_FILE, ERASED_FILE):
        if (directory / existing).exists():
            raise IssueError(
                f"{directory / existing} exists: this directory already issued credentials (for one election); "
                "refusing to replace credentials that may have been handed out"
            )
    voters = [
        {
            "voter_id": h.voter.voter_id, "credential": h.credential, "public_key": h.public_key, "style": h.voter.style,
            "weight": h.voter.weight, "email": h.voter.email, "language": h.voter.language, "postal": list(h.voter.postal),
        }
        for h in issued.holders
    ]  # fmt: skip
    private = {"election_id": issued.election_id, "voters": voters}
    vault.seal(CREDENTIALS_FILE, CREDENTIALS_KIND, private)
    vault.seal(VOTER_KEYS_FILE, VOTER_KEYS_KIND, voter_keys_of(private))
    _write_json(directory / MANIFEST_FILE, issued.manifest.document)
    _write_json(directory / COMMITMENT_FILE, issued.roll_commitment)
    _write_json(directory / LIST_FILE, issued.public_list)


def voter_keys_of(private: dict[str, Any]) -> dict[str, Any]:
    """The voter-keys document (registrar/voter_keys.py) of a credentials document: the same voters with the
    public keys of their credentials, never the credentials."""
    voters = [
        {"voter_id": v["voter_id"], "public_key": v["public_key"], "style": v["style"], "weight": v["weight"], "email": v["email"],
         "language": v["language"], "postal": list(v["postal"]), "replaced": [], "revoked": False, "pending": None}
        for v in private["voters"]
    ]  # fmt: skip
    return {"election_id": private["election_id"], "voters": voters}


def load(vault: Vault) -> Issued:
    """The election issued in ``vault``'s directory (the vault open); raises IssueError when there is none."""
    directory = vault.directory
    if (directory / ERASED_FILE).exists():
        raise IssueError(f"the private credentials of {directory} were erased (see {ERASED_FILE}): no card can be made any more")
    if not (directory / CREDENTIALS_FILE).exists():
        raise IssueError(f"{directory} holds no credentials: run 'evote-registrar issue' first")
    try:
        private = vault.unseal(CREDENTIALS_FILE, CREDENTIALS_KIND)
        manifest = parse_manifest(read_json(directory / MANIFEST_FILE))
        public_list, commitment = read_json(directory / LIST_FILE), read_json(directory / COMMITMENT_FILE)
    except ManifestError as exc:
        raise IssueError(f"{directory / MANIFEST_FILE} is damaged: {exc}") from None
    except VaultError as exc:
        raise IssueError(str(exc)) from None
    holders = tuple(
        Holder(Voter(v["voter_id"], v["style"], v["weight"], v["email"], v["language"], tuple(v["postal"])), v["credential"], v["public_key"])
        for v in private["voters"]
    )
    return Issued(private["election_id"], manifest, holders, public_list, commitment)


def public_part(directory: Path, election_id: str, holders: tuple[Holder, ...]) -> Issued:
    """An :class:`Issued` for ``holders`` from the directory's public files only (manifest, list, commitment):
    what a replacement card is made from after ``erase`` destroyed the private credentials."""
    try:
        manifest = parse_manifest(read_json(directory / MANIFEST_FILE))
    except ManifestError as exc:
        raise IssueError(f"{directory / MANIFEST_FILE} is damaged: {exc}") from None
    return Issued(election_id, manifest, holders, read_json(directory / LIST_FILE), read_json(directory / COMMITMENT_FILE))


def update_private(vault: Vault, voter_id: str, credential: str, public_key: str) -> bool:
    """Give ``voter_id`` a new credential in ``credentials.vault`` (a replacement card), when it still exists;
    returns whether it did (after ``erase`` there is nothing to update)."""
    directory = vault.directory
    if (directory / ERASED_FILE).exists() or not (directory / CREDENTIALS_FILE).exists():
        return False
    private = vault.unseal(CREDENTIALS_FILE, CREDENTIALS_KIND)
    for voter in private["voters"]:
        if voter["voter_id"] == voter_id:
            voter["credential"], voter["public_key"] = credential, public_key
    vault.seal(CREDENTIALS_FILE, CREDENTIALS_KIND, private)
    return True


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IssueError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise IssueError(f"{path} is not a readable JSON file ({type(exc).__name__})") from None


def _write_json(path: Path, document: Any) -> None:
    atomic_write(path, (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8"), mode=0o644)
