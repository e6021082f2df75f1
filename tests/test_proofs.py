"""Property tests of every proof: honest proofs verify; changing any one value of the proof or of its
statement makes verification fail with the check that covers it (SPEC Verifications 2, 5, 6, 9, 12)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.strategies import TOY, scalars

from voting.context import ElectionContext
from voting.decryption import DecryptionProof, verify_decryption
from voting.elgamal import Ciphertext, encrypt
from voting.errors import InvalidProof
from voting.group import STANDARD, ElementModQ, g_pow
from voting.joint_decryption import decrypt_locally
from voting.key_ceremony import GuardianPolynomial, key_share, public_key_share
from voting.proofs.range import RangeProof, prove_range, verify_range
from voting.proofs.schnorr import SchnorrProof, prove_coefficient, verify_coefficient

H_E = bytes(range(32))
H_P = bytes(range(32, 64))


def toy_context(secret: int = 123456789) -> ElectionContext:
    return ElectionContext(g_pow(ElementModQ.parse(secret, TOY), TOY), H_E)


CTX = toy_context()
OTHER_CTX = toy_context(987654321)


def bump(x: ElementModQ) -> ElementModQ:
    return x + 1


@settings(max_examples=60, deadline=None)
@given(data=st.data(), R=st.integers(1, 3), xi=scalars(TOY))
def test_range_proof_honest_and_tampered(data, R, xi):
    ell = data.draw(st.integers(0, R))
    ct = encrypt(ell, xi, CTX)
    proof = prove_range(ct, xi, ell, R, CTX)
    verify_range(ct, proof, R, CTX)
    j = data.draw(st.integers(0, R))
    what = data.draw(st.sampled_from(["c", "v", "c_swap", "alpha", "beta", "K", "H_E", "R"]))
    target_ct, target_proof, target_R, target_ctx = ct, proof, R, CTX
    if what == "c":
        target_proof = RangeProof(tuple(bump(c) if n == j else c for n, c in enumerate(proof.c)), proof.v)
    elif what == "v":
        target_proof = RangeProof(proof.c, tuple(bump(v) if n == j else v for n, v in enumerate(proof.v)))
    elif what == "c_swap":
        k = (j + 1) % (R + 1)  # keep Σ c_j: the commitments still change, so c no longer matches
        cs = [bump(c) if n == j else (c - 1 if n == k else c) for n, c in enumerate(proof.c)]
        target_proof = RangeProof(tuple(cs), proof.v)
    elif what == "alpha":
        target_ct = Ciphertext(ct.alpha * g_pow(ElementModQ.parse(1, TOY), TOY), ct.beta)
    elif what == "beta":
        target_ct = Ciphertext(ct.alpha, ct.beta * CTX.K)
    elif what == "K":
        target_ctx = OTHER_CTX
    elif what == "H_E":
        target_ctx = ElectionContext(CTX.K, bytes(32))
    else:
        target_R = R + 1
    with pytest.raises(InvalidProof) as err:
        verify_range(target_ct, target_proof, target_R, target_ctx)
    assert err.value.check in ("5.B", "5.D")


@settings(max_examples=20, deadline=None)
@given(xi=scalars(TOY), R=st.integers(1, 3))
def test_range_proof_cannot_prove_out_of_range(xi, R):
    ct = encrypt(R + 1, xi, CTX)
    with pytest.raises(ValueError):
        prove_range(ct, xi, R + 1, R, CTX)
    forged = prove_range(encrypt(R, xi, CTX), xi, R, R, CTX)  # a proof for another plaintext does not transfer
    with pytest.raises(InvalidProof):
        verify_range(ct, forged, R, CTX)


def test_range_proof_standard_group():
    context = ElectionContext(g_pow(ElementModQ.parse(42)), H_E)
    xi = STANDARD.random_scalar()
    ct = encrypt(1, xi, context)
    proof = prove_range(ct, xi, 1, 1, context)
    verify_range(ct, proof, 1, context)
    with pytest.raises(InvalidProof):
        verify_range(ct, RangeProof(proof.c, (proof.v[1], proof.v[0])), 1, context)


@settings(max_examples=40, deadline=None)
@given(
    a=scalars(TOY, nonzero=True), i=st.integers(1, 9), j=st.integers(0, 4), what=st.sampled_from(["c", "v", "K", "i", "j", "H_P"])
)
def test_schnorr_honest_and_tampered(a, i, j, what):
    K_ij = g_pow(a, TOY)
    proof = prove_coefficient(H_P, i, j, a, K_ij)
    verify_coefficient(H_P, i, j, K_ij, proof)
    args = {"H_P": H_P, "i": i, "j": j, "K_ij": K_ij, "proof": proof}
    if what == "c":
        args["proof"] = SchnorrProof(bytes([proof.c[0] ^ 1]) + proof.c[1:], proof.v)
    elif what == "v":
        args["proof"] = dataclasses.replace(proof, v=bump(proof.v))
    elif what == "K":
        args["K_ij"] = K_ij * g_pow(ElementModQ.parse(1, TOY), TOY)
    elif what in ("i", "j"):
        args[what] += 1
    else:
        args["H_P"] = bytes(32)
    with pytest.raises(InvalidProof) as err:
        verify_coefficient(args["H_P"], args["i"], args["j"], args["K_ij"], args["proof"])
    assert err.value.check == "2.C"


def _guardians(n: int, k: int):
    polys = {i: GuardianPolynomial.generate(i, k, TOY) for i in range(1, n + 1)}
    commitments = [p.commit(H_P) for p in polys.values()]
    K = commitments[0].public_key
    for c in commitments[1:]:
        K = K * c.public_key
    context = ElectionContext(K, H_E)
    shares = {i: key_share(i, {j: p.evaluate(i) for j, p in polys.items()}) for i in polys}
    public = {i: public_key_share(commitments, i) for i in polys}
    return context, shares, public


@settings(max_examples=15, deadline=None)
@given(t=st.integers(0, 30), xi=scalars(TOY), what=st.sampled_from(["T", "c", "v", "A", "B", "K", "H_E"]))
def test_decryption_proof_honest_and_tampered(t, xi, what):
    context, shares, public = _guardians(3, 2)
    ct = encrypt(t, xi, context)
    (result,) = decrypt_locally([ct], {1: shares[1], 3: shares[3]}, public, context, 2)
    T = ct.beta * result.M.inverse()
    assert T == context.K**t
    verify_decryption(context, ct.alpha, ct.beta, T, result.proof)
    A, B, proof, ctx = ct.alpha, ct.beta, result.proof, context
    one = g_pow(ElementModQ.parse(1, TOY), TOY)
    if what == "T":
        T = T * context.K
    elif what == "c":
        proof = DecryptionProof(bytes([proof.c[0] ^ 0x80]) + proof.c[1:], proof.v)
    elif what == "v":
        proof = DecryptionProof(proof.c, bump(proof.v))
    elif what == "A":
        A = A * one
    elif what == "B":
        B = B * one
    elif what == "K":
        ctx = ElectionContext(context.K * one, H_E)
    else:
        ctx = ElectionContext(context.K, bytes(32))
    with pytest.raises(InvalidProof) as err:
        verify_decryption(ctx, A, B, T, proof)
    assert err.value.check == "9.B"
