"""Per-credential limits, counted by the board inside the append from its own ballot index (issue 13, item 1;
bulletin_board/elections/credential_limits.py; docs/board.md, "Rate limits and abuse").

A burst of distinct valid ballots of one credential against a real board process (the threaded dev server and
gunicorn with two workers, on SQLite and PostgreSQL) appends exactly the limit. Casts, challenges with their
reveal and sealed challenges are counted apart; junk and identical resubmissions count against nothing; the
voter reads a plain sentence."""

from __future__ import annotations

import http.client
import json
import re
import threading
from urllib.parse import urlsplit

import pytest
from alembic import command
from sqlalchemy import select
from support.processes import open_election, serve_board
from test_board_ballot_load import MANIFEST as MEASURE
from test_board_ballot_load import _encrypt, database

from attacks.web_support import assert_json_error, ballot, ballots_url, open_world, snapshot
from bulletin_board.log_format.client import BoardClient
from bulletin_board.storage import ballot_index, make_engine
from bulletin_board.storage.migrate import alembic_config
from bulletin_board.web.config import load_settings

# One contest of two options: the cheapest ballot to encrypt and to check.
SMALL = {
    "label": "Credential limits",
    "spec_version": "v2.0.0",
    "contests": [{"label": "mayor", "votes_allowed": 1, "options": [{"label": "alice"}, {"label": "bob"}]}],
    "ballot_styles": [{"label": "all", "contests": ["mayor"]}],
}
BURST = 22  # distinct ballots of one credential sent at once, against the default of 10 casts an hour
DEFAULT_CASTS_PER_HOUR = 10


def assert_plain_limit(response_json: dict, kind: str) -> str:
    """A refusal a voter can read: the kind's own code, and a sentence with no setting name and no number."""
    error = response_json["error"]
    assert error["code"] == f"rate_limited_{kind}" and error["field"] == "credential"
    message = error["message"]
    assert "EVOTE_" not in message and "_" not in message and not re.search(r"\d", message), message
    assert message.startswith("This voting card has been used")
    return message


