"""Helpers of the schedule and cancel tests (tests/test_schedule*.py, tests/test_cancel*.py): drive a board served
by real processes with :class:`support.board_world.BoardWorld` over HTTP, and run the verifier on an export."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from support.board_world import BoardWorld
from support.processes import ADMIN_TOKEN, evote
from voting.record import admin
from voting.record.counting import count, header_of
from voting.record.election import define_election
from voting.record.submission import parse_submission

# the tests post from one address, many times a second: an operator would raise the per-address limits the same way
GENEROUS_LIMITS = {f"EVOTE_RATELIMIT_{name}": "100000 per minute" for name in ("SUBMIT_PER_CLIENT", "TRUSTEE_PER_CLIENT", "READS_PER_CLIENT")}


class HttpResponse:
    def __init__(self, status: int, body: bytes) -> None:
        self.status_code, self.body = status, body

    def get_json(self):
        return json.loads(self.body) if self.body else None


class HttpClient:
    """The Flask test client's two calls BoardWorld uses, against a board URL."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> HttpResponse:
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return HttpResponse(response.status, response.read())
        except urllib.error.HTTPError as error:
            return HttpResponse(error.code, error.read())

    def get(self, path: str) -> HttpResponse:
        return self._send("GET", path, None, {})

    def post(self, path: str, json=None, headers=None) -> HttpResponse:  # noqa: A002 — the Flask test client's name
        return self._send("POST", path, _dumps(json), {"Content-Type": "application/json", **(headers or {})})


def _dumps(value) -> bytes:
    return json.dumps(value).encode()


class ScheduledWorld(BoardWorld):
    """A BoardWorld whose election.created carries ``schedule`` (or none); the admin token is the one the
    board processes of support.processes get."""

    def __init__(self, client, election_id, *, schedule=None, token=ADMIN_TOKEN, **kwargs):
        self.schedule, self.token = schedule, token
        super().__init__(client, election_id, **kwargs)

    def admin_post(self, path, body):
        return self.client.post(path, json=body, headers={"Authorization": f"Bearer {self.token}"})

    def _define(self, election_id, manifest, roster, k, revote_rule):
        return define_election(election_id, manifest, roster, k, revote_rule, schedule=self.schedule)

    def context(self) -> dict:
        return self.expect(self.client.get(f"/api/v1/elections/{self.election_id}/context"), 200)

    def tally(self) -> dict:
        """The encrypted tally of an election the board closed (BoardWorld.close_and_tally without the close)."""
        state = self.state()
        entries = [e for e in self.entries() if e["kind"].startswith("ballot.")]
        counting = count([header_of(e["seq"], e["kind"], e["payload"]) for e in entries], self.definition.revote_rule)
        parsed = {e["seq"]: parse_submission(e["payload"], self.definition.manifest) for e in entries}
        challenged = [parsed[h.seq].ballot for h in counting.unrevealed_challenges]
        payload = admin.encrypted_tally(state, counting, iter(sorted(parsed.items())), challenged)
        self.admin_entry("tally.encrypted", payload)
        return payload


def wait_for(condition, what: str, timeout: float = 30, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


def export_and_verify(board_url: str, election_id: str, directory: Path) -> dict:
    """``evote record export`` then ``evote-verify`` on it; returns the JSON report (asserting VERIFIED)."""
    out = directory / f"record-{election_id}"
    evote("record", "export", election_id, "--board", board_url, "--out", str(out), cwd=directory)
    report = directory / f"report-{election_id}.json"
    verify = subprocess.run([sys.executable, "-m", "voting.verifier.cli", str(out), "--workers", "1", "--json", str(report)],
                            capture_output=True, text=True, timeout=300, cwd=directory)  # fmt: skip
    assert verify.returncode == 0 and "VERIFIED" in verify.stdout, verify.stdout[-3000:] + verify.stderr[-2000:]
    return json.loads(report.read_text())


def steps_of(report: dict, check: str) -> list[dict]:
    return [s for v in report["verifications"] for s in v["steps"] if s["id"] == check]
