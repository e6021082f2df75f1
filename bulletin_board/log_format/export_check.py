"""Checking an exported record offline: every entry hash and link, the Merkle root, the signature.

``verify_exported_record(dir)`` returns a ``RecordSummary`` or raises: ``ExportError`` for a malformed
file (with ``seq`` when one entry line is at fault), ``ChainBroken`` naming the first bad seq,
``CheckpointMismatch`` when the entries do not produce the signed root, and the checkpoint errors
(``BadSignature``, ``UnknownKey``, ``MalformedNote``). Pass ``trusted_key`` (a verifier key string or
``NoteVerifier`` obtained out of band) so that a record re-signed by another key, with its
board-key.json replaced to match, is still refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import rfc8785

from .canonical import CanonicalJsonError, canonicalize, parse_json_object
from .chain import ChainChecker
from .checkpoint import SignedCheckpoint, election_origin, verify_checkpoint
from .entry import Entry, check_election_id
from .errors import CheckpointMismatch, ExportError, InvalidInput
from .export import FILES, FORMAT, VERSION
from .merkle_hash import RootAccumulator, leaf_hash
from .note import NoteVerifier

_HASH = re.compile(r"[0-9A-F]{64}")
_ENTRY_FIELDS = {"seq", "kind", "payload", "prev_hash", "entry_hash", "received_at"}

__all__ = ["RecordSummary", "verify_exported_record"]


@dataclass(frozen=True)
class RecordSummary:
    election_id: str
    size: int
    root: bytes
    checkpoint: SignedCheckpoint


def _read_json(path: Path, name: str) -> dict:
    try:
        return parse_json_object(path.read_bytes(), field=name)
    except OSError as exc:
        raise ExportError(f"cannot read: {type(exc).__name__}", file=name) from None
    except CanonicalJsonError as exc:
        raise ExportError(exc.reason, file=name) from None


def _manifest(directory: Path) -> dict:
    manifest = _read_json(directory / "manifest.json", "manifest.json")
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise ExportError(f"not a {FORMAT} version {VERSION} manifest", file="manifest.json")
    if manifest.get("files") != FILES:
        raise ExportError(f"files must be {FILES}", file="manifest.json")
    size = manifest.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ExportError("size must be a non-negative integer", file="manifest.json")
    try:
        check_election_id(manifest.get("election_id"))
    except InvalidInput as exc:
        raise ExportError(f"election_id {exc.reason}", file="manifest.json") from None
    return manifest


def _board_key(directory: Path) -> tuple[str, NoteVerifier]:
    name = FILES["board_key"]
    key = _read_json(directory / name, name)
    try:
        verifier = NoteVerifier.from_string(key.get("verifier_key"))
    except InvalidInput as exc:
        raise ExportError(exc.reason, file=name) from None
    if key.get("key_name") != verifier.name or key.get("public_key") != verifier.public_key.hex().upper():
        raise ExportError("key_name and public_key do not match verifier_key", file=name)
    origin = key.get("board_origin")
    if not isinstance(origin, str):
        raise ExportError("board_origin must be a string", file=name)
    return origin, verifier


def _parse_line(line: bytes, position: int, election_id: str) -> Entry:
    name = FILES["entries"]
    try:
        item = parse_json_object(line, max_bytes=max(len(line), 1), field="entry")
    except CanonicalJsonError as exc:
        raise ExportError(f"line {position + 1}: {exc.reason}", file=name, seq=position) from None
    if rfc8785.dumps(item) != line:
        raise ExportError(f"line {position + 1} is not RFC 8785 canonical JSON", file=name, seq=position)
    if set(item) != _ENTRY_FIELDS:
        raise ExportError(f"line {position + 1} must have exactly the fields {sorted(_ENTRY_FIELDS)}",
                          file=name, seq=position)
    for field in ("prev_hash", "entry_hash"):
        if not isinstance(item[field], str) or not _HASH.fullmatch(item[field]):
            raise ExportError(f"line {position + 1}: {field} must be 64 upper-case hex digits", file=name, seq=position)
    for field in ("seq", "received_at"):
        if isinstance(item[field], bool) or not isinstance(item[field], int) or item[field] < 0:
            raise ExportError(f"line {position + 1}: {field} must be a non-negative integer", file=name, seq=position)
    if not isinstance(item["kind"], str):
        raise ExportError(f"line {position + 1}: kind must be a string", file=name, seq=position)
    try:
        payload = canonicalize(item["payload"], max_bytes=1 << 30)
    except CanonicalJsonError as exc:
        raise ExportError(f"line {position + 1}: payload {exc.reason}", file=name, seq=position) from None
    return Entry(election_id, item["seq"], item["kind"], payload, bytes.fromhex(item["prev_hash"]),
                 bytes.fromhex(item["entry_hash"]), item["received_at"])


def verify_exported_record(directory: str | Path, *, trusted_key: str | NoteVerifier | None = None) -> RecordSummary:
    directory = Path(directory)
    manifest = _manifest(directory)
    election_id = manifest["election_id"]
    board_origin, verifier = _board_key(directory)
    if trusted_key is not None:
        trusted = NoteVerifier.from_string(trusted_key) if isinstance(trusted_key, str) else trusted_key
        verifier = trusted
    try:
        note = (directory / FILES["checkpoint"]).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"cannot read: {type(exc).__name__}", file=FILES["checkpoint"]) from None
    checkpoint = verify_checkpoint(note, [verifier], origin=election_origin(board_origin, election_id))
    if checkpoint.size != manifest["size"]:
        raise ExportError(f"manifest size {manifest['size']} differs from the checkpoint's {checkpoint.size}",
                          file="manifest.json")
    checker = ChainChecker(election_id)
    accumulator = RootAccumulator()
    try:
        handle = open(directory / FILES["entries"], "rb")
    except OSError as exc:
        raise ExportError(f"cannot read: {type(exc).__name__}", file=FILES["entries"]) from None
    with handle:
        for position, raw in enumerate(handle):
            if not raw.endswith(b"\n"):
                raise ExportError(f"line {position + 1} does not end in a newline", file=FILES["entries"], seq=position)
            entry = _parse_line(raw[:-1], position, election_id)
            checker.feed(entry)
            accumulator.append_leaf(leaf_hash(entry.entry_hash))
    if accumulator.size != checkpoint.size:
        raise ExportError(f"{accumulator.size} entries, but the checkpoint covers {checkpoint.size}",
                          file=FILES["entries"], seq=min(accumulator.size, checkpoint.size))
    root = accumulator.root()
    if root != checkpoint.root:
        raise CheckpointMismatch(checkpoint.size, None, checkpoint.root, root,
                                 "the entries form a valid chain whose Merkle root is not the signed one")
    return RecordSummary(election_id, checkpoint.size, root, checkpoint)
