"""A trustee's state directory: secrets encrypted at rest under a passphrase, one identity for many elections.

Argon2id (PyNaCl ``pwhash.argon2id``) derives a 256-bit key from the passphrase and a random salt;
``SecretBox`` (XSalsa20-Poly1305) encrypts every secret file with it. A wrong passphrase or a damaged file is a
clear :class:`VaultError`, never a traceback. Writes are atomic (temporary file, fsync, rename; mode 0600), so
a process killed mid-write leaves the previous state intact. The directory holds::

    trustee.vault             the KDF header and, encrypted, the identity (name, Ed25519 seed)
    elections/<id>.vault      one election's secrets, encrypted with the same key; its plaintext names the
                              election, so a file renamed to another election's name is refused
    public.json               what others may see: name, identity public key, each election's guardian index

A directory written before one trustee could serve several elections (``trustee.vault`` holding one
election's state) is migrated by the first ``open``: the election's secrets go to ``elections/<id>.vault``
first, then ``trustee.vault`` is rewritten with the identity alone, each step atomic; a migration stopped
between the two steps is simply done again from the old file. A command working on an election holds
``elections/<id>.lock``, so two processes never write one election's secrets at once.
"""

from __future__ import annotations

import base64
import fcntl
import hmac
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils

from bulletin_board.log_format.entry import ELECTION_ID_PATTERN

from .state import STATE_VERSION, TrusteeIdentity, TrusteeState

VAULT_FILE = "trustee.vault"
PUBLIC_FILE = "public.json"
ELECTIONS_DIR = "elections"
VAULT_FORMAT = "evote-trustee-vault-1"
ELECTION_FORMAT = "evote-trustee-election-1"
KDF_LIMITS = {
    "interactive": (nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE),
    "moderate": (nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE),
    "sensitive": (nacl.pwhash.argon2id.OPSLIMIT_SENSITIVE, nacl.pwhash.argon2id.MEMLIMIT_SENSITIVE),
}
MIN_PASSPHRASE = 8


class VaultError(Exception):
    """The state directory cannot be opened or written; the message says why (never the passphrase)."""


