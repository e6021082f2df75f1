"""Reader for election records written by egk (electionguard-kotlin-multiplatform) as JSON.

Layout (egk ``ElectionRecordJsonPaths.kt``)::

    constants.json            p, q, r, g ("large_prime", "small_prime", "cofactor", "generator")
    election_config.json      version, n, k, H_P, H_M, H_B, chain_confirmation_codes, baux0
    manifest.json             the manifest; its bytes are hashed into H_M
    election_initialized.json K, H_E, guardians with commitments K_ij and Schnorr proofs
    encrypted_ballots/<device>/eballot-<id>.json, and ballot_chain.json when codes are chained
    encrypted_tally.json      (A, B) per option, cast_ballot_ids
    tally.json                the decrypted tally: t, T ("b_over_m"), proof per option
    challenged_ballots/dballot-<id>.json   decryptions of challenged ("SPOILED") ballots

egk's contest and option indices are the manifest's ``sequence_order`` values. Ballot state ``CAST`` is cast,
``SPOILED`` challenged, ``UNKNOWN`` neither. Where egk's byte layouts depart from the SPEC, see
:mod:`.egk_variants`. Records with absent guardians need nothing special: the decryption proofs in an
egk 2.0 record are joint proofs, verified against K whoever took part.

The functions that walk documents egk and egk-ec (:mod:`.egk_ec`) write alike take the producer's
:class:`~.egk_json.Dialect`.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from ...errors import EncodingError, ManifestError
from ...manifest import Manifest
from ...manifest_egk import read_egk_manifest
from ..conventions import SPEC
from ..model import (
    Chaining,
    Conventions,
    CurveConstants,
    DeviceChain,
    ElectionRecord,
    EncryptedTallyRecord,
    GroupConstants,
    GuardianRecord,
    KeyCeremony,
    Parameters,
    RecordUnreadable,
    SchnorrRecord,
    TallyEntry,
    Unreadable,
)
from . import egk_json as j
from .egk_ballots import BALLOT, BALLOTS, CHALLENGED, BallotFiles, EgkBallotDecoder, device_dirs, natural, parse_decryption
from .egk_json import EGK, Dialect
from .egk_variants import egk_contest_data_challenge, egk_first_chain_aux, egk_open_contest_data
from .files import DEFAULT_LIMITS, FileRefused, Limits, load_json, parse_json, read_bytes

FORMAT = "egk"
CONSTANTS = "constants.json"
CONFIG = "election_config.json"
MANIFEST = "manifest.json"
INITIALIZED = "election_initialized.json"
ENCRYPTED_TALLY = "encrypted_tally.json"
TALLY = "tally.json"
CHAIN = "ballot_chain.json"
DOCUMENT = "a record document"  # the size limit's name in a refusal

CONVENTIONS = Conventions(
    name="egk, ElectionGuard v2.0.0, 4096-bit integer group; egk's conventions for contest data and ballot chains",
    contest_data_challenge=egk_contest_data_challenge,
    open_contest_data=egk_open_contest_data,
    first_chain_aux=egk_first_chain_aux,
    aux0_identifies_device=False,
    notes=(
        "contest and option indices are the manifest's sequence_order values",
        "contest data proofs (11.B, 14.B) hash C1 as its hex text and C2 as 32 bytes; the contest data KDF uses "
        "egk's label, context and length fields (see voting/verifier/readers/egk_variants.py)",
        "ballot chains: B_aux,1 = H_0 alone, and B_aux,0 is one value for the election, not per device (7.D, 7.E)",
    ),
)


# An egk-layout record written by `evote record export --format egk` (docs/export-egk.md) declares in
# election_config.json's metadata that its values follow the SPEC's byte layouts, which evote's ballots and
# trustees use: the contest-data challenge and KDF differ from egk's. The declaration only chooses between two
# sound hash layouts; a record whose values follow neither fails either way.
EVOTE_CONVENTIONS_KEY, EVOTE_SPEC_CONVENTIONS = "evote.conventions", "SPEC v2.0.0"
WRITTEN_BY_EVOTE = dataclasses.replace(
    SPEC,
    name="egk layout written by evote, ElectionGuard v2.0.0, 4096-bit integer group; the SPEC's conventions, as its "
    "election_config.json declares (evote.conventions)",
    notes=("contest and option indices are the manifest's sequence_order values",),
)


def declared_conventions(config: Any) -> Conventions:
    """egk's conventions, or the SPEC's when the record declares them (``metadata["evote.conventions"]``)."""
    metadata = config.get("metadata") if isinstance(config, dict) else None
    if isinstance(metadata, dict) and metadata.get(EVOTE_CONVENTIONS_KEY) == EVOTE_SPEC_CONVENTIONS:
        return WRITTEN_BY_EVOTE
    return CONVENTIONS


def open_egk(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> ElectionRecord:
    """Read an egk JSON election record; raises :class:`RecordUnreadable` if ``path`` is not one.

    Every file is read through :mod:`.files` (regular files of the record only, each within ``limits``); a
    file that is refused is :class:`Unreadable` like a file that is not JSON.
    """
    root = Path(path)
    if not root.is_dir():
        raise RecordUnreadable(f"{path} is not a directory")
    if not any(os.path.lexists(root / name) for name in (CONFIG, MANIFEST, INITIALIZED)):
        raise RecordUnreadable(f"{path} is not an egk election record: it has none of {CONFIG}, {MANIFEST}, {INITIALIZED}")
    config = load_json(root, CONFIG, limits.document, DOCUMENT)
    manifest_bytes, manifest = read_manifest(root, limits)
    chains = _chaining(root, config, limits)
    constants = read_part(root, CONSTANTS, _constants, limits)
    parameters = config_parameters(config, EGK, None, constants, manifest_bytes, manifest)
    return assemble(root, FORMAT, declared_conventions(config), EGK, parameters, manifest, chains, limits)


def assemble(
    root: Path,
    format: str,
    conventions: Conventions,
    dialect: Dialect,
    parameters: Parameters | Unreadable,
    manifest: Manifest | Unreadable,
    chains: Chaining | Unreadable,
    limits: Limits,
) -> ElectionRecord:
    """The record from its parameters and chains, with the parts egk and egk-ec lay out alike: the key
    ceremony, the tallies, the ballots and the challenged ballots' decryptions."""
    decryptions = decryption_index(root, limits)
    ballots = BallotFiles(root, chains if isinstance(chains, Chaining) else None, dict(reversed(decryptions)), limits)
    return ElectionRecord(
        format=format,
        location=str(root),
        conventions=conventions,
        parameters=parameters,
        key_ceremony=read_part(root, INITIALIZED, lambda doc, origin: key_ceremony(doc, origin, dialect), limits),
        chaining=chains,
        encrypted_tally=read_part(root, ENCRYPTED_TALLY, lambda doc, origin: encrypted_tally(doc, origin, dialect), limits),
        decrypted_tally=read_part(root, TALLY, lambda doc, origin: parse_decryption(doc, origin, dialect), limits),
        decryption_ids=tuple(ballot_id for ballot_id, _ in decryptions),
        ballots=ballots.stream,
        decoder=EgkBallotDecoder(manifest if isinstance(manifest, Manifest) else None, dialect),
        ballot_count=ballots.count(),
        group=dialect.group,
    )


