"""The SPEC's own conventions (what evote's records follow), for :class:`~voting.verifier.model.Conventions`."""

from __future__ import annotations

from ..context import ElectionContext
from ..decryption import contest_data_challenge
from ..hashed_elgamal import HashedCiphertext, decrypt_contest_data
from ..manifest import Contest
from .checks.common import recorded_element
from .model import Conventions, WrittenContestData


def spec_open_contest_data(context: ElectionContext, contest: Contest, data: WrittenContestData, beta: int) -> bytes | None:
    """D from β with the KDF of SPEC eqs. 86-89 (label "data enc keys", context "contest data" ∥ b(ind_c, 4))."""
    ciphertext = HashedCiphertext(recorded_element(data.C0, context.group), data.C1, data.C2)
    return decrypt_contest_data(context, contest.index, ciphertext, recorded_element(beta, context.group))


def spec_first_chain_aux(H_0: bytes, aux0: bytes) -> bytes:
    """B_aux,1 = H_0 ∥ B_aux,0 (SPEC eq. 60)."""
    return H_0 + aux0


SPEC = Conventions(
    name="SPEC v2.0.0",
    contest_data_challenge=contest_data_challenge,
    open_contest_data=spec_open_contest_data,
    first_chain_aux=spec_first_chain_aux,
    aux0_identifies_device=True,
)
