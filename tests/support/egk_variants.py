"""egk's departures from the SPEC's byte layouts, reproduced **for the vector tests only**.

The egk test vectors in ../shared/vectors/electionguard-2.0 were written by different egk versions; some
files use encodings that the SPEC v2.0.0 equations do not (see that folder's README and tests/vectors/README.md).
Product code follows the SPEC; these helpers rebuild egk's variants from the same primitives so the tests
can still check everything else in those files byte for byte.
"""

from __future__ import annotations

import hashlib
import hmac

from voting.context import ElectionContext
from voting.elgamal import Ciphertext
from voting.group import ElementModP, ElementModQ
from voting.hashing import DS, H, hash_to_q

STALE_H_P = bytes.fromhex("AB91D83C3DC3FEB76E57C2783CFE2CA85ADB4BC01FC5123EEAE3124CC3FB6CDE")
"""The spec-1.9 parameter base hash that ParametersTestVector, KeyCeremony and ShareEncryption still use."""


def label_selection_nonce(context: ElectionContext, ballot_nonce: bytes, contest_label: str, option_label: str) -> ElementModQ:
    """egk (BallotEncryption, ConfirmationCode, DecryptWithNonce vectors): raw label bytes instead of b(ind, 4)."""
    return hash_to_q(H(context.H_E, DS.NONCE, ballot_nonce, contest_label.encode(), option_label.encode()))


def label_contest_hash(context: ElectionContext, contest_label: str, ciphertexts: list[Ciphertext]) -> bytes:
    """egk (ConfirmationCode vector): the contest label's raw bytes in place of b(ind_c, 4) in eq. 57."""
    encoded = b"".join(ct.alpha.to_bytes() + ct.beta.to_bytes() for ct in ciphertexts)
    return H(context.H_E, DS.CONTEST_HASH, contest_label.encode(), context.K, encoded)


def legacy_coefficient_challenge(i: int, j: int, K_ij: ElementModP, h_ij: ElementModP) -> bytes:
    """egk (KeyCeremony vector): H(H_P(1.9); 0x10 ∥ b(i, 2) ∥ b(j, 2) ∥ K_ij ∥ h_ij)."""
    return H(STALE_H_P, DS.COEFFICIENT_PROOF, i.to_bytes(2, "big"), j.to_bytes(2, "big"), K_ij.to_bytes(), h_ij.to_bytes())


def legacy_share_keys(i: int, l: int, K_l: ElementModP, alpha: ElementModP, beta: ElementModP) -> tuple[bytes, bytes]:
    """egk (ShareEncryption vector): 1.9 H_P, 2-byte indices and underscored labels in eqs. 15-17."""
    k = H(
        STALE_H_P,
        DS.SHARE_ENCRYPTION,
        i.to_bytes(2, "big"),
        l.to_bytes(2, "big"),
        K_l.to_bytes(),
        alpha.to_bytes(),
        beta.to_bytes(),
    )
    context = b"share_encrypt" + i.to_bytes(2, "big") + l.to_bytes(2, "big")
    k0 = hmac.new(k, b"\x01" + b"share_enc_keys" + b"\x00" + context + b"\x02\x00", hashlib.sha256).digest()
    k1 = hmac.new(k, b"\x02" + b"share_enc_keys" + b"\x00" + context + b"\x02\x00", hashlib.sha256).digest()
    return k0, k1


def legacy_extended_base_hash(H_B: bytes, K: ElementModP, commitments: list[ElementModP]) -> bytes:
    """egk (KeyCeremony vector, spec 1.9 eq. 20): H(H_B; 0x12, K, K_{1,0}, ..., K_{n,k-1})."""
    return H(H_B, DS.EXTENDED_BASE, K, *commitments)
