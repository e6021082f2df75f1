"""An honest shuffle verifies and decrypts to the same multiset of rows (toy group for properties, the standard
group for a few real-size cases)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.group import STANDARD, insecure_test_group
from voting.mixnet.verify import verify_shuffle

from .mixnet_support import Mix, make_mix


def decrypted_rows(mix: Mix) -> Counter[tuple[int, ...]]:
    return Counter(tuple(mix.decrypt(ct) for ct in row) for row in mix.outputs)


def check_honest(mix: Mix, workers: int = 1) -> None:
    verify_shuffle(mix.inputs, mix.outputs, mix.proof, mix.context, workers=workers)
    assert decrypted_rows(mix) == Counter(tuple(row) for row in mix.plaintexts)
    assert [tuple(mix.decrypt(ct) for ct in row) for row in mix.outputs] == [
        tuple(mix.plaintexts[j]) for j in mix.witness.permutation
    ]


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 7), width=st.integers(1, 4), seed=st.integers(0, 2**32))
def test_honest_shuffles_verify_and_keep_the_multiset_of_rows(rows, width, seed):
    check_honest(make_mix(insecure_test_group(), rows, width, seed))


def test_outputs_are_fresh_re_encryptions():
    mix = make_mix(insecure_test_group(), 5, 3, seed=7)
    inputs = {ct for row in mix.inputs for ct in row}
    assert not inputs & {ct for row in mix.outputs for ct in row}


@pytest.mark.parametrize("rows, width", [(1, 1), (3, 2), (4, 5)])
def test_standard_group_real_size(rows, width):
    check_honest(make_mix(STANDARD, rows, width, seed=rows * 10 + width))


def test_two_workers_give_a_proof_that_one_worker_accepts():
    mix = make_mix(STANDARD, 6, 2, seed=5, workers=2)
    check_honest(mix, workers=1)
    verify_shuffle(mix.inputs, mix.outputs, mix.proof, mix.context, workers=2, generators=mix.generators)
