"""Version-2 elections (docs/record-format.md §4.1, §8.3): each credential is listed with a ballot style and
a weight. The verifier checks E.5 over evote/ballot/v3, E.7 (each ballot's style is its credential's), the
weighted aggregation of Verification 8 with E.4's total_weight, and reports E.8 (weights that make a vote
readable) as a warning; its verified result is the weighted hand count.

Each forgery is made by a dishonest board operator (re-hashed, re-linked, re-signed): the board checks pass
and the check that covers the change must fail, naming the ballot where one is involved.
"""

from __future__ import annotations

import json

import pytest
from styled_record import COUNCIL, StyledRecord, styled_election
from support.board_world import make_app
from support.evote_support import failed_steps, run_cli, step
from support.evote_tools import edited, nth, read_entries
from support.styled_world import StyledWorld, hand_count
from test_evote_mutations import BOARD, _insert_before_close

from bulletin_board.log_format.export import export_from_log
from voting.verifier import open_record, verify
from voting.verifier.findings import Status
from voting.verifier.result import result_lines, verified_result


@pytest.fixture(scope="module")
def styled(tmp_path_factory) -> StyledRecord:
    return styled_election(tmp_path_factory.mktemp("styled"))


def verify_with_result(path):
    record = open_record(path)
    try:
        report = verify(record, workers=1)
        return report, verified_result(record, report) if report.passed else None
    finally:
        record.close()


def ballot_seqs(entries, credential_key: str) -> list[int]:
    return [n for n, e in enumerate(entries) if e["kind"].startswith("ballot.") and e["payload"]["credential"] == credential_key]


def failure_subjects(report, check: str) -> set[str]:
    return {f.subject for f in step(report, check).count.failures}


def test_a_version_2_election_verifies_and_states_the_weighted_hand_count(styled):
    report, result = verify_with_result(styled.path)
    assert failed_steps(report) == set()
    for check in ("E.4", "E.5", "E.7", "E.8", "8.A", "8.B"):
        assert step(report, check).status is Status.PASSED, check
    assert step(report, "E.7").count.passed == 10  # every ballot: 8 cast, 2 challenged
    totals = {c["contest"]: {o["option"]: o["votes"] for o in c["options"]} for c in result["contests"]}
    assert totals == hand_count(styled.votes)
    counted = {voter.credential: voter for voter, _ in styled.votes}.values()
    assert result["weighted"] is True and result["total_weight"] == sum(v.weight for v in counted)
    assert result["turnout"]["ballots_counted"] == len(counted) and result["turnout"]["credentials_issued"] == len(
        styled.world.roll
    )
    assert result_lines(result)[0] == f"Votes are weighted by the credential list: each counted ballot counts its credential's weight (total weight {result['total_weight']})."


def test_the_cli_says_the_votes_are_weighted(styled, tmp_path):
    out = run_cli(str(styled.path), "--workers", "1", "--json", str(tmp_path / "report.json"), "--html", str(tmp_path / "r.html"))
    assert out.exit_code == 0, out.output
    assert "Votes are weighted by the credential list" in out.output
    data = json.loads((tmp_path / "report.json").read_text())
    assert (
        data["verified_result"]["weighted"] is True
        and data["verified_result"]["total_weight"] > data["verified_result"]["turnout"]["ballots_counted"]
    )
    assert "Votes are weighted by the credential list" in (tmp_path / "r.html").read_text()


def test_a_style_swapped_on_the_list_fails_e7_for_that_credentials_ballots(styled, tmp_path):
    """The first voter (north) is listed as south: its cast and challenged ballots are north ballots."""
    voter = styled.world.voters[0]

    def swap(entries):
        for listed in nth(entries, "credentials.published")["payload"]["credentials"]:
            if listed["public_key"] == voter.public_key:
                listed["style"] = "south"

    record = edited(styled.path, tmp_path / "record", swap, key_file=styled.key_file)
    report = verify_with_result(record)[0]
    assert failed_steps(report) == {"E.7"}
    seqs = ballot_seqs(read_entries(record), voter.public_key)
    assert len(seqs) == 2
    failures = step(report, "E.7").count.failures
    assert {f.subject for f in failures} == {f"ballot seq {s}" for s in seqs}
    assert {(f.expected, f.found) for f in failures} == {("south", "north")}


