"""Reader for election records written by egk-ec (JohnLCaron/egk-ec, egk's successor) as JSON.

egk-ec lays its record out as egk does (:mod:`.egk`; ``ElectionRecordJsonPaths.kt``) and writes the same
ElectionGuard 2.0 cryptography, with its own encodings and a few fields of its own:

    constants.json            {"name", "type", "protocolVersion", "constants": {largePrime, smallPrime,
                              cofactor, generator}} in lower-case hex: the group (:mod:`.egk_ec_group`);
                              on P-256 {a, b, primeModulus, order, g.x, g.y, h}
    election_config.json      config_version "2.1.0", n, k, H_P, H_M, H_B (base64), chain_confirmation_codes,
                              baux0 (base64, possibly empty)
    manifest.json             egk's manifest schema; its bytes are hashed into H_M
    election_initialized.json, encrypted_tally.json, tally.json, challenged_ballots/dballot-<id>.json,
    encrypted_ballots/<device>/eballot-<id>.json    as egk's, values in base64 (:mod:`.egk_ec_json`);
                              ballot state ``CHALLENGED`` marks a challenged ballot
    encrypted_ballots/<device>/ballot_chain.json    when codes are chained: encrypting_device, baux0 (B_aux,0
                              as a JSON array of signed bytes), ballot_ids, last_confirmation_code, closing_hash

The SPEC version the record claims (1.A) is constants.json's ``protocolVersion``, hashed into H_P as ver;
``config_version`` is the version of egk-ec's configuration format. Records in a group or of a version the
checks do not implement are refused as such (:class:`.FormatNotSupported`).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from ...errors import EncodingError
from ..conventions import spec_first_chain_aux
from ..model import Chaining, Conventions, DeviceChain, ElectionRecord, RecordUnreadable, Unreadable
from . import egk_json as j
from .egk import CONFIG, CONSTANTS, DOCUMENT, assemble, chains_codes, config_parameters, read_manifest
from .egk_ballots import BALLOTS, device_dirs
from .egk_ec_group import record_group
from .egk_ec_json import EGK_EC, EGK_EC_P256, data
from .egk_variants import egk_contest_data_challenge, egk_open_contest_data
from .files import DEFAULT_LIMITS, Limits, load_json
from .unsupported import FormatNotSupported

FORMAT = "egk-ec"
CONFIG_VERSIONS = ("2.1.0",)  # egk-ec's configuration format versions this reader knows
CHAIN = "ballot_chain.json"

CONVENTIONS = Conventions(
    name="egk-ec",
    contest_data_challenge=egk_contest_data_challenge,
    open_contest_data=egk_open_contest_data,
    first_chain_aux=spec_first_chain_aux,
    aux0_identifies_device=False,
    notes=(
        "contest and option indices are the manifest's sequence_order values",
        "contest data proofs (11.B, 14.B) hash C1 as its hex text and C2 as 32 bytes; the contest data KDF uses "
        "egk's label, context and length fields, which egk-ec keeps (see voting/verifier/readers/egk_variants.py)",
        "ballot chains: B_aux,1 = H_0 ∥ B_aux,0 as in the SPEC; B_aux,0 is election_config.json's baux0 for every "
        "device, or the device's name when that is empty (7.D, 7.E)",
    ),
)

P256_NOTES = (
    "P-256 (egk-ec's elliptic-curve group, protocolVersion v2.1.0): points are hashed as their 33-byte SEC1 "
    "compressed encoding; every challenge c is hash_to_field(H(...)) of RFC 9380 (egk-ec's DST), not H(...) itself; "
    "H_P = H(ver; 0x00, a, b, p, g.x, g.y, h); T = K^0 may be the identity, written as 33 bytes 0xFF",
)


def is_egk_ec(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> bool:
    """Whether ``path`` is a directory whose constants.json has egk-ec's shape (a "type" and a "constants" object)."""
    root = Path(path)
    if not root.is_dir() or not os.path.lexists(root / CONSTANTS):
        return False
    return _egk_ec_shape(load_json(root, CONSTANTS, limits.document, DOCUMENT))


def _egk_ec_shape(doc: Any) -> bool:
    return isinstance(doc, dict) and "type" in doc and isinstance(doc.get("constants"), dict)


