"""A mix server that cheats is caught, each way by a named test: the forged output is proved afresh by a prover
that claims the honest witness (the strongest it can do without breaking the proof), and, where it applies,
the honest proof is also replayed on the forged output. Each test names the equation that fails."""

from __future__ import annotations

import dataclasses

import pytest

from voting.context import ElectionContext
from voting.elgamal import Ciphertext, encrypt
from voting.group import STANDARD, ElementModP, ElementModQ, g_pow, generator, insecure_test_group
from voting.mixnet.challenges import challenge_vector, statement_digest
from voting.mixnet.errors import InvalidShuffle
from voting.mixnet.generators import derive_generators
from voting.mixnet.shuffle import Row
from voting.mixnet.verify import verify_shuffle

from .mixnet_support import Mix, make_mix

TOY = insecure_test_group()


@pytest.fixture(params=[TOY, STANDARD], ids=["toy", "standard"])
def mix(request) -> Mix:
    return make_mix(request.param, 4, 3, seed=2026)


def rejected(mix: Mix, outputs: list[Row], proof=None, context: ElectionContext | None = None) -> InvalidShuffle:
    with pytest.raises(InvalidShuffle) as caught:
        verify_shuffle(mix.inputs, outputs, proof or mix.proof, context or mix.context)
    return caught.value


def reencrypt(ct: Ciphertext, xi: ElementModQ, context: ElectionContext) -> Ciphertext:
    zero = encrypt(0, xi, context)
    return ct * zero


def test_drop_one_row(mix):
    outputs = mix.outputs[:-1]
    assert rejected(mix, outputs).check == "shuffle.shape"
    forged = dataclasses.replace(mix.witness, permutation=mix.witness.permutation[:-1], nonces=mix.witness.nonces[:-1])
    with pytest.raises(ValueError):
        mix.reprove(outputs, forged)  # the prover cannot even state it: inputs and outputs differ in length


def test_duplicate_one_row(mix):
    outputs = list(mix.outputs)
    outputs[1] = tuple(reencrypt(ct, mix.random(), mix.context) for ct in outputs[0])  # row 1's ballot is gone
    assert rejected(mix, outputs).check == "shuffle.challenge"
    error = rejected(mix, outputs, mix.reprove(outputs))
    assert error.check == "shuffle.t4" and error.column == 0


def test_replace_one_row(mix):
    outputs = list(mix.outputs)
    outputs[2] = tuple(encrypt(9, mix.random(), mix.context) for _ in outputs[2])
    assert rejected(mix, outputs).check == "shuffle.challenge"
    assert rejected(mix, outputs, mix.reprove(outputs)).check == "shuffle.t4"


def test_re_encrypt_one_cell_with_another_nonce_than_the_one_proved(mix):
    outputs = list(mix.outputs)
    row = list(outputs[3])
    row[2] = reencrypt(row[2], ElementModQ.reduce(1, mix.context.group), mix.context)  # r̃ + 1 instead of r̃
    outputs[3] = tuple(row)
    error = rejected(mix, outputs, mix.reprove(outputs))
    assert (error.check, error.column) == ("shuffle.t4", 2)


def test_use_generators_of_ones_own(mix):
    group = mix.context.group
    own = derive_generators(bytes(32), len(mix.inputs), group)  # not derived from this election's H_E
    own = dataclasses.replace(own, H_E=mix.context.H_E)  # and relabelled, so the prover accepts them
    proof = mix.reprove(mix.outputs, generators=own)
    assert rejected(mix, mix.outputs, proof).check == "shuffle.challenge"  # the verifier derives its own
    with pytest.raises(InvalidShuffle, match="generators"):
        verify_shuffle(mix.inputs, mix.outputs, proof, mix.context, generators=derive_generators(bytes(32), 4, group))


def shift_between_cells(mix: Mix, row_index: int) -> list[Row]:
    """Multiply cell 0's β by g and cell 1's β by g^-1: the row's total is unchanged, each cell's value is not."""
    group = mix.context.group
    g = generator(group)
    outputs = list(mix.outputs)
    row = list(outputs[row_index])
    row[0] = Ciphertext(row[0].alpha, row[0].beta * g)
    row[1] = Ciphertext(row[1].alpha, row[1].beta * g.inverse())
    outputs[row_index] = tuple(row)
    return outputs


def test_shift_value_between_two_cells_of_one_row(mix):
    outputs = shift_between_cells(mix, 1)
    proof = mix.reprove(outputs)
    error = rejected(mix, outputs, proof)
    assert (error.check, error.column) == ("shuffle.t4", 0) and "β-part" in error.message