def test_a_weight_changed_on_the_list_fails_the_weighted_aggregation_and_e4(styled, tmp_path):
    """The second voter (north, weight 2) is listed with weight 3: the tally's products and total are wrong."""
    voter = styled.world.voters[1]

    def reweigh(entries):
        for listed in nth(entries, "credentials.published")["payload"]["credentials"]:
            if listed["public_key"] == voter.public_key:
                listed["weight"] = 3

    record = edited(styled.path, tmp_path / "record", reweigh, key_file=styled.key_file)
    report = verify_with_result(record)[0]
    failed = failed_steps(report)
    assert not failed & BOARD and {"8.A", "8.B", "E.4"} <= failed and "E.7" not in failed, failed
    counted = {v.credential: v for v, _ in styled.votes}.values()
    total = sum(v.weight for v in counted)
    assert [(f.expected, f.found) for f in step(report, "E.4").count.failures] == [(str(total + 1), str(total))]
    on_the_ballot = {
        f"tally › {c} › {o}" for c, options in (("mayor", ("alice", "bob")), ("north-council", ("nora", "ned"))) for o in options
    }
    assert failure_subjects(report, "8.A") == on_the_ballot  # the other wards' contests still aggregate


def test_a_ballot_of_another_ward_smuggled_in_fails_e7_naming_it(styled, tmp_path):
    """The last voter (east, who did not vote) signs a north ballot under v3, inserted as if the board accepted it."""
    voter = styled.world.voters[-1]
    payload, _ = styled.world.submission(voter.credential, {"mayor": ["alice"], "north-council": ["nora"]}, style="north")
    seq = []

    def smuggle(entries):
        seq.append(entries.index(nth(entries, "election.closed")))
        _insert_before_close(entries, payload)

    report = verify_with_result(edited(styled.path, tmp_path / "record", smuggle, key_file=styled.key_file))[0]
    failed = failed_steps(report)
    assert not failed & BOARD and "E.5" not in failed and "E.1" not in failed and "E.7" in failed, failed
    [failure] = step(report, "E.7").count.failures
    assert (failure.subject, failure.expected, failure.found) == (f"ballot seq {seq[0]}", "east", "north")


def test_a_ballot_signed_under_v2_in_a_version_2_election_fails_e5(styled, tmp_path):
    """The same ballot signed without its style (evote/ballot/v2): E.5 requires v3 in a version-2 election."""
    from voting.credentials import contest_data_digest, derive_voter_key

    voter = styled.world.voters[-1]
    payload, _ = styled.world.submission(voter.credential, {"mayor": ["bob"], "east-council": ["eva"]})
    H_E = styled.world.state().context.H_E
    code = bytes.fromhex(payload["ballot"]["confirmation_code"])
    key = derive_voter_key(voter.credential, styled.world.election_id)
    payload["signature"] = key.sign_ballot(styled.world.election_id, H_E, "cast", code, contest_data_digest(payload["ballot"]))
    report = verify_with_result(
        edited(styled.path, tmp_path / "record", lambda e: _insert_before_close(e, payload), key_file=styled.key_file)
    )[0]
    assert "E.5" in failed_steps(report) and "E.7" not in failed_steps(report)


def test_weights_that_make_a_vote_readable_are_a_warning_not_a_failure(tmp_path):
    """Two north voters with weights 1 and 3: the tally of each of their contests gives both choices away."""
    app = make_app(tmp_path)
    world = StyledWorld(app.test_client(), election_id="exposed", roll=(("north", 1), ("north", 3), ("south", 1)))
    world.keygen()
    world.open()
    for voter, pick in zip(world.voters[:2], ("alice", "bob")):
        world.cast(voter.credential, {"mayor": [pick], COUNCIL[voter.style]: ["nora"]})
    world.close_and_tally()
    world.decrypt(available={1, 2})
    path = export_from_log(app.extensions["evote_board"].log, "exposed", tmp_path / "record")
    report, result = verify_with_result(path)
    assert report.passed and result is not None
    e8 = step(report, "E.8")
    assert e8.status is Status.PASSED and e8.count.failed == 0
    assert [w.subject for w in e8.count.warnings] == ["contest mayor", "contest north-council"]
    assert all("2 voter(s)' choice readable" in w.message for w in e8.count.warnings)
    assert step(report, "E.8").to_json()["warnings"][0]["warning"] is True
    out = run_cli(str(path), "--workers", "1", "--html", str(tmp_path / "report.html"))
    assert out.exit_code == 0 and "E.8 warning contest mayor" in out.output
    assert "<strong>Warning, contest mayor</strong>: the weights make 2 voter(s)" in (tmp_path / "report.html").read_text()


def test_version_1_records_have_no_style_or_weight_steps(rich):
    report = verify_with_result(rich.path)[0]
    assert failed_steps(report) == set()
    for check in ("E.7", "E.8"):
        assert step(report, check).status is Status.NOT_APPLICABLE
        assert "version-1 election" in step(report, check).count.reasons[0]
    result = verify_with_result(rich.path)[1]
    assert result["weighted"] is False and result["total_weight"] is None
