"""Rotating the board's key (docs/board.md, "Rotating the board's key"): hand every election's log over to a
new key with a ``board.key_transition`` entry signed by both keys, then make the new key the board's.

Run on the board's machine with the board stopped (``evote board rotate-key``). Checkpoints already issued
stay signed by the old key; every later one is signed by the new key. Clients that trust the old key follow
the transition (the verifier's section B); witnesses must be told the new key (their configuration lists
every key of a board) and the organizer publishes new trust anchors naming both keys, oldest first.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from voting.record.phases import BOARD_KEY_TRANSITION

from .elections.service import ElectionService
from .keys import load_board_key, load_or_create_board_key
from .log import BoardLog
from .log_format.key_transition import KeyTransition
from .log_format.note import NoteVerifier
from .storage import make_engine, migrate

__all__ = ["Rotation", "rotate_board_key"]


@dataclass(frozen=True)
class Rotation:
    old: NoteVerifier
    new: NoteVerifier
    appended: tuple[tuple[str, int], ...]  # (election id, seq of its board.key_transition)
    retired_key_file: Path


def rotate_board_key(database_url: str, key_file: str | os.PathLike, new_key_file: str | os.PathLike, origin: str,
                     key_name: str | None = None) -> Rotation:
    """Append a transition from the key in ``key_file`` to the one in ``new_key_file`` (created if absent)
    to every election, then move the old key aside and the new key into ``key_file``."""
    name = key_name or origin
    old = load_board_key(key_file, name)
    new = load_or_create_board_key(new_key_file, name)
    if old.verifier == new.verifier:
        raise ValueError("the new key file holds the board's current key")
    engine = make_engine(database_url)
    migrate(engine)
    log = BoardLog(engine, old, origin)
    service = ElectionService(log)
    appended = []
    for election in log.elections():
        note = KeyTransition(log.election_origin(election.election_id), old.verifier, new.verifier).sign(old, new)
        result = service.post_board(election.election_id, BOARD_KEY_TRANSITION, {"transition": note})
        appended.append((election.election_id, result.seq))
    key_path = Path(key_file)
    retired = key_path.with_name(f"{key_path.name}.retired-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}")
    os.replace(key_path, retired)
    os.replace(Path(new_key_file), key_path)
    return Rotation(old.verifier, new.verifier, tuple(appended), retired)
