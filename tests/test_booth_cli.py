"""`evote vote` against a real board on a loopback port: cast and challenge end to end (the posted entries
checked with the core), credential from a file or a hidden prompt, and one-line errors without tracebacks
or secrets."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support.booth_board import entries_of, live_board, open_election, styled_election

from evote.cli import main
from voting.ballot_checks import check_ballot
from voting.challenge import open_challenged_ballot
from voting.errors import VotingError
from voting.manifest import parse_manifest
from voting.record.submission import parse_submission


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with live_board(tmp_path_factory.mktemp("cli-board")) as live:
        yield live


@pytest.fixture(scope="module")
def election(board):
    return open_election(board, "cli-2026", voters=6)


def run(board, election, *args, credential=None, input=None, tmp_path=None):
    command = ["vote", "--board", board.url, "--election", election.election_id, *args]
    if credential is not None:
        path = tmp_path / "credential.txt"
        path.write_text(credential + "\n")
        command += ["--credential-file", str(path)]
    return CliRunner().invoke(main, command, input=input, catch_exceptions=False)


def posted(board, election, seq):
    entry = entries_of(board, election.election_id)[seq]
    manifest = parse_manifest(election.manifest)
    return entry, parse_submission(entry["payload"], manifest), manifest


def test_cast_prints_code_and_checked_receipt_and_posts_a_verifying_ballot(board, election, tmp_path):
    result = run(board, election, "--choice", "mayor=opt-birch", "--choice", "council=opt-elm",
                 "--receipt-out", str(tmp_path / "receipt.json"), credential=election.credentials[0], tmp_path=tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    code = lines[0].removeprefix("confirmation code: ")
    assert len(code) == 64 and lines[1].startswith("cast: entry ")
    assert "receipt checked" in lines[2]
    receipt = json.loads((tmp_path / "receipt.json").read_text())
    assert receipt["confirmation_code"] == code and json.loads("\n".join(lines[3:])) == receipt
    entry, submission, manifest = posted(board, election, receipt["seq"])
    assert entry["kind"] == "ballot.cast" and entry["entry_hash"] == receipt["entry_hash"]
    assert set(entry["payload"]) == {"action", "ballot", "credential", "signature"}
    check_ballot(submission.ballot, manifest, election.state(board).context)
    assert election.credentials[0] not in result.output


def test_challenge_prints_a_reveal_that_opens_the_posted_ballot(board, election, tmp_path):
    result = run(board, election, "--choice", "council=opt-dahlia", "--choice", "council=opt-gorse", "--challenge",
                 credential=election.credentials[1], tmp_path=tmp_path)
    assert result.exit_code == 0, result.output
    assert "challenged (never counted)" in result.output
    reveal = json.loads(result.output.splitlines()[3].split(": ", 1)[1])
    receipt = json.loads("\n".join(result.output.splitlines()[4:]))
    entry, submission, manifest = posted(board, election, receipt["seq"])
    assert entry["kind"] == "ballot.challenged" and entry["payload"]["reveal"] == reveal
    plain = open_challenged_ballot(submission.ballot, manifest, election.state(board).context,
                                   bytes.fromhex(reveal["nonce"]), reveal["choices"])
    assert [c.votes for c in plain.contests] == [(0, 0, 0), (1, 0, 0, 1)]


def test_credential_from_a_hidden_prompt(board, election):
    result = run(board, election, "--choice", "mayor=opt-alder", input=election.credentials[2] + "\n")
    assert result.exit_code == 0, result.output
    assert election.credentials[2] not in result.output
    assert "cast: entry" in result.output


@pytest.mark.parametrize(
    ("args", "credential", "message"),
    [
        (["--choice", "mayor=nobody"], 3, "names an option that is not in this contest"),
        (["--choice", "mayor=opt-alder", "--choice", "mayor=opt-birch"], 3, "overvote"),
        (["--choice", "sheriff=opt-alder"], 3, "is not a contest of this election"),
        (["--style", "north", "--choice", "mayor=opt-alder"], 3, "is not a ballot style"),
        (["--choice", "mayor=opt-alder"], "typo", "typing mistake"),
        (["--choice", "mayor=opt-alder"], "unlisted", "not on the election's published list of voters"),
    ],
)
def test_errors_are_one_line_without_traceback_or_secret(board, election, tmp_path, args, credential, message):
    from voting.credentials import new_credential

    if credential == "typo":
        good = election.credentials[3]
        credential_text = good[:-1] + ("0" if good[-1] != "0" else "1")
    elif credential == "unlisted":
        credential_text = new_credential()
    else:
        credential_text = election.credentials[credential]
    before = len(entries_of(board, election.election_id))
    result = run(board, election, *args, credential=credential_text, tmp_path=tmp_path)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("error: ") and message in result.output
    assert "Traceback" not in result.output and credential_text not in result.output
    assert len(entries_of(board, election.election_id)) == before


def test_unreachable_board_and_closed_election(board, tmp_path):
    closed = open_election(board, "cli-closed", voters=1)
    from support.booth_board import ADMIN_TOKEN

    client = board.app.test_client()
    client.post("/api/v1/admin/elections/cli-closed/entries", json={"kind": "election.closed", "payload": {}},
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    result = run(board, closed, "--choice", "mayor=opt-alder", credential=closed.credentials[0], tmp_path=tmp_path)
    assert result.exit_code == 1 and result.output == "error: the election is not open for voting (phase 'closed')\n"
    nowhere = CliRunner().invoke(main, ["vote", "--board", "http://127.0.0.1:9", "--election", "x", "--choice", "a=b",
                                        "--credential-file", str(tmp_path / "missing.txt")])
    assert nowhere.exit_code == 1 and nowhere.output.startswith("error: cannot read the credential file")
    (tmp_path / "c.txt").write_text(closed.credentials[0])
    nowhere = CliRunner().invoke(main, ["vote", "--board", "http://127.0.0.1:9", "--election", "x", "--choice", "a=b",
                                        "--credential-file", str(tmp_path / "c.txt")])
    assert nowhere.exit_code == 1 and nowhere.output.startswith("error: cannot reach the board")
    bad_choice = CliRunner().invoke(main, ["vote", "--board", board.url, "--election", "x", "--choice", "no-equals-sign"])
    assert bad_choice.exit_code == 2 and "CONTEST=OPTION" in bad_choice.output


# --- a version-2 election: the credential's own ballot style, signed under evote/ballot/v3 ---------------------


@pytest.fixture(scope="module")
def wards(board):
    """Three wards on the live board (tests/support/styled_world.py), revote rule "first"; voter 1 revoked."""
    return styled_election(board, "cli-wards", revote_rule="first", revoked=(1,))


def test_a_ward_voter_casts_the_ballot_of_the_credentials_style_signed_v3(board, wards, tmp_path):
    from voting.record.submission import check_submission

    south = wards.voters[3]
    result = run(board, wards, "--choice", "mayor=bob", "--choice", "south-council=sue", credential=south.credential, tmp_path=tmp_path)
    assert result.exit_code == 0, result.output
    receipt = json.loads("\n".join(result.output.splitlines()[3:]))
    entry = entries_of(board, wards.election_id)[receipt["seq"]]
    submission = parse_submission(entry["payload"], wards.definition.manifest)
    assert submission.ballot.style == "south" and submission.credential == south.public_key
    check_submission(submission, wards.election_id, wards.definition.manifest, wards.state().context, style_signed=True)
    with pytest.raises(VotingError):  # the v2 message, without the style, is not what the voter signed
        check_submission(submission, wards.election_id, wards.definition.manifest, wards.state().context)
    again = run(board, wards, "--choice", "mayor=alice", credential=south.credential, tmp_path=tmp_path)
    assert again.exit_code == 1 and "already cast with this credential" in again.output  # revote rule "first"


@pytest.mark.parametrize(
    ("voter", "args", "message"),
    [
        (1, ["--choice", "mayor=alice"], "this credential was revoked"),
        (0, ["--style", "south", "--choice", "mayor=alice"], "this credential votes the ballot style 'north', not 'south'"),
        (0, ["--choice", "south-council=sam"], "south-council: is not on ballot style 'north'"),
    ],
)
def test_a_ward_credential_is_refused_another_ward_and_when_revoked(board, wards, tmp_path, voter, args, message):
    before = len(entries_of(board, wards.election_id))
    result = run(board, wards, *args, credential=wards.voters[voter].credential, tmp_path=tmp_path)
    assert result.exit_code == 1 and result.output.startswith("error: ") and result.output.count("\n") == 1
    assert message in result.output, result.output
    assert len(entries_of(board, wards.election_id)) == before
