"""Reading an election straight from a running board (``evote-verify http://host:port/ELECTION``).

The election's current signed checkpoint is fetched first; then its entries, page by page, each checked
against its predecessor as it arrives (:class:`bulletin_board.log_format.chain.ChainChecker`, through
:meth:`bulletin_board.log_format.client.BoardClient.entries`), are written to a temporary export of exactly the
checkpoint's size (docs/record-format.md §7), which is then verified like any export: memory stays flat,
the network is read once. A broken link stops the download and is reported under B.1. The board's published
key is used unless one was given out of band; with ``--since``, the board's consistency proof is fetched too.
"""

from __future__ import annotations

import tempfile
import urllib.parse
from pathlib import Path
from typing import Any

import rfc8785

from bulletin_board.log_format.client import BoardClient, BoardClientError
from bulletin_board.log_format.errors import BoardError, ChainBroken
from bulletin_board.log_format.export import FILES, FORMAT, VERSION, entry_to_json

from ..model import ElectionRecord, RecordUnreadable
from ..model_evote import SavedCheckpoint
from .evote import open_evote
from .files import DEFAULT_LIMITS, Limits

API_SUFFIXES = ("/api/v1/elections", "/elections", "/booth")


def is_board_url(text: str) -> bool:
    return str(text).startswith(("http://", "https://"))


def split_board_url(url: str) -> tuple[str, str]:
    """(board base URL, election id) from ``http(s)://host[:port][/prefix]/ELECTION``.

    The last path segment is the election; the rest is the board (a trailing ``/api/v1/elections``,
    ``/elections`` or ``/booth`` is dropped, so the board's own links work too).
    """
    parsed = urllib.parse.urlparse(url)
    path = parsed.path.rstrip("/")
    if parsed.scheme not in ("http", "https") or not parsed.netloc or "/" not in path or not path.rsplit("/", 1)[1]:
        raise RecordUnreadable(f"{url} is not a board URL of an election: http(s)://host[:port]/ELECTION_ID")
    prefix, election_id = path.rsplit("/", 1)
    for suffix in API_SUFFIXES:
        if prefix.endswith(suffix):
            prefix = prefix[: -len(suffix)]
            break
    return urllib.parse.urlunparse((parsed.scheme, parsed.netloc, prefix, "", "", "")), urllib.parse.unquote(election_id)


def open_board(
    board_url: str,
    election_id: str,
    *,
    board_key: str | None = None,
    since_note: str | None = None,
    since_origin: str = "",
    limits: Limits = DEFAULT_LIMITS,
    trust: Any = None,
    board_key_origin: str = "--board-key",
) -> ElectionRecord:
    """Download the election into a temporary export and open it; raises :class:`RecordUnreadable` when the
    board cannot be reached or has no such election.

    With a witness policy (``trust``) the checkpoint read is the board's latest *cosigned* checkpoint
    (``GET /checkpoint/cosigned``) and exactly its entries are downloaded, so that section W checks the
    cosignatures of the very checkpoint verified; a board that serves none is read at its plain checkpoint,
    and W.1 then fails saying so."""
    directory = tempfile.TemporaryDirectory(prefix="evote-verify-board-")
    try:
        root = Path(directory.name)
        client = BoardClient(board_url, retries=2)
        quoted = urllib.parse.quote(election_id, safe="")
        info = client.board_info()
        checkpoint, cosigned_origin = _checkpoint(client, board_url, quoted, trust is not None)
        transport = _download(client, election_id, int(checkpoint["size"]), root)
        (root / FILES["checkpoint"]).write_text(checkpoint["note"], encoding="utf-8", newline="")
        key = {k: info[k] for k in ("key_name", "public_key", "verifier_key")} | {"board_origin": info["origin"]}
        (root / FILES["board_key"]).write_bytes(rfc8785.dumps(key) + b"\n")
        manifest: dict[str, str | int | dict[str, str]] = {
            "format": FORMAT,
            "version": VERSION,
            "election_id": election_id,
            "size": int(checkpoint["size"]),
            "files": dict(FILES),
        }
        (root / "manifest.json").write_bytes(rfc8785.dumps(manifest) + b"\n")
        saved = None
        if since_note is not None:
            saved = _saved(client, quoted, since_note, since_origin, int(checkpoint["size"]))
        api = f"{board_url.rstrip('/')}/api/v1/board"
        record = open_evote(
            root,
            board_key=board_key or info["verifier_key"],
            board_key_origin=board_key_origin if board_key else f"published by the board at {api}",
            since=saved,
            transport=transport,
            location=f"{board_url.rstrip('/')}/{election_id}",
            limits=limits,
            trust=trust,
            cosigned_origin=cosigned_origin,
        )
    except BoardClientError as exc:
        directory.cleanup()
        raise RecordUnreadable(f"cannot read election {election_id!r} from the board at {board_url}: {exc}") from None
    except (KeyError, TypeError, ValueError, BoardError) as exc:
        directory.cleanup()
        raise RecordUnreadable(f"the board at {board_url} answered with malformed data: {type(exc).__name__}: {exc}") from None
    except BaseException:
        directory.cleanup()
        raise
    record.closers.append(directory.cleanup)
    return record


def _checkpoint(client: BoardClient, board_url: str, quoted: str, cosigned: bool) -> tuple[dict, str]:
    """The checkpoint to verify, and (with a policy) where its cosignatures come from."""
    if not cosigned:
        return client.get(f"/elections/{quoted}/checkpoint"), ""
    url = f"{board_url.rstrip('/')}/api/v1/elections/{quoted}/checkpoint/cosigned"
    try:
        return client.get(f"/elections/{quoted}/checkpoint/cosigned"), url
    except BoardClientError as exc:
        if exc.status is None:
            raise
        checkpoint = client.get(f"/elections/{quoted}/checkpoint")
        return checkpoint, f"{url} (the board serves no cosigned checkpoint: {exc}; its plain checkpoint was read)"


def _download(client: BoardClient, election_id: str, size: int, root: Path) -> tuple[str, ...]:
    """Write the first ``size`` entries, chain-checked as they arrive; the faults found, if any."""
    written = 0
    with open(root / FILES["entries"], "wb") as handle:
        entries = client.entries(election_id)
        try:
            for entry in entries:
                if written >= size:
                    break
                handle.write(rfc8785.dumps(entry_to_json(entry)) + b"\n")
                written += 1
        except ChainBroken as exc:
            return (f"the board served a broken hash chain: {exc}; the download stopped after {written} entries",)
        finally:
            entries.close()
    if written < size:
        return (f"the board served {written} entries for a checkpoint of size {size}",)
    return ()


def _saved(client: BoardClient, quoted: str, note: str, origin: str, size: int) -> SavedCheckpoint:
    lines = note.split("\n")
    old = int(lines[1]) if len(lines) > 1 and lines[1].isascii() and lines[1].isdigit() else None
    if old is None or old > size:
        return SavedCheckpoint(note, origin, None, "the board gives no proof for these sizes; computed from its entries")
    try:
        answer = client.get(f"/elections/{quoted}/consistency?old={old}&new={size}")
        proof = tuple(bytes.fromhex(h) for h in answer["proof"])
    except (BoardClientError, KeyError, TypeError, ValueError) as exc:
        return SavedCheckpoint(note, origin, None, f"the board gave no consistency proof ({exc}); computed from its entries")
    return SavedCheckpoint(note, origin, proof, "the board's consistency proof")
