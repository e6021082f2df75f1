"""Who runs the election (record-format §8.2 ``organizer``): validated where it enters (the parser, the board's
API, the CLI), each refusal naming the field and leaving the board without the election; shown to voters at
the foot of every page (tests/test_booth_tour_browser.py)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from support.board_world import ADMIN_TOKEN, MANIFEST, make_app

from bulletin_board.cli_election import election as election_command
from trustee_tools.state import TrusteeState
from voting.errors import EncodingError
from voting.record.election import define_election, parse_election_created
from voting.record.organizer import parse_organizer

GOOD = {"name": "Riverton Elections Office", "contact": "elections@riverton.example",
        "help_url": "https://riverton.example/help", "privacy_url": "https://riverton.example/privacy"}  # fmt: skip


def roster():
    trustee = TrusteeState.new("Trustee 1")
    return [{"index": 1, "name": trustee.name, "identity_key": trustee.identity_public_key}]


def test_an_organizer_is_part_of_the_election_and_reads_back_exactly():
    definition = define_election("town-1", MANIFEST, roster(), 1, organizer=GOOD)
    assert definition.to_payload()["organizer"] == GOOD
    assert parse_election_created(definition.to_payload()).organizer.to_json() == GOOD
    assert "organizer" not in define_election("town-1", MANIFEST, roster(), 1).to_payload()  # optional


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "organizer.name"),
        ({"name": " Town"}, "organizer.name"),
        ({"name": "x" * 201}, "organizer.name"),
        ({"contact": "a\nb"}, "organizer.contact"),
        ({"contact": 7}, "organizer.contact"),
        ({"help_url": "http://riverton.example"}, "organizer.help_url"),
        ({"help_url": "javascript:alert(1)"}, "organizer.help_url"),
        ({"help_url": "https://user:secret@riverton.example"}, "organizer.help_url"),
        ({"privacy_url": "https://riverton.example/a b"}, "organizer.privacy_url"),
        ({"privacy_url": "https:///no-host"}, "organizer.privacy_url"),
        ({"logo": "https://riverton.example/logo.png"}, "organizer.logo"),
    ],
)
def test_a_bad_organizer_is_refused_naming_the_field(change, field):
    with pytest.raises(EncodingError) as refused:
        parse_organizer({**GOOD, **change})
    assert refused.value.field == field


def test_the_board_refuses_a_bad_organizer_and_creates_nothing(tmp_path):
    client = make_app(tmp_path).test_client()
    payload = define_election("town-1", MANIFEST, roster(), 1).to_payload()
    payload["organizer"] = {**GOOD, "help_url": "http://riverton.example"}
    response = client.post("/api/v1/admin/elections", json=payload, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "organizer.help_url"
    assert client.get("/api/v1/elections/town-1").status_code == 404
    payload["organizer"] = GOOD
    assert client.post("/api/v1/admin/elections", json=payload, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status_code == 201
    assert client.get("/api/v1/elections/town-1/context").get_json()["organizer"] == GOOD


def test_the_cli_needs_a_name_and_a_contact_together(tmp_path):
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "trustees.json").write_text("[]")
    result = CliRunner().invoke(election_command, ["create", str(tmp_path / "manifest.json"), "--id", "town-1", "--trustees",
                                                   str(tmp_path / "trustees.json"), "--quorum", "1", "--organizer", "Town",
                                                   "--board", "http://127.0.0.1:9"])  # fmt: skip
    assert result.exit_code != 0 and "--organizer and --contact go together" in result.output
    assert "Traceback" not in result.output
