"""Who may vote what (issue 15): credentials bound to a ballot style and a weight (record-format §4.1, §5, §8.3).

A version-2 election with three wards and a roll with weights 1-3 (support.styled_world): the board refuses a
ballot of another ward (on the test client, the dev server and gunicorn) and is unchanged; the decrypted
tally equals a hand count that applies the weights; the list's rules refuse bad styles and weights; the
weight-privacy rule never over-reports.
"""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.board_world import BoardWorld, make_app
from support.processes import serve_board
from support.styled_world import StyledWorld, decrypted_totals, hand_count

from trustee_tools import ceremony, steps
from voting.ballot import make_ballot
from voting.credential_list import ListedCredential, credential_list_payload, parse_eligibility, readable_votes, weight_warnings
from voting.credentials import ballot_signature_message, derive_voter_key
from voting.encrypt import encrypt_ballot
from voting.errors import EncodingError
from voting.record import admin
from voting.record.counting import count, header_of, tally_from_entries
from voting.record.results import election_result, result_text
from voting.record.submission import build_submission, parse_submission
from voting.record.tallying import tally_payload

COUNCIL = {"north": ("north-council", ["nora", "ned"]), "south": ("south-council", ["sam", "sue"]), "east": ("east-council", ["eli", "eva"])}


def ward_choices(voter, n: int) -> dict[str, list[str]]:
    contest, options = COUNCIL[voter.style]
    return {"mayor": [["alice", "bob"][n % 2]], contest: [options[(n // 2) % 2]]}


@pytest.fixture(scope="module")
def opened(tmp_path_factory):
    """An opened version-2 election; every voter of every ward has cast once, voter 0 has revoted."""
    directory = tmp_path_factory.mktemp("wards")
    app = make_app(directory)
    world = StyledWorld(app.test_client())
    world.keygen()
    world.open()
    votes = []
    for n, voter in enumerate(world.voters):
        choices = ward_choices(voter, n)
        world.cast(voter.credential, choices)
        votes.append((voter, choices))
    revote = ward_choices(world.voters[0], 1)
    world.cast(world.voters[0].credential, revote)
    votes.append((world.voters[0], revote))
    return directory, world, votes


def cross_ward_submission(world: StyledWorld) -> dict:
    """A valid v3 submission by a North Ward voter on the South Ward's ballot."""
    north = next(v for v in world.voters if v.style == "north")
    payload, _ = world.submission(north.credential, {"mayor": ["bob"], "south-council": ["sam"]}, style="south")
    return payload


def test_the_board_refuses_another_wards_ballot_naming_the_field_and_changes_nothing(opened):
    _, world, _ = opened
    before = world.size()
    response = world.client.post(f"/api/v1/elections/{world.election_id}/ballots", json=cross_ward_submission(world))
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("wrong_ballot_style", "ballot.style")
    assert "'north'" in error["message"] and "'south'" in error["message"]
    assert world.size() == before


@pytest.mark.parametrize("workers", [0, 2], ids=["dev-server", "gunicorn"])
def test_on_a_real_server_another_wards_ballot_is_403_and_the_board_is_unchanged(opened, workers):
    directory, world, _ = opened
    payload = cross_ward_submission(world)
    before = world.size()
    with serve_board(directory, workers=workers) as board:
        request = urllib.request.Request(
            f"{board.url}/api/v1/elections/{world.election_id}/ballots", data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"}, method="POST",
        )  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 403
        assert json.loads(refused.value.read())["error"]["field"] == "ballot.style"
    assert world.size() == before


def test_a_ballot_signed_without_its_style_is_refused(opened):
    """A version-2 election takes only evote/ballot/v3 signatures, which cover the style (record-format §5)."""
    _, world, _ = opened
    voter = world.voters[3]
    state = world.state()
    result = encrypt_ballot(state.context, make_ballot(world.definition.manifest, voter.style, ward_choices(voter, 0)))
    unstyled = build_submission(result.ballot, derive_voter_key(voter.credential, world.election_id), world.election_id, state.context.H_E, "cast")
    before = world.size()
    response = world.client.post(f"/api/v1/elections/{world.election_id}/ballots", json=unstyled)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "signature"
    assert world.size() == before


def test_the_weighted_tally_equals_a_hand_count_and_an_unweighted_one_is_refused(opened):
    _, world, votes = opened
    world.admin_entry("election.closed", {})
    # the administrator's tally without weights is not the board's: refused, nothing appended
    entries = [e for e in world.entries() if e["kind"].startswith("ballot.")]
    unweighted, _ = tally_from_entries(
        world.definition.manifest, "last", lambda: ((e["seq"], e["kind"], e["payload"]) for e in entries), cast_checked_by_board=True
    )
    before = world.size()
    refused = world.admin_post(f"/api/v1/admin/elections/{world.election_id}/entries",
                               {"kind": "tally.encrypted", "payload": tally_payload(unweighted, world.definition.manifest)})  # fmt: skip
    assert refused.status_code in (400, 409) and world.size() == before
    state = world.state()
    counting = count([header_of(e["seq"], e["kind"], e["payload"]) for e in entries], "last")
    parsed = {e["seq"]: parse_submission(e["payload"], world.definition.manifest) for e in entries}
    payload = admin.encrypted_tally(state, counting, iter(sorted(parsed.items())), [])
    last_weights = {v.credential: v.weight for v, _ in votes}
    assert payload["ballot_count"] == len(world.voters)
    assert payload["total_weight"] == sum(last_weights.values())
    world.admin_entry("tally.encrypted", payload)
    result = world.decrypt({1, 3})
    assert decrypted_totals(result) == hand_count(votes)
    published = election_result(world.state(), ((e["seq"], e["kind"], e["payload"]) for e in entries)).to_json()
    assert (published["weighted"], published["total_weight"]) == (True, payload["total_weight"])
    assert {c["contest"]: {o["option"]: o["votes"] for o in c["options"]} for c in published["contests"]} == hand_count(votes)
    assert "Votes are weighted by the credential list" in result_text(election_result(world.state(), ((e["seq"], e["kind"], e["payload"]) for e in entries)))
    raw = {v.credential: c["mayor"][0] for v, c in votes}
    assert decrypted_totals(result)["mayor"] != {o: list(raw.values()).count(o) for o in ("alice", "bob")}  # weighted, not raw


# --- the list's own rules ------------------------------------------------------------------------


@pytest.fixture
def fresh(tmp_path):
    world = StyledWorld(make_app(tmp_path).test_client())
    world.keygen()
    return world


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p["credentials"][0].update(style="west"), "credentials[0].style"),
        (lambda p: p["credentials"][1].update(weight=4), "credentials[1].weight"),
        (lambda p: p["credentials"][1].update(weight=0), "credentials[1].weight"),
        (lambda p: p["credentials"][1].update(weight=True), "credentials[1].weight"),
        (lambda p: p.update(election_id="another-election"), "election_id"),
        (lambda p: p.update(version=1), "version"),
        (lambda p: p["credentials"].reverse(), "credentials"),
        (lambda p: p["credentials"][0].pop("weight"), "credentials[0].weight"),
        (lambda p: p.pop("version"), "payload.version"),
    ],
    ids=["unknown-style", "weight-above-max", "weight-zero", "weight-bool", "other-election", "version-1", "unsorted",
         "no-weight", "v1-shape"],
)  # fmt: skip
def test_a_bad_credential_list_is_refused_naming_the_field(fresh, change, field):
    payload = fresh.credential_list()
    change(payload)
    before = fresh.size()
    error = fresh.admin_entry("credentials.published", payload, status=400)["error"]
    assert error["field"] == field, error
    assert fresh.size() == before


def test_a_version_1_list_is_refused_by_a_version_2_election_and_the_converse(fresh, tmp_path):
    keys = sorted(v.public_key for v in fresh.voters)
    assert fresh.admin_entry("credentials.published", {"credentials": keys}, status=400)["error"]["field"].startswith("payload.")
    (tmp_path / "v1").mkdir()
    old = BoardWorld(make_app(tmp_path / "v1").test_client(), election_id="old-rules")
    old.keygen()
    listed = credential_list_payload("old-rules", [ListedCredential(keys[0], "all", 1)])
    assert old.admin_entry("credentials.published", listed, status=400)["error"]["field"].startswith("payload.")


@pytest.mark.parametrize("value", [0, 1001, True, "3", None])
def test_the_maximum_weight_is_an_integer_from_1_to_1000(value):
    with pytest.raises(EncodingError) as refused:
        parse_eligibility({"version": 2, "max_weight": value})
    assert refused.value.field == "eligibility.max_weight"


# --- signatures and weight privacy -----------------------------------------------------------------


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_the_v3_signature_covers_the_style(a, b):
    args = ("e", bytes(32), "cast", bytes(range(32)), bytes(32))
    v2 = ballot_signature_message(*args)
    assert ballot_signature_message(*args, style=a).startswith(b"evote/ballot/v3\x00")
    assert v2.startswith(b"evote/ballot/v2\x00")
    assert (ballot_signature_message(*args, style=a) == ballot_signature_message(*args, style=b)) == (a == b)


def determined(weights: list[int], voter: int) -> bool:
    """By brute force: whether every total reachable by the voters' yes/no choices tells voter's choice."""
    others = [w for n, w in enumerate(weights) if n != voter]
    sums = {sum(c) for r in range(len(others) + 1) for c in itertools.combinations(others, r)}
    return not any(s + weights[voter] in sums for s in sums)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=40), min_size=2, max_size=7))
