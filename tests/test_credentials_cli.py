"""Issuing credentials from a roll (voting/credential_issuing.py) and the administrator's commands around it:
``evote credentials generate``, ``evote election create --max-weight`` and ``evote election credentials``
against a board served over HTTP (record-format §4.1)."""

from __future__ import annotations

import csv
import json
import stat

import pytest
from nacl.signing import SigningKey
from support.processes import ADMIN_TOKEN, evote, serve_board

from bulletin_board import admin_ops
from bulletin_board.election_follower import election_state
from bulletin_board.log_format.client import BoardClient
from voting.credential_issuing import issue_credentials, roll_of_count
from voting.credential_list import Eligibility, ListedCredential, parse_credential_list
from voting.credentials import derive_voter_key, new_credential
from voting.manifest import parse_manifest
from voting.record.election import define_election
from voting.voter_roll import parse_roll

MANIFEST = {
    "label": "Two wards",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "mayor", "votes_allowed": 1, "number_elected": 1, "options": [{"label": "alice"}, {"label": "bob"}]},
        {"label": "north-council", "votes_allowed": 1, "options": [{"label": "nora"}, {"label": "ned"}]},
        {"label": "south-council", "votes_allowed": 1, "options": [{"label": "sam"}, {"label": "sue"}]},
    ],
    "ballot_styles": [
        {"label": "north", "contests": ["mayor", "north-council"]},
        {"label": "south", "contests": ["mayor", "south-council"]},
    ],
}
STYLES = ("north", "south")
ROLL = (
    "voter_id,style,weight,email,language\n"
    "ada-17,north,1,ada@mail.example,français\n"
    "bo-23,north,2,bo@mail.example,english\n"
    "cy-42,north,1,cy@mail.example,english\n"
    "di-99,south,3,di@mail.example,deutsch\n"
    "ed-11,south,2,ed@mail.example,english\n"
    "fa-08,south,1,fa@mail.example,français\n"
)


# --- the issuing module -------------------------------------------------------------------------------


def issued_from(text: str = ROLL, max_weight: int = 3, election_id: str = "wards"):
    return issue_credentials(election_id, parse_roll(text.encode(), STYLES, max_weight))


def test_the_public_list_names_no_voter_and_keeps_no_column_of_the_roll():
    issued = issued_from()
    public = json.dumps(issued.public_payload())
    roll = list(csv.DictReader(ROLL.splitlines()))
    for row in roll:
        for column in ("voter_id", "email", "language"):
            assert row[column] not in public, (column, row[column])
    for c in issued.issued:
        assert c.credential not in public
    assert set(issued.public_payload()) == {"version", "election_id", "credentials"}
    assert all(set(entry) == {"public_key", "style", "weight"} for entry in issued.public_payload()["credentials"])


def test_every_listed_key_derives_from_its_voters_credential_with_the_rolls_style_and_weight():
    issued = issued_from()
    payload = issued.public_payload()
    listed = parse_credential_list(payload, Eligibility(2, 3), "wards", STYLES)  # a valid version-2 list
    by_key = {c.public_key: c for c in listed}
    rows = list(issued.private_rows())
    assert rows[0] == ["voter_id", "credential", "style", "weight", "email", "language"]
    roll = {row["voter_id"]: row for row in csv.DictReader(ROLL.splitlines())}
    assert [row[0] for row in rows[1:]] == list(roll)  # the roll's order, for delivery
    for voter_id, credential, style, weight, email, language in rows[1:]:
        key = derive_voter_key(credential, "wards").public_key_hex
        assert by_key[key] == ListedCredential(key, roll[voter_id]["style"], int(roll[voter_id]["weight"]))
        assert (style, weight, email, language) == (roll[voter_id]["style"], roll[voter_id]["weight"], roll[voter_id]["email"], roll[voter_id]["language"])
    assert len(by_key) == len(roll)


def test_the_same_roll_for_another_election_gives_other_keys():
    fixed = iter([new_credential()] * 2)
    first = issue_credentials("one", roll_of_count(1, "north", 1, STYLES, 1), lambda: next(fixed))
    second = issue_credentials("two", roll_of_count(1, "north", 1, STYLES, 1), lambda: next(fixed))
    assert first.issued[0].credential == second.issued[0].credential
    assert first.issued[0].public_key != second.issued[0].public_key


def test_a_credential_source_that_repeats_itself_is_refused():
    same = new_credential()
    with pytest.raises(ValueError, match="same credential"):
        issue_credentials("wards", roll_of_count(2, "north", 1, STYLES, 1), lambda: same)


