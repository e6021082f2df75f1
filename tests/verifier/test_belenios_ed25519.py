"""Belenios records in the Ed25519 group, made by tests/support/belenios_producer.py (belenios-tool 2.0 has no
Ed25519: it came with Belenios 2.1).

The producer's encodings are Belenios' own: belenios-tool accepts its finite-field archives (and rejects one
with a proof response changed), and its event writer rebuilds an archive belenios-tool made byte for byte.
Then its Ed25519 archives verify with the expected result, and each single-value mutation — a point of order
8 or 8q (on the curve, outside the prime-order subgroup), a non-canonical encoding, a proof response, a
partial decryption factor, a result count, a credential — fails its step with a finding naming the object.
"""

from __future__ import annotations

import copy
from typing import Any, Callable, NamedTuple

import pytest
from support.belenios_producer import PseudorandomDefeatsSecrecy, produce, rebuild_chain
from support.belenios_tool import election_once, mutate, read_members, require_tool, tool_verify

from voting.verifier.belenios import _ed25519 as ed
from voting.verifier.belenios.groups import group_named
from voting.verifier.belenios.reader import open_belenios
from voting.verifier.run_systems import verify_system

G = group_named("Ed25519")
WEIGHTS = [2, 1, 3]
ORDER_8 = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")  # little-endian encoding
ORDER_8_TEXT = ORDER_8[::-1].hex()
ORDER_8Q_TEXT = G.to_text(ed.add(G.pow(G.g, 7), ORDER_8))  # 7g + T: on the curve, order 8q
IDENTITY_NON_CANONICAL = (2**255 - 19 + 1).to_bytes(32, "big").hex()  # y = p + 1 written for y = 1
OTHER = G.to_text(G.pow(G.g, 5))


def bump(text: str) -> str:
    return str((int(text) + 1) % G.q)


def test_points_used_by_the_mutations_are_what_they_claim():
    eight = ORDER_8
    for _ in range(3):
        eight = ed.add(eight, eight)
    assert eight == ed.IDENTITY and ORDER_8 != ed.IDENTITY
    for text in (ORDER_8_TEXT, ORDER_8Q_TEXT, IDENTITY_NON_CANONICAL, ORDER_8_TEXT.upper()):
        with pytest.raises(ValueError):
            G.parse(text)
    G.parse(OTHER)


# --- the producer's encodings are Belenios' own (the real belenios-tool 2.0) ---------------------------------

@pytest.mark.parametrize("group", ["BELENIOS-2048", "RFC-3526-2048"])
def test_belenios_tool_accepts_the_producer_archive(group, tmp_path):
    require_tool()
    made = produce(tmp_path / "good", group=group, weights=WEIGHTS)
    accepted = tool_verify(made.path.parent)
    assert accepted.returncode == 0, accepted.stderr[-2000:]
    assert "all checks passed" in accepted.stdout + accepted.stderr
    report = verify_system(open_belenios(made.path), workers=1)
    assert report.passed, report.to_json()
    assert [[a["count"] for a in q["answers"]] for q in report.verified_result["questions"]] == made.expected_result
    bad = produce(tmp_path / "bad", group=group, weights=WEIGHTS)  # the control: belenios-tool does reject
    mutate(bad.path, lambda name, v: isinstance(v, dict) and "election_uuid" in v,
           _at(("answers", 0, "individual_proofs", 0, 1, "response"), lambda r: str((int(r) + 1) % group_named(group).q)))
    assert tool_verify(bad.path.parent).returncode != 0


def test_event_chain_is_written_byte_for_byte_as_belenios_tool_writes_it():
    election = election_once("plain", weights=WEIGHTS)
    members = read_members(election.path)
    assert rebuild_chain(members) == members


# --- Ed25519 records ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ed25519_record(tmp_path_factory):
    return produce(tmp_path_factory.mktemp("ed25519"), group="Ed25519", weights=WEIGHTS,
                   random=PseudorandomDefeatsSecrecy("test_belenios_ed25519"))


@pytest.mark.parametrize("workers", [1, 2])
def test_ed25519_record_verifies_with_the_expected_result(ed25519_record, workers):
    record = open_belenios(ed25519_record.path)
    assert record.group.name == "Ed25519"
    report = verify_system(record, workers=workers, chunk_size=2)
    assert report.passed, report.to_json()
    assert [[a["count"] for a in q["answers"]] for q in report.verified_result["questions"]] == ed25519_record.expected_result
    assert report.verified_result["questions"][1]["answers"][0]["answer"] == "blank"


