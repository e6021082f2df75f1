"""What a client of the board checks, composed from the primitives (no network, no database).

* ``check_entry_included``: a signed checkpoint commits to an entry (signature, then inclusion proof);
* ``check_log_extends``: a newer signed checkpoint extends an older one (both signatures, same origin,
  then the consistency proof). A failure raises ``InconsistentLog`` keeping both checkpoints and the proof.
"""

from __future__ import annotations

from typing import Sequence

from .checkpoint import SignedCheckpoint, verify_checkpoint
from .errors import InconsistentLog, ProofError, RootMismatch
from .merkle_hash import leaf_hash
from .merkle_verify import verify_consistency, verify_inclusion
from .note import NoteVerifier

__all__ = ["check_entry_included", "check_log_extends"]


def check_entry_included(note: str, verifiers: Sequence[NoteVerifier], origin: str, seq: int,
                         entry_hash: bytes, proof: Sequence[bytes]) -> SignedCheckpoint:
    """The checkpoint ``note`` is signed by a trusted key for ``origin`` and contains entry ``seq``."""
    checkpoint = verify_checkpoint(note, tuple(verifiers), origin=origin)
    verify_inclusion(seq, checkpoint.size, leaf_hash(entry_hash), proof, checkpoint.root)
    return checkpoint


def check_log_extends(old_note: str, new_note: str, verifiers: Sequence[NoteVerifier], origin: str,
                      proof: Sequence[bytes]) -> tuple[SignedCheckpoint, SignedCheckpoint]:
    """Both checkpoints are signed for ``origin`` and the new one is an append-only extension of the old."""
    old = verify_checkpoint(old_note, tuple(verifiers), origin=origin)
    new = verify_checkpoint(new_note, tuple(verifiers), origin=origin)
    if new.size < old.size:
        raise InconsistentLog(old, new, list(proof), "the newer checkpoint is smaller than the older one")
    try:
        verify_consistency(old.size, new.size, old.root, new.root, proof)
    except (ProofError, RootMismatch) as exc:
        raise InconsistentLog(old, new, list(proof), str(exc)) from exc
    return old, new
