"""Contest hashes, confirmation codes and ballot chaining (SPEC v2.0.0 §3.4, Verification 7).

χ_l = H(H_E; 0x23, ind_c(Λ_l), K, α_1, β_1, ..., α_m, β_m) (eq. 57);
H(B) = H(H_E; 0x24, χ_1, ..., χ_mB, B_aux) (eq. 58). The SPEC's prose and its byte table (§5.5.3) disagree on
a length field before B_aux; we follow the prose (no length field), as egk does (docs/record-format.md §3).
"""

from __future__ import annotations

from typing import Sequence

from .context import ElectionContext
from .elgamal import Ciphertext
from .hashing import DS, H

CLOSE = b"CLOSE"


def contest_hash(context: ElectionContext, contest_index: int, ciphertexts: Sequence[Ciphertext]) -> bytes:
    """χ_l (SPEC eq. 57)."""
    encoded = b"".join(ct.alpha.to_bytes() + ct.beta.to_bytes() for ct in ciphertexts)
    return H(context.H_E, DS.CONTEST_HASH, contest_index, context.K, encoded)


def confirmation_code(context: ElectionContext, contest_hashes: Sequence[bytes], aux: bytes = b"") -> bytes:
    """H(B) = H(H_E; 0x24, χ_1, ..., χ_mB, B_aux) (SPEC eq. 58)."""
    return H(context.H_E, DS.CONFIRMATION_CODE, *contest_hashes, aux)


def chain_start(context: ElectionContext, aux0: bytes) -> bytes:
    """H_0 = H(H_E; 0x24, B_aux,0) (SPEC eq. 59; no length field, as in eq. 58)."""
    return H(context.H_E, DS.CONFIRMATION_CODE, aux0)


def chained_aux(previous_code: bytes, aux0: bytes) -> bytes:
    """B_aux,j = H_{j-1} ∥ B_aux,0 (SPEC eq. 60)."""
    return previous_code + aux0


def chain_close(context: ElectionContext, last_code: bytes, aux0: bytes) -> bytes:
    """H = H(H_E; 0x24, H(B_ℓ) ∥ B_aux,0 ∥ b("CLOSE", 5)) (SPEC eq. 61)."""
    return H(context.H_E, DS.CONFIRMATION_CODE, last_code, aux0, CLOSE)
