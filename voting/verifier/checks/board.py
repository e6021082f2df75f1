"""Section B: the record is the board's signed log of the election (docs/record-format.md §6-7).

The export is read line by line (flat memory); hashes, the Merkle tree, signed notes and proof checking are
the board's client-side primitives (:mod:`bulletin_board.log_format.entry`, ``merkle_*``, ``checkpoint``, ``note``,
``client_checks``), which hold no state and touch no database.
"""

from __future__ import annotations

import re
from typing import Iterator

from bulletin_board.log_format.checkpoint import election_origin, parse_checkpoint, verify_checkpoint
from bulletin_board.log_format.client_checks import check_log_extends
from bulletin_board.log_format.entry import ELECTION_ID_PATTERN, Entry, compute_entry_hash, genesis_hash
from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.export import FILES
from bulletin_board.log_format.export_check import BOARD_KEY_KEYS, CheckedLine, check_line, manifest_problems
from bulletin_board.log_format.key_transition import open_transition
from bulletin_board.log_format.merkle_hash import RootAccumulator, leaf_hash
from bulletin_board.log_format.note import NoteVerifier, parse_note

from ...encoding import hex_bytes
from ..findings import Finding, failed, not_applicable, passed
from ..model import CannotRun, ElectionRecord, Unreadable, require
from ..model_evote import BoardExport, EvoteParts
from ..rules import RULES

KINDS = frozenset(RULES)  # the entry kinds of record-format §8.2
_HASH = re.compile(r"[0-9A-F]{64}")
ENTRIES = FILES["entries"]


def _parts(record: ElectionRecord) -> EvoteParts:
    return require(record.evote, "evote board export")


def b1_b2_b4_entries(record: ElectionRecord) -> Iterator[Finding]:
    """Section B (Bulletin board integrity), the entries of the export in order.

    (B.1) Entry hashes and links: every entry's prev_hash is the previous entry's entry_hash (for seq 0 the
    genesis hash SHA-256("evote/genesis/v1" ∥ 0x00 ∥ id)), and its entry_hash is SHA-256("evote/entry/v1" ∥
    0x00 ∥ u64be(seq) ∥ prev_hash ∥ u32be(len(kind)) ∥ kind ∥ u64be(received_at) ∥ u64be(len(payload)) ∥
    payload) recomputed from its fields, the payload being its RFC 8785 bytes (record-format §6.2).
    (B.2) The Merkle root equals the signed checkpoint: the RFC 9162 tree whose leaves are the entries'
    hashes in seq order has the checkpoint's root, and the checkpoint's size is the number of entries
    (record-format §6.3, §7 step 5).
    (B.4) Entry kinds and sequence: each line of entries.jsonl is the RFC 8785 form of an object with exactly
    the fields seq, kind, payload, prev_hash, entry_hash, received_at and ends in a newline; seq is the line's
    position (0, 1, 2, ... contiguous); kind is an entry kind of evote elections (§8.2); payload is a JSON
    object; received_at is an integer not smaller than the previous entry's; hashes are 64 upper-case hex
    digits (§6.1, §7). manifest.json says format evote-board-record, version 1, the file names, the
    election and its number of entries.

    A line that is not an entry is reported by B.4 and its links by B.1 as not verified; the walk goes on, so
    every damaged line is named.
    """
    parts = _parts(record)
    export = parts.export
    election_id = parts.election_id
    yield from _manifest(export, election_id)
    if election_id is None or not ELECTION_ID_PATTERN.fullmatch(election_id):
        raise CannotRun(f"the record does not name its election (manifest.json: election_id {election_id!r})")
    for problem in export.transport:
        yield failed("B.1", "board", problem, export.location)
    accumulator = RootAccumulator()
    previous_hash: bytes | None = genesis_hash(election_id)
    previous_time = 0
    hashes_readable = True
    count = 0
    for line in export.lines():
        count += 1
        where = f"{ENTRIES}: line {line.position + 1}"
        subject = f"entry seq {line.position}"
        checked = _entry_problems(line, election_id, previous_time)
        entry = checked.entry
        if checked.problems:
            yield failed("B.4", subject, "; ".join(checked.problems), where)
        else:
            yield passed("B.4", subject, origin=where)
        written_hash = _hash_field(line.item, "entry_hash") if line.item is not None else None
        if written_hash is None:
            hashes_readable = False
        else:
            accumulator.append_leaf(leaf_hash(written_hash))
        if entry is None:
            yield failed("B.1", subject, "not verified: the line is not an entry (B.4)", where)
        elif previous_hash is None:
            yield failed("B.1", subject, "not verified: the previous line has no readable entry_hash", where)
        else:
            yield from _links(subject, where, entry, previous_hash)
        if entry is not None:
            previous_time = max(previous_time, entry.received_at)
        previous_hash = written_hash
    if count == 0:
        yield not_applicable("B.1", "board", "the export has no entries", export.location)
    yield from _root(export, accumulator, count, hashes_readable)


