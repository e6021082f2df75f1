"""The registrar's state directory: its identity key and every secret file sealed under one passphrase.

Argon2id (PyNaCl ``pwhash.argon2id``) derives a 256-bit key from the passphrase and a random salt kept in
``identity.vault``; ``SecretBox`` (XSalsa20-Poly1305) seals each secret file with that key: the identity's
Ed25519 seed (``identity.vault``) and the private credentials (``credentials.vault``: they link voters to
ballots, so they never touch the disk in plaintext). Each sealed document names its kind inside the
ciphertext, so one sealed file cannot be passed off as another. A wrong passphrase or a damaged file is a
:class:`VaultError` with one clear sentence (never the passphrase). Writes are atomic (temporary file, fsync,
rename, fsync of the directory) with mode 0600, so a process killed mid-write leaves the previous file.

``public.json`` beside them holds what everyone may see: the registrar's name and public key (upper-case hex,
as identity keys are written in ``election.created``). The same recipe as trustee_tools/vault.py, written
again here because the registrar's tool must not import the trustees' (.importlinter).
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
from nacl.signing import SigningKey

IDENTITY_FILE = "identity.vault"
PUBLIC_FILE = "public.json"
FORMAT = "evote-registrar-vault-1"
KDF_LIMITS = {
    "interactive": (nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE),
    "moderate": (nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE),
    "sensitive": (nacl.pwhash.argon2id.OPSLIMIT_SENSITIVE, nacl.pwhash.argon2id.MEMLIMIT_SENSITIVE),
}
MIN_PASSPHRASE = 8
MAX_NAME = 200


class VaultError(Exception):
    """The state directory cannot be opened or written; the message says why (never the passphrase)."""


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` whole or not at all, with ``mode`` from the first byte on."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mkstemp creates it with mode 0600
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
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


class Vault:
    """The state directory of one registrar; :meth:`open` derives the key once per process."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self._box: nacl.secret.SecretBox | None = None
        self._signing_key: SigningKey | None = None

    @property
    def identity_path(self) -> Path:
        return self.directory / IDENTITY_FILE

    def create(self, passphrase: str, name: str, *, kdf: str = "moderate") -> str:
        """Make the directory, a fresh Ed25519 identity sealed under ``passphrase`` and public.json; returns the
        public key (upper-case hex)."""
        if self.identity_path.exists():
            raise VaultError(f"{self.directory} already holds a registrar's identity; use another directory")
        if not 0 < len(name) <= MAX_NAME or not name.isprintable():
            raise VaultError(f"the name has 1 to {MAX_NAME} printable characters")
        if len(passphrase) < MIN_PASSPHRASE:
            raise VaultError(f"the passphrase needs at least {MIN_PASSPHRASE} characters")
        if kdf not in KDF_LIMITS:
            raise VaultError(f"unknown key-derivation strength {kdf!r}")
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        ops, mem = KDF_LIMITS[kdf]
        salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
        self._box = nacl.secret.SecretBox(_derive(passphrase, salt, ops, mem))
        signing_key = SigningKey.generate()
        header = {"format": FORMAT, "kdf": "argon2id", "opslimit": ops, "memlimit": mem, "salt": base64.b64encode(salt).decode()}
        sealed = self._seal("identity", {"name": name, "seed": bytes(signing_key).hex()})
        atomic_write(self.identity_path, json.dumps(dict(header, ciphertext=sealed)).encode())
        public_key = bytes(signing_key.verify_key).hex().upper()
        public = {"role": "registrar", "name": name, "public_key": public_key}
        atomic_write(self.directory / PUBLIC_FILE, (json.dumps(public, indent=2) + "\n").encode(), mode=0o644)
        self._signing_key = signing_key
        return public_key

    def open(self, passphrase: str) -> None:
        """Derive the directory's key from ``passphrase`` and check it on the identity; raises VaultError."""
        if not self.identity_path.exists():
            raise VaultError(f"{self.directory} holds no registrar identity; run 'evote-registrar init' first")
        try:
            document = json.loads(self.identity_path.read_text())
            if document["format"] != FORMAT or document["kdf"] != "argon2id":
                raise VaultError(f"{self.identity_path} is not an evote registrar identity file")
            ops, mem = document["opslimit"], document["memlimit"]
            salt = base64.b64decode(document["salt"], validate=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise VaultError(f"{self.identity_path} is damaged or unreadable ({type(exc).__name__})") from None
        # only the strengths `create` writes: a damaged header must not make Argon2id run for hours or fail
        if (ops, mem) not in KDF_LIMITS.values() or len(salt) != nacl.pwhash.argon2id.SALTBYTES:
            raise VaultError(f"{self.identity_path} is damaged: its key-derivation parameters are not ones evote writes")
        self._box = nacl.secret.SecretBox(_derive(passphrase, salt, ops, mem))
        try:
            identity = self._unseal_document(document, "identity", self.identity_path, wrong="wrong passphrase")
        except VaultError:
            self._box = None
            raise
        self._signing_key = SigningKey(bytes.fromhex(identity["seed"]))

    @property
    def signing_key(self) -> SigningKey:
        """The registrar's Ed25519 identity key (for the signed statements of the board step)."""
        if self._signing_key is None:
            raise VaultError("open the state directory with its passphrase first")
        return self._signing_key

    def seal(self, filename: str, kind: str, document: Any) -> Path:
        """Write ``document`` (JSON) sealed as ``kind`` to ``filename`` in the directory (mode 0600)."""
        path = self.directory / filename
        sealed = {"format": FORMAT, "kind": kind, "ciphertext": self._seal(kind, document)}
        atomic_write(path, json.dumps(sealed).encode())
        return path

    def unseal(self, filename: str, kind: str) -> Any:
        path = self.directory / filename
        try:
            document = json.loads(path.read_text())
        except FileNotFoundError:
            raise VaultError(f"{path} does not exist") from None
        except (OSError, ValueError) as exc:
            raise VaultError(f"{path} is damaged or unreadable ({type(exc).__name__})") from None
        return self._unseal_document(document, kind, path, wrong="it was sealed under another passphrase, or altered")

    def _seal(self, kind: str, document: Any) -> str:
        if self._box is None:
            raise VaultError("open the state directory with its passphrase first")
        plaintext = json.dumps({"kind": kind, "document": document}, sort_keys=True).encode()
        return base64.b64encode(bytes(self._box.encrypt(plaintext))).decode()

    def _unseal_document(self, document: Any, kind: str, path: Path, *, wrong: str) -> Any:
        if self._box is None:
            raise VaultError("open the state directory with its passphrase first")
        try:
            if document["format"] != FORMAT:
                raise VaultError(f"{path} is not an evote registrar file")
            ciphertext = base64.b64decode(document["ciphertext"], validate=True)
        except (KeyError, TypeError, ValueError) as exc:
            raise VaultError(f"{path} is damaged ({type(exc).__name__})") from None
        try:
            inner = json.loads(self._box.decrypt(ciphertext))
        except nacl.exceptions.CryptoError:
            raise VaultError(f"cannot open {path.name}: {wrong}") from None
        if not isinstance(inner, dict) or inner.get("kind") != kind:
            raise VaultError(f"{path} does not hold the registrar's {kind}")
        return inner["document"]

    def public_info(self) -> dict[str, Any]:
        try:
            info = json.loads((self.directory / PUBLIC_FILE).read_text())
        except (OSError, ValueError):
            raise VaultError(f"{self.directory} holds no readable {PUBLIC_FILE}; run 'evote-registrar init' first") from None
        if not isinstance(info, dict) or not isinstance(info.get("public_key"), str):
            raise VaultError(f"{self.directory / PUBLIC_FILE} is damaged")
        return info


def _derive(passphrase: str, salt: bytes, ops: int, mem: int) -> bytes:
    return nacl.pwhash.argon2id.kdf(nacl.secret.SecretBox.KEY_SIZE, passphrase.encode("utf-8"), salt, opslimit=ops, memlimit=mem)
