"""Same-base powers and products of powers with shared squarings (voting.powers) against gmpy2.powmod."""

from __future__ import annotations

import gmpy2
from gmpy2 import mpz
from hypothesis import given, settings
from hypothesis import strategies as st
from support.strategies import TOY

from voting.group import STANDARD
from voting.powers import product_of_powers, same_base_powers


@settings(max_examples=60, deadline=None)
@given(
    group=st.sampled_from([TOY, STANDARD]),
    base=st.integers(min_value=1),
    exponents=st.lists(st.one_of(st.integers(0, 40), st.integers(min_value=0, max_value=2**256 - 1)), max_size=6),
)
def test_equals_powmod(group, base, exponents):
    base = mpz(base) % group.p or mpz(1)
    assert same_base_powers(base, exponents, group.p) == [gmpy2.powmod(base, e, group.p) for e in exponents]


def test_edge_exponents():
    p, q = STANDARD.p, STANDARD.q
    base = mpz(STANDARD.g)
    exponents = [0, 1, 15, 16, 17, q - 1, q, 2**256 - 1, 0]
    assert same_base_powers(base, exponents, p) == [gmpy2.powmod(base, e, p) for e in exponents]


@settings(max_examples=60, deadline=None)
@given(
    group=st.sampled_from([TOY, STANDARD]),
    pairs=st.lists(
        st.tuples(st.integers(min_value=1), st.one_of(st.integers(0, 40), st.integers(min_value=0, max_value=2**256 - 1))),
        max_size=4,
    ),
)
def test_product_equals_powmods(group, pairs):
    bases = [mpz(b) % group.p or mpz(1) for b, _ in pairs]
    exponents = [e for _, e in pairs]
    expected = mpz(1)
    for b, e in zip(bases, exponents):
        expected = expected * gmpy2.powmod(b, e, group.p) % group.p
    assert product_of_powers(bases, exponents, group.p) == expected
