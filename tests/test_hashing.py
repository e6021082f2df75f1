"""H and its input encodings (SPEC §5), checked against hand-written byte layouts from the §5.5 tables."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from voting.group import STANDARD, ElementModQ, g_pow
from voting.hashed_elgamal import encrypt_share
from voting.hashing import DS, VERSION_BYTES, H, base_hash, encode, extended_base_hash, manifest_hash, parameter_base_hash


def hm(key: bytes, msg: bytes) -> bytes:
    return hmac.new(key, msg, hashlib.sha256).digest()


def test_encodings():
    assert encode(5) == b"\x00\x00\x00\x05"
    assert encode("ElectionGuard") == bytes.fromhex("0000000D456C656374696F6E4775617264")  # SPEC §5.1.4 example
    assert len(encode(g_pow(ElementModQ.parse(7)))) == 512
    assert encode(ElementModQ.parse(16)) == bytes(31) + b"\x10"  # SPEC §5.1.2 example b(16, 32)
    for bad in (-1, 2**31, True, 1.5, None):
        with pytest.raises((TypeError, ValueError)):
            encode(bad)


def test_version_bytes_and_key_length():
    assert VERSION_BYTES == b"v2.0.0" + bytes(26) and len(VERSION_BYTES) == 32
    with pytest.raises(ValueError):
        H(b"short", b"\x00")


def test_parameter_base_hash_layout():
    p = int(STANDARD.p).to_bytes(512, "big")
    q = int(STANDARD.q).to_bytes(32, "big")
    g = int(STANDARD.g).to_bytes(512, "big")
    body = b"\x00" + p + q + g
    assert len(body) == 1057  # table 5.5.1
    assert parameter_base_hash() == hm(VERSION_BYTES, body)


def test_manifest_base_and_extended_hash_layouts():
    H_P = parameter_base_hash()
    manifest = b'{"label":"x"}'
    assert manifest_hash(H_P, manifest) == hm(H_P, b"\x01" + len(manifest).to_bytes(4, "big") + manifest)
    H_M = manifest_hash(H_P, manifest)
    body = b"\x02" + H_M + (5).to_bytes(4, "big") + (3).to_bytes(4, "big")
    assert len(body) == 41 and base_hash(H_P, H_M, 5, 3) == hm(H_P, body)
    K = g_pow(ElementModQ.parse(12345))
    assert extended_base_hash(base_hash(H_P, H_M, 5, 3), K) == hm(base_hash(H_P, H_M, 5, 3), b"\x12" + K.to_bytes())


def test_share_encryption_kdf_layout():
    """Eqs. 15-19 with the exact bytes of footnote 27: Label "share enc keys", Context "share encrypt" ∥ i ∥ ℓ."""
    H_P = parameter_base_hash()
    s_l = ElementModQ.parse(777)
    K_l = g_pow(s_l)
    share = ElementModQ.parse(424242)
    xi = ElementModQ.parse(99)
    encrypted = encrypt_share(H_P, 2, 5, K_l, share, xi)
    alpha, beta = g_pow(xi), K_l**xi
    k = hm(H_P, b"\x11" + (2).to_bytes(4, "big") + (5).to_bytes(4, "big") + K_l.to_bytes() + alpha.to_bytes() + beta.to_bytes())
    context = b"share encrypt" + (2).to_bytes(4, "big") + (5).to_bytes(4, "big")
    k0 = hm(k, b"\x01" + b"share enc keys" + b"\x00" + context + b"\x02\x00")
    k1 = hm(k, b"\x02" + b"share enc keys" + b"\x00" + context + b"\x02\x00")
    assert encrypted.C0 == alpha
    assert encrypted.C1 == bytes(a ^ b for a, b in zip(share.to_bytes(), k1))
    assert encrypted.C2 == hm(k0, alpha.to_bytes() + encrypted.C1)


def test_domain_separation_bytes_are_distinct():
    tags = [v for k, v in vars(DS).items() if not k.startswith("_")]
    assert len(tags) == len(set(tags)) == 13