def _manifest(export: BoardExport, election_id: str | None) -> Iterator[Finding]:
    """B.4 on manifest.json, with the export format's own checker (record-format §7)."""
    subject, where = "export", "manifest.json"
    manifest = export.manifest
    if isinstance(manifest, Unreadable):
        yield failed("B.4", subject, f"manifest.json cannot be read: {manifest}", where)
        return
    for message, expected, found in manifest_problems(manifest):
        yield failed("B.4", subject, message, where, expected=expected, found=found)


def _hash_field(item: dict | None, field: str) -> bytes | None:
    value = item.get(field) if item is not None else None
    return bytes.fromhex(value) if isinstance(value, str) and _HASH.fullmatch(value) else None


def _entry_problems(line, election_id: str, previous_time: int) -> CheckedLine:
    """What is wrong with one line (B.4), with the export format's own checker, and the entry B.1 hashes."""
    return check_line(line.raw, line.position, election_id, previous_time, terminated=line.terminated,
                      item=line.item, unreadable=line.problem or "the line is not a JSON object", kinds=KINDS)  # fmt: skip


def _links(subject: str, where: str, entry: Entry, previous_hash: bytes) -> Iterator[Finding]:
    seq, kind, payload, received_at, prev_hash, entry_hash = (
        entry.seq, entry.kind, entry.payload, entry.received_at, entry.prev_hash, entry.entry_hash,
    )  # fmt: skip
    if prev_hash != previous_hash:
        yield failed(
            "B.1", subject, "prev_hash is not the previous entry's entry_hash" if seq else "prev_hash is not the genesis hash",
            where, expected=hex_bytes(previous_hash), found=hex_bytes(prev_hash),
        )  # fmt: skip
        return
    computed = compute_entry_hash(seq, prev_hash, kind, received_at, payload)
    if computed != entry_hash:
        yield failed(
            "B.1", subject, "entry_hash is not the hash of the entry's fields", where,
            expected=hex_bytes(computed), found=hex_bytes(entry_hash),
        )  # fmt: skip
        return
    yield passed("B.1", subject, origin=where)


def _root(export: BoardExport, accumulator: RootAccumulator, count: int, hashes_readable: bool) -> Iterator[Finding]:
    subject, where = "Merkle root", "checkpoint.txt"
    note = export.checkpoint
    if isinstance(note, Unreadable):
        yield failed("B.2", subject, f"the checkpoint cannot be read: {note}", where)
        return
    try:
        checkpoint = parse_checkpoint(parse_note(note).text)
    except BoardError as exc:
        yield failed("B.2", subject, f"the checkpoint cannot be read: {exc}", where)
        return
    manifest_size = export.manifest.get("size") if isinstance(export.manifest, dict) else None
    if checkpoint.size != count or (manifest_size is not None and manifest_size != count):
        yield failed(
            "B.2", subject, "the number of entries is not the checkpoint's size", where,
            expected=f"{checkpoint.size} entries (checkpoint), {manifest_size} (manifest.json)", found=f"{count} lines in {ENTRIES}",
        )  # fmt: skip
    elif not hashes_readable:
        yield failed("B.2", subject, "not verified: an entry_hash cannot be read (B.4)", where)
    elif accumulator.root() != checkpoint.root:
        yield failed(
            "B.2", subject, "the Merkle root of the entries is not the signed checkpoint's root", where,
            expected=hex_bytes(checkpoint.root), found=hex_bytes(accumulator.root()),
        )  # fmt: skip
    else:
        yield passed("B.2", subject, f"MTH of the {count} entries is the checkpoint's root {hex_bytes(checkpoint.root)}", where)