def _atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class Vault:
    """The state directory of one trustee; ``open`` derives the key once per process."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self._box: nacl.secret.SecretBox | None = None
        self._header: dict[str, Any] | None = None
        self.identity: TrusteeIdentity | None = None

    @property
    def path(self) -> Path:
        return self.directory / VAULT_FILE

    def exists(self) -> bool:
        return self.path.exists()

    def election_path(self, election_id: str) -> Path:
        if not isinstance(election_id, str) or not ELECTION_ID_PATTERN.fullmatch(election_id):
            raise VaultError(f"{election_id!r} is not an election id (1-64 letters, digits, '.', '_' or '-')")
        return self.directory / ELECTIONS_DIR / f"{election_id}.vault"

    def create(self, passphrase: str, identity: TrusteeIdentity, *, kdf: str = "moderate") -> None:
        if self.exists():
            raise VaultError(f"{self.directory} already holds a trustee state; it can serve any number of elections, no new init is needed")
        if len(passphrase) < MIN_PASSPHRASE:
            raise VaultError(f"the passphrase needs at least {MIN_PASSPHRASE} characters")
        if kdf not in KDF_LIMITS:
            raise VaultError(f"unknown key-derivation strength {kdf!r}")
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        ops, mem = KDF_LIMITS[kdf]
        salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
        self._header = {"format": VAULT_FORMAT, "kdf": "argon2id", "opslimit": ops, "memlimit": mem, "salt": base64.b64encode(salt).decode()}
        self._box = nacl.secret.SecretBox(self._derive(passphrase, salt, ops, mem))
        self.identity = TrusteeIdentity(identity.name, identity.identity_seed)
        self._write_identity()
        self._write_public({})

    @staticmethod
    def _derive(passphrase: str, salt: bytes, ops: int, mem: int) -> bytes:
        return nacl.pwhash.argon2id.kdf(nacl.secret.SecretBox.KEY_SIZE, passphrase.encode("utf-8"), salt, opslimit=ops, memlimit=mem)

    def open(self, passphrase: str) -> TrusteeIdentity:
        """Derive the key, read the identity; a single-election directory of an older release is migrated."""
        if not self.exists():
            raise VaultError(f"{self.directory} holds no trustee state; run 'evote-trustee init' first")
        try:
            document = json.loads(self.path.read_text())
            header = {k: document[k] for k in ("format", "kdf", "opslimit", "memlimit", "salt")}
            if header["format"] != VAULT_FORMAT or header["kdf"] != "argon2id":
                raise VaultError(f"{self.path} is not an evote trustee state file")
            salt = base64.b64decode(header["salt"], validate=True)
            ciphertext = base64.b64decode(document["ciphertext"], validate=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise VaultError(f"{self.path} is damaged or unreadable ({type(exc).__name__})") from None
        # only the strengths `create` writes: a damaged header must not make Argon2id run for hours or fail
        if (header["opslimit"], header["memlimit"]) not in KDF_LIMITS.values() or len(salt) != nacl.pwhash.argon2id.SALTBYTES:
            raise VaultError(f"{self.path} is damaged: its key-derivation parameters are not ones evote writes")
        box = nacl.secret.SecretBox(self._derive(passphrase, salt, header["opslimit"], header["memlimit"]))
        try:
            plaintext = json.loads(box.decrypt(ciphertext))
        except nacl.exceptions.CryptoError:
            raise VaultError("wrong passphrase (or the state file was altered)") from None
        self._box, self._header = box, header
        if plaintext.get("version") == STATE_VERSION:  # a single-election directory: migrate it
            with self._locked(self.directory / ".migrate.lock"):
                self._migrate(TrusteeState.from_json(plaintext))
        else:
            try:
                self.identity = TrusteeIdentity.from_json(plaintext)
            except (ValueError, KeyError) as exc:
                raise VaultError(f"{self.path} was written by another version of evote-trustee ({exc})") from None
        return self._opened()[0]

    def _migrate(self, old: TrusteeState) -> None:
        self.identity = TrusteeIdentity(old.name, old.identity_seed)
        if old.election_id:
            self._write_election(old)  # first the election's secrets, then the identity alone: a crash between
        self._write_identity()  # the two leaves the old file, and the next open migrates again from it
        self._write_public({old.election_id: old.guardian} if old.election_id else {})

    def elections(self) -> list[str]:
        """The elections this directory holds secrets for (no passphrase needed), sorted."""
        folder = self.directory / ELECTIONS_DIR
        found = sorted(p.name[: -len(".vault")] for p in folder.glob("*.vault")) if folder.is_dir() else []
        if not found and self.exists():  # an older single-election directory not opened since
            legacy = self._public().get("election_id")
            found = [legacy] if legacy else []
        return found

    def load(self, election_id: str) -> TrusteeState:
        """This trustee's state in ``election_id``: its saved secrets, or a fresh state for a new election."""
        identity, box = self._opened()
        path = self.election_path(election_id)
        if not path.exists():
            return identity.election(election_id)
        try:
            document = json.loads(path.read_text())
            if document["format"] != ELECTION_FORMAT:
                raise ValueError("format")
            ciphertext = base64.b64decode(document["ciphertext"], validate=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise VaultError(f"{path} is damaged or unreadable ({type(exc).__name__})") from None
        try:
            data = json.loads(box.decrypt(ciphertext))
        except nacl.exceptions.CryptoError:
            raise VaultError(f"{path} was not written with this directory's key (or was altered)") from None
        if data.get("election_id") != election_id:
            raise VaultError(f"{path} holds the secrets of election {data.get('election_id')!r}, not {election_id!r}: put it back under its own name")
        return TrusteeState.from_election_json(identity, data)

    def save(self, state: TrusteeState) -> None:
        """Write one election's secrets (atomically, mode 0600) and the public summary."""
        identity, _ = self._opened()
        if not hmac.compare_digest(state.identity_seed, identity.identity_seed):
            raise VaultError("this state belongs to another trustee's identity")
        if not state.election_id:
            raise VaultError("a state is saved under its election; this one names none")
        self._write_election(state)
        self._write_public({state.election_id: state.guardian})

    @contextmanager
    def lock(self, election_id: str) -> Iterator[None]:
        """Hold the election's lock while a command works on it: a second process is refused, not interleaved."""
        path = self.election_path(election_id).with_suffix(".lock")
        with self._locked(path, f"another evote-trustee command is working on election {election_id!r} with {self.directory}; "
                                "wait for it to finish (or stop it) and run this one again"):  # fmt: skip
            yield

    @staticmethod
    @contextmanager
    def _locked(path: Path, busy: str = "another evote-trustee command is migrating this directory; try again") -> Iterator[None]:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise VaultError(busy) from None
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _opened(self) -> tuple[TrusteeIdentity, nacl.secret.SecretBox]:
        if self._box is None or self._header is None or self.identity is None:
            raise VaultError("open the vault with its passphrase first")
        return self.identity, self._box

    def _seal(self, data: dict[str, Any]) -> str:
        _, box = self._opened()
        return base64.b64encode(bytes(box.encrypt(json.dumps(data, sort_keys=True).encode()))).decode()

    def _write_identity(self) -> None:
        identity, _ = self._opened()
        document = dict(self._header or {}, ciphertext=self._seal(identity.to_json()))
        _atomic_write(self.path, json.dumps(document).encode())

    def _write_election(self, state: TrusteeState) -> None:
        path = self.election_path(state.election_id)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        document = {"format": ELECTION_FORMAT, "election_id": state.election_id, "ciphertext": self._seal(state.election_json())}
        _atomic_write(path, json.dumps(document).encode())

    def _public(self) -> dict[str, Any]:
        try:
            data = json.loads((self.directory / PUBLIC_FILE).read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_public(self, update: dict[str, int]) -> None:
        """Rewrite public.json with ``update`` merged into the elections it lists (read afresh: another process
        may have added its election meanwhile)."""
        identity, _ = self._opened()
        listed = self._public().get("elections")
        elections = {e: g for e, g in (listed if isinstance(listed, dict) else {}).items() if isinstance(g, int)}
        elections.update(update)
        public = {"name": identity.name, "identity_key": identity.identity_public_key, "elections": dict(sorted(elections.items()))}
        _atomic_write(self.directory / PUBLIC_FILE, json.dumps(public, indent=2).encode(), mode=0o644)

    def public_info(self) -> dict[str, Any]:
        """name, identity_key and elections ({id: guardian index, 0 before the trustee joined}); no passphrase."""
        info = self._public()
        if "identity_key" not in info:
            raise VaultError(f"{self.directory} holds no readable public.json; is it a trustee's state directory?")
        if "elections" not in info:  # written by an older release: one election
            info["elections"] = {info["election_id"]: info.get("guardian", 0)} if info.get("election_id") else {}
        return info
