"""The export format's one checker (record-format §6-7): offline, every line, entry hash and link, the
Merkle root, the signature. ``manifest_problems`` and ``check_line`` say what is wrong with the manifest and
with each line of entries.jsonl; ``evote record verify`` (:func:`verify_exported_record`, which stops at the
first problem) and the verifier's section B (which reports every problem as a finding) both use them.

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

from .canonical import CanonicalJsonError, parse_json_object
from .chain import ChainChecker
from .checkpoint import SignedCheckpoint, election_origin, verify_checkpoint
from .entry import ELECTION_ID_PATTERN, KIND_PATTERN, MAX_U64, Entry
from .errors import CheckpointMismatch, ExportError, InvalidInput
from .export import FILES, FORMAT, VERSION
from .merkle_hash import RootAccumulator, leaf_hash
from .note import NoteVerifier

_HASH = re.compile(r"[0-9A-F]{64}")
ENTRY_FIELDS = frozenset({"seq", "kind", "payload", "prev_hash", "entry_hash", "received_at"})
MANIFEST_KEYS = frozenset({"election_id", "files", "format", "size", "version"})
BOARD_KEY_KEYS = frozenset({"board_origin", "key_name", "public_key", "verifier_key"})

__all__ = [
    "RecordSummary",
    "verify_exported_record",
    "CheckedLine",
    "check_line",
    "manifest_problems",
    "ENTRY_FIELDS",
    "MANIFEST_KEYS",
    "BOARD_KEY_KEYS",
]


def _integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _same_json(found: object, expected: object) -> bool:
    """Equal as JSON values: Python's ``True == 1`` must not let ``"version": true`` pass for 1."""
    return type(found) is type(expected) and found == expected


def manifest_problems(manifest: dict) -> list[tuple[str, object, object]]:
    """What is wrong with manifest.json (record-format §7): (message, expected, found) for each problem."""
    problems: list[tuple[str, object, object]] = []
    unknown = sorted(set(manifest) - MANIFEST_KEYS)
    if unknown:
        problems.append(("manifest.json has keys record-format §6 does not define", None, unknown))
    for key, value in {"format": FORMAT, "version": VERSION, "files": FILES}.items():
        if not _same_json(manifest.get(key), value):
            problems.append((f"manifest.json: {key} is not that of an evote board record", value, manifest.get(key)))
    election_id = manifest.get("election_id")
    if not isinstance(election_id, str) or not ELECTION_ID_PATTERN.fullmatch(election_id):
        problems.append(("manifest.json: election_id is not an election id (record-format §6.1)", None, election_id))
    size = manifest.get("size")
    if not _integer(size) or size < 0:  # type: ignore[operator]  # _integer narrowed it
        problems.append(("manifest.json: size is not a number of entries", None, size))
    return problems


def _hash_field(item: dict, field: str) -> bytes | None:
    value = item.get(field)
    return bytes.fromhex(value) if isinstance(value, str) and _HASH.fullmatch(value) else None


@dataclass(frozen=True)
class CheckedLine:
    """One line of entries.jsonl as the format judges it: its problems (record-format §6.1, §7) and, when every
    field is usable, the entry (whose hash and link to the previous entry the caller checks)."""

    problems: tuple[str, ...]
    entry: Entry | None


