"""Reader for evote records: the board's export of one election (docs/record-format.md §7).

    manifest.json    {"format": "evote-board-record", "version": 1, "election_id", "size", "files"}
    entries.jsonl    one RFC 8785 entry per line, seq 0 first
    checkpoint.txt   the signed checkpoint covering the entries
    board-key.json   the board's origin, key name, public key and verifier key

:func:`open_evote` reads an export directory; :func:`open_board` downloads an election from a running board
into a temporary export first (:mod:`.evote_board`). Opening reads ``entries.jsonl`` once
(:func:`~.evote_entries.scan_entries`); the board checks and the ballot stream read it again, line by line.
The ElectionGuard parts come from the control entries (:mod:`.evote_parts`), the ballots from the ballot
entries (:mod:`.evote_ballots`); evote follows the SPEC's conventions (:data:`~voting.verifier.conventions.SPEC`)
and chains no confirmation codes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bulletin_board.log_format.export import FILES, FORMAT

from ...manifest import Manifest
from ...record import tallying as tl
from ..checks.credential_lists import list_in_force
from ..conventions import SPEC
from ..model import Chaining, ElectionRecord, RecordUnreadable, Unreadable
from ..model_evote import BoardExport, EvoteParts, SavedCheckpoint
from ..rules.chunks import resolve_for_reading
from . import evote_parts as parts_of
from .evote_ballots import EvoteBallotDecoder, EvoteBallots
from .evote_cosigned import read_cosigned
from .evote_entries import ChallengedPayloads, EntriesFile, read_lines, scan_entries
from .files import DEFAULT_LIMITS, FileRefused, Limits, load_json, parse_json, read_bytes

FORMAT_NAME = "evote"
MANIFEST = "manifest.json"
SMALL = "this file"  # the size limit's name in a refusal


def is_evote_export(path: str | Path) -> bool:
    """Whether ``path`` looks like an evote export: its manifest.json says so, or it cannot be read (a pipe,
    a link out of the directory) and the directory has an entries.jsonl."""
    root = Path(path)
    try:
        document = parse_json(read_bytes(root, MANIFEST, DEFAULT_LIMITS.small, SMALL))
    except FileRefused:
        return os.path.lexists(root / MANIFEST) and os.path.lexists(root / FILES["entries"])
    except ValueError:
        return False
    return isinstance(document, dict) and document.get("format") == FORMAT


def _json(root: Path, name: str, limits: Limits) -> dict[str, Any] | Unreadable:
    value = load_json(root, name, limits.small, SMALL)
    return value if isinstance(value, (dict, Unreadable)) else Unreadable(name, "", "is not a JSON object")


def _text(root: Path, name: str, limits: Limits) -> str | Unreadable:
    try:
        return read_bytes(root, name, limits.small, SMALL).decode("utf-8")
    except FileRefused as exc:
        return exc.unreadable()
    except UnicodeDecodeError as exc:
        return Unreadable(name, "", f"is not UTF-8 text (byte {exc.start})")


def open_evote(
    path: str | Path,
    *,
    board_key: str | None = None,
    board_key_origin: str = "--board-key",
    since: SavedCheckpoint | None = None,
    transport: tuple[str, ...] = (),
    location: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    trust: Any = None,
    cosigned_origin: str = "",
) -> ElectionRecord:
    """Read an evote export directory; raises :class:`RecordUnreadable` if ``path`` is not one.

    ``board_key`` is the board's verifier key obtained out of band (B.3 requires the record's key to be it);
    ``since`` the checkpoint of an earlier verification (B.5, and only later ballots are checked again);
    ``trust`` the witness policy and anchors required (section W; the export's cosigned checkpoints are read
    then, :mod:`.evote_cosigned`).
    Every file is read through :mod:`.files`: a file that is refused is :class:`Unreadable` (entries.jsonl:
    the checks that read it cannot run, and say why).
    """
    root = Path(path)
    if not root.is_dir():
        raise RecordUnreadable(f"{path} is not a directory")
    if not os.path.lexists(root / FILES["entries"]) and not is_evote_export(root):
        raise RecordUnreadable(f"{path} is not an evote record: it has no {FILES['entries']} and no evote {MANIFEST}")
    entries = EntriesFile(root, FILES["entries"], limits.entry)
    manifest = _json(root, MANIFEST, limits)
    scan = scan_entries(entries)  # an entries.jsonl that cannot be read reads as no entries; the board checks then fail
    election_id = manifest.get("election_id") if isinstance(manifest, dict) else None
    export = BoardExport(
        location=location or str(root),
        manifest=manifest,
        board_key=_json(root, FILES["board_key"], limits),
        checkpoint=_text(root, FILES["checkpoint"], limits),
        lines=lambda: read_lines(entries),
        trusted_key=board_key,
        trusted_key_origin=board_key_origin,
        transport=transport,
        cosigned=read_cosigned(root, limits) if trust is not None else None,
        cosigned_origin=cosigned_origin,
    )
    counting = (
        scan.counter.result() if scan.counter is not None else Unreadable("entries.jsonl", "election.created", "no revoting rule")
    )
    if scan.refused is not None:
        counting = scan.refused.unreadable()
    parts = EvoteParts(
        election_id=election_id if isinstance(election_id, str) else None,
        export=export,
        events=tuple(resolve_for_reading(scan.events)),  # chunked entries hold their whole payload (§13)
        ballot_payload_at=ChallengedPayloads(entries, scan.challenged_offsets),
        counting=counting,
        saved=since,
        since_size=_size_of(since),
        entries=scan.lines,
        trust=trust,
    )
    parts.stage = parts_of.stage(parts)
    parameters = parts_of.parameters(parts)
    manifest_model = parameters.manifest if not isinstance(parameters, Unreadable) else None
    result = parts.first(tl.TALLY_RESULT)
    ballots = EvoteBallots(
        entries,
        counting if not isinstance(counting, Unreadable) else None,
        parts_of.challenged_decryptions(parts),
        None
        if result is not None
        else f"the trustees have not decrypted the challenged ballots yet (the election is at: {parts.stage})",
        parts.since_size,
        result.seq if result is not None else None,
        _weights(parts),
    )
    return ElectionRecord(
        format=FORMAT_NAME,
        location=export.location,
        conventions=SPEC,
        parameters=parameters,
        key_ceremony=parts_of.key_ceremony(parts),
        chaining=Chaining(enabled=False, devices=(), origin="evote records do not chain confirmation codes (B_aux is empty)"),
        encrypted_tally=parts_of.encrypted_tally(parts),
        decrypted_tally=parts_of.decrypted_tally(parts),
        decryption_ids=parts_of.decryption_ids(parts),
        ballots=ballots.stream,
        decoder=EvoteBallotDecoder(manifest_model if isinstance(manifest_model, Manifest) else None),
        ballot_count=scan.ballots,
        ballots_optional=True,
        evote=parts,
    )


def _weights(parts: EvoteParts) -> dict[bytes, int] | None:
    """Each eligible credential's weight in a version-2 election (the list in force at opening), else None."""
    found = list_in_force(parts)
    return {key: c.weight for key, c in found.eligible.items()} if found.styles_bound else None


def _size_of(saved: SavedCheckpoint | None) -> int | None:
    if saved is None:
        return None
    lines = saved.note.split("\n")
    return int(lines[1]) if len(lines) > 1 and lines[1].isascii() and lines[1].isdigit() else None