def read_part(root: Path, name: str, parse, limits: Limits) -> Any:
    """``parse(document, name)`` of the JSON object in ``name``, or :class:`Unreadable` naming the field."""
    doc = load_json(root, name, limits.document, DOCUMENT)
    if isinstance(doc, Unreadable):
        return doc
    if not isinstance(doc, dict):
        return Unreadable(name, "", f"expected a JSON object, found {type(doc).__name__}")
    try:
        return parse(doc, name)
    except (EncodingError, ManifestError) as exc:
        return Unreadable(name, exc.field, exc.reason)


# --- parameters, manifest, key ceremony -------------------------------------------------------------


def read_manifest(root: Path, limits: Limits) -> tuple[bytes | Unreadable, Manifest | Unreadable]:
    """manifest.json's bytes (hashed into H_M) and the manifest read from them."""
    try:
        data = read_bytes(root, MANIFEST, limits.document, DOCUMENT)
    except FileRefused as exc:
        return exc.unreadable(), exc.unreadable()
    try:
        doc = parse_json(data)
    except ValueError as exc:
        return data, Unreadable(MANIFEST, "", f"is not readable JSON: {exc}")
    try:
        return data, read_egk_manifest(doc)
    except (EncodingError, ManifestError) as exc:
        return data, Unreadable(MANIFEST, exc.field, exc.reason)


