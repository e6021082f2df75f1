"""Group elements and scalars: every validation rejects what it must (SPEC §3, §5.1)."""

from __future__ import annotations

import gmpy2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.strategies import TOY, scalars

from voting.encoding import parse_bytes, parse_digest, parse_p, parse_q, parse_small_int
from voting.errors import EncodingError, NonStandardGroupError, NotInGroupError
from voting.fixed_base import FixedBaseTable
from voting.group import STANDARD, ElementModP, ElementModQ, g_pow, generator, require_standard

P, Q = STANDARD.p, STANDARD.q


def hex_p(x: int) -> str:
    return x.to_bytes(512, "big").hex().upper()


def test_standard_constants_match_spec():
    assert Q == 2**256 - 189
    assert (P - 1) % Q == 0 and STANDARD.r == (P - 1) // Q
    assert STANDARD.r % Q != 0
    assert gmpy2.is_prime(P) and gmpy2.is_prime(Q) and gmpy2.is_prime(STANDARD.r // 2)
    assert STANDARD.g == gmpy2.powmod(2, STANDARD.r, P)
    assert gmpy2.powmod(STANDARD.g, Q, P) == 1
    assert f"{int(STANDARD.g):X}".startswith("36036FED214F3B50") and f"{int(STANDARD.g):X}".endswith("B9D8AE0F")


@pytest.mark.parametrize(
    "value, reason", [(0, "range"), (P, "range"), (P + 5, "range"), (-3, "range"), (P - 1, "subgroup"), (2, "subgroup")]
)
def test_element_mod_p_rejects(value, reason):
    with pytest.raises(NotInGroupError) as err:
        ElementModP.parse(value)
    assert ("subgroup" in str(err.value)) == (reason == "subgroup")


def test_element_mod_p_accepts_members_and_one():
    assert ElementModP.parse(1).value == 1  # 1 is in Z_p^r; places that forbid it check it (3.A, 3.B)
    assert ElementModP.parse(int(STANDARD.g)) == generator()


def test_element_outside_subgroup_of_large_order_rejected():
    x = gmpy2.powmod(3, 2 * Q, P)  # order divides r/2: a quadratic residue, still not a member
    assert gmpy2.jacobi(x, P) == 1
    with pytest.raises(NotInGroupError):
        ElementModP.parse(int(x))


@pytest.mark.parametrize("value", [Q, Q + 1, -1, 2**256])
def test_element_mod_q_rejects(value):
    with pytest.raises(NotInGroupError):
        ElementModQ.parse(value)


@pytest.mark.parametrize("value", [True, 1.0, "5", None])
def test_non_integers_rejected(value):
    with pytest.raises(NotInGroupError):
        ElementModQ.parse(value)
    with pytest.raises(NotInGroupError):
        ElementModP.parse(value)


def test_elements_are_immutable_and_not_directly_constructible():
    x = generator()
    with pytest.raises(AttributeError):
        x.value = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        ElementModP(5)
    with pytest.raises(TypeError):
        ElementModQ(5)


@pytest.mark.parametrize(
    "text, reason",
    [
        (hex_p(int(STANDARD.g)).lower(), "upper-case"),
        ("0x" + hex_p(int(STANDARD.g))[2:], "upper-case"),
        (hex_p(int(STANDARD.g))[2:], "exactly 1024"),
        ("00" + hex_p(int(STANDARD.g)), "exactly 1024"),
        (hex_p(int(STANDARD.g))[:-1] + "G", "upper-case"),
        (12345, "expected an upper-case hex string"),
        (None, "expected an upper-case hex string"),
    ],
)
def test_parse_p_rejects_non_canonical(text, reason):
    with pytest.raises(EncodingError) as err:
        parse_p(text, "ballot.alpha")
    assert err.value.field == "ballot.alpha" and reason in str(err.value)


def test_parse_p_checks_membership_and_range():
    with pytest.raises(NotInGroupError):
        parse_p(hex_p(int(P - 1)), "x")
    with pytest.raises(NotInGroupError):
        parse_p("0" * 1024, "x")
    with pytest.raises(EncodingError):
        parse_p("F" * 1024, "x")  # >= p
    assert parse_p(hex_p(int(STANDARD.g)), "x") == generator()


def test_parse_q_and_digest_and_bytes():
    assert parse_q("0" * 64, "v").value == 0
    with pytest.raises(NotInGroupError):
        parse_q(f"{int(Q):064X}", "v")
    with pytest.raises(EncodingError):
        parse_q("0" * 63, "v")
    assert parse_digest("AB" * 32, "h") == bytes([0xAB]) * 32
    with pytest.raises(EncodingError):
        parse_digest("ab" * 32, "h")
    assert parse_bytes("", "aux") == b""
    with pytest.raises(EncodingError):
        parse_bytes("ABC", "aux")
    assert parse_small_int(3, "n") == 3
    for bad in (True, 2.0, "3", -1, 2**31):
        with pytest.raises(EncodingError):
            parse_small_int(bad, "n")


def test_production_refuses_toy_group():
    require_standard(STANDARD)
    with pytest.raises(NonStandardGroupError):
        require_standard(TOY)


@given(scalars(STANDARD))
def test_fixed_base_matches_modexp(e):
    assert g_pow(e).value == gmpy2.powmod(STANDARD.g, e.value, P)


@given(scalars(TOY), st.integers(1, 9))
def test_fixed_base_any_window(e, window):
    base = ElementModP.parse(int(TOY.g), TOY)
    assert FixedBaseTable(base, window_bits=window).pow(e).value == gmpy2.powmod(TOY.g, e.value, TOY.p)


def test_scalar_repr_hides_value():
    assert "ElementModQ(…)" == repr(STANDARD.random_scalar())
