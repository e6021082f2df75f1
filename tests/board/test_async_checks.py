"""A mix.shuffled is checked outside the request (record-format §12.2), on real servers: gunicorn with two workers
and the development server. POST answers 202 with a check; GET of the check (any worker) says appended with the
seq, or refused with the field named and the log unchanged; an unknown check is a 404; a payload over 1 MiB goes
in signed chunks; a worker killed while checking has its check taken over by another after the lease."""

from __future__ import annotations

import copy
import os
import signal
import time

import pytest
from sqlalchemy import select
from support.processes import ADMIN_TOKEN, REPO, env, serve_board
from support.schedule_support import GENEROUS_LIMITS, HttpClient, ScheduledWorld, wait_for

from bulletin_board.log_format.client import BoardClient
from bulletin_board.storage import make_engine
from bulletin_board.storage.schema import checks
from trustee_tools import mixing as trustee_mixing
from trustee_tools.posting import post_message
from voting.record import chunks
from voting.record.messages import sign_message
from voting.record.mixing import MIX_SHUFFLED

from .slow_shuffle_app import HOLD_VARIABLE

pytestmark = pytest.mark.slow
RANKED = {
    "label": "Ranked board test",
    "spec_version": "v2.0.0",
    "contests": [{"label": "mayor", "counting": {"method": "irv"},
                  "options": [{"label": "ada"}, {"label": "bo"}, {"label": "cy"}]}],
    "ballot_styles": [{"label": "all", "contests": ["mayor"]}],
}  # fmt: skip
RANKINGS = [{"ada": 1, "bo": 2, "cy": 3}, {"bo": 1, "ada": 2}, {"cy": 1}]
LEASE_SECONDS = "2"


def closed_election(url: str, election_id: str, voters: int = 3) -> ScheduledWorld:
    """A ranked election on the board at ``url``, two trustees (k = 1), ``voters`` ballots cast, closed, its
    mix.input posted by the administrator's tool."""
    from bulletin_board.admin_mix import post_mix_inputs

    world = ScheduledWorld(HttpClient(url), election_id, manifest=RANKED, n=2, k=1, voters=voters)
    world.keygen()
    world.open()
    for i, credential in enumerate(world.credentials):
        world.cast(credential, {"mayor": RANKINGS[i % len(RANKINGS)]})
    world.admin_entry("election.closed", {})
    post_mix_inputs(BoardClient(url, admin_token=ADMIN_TOKEN), election_id, lambda _: None)
    return world


def mixed_payload(world: ScheduledWorld, guardian: int = 1) -> dict:
    trustee = world.trustees[guardian - 1]
    outcome = trustee_mixing.mix_contest(world.state(), guardian, "mayor", workers=1, report=lambda _: None)
    return sign_message(trustee.identity, world.election_id, MIX_SHUFFLED, guardian, outcome.outgoing.body)


def post(world: ScheduledWorld, payload: dict):
    return world.client.post(f"/api/v1/elections/{world.election_id}/trustee-messages", json={"kind": MIX_SHUFFLED, "payload": payload})


def check_of(world: ScheduledWorld, check: str):
    return world.client.get(f"/api/v1/elections/{world.election_id}/checks/{check}")


def decided(world: ScheduledWorld, check: str, timeout: float = 60) -> dict:
    def outcome():
        answer = world.expect(check_of(world, check), 200)
        return answer if answer["status"] != "checking" else None

    return wait_for(outcome, f"check {check}", timeout=timeout)


@pytest.fixture(params=["gunicorn-2-workers", "dev-server"])
def board(request, tmp_path):
    with serve_board(tmp_path, workers=2 if request.param.startswith("gunicorn") else 0,
                     extra_env={**GENEROUS_LIMITS, "EVOTE_CHECK_LEASE_SECONDS": LEASE_SECONDS}) as served:  # fmt: skip
        yield served


