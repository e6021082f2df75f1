"""Manifests, plaintext validation, ballot encryption and every ballot check (SPEC §3.1.3, §3.3-3.5)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.strategies import TOY, choices_for, manifests

from voting.ballot import make_ballot
from voting.ballot_checks import check_ballot
from voting.challenge import open_challenged_ballot
from voting.context import ElectionContext
from voting.elgamal import decrypt_known_nonce
from voting.encrypt import encrypt_ballot, selection_nonce
from voting.encrypted_ballot import ballot_to_json, parse_encrypted_ballot
from voting.errors import EncodingError, InvalidBallot, ManifestError, NotInGroupError
from voting.group import STANDARD, ElementModQ, g_pow
from voting.manifest import parse_manifest
from voting.tally import aggregate

H_E = bytes([3]) * 32
SECRET = ElementModQ.parse(1234567, TOY)
CTX = ElectionContext(g_pow(SECRET, TOY), H_E)

MANIFEST_DOC = {
    "label": "Springfield 2026",
    "spec_version": "v2.0.0",
    "contests": [
        {
            "label": "mayor",
            "title": "Mayor",
            "votes_allowed": 1,
            "options": [{"label": "alice"}, {"label": "bob"}, {"label": "carol"}],
        },
        {"label": "council", "votes_allowed": 2, "options": [{"label": "dan"}, {"label": "eve"}, {"label": "fay"}]},
        {"label": "budget", "votes_allowed": 3, "option_limit": 2, "options": [{"label": "parks"}, {"label": "roads"}]},
    ],
    "ballot_styles": [
        {"label": "north", "contests": ["mayor", "council", "budget"]},
        {"label": "south", "contests": ["budget", "mayor"]},
    ],
}
MANIFEST = parse_manifest(MANIFEST_DOC)


def mutate(doc, path, value):
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    "path, value, field",
    [
        (["spec_version"], "v1.0", "spec_version"),
        (["contests", 0, "label"], " mayor", "contests[0].label"),
        (["contests", 0, "label"], "may\tor", "contests[0].label"),
        (["contests", 1, "label"], "mayor", "contests[1].label"),
        (["contests", 0, "options", 1, "label"], "alice", "contests[0].options[1].label"),
        (["contests", 0, "votes_allowed"], 0, "contests[0].votes_allowed"),
        (["contests", 0, "votes_allowed"], 4, "contests[0].votes_allowed"),
        (["contests", 0, "votes_allowed"], True, "contests[0].votes_allowed"),
        (["contests", 0, "colour"], "red", "contests[0].colour"),
        (["contests", 0, "options"], [], "contests[0].options"),
        (["ballot_styles", 0, "contests", 0], "sheriff", "ballot_styles[0].contests[0]"),
        (["ballot_styles", 1, "contests"], ["mayor", "mayor"], "ballot_styles[1].contests"),
        (["label"], KeyError, "label"),
        (["contests", 0, "title"], 5, "contests[0].title"),
    ],
)
def test_manifest_rejections_name_the_field(path, value, field):
    with pytest.raises(ManifestError) as err:
        parse_manifest(mutate(MANIFEST_DOC, path, value))
    assert err.value.field == field


def test_manifest_indices_and_canonical_bytes():
    assert [c.index for c in MANIFEST.contests] == [1, 2, 3]
    assert MANIFEST.contest("council").options[2].index == 3
    assert MANIFEST.style("south").contest_labels == ("mayor", "budget")  # index order, not listing order
    assert MANIFEST.canonical_bytes.startswith(b'{"ballot_styles":')
    assert parse_manifest(MANIFEST_DOC).canonical_bytes == MANIFEST.canonical_bytes


@pytest.mark.parametrize(
    "style, choices, field",
    [
        ("north", {"mayor": ["alice", "bob"]}, "choices.mayor"),  # overvote
        ("north", {"council": ["dan", "eve", "fay"]}, "choices.council"),
        ("north", {"sheriff": ["x"]}, "choices.sheriff"),  # unknown contest
        ("south", {"council": ["dan"]}, "choices.council"),  # not on this style
        ("north", {"mayor": ["zed"]}, "choices.mayor"),  # unknown option
        ("north", {"budget": {"parks": 3}}, "choices.budget"),  # above option limit R = 2
        ("north", {"budget": {"parks": 2, "roads": 2}}, "choices.budget"),  # above L = 3
        ("north", {"mayor": {"alice": -1}}, "choices.mayor"),
        ("west", {}, "style"),
    ],
)
def test_plaintext_rejections(style, choices, field):
    with pytest.raises(InvalidBallot) as err:
        make_ballot(MANIFEST, style, choices)
    assert err.value.field == field
    assert "alice" not in str(err.value) and "zed" not in str(err.value)  # no choice echoed back


def test_undervote_and_statuses():
    ballot = make_ballot(MANIFEST, "north", {"council": ["dan"]})
    assert [c.status for c in ballot.contests] == [2, 1, 2]  # null vote, undervote, null vote


def encrypted_json(style="north", choices=None, context=CTX):
    plain = make_ballot(
        MANIFEST,
        style,
        choices if choices is not None else {"mayor": ["bob"], "council": ["dan", "fay"], "budget": {"parks": 2, "roads": 1}},
    )
    result = encrypt_ballot(context, plain)
    return result, ballot_to_json(result.ballot)


def test_round_trip_check_and_open():
    result, doc = encrypted_json()
    ballot = parse_encrypted_ballot(doc, MANIFEST, TOY)
    assert ballot == result.ballot
    check_ballot(ballot, MANIFEST, CTX)
    plain = open_challenged_ballot(
        ballot,
        MANIFEST,
        CTX,
        result.ballot_nonce,
        {"mayor": ["bob"], "council": ["dan", "fay"], "budget": {"parks": 2, "roads": 1}},
    )
    assert [c.votes for c in plain.contests] == [(0, 1, 0), (1, 0, 1), (2, 1)]
    with pytest.raises(InvalidBallot, match="13.A"):
        open_challenged_ballot(
            ballot,
            MANIFEST,
            CTX,
            result.ballot_nonce,
            {"mayor": ["alice"], "council": ["dan", "fay"], "budget": {"parks": 2, "roads": 1}},
        )
    with pytest.raises(InvalidBallot):
        open_challenged_ballot(
            ballot, MANIFEST, CTX, bytes(32), {"mayor": ["bob"], "council": ["dan", "fay"], "budget": {"parks": 2, "roads": 1}}
        )


def test_nonces_are_the_spec_derivation():
    result, _ = encrypted_json()
    xi = selection_nonce(CTX, result.ballot_nonce, 2, 3)  # council (index 2), fay (index 3)
    ct = result.ballot.contests[1].selections[2].ciphertext
    assert decrypt_known_nonce(ct, xi, CTX, 2) == 1


HEX_P = 2 * TOY.p_bytes
TAMPERS = [
    (["contests", 0, "selections", 1, "alpha"], "5.D"),
    (["contests", 0, "selections", 1, "beta"], "5.D"),
    (["contests", 1, "selections", 0, "proof", "c", 1], "5.D"),
    (["contests", 1, "selections", 2, "proof", "v", 0], "5.D"),
    (["contests", 2, "limit_proof", "c", 3], "6.D"),
    (["contests", 2, "limit_proof", "v", 0], "6.D"),
    (["contests", 0, "contest_hash"], "7.A"),
    (["confirmation_code"], "7.B"),
]


@pytest.mark.parametrize("path, check", TAMPERS)
def test_each_tampered_value_fails_its_check(path, check):
    _, doc = encrypted_json()
    target = doc
    for key in path[:-1]:
        target = target[key]
    value = target[path[-1]]
    if len(value) == HEX_P:  # a group element: replace by another member
        target[path[-1]] = (
            (g_pow(ElementModQ.parse(99, TOY), TOY) * g_pow(ElementModQ.parse(1, TOY), TOY)).to_bytes().hex().upper()
        )
    else:
        digits = list(value)
        digits[-1] = "1" if digits[-1] == "0" else "0"
        target[path[-1]] = "".join(digits)
    with pytest.raises(InvalidBallot) as err:
        check_ballot(parse_encrypted_ballot(doc, MANIFEST, TOY), MANIFEST, CTX)
    assert err.value.check == check


def test_aux_is_covered_by_the_confirmation_code():
    _, doc = encrypted_json()
    doc["aux"] = "00"
    with pytest.raises(InvalidBallot, match="7.B"):
        check_ballot(parse_encrypted_ballot(doc, MANIFEST, TOY), MANIFEST, CTX)


@pytest.mark.parametrize(
    "change, error, field",
    [
        (lambda d: d.update(style="west"), InvalidBallot, "ballot.style"),
        (lambda d: d["contests"].reverse(), InvalidBallot, "ballot.contests[0].contest"),
        (lambda d: d["contests"].pop(), EncodingError, "ballot.contests"),
        (lambda d: d["contests"][0]["selections"].reverse(), InvalidBallot, "ballot.contests[0].selections[0].option"),
        (
            lambda d: d["contests"][0]["selections"][0]["proof"]["c"].pop(),
            EncodingError,
            "ballot.contests[0].selections[0].proof.c",
        ),
        (
            lambda d: d["contests"][0]["selections"][0].update(alpha="00" * TOY.p_bytes),
            NotInGroupError,
            "ballot.contests[0].selections[0].alpha",
        ),
        (
            lambda d: d["contests"][0]["selections"][0].update(
                beta=(TOY.p - 1).__int__().to_bytes(TOY.p_bytes, "big").hex().upper()
            ),
            NotInGroupError,
            "ballot.contests[0].selections[0].beta",
        ),
        (
            lambda d: d["contests"][0]["selections"][0].update(alpha=d["contests"][0]["selections"][0]["alpha"].lower()),
            EncodingError,
            "ballot.contests[0].selections[0].alpha",
        ),
        (
            lambda d: d["contests"][0]["selections"][0]["proof"]["v"].__setitem__(0, "F" * 16),
            NotInGroupError,
            "ballot.contests[0].selections[0].proof.v[0]",
        ),
        (lambda d: d.update(extra=1), EncodingError, "ballot.extra"),
        (lambda d: d["contests"][1]["contest_data"].update(c1="00"), EncodingError, "ballot.contests[1].contest_data.c1"),
        (
            lambda d: d["contests"][1]["contest_data"].update(
                c0=(TOY.p - 1).__int__().to_bytes(TOY.p_bytes, "big").hex().upper()
            ),
            NotInGroupError,
            "ballot.contests[1].contest_data.c0",
        ),
        (
            lambda d: d["contests"][2]["contest_data"].update(c0="00" * TOY.p_bytes),
            NotInGroupError,
            "ballot.contests[2].contest_data.c0",
        ),
        (lambda d: d.update(confirmation_code=5), EncodingError, "ballot.confirmation_code"),
    ],
)
def test_parse_rejections_name_the_field(change, error, field):
    _, doc = encrypted_json()
    change(doc)
    with pytest.raises(error) as err:
        parse_encrypted_ballot(doc, MANIFEST, TOY)
    assert err.value.field == field


def test_copied_contest_from_another_ballot_still_verifies_and_is_the_boards_job():
    """Proofs bind to H_E only, so a contest copied between ballots verifies: the board rejects reused ciphertexts."""
    _, doc1 = encrypted_json(choices={"mayor": ["alice"]})
    _, doc2 = encrypted_json(choices={"mayor": ["carol"]})
    doc2["contests"][0] = doc1["contests"][0]
    ballot = parse_encrypted_ballot(doc2, MANIFEST, TOY)
    with pytest.raises(InvalidBallot, match="7.B"):  # the confirmation code no longer matches ...
        check_ballot(ballot, MANIFEST, CTX)


@settings(max_examples=12, deadline=None)
@given(data=st.data(), document=manifests())
def test_property_encrypt_check_and_tally(data, document):
    manifest = parse_manifest(document)
    style = data.draw(st.sampled_from([s.label for s in manifest.ballot_styles]))
    ballots, expected = [], {}
    for _ in range(data.draw(st.integers(1, 3))):
        choices = data.draw(choices_for(manifest, style))
        result = encrypt_ballot(CTX, make_ballot(manifest, style, choices))
        parsed = parse_encrypted_ballot(ballot_to_json(result.ballot), manifest, TOY)
        check_ballot(parsed, manifest, CTX)
        ballots.append(parsed)
        for contest, values in choices.items():
            for option, value in values.items():
                expected[(contest, option)] = expected.get((contest, option), 0) + value
    tally = aggregate(manifest, ballots, TOY)
    from voting.elgamal import discrete_log

    for contest, option, ct in tally.items():
        T = ct.beta * (ct.alpha**SECRET).inverse()
        assert discrete_log(T, CTX.K, 10) == expected.get((contest, option), 0)


def test_standard_group_ballot():
    context = ElectionContext(g_pow(ElementModQ.parse(2**200 + 7)), H_E)
    result, doc = encrypted_json(context=context)
    ballot = parse_encrypted_ballot(doc, MANIFEST, STANDARD)
    check_ballot(ballot, MANIFEST, context)
    assert len(doc["contests"][0]["selections"][0]["alpha"]) == 1024


@pytest.mark.parametrize("contest", [0, 2])
def test_standard_group_batch_names_a_contest_data_non_member(contest):
    """C0 joins the ballot's batched membership check (voting.membership); a non-member is still named."""
    context = ElectionContext(g_pow(ElementModQ.parse(2**200 + 7)), H_E)
    _, doc = encrypted_json(context=context)
    doc["contests"][contest]["contest_data"]["c0"] = (STANDARD.p - 1).__int__().to_bytes(STANDARD.p_bytes, "big").hex().upper()
    with pytest.raises(NotInGroupError) as err:
        parse_encrypted_ballot(doc, MANIFEST, STANDARD)
    assert err.value.field == f"ballot.contests[{contest}].contest_data.c0"