def _distinct(values: list, where: str, what: str) -> None:
    if len(set(values)) != len(values):
        raise ManifestError(where, f"a {what} appears twice")


def config_parameters(
    config: Any,
    dialect: Dialect,
    spec_version: str | None,
    constants: GroupConstants | CurveConstants | Unreadable,
    manifest_bytes: bytes | Unreadable,
    manifest: Manifest | Unreadable,
) -> Parameters | Unreadable:
    """election_config.json's n, k, H_P, H_M and H_B; the SPEC version is its ``config_version`` unless the
    format states it elsewhere (``spec_version``)."""
    if isinstance(config, Unreadable):
        return config
    try:
        written = j.text(config, "config_version", "")
        return Parameters(
            spec_version=written if spec_version is None else spec_version,
            constants=constants,
            n=j.small_int(config, "number_of_guardians", "", 1),
            k=j.small_int(config, "quorum", "", 1),
            H_P=dialect.digest(config, "parameter_base_hash", ""),
            H_M=dialect.digest(config, "manifest_hash", ""),
            H_B=dialect.digest(config, "election_base_hash", ""),
            manifest_bytes=manifest_bytes,
            manifest=manifest,
            origin=CONFIG,
        )
    except EncodingError as exc:
        return Unreadable(CONFIG, exc.field, exc.reason)


def _constants(doc: Any, origin: str) -> GroupConstants:
    values = {
        name: j.big_hex(doc, key, "") if key in doc else None
        for name, key in (("p", "large_prime"), ("q", "small_prime"), ("r", "cofactor"), ("g", "generator"))
    }
    return GroupConstants(origin=origin, **values)


def key_ceremony(doc: Any, origin: str, dialect: Dialect) -> KeyCeremony:
    """election_initialized.json: K, H_E, and each guardian's commitments K_ij with their Schnorr proofs."""
    guardians: list[GuardianRecord | Unreadable] = []
    for n, raw in enumerate(j.items(doc, "guardians", "")):
        where = f"guardians[{n}]"
        try:
            proofs = j.items(raw, "coefficient_proofs", where)
            guardians.append(
                GuardianRecord(
                    index=j.small_int(raw, "x_coordinate", where, 1),
                    name=j.text(raw, "guardian_id", where),
                    commitments=tuple(
                        dialect.element(p, "public_key", f"{where}.coefficient_proofs[{m}]") for m, p in enumerate(proofs)
                    ),
                    proofs=tuple(
                        SchnorrRecord(
                            dialect.digest(p, "challenge", f"{where}.coefficient_proofs[{m}]"),
                            dialect.scalar(p, "response", f"{where}.coefficient_proofs[{m}]"),
                        )
                        for m, p in enumerate(proofs)
                    ),
                    origin=f"{origin}: {where}",
                )
            )
        except EncodingError as exc:
            guardians.append(Unreadable(origin, exc.field, exc.reason))
    return KeyCeremony(
        dialect.element(doc, "joint_public_key", ""), dialect.digest(doc, "extended_base_hash", ""), tuple(guardians), origin
    )


# --- chains, tallies, decryptions -------------------------------------------------------------------