def test_a_valid_shuffle_is_appended_after_202_and_a_forged_one_refused_with_the_log_unchanged(board):
    world = closed_election(board.url, "async-mix")
    payload = mixed_payload(world, 1)

    forged = copy.deepcopy(payload)
    rows = forged["body"]["rows"]
    rows[0], rows[1] = rows[1], rows[0]  # two output rows swapped after the proof was made: it no longer holds
    trustee = world.trustees[0]
    forged = sign_message(trustee.identity, world.election_id, MIX_SHUFFLED, 1, forged["body"])
    size = world.size()
    answer = world.expect(post(world, forged), 202)
    assert answer["status"] == "checking" and len(answer["check"]) == 32
    refused = decided(world, answer["check"])
    assert refused["status"] == "refused" and refused["error"]["field"] == "body.proof", refused
    assert refused["error"]["code"] == "rule_violation" and "mix server 1" in refused["error"]["message"]
    assert world.size() == size  # a refused shuffle leaves the log unchanged

    accepted = world.expect(post(world, payload), 202)
    assert accepted["check"] != answer["check"]
    again = post(world, payload)  # the identical message again, still checking or already appended: the same check
    assert again.get_json()["check"] == accepted["check"] and again.status_code in (200, 202)
    appended = decided(world, accepted["check"])
    assert appended["status"] == "appended" and appended["seq"] == size, appended
    assert world.entries()[size]["kind"] == MIX_SHUFFLED and world.entries()[size]["payload"] == payload
    for _ in range(4):  # any worker answers
        assert world.expect(check_of(world, accepted["check"]), 200) == appended
    assert world.size() == size + 1


def test_an_unknown_check_is_a_404_and_a_malformed_one_a_400_naming_it(board):
    client = HttpClient(board.url)
    world = ScheduledWorld(client, "async-none", manifest=RANKED, n=1, k=1, voters=1)
    unknown = world.client.get(f"/api/v1/elections/{world.election_id}/checks/{'0' * 32}")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "unknown_check"
    assert unknown.get_json()["error"]["field"] == "check"
    for bad in ("0" * 31, "0" * 33, "G" * 32, "A" * 32):
        malformed = world.client.get(f"/api/v1/elections/{world.election_id}/checks/{bad}")
        assert malformed.status_code == 400 and malformed.get_json()["error"]["field"] == "check", bad
    refused = post(world, ["not", "an", "object"])
    assert refused.status_code == 400 and refused.get_json()["error"]["field"] == "payload"


def test_a_shuffle_over_one_mebibyte_goes_in_signed_chunks_and_is_appended(tmp_path):
    with serve_board(tmp_path, workers=2, extra_env=GENEROUS_LIMITS) as served:
        world = closed_election(served.url, "async-big", voters=120)
        payload = mixed_payload(world, 2)
        assert chunks.needs_chunks(payload), len(chunks.canonical(payload))
        size, said = world.size(), []
        trustee = world.trustees[1]
        seq = post_message(BoardClient(served.url), trustee, world.election_id, MIX_SHUFFLED, payload["body"], poll_seconds=0.2,
                           report=said.append)  # fmt: skip
        entries = world.entries()
        parts = [e for e in entries[size:] if e["kind"] == chunks.CHUNK]
        assert len(parts) >= 2 and seq == size + len(parts) and entries[seq]["kind"] == MIX_SHUFFLED
        assert entries[seq]["payload"]["chunked"]["parts"] == [e["seq"] for e in parts]
        assert len(said) == len(parts)
        assert world.state().mixes["mayor"][0].guardian == 2  # the engine reads the chunked entry as the whole one


def test_a_worker_killed_while_checking_has_its_check_taken_over(tmp_path):
    hold = tmp_path / "hold-checks"
    extra = {**GENEROUS_LIMITS, "EVOTE_CHECK_LEASE_SECONDS": LEASE_SECONDS, HOLD_VARIABLE: str(hold),
             "PYTHONPATH": str(REPO / "tests") + os.pathsep + env()["PYTHONPATH"]}  # fmt: skip
    database = tmp_path / "board.sqlite3"
    with serve_board(tmp_path, database, workers=2, app="board.slow_shuffle_app:create_app()", extra_env=extra) as served:
        world = closed_election(served.url, "async-kill")
        payload = mixed_payload(world, 1)
        size = world.size()
        hold.touch()
        check = world.expect(post(world, payload), 202)["check"]
        engine = make_engine(f"sqlite:///{database}")
        try:
            with engine.connect() as conn:
                holder = conn.execute(select(checks.c.holder).where(checks.c.id == check)).scalar_one()
            os.kill(int(holder.split(":")[1]), signal.SIGKILL)  # the worker checking it dies
            hold.unlink()
            started = time.monotonic()
            appended = decided(world, check)
            assert appended == {"check": check, "kind": MIX_SHUFFLED, "status": "appended", "seq": size}
            assert time.monotonic() - started < 30
            with engine.connect() as conn:
                taken_by = conn.execute(select(checks.c.holder).where(checks.c.id == check)).scalar_one()
            assert taken_by != holder
        finally:
            engine.dispose()
        assert world.size() == size + 1 and world.entries()[size]["payload"] == payload
