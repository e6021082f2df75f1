"""A real bulletin board with the booth mounted, served on a loopback port, and elections run on it.

``live_board(tmp)`` starts ``create_app`` (temporary SQLite file, board key, admin token) with
``register_booth`` on a werkzeug server thread and records every log line the process writes while it runs.
``styled_election(board, ...)`` is a version-2 election (tests/support/styled_world.py: three wards, each
credential bound to its ward's ballot style) on the same board, driven through its API with this board's
admin token. ``open_election(board, ...)`` runs a whole key ceremony through the real HTTP API (the trustees' signed
messages and the administrator's entries, computed with trustee_tools and voting.record.admin), publishes
fresh voter credentials and opens the election: the same requests the real tools make.
Used by the booth's browser tests, the `evote vote` tests and benchmarks/bench_booth_js.py.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.serving import make_server

from bulletin_board.admin_token import new_admin_token
from evote.app import create_app
from support.styled_world import StyledWorld
from trustee_tools import steps
from trustee_tools.state import TrusteeState
from voting.credentials import derive_voter_key, new_credential
from voting.record import admin
from voting.record.election import define_election
from voting.record.lifecycle import ElectionState, replay
from voting.record.messages import sign_message

ADMIN_TOKEN = new_admin_token()  # the board accepts only generated tokens

# Distinctive labels and names, so that a search of requests, logs and the database for them means something;
# one candidate's name is markup, which must show as text.
XSS_NAME = "<img src=x onerror=alert(1)>"
MANIFEST = {
    "label": "Booth test election <b>2026</b>",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "mayor", "title": "Mayor of Springfield", "votes_allowed": 1,
         "options": [{"label": "opt-alder", "name": "Alder Quince"}, {"label": "opt-birch", "name": "Birch Umber"},
                     {"label": "opt-cedar", "name": XSS_NAME}]},
        {"label": "council", "title": "City council", "votes_allowed": 2,
         "options": [{"label": "opt-dahlia", "name": "Dahlia Vetch"}, {"label": "opt-elm", "name": "Elm Wren"},
                     {"label": "opt-fern", "name": "Fern Xylo"}, {"label": "opt-gorse", "name": "Gorse Yarrow"}]},
    ],
    "ballot_styles": [{"label": "all", "contests": ["mayor", "council"]}],
    "info": {"jurisdiction": "Springfield", "date": "2026-11-03"},
}


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@dataclass
class LiveBoard:
    url: str
    app: object
    directory: Path
    log_lines: list[str] = field(default_factory=list)

    @property
    def database(self) -> Path:
        return self.directory / "board.sqlite3"

    def stored_bytes(self) -> bytes:
        """Every byte of the database files (the main file and the write-ahead log, if any)."""
        return b"".join(path.read_bytes() for path in sorted(self.directory.glob("board.sqlite3*")))


def booth_app(directory: Path):
    """The board's app (temporary SQLite file and key) with the booth registered, as production would."""
    app = create_app({
        "EVOTE_DATABASE_URL": f"sqlite:///{directory / 'board.sqlite3'}",
        "EVOTE_BOARD_KEY_FILE": str(directory / "board.key"),
        "EVOTE_BOARD_ORIGIN": "booth.test",
        "EVOTE_ADMIN_TOKEN": ADMIN_TOKEN,
        "EVOTE_SECRET_KEY": "booth-test-secret-key",
    })
    return app


@contextlib.contextmanager
def live_board(directory: Path) -> Iterator[LiveBoard]:
    app = booth_app(directory)
    recorder = _Recorder()
    root, werkzeug = logging.getLogger(), logging.getLogger("werkzeug")
    previous_level, previous_werkzeug_level = root.level, werkzeug.level
    root.addHandler(recorder)
    root.setLevel(logging.DEBUG)
    werkzeug.setLevel(logging.NOTSET)  # whatever an earlier test set, every request line is recorded
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveBoard(f"http://127.0.0.1:{server.server_port}", app, directory, recorder.lines)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        root.removeHandler(recorder)
        root.setLevel(previous_level)
        werkzeug.setLevel(previous_werkzeug_level)


