"""A board's log in memory for witness tests: sign checkpoints, build add-checkpoint requests, fork."""

from __future__ import annotations

import hashlib

from nacl.signing import SigningKey

from bulletin_board.log_format.checkpoint import Checkpoint, sign_checkpoint
from bulletin_board.log_format.merkle_proofs import MemoryTree, consistency_proof
from bulletin_board.log_format.note import NoteSigner
from bulletin_board.log_format.witness_protocol import AddCheckpoint

__all__ = ["BoardLog"]


class BoardLog:
    """``size`` entries ``H("<label> <n>")``; ``fork(label)`` is another log with the same key and origin."""

    def __init__(self, origin: str = "board.test/elections/e1", signer: NoteSigner | None = None, size: int = 0,
                 label: str = "entry") -> None:
        self.origin = origin
        self.signer = signer or NoteSigner(origin.split("/")[0], SigningKey(hashlib.sha256(b"board.test seed").digest()))
        self.label = label
        self.tree = MemoryTree()
        self.extend(size)

    @property
    def vkey(self) -> str:
        return self.signer.verifier.to_string()

    def extend(self, count: int) -> "BoardLog":
        for _ in range(count):
            self.tree.append(hashlib.sha256(f"{self.label} {self.tree.size}".encode()).digest())
        return self

    def fork(self, label: str, at: int) -> "BoardLog":
        """The same first ``at`` entries, then entries of another ``label``: a second branch."""
        other = BoardLog(self.origin, self.signer, 0, self.label)
        other.extend(at)
        other.label = label
        return other

    def note(self, size: int | None = None) -> str:
        size = self.tree.size if size is None else size
        return sign_checkpoint(Checkpoint(self.origin, size, self.tree.root(size)), self.signer).note

    def request(self, old: int, size: int | None = None) -> AddCheckpoint:
        size = self.tree.size if size is None else size
        proof = () if old in (0, size) or old > size else tuple(consistency_proof(self.tree, old, size))
        return AddCheckpoint(old, proof, self.note(size))

    def body(self, old: int, size: int | None = None) -> bytes:
        return self.request(old, size).to_body()
