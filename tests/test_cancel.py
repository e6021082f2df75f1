"""Issue 18, "Done when": a cancelled election is marked cancelled, its record verifies, nothing can follow.

One board process for the module (`evote board serve`). A scheduled election made with `evote election create
--opens-at/--closes-at` (a local time with its offset, converted and said) is cancelled during its key ceremony
with `evote election cancel`; an open election is cancelled with ballots on it. Each is marked in its context,
the public list of elections and `evote election status`; after the cancel an administrator's entry, a
trustee's message and a ballot are each refused (409); the verifier passes on each export.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from support.board_world import MANIFEST
from support.processes import ADMIN_TOKEN, evote, serve_board
from support.schedule_support import GENEROUS_LIMITS, HttpClient, ScheduledWorld, export_and_verify

from trustee_tools import steps
from trustee_tools.state import TrusteeState

REASON = "A trustee's identity key was out of date; the election is run again as city-2027b"


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    directory = tmp_path_factory.mktemp("cancel")
    with serve_board(directory, extra_env=GENEROUS_LIMITS) as server:
        yield server.url, directory


def listed(url: str) -> dict[str, dict]:
    return {e["election_id"]: e for e in HttpClient(url).get("/api/v1/elections").get_json()["elections"]}


def refused_after_cancel(world: ScheduledWorld, trustee, outgoing, ballot) -> None:
    """An administrator's entry, a trustee's message and a ballot: each refused, the log unchanged."""
    size = world.size()
    answer = world.admin_post(f"/api/v1/admin/elections/{world.election_id}/entries", {"kind": "election.closed", "payload": {}})
    assert answer.status_code == 409 and "cancelled" in answer.get_json()["error"]["message"], answer.get_json()
    if outgoing is not None:
        world.trustee_post(trustee, outgoing, status=409)
    answer = world.client.post(f"/api/v1/elections/{world.election_id}/ballots", json=ballot)
    assert answer.status_code == 409, answer.get_json()
    again = evote("election", "cancel", world.election_id, "--board", world.client.url, "--reason", "again", cwd=world.directory,
                  check=False)  # fmt: skip
    assert again.returncode == 1 and "already cancelled" in again.stderr
    assert world.size() == size


def test_an_election_cancelled_during_its_key_ceremony(board):
    url, directory = board
    trustees = [TrusteeState.new(f"Trustee {i}") for i in (1, 2)]
    (directory / "trustees.json").write_text(json.dumps([{"name": t.name, "identity_key": t.identity_public_key} for t in trustees]))
    (directory / "manifest.json").write_text(json.dumps(MANIFEST))
    opens = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)
    local = opens.astimezone(timezone(timedelta(hours=-5))).isoformat()
    made = evote("election", "create", "manifest.json", "--id", "city-2027", "--trustees", "trustees.json", "--quorum", "2", "--board", url,
                 "--opens-at", local, "--closes-at", (opens + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ"), cwd=directory)  # fmt: skip
    utc = opens.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f"--opens-at {local} is {utc} in UTC" in made.stderr and f"opens {utc}" in made.stdout

    world = ScheduledWorld.__new__(ScheduledWorld)  # the election exists: follow it without creating it again
    world.client, world.election_id, world.trustees, world.directory = HttpClient(url), "city-2027", trustees, directory
    world.token = ADMIN_TOKEN
    state = world.state()
    for trustee in trustees:
        steps.join(trustee, state)
    world.trustee_post(trustees[0], steps.commitments(trustees[0], world.state()))
    pending = steps.commitments(trustees[1], world.state())  # made before the cancel, posted after it
    assert listed(url)["city-2027"]["cancelled"] is False

    said = evote("election", "cancel", "city-2027", "--board", url, "--reason", REASON, cwd=directory)
    assert "cancelled (it was keygen)" in said.stdout
    context = world.context()
    assert context["phase"] == "cancelled" and context["cancelled"]["reason"] == REASON
    assert context["schedule"]["opens_at"] == utc and context["cancelled"]["at"].endswith("Z")
    assert listed(url)["city-2027"]["cancelled"] is True and listed(url)["city-2027"]["state"] == "cancelled"
    status = json.loads(evote("election", "status", "city-2027", "--board", url, "--json", cwd=directory).stdout)
    assert status["cancelled"]["reason"] == REASON and status["timeline"][-1]["step"] == "cancelled"
    assert "CANCELLED" in evote("election", "status", "city-2027", "--board", url, cwd=directory).stdout

    shaped = {"action": "cast", "ballot": {}, "credential": "A" * 64, "signature": "B" * 128}  # no joint key: no real ballot
    refused_after_cancel(world, trustees[1], pending, shaped)
    export_and_verify(url, "city-2027", directory)


def test_an_open_election_cancelled_with_ballots_on_it(board):
    url, directory = board
    world = ScheduledWorld(HttpClient(url), "ward-poll", n=1, k=1, voters=2, manifest=MANIFEST)
    world.directory = directory
    world.keygen()
    world.open()
    world.cast(world.credentials[0], {"mayor": ["alice"], "council": ["dan"]})
    ballot, _ = world.submission(world.credentials[1], {"mayor": ["bob"], "council": ["eve"]})
    too_long = evote("election", "cancel", "ward-poll", "--board", url, "--reason", "x" * 501, cwd=directory, check=False)
    assert too_long.returncode == 1 and "1 to 500 characters" in too_long.stderr

    said = evote("election", "cancel", "ward-poll", "--board", url, "--reason", "The polling company's contract ended", cwd=directory)
    assert "cancelled (it was open)" in said.stdout
    assert world.context()["phase"] == "cancelled" and listed(url)["ward-poll"]["cancelled"] is True
    refused_after_cancel(world, world.trustees[0], None, ballot)
    export_and_verify(url, "ward-poll", directory)
