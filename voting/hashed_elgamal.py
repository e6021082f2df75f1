"""Hashed ElGamal encryption of non-vote data: guardian key shares and contest data.

SPEC v2.0.0 §3.2.2 "Share encryption" / "Share decryption" (eqs. 14-20) and §3.3.6 "Encryption of contest
data" (eqs. 49-55), §3.6.4 (eqs. 86-89). Both derive keys with the SP 800-108 counter-mode KDF over
HMAC-SHA-256 and authenticate with an HMAC; they differ in the KDF's counter and length fields.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import gmpy2

from .context import ElectionContext
from .errors import ShareError
from .fixed_base import table_for
from .group import ElementModP, ElementModQ, generator
from .hashing import DS, H

SHARE_LABEL = b"share enc keys"
SHARE_CONTEXT = b"share encrypt"
DATA_LABEL = b"data enc keys"
DATA_CONTEXT = b"contest data"


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class HashedCiphertext:
    """(C0, C1, C2): C0 = g^ξ, C1 the masked data, C2 the MAC (SPEC eqs. 18-19, 53-55)."""

    C0: ElementModP
    C1: bytes
    C2: bytes


# --- key shares (SPEC §3.2.2) ---------------------------------------------------------------------


def _share_keys(H_P: bytes, i: int, l: int, K_l: ElementModP, alpha: ElementModP, beta: ElementModP) -> tuple[bytes, bytes]:
    """k_{i,ℓ} = H(H_P; 0x11, i, ℓ, K_ℓ, α, β) (eq. 15), then k_0 and k_1 (eqs. 16-17)."""
    k = H(H_P, DS.SHARE_ENCRYPTION, i, l, K_l, alpha, beta)
    context = SHARE_CONTEXT + i.to_bytes(4, "big") + l.to_bytes(4, "big")
    k0 = _hmac(k, b"\x01" + SHARE_LABEL + b"\x00" + context + b"\x02\x00")
    k1 = _hmac(k, b"\x02" + SHARE_LABEL + b"\x00" + context + b"\x02\x00")
    return k0, k1


def encrypt_share(H_P: bytes, i: int, l: int, K_l: ElementModP, share: ElementModQ, xi: ElementModQ) -> HashedCiphertext:
    """E_ℓ(P_i(ℓ)): guardian i encrypts its share for guardian ℓ under K_ℓ with nonce ξ_{i,ℓ} (eqs. 14-19)."""
    group = K_l.group
    alpha = table_for(generator(group)).pow(xi)
    beta = K_l**xi
    k0, k1 = _share_keys(H_P, i, l, K_l, alpha, beta)
    share_bytes = share.to_bytes()  # b(P_i(ℓ), l_q); l_q = 32 for the standard group
    C1 = _xor(share_bytes, k1[: len(share_bytes)])
    C2 = _hmac(k0, alpha.to_bytes() + C1)
    return HashedCiphertext(alpha, C1, C2)


def decrypt_share(H_P: bytes, i: int, l: int, K_l: ElementModP, s_l: ElementModQ, encrypted: HashedCiphertext) -> ElementModQ:
    """Guardian ℓ decrypts P_i(ℓ) with its secret s_ℓ after checking the MAC (eq. 20)."""
    beta = encrypted.C0**s_l
    return _open_share(H_P, i, l, K_l, encrypted, beta)


def open_revealed_share(
    H_P: bytes, i: int, l: int, K_l: ElementModP, encrypted: HashedCiphertext, xi: ElementModQ
) -> ElementModQ:
    """Anyone re-opens a published share from the sender's revealed nonce ξ_{i,ℓ} (complaint
    adjudication, SPEC §3.2.2): checks C0 = g^ξ, then the MAC, and returns P_i(ℓ)."""
    group = K_l.group
    if table_for(generator(group)).pow(xi) != encrypted.C0:
        raise ShareError(i, l, "the revealed nonce does not match C0 = g^ξ")
    return _open_share(H_P, i, l, K_l, encrypted, K_l**xi)


def _open_share(H_P: bytes, i: int, l: int, K_l: ElementModP, encrypted: HashedCiphertext, beta: ElementModP) -> ElementModQ:
    group = K_l.group
    if len(encrypted.C1) != group.q_bytes or len(encrypted.C2) != 32:
        raise ShareError(i, l, "malformed ciphertext lengths")
    k0, k1 = _share_keys(H_P, i, l, K_l, encrypted.C0, beta)
    if not hmac.compare_digest(_hmac(k0, encrypted.C0.to_bytes() + encrypted.C1), encrypted.C2):
        raise ShareError(i, l, "the MAC C2 does not verify")
    value = int.from_bytes(_xor(encrypted.C1, k1[: len(encrypted.C1)]), "big")
    if value >= group.q:
        raise ShareError(i, l, "the decrypted share is not an element of Z_q")
    return ElementModQ.computed(gmpy2.mpz(value), group)


# --- contest data (SPEC §3.3.6, §3.6.4) ----------------------------------------------------------


def _data_keys(context: ElectionContext, contest_index: int, alpha: ElementModP, beta: ElementModP, blocks: int) -> list[bytes]:
    """k = H(H_E; 0x22, K, α, β) (eq. 51) and k_0..k_bD (eq. 52)."""
    k = H(context.H_E, DS.CONTEST_DATA_KEY, context.K, alpha, beta)
    suffix = DATA_LABEL + b"\x00" + DATA_CONTEXT + contest_index.to_bytes(4, "big") + ((blocks + 1) * 256).to_bytes(4, "big")
    return [_hmac(k, i.to_bytes(4, "big") + suffix) for i in range(blocks + 1)]


def encrypt_contest_data(context: ElectionContext, contest_index: int, data: bytes, xi: ElementModQ) -> HashedCiphertext:
    """C_D = (C0, C1, C2) for the contest data D of 32·b_D bytes (eqs. 49, 53-55)."""
    if not data or len(data) % 32:
        raise ValueError("contest data is a non-empty multiple of 32 bytes")
    blocks = len(data) // 32
    alpha = context.g_table.pow(xi)
    beta = context.K_table.pow(xi)
    keys = _data_keys(context, contest_index, alpha, beta, blocks)
    C1 = b"".join(_xor(data[32 * (i - 1) : 32 * i], keys[i]) for i in range(1, blocks + 1))
    C2 = _hmac(keys[0], alpha.to_bytes() + C1)
    return HashedCiphertext(alpha, C1, C2)


def decrypt_contest_data(
    context: ElectionContext, contest_index: int, encrypted: HashedCiphertext, beta: ElementModP
) -> bytes | None:
    """D from β = C0^s (eqs. 86-89); None when the MAC C2 does not verify."""
    if not encrypted.C1 or len(encrypted.C1) % 32:
        return None
    blocks = len(encrypted.C1) // 32
    keys = _data_keys(context, contest_index, encrypted.C0, beta, blocks)
    if not hmac.compare_digest(_hmac(keys[0], encrypted.C0.to_bytes() + encrypted.C1), encrypted.C2):
        return None
    return b"".join(_xor(encrypted.C1[32 * (i - 1) : 32 * i], keys[i]) for i in range(1, blocks + 1))


def contest_data_beta_from_nonce(context: ElectionContext, xi: ElementModQ) -> ElementModP:
    """β = K^ξ for a contest data ciphertext whose nonce ξ is known (challenged ballots)."""
    return context.K_table.pow(xi)