def test_ed25519_record_is_reproducible_in_the_test_only_mode(tmp_path, ed25519_record):
    again = produce(tmp_path, group="Ed25519", weights=WEIGHTS, random=PseudorandomDefeatsSecrecy("test_belenios_ed25519"))
    assert again.path.read_bytes() == ed25519_record.path.read_bytes()


def _at(path: tuple, change: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A copy of the JSON with the value at ``path`` replaced by ``change(value)``."""
    if not path:
        return change
    inner = _at(path[1:], change)
    return lambda node: _replaced(node, path[0], inner)


def _replaced(node: Any, key: Any, change: Callable[[Any], Any]) -> Any:
    node = copy.copy(node)
    node[key] = change(node[key])
    return node


def is_ballot(name, value) -> bool:
    return isinstance(value, dict) and "election_uuid" in value


def has(key: str) -> Callable[[str, Any], bool]:
    return lambda name, value: isinstance(value, dict) and key in value


def is_credentials(name, value) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], str) and "," in value[0]


class Mutation(NamedTuple):
    """One value changed (``select`` finds the file, ``change`` rewrites it), the step that must fail and a word
    its failing finding's subject must contain."""

    id: str
    select: Callable[[str, Any], bool]
    change: Callable[[Any], Any]
    step: str
    names: str


CHOICE = ("answers", 0, "choices", 0)
MUTATIONS = [
    Mutation("ballot-alpha-order-8", is_ballot, _at((*CHOICE, "alpha"), lambda _: ORDER_8_TEXT), "BB.6", "question 1"),
    Mutation("ballot-beta-order-8q", is_ballot, _at((*CHOICE, "beta"), lambda _: ORDER_8Q_TEXT), "BB.6", "question 1"),
    Mutation("ballot-alpha-non-canonical", is_ballot, _at((*CHOICE, "alpha"), lambda _: IDENTITY_NON_CANONICAL), "BB.6",
             "question 1"),
    Mutation("ballot-alpha-upper-case", is_ballot, _at((*CHOICE, "alpha"), str.upper), "BB.6", "question 1"),
    Mutation("ballot-proof-response", is_ballot, _at(("answers", 1, "individual_proofs", 2, 0, "response"), bump), "BB.6",
             "question 2"),
    Mutation("ballot-signature-response", is_ballot, _at(("signature", "proof", "response"), bump), "BB.5", "ballot 1"),
    Mutation("ballot-credential-order-8", is_ballot, _at(("credential",), lambda _: ORDER_8_TEXT), "BB.3", "ballot 1"),
    Mutation("credential-order-8q", is_credentials, lambda v: [ORDER_8Q_TEXT + ",2", *v[1:]], "BC.1", "public credential 1"),
    Mutation("credential-replaced", is_credentials, lambda v: [OTHER + "," + v[0].split(",")[1], *v[1:]], "BB.3", "ballot"),
    Mutation("trustee-key-order-8", lambda n, v: isinstance(v, list) and bool(v) and v[0][:1] == ["Single"],
             _at((0, 1, "public_key"), lambda _: ORDER_8_TEXT), "BS.3", "trustee 1"),
    Mutation("decryption-factor", has("decryption_factors"), _at(("decryption_factors", 1, 2), lambda _: OTHER), "BT.4", "trustee 1"),
    Mutation("decryption-factor-order-8", has("decryption_factors"), _at(("decryption_factors", 0, 0), lambda _: ORDER_8_TEXT),
             "BT.4", "trustee 1"),
    Mutation("decryption-proof-response", has("decryption_proofs"), _at(("decryption_proofs", 0, 1, "response"), bump), "BT.4",
             "trustee 1"),
    Mutation("tally-order-8", lambda n, v: isinstance(v, list) and bool(v) and isinstance(v[0], list) and isinstance(v[0][0], dict),
             _at((0, 0, "beta"), lambda _: ORDER_8_TEXT), "BT.1", "question 1"),
    Mutation("result-count", has("result"), _at(("result", 1, 2), lambda n: n + 1), "BR.1", "question 2"),
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_ed25519_mutation_fails_its_step_naming_the_object(mutation, ed25519_record, tmp_path):
    path = tmp_path / ed25519_record.path.name
    path.write_bytes(ed25519_record.path.read_bytes())
    mutate(path, mutation.select, mutation.change)
    report = verify_system(open_belenios(path), workers=1)
    assert not report.passed and report.verified_result is None
    failures = [f for v in report.verifications for step in v.steps if step.id == mutation.step for f in step.count.failures]
    assert failures, f"{mutation.id}: {mutation.step} did not fail"
    assert any(mutation.names in f.subject for f in failures), [f.subject for f in failures]
