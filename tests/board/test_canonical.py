"""Canonical JSON payloads: accepted forms and every rejection with the path of the offending value."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin_board.log_format.canonical import MAX_DEPTH, canonicalize, parse_canonical, parse_json_object
from bulletin_board.log_format.errors import CanonicalJsonError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


def test_rfc8785_key_order_and_no_whitespace():
    assert canonicalize({"b": 1, "a": [True, None, "é"], "\u20ac": {}}) == \
        '{"a":[true,null,"é"],"b":1,"€":{}}'.encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=5))
def test_canonical_bytes_parse_back_to_the_same_payload(payload):
    data = canonicalize(payload)
    assert parse_canonical(data) == payload
    assert parse_json_object(data) == payload


@pytest.mark.parametrize("payload, path, words", [
    ([1, 2], "$", "JSON object"),
    ({"a": 1.5}, "$.a", "floating-point"),
    ({"a": [0, {"b": 2**53}]}, "$.a[1].b", "2^53"),
    ({"a": -(2**53)}, "$.a", "2^53"),
    ({"a": b"x"}, "$.a", "bytes"),
    ({"a": {1: 2}}, "$.a", "not a string"),
    ({"s": "\ud800"}, "$.s", "surrogate"),
    ({"with space": float("nan")}, '$."with space"', "floating-point"),
])
def test_rejections_name_the_path(payload, path, words):
    with pytest.raises(CanonicalJsonError) as caught:
        canonicalize(payload)
    assert caught.value.path == path
    assert words in caught.value.reason
    assert caught.value.field == "payload"


def test_depth_limit_is_exact():
    deep = {"a": 0}
    for _ in range(MAX_DEPTH - 1):
        deep = {"a": deep}
    canonicalize(deep)
    with pytest.raises(CanonicalJsonError, match="nested deeper"):
        canonicalize({"a": deep})


def test_size_limit():
    canonicalize({"a": "x" * 90}, max_bytes=100)
    with pytest.raises(CanonicalJsonError, match="limit is 100"):
        canonicalize({"a": "x" * 100}, max_bytes=100)


@pytest.mark.parametrize("text, words", [
    ('{"a":1,"a":2}', "duplicate key"),
    ('{"a":1.0}', "floating-point"),
    ('{"a":1e5}', "floating-point"),
    ('{"a":NaN}', "NaN"),
    ('{"a":Infinity}', "Infinity"),
    ('{"a":', "malformed JSON"),
    ('[1]', "JSON object"),
    ("[" * 100000 + "]" * 100000, "nested deeper"),
    ('{"a":' + "9" * 5000 + "}", "5000 digits"),  # int() would raise ValueError beyond 4300 digits
    ('{"a":-' + "9" * 17 + "}", "17 digits"),
])
def test_untrusted_text_rejections(text, words):
    with pytest.raises(CanonicalJsonError) as caught:
        parse_json_object(text)
    assert words in caught.value.reason


def test_the_largest_safe_integers_still_parse():
    assert parse_json_object('{"a":9007199254740991,"b":-9007199254740991}') == {"a": 2**53 - 1, "b": -(2**53 - 1)}


def test_invalid_utf8_is_rejected():
    with pytest.raises(CanonicalJsonError, match="not UTF-8"):
        parse_json_object(b'{"a":"\xff"}')


def test_parse_canonical_refuses_non_canonical_bytes():
    with pytest.raises(CanonicalJsonError, match="not in RFC 8785 canonical form"):
        parse_canonical(b'{"b":1, "a":2}')
