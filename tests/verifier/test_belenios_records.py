"""Belenios records made by belenios-tool 2.0 itself verify under evote-verify's Belenios checklist, with the
result Belenios published; the groups parse, refuse and compute as Belenios' specification says."""

from __future__ import annotations

import pickle

import gmpy2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl import bindings as sodium
from support.belenios_tool import election_once, tool_verify

from voting.verifier.belenios.groups import group_named
from voting.verifier.belenios.reader import is_belenios, open_belenios
from voting.verifier.readers.unsupported import FormatNotSupported
from voting.verifier.run_systems import verify_system

ELECTIONS = {
    "plain": {"weights": [2, 1, 3]},
    "threshold": {"threshold": (2, 3)},
}


def verified(path):
    record = open_belenios(path)
    return record, verify_system(record, workers=1)


def failures(report) -> dict[str, list]:
    return {s.id: s.count.failures for v in report.verifications for s in v.steps if s.count.failed}


@pytest.mark.parametrize("kind", sorted(ELECTIONS))
def test_belenios_tool_records_verify_with_their_result(kind):
    election = election_once(kind, **ELECTIONS[kind])
    assert tool_verify(election.directory).returncode == 0
    assert is_belenios(election.directory) and is_belenios(election.path)
    record, report = verified(election.directory)
    assert report.passed, failures(report)
    counts = [[a["count"] for a in q["answers"]] for q in report.verified_result["questions"]]
    assert counts == election.expected_result
    assert record.statistics["ballots"] == 4 and record.statistics["tallied"] == 3  # one revote
    assert record.statistics["total_weight"] == (6 if kind == "plain" else 3)
    steps = {s.id: s.status.value for v in report.verifications for s in v.steps}
    assert steps["BS.4"] == ("passed" if kind == "threshold" else "not applicable")


def test_workers_give_the_same_report():
    election = election_once("plain", **ELECTIONS["plain"])
    record = open_belenios(election.path)
    report = verify_system(record, workers=2, chunk_size=1)
    assert report.passed, failures(report)
    assert [[a["count"] for a in q["answers"]] for q in report.verified_result["questions"]] == election.expected_result


def test_an_unknown_group_is_not_supported(tmp_path):
    from support.belenios_tool import copy_election, mutate

    path = copy_election(election_once("plain", **ELECTIONS["plain"]), tmp_path)
    mutate(path, lambda name, value: isinstance(value, dict) and "group" in value, lambda v: {**v, "group": "P-256"})
    with pytest.raises(FormatNotSupported, match="P-256"):
        open_belenios(path)


# --- groups -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["BELENIOS-2048", "RFC-3526-2048", "Ed25519"])
def test_group_laws_and_texts(name):
    group = group_named(name)
    assert pickle.loads(pickle.dumps(group)) is group
    x = group.pow(group.g, 123456789)
    assert group.parse(group.to_text(x)) == x
    assert group.mul(x, group.inv(x)) == group.one
    assert group.pow(group.g, group.q) == group.one and group.pow(x, 0) == group.one
    assert group.pow(group.g, group.q - 1) == group.inv(group.g)
    assert group.generator(1) not in (group.one, group.g)
    with pytest.raises(ValueError):
        group.parse_scalar(str(group.q))
    with pytest.raises(ValueError):
        group.parse("00" + group.to_text(x)[2:] if name == "Ed25519" else "0" + group.to_text(x))


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**252))
def test_ed25519_scalar_products_agree_with_libsodium(n):
    group = group_named("Ed25519")
    expected = group.one if n % group.q == 0 else sodium.crypto_scalarmult_ed25519_base_noclamp((n % group.q).to_bytes(32, "little"))
    assert group.pow(group.g, n) == expected


def test_ed25519_refuses_points_outside_the_prime_order_subgroup():
    group = group_named("Ed25519")
    order8 = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")  # a point of order 8
    mixed = sodium.crypto_core_ed25519_add(group.g, order8)  # on the curve, order 8q
    for point in (order8, mixed):
        with pytest.raises(ValueError, match="prime-order subgroup"):
            group.parse(point[::-1].hex())
    with pytest.raises(ValueError):
        group.parse("ff" * 32)  # y >= p: not canonical
    assert group.to_text(group.g) == "6666666666666666666666666666666666666666666666666666666666666658"
    assert group.parse(group.to_text(group.one)) == group.one


def test_finite_field_refuses_non_members():
    for name in ("BELENIOS-2048", "RFC-3526-2048"):
        group = group_named(name)
        p = int(group.p)
        with pytest.raises(ValueError):
            group.parse(str(p - 1))  # order 2
        with pytest.raises(ValueError):
            group.parse(str(p))
        with pytest.raises(ValueError):
            group.parse("0")
    rfc = group_named("RFC-3526-2048")
    p = int(rfc.p)  # RFC 3526 §3: 2048 bits, 64 top and 64 bottom bits set, a safe prime
    assert p.bit_length() == 2048 and p >> 1984 == 2**64 - 1 and p % 2**64 == 2**64 - 1
    assert gmpy2.is_prime(p) and gmpy2.is_prime((p - 1) // 2)
    assert hex(p).startswith("0xffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd1")


NH_QUESTIONS = [{"answers": ["A1", "A2"], "min": 0, "max": 1, "question": "Q1?"},
                {"type": "NonHomomorphic", "value": {"answers": ["X", "Y", "Z"], "question": "Rank?"}}]


def test_a_non_homomorphic_election_verifies_its_tally_and_decoded_ballots():
    """BT.3 (the tally's non-homomorphic ciphertexts are the tallied ballots') and BR.2 (the decoded ballots)."""
    election = election_once("nh", group="RFC-3526-2048", questions=NH_QUESTIONS, revotes=[],
                             votes=[[[1, 0], [1, 2, 3]], [[0, 1], [3, 1, 2]], [[1, 0], [2, 3, 1]]])
    assert tool_verify(election.directory).returncode == 0
    _, report = verified(election.path)
    assert report.passed, failures(report)
    steps = {s.id: s.status.value for v in report.verifications for s in v.steps}
    assert steps["BT.3"] == steps["BR.2"] == "passed"
    homomorphic, ranked = report.verified_result["questions"]
    assert [a["count"] for a in homomorphic["answers"]] == election.expected_result[0]
    assert sorted(ranked["ballots"]) == election.expected_result[1]
