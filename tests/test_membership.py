"""Batched subgroup membership: sound against planted non-members of every kind (docs/membership-batching.md)."""

from __future__ import annotations

import gmpy2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.errors import NotInGroupError
from voting.group import STANDARD, ElementModQ, g_pow
from voting.membership import check_members, multi_exponentiation

P, Q = STANDARD.p, STANDARD.q
MEMBERS = [g_pow(ElementModQ.parse(7 * i + 3)).value for i in range(24)]
FIELDS = [f"x[{i}]" for i in range(24)]
R_PRIME_ELEMENT = gmpy2.powmod(5, 2 * Q, P)  # a quadratic residue of order dividing r/2: passes Jacobi


def test_members_pass():
    check_members(MEMBERS, STANDARD, FIELDS)


@settings(max_examples=25, deadline=None)
@given(position=st.integers(0, 23), kind=st.sampled_from(["negated", "r_prime_factor", "p_minus_one", "two"]))
def test_planted_non_member_is_caught_and_named(position, kind):
    values = list(MEMBERS)
    if kind == "negated":
        values[position] = P - values[position]  # order-2 component: Legendre symbol -1
    elif kind == "r_prime_factor":
        values[position] = values[position] * R_PRIME_ELEMENT % P  # survives the Jacobi filter
    elif kind == "p_minus_one":
        values[position] = P - 1
    else:
        values[position] = gmpy2.mpz(2)
    with pytest.raises(NotInGroupError) as err:
        check_members(values, STANDARD, FIELDS)
    assert err.value.field == f"x[{position}]"


def test_out_of_range_named():
    values = list(MEMBERS)
    values[5] = P
    with pytest.raises(NotInGroupError) as err:
        check_members(values, STANDARD, FIELDS)
    assert err.value.field == "x[5]"


@given(st.lists(st.tuples(st.integers(1, int(P) - 1), st.integers(0, 2**128 - 1)), min_size=1, max_size=12))
def test_multi_exponentiation_matches_naive(pairs):
    bases = [gmpy2.mpz(b) for b, _ in pairs]
    exponents = [e for _, e in pairs]
    expected = gmpy2.mpz(1)
    for b, e in zip(bases, exponents):
        expected = expected * gmpy2.powmod(b, e, P) % P
    assert multi_exponentiation(bases, exponents, P, 128) == expected
