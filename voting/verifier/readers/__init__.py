"""Readers turn an election record into the verifier's :class:`~voting.verifier.model.ElectionRecord`.

``egk``: records written by electionguard-kotlin-multiplatform (JSON). ``belenios``: a Belenios election's
``.bel`` archive or a 1.x directory (voting/verifier/belenios), and ``helios``: helios-server's documents or a
pyrios bundle (voting/verifier/helios), each checked with its system's own checklist (voting/verifier/systems.py).
``egk-ec``: records written by
egk-ec, egk's successor (JSON, base64 values; the 4096-bit integer group only: records in another group,
such as egk-ec's P-256, are refused as not supported). ``evote``: the board's export of an election
(docs/record-format.md §7), or the election read straight from a board's URL.

A record of a system, version or group the checks do not implement raises :class:`FormatNotSupported`
(the CLI exits with 2), never a failed verification.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..model import ElectionRecord, RecordUnreadable
from ..model_evote import SavedCheckpoint
from ..systems import SystemRecord
from .egk import CONFIG, INITIALIZED, MANIFEST, open_egk
from .egk_ec import is_egk_ec, open_egk_ec
from .evote import is_evote_export, open_evote
from .evote_board import is_board_url, open_board, split_board_url
from .files import DEFAULT_LIMITS, Limits
from .unsupported import FormatNotSupported

FORMATS = ("egk", "egk-ec", "evote", "belenios", "helios")


def _is_belenios(path: str | Path) -> bool:
    from ..belenios.reader import is_belenios  # imported here: the Belenios reader reads files through .files

    return is_belenios(path)


def _open_belenios(path: str | Path, limits: Limits) -> SystemRecord:
    from ..belenios.reader import open_belenios

    return open_belenios(path, limits)


def _is_helios(path: str | Path) -> bool:
    from ..helios.reader import is_helios

    return is_helios(path)


def _open_helios(path: str | Path, limits: Limits) -> SystemRecord:
    from ..helios.reader import open_helios

    return open_helios(path, limits)


SYSTEMS = {"belenios": (_is_belenios, _open_belenios), "helios": (_is_helios, _open_helios)}
"""Other systems' records: detection and reader, each checked with its own checklist (voting/verifier/systems.py)."""


def detect_format(path: str | Path) -> str:
    """``evote`` for a board URL or a directory whose manifest.json says evote-board-record, ``egk-ec`` for a
    directory whose constants.json has egk-ec's shape, else ``egk``."""
    if is_board_url(str(path)) or is_evote_export(path):
        return "evote"
    for name, (detect, _) in SYSTEMS.items():
        if detect(path):
            return name
    return "egk-ec" if is_egk_ec(path) else "egk"


def _known_record(path: str | Path) -> None:
    """A detected ``egk`` directory must hold at least one of egk's documents, else no known record is there."""
    root = Path(path)
    if root.is_dir() and not any(os.path.lexists(root / name) for name in (CONFIG, MANIFEST, INITIALIZED)):
        raise FormatNotSupported(
            f"{path} is no election record this verifier knows: it is not an egk election record (it has none of "
            f"{CONFIG}, {MANIFEST}, {INITIALIZED}), nor an egk-ec record (no constants.json in egk-ec's shape), "
            "nor an evote export (no manifest.json of format evote-board-record), nor a Belenios record (a .bel archive, "
            "or a Belenios 1.x directory with election.json and ballots.jsons), nor a Helios record (election.json "
            "with a public key {p, q, g, y} beside trustees.json or the cast votes, or a pyrios bundle)",
            f"this verifier reads the formats {', '.join(FORMATS)}",
        )


def open_record(
    path: str | Path,
    format: str | None = None,
    *,
    board_key: str | None = None,
    since: str | None = None,
    since_origin: str = "--since",
    limits: Limits = DEFAULT_LIMITS,
    trust: Any = None,
    board_key_origin: str = "--board-key",
    registrar_key: str | None = None,
    registrar_key_origin: str = "--registrar-key",
) -> ElectionRecord | SystemRecord:
    """Read the record at ``path`` (a directory, or for evote a board URL ``http(s)://host/ELECTION``);
    raises :class:`RecordUnreadable` with the reason if it cannot. ``format`` None detects it. Returns an
    :class:`ElectionRecord`, or for another system's record its :class:`~voting.verifier.systems.SystemRecord`.

    evote only: ``board_key`` is the board's verifier key obtained out of band; ``since`` the signed note of
    a checkpoint saved by an earlier verification (incremental verification). ``limits``: the largest file
    of each kind the readers read (:mod:`.files`). ``trust``: the witness policy and trust anchors required
    (:class:`voting.verifier.anchors.ClientTrust`, section W); None: none. ``registrar_key``: the credential
    authority's Ed25519 key (64 hex digits) obtained out of band, which E.9 compares with election.created's.
    """
    if format is None:
        format = detect_format(path)
        if format == "egk":
            _known_record(path)
    if format not in FORMATS:
        raise FormatNotSupported(f"record format {format!r}", f"the known formats are {', '.join(FORMATS)}")
    if format in SYSTEMS:
        if board_key is not None or since is not None or trust is not None or registrar_key is not None:
            raise RecordUnreadable("--board-key, --registrar-key, --since, --witness and --anchors apply to evote records only")
        return SYSTEMS[format][1](path, limits)
    if format != "evote":
        if board_key is not None or since is not None or trust is not None or registrar_key is not None:
            raise RecordUnreadable("--board-key, --registrar-key, --since, --witness and --anchors apply to evote records only")
        if is_board_url(str(path)):
            raise RecordUnreadable(f"{format} records are directories; a board URL is an evote record (--format evote)")
        if format == "egk-ec":
            return open_egk_ec(path, limits)
        if is_egk_ec(path, limits):
            raise RecordUnreadable(f"{path} is an egk-ec record (its constants.json is in egk-ec's shape): use --format egk-ec")
        return open_egk(path, limits)
    if is_board_url(str(path)):
        board_url, election_id = split_board_url(str(path))
        record = open_board(
            board_url, election_id, board_key=board_key, since_note=since, since_origin=since_origin, limits=limits,
            trust=trust, board_key_origin=board_key_origin,
        )  # fmt: skip
    else:
        saved = SavedCheckpoint(since, since_origin, None) if since is not None else None
        record = open_evote(path, board_key=board_key, board_key_origin=board_key_origin, since=saved, limits=limits, trust=trust)
    if registrar_key is not None and record.evote is not None:
        record.evote.registrar_key = registrar_key.upper()
        record.evote.registrar_key_origin = registrar_key_origin
    return record


__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "SYSTEMS",
    "FormatNotSupported",
    "Limits",
    "detect_format",
    "open_board",
    "open_record",
    "split_board_url",
]
