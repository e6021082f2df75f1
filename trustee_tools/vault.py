"""A trustee's state directory: secrets encrypted at rest under a passphrase.

Argon2id (PyNaCl ``pwhash.argon2id``) derives a 256-bit key from the passphrase and a random salt;
``SecretBox`` (XSalsa20-Poly1305) encrypts the state. A wrong passphrase or a damaged file is a clear
:class:`VaultError`, never a traceback. Writes are atomic (temporary file, fsync, rename), so a process
killed mid-write leaves the previous state intact. ``public.json`` beside it holds only what others may
see: the trustee's name and identity public key.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils

from .state import TrusteeState

VAULT_FILE = "trustee.vault"
PUBLIC_FILE = "public.json"
VAULT_FORMAT = "evote-trustee-vault-1"
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

    @property
    def path(self) -> Path:
        return self.directory / VAULT_FILE

    def exists(self) -> bool:
        return self.path.exists()

    def create(self, passphrase: str, state: TrusteeState, *, kdf: str = "moderate") -> None:
        if self.exists():
            raise VaultError(f"{self.directory} already holds a trustee state; use another directory")
        if len(passphrase) < MIN_PASSPHRASE:
            raise VaultError(f"the passphrase needs at least {MIN_PASSPHRASE} characters")
        if kdf not in KDF_LIMITS:
            raise VaultError(f"unknown key-derivation strength {kdf!r}")
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        ops, mem = KDF_LIMITS[kdf]
        salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
        self._header = {"format": VAULT_FORMAT, "kdf": "argon2id", "opslimit": ops, "memlimit": mem, "salt": base64.b64encode(salt).decode()}
        self._box = nacl.secret.SecretBox(self._derive(passphrase, salt, ops, mem))
        self.save(state)

    @staticmethod
    def _derive(passphrase: str, salt: bytes, ops: int, mem: int) -> bytes:
        return nacl.pwhash.argon2id.kdf(nacl.secret.SecretBox.KEY_SIZE, passphrase.encode("utf-8"), salt, opslimit=ops, memlimit=mem)

    def open(self, passphrase: str) -> TrusteeState:
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
            plaintext = box.decrypt(ciphertext)
        except nacl.exceptions.CryptoError:
            raise VaultError("wrong passphrase (or the state file was altered)") from None
        self._box, self._header = box, header
        return TrusteeState.from_json(json.loads(plaintext))

    def save(self, state: TrusteeState) -> None:
        if self._box is None or self._header is None:
            raise VaultError("open the vault with its passphrase before saving")
        ciphertext = self._box.encrypt(json.dumps(state.to_json(), sort_keys=True).encode())
        document = dict(self._header, ciphertext=base64.b64encode(bytes(ciphertext)).decode())
        _atomic_write(self.path, json.dumps(document).encode())
        public = {"name": state.name, "identity_key": state.identity_public_key, "election_id": state.election_id, "guardian": state.guardian}
        _atomic_write(self.directory / PUBLIC_FILE, json.dumps(public, indent=2).encode(), mode=0o644)

    def public_info(self) -> dict[str, Any]:
        try:
            return json.loads((self.directory / PUBLIC_FILE).read_text())
        except (OSError, ValueError):
            raise VaultError(f"{self.directory} holds no readable public.json") from None