def board_verifier(parts: EvoteParts) -> tuple[NoteVerifier, str, str]:
    """The key that signs the election's checkpoints, its election origin, and where the key comes from.

    The record's own key (board-key.json), which must be consistent, and must be the out-of-band key when one
    was given; raises :class:`CannotRun` with the reason otherwise.
    """
    export = parts.export
    key = export.board_key
    if isinstance(key, Unreadable):
        raise CannotRun(f"board-key.json cannot be read: {key}", "board-key.json")
    unknown = sorted(set(key) - BOARD_KEY_KEYS)
    if unknown:
        raise CannotRun(f"board-key.json has keys record-format §6 does not define: {unknown}", "board-key.json")
    try:
        verifier = NoteVerifier.from_string(key.get("verifier_key"))
    except BoardError as exc:
        raise CannotRun(f"board-key.json: verifier_key {exc}", "board-key.json") from None
    if key.get("key_name") != verifier.name or key.get("public_key") != verifier.public_key.hex().upper():
        raise CannotRun("board-key.json: key_name and public_key do not match verifier_key", "board-key.json")
    if parts.election_id is None:
        raise CannotRun("the record does not name its election")
    try:
        origin = election_origin(key.get("board_origin"), parts.election_id)
    except BoardError as exc:
        raise CannotRun(f"board-key.json: board_origin {exc}", "board-key.json") from None
    source = "the record's own key (board-key.json); compare it with the board's published key (--board-key)"
    if export.trusted_key is not None:
        try:
            trusted = NoteVerifier.from_string(export.trusted_key)
        except BoardError as exc:
            raise CannotRun(f"the board key given ({export.trusted_key_origin}) is not a verifier key: {exc}") from None
        if (trusted.name, trusted.public_key) != (verifier.name, verifier.public_key):
            handed, _ = _handed_over(export, trusted, verifier)
            if handed is None:
                raise CannotRun(
                    f"the record is signed by another key than the board's ({export.trusted_key_origin}): "
                    f"record {verifier.to_string()}, board {trusted.to_string()}, and no board.key_transition in the "
                    "record hands the one over to the other",
                    "board-key.json",
                )
            return verifier, origin, f"the board's key ({export.trusted_key_origin}), handed over to {verifier.key_id.hex()} by {handed}"
        source = f"the board's key ({export.trusted_key_origin})"
    return verifier, origin, source


def _handed_over(export: BoardExport, trusted: NoteVerifier, current: NoteVerifier) -> tuple[str | None, list[NoteVerifier]]:
    """Follow the record's board.key_transition entries from ``trusted`` (record-format §10): each must be
    signed by the key trusted so far and by its new key. Returns where the chain reached ``current`` (None if
    it does not) and the keys it went through, oldest first."""
    keys, steps = [trusted], []
    for line in export.lines():
        item = line.item
        if not isinstance(item, dict) or item.get("kind") != "board.key_transition" or not isinstance(item.get("payload"), dict):
            continue
        try:
            transition = open_transition(item["payload"].get("transition"), keys)
        except BoardError:
            continue  # a transition from a key not trusted here hands nothing over
        keys.append(transition.new)
        steps.append(f"seq {line.position}")
        if transition.new == current:
            return f"the key transition(s) at {', '.join(steps)}", keys
    return None, keys


def board_keys(parts: EvoteParts) -> list[NoteVerifier]:
    """Every key that signed the election's checkpoints over time: the trusted key, each key it was handed
    over to, ending with the record's key (one key when it was never rotated)."""
    verifier, _, _ = board_verifier(parts)
    export = parts.export
    if export.trusted_key is None:
        return [verifier]
    trusted = NoteVerifier.from_string(export.trusted_key)
    return [verifier] if trusted == verifier else _handed_over(export, trusted, verifier)[1]


