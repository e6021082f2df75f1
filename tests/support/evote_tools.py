"""Editing evote exports in tests: as a careless forger (the hash chain breaks) or as a dishonest board
operator who holds the board's key file and re-chains and re-signs the whole export, so that only the
election's content checks can notice.

A deliberately literal implementation of record-format §6-7 (entry hash, Merkle root, signed checkpoint),
reusing only the board's hashing and signing primitives.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any, Callable

import rfc8785

from bulletin_board.keys import load_board_key
from bulletin_board.log_format.checkpoint import Checkpoint, election_origin, sign_checkpoint
from bulletin_board.log_format.entry import compute_entry_hash, genesis_hash
from bulletin_board.log_format.merkle_hash import RootAccumulator, leaf_hash

Entries = list[dict[str, Any]]


def copy_export(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def read_entries(record: Path) -> Entries:
    return [json.loads(line) for line in (record / "entries.jsonl").read_bytes().splitlines()]


def write_entries(record: Path, entries: Entries) -> None:
    """Write the entries as they are: hashes, links and the checkpoint are left alone (a broken chain)."""
    (record / "entries.jsonl").write_bytes(b"".join(rfc8785.dumps(e) + b"\n" for e in entries))


def resign(record: Path, entries: Entries, key_file: Path, key_name: str = "board.test") -> None:
    """Renumber, re-hash and re-link every entry, recompute the Merkle root and sign a new checkpoint with
    the board's own key: what a dishonest operator with the key file can publish."""
    manifest = json.loads((record / "manifest.json").read_bytes())
    board = json.loads((record / "board-key.json").read_bytes())
    election_id = manifest["election_id"]
    previous = genesis_hash(election_id)
    accumulator = RootAccumulator()
    for seq, entry in enumerate(entries):
        entry["seq"] = seq
        entry["prev_hash"] = previous.hex().upper()
        digest = compute_entry_hash(seq, previous, entry["kind"], entry["received_at"], rfc8785.dumps(entry["payload"]))
        entry["entry_hash"] = digest.hex().upper()
        accumulator.append_leaf(leaf_hash(digest))
        previous = digest
    write_entries(record, entries)
    signer = load_board_key(key_file, key_name)
    checkpoint = Checkpoint(election_origin(board["board_origin"], election_id), len(entries), accumulator.root())
    (record / "checkpoint.txt").write_text(sign_checkpoint(checkpoint, signer).note, encoding="utf-8", newline="")
    manifest["size"] = len(entries)
    (record / "manifest.json").write_bytes(rfc8785.dumps(manifest) + b"\n")


def edited(source: Path, target: Path, change: Callable[[Entries], None], *, key_file: Path | None) -> Path:
    """A copy of ``source`` with ``change`` applied to its entries; re-signed when ``key_file`` is given."""
    record = copy_export(source, target)
    entries = copy.deepcopy(read_entries(record))
    change(entries)
    if key_file is None:
        write_entries(record, entries)
    else:
        resign(record, entries, key_file)
    return record


def nth(entries: Entries, kind: str, n: int = 0) -> dict[str, Any]:
    """The n-th entry of a kind (n = -1: the last)."""
    return [e for e in entries if e["kind"] == kind][n]


def flip_hex(value: str) -> str:
    """Another value of the same width: the last hex digit changed."""
    last = "0" if value[-1] != "0" else "1"
    return value[:-1] + last
