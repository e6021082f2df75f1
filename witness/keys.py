"""The witness's signing key file.

The file holds one line in the Go ``golang.org/x/mod/sumdb/note`` private-key layout, with the
cosignature/v1 algorithm byte: ``PRIVATE+KEY+<name>+<key id hex>+base64(0x04 ∥ 32-byte Ed25519 seed)``.
It is created with mode 0600 and never printed; the public half (the vkey) is what operators publish.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from nacl.signing import SigningKey

from bulletin_board.log_format.cosignature import ALG_COSIGNATURE_V1, Cosigner, CosignerKey
from bulletin_board.log_format.errors import InvalidInput

from .errors import ConfigError

PREFIX = "PRIVATE+KEY+"

__all__ = ["create_key_file", "read_key_file"]


def create_key_file(path: Path, name: str) -> Cosigner:
    """Write a new key for witness ``name`` to ``path`` (which must not exist), readable by its owner only."""
    try:
        cosigner = Cosigner(name, SigningKey.generate())
    except InvalidInput as exc:
        raise ConfigError("name", exc.reason) from None
    seed = base64.b64encode(bytes([ALG_COSIGNATURE_V1]) + bytes(cosigner.signing_key)).decode("ascii")
    line = f"{PREFIX}{name}+{cosigner.key.key_id.hex()}+{seed}\n"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError("key_file", f"{path} already exists; refusing to overwrite a witness key") from None
    except OSError as exc:
        raise ConfigError("key_file", f"cannot create {path}: {exc.strerror}") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    return cosigner


def read_key_file(path: Path) -> Cosigner:
    try:
        text = Path(path).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ConfigError("key_file", f"{path} does not exist (create it with `evote-witness init`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("key_file", f"cannot read {path}: {getattr(exc, 'strerror', None) or 'not ASCII'}") from None
    parts = text[len(PREFIX):].split("+", 2) if text.startswith(PREFIX) else []
    if len(parts) != 3:
        raise ConfigError("key_file", f"{path} is not a witness key file (PRIVATE+KEY+<name>+<id>+<key>)")
    name, key_id, data = parts
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError("key_file", f"{path}: the key is not base64") from None
    if len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
        raise ConfigError("key_file", f"{path}: the key must be 0x04 followed by a 32-byte Ed25519 seed")
    try:
        cosigner = Cosigner(name, SigningKey(raw[1:]))
    except InvalidInput as exc:
        raise ConfigError("key_file", f"{path}: name {exc.reason}") from None
    if cosigner.key.key_id.hex() != key_id:
        raise ConfigError("key_file", f"{path}: the key id does not match the name and key")
    return cosigner


def vkey(cosigner: Cosigner) -> str:
    key: CosignerKey = cosigner.key
    return key.to_string()