def b3_checkpoint_signature(record: ElectionRecord) -> Iterator[Finding]:
    """Section B (Bulletin board integrity), the signed checkpoint.

    (B.3) The checkpoint is signed under the board key: board-key.json's verifier key has the key id
    SHA-256(name ∥ "\\n" ∥ 0x01 ∥ public key)[0:4] and matches its key_name and public_key; the board key
    obtained out of band is that key, when one was given; a signature line of checkpoint.txt by that key
    verifies over the note's text (Ed25519), and the checkpoint's origin is <board_origin>/elections/<id>
    (record-format §6.3, §7 steps 2-3).
    """
    parts = _parts(record)
    subject, where = "checkpoint signature", "checkpoint.txt"
    verifier, origin, source = board_verifier(parts)
    note = parts.export.checkpoint
    if isinstance(note, Unreadable):
        yield failed("B.3", subject, f"the checkpoint cannot be read: {note}", where)
        return
    try:
        verify_checkpoint(note, [verifier], origin=origin)
    except BoardError as exc:
        yield failed(
            "B.3",
            subject,
            f"the checkpoint does not verify: {exc}",
            where,
            expected=f"signed by {verifier.to_string()} for {origin}",
        )
        return
    yield passed("B.3", subject, f"signed by {verifier.name}+{verifier.key_id.hex()}: {source}", where)


def b5_log_extends_saved_checkpoint(record: ElectionRecord) -> Iterator[Finding]:
    """Section B (Bulletin board integrity), the history seen before.

    (B.5) The board's log extends the checkpoint saved by an earlier verification (--since): both
    checkpoints are signed by the board key for the election's origin, the saved one is not larger, and the
    RFC 9162 root of the record's first saved-size entry hashes, recomputed here, is the saved checkpoint's
    root (record-format §6.3): the entries the saved checkpoint covered are still the first entries of the
    log. When the record was read from a board, the board's consistency proof between the two checkpoints
    must verify too.

    Without a saved checkpoint this step does not apply. When it fails, nothing else is verified: the log is
    not an extension of the one verified before (a fork, or a rewritten history).
    """
    parts = _parts(record)
    saved = parts.saved
    if saved is None:
        yield not_applicable("B.5", "board log", "no saved checkpoint was given (--since)")
        return
    verifier, origin, _ = board_verifier(parts)
    note = require(parts.export.checkpoint, "checkpoint")
    subject = "saved checkpoint"
    try:
        old = verify_checkpoint(saved.note, board_keys(parts), origin=origin)  # saved before a key rotation: the old key
        new = verify_checkpoint(note, [verifier], origin=origin)
    except BoardError as exc:
        yield failed("B.5", subject, f"a checkpoint does not verify: {exc}", saved.origin, expected=saved.note, found=note)
        return
    refused = f"saved checkpoint ({saved.origin}):\n{saved.note}"
    if old.size > new.size:
        yield failed("B.5", subject, "the board's log is smaller than the saved checkpoint: a rollback", saved.origin,
                     expected=refused, found=f"current checkpoint:\n{note}")  # fmt: skip
        return
    prefix_root = _prefix_root(parts.export, old.size)
    if prefix_root != old.root:
        yield failed(
            "B.5", subject, f"the log's first {old.size} entries are not those of the saved checkpoint (a fork or a rewritten "
            "history)", saved.origin, expected=refused,
            found=f"current checkpoint:\n{note}\nroot of the first {old.size} entries: {hex_bytes(prefix_root)}",
        )  # fmt: skip
        return
    how = "the saved root recomputed from the record's entries"
    if saved.proof is not None:
        try:
            check_log_extends(saved.note, note, board_keys(parts), origin, list(saved.proof))
        except BoardError as exc:
            shown = "\n".join(hex_bytes(h) for h in saved.proof) or "(empty)"
            yield failed(
                "B.5", subject, f"the board's consistency proof does not verify: {exc}", saved.origin, expected=refused,
                found=f"current checkpoint:\n{note}\nconsistency proof ({saved.proof_origin}):\n{shown}",
            )  # fmt: skip
            return
        how += f" and the board's {len(saved.proof)}-hash consistency proof ({saved.proof_origin})"
    yield passed("B.5", subject, f"the log of {new.size} entries extends the saved one of {old.size} ({how})", saved.origin)


def _prefix_root(export: BoardExport, size: int) -> bytes:
    """RFC 9162 MTH(D[0:size]) of the written entry hashes, in one pass (O(log n) memory)."""
    accumulator = RootAccumulator()
    for line in export.lines():
        if line.position >= size:
            break
        value = _hash_field(line.item, "entry_hash")
        if value is None:
            raise CannotRun(f"{ENTRIES} line {line.position + 1} has no readable entry_hash")
        accumulator.append_leaf(leaf_hash(value))
    if accumulator.size < size:
        raise CannotRun(f"the export has {accumulator.size} entries, the saved checkpoint {size}")
    return accumulator.root()