def test_the_secret_credential_is_not_in_the_repr():
    issued = issued_from()
    assert all(c.credential not in repr(issued) for c in issued.issued)


@pytest.mark.parametrize(
    ("count", "style", "weight", "max_weight", "message"),
    [(0, "north", 1, 1, "at least 1"), (2, "east", 1, 1, "not a ballot style"), (2, "north", 2, 1, "maximum weight 1"), (2, "north", 0, 3, "from 1")],
)
def test_a_roll_of_count_is_checked(count, style, weight, max_weight, message):
    with pytest.raises(ValueError, match=message):
        roll_of_count(count, style, weight, STYLES, max_weight)


def test_weight_warnings_name_the_contest_where_a_vote_is_readable():
    manifest = parse_manifest(MANIFEST)
    assert issued_from().warnings(manifest) == []  # 1,2,1 in the north, 3,2,1 in the south: 3 is not above 2 + 1
    readable = issued_from(ROLL.replace("di-99,south,3", "di-99,south,4"), max_weight=4).warnings(manifest)
    assert len(readable) == 1 and "south-council" in readable[0] and "readable" in readable[0]


# --- the commands against a board ---------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    roster = [{"name": f"Trustee {n}", "identity_key": bytes(SigningKey.generate().verify_key).hex().upper()} for n in (1, 2)]
    (tmp_path / "trustees.json").write_text(json.dumps(roster))
    (tmp_path / "roll.csv").write_text(ROLL)
    return tmp_path


def published(board: str, election_id: str) -> list[dict]:
    _, entries = election_state(BoardClient(board), election_id)
    return [json.loads(e.payload) for e in entries if e.kind == "credentials.published"]


def refused(result, *words: str) -> None:
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


@pytest.mark.slow
def test_create_generate_and_publish_a_version_2_list_over_http(workspace):
    w = workspace
    with serve_board(w) as server:
        board = server.url
        created = evote("election", "create", "manifest.json", "--id", "wards", "--trustees", "trustees.json", "--quorum", "2",
                        "--max-weight", "3", "--board", board, cwd=w)  # fmt: skip
        assert "maximum weight 3" in created.stdout
        state, _ = election_state(BoardClient(board), "wards")
        assert state.definition.styles_bound and state.definition.eligibility == Eligibility(2, 3)

        made = evote("credentials", "generate", "--election", "wards", "--manifest", "manifest.json", "--roll", "roll.csv",
                     "--max-weight", "3", "--out", "creds", cwd=w)  # fmt: skip
        assert "6 credentials" in made.stdout and "warning" not in made.stderr
        private, public = w / "creds" / "credentials-private.csv", w / "creds" / "credentials-public.json"
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
        again = evote("credentials", "generate", "--election", "wards", "--manifest", "manifest.json", "--roll", "roll.csv",
                      "--max-weight", "3", "--out", "creds", cwd=w, check=False)  # fmt: skip
        refused(again, "refusing to overwrite")
        document = json.loads(public.read_text())

        # refused before anything is posted: a version-1 file, another election's list, a bad entry
        (w / "v1.json").write_text(json.dumps({"credentials": [c["public_key"] for c in document["credentials"]]}))
        refused(evote("election", "credentials", "wards", "v1.json", "--board", board, cwd=w, check=False), "version-1", "evote credentials generate")
        (w / "other.json").write_text(json.dumps({**document, "election_id": "other"}))
        refused(evote("election", "credentials", "wards", "other.json", "--board", board, cwd=w, check=False), "election id is not this election")
        bad = json.loads(json.dumps(document))
        bad["credentials"][-1]["style"] = "east"
        (w / "bad.json").write_text(json.dumps(bad))
        refused(evote("election", "credentials", "wards", "bad.json", "--board", board, cwd=w, check=False), "credentials[5].style")
        (w / "broken.json").write_text("{not json")
        refused(evote("election", "credentials", "wards", "broken.json", "--board", board, cwd=w, check=False), "not a JSON file")
        assert published(board, "wards") == []

        done = evote("election", "credentials", "wards", "creds/credentials-public.json", "--board", board, cwd=w)
        assert "published 6 credentials" in done.stdout
        assert published(board, "wards") == [document]
        refused(evote("election", "credentials", "wards", "creds/credentials-public.json", "--board", board, cwd=w, check=False), "already published")
        assert len(published(board, "wards")) == 1
        state, _ = election_state(BoardClient(board), "wards")
        rows = list(csv.DictReader(private.open(newline="")))
        assert {k: (c.style, c.weight) for k, c in state.credentials.items()} == {
            derive_voter_key(r["credential"], "wards").public_key_hex: (r["style"], int(r["weight"])) for r in rows
        }


