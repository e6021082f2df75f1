"""A proof read from outside: canonical hex, every element checked for membership, every scalar for range,
the error naming the field."""

from __future__ import annotations

import pytest

from voting.errors import EncodingError, NotInGroupError
from voting.group import STANDARD, insecure_test_group
from voting.mixnet.proof import parse_shuffle_proof, proof_to_dict
from voting.mixnet.verify import verify_shuffle

from .mixnet_support import make_mix

TOY = insecure_test_group()


@pytest.fixture(scope="module")
def mix():
    return make_mix(TOY, 4, 2, seed=9)


def test_round_trip(mix):
    data = proof_to_dict(mix.proof)
    parsed = parse_shuffle_proof(data, TOY, rows=4, width=2)
    assert parsed == mix.proof
    verify_shuffle(mix.inputs, mix.outputs, parsed, mix.context)


def test_round_trip_standard_group():
    mix = make_mix(STANDARD, 2, 2, seed=4)
    assert parse_shuffle_proof(proof_to_dict(mix.proof), STANDARD, rows=2, width=2) == mix.proof


def test_an_element_outside_the_subgroup_is_named(mix):
    data = proof_to_dict(mix.proof)
    non_member = next(x for x in range(2, 100) if pow(x, int(TOY.q), int(TOY.p)) != 1)
    data["t_hat"][3] = f"{non_member:064X}"
    with pytest.raises(NotInGroupError, match=r"proof\.t_hat\[3\]"):
        parse_shuffle_proof(data, TOY, rows=4, width=2)


@pytest.mark.parametrize("field, value", [("c", 0), ("t1", "P"), ("t4", "Q")])
def test_out_of_range_elements_are_named(mix, field, value):
    data = proof_to_dict(mix.proof)
    p_hex = f"{int(TOY.p):064X}"
    if field == "c":
        data["c"][0] = p_hex
        where = r"proof\.c\[0\]"
    elif field == "t1":
        data["t1"] = f"{0:064X}"
        where = r"proof\.t1"
    else:
        data["t4"][1][1] = p_hex
        where = r"proof\.t4\[1\]\[1\]"
    with pytest.raises(NotInGroupError, match=where):
        parse_shuffle_proof(data, TOY, rows=4, width=2)


def test_a_scalar_not_below_q_is_named(mix):
    data = proof_to_dict(mix.proof)
    data["s_prime"][2] = f"{int(TOY.q):016X}"
    with pytest.raises(NotInGroupError, match=r"proof\.s_prime\[2\]"):
        parse_shuffle_proof(data, TOY, rows=4, width=2)


@pytest.mark.parametrize("change", ["short", "missing", "unknown", "lower"])
def test_shape_and_encoding_errors_are_named(mix, change):
    data = proof_to_dict(mix.proof)
    if change == "short":
        data["s_hat"] = data["s_hat"][:3]
    elif change == "missing":
        del data["s4"]
    elif change == "unknown":
        data["extra"] = "00"
    else:
        data["t2"] = data["t2"].lower()
    with pytest.raises(EncodingError, match=r"proof\.(s_hat|s4|extra|t2)"):
        parse_shuffle_proof(data, TOY, rows=4, width=2)