def _burst(base_url: str, path: str, bodies: list[bytes]) -> list[tuple[int, dict, dict]]:
    """POST every body on its own connection, all released at once by a barrier: (status, headers, JSON)."""
    parts = urlsplit(base_url)
    barrier = threading.Barrier(len(bodies))
    answers: list = [None] * len(bodies)

    def post(index: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        try:
            connection.connect()
            barrier.wait()
            connection.request("POST", path, body=bodies[index], headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            answers[index] = (response.status, dict(response.headers), json.loads(response.read()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend, workers",
    [
        ("sqlite", 0),
        ("sqlite", 2),
        pytest.param("postgres", 0, marks=pytest.mark.postgres),
        pytest.param("postgres", 2, marks=pytest.mark.postgres),
    ],
    ids=["sqlite-dev-server", "sqlite-gunicorn-2", "postgres-dev-server", "postgres-gunicorn-2"],
)
def test_a_burst_of_one_credentials_ballots_appends_exactly_the_limit(backend, workers, tmp_path):
    """Issue 13: one voter got 20 of 20 ballots appended in one burst against a limit of 10 an hour. Now the
    count is taken under the append's lock, so a burst of 22 distinct valid casts appends exactly 10, whether
    one threaded process or two gunicorn workers (each with its own memory) serve it."""
    for url in database(backend, tmp_path):
        with serve_board(tmp_path, url, workers=workers) as server:
            election_id = f"burst-{backend}-{workers}"
            credentials = open_election(server.url, election_id, MEASURE, 2)  # one yes/no question
            casts = _encrypt((server.url, election_id, [credentials[0]] * BURST, 1))
            answers = _burst(server.url, f"/api/v1/elections/{election_id}/ballots", [json.dumps(c).encode() for c in casts])
            statuses = sorted(status for status, _, _ in answers)
            assert statuses == [201] * DEFAULT_CASTS_PER_HOUR + [429] * (BURST - DEFAULT_CASTS_PER_HOUR), statuses
            for status, headers, body in answers:
                if status == 429:
                    assert_plain_limit(body, "casts")
                    assert 1 <= int(headers["Retry-After"]) <= 3600
            on_board = [e.seq for e in BoardClient(server.url).entries(election_id) if e.kind == "ballot.cast"]
            assert len(on_board) == DEFAULT_CASTS_PER_HOUR
            assert set(on_board) == {body["receipt"]["seq"] for status, _, body in answers if status == 201}
            other = _encrypt((server.url, election_id, [credentials[1]], 2))[0]  # another voter is not affected
            assert _burst(server.url, f"/api/v1/elections/{election_id}/ballots", [json.dumps(other).encode()])[0][0] == 201


def test_a_voter_who_challenges_fifteen_times_can_still_cast(tmp_path):
    """Benaloh challenges are how a careful voter checks the device: fifteen of them, revealed, must not use up
    the voter's casts (the old limit counted every appended ballot, 10 an hour)."""
    world = open_world(tmp_path, voters=1, manifest=SMALL)
    for _ in range(15):
        payload, _ = world.submission(world.credentials[0], {"mayor": ["alice"]}, action="challenge", reveal=True)
        world.expect(world.client.post(ballots_url(world), json=payload), 201)
    receipt = world.expect(world.client.post(ballots_url(world), json=ballot(world, 0, {"mayor": ["bob"]})), 201)["receipt"]
    assert receipt["kind"] == "ballot.cast"
    counts = world.expect(world.client.get(f"/api/v1/elections/{world.election_id}/context"), 200)["counts"]
    assert counts["cast"] == 1 and counts["challenged"] == 15


def test_sealed_challenges_are_limited_tightly_and_leave_casting_and_revealed_challenges_alone(tmp_path):
    """A challenge without its reveal is decrypted by the trustees at the tally: the default allows 3 a day.
    The fourth is refused in plain words; a revealed challenge and a cast still go through."""
    world = open_world(tmp_path, voters=1, manifest=SMALL)

    def sealed():
        payload, _ = world.submission(world.credentials[0], {"mayor": ["alice"]}, action="challenge", reveal=False)
        return world.client.post(ballots_url(world), json=payload)

    for _ in range(3):
        world.expect(sealed(), 201)
    before = snapshot(world.app)
    refused = sealed()
    assert_json_error(refused, 429, "rate_limited_sealed_challenges")
    assert_plain_limit(refused.get_json(), "sealed_challenges")
    assert 1 <= int(refused.headers["Retry-After"]) <= 24 * 3600
    assert snapshot(world.app) == before
    revealed, _ = world.submission(world.credentials[0], {"mayor": ["bob"]}, action="challenge", reveal=True)
    world.expect(world.client.post(ballots_url(world), json=revealed), 201)
    world.expect(world.client.post(ballots_url(world), json=ballot(world, 0)), 201)


def test_revealed_challenges_have_their_own_limit(tmp_path):
    world = open_world(tmp_path, voters=1, manifest=SMALL, EVOTE_RATELIMIT_CREDENTIAL_CHALLENGES="2 per hour")
    challenges = [
        world.submission(world.credentials[0], {"mayor": ["alice"]}, action="challenge", reveal=True)[0] for _ in range(3)
    ]
    for payload in challenges[:2]:
        world.expect(world.client.post(ballots_url(world), json=payload), 201)
    refused = world.client.post(ballots_url(world), json=challenges[2])
    assert_json_error(refused, 429, "rate_limited_challenges")
    assert "You can still cast your ballot" in assert_plain_limit(refused.get_json(), "challenges")
    world.expect(world.client.post(ballots_url(world), json=ballot(world, 0)), 201)


def test_junk_and_identical_resubmissions_do_not_use_up_the_voters_casts(tmp_path):
    """The credential is public, so anybody can send junk in its name; a voter whose answer was lost sends the
    same ballot again. Neither may cost the voter a cast: only what the board appends is counted."""
    world = open_world(tmp_path, voters=2, manifest=SMALL, EVOTE_RATELIMIT_CREDENTIAL_CASTS="2 per hour",
                       EVOTE_RATELIMIT_SUBMIT_PER_CLIENT="off")  # fmt: skip
    first = ballot(world, 0, {"mayor": ["alice"]})
    receipt = world.expect(world.client.post(ballots_url(world), json=first), 201)["receipt"]
    for _ in range(4):  # identical resubmissions: the first receipt, nothing appended, nothing counted
        assert world.expect(world.client.post(ballots_url(world), json=first), 200)["receipt"] == receipt
    forged = ballot(world, 0)
    forged["signature"] = "AB" * 64
    copied = dict(ballot(world, 1), credential=first["credential"])  # another voter's ballot under this credential
    for junk in [forged, copied, {**first, "action": "challenge"}] * 3:
        response = world.client.post(ballots_url(world), json=junk)
        assert 400 <= response.status_code < 500 and response.status_code != 429, response.get_json()
    world.expect(world.client.post(ballots_url(world), json=ballot(world, 0, {"mayor": ["bob"]})), 201)  # the second cast
    before = snapshot(world.app)
    refused = world.client.post(ballots_url(world), json=ballot(world, 0))
    assert_json_error(refused, 429, "rate_limited_casts")
    assert_plain_limit(refused.get_json(), "casts")
    assert 3500 <= int(refused.headers["Retry-After"]) <= 3600  # when the first of the two leaves the hour
    assert snapshot(world.app) == before
    assert world.expect(world.client.post(ballots_url(world), json=first), 200)["receipt"] == receipt  # still answered


def test_limits_are_board_settings_with_reasoned_defaults():
    from bulletin_board.elections.credential_limits import Window

    settings = load_settings({}, environ={})
    limits = settings.credential_limits
    assert limits.casts == (Window(10, 3600), Window(30, 86400))
    assert limits.challenges == (Window(30, 3600), Window(100, 86400))
    assert limits.sealed_challenges == (Window(3, 86400), Window(10, 30 * 86400))
    off = load_settings({"EVOTE_RATELIMIT_CREDENTIAL_CHALLENGES": "off"}, environ={}).credential_limits
    assert off.challenges == () and off.casts == limits.casts


def test_the_retired_per_credential_setting_stops_the_board_with_its_replacements_named():
    from bulletin_board.log_format.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        load_settings({}, environ={"EVOTE_RATELIMIT_SUBMIT_PER_CREDENTIAL": "10 per hour"})
    assert refused.value.field == "EVOTE_RATELIMIT_SUBMIT_PER_CREDENTIAL"
    assert "EVOTE_RATELIMIT_CREDENTIAL_CASTS" in refused.value.reason


def test_the_migration_marks_the_challenges_already_on_a_board(tmp_path):
    """0003 adds ``ballot_index.revealed``; rows written before it get it from their entries' payloads."""
    world = open_world(tmp_path, voters=1, manifest=SMALL)
    for reveal in (True, False):
        payload, _ = world.submission(world.credentials[0], {"mayor": ["alice"]}, action="challenge", reveal=reveal)
        world.expect(world.client.post(ballots_url(world), json=payload), 201)
    world.expect(world.client.post(ballots_url(world), json=ballot(world, 0)), 201)
    engine = world.app.extensions["evote_board"].log.engine
    query = select(ballot_index.c.action, ballot_index.c.revealed).order_by(ballot_index.c.seq)
    with engine.connect() as conn:
        expected = conn.execute(query).all()
    assert expected == [("challenge", True), ("challenge", False), ("cast", False)]
    url = f"sqlite:///{tmp_path / 'board.sqlite3'}"
    fresh = make_engine(url)
    try:
        for target in ("0002_election_indexes", "head"):
            with fresh.connect() as conn:
                conn.execution_options(evote_write=True)
                config = alembic_config()
                config.attributes["connection"] = conn
                (command.downgrade if target != "head" else command.upgrade)(config, target)
                conn.commit()
        with fresh.connect() as conn:
            assert conn.execute(query).all() == expected
    finally:
        fresh.dispose()