@pytest.mark.slow
def test_generate_refuses_bad_input_in_plain_words_and_warns_about_readable_weights(workspace):
    w = workspace
    generate = ["credentials", "generate", "--election", "wards", "--manifest", "manifest.json"]
    refused(evote(*generate, "--roll", "roll.csv", "--out", "a", cwd=w, check=False), "line 3, column weight", "maximum weight 1")
    assert not (w / "a").exists()  # nothing written
    refused(evote(*generate, "--count", "3", "--out", "b", cwd=w, check=False), "--style", "north, south")
    refused(evote(*generate, "--count", "3", "--style", "east", "--out", "b", cwd=w, check=False), "not a ballot style")
    refused(evote(*generate, "--roll", "roll.csv", "--count", "3", "--out", "b", cwd=w, check=False), "either --roll")
    refused(evote(*generate, "--roll", "roll.csv", "--style", "north", "--max-weight", "3", "--out", "b", cwd=w, check=False), "go with --count")
    refused(evote("credentials", "generate", "--election", "bad id", "--manifest", "manifest.json", "--count", "1", "--style", "north",
                  "--out", "b", cwd=w, check=False), "--election")  # fmt: skip
    (w / "roll-latin1.csv").write_bytes("voter_id,style\nzoé,north\n".encode("latin-1"))
    refused(evote(*generate, "--roll", "roll-latin1.csv", "--out", "b", cwd=w, check=False), "line 2", "UTF-8")
    assert not (w / "b").exists()

    counted = evote(*generate, "--count", "3", "--style", "south", "--weight", "2", "--max-weight", "2", "--out", "c", cwd=w)
    document = json.loads((w / "c" / "credentials-public.json").read_text())
    assert [(c["style"], c["weight"]) for c in document["credentials"]] == [("south", 2)] * 3 and "warning" not in counted.stderr
    rows = list(csv.DictReader((w / "c" / "credentials-private.csv").open(newline="")))
    assert [r["voter_id"] for r in rows] == ["1", "2", "3"]

    (w / "heavy.csv").write_text("voter_id,style,weight\nv1,north,5\nv2,north,1\nv3,north,1\nv4,south,1\n")
    warned = evote(*generate, "--roll", "heavy.csv", "--max-weight", "5", "--out", "d", cwd=w)
    assert "warning: contest 'north-council'" in warned.stderr and "warning: contest 'mayor'" in warned.stderr
    assert "south-council" not in warned.stderr  # one voter there: nothing for the weights to reveal


@pytest.mark.slow
def test_a_version_1_election_keeps_its_list_of_keys_and_lists_are_split_into_whole_entries(workspace, monkeypatch):
    w = workspace
    roster = [{"index": n + 1, **t} for n, t in enumerate(json.loads((w / "trustees.json").read_text()))]
    with serve_board(w) as server:
        board = server.url
        client = BoardClient(board, admin_token=ADMIN_TOKEN)
        client.create_election(define_election("old", MANIFEST, roster, 2).to_payload())  # as older releases made them
        keys = sorted(derive_voter_key(new_credential(), "old").public_key_hex for _ in range(3))
        (w / "old.json").write_text(json.dumps({"election_id": "old", "credentials": keys[::-1]}))  # the old file, any order
        evote("credentials", "generate", "--election", "old", "--manifest", "manifest.json", "--count", "2", "--style", "north", "--out", "v2", cwd=w)
        refused(evote("election", "credentials", "old", "v2/credentials-public.json", "--board", board, cwd=w, check=False), "version-1 election")
        assert published(board, "old") == []
        evote("election", "credentials", "old", "old.json", "--board", board, cwd=w)
        assert published(board, "old") == [{"credentials": keys}]

        client.create_election(define_election("big", MANIFEST, roster, 2, max_weight=2).to_payload())
        issued = issue_credentials("big", parse_roll(b"voter_id,style,weight\n" + b"".join(b"v%d,south,%d\n" % (n, 1 + n % 2) for n in range(5)), STYLES, 2))
        monkeypatch.setattr(admin_ops, "MAX_PER_ENTRY", 2)
        assert admin_ops.publish_credentials(client, "big", issued.public_payload()) == 5
        entries = published(board, "big")
        assert [len(e["credentials"]) for e in entries] == [2, 2, 1]
        assert all(e["version"] == 2 and e["election_id"] == "big" for e in entries)
        assert [c for e in entries for c in e["credentials"]] == issued.public_payload()["credentials"]