def open_egk_ec(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> ElectionRecord:
    """Read an egk-ec JSON election record: :class:`RecordUnreadable` if ``path`` is not one, or its group
    cannot be read; :class:`FormatNotSupported` for a group or version the checks do not implement."""
    root = Path(path)
    if not root.is_dir():
        raise RecordUnreadable(f"{path} is not a directory")
    doc = load_json(root, CONSTANTS, limits.document, DOCUMENT)
    if isinstance(doc, Unreadable):
        raise RecordUnreadable(f"{path} is not an egk-ec election record: {doc} (it names the record's group)")
    if not _egk_ec_shape(doc):
        raise RecordUnreadable(f"{path} is not an egk-ec election record: its {CONSTANTS} is not in egk-ec's shape")
    constants, version, group = record_group(doc, CONSTANTS)
    dialect = EGK_EC_P256 if group is EGK_EC_P256.group else EGK_EC
    config = load_json(root, CONFIG, limits.document, DOCUMENT)
    config_version = config.get("config_version") if isinstance(config, dict) else None
    if isinstance(config_version, str) and config_version not in CONFIG_VERSIONS:
        raise FormatNotSupported(
            f"egk-ec record with {CONFIG} config_version {config_version!r}",
            f"this verifier reads egk-ec's config_version {', '.join(CONFIG_VERSIONS)}",
        )
    manifest_bytes, manifest = read_manifest(root, limits)
    parameters = config_parameters(config, dialect, version, constants, manifest_bytes, manifest)
    group_name = "group P-256" if dialect is EGK_EC_P256 else "4096-bit integer group"
    conventions = replace(
        CONVENTIONS,
        name=f"egk-ec {config_version or '(unknown version)'}, ElectionGuard {version}, {group_name}; "
        "egk's conventions for contest data, the SPEC's for ballot chains",
        notes=CONVENTIONS.notes + (P256_NOTES if dialect is EGK_EC_P256 else ()),
    )
    return assemble(root, FORMAT, conventions, dialect, parameters, manifest, _chaining(root, config, limits), limits)


# --- ballot chains (SPEC §3.4.3) --------------------------------------------------------------------


def _chaining(root: Path, config: Any, limits: Limits) -> Chaining | Unreadable:
    """egk-ec's chains: one per device directory; B_aux,0 is the configuration's baux0, or the device's name
    (UTF-8) when that is empty (``EncryptedBallotChain.kt``). Chain files are read only when chaining is on."""
    if isinstance(config, Unreadable):
        return config
    try:
        enabled = chains_codes(config)
        aux0 = data(config, "baux0", "")
    except EncodingError as exc:
        return Unreadable(CONFIG, exc.field, exc.reason)
    devices: list[DeviceChain | Unreadable] = []
    for directory in device_dirs(root) if enabled else []:
        if os.path.lexists(directory / CHAIN):  # present but refused (a pipe, a link out): Unreadable below
            devices.append(_device_chain(root, directory, aux0, limits))
        else:  # not closed: 7.G says so
            devices.append(
                DeviceChain(
                    directory.name, aux0 or directory.name.encode(), None, None, None, None, f"{BALLOTS}/{directory.name}"
                )
            )
    return Chaining(enabled, tuple(devices), CONFIG)


def _device_chain(root: Path, directory: Path, config_aux0: bytes, limits: Limits) -> DeviceChain | Unreadable:
    origin = f"{BALLOTS}/{directory.name}/{CHAIN}"
    doc = load_json(root, origin, limits.document, DOCUMENT)
    if isinstance(doc, Unreadable):
        return doc
    try:
        device = j.text(doc, "encrypting_device", "")
        if device.replace(" ", "_") != directory.name:
            raise EncodingError("encrypting_device", f"is {device!r}, but the chain lies in the directory of {directory.name!r}")
        aux0 = config_aux0 or device.encode("utf-8")
        written = j.signed_bytes(doc, "baux0", "")
        if written != aux0:
            source = f"{CONFIG}'s baux0" if config_aux0 else "the device's name, since election_config.json's baux0 is empty"
            raise EncodingError("baux0", f"is {written!r}, where B_aux,0 is {aux0!r} ({source})")
        ids = j.items(doc, "ballot_ids", "")
        if not all(isinstance(i, str) for i in ids):
            raise EncodingError("ballot_ids", "expected strings")
        closing = doc.get("closing_hash")  # null, or absent, until the chain is closed
        return DeviceChain(
            device=directory.name,
            aux0=aux0,
            listed_ids=tuple(ids),
            recorded_H0=None,  # egk-ec does not record H_0; 7.D computes it
            last_code=EGK_EC.digest(doc, "last_confirmation_code", ""),
            closing_hash=None if closing is None else EGK_EC.digest(doc, "closing_hash", ""),
            origin=origin,
        )
    except EncodingError as exc:
        return Unreadable(origin, exc.field, exc.reason)
