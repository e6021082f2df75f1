"""Writing an election's complete record (docs/record-format.md, section 7).

    <dir>/manifest.json     what the export is: format, version, election, sizes and file names
    <dir>/entries.jsonl     one entry per line, seq order, each line RFC 8785 canonical JSON
    <dir>/checkpoint.txt    the signed checkpoint whose size is the number of entries exported
    <dir>/board-key.json    the board's origin, key name, public key and verifier key
    <dir>/checkpoints.jsonl every checkpoint the board stored up to that size, oldest first, one RFC 8785 line
                            {"note", "root", "size", "witnesses"} each, the note carrying the witnesses'
                            cosignatures the board obtained for it (absent from exports of boards without them)

checkpoints.jsonl is not listed in the manifest's ``files``, so that the manifest of every export stays that of
version 1 and older exports, which lack the file, read as before.

The source is either a ``BoardLog`` (direct database access) or a running board over HTTP.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterable

import rfc8785

from .canonical import canonicalize
from .entry import Entry, check_election_id
from .errors import BoardError
from .note import NoteVerifier

FORMAT = "evote-board-record"
VERSION = 1
FILES = {"entries": "entries.jsonl", "checkpoint": "checkpoint.txt", "board_key": "board-key.json"}
CHECKPOINTS_FILE = "checkpoints.jsonl"
PAGE = 1000

__all__ = ["FORMAT", "VERSION", "FILES", "CHECKPOINTS_FILE", "entry_to_json", "export_from_log", "export_from_board"]


def entry_to_json(entry: Entry) -> dict:
    return {"seq": entry.seq, "kind": entry.kind, "payload": json.loads(entry.payload),
            "prev_hash": entry.prev_hash.hex().upper(), "entry_hash": entry.entry_hash.hex().upper(),
            "received_at": entry.received_at}


def _write(out: Path, election_id: str, board_origin: str, verifier: NoteVerifier, note: str, size: int,
           entries: Iterable[Entry], checkpoints: list[dict] | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    with open(out / FILES["entries"], "wb") as handle:
        for entry in entries:
            if entry.seq != written:
                raise BoardError(f"source returned seq {entry.seq} where {written} was expected")
            handle.write(rfc8785.dumps(entry_to_json(entry)) + b"\n")
            written += 1
    if written != size:
        raise BoardError(f"source returned {written} entries for a checkpoint of size {size}")
    (out / FILES["checkpoint"]).write_text(note, encoding="utf-8", newline="")
    if checkpoints is not None:
        with open(out / CHECKPOINTS_FILE, "wb") as handle:
            for item in sorted(checkpoints, key=lambda c: c["size"]):
                if item["size"] <= size:
                    line = {"size": item["size"], "root": item["root"], "note": item["note"],
                            "witnesses": list(item.get("witnesses", []))}
                    handle.write(rfc8785.dumps(line) + b"\n")
    key = {"board_origin": board_origin, "key_name": verifier.name,
           "public_key": verifier.public_key.hex().upper(), "verifier_key": verifier.to_string()}
    (out / FILES["board_key"]).write_bytes(rfc8785.dumps(key) + b"\n")
    manifest: dict[str, str | int | dict[str, str]] = {
        "format": FORMAT, "version": VERSION, "election_id": election_id, "size": size, "files": dict(FILES)
    }
    (out / "manifest.json").write_bytes(rfc8785.dumps(manifest) + b"\n")
    return out


def export_from_log(log, election_id: str, out: str | Path) -> Path:
    """Export through direct database access: the latest checkpoint and the entries it covers."""
    check_election_id(election_id)
    checkpoint = log.checkpoint(election_id)

    def pages() -> Iterable[Entry]:
        for start in range(0, checkpoint.size, PAGE):
            yield from log.entries(election_id, start, min(PAGE, checkpoint.size - start))

    stored = [{"size": c.signed.size, "root": c.signed.root.hex().upper(), "note": c.note, "witnesses": c.witnesses}
              for c in log.cosigned_checkpoints(election_id)]
    return _write(Path(out), election_id, log.origin, log.signer.verifier, checkpoint.note, checkpoint.size, pages(),
                  stored)


def _get(base: str, path: str, *, missing_ok: bool = False, **query: int) -> dict:
    url = base.rstrip("/") + path + ("?" + urllib.parse.urlencode(query) if query else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        exc.close()
        if missing_ok and exc.code == 404:
            return {}
        raise BoardError(f"cannot fetch {url}: {exc}") from None
    except OSError as exc:
        raise BoardError(f"cannot fetch {url}: {exc}") from None
    except ValueError:
        raise BoardError(f"{url} did not answer with JSON") from None


def _checked_checkpoints(answer: dict) -> list[dict] | None:
    """The board's stored checkpoints as exported (None for a board that has no such endpoint)."""
    if not answer:
        return None
    items = answer["checkpoints"]
    for item in items:
        size, root, note, witnesses = item["size"], item["root"], item["note"], item.get("witnesses", [])
        if (isinstance(size, bool) or not isinstance(size, int) or not isinstance(root, str) or not isinstance(note, str)
                or not isinstance(witnesses, list) or not all(isinstance(name, str) for name in witnesses)):
            raise BoardError(f"the board's checkpoints answer holds a malformed item: {str(item)[:200]}")
    return items


def export_from_board(board_url: str, election_id: str, out: str | Path) -> Path:
    """Export from a running board's public API (payloads re-canonicalised, then re-hashed by the check)."""
    try:
        return _export_from_board(board_url, election_id, out)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, BoardError):
            raise
        raise BoardError(f"the board at {board_url} answered with malformed data ({type(exc).__name__}: "
                         f"{str(exc)[:200]})") from None


def _export_from_board(board_url: str, election_id: str, out: str | Path) -> Path:
    check_election_id(election_id)
    quoted = urllib.parse.quote(election_id, safe="")
    info = _get(board_url, "/api/v1/board")
    verifier = NoteVerifier.from_string(info["verifier_key"])
    checkpoint = _get(board_url, f"/api/v1/elections/{quoted}/checkpoint")
    size = checkpoint["size"]
    stored = _checked_checkpoints(_get(board_url, f"/api/v1/elections/{quoted}/checkpoints", missing_ok=True))

    def pages() -> Iterable[Entry]:
        for start in range(0, size, PAGE):
            page = _get(board_url, f"/api/v1/elections/{quoted}/entries", start=start, limit=min(PAGE, size - start))
            for item in page["entries"]:
                yield Entry(election_id, item["seq"], item["kind"], canonicalize(item["payload"]),
                            bytes.fromhex(item["prev_hash"]), bytes.fromhex(item["entry_hash"]), item["received_at"])

    return _write(Path(out), election_id, info["origin"], verifier, checkpoint["note"], size, pages(), stored)
