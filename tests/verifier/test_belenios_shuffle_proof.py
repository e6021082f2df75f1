"""CheckShuffleProof (voting/verifier/belenios/shuffle.py) against the spec's own GenShuffleProof, transcribed
literally in tests/support/belenios_shuffles.py, in every group the verifier knows (Ed25519 has no
belenios-tool 2.0 to make its shuffles): a proof holds, and every single value changed makes it fail."""

from __future__ import annotations

import json
import secrets

import pytest
from support.belenios_shuffles import reference_shuffle

from voting.verifier.belenios.groups import group_named
from voting.verifier.belenios.shuffle import (
    InvalidShuffle,
    MalformedShuffle,
    independent_generators,
    parse_ciphertexts,
    parse_shuffle_proof,
    verify_shuffle_proof,
)

FINGERPRINT = "pseudorandomTestFingerprintNotAnElection"
GROUPS = ("RFC-3526-2048", "BELENIOS-2048", "Ed25519")
N = 4


def _ciphertexts(group, pk, n):
    result = []
    for _ in range(n):
        r, m = secrets.randbelow(group.q), secrets.randbelow(group.q)
        result.append((group.pow(group.g, r), group.mul(group.pow(pk, r), group.pow(group.g, m))))
    return result


def _json(group, ciphertexts):
    return [{"alpha": group.to_text(a), "beta": group.to_text(b)} for a, b in ciphertexts]


@pytest.fixture(scope="module", params=GROUPS)
def shuffled(request):
    group = group_named(request.param)
    pk = group.pow(group.g, secrets.randbelow(group.q))
    e = _ciphertexts(group, pk, N)
    e_prime, proof = reference_shuffle(group, pk, FINGERPRINT, e)
    return group, pk, e, e_prime, proof


def _verify(group, pk, e, e_prime_json, proof_json, fingerprint=FINGERPRINT):
    e_prime = parse_ciphertexts(group, e_prime_json, "ciphertexts[0]", len(e))
    verify_shuffle_proof(group, pk, fingerprint, e, e_prime, parse_shuffle_proof(group, proof_json, len(e)))


def test_a_shuffle_proof_holds_and_chains(shuffled):
    group, pk, e, e_prime, proof = shuffled
    _verify(group, pk, e, _json(group, e_prime), proof)
    e_second, proof_second = reference_shuffle(group, pk, FINGERPRINT, e_prime)
    _verify(group, pk, e_prime, _json(group, e_second), proof_second)
    with pytest.raises(InvalidShuffle):  # the second shuffle's input is the first's output, not the tally
        _verify(group, pk, e, _json(group, e_second), proof_second)


# every value of pi = (t, s, c, c_hat), by its JSON path: (path, equations that must be named)
ELEMENTS = [((0, 0), "t1"), ((0, 1), "t2"), ((0, 2), "t3"), ((0, 3, 0), "t4,1"), ((0, 3, 1), "t4,2"),
            ((0, 4, 2), "t̂_3"), ((2, 1), None), ((3, 0), None)]
SCALARS = [(1, 0), (1, 1), (1, 2), (1, 3), (1, 4, 0), (1, 5, 3)]


def _changed(proof, path, change):
    copy = json.loads(json.dumps(proof))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = change(target[path[-1]])
    return copy


@pytest.mark.parametrize("path,equation", ELEMENTS)
def test_each_commitment_changed_fails(shuffled, path, equation):
    group, pk, e, e_prime, proof = shuffled
    other = lambda text: group.to_text(group.mul(group.parse(text), group.g))  # noqa: E731  still in the group
    with pytest.raises(InvalidShuffle) as raised:
        _verify(group, pk, e, _json(group, e_prime), _changed(proof, path, other))
    if equation:
        assert equation in raised.value.equations


@pytest.mark.parametrize("path", SCALARS)
def test_each_response_changed_fails(shuffled, path):
    group, pk, e, e_prime, proof = shuffled
    with pytest.raises(InvalidShuffle):
        _verify(group, pk, e, _json(group, e_prime), _changed(proof, path, lambda s: str((int(s) + 1) % group.q)))


def test_a_response_not_below_q_is_malformed(shuffled):
    group, pk, e, e_prime, proof = shuffled
    with pytest.raises(MalformedShuffle) as raised:
        _verify(group, pk, e, _json(group, e_prime), _changed(proof, (1, 5, 1), lambda s: str(int(s) + group.q)))
    assert raised.value.field == "proof[1][5][1]"


@pytest.mark.parametrize("position", range(N))
def test_each_shuffled_ciphertext_changed_fails(shuffled, position):
    group, pk, e, e_prime, proof = shuffled
    changed = list(e_prime)
    changed[position] = (changed[position][0], group.mul(changed[position][1], group.g))
    with pytest.raises(InvalidShuffle):
        _verify(group, pk, e, _json(group, changed), proof)


def test_an_input_ciphertext_the_key_or_the_fingerprint_changed_fails(shuffled):
    group, pk, e, e_prime, proof = shuffled
    with pytest.raises(InvalidShuffle):
        _verify(group, pk, [e[1], e[0], *e[2:]], _json(group, e_prime), proof)
    with pytest.raises(InvalidShuffle):
        _verify(group, group.mul(pk, group.g), e, _json(group, e_prime), proof)
    with pytest.raises(InvalidShuffle):
        _verify(group, pk, e, _json(group, e_prime), proof, fingerprint=FINGERPRINT + "x")


def test_a_shuffled_element_outside_the_group_is_named(shuffled):
    group, pk, e, e_prime, proof = shuffled
    bad = _json(group, e_prime)
    if group.name == "Ed25519":  # a point of order 8 (RFC 8032 encoding), on the curve but not in the subgroup
        bad[2]["alpha"] = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")[::-1].hex()
    else:  # p - 1 has order 2
        bad[2]["alpha"] = str(group.p - 1)
    with pytest.raises(MalformedShuffle) as raised:
        _verify(group, pk, e, bad, proof)
    assert raised.value.field == "ciphertexts[0][2].alpha"


def test_a_proof_of_the_wrong_length_is_malformed(shuffled):
    group, pk, e, e_prime, proof = shuffled
    with pytest.raises(MalformedShuffle) as raised:
        _verify(group, pk, e, _json(group, e_prime), _changed(proof, (2,), lambda c: c[:-1]))
    assert raised.value.field == "proof[2]"


@pytest.mark.parametrize("name", GROUPS)
def test_independent_generators_are_distinct_members(name):
    group = group_named(name)
    h, hs = independent_generators(group, 20)
    assert len({group.to_text(x) for x in [h, *hs]}) == 21
    for x in [h, *hs]:
        assert group.parse(group.to_text(x)) == x