@dataclass
class OpenElection:
    election_id: str
    manifest: dict
    credentials: list[str]
    definition: object

    def state(self, board: LiveBoard) -> ElectionState:
        entries = entries_of(board, self.election_id)
        return replay(((e["seq"], e["kind"], e["payload"], bytes.fromhex(e["entry_hash"])) for e in entries),
                      lambda seq: entries[seq]["payload"])


def _expect(response, status: int):
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def entries_of(board: LiveBoard, election_id: str) -> list[dict]:
    client = board.app.test_client()
    return _expect(client.get(f"/api/v1/elections/{election_id}/entries?limit=1000"), 200)["entries"]


def open_election(board: LiveBoard, election_id: str, manifest: dict = MANIFEST, *, voters: int = 3, n: int = 1,
                  k: int = 1, revote_rule: str = "last", organizer: dict | None = None,
                  schedule: dict | None = None) -> OpenElection:
    """Create, run the key ceremony of, publish credentials for and open an election on ``board`` (with
    ``schedule`` {opens_at, closes_at}: opens_at must have passed)."""
    client = board.app.test_client()
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    trustees = [TrusteeState.new(f"Trustee {i}") for i in range(1, n + 1)]
    roster = [{"index": i + 1, "name": t.name, "identity_key": t.identity_public_key} for i, t in enumerate(trustees)]
    definition = define_election(election_id, manifest, roster, k, revote_rule, organizer=organizer, schedule=schedule)
    _expect(client.post("/api/v1/admin/elections", json=definition.to_payload(), headers=headers), 201)
    election = OpenElection(election_id, manifest, [new_credential() for _ in range(voters)], definition)

    def admin_entry(kind: str, payload: dict) -> None:
        _expect(client.post(f"/api/v1/admin/elections/{election_id}/entries", json={"kind": kind, "payload": payload},
                            headers=headers), 201)

    def trustee_post(trustee: TrusteeState, outgoing) -> None:
        payload = sign_message(trustee.identity, election_id, outgoing.kind, trustee.guardian, outgoing.body)
        _expect(client.post(f"/api/v1/elections/{election_id}/trustee-messages",
                            json={"kind": outgoing.kind, "payload": payload}), 201)

    state = election.state(board)
    for trustee in trustees:
        steps.join(trustee, state)
    for step in (steps.commitments, steps.shares, steps.check_shares):
        for trustee in trustees:
            trustee_post(trustee, step(trustee, election.state(board)))
    admin_entry("keygen.result", admin.keygen_result(election.state(board)))
    for trustee in trustees:
        trustee_post(trustee, steps.confirm(trustee, election.state(board)))
    keys = sorted(derive_voter_key(c, election_id).public_key_hex for c in election.credentials)
    admin_entry("credentials.published", {"credentials": keys})
    admin_entry("election.opened", {})
    return election


class BoothStyledWorld(StyledWorld):
    """:class:`StyledWorld` on a :func:`live_board` (whose admin token is this module's)."""

    def admin_post(self, path, body):
        return self.client.post(path, json=body, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})


def styled_election(board: LiveBoard, election_id: str, *, revote_rule: str = "last", revoked: tuple[int, ...] = ()) -> StyledWorld:
    """A version-2 election of three wards (``WARDS_MANIFEST``, its roll), opened on ``board``, with the
    credentials of ``voters[i]`` for each i in ``revoked`` revoked before the opening."""
    world = BoothStyledWorld(board.app.test_client(), election_id=election_id, n=1, k=1, revote_rule=revote_rule)
    world.keygen()
    world.admin_entry("credentials.published", world.credential_list())
    if revoked:
        world.admin_entry("credentials.revoked", {"credentials": sorted(world.voters[i].public_key for i in revoked)})
    world.admin_entry("election.opened", {})
    return world