def _chaining(root: Path, config: Any, limits: Limits) -> Chaining | Unreadable:
    if isinstance(config, Unreadable):
        return config
    try:
        enabled = chains_codes(config)
        aux0 = j.signed_bytes(config, "baux0", "")
    except EncodingError as exc:
        return Unreadable(CONFIG, exc.field, exc.reason)
    devices: list[DeviceChain | Unreadable] = []
    for directory in device_dirs(root):
        origin = f"{BALLOTS}/{directory.name}/{CHAIN}"
        if not os.path.lexists(directory / CHAIN):  # present but refused (a pipe, a link out): Unreadable below
            if enabled:
                devices.append(DeviceChain(directory.name, aux0, None, None, None, None, f"{BALLOTS}/{directory.name}"))
            continue
        devices.append(_device_chain(root, directory, origin, enabled, aux0, limits))
    return Chaining(enabled, tuple(devices), CONFIG)


def chains_codes(config: Any) -> bool:
    """election_config.json's ``chain_confirmation_codes`` (SPEC §3.4.3: the manifest says whether codes are chained)."""
    enabled = j.get(config, "chain_confirmation_codes", "")
    if not isinstance(enabled, bool):
        raise EncodingError("chain_confirmation_codes", "expected true or false")
    return enabled


def _device_chain(
    root: Path, directory: Path, origin: str, enabled: bool, aux0: bytes, limits: Limits
) -> DeviceChain | Unreadable:
    doc = load_json(root, origin, limits.document, DOCUMENT)
    if isinstance(doc, Unreadable):
        return doc
    try:
        chaining = j.get(doc, "chaining", "")
        if chaining is not enabled:
            raise EncodingError("chaining", f"says {chaining} where {CONFIG} says chain_confirmation_codes = {enabled}")
        ids = j.items(doc, "ballot_ids", "")
        if not all(isinstance(i, str) for i in ids):
            raise EncodingError("ballot_ids", "expected strings")
        closing = j.get(doc, "closing_hash", "")
        return DeviceChain(
            device=directory.name,
            aux0=aux0,
            listed_ids=tuple(ids),
            recorded_H0=j.hex_bytes(doc, "baux0", "") if enabled else None,  # egk keeps H_0 there when chaining
            last_code=j.digest(doc, "last_confirmation_code", ""),
            closing_hash=None if closing is None else j.digest(doc, "closing_hash", ""),
            origin=origin,
        )
    except EncodingError as exc:
        return Unreadable(origin, exc.field, exc.reason)


def encrypted_tally(doc: Any, origin: str, dialect: Dialect) -> EncryptedTallyRecord:
    """encrypted_tally.json: (A, B) per option, and the ids of the ballots aggregated."""
    entries = []
    for n, contest in enumerate(j.items(doc, "contests", "")):
        where = f"contests[{n}]"
        label = j.text(contest, "contest_id", where)
        for m, selection in enumerate(j.items(contest, "selections", where)):
            sw = f"{where}.selections[{m}]"
            vote = j.get(selection, "encrypted_vote", sw)
            entries.append(
                TallyEntry(
                    label,
                    j.text(selection, "selection_id", sw),
                    dialect.element(vote, "pad", f"{sw}.encrypted_vote"),
                    dialect.element(vote, "data", f"{sw}.encrypted_vote"),
                    f"{origin}: {sw}",
                )
            )
    ids = doc.get("cast_ballot_ids")
    if ids is not None and not (isinstance(ids, list) and all(isinstance(i, str) for i in ids)):
        raise EncodingError("cast_ballot_ids", "expected a list of ballot ids")
    return EncryptedTallyRecord(tuple(entries), None if ids is None else tuple(ids), origin)


def decryption_index(root: Path, limits: Limits) -> list[tuple[str, Path]]:
    """(ballot id, decryption file) for every decryption (the id written inside the file, else the one in its
    name); an id may come twice, which Verification 12 reports. A file that cannot be read is indexed by its
    name, read again and reported as unreadable when its ballot streams past."""
    index: list[tuple[str, Path]] = []
    directory = root / CHALLENGED
    if not directory.is_dir():
        return index
    for path in sorted(directory.glob("dballot-*.json"), key=natural):
        ballot_id = path.name[len("dballot-") : -len(".json")]
        doc = load_json(root, f"{CHALLENGED}/{path.name}", limits.ballot, BALLOT)
        if isinstance(doc, dict) and isinstance(doc.get("id"), str):
            ballot_id = doc["id"]
        index.append((ballot_id, path))
    return index
