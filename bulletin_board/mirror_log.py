"""``MirrorLog``: the board's :class:`~bulletin_board.log.BoardLog` over a mirror's database, holding no key.

A mirror serves the primary board's log as it copied it (``mirror_store``). Everything the board's read API
computes from the stored entries and Merkle nodes (entries, roots, inclusion and consistency proofs,
look-ups) works unchanged; what the board would sign or append is different here:

* :meth:`MirrorLog.checkpoint` serves only stored checkpoints, the primary's notes as copied; a size the
  primary issued no checkpoint for is a 404 (``no_checkpoint``), never a new signature;
* the "signer" is the primary's public key alone (:class:`PublicKeyOnly`): ``/board`` names the primary's
  origin and key, and anything that tries to sign raises;
* appends, new elections and cosignature deposits raise ``MirrorReadOnly`` (405), behind the web layer's
  own refusal (``web/mirror_mode.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn, cast

from sqlalchemy import Engine, select

from .log import BoardLog
from .log_format.checkpoint import Checkpoint, SignedCheckpoint
from .log_format.entry import check_election_id
from .log_format.errors import BoardError
from .log_format.note import NoteSigner, NoteVerifier
from .storage.engine import read_transaction
from .storage.schema import checkpoints

__all__ = ["MirrorLog", "MirrorReadOnly", "NoCheckpoint", "PublicKeyOnly"]


class MirrorReadOnly(BoardError):
    """A mirror accepts no writes."""

    code = "mirror_read_only"
    status = 405


class NoCheckpoint(BoardError, LookupError):
    code = "no_checkpoint"
    status = 404


@dataclass(frozen=True)
class PublicKeyOnly:
    """Stands where the board keeps its signer: the primary's verifier key, and no way to sign."""

    verifier: NoteVerifier

    @property
    def name(self) -> str:
        return self.verifier.name

    def signature_line(self, text: str) -> NoReturn:
        raise MirrorReadOnly("a mirror holds no board key and signs nothing")


class MirrorLog(BoardLog):
    def __init__(self, engine: Engine, board_key: NoteVerifier, origin: str, primary_url: str) -> None:
        super().__init__(engine, cast(NoteSigner, PublicKeyOnly(board_key)), origin)
        self.primary_url = primary_url

    def _refuse(self, *_: Any, **__: Any) -> NoReturn:
        raise MirrorReadOnly(f"this is a mirror of {self.primary_url}: it accepts no writes; use the primary board")

    create_election = _refuse
    append = _refuse
    store_cosignatures = _refuse

    def checkpoint(self, election_id: str, size: int | None = None) -> SignedCheckpoint:
        """The primary's stored checkpoint of ``size`` (default: the mirror's current size), never a new one."""
        check_election_id(election_id)
        with read_transaction(self.engine) as conn:
            size, _ = self._checked_size(conn, election_id, size)
            row = conn.execute(select(checkpoints.c.root, checkpoints.c.note).where(checkpoints.c.election_id == election_id)
                               .where(checkpoints.c.size == size)).first()
        if row is None:
            raise NoCheckpoint(f"this mirror holds no checkpoint of size {size} for {election_id}: it serves only the "
                               f"primary's checkpoints and never signs one", field="size")
        return SignedCheckpoint(Checkpoint(self.election_origin(election_id), size, bytes(row.root)), row.note)
