"""Key ceremony math and threshold decryption (SPEC §3.2, §3.6)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.strategies import TOY, scalars

from voting.context import ElectionContext
from voting.elgamal import add_all, discrete_log, encrypt
from voting.errors import DecryptionError, InvalidProof, ShareError
from voting.group import ElementModQ, g_pow
from voting.hashed_elgamal import HashedCiphertext, open_revealed_share
from voting.joint_decryption import (
    assemble,
    check_guardian_responses,
    decrypt_locally,
    guardian_responses,
    guardian_share,
    make_challenge,
)
from voting.key_ceremony import (
    GuardianPolynomial,
    check_share,
    joint_public_key,
    key_share,
    public_key_share,
    receive_share,
    send_share,
)

H_P = bytes(32)
H_E = bytes([7]) * 32


def ceremony(n: int, k: int):
    polys = {i: GuardianPolynomial.generate(i, k, TOY) for i in range(1, n + 1)}
    commitments = {i: p.commit(H_P) for i, p in polys.items()}
    for c in commitments.values():
        c.verify(H_P, k)
    received: dict[int, dict[int, ElementModQ]] = {l: {l: polys[l].evaluate(l)} for l in polys}
    for i, sender in polys.items():
        for l in polys:
            if l != i:
                encrypted = send_share(H_P, sender, commitments[l])
                received[l][i] = receive_share(H_P, polys[l], commitments[i], encrypted)
    K = joint_public_key(c.public_key for c in commitments.values())
    context = ElectionContext(K, H_E)
    shares = {l: key_share(l, received[l]) for l in polys}
    public = {i: public_key_share(commitments.values(), i) for i in polys}
    return polys, commitments, context, shares, public


@settings(max_examples=6, deadline=None)
@given(n=st.integers(1, 5), data=st.data())
def test_every_quorum_decrypts_the_same_sum(n, data):
    k = data.draw(st.integers(1, n))
    polys, commitments, context, shares, public = ceremony(n, k)
    votes = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=6))
    total = add_all(encrypt(v, TOY.random_scalar(), context) for v in votes)
    results = set()
    for available in itertools.combinations(range(1, n + 1), k):
        (result,) = decrypt_locally([total], {i: shares[i] for i in available}, public, context, k)
        results.add(discrete_log(total.beta * result.M.inverse(), context.K, 3 * len(votes)))
    assert results == {sum(votes)}


def test_secret_is_the_sum_of_guardian_secrets():
    polys, _, context, shares, _ = ceremony(4, 3)
    s = sum(int(p.secret_key.value) for p in polys.values()) % TOY.q
    assert g_pow(ElementModQ.parse(s, TOY), TOY) == context.K


def test_fewer_than_k_refused():
    polys, _, context, shares, public = ceremony(3, 2)
    ct = encrypt(1, TOY.random_scalar(), context)
    with pytest.raises(DecryptionError, match="quorum is k = 2"):
        decrypt_locally([ct], {2: shares[2]}, public, context, 2)


def test_bad_share_is_detected_and_adjudicated():
    polys, commitments, context, shares, public = ceremony(3, 2)
    xi = TOY.random_scalar()
    from voting.hashed_elgamal import encrypt_share

    wrong = polys[1].evaluate(2) + 1
    encrypted = encrypt_share(H_P, 1, 2, commitments[2].public_key, wrong, xi)
    with pytest.raises(ShareError, match="commitments"):
        receive_share(H_P, polys[2], commitments[1], encrypted)
    # public adjudication: guardian 1 reveals (P_1(2), ξ); anyone re-opens the published ciphertext and checks eq. 21
    opened = open_revealed_share(H_P, 1, 2, commitments[2].public_key, encrypted, xi)
    assert opened == wrong
    with pytest.raises(ShareError):
        check_share(opened, 2, commitments[1])
    honest = encrypt_share(H_P, 1, 2, commitments[2].public_key, polys[1].evaluate(2), xi)
    check_share(open_revealed_share(H_P, 1, 2, commitments[2].public_key, honest, xi), 2, commitments[1])
    with pytest.raises(ShareError, match="nonce"):
        open_revealed_share(H_P, 1, 2, commitments[2].public_key, honest, xi + 1)


def test_tampered_share_ciphertext_fails_mac():
    polys, commitments, *_ = ceremony(2, 2)
    encrypted = send_share(H_P, polys[1], commitments[2])
    tampered = HashedCiphertext(encrypted.C0, bytes([encrypted.C1[0] ^ 1]) + encrypted.C1[1:], encrypted.C2)
    with pytest.raises(ShareError, match="MAC"):
        receive_share(H_P, polys[2], commitments[1], tampered)


def test_commitment_count_and_unit_key_rejected():
    polys, commitments, *_ = ceremony(2, 2)
    with pytest.raises(InvalidProof, match="exactly k"):
        commitments[1].verify(H_P, 3)


def test_misbehaving_guardian_is_named_and_excluded():
    polys, _, context, shares, public = ceremony(4, 2)
    items = [encrypt(2, TOY.random_scalar(), context), encrypt(0, TOY.random_scalar(), context)]
    rounds = {i: guardian_share(i, shares[i], items, context) for i in (1, 2, 3)}
    challenge = make_challenge({i: r[0] for i, r in rounds.items()}, items, context, 2)
    responses = {i: guardian_responses(i, shares[i], rounds[i][1], challenge) for i in (1, 3)}
    # guardian 2 answers with another guardian's key share (a proof "made for another trustee's key")
    responses[2] = guardian_responses(2, shares[4], rounds[2][1], challenge)
    for i in (1, 3):
        check_guardian_responses(rounds[i][0], responses[i], challenge, items, public[i], context)
    with pytest.raises(InvalidProof, match="guardian 2"):
        check_guardian_responses(rounds[2][0], responses[2], challenge, items, public[2], context)
    with pytest.raises(InvalidProof):
        assemble(challenge, {1: responses[1], 3: responses[3]})  # the challenge was for {1, 2, 3}
    # a fresh round without guardian 2 completes
    results = decrypt_locally(items, {1: shares[1], 3: shares[3]}, public, context, 2)
    assert [discrete_log(ct.beta * r.M.inverse(), context.K, 5) for ct, r in zip(items, results)] == [2, 0]


def test_wrong_partial_decryption_is_named():
    polys, _, context, shares, public = ceremony(3, 2)
    items = [encrypt(1, TOY.random_scalar(), context)]
    share1, secrets1 = guardian_share(1, shares[1], items, context)
    share2, secrets2 = guardian_share(2, shares[2], items, context)
    from voting.joint_decryption import DecryptionShare

    bad = DecryptionShare(2, (share2.partials[0] * context.K,), share2.commitments)  # wrong M_2
    challenge = make_challenge({1: share1, 2: bad}, items, context, 2)
    with pytest.raises(InvalidProof, match="guardian 2"):
        check_guardian_responses(bad, guardian_responses(2, shares[2], secrets2, challenge), challenge, items, public[2], context)


@given(scalars(TOY))
def test_horner_matches_definition(x):
    poly = GuardianPolynomial(1, [ElementModQ.parse(v, TOY) for v in (5, 7, 11)])
    assert poly.evaluate(3).value == (5 + 7 * 3 + 11 * 9) % TOY.q