def test_readable_votes_never_reports_a_vote_that_the_tally_does_not_give_away(weights):
    exposed = readable_votes(weights)
    largest_first = sorted(range(len(weights)), key=lambda n: -weights[n])
    for voter in largest_first[:exposed]:
        assert determined(weights, voter), (weights, voter)
    if max(weights) > sum(weights) - max(weights):
        assert exposed >= 1  # the plain case the issue names is always found


def test_the_warning_names_the_contest_and_equal_weights_give_none():
    contests = {"north": ["mayor", "north-council"], "south": ["mayor", "south-council"]}
    listed = [ListedCredential(f"{n:064X}", style, w) for n, (style, w) in enumerate([("north", 5), ("north", 1), ("south", 1), ("south", 1)])]
    warnings = weight_warnings(listed, contests)
    assert len(warnings) == 2 and "'mayor'" in warnings[0] and "'north-council'" in warnings[1]
    assert weight_warnings([ListedCredential(f"{n:064X}", "north", 2) for n in range(3)], contests) == []


def test_a_trustee_refuses_to_decrypt_a_tally_that_ignores_the_weights(tmp_path):
    """A dishonest operator appends, past the board's own check, a tally whose ballots all weigh 1 (with a
    plausible total_weight): the trustees recompute the weighted product before decrypting and refuse."""
    world = StyledWorld(make_app(tmp_path).test_client())
    world.keygen()
    world.open()
    for n, voter in enumerate(world.voters[:4]):
        world.cast(voter.credential, ward_choices(voter, n))
    world.admin_entry("election.closed", {})
    entries = [e for e in world.entries() if e["kind"].startswith("ballot.")]
    honest_weights = {v.public_key: v.weight for v in world.voters}
    forged, _ = tally_from_entries(
        world.definition.manifest, "last", lambda: ((e["seq"], e["kind"], e["payload"]) for e in entries),
        cast_checked_by_board=True, weights={key: 1 for key in honest_weights},
    )  # fmt: skip
    payload = tally_payload(forged, world.definition.manifest)
    payload["total_weight"] = sum(v.weight for v in world.voters[:4])
    assert world.admin_post(f"/api/v1/admin/elections/{world.election_id}/entries",
                            {"kind": "tally.encrypted", "payload": payload}).status_code == 409  # fmt: skip
    world.client.application.extensions["evote_board"].log.append(world.election_id, "tally.encrypted", payload)
    state = world.state()
    assert state.phase == "tallying"
    downloaded = [SimpleNamespace(seq=e["seq"], kind=e["kind"], payload=json.dumps(e["payload"])) for e in world.entries()]
    with pytest.raises(steps.Refusal, match="not the product of the counted ballots"):
        ceremony.check_tally(None, state, downloaded)
