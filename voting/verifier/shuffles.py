"""Checking proofs of shuffle once per record: the commitment generators derived once for the most rows needed,
and each verdict kept, so that section L's replay and check M.2 share the work (docs/mixnet.md).

A verdict is kept under the digests of the input and output rows (SHA-256, record-format §12.2) and the proof
itself (compared in full), so a verdict is never reused for other rows or another proof.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from ..context import ElectionContext
from ..mixnet.errors import InvalidShuffle
from ..mixnet.generators import CommitmentGenerators, derive_generators
from ..mixnet.proof import ShuffleProof
from ..mixnet.verify import verify_shuffle
from ..record.mixing import Row, rows_digest


@dataclass
class ShuffleChecker:
    """``check(inputs, outputs, proof, context)`` returns nothing or raises :class:`InvalidShuffle`."""

    generators: CommitmentGenerators | None = None
    verdicts: dict[tuple, InvalidShuffle | None] = field(default_factory=dict)

    def _generators(self, context: ElectionContext, n: int) -> CommitmentGenerators:
        cached = self.generators
        if cached is None or cached.H_E != context.H_E or len(cached.hs) < n:
            cached = derive_generators(context.H_E, n, context.group)
            self.generators = cached
        return cached

    def check(self, inputs: Sequence[Row], outputs: Sequence[Row], proof: ShuffleProof, context: ElectionContext) -> None:
        key = (context.K, context.H_E, rows_digest(inputs), rows_digest(outputs), proof)
        if key not in self.verdicts:
            try:
                generators = self._generators(context, len(inputs)) if inputs else None
                verify_shuffle(inputs, outputs, proof, context, generators=generators)
                self.verdicts[key] = None
            except InvalidShuffle as exc:
                self.verdicts[key] = exc
        verdict = self.verdicts[key]
        if verdict is not None:
            raise verdict
