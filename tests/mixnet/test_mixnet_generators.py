"""The commitment generators' derivation (voting/mixnet/generators.py, docs/mixnet.md "Generators"):
known answers written down from our code, and the same values recomputed here independently with hashlib,
hmac and pow only, from the written rule."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from voting.group import STANDARD, insecure_test_group
from voting.mixnet.generators import derive_generators

FIXED_TEST_H_E = bytes(range(32))  # a fixed, public test value, not an election's

TOY_EXPECTED = [  # h, h_1, h_2 for FIXED_TEST_H_E in the toy group, in full
    "37D974714FE602E90CF902F5B964FB98550EC449D4AB485306B1343249903BD1",
    "7A07FB40C8B461DC819557FC573D7229D7ACC3B201F1AA75BE9EAEC9E0A026B0",
    "BB309BBB53EBDC7F39BF141082DA9140C00E4294F72ABC5749477E7E8BF02430",
]
STANDARD_EXPECTED = [  # h, h_1, h_2 in the standard group: first 64 and last 16 of 1024 hex digits
    ("1FB44EF054436E46C646CC8DF94F223935071DF80AA45FC9D6B3B29A55E8C129", "1308736F6B7EC8FA"),
    ("D10225DC63277C4007E8BD4CFF1F3F804F3B72828C1A55CA39FABF80B557B751", "618BB350EA8158B3"),
    ("0FF46F7CF9A7E0C42D009AF1B46C900ADB04D96463F71AA78C6F8AF4E3D9FAE4", "C17EA221667DC705"),
]


def independent_generator(H_E: bytes, index: int, p: int, q: int) -> int:
    """The rule of docs/mixnet.md, literally: HMAC-SHA-256(H_E, 0x40 ∥ b(3,4) ∥ "mix" ∥ b(index,4) ∥
    b(ctr,4) ∥ b(block,4)) for blocks 0..B-1, B = ceil((|p| + 128) / 256), mod p, to the power (p-1)/q,
    the first ctr whose result is not 0 or 1."""
    blocks = (p.bit_length() + 128 + 255) // 256
    for ctr in range(100):
        data = b"".join(
            hmac.new(H_E, b"\x40" + (3).to_bytes(4, "big") + b"mix" + index.to_bytes(4, "big") + ctr.to_bytes(4, "big")
                     + block.to_bytes(4, "big"), hashlib.sha256).digest()
            for block in range(blocks)
        )  # fmt: skip
        value = pow(int.from_bytes(data, "big") % p, (p - 1) // q, p)
        if value not in (0, 1):
            return value
    raise AssertionError("no generator in 100 counters")


def test_known_answers_toy_group():
    generators = derive_generators(FIXED_TEST_H_E, 2, insecure_test_group())
    assert [f"{int(x.value):064X}" for x in (generators.h, *generators.hs)] == TOY_EXPECTED


def test_known_answers_standard_group():
    generators = derive_generators(FIXED_TEST_H_E, 2, STANDARD)
    found = [f"{int(x.value):01024X}" for x in (generators.h, *generators.hs)]
    assert [(x[:64], x[-16:]) for x in found] == STANDARD_EXPECTED


@pytest.mark.parametrize("group", [insecure_test_group(), STANDARD], ids=["toy", "standard"])
def test_independent_computation_agrees(group):
    p, q = int(group.p), int(group.q)
    generators = derive_generators(FIXED_TEST_H_E, 3, group)
    for index, element in enumerate((generators.h, *generators.hs)):
        assert int(element.value) == independent_generator(FIXED_TEST_H_E, index, p, q), index


def test_generators_are_distinct_members_and_a_prefix_of_any_longer_list():
    group = insecure_test_group()
    long = derive_generators(FIXED_TEST_H_E, 12, group)
    values = [int(x.value) for x in (long.h, *long.hs)]
    assert len(set(values)) == 13 and 1 not in values
    assert all(group.is_member(v) for v in values)
    assert derive_generators(FIXED_TEST_H_E, 5, group) == long.prefix(5)
    assert derive_generators(FIXED_TEST_H_E, 12, group, workers=2) == long


def test_another_H_E_gives_other_generators():
    group = insecure_test_group()
    a, b = derive_generators(FIXED_TEST_H_E, 3, group), derive_generators(bytes(32), 3, group)
    assert not {a.h, *a.hs} & {b.h, *b.hs}