def test_shift_value_passes_a_check_over_the_whole_row_the_defence_removed():
    """The same forgery against one product over all the columns of a row (egk-mixnet's simplest multitext
    check): that product holds, while the per-column equations do not. This is why the proof is per column."""
    mix = make_mix(TOY, 4, 3, seed=11)
    outputs = shift_between_cells(mix, 1)
    proof = mix.reprove(outputs)
    group, p, q = TOY, int(TOY.p), int(TOY.q)
    rho = statement_digest(mix.context.H_E, mix.context.K, mix.generators, mix.inputs, outputs, proof.c)
    u = [int(x.value) for x in challenge_vector(rho, 4, group)]
    c = int(proof.challenge.value)
    column_ok = []
    whole_found = whole_expected = 1
    for k in range(3):
        expected = pow(int(mix.context.K.value), (-int(proof.s4[k].value)) % q, p)
        for j in range(4):
            expected = expected * pow(int(mix.inputs[j][k].beta.value), u[j] * c % q, p) % p
            expected = expected * pow(int(outputs[j][k].beta.value), int(proof.s_prime[j].value), p) % p
        column_ok.append(expected == int(proof.t4[k].beta.value))
        whole_found, whole_expected = whole_found * int(proof.t4[k].beta.value) % p, whole_expected * expected % p
    assert column_ok == [False, False, True]
    assert whole_found == whole_expected  # the whole-row product is fooled


@pytest.mark.parametrize("what", ["K", "H_E"])
def test_change_the_public_key_or_H_E(mix, what):
    group = mix.context.group
    if what == "K":
        other = ElectionContext(mix.context.K * generator(group), mix.context.H_E)
    else:
        other = ElectionContext(mix.context.K, bytes(reversed(mix.context.H_E)))
    assert rejected(mix, mix.outputs, context=other).check == "shuffle.challenge"


def other_element(x: ElementModP) -> ElementModP:
    return x * generator(x.group)


def other_scalar(x: ElementModQ) -> ElementModQ:
    return x + 1


def tamper(value, index: int | None, column: bool = False):
    if index is None:
        return other_element(value) if isinstance(value, ElementModP) else other_scalar(value)
    items = list(value)
    if column:
        items[index] = Ciphertext(items[index].alpha, other_element(items[index].beta))
    elif isinstance(items[index], ElementModP):
        items[index] = other_element(items[index])
    else:
        items[index] = other_scalar(items[index])
    return tuple(items)


PROOF_VALUES = [("c", 0), ("c", 3), ("c_hat", 1), ("c_hat", 3), ("t1", None), ("t2", None), ("t3", None), ("t4", 2),
                ("t_hat", 0), ("challenge", None), ("s1", None), ("s2", None), ("s3", None), ("s4", 1), ("s_hat", 2),
                ("s_prime", 0), ("s_prime", 3)]  # fmt: skip


@pytest.mark.parametrize("name, index", PROOF_VALUES, ids=[f"{n}[{i}]" if i is not None else n for n, i in PROOF_VALUES])
def test_change_any_one_proof_value(name, index):
    mix = make_mix(TOY, 4, 3, seed=3)
    proof = dataclasses.replace(mix.proof, **{name: tamper(getattr(mix.proof, name), index, column=name == "t4")})
    error = rejected(mix, mix.outputs, proof)
    assert error.check.startswith("shuffle.")


def test_change_one_response_names_its_equation():
    """With the challenge kept beside t, a bad response is named by the equation it breaks."""
    mix = make_mix(TOY, 4, 3, seed=4)
    expected = {"s1": ("shuffle.t1", None, None), "s2": ("shuffle.t2", None, None), "s3": ("shuffle.t3", None, None)}
    for name, (check, row, column) in expected.items():
        proof = dataclasses.replace(mix.proof, **{name: other_scalar(getattr(mix.proof, name))})
        error = rejected(mix, mix.outputs, proof)
        assert (error.check, error.row, error.column) == (check, row, column)
    error = rejected(mix, mix.outputs, dataclasses.replace(mix.proof, s4=tamper(mix.proof.s4, 2)))
    assert (error.check, error.column) == ("shuffle.t4", 2)
    error = rejected(mix, mix.outputs, dataclasses.replace(mix.proof, s_hat=tamper(mix.proof.s_hat, 3)))
    assert (error.check, error.row) == ("shuffle.t_hat", 3)


def test_a_key_pair_of_another_group_is_refused():
    mix = make_mix(TOY, 2, 1, seed=1)
    other = ElectionContext(g_pow(ElementModQ.reduce(5, STANDARD), STANDARD), mix.context.H_E)
    assert rejected(mix, mix.outputs, context=other).check == "shuffle.shape"
