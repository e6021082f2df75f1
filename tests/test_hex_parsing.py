"""The one gate for hex from outside (voting/encoding.py ``_hex_digits``): signatures, public keys, hashes and
byte strings are exactly their width of ASCII 0-9 A-F, or an EncodingError naming the field. ``bytes.fromhex``
alone skips whitespace between bytes, which turned a 128-character signature into 63 bytes that PyNaCl refused
with a ValueError nobody caught (issue 13, item 2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting.credentials import parse_public_key, parse_signature, verify_signature
from voting.encoding import parse_bytes, parse_digest, parse_fixed_bytes
from voting.errors import EncodingError

HEX = "0123456789ABCDEF"
# Characters that lenient parsers take for hex or skip: ASCII and Unicode whitespace, lower case, signs,
# underscores, and digits of other scripts (str.isdigit and int() accept them, bytes.fromhex does not).
NEAR_HEX = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\u00a0", "\u2003", "\u3000", "a", "f", "x", "G", "_", "+", "-",
            "\u0663", "\uff11", "\U0001d7d8", "\u00b2", "\u00e9"]  # fmt: skip
WHITESPACE = [" ", "\t", "\n", "\r", "\x0b", "\x0c"]  # what bytes.fromhex skips between bytes
PARSERS = {  # name: (parse, number of bytes)
    "signature": (parse_signature, 64),
    "public key": (lambda value, field: bytes(parse_public_key(value, field)), 32),
    "digest": (parse_digest, 32),
    "fixed 16": (lambda value, field: parse_fixed_bytes(value, field, 16), 16),
}


def strict(text: str, width: int | None) -> bool:
    return (width is None or len(text) == width) and all(ch in HEX for ch in text)


@st.composite
def near_hex(draw, width: int) -> str:
    """Mostly hex of about the right width, with a few characters a lenient parser would take or skip, among
    them a byte replaced by two whitespace characters (the right length, which ``bytes.fromhex`` reads as one
    byte short)."""
    length = draw(st.sampled_from([width, width, width - 1, width - 2, width + 1, width + 2]))
    text = list(draw(st.text(alphabet=HEX, min_size=length, max_size=length)))
    if draw(st.booleans()) and length >= 2:
        position = 2 * draw(st.integers(0, length // 2 - 1))
        text[position : position + 2] = draw(st.lists(st.sampled_from(WHITESPACE), min_size=2, max_size=2))
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, len(text)))
        character = draw(st.sampled_from(NEAR_HEX))
        if draw(st.booleans()) and position < len(text):
            text[position] = character
        else:
            text.insert(position, character)
    return "".join(text)


@pytest.mark.parametrize("name", PARSERS)
@given(data=st.data())
def test_a_fixed_width_hex_field_is_exactly_its_width_of_upper_case_ascii_hex(name, data):
    parse, size = PARSERS[name]
    text = data.draw(near_hex(2 * size))
    if strict(text, 2 * size):
        assert parse(text, "the_field") == bytes.fromhex(text)
    else:
        with pytest.raises(EncodingError) as refused:
            parse(text, "the_field")
        assert refused.value.field == "the_field"


@given(text=st.one_of(near_hex(8), st.text(max_size=12)))
def test_a_variable_length_byte_string_is_upper_case_ascii_hex_of_even_length(text):
    if strict(text, None) and len(text) % 2 == 0:
        assert parse_bytes(text, "aux") == bytes.fromhex(text)
    else:
        with pytest.raises(EncodingError) as refused:
            parse_bytes(text, "aux")
        assert refused.value.field == "aux"


@pytest.mark.parametrize(
    "text",
    ["AB" * 31 + "  " + "AB" * 32, "  " + "AB" * 63, "AB" * 63 + "\r\n", "AB" * 30 + "\t\n" + "AB" * 33,
     "AB" * 63 + "\u00a0\u00a0", "\u0663" + "A" * 127],
    ids=["two spaces between bytes", "leading spaces", "trailing CRLF", "tab and newline", "no-break spaces", "Arabic-Indic digit"],
)  # fmt: skip
def test_the_signatures_of_the_issue_are_refused_naming_the_field(text):
    """128 characters that bytes.fromhex read as 63 bytes (or refused with a bare ValueError)."""
    assert len(text) == 128
    with pytest.raises(EncodingError) as refused:
        parse_signature(text, "signature")
    assert refused.value.field == "signature" and "Ed25519 signature" in refused.value.reason


@pytest.mark.parametrize("value", [123, None, b"AB" * 64, ["AB" * 64]])
def test_hex_fields_that_are_not_strings_are_refused(value):
    for name, (parse, _) in PARSERS.items():
        with pytest.raises(EncodingError):
            parse(value, name)


def test_verify_signature_refuses_a_signature_of_the_wrong_length_as_invalid():
    """Defence in depth for callers holding raw bytes: never PyNaCl's ValueError."""
    from nacl.signing import SigningKey

    from voting.credentials import InvalidSignature

    key = SigningKey(bytes(32))
    signature = key.sign(b"message").signature
    verify_signature(key.verify_key, b"message", signature)
    for wrong in (signature[:-1], signature + b"\x00", b""):
        with pytest.raises(InvalidSignature):
            verify_signature(key.verify_key, b"message", wrong)