def check_line(
    raw: bytes,
    position: int,
    election_id: str,
    previous_time: int,
    *,
    terminated: bool = True,
    item: dict | None = None,
    unreadable: str = "",
    kinds: frozenset[str] | None = None,
) -> CheckedLine:
    """Judge line ``position`` (0-based: the seq it must have). ``item`` is the line's JSON object when the caller
    parsed it already (``unreadable`` then says why it is None); ``kinds`` the entry kinds allowed, when the
    caller knows them (the verifier: record-format §8.2); entries' times never go backwards."""
    problems = [] if terminated else ["the line does not end in a newline"]
    if item is None and not unreadable:
        try:
            item = parse_json_object(raw, max_bytes=max(len(raw), 1), field="entry")
        except CanonicalJsonError as exc:
            unreadable = exc.reason
    if item is None:
        return CheckedLine((*problems, unreadable or "the line is not a JSON object"), None)
    try:
        if rfc8785.dumps(item) != raw:
            problems.append("the line is not the RFC 8785 canonical form of its JSON")
        payload = rfc8785.dumps(item.get("payload")) if isinstance(item.get("payload"), dict) else None
    except Exception as exc:  # numbers or strings RFC 8785 cannot represent
        return CheckedLine((*problems, f"the line cannot be put in RFC 8785 form: {type(exc).__name__}: {exc}"), None)
    if set(item) != ENTRY_FIELDS:
        problems.append(f"the fields are not exactly {sorted(ENTRY_FIELDS)}: found {sorted(item)}")
    seq, kind, received_at = item.get("seq"), item.get("kind"), item.get("received_at")
    if seq != position or not _integer(seq):
        problems.append(f"seq is {seq!r} on line {position + 1}: seqs are 0, 1, 2, ... without gaps, in order")
    if not isinstance(kind, str) or not KIND_PATTERN.fullmatch(kind):
        problems.append(f"kind {kind!r} is not an entry kind")
    elif kinds is not None and kind not in kinds:
        problems.append(f"kind {kind!r} is not an entry kind of evote elections (record-format §8.2)")
    if payload is None:
        problems.append("the payload is not a JSON object")
    if not isinstance(received_at, int) or isinstance(received_at, bool) or not 0 <= received_at <= MAX_U64:
        problems.append(f"received_at {received_at!r} is not a time in microseconds")
    elif received_at < previous_time:
        problems.append(f"received_at {received_at} is earlier than the previous entry's ({previous_time})")
    prev_hash, entry_hash = _hash_field(item, "prev_hash"), _hash_field(item, "entry_hash")
    for field, value in (("prev_hash", prev_hash), ("entry_hash", entry_hash)):
        if value is None:
            problems.append(f"{field} is not 64 upper-case hex digits")
    usable = (isinstance(seq, int) and not isinstance(seq, bool) and 0 <= seq < 2**63 and isinstance(kind, str)
              and payload is not None and isinstance(received_at, int) and not isinstance(received_at, bool)
              and 0 <= received_at <= MAX_U64 and prev_hash is not None and entry_hash is not None)  # fmt: skip
    entry = Entry(election_id, seq, kind, payload, prev_hash, entry_hash, received_at) if usable else None  # type: ignore[arg-type]
    return CheckedLine(tuple(problems), entry)


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
    for message, expected, found in manifest_problems(manifest)[:1]:
        raise ExportError(f"{message} (found {found!r}" + (f", expected {expected!r})" if expected is not None else ")"),
                          file="manifest.json")  # fmt: skip
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
        raise ExportError(
            f"manifest size {manifest['size']} differs from the checkpoint's {checkpoint.size}", file="manifest.json"
        )
    checker = ChainChecker(election_id)
    accumulator = RootAccumulator()
    try:
        handle = open(directory / FILES["entries"], "rb")
    except OSError as exc:
        raise ExportError(f"cannot read: {type(exc).__name__}", file=FILES["entries"]) from None
    previous_time = 0
    with handle:
        for position, raw in enumerate(handle):
            terminated = raw.endswith(b"\n")
            checked = check_line(raw[:-1] if terminated else raw, position, election_id, previous_time, terminated=terminated)
            if checked.entry is not None:
                checker.feed(checked.entry)  # ChainBroken names a seq gap, a broken link or a wrong hash first
            if checked.problems or checked.entry is None:
                raise ExportError(f"line {position + 1}: {'; '.join(checked.problems)}", file=FILES["entries"], seq=position)
            accumulator.append_leaf(leaf_hash(checked.entry.entry_hash))
            previous_time = checked.entry.received_at
    if accumulator.size != checkpoint.size:
        raise ExportError(
            f"{accumulator.size} entries, but the checkpoint covers {checkpoint.size}",
            file=FILES["entries"],
            seq=min(accumulator.size, checkpoint.size),
        )
    root = accumulator.root()
    if root != checkpoint.root:
        raise CheckpointMismatch(
            checkpoint.size, None, checkpoint.root, root, "the entries form a valid chain whose Merkle root is not the signed one"
        )
    return RecordSummary(election_id, checkpoint.size, root, checkpoint)
