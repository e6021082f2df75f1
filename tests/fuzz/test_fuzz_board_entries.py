"""Fuzzing the board's entry endpoints: the administrator's entries (api_admin.py), every trustee message of
the key ceremony and the decryption (``POST .../trustee-messages``; voting/record/keygen.py, tallying.py),
and the read API's path and query parameters (api_entries.py, api_proofs.py, params.py).

A whole election is run once through the board; before each post the board's database is copied, so each
message can later be fuzzed against a board in exactly the state it was posted in. A mutated trustee message
(signed, so any changed value breaks it) must be refused cleanly with the log unchanged. An administrator's
entry is not signed and some changes keep it valid (a shorter credential list): those may be accepted, but
then the board's log must still replay under the election's rules, as every client replays it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import urllib.parse

import pytest
import rfc8785
from board_world import ADMIN_TOKEN
from hypothesis import assume, given
from hypothesis import strategies as st

from voting.record import lifecycle
from voting.record.lifecycle import replay
from voting.record.messages import signed_bytes

from .fuzz_support import (
    EvoteWorld,
    assert_clean_refusal,
    assert_no_traceback,
    board_head,
    decoded,
    fuzz_board_app,
    fuzz_settings,
    is_redirect,
    mutated,
    post_raw,
    raw_mutations,
    strictly_equal,
)

ELECTION = "fuzz-entries"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


class _Recorder:
    """A test client that snapshots the board's database before each entry post and records the post."""

    def __init__(self, client, directory, snapshots):
        self.client, self.directory, self.snapshots = client, directory, snapshots

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, path, json=None, headers=None):
        if "/entries" in path or "/trustee-messages" in path:
            kind = json["kind"]
            if kind not in self.snapshots:  # the first message of each kind, in the state it was posted in
                target = self.directory / f"before-{kind}"
                target.mkdir()
                shutil.copy(self.directory / "board.key", target / "board.key")
                with (
                    sqlite3.connect(self.directory / "board.sqlite3") as source,
                    sqlite3.connect(target / "board.sqlite3") as copy,
                ):
                    source.backup(copy)
                self.snapshots[kind] = (target, path, json, bool(headers))
        return self.client.post(path, json=json, headers=headers)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """{kind: (board directory before the post, path, body, is_admin)} for every entry kind of an election,
    and the trustees' identity keys {guardian: SigningKey}."""
    directory = tmp_path_factory.mktemp("fuzz-entries")
    app = fuzz_board_app(directory)
    found: dict = {}
    world = EvoteWorld(_Recorder(app.test_client(), directory, found), election_id=ELECTION, n=3, k=2, voters=2)
    world.keygen_with_complaint(complainer=3, accused=2)
    world.open_with_revocation()
    world.cast(world.credentials[0], {"mayor": ["alice"], "council": ["dan"]})
    world.close_and_tally()
    world.decryption_round({1, 2, 3}, wrong=3)
    world.fail_round()
    world.decryption_round({1, 2})
    world.publish_result()
    return found, {t.guardian: t.identity for t in world.trustees}


@pytest.fixture(scope="module")
def snapshots(recorded):
    return recorded[0]


@pytest.fixture(scope="module")
def trustee_keys(recorded):
    return recorded[1]


class _Boards:
    """A board application per snapshot, made again from its snapshot after an input was accepted."""

    def __init__(self, snapshots, tmp_path_factory):
        self.snapshots, self.factory, self.apps = snapshots, tmp_path_factory, {}

    def app(self, kind):
        if kind not in self.apps:
            directory = self.factory.mktemp("board")
            shutil.copytree(self.snapshots[kind][0], directory, dirs_exist_ok=True)
            self.apps[kind] = fuzz_board_app(directory)
        return self.apps[kind]

    def forget(self, kind):
        self.apps.pop(kind, None)


@pytest.fixture(scope="module")
def boards(snapshots, tmp_path_factory):
    return _Boards(snapshots, tmp_path_factory)


def test_every_message_kind_was_recorded(snapshots):
    """The fuzzers below cover every trustee message and administrator entry kind an election has."""
    assert set(snapshots) == set(TRUSTEE_KINDS) | set(ADMIN_KINDS)


def _replays(app) -> None:
    log = app.extensions["evote_board"].log
    entries = log.entries(ELECTION, 0, log.size(ELECTION))
    payloads = [json.loads(e.payload) for e in entries]
    replay(((e.seq, e.kind, payloads[e.seq], e.entry_hash) for e in entries), lambda seq: payloads[seq])


def _fuzz_post(boards, snapshots, kind, raw: bytes, *, may_accept: bool = False) -> None:
    _, path, original, is_admin = snapshots[kind]
    app = boards.app(kind)
    before = board_head(app, ELECTION)
    response = post_raw(app.test_client(), path, raw, **(AUTH if is_admin else {}))
    if response.status_code == 201:
        assert_no_traceback(response.get_data(as_text=True))
        assert is_admin or may_accept, f"a changed {kind} trustee message was accepted: {raw[:400]!r}"
        _replays(app)  # the board appended only what its own rules accept on replay
        boards.forget(kind)
        return
    assert_clean_refusal(response)
    assert board_head(app, ELECTION) == before, f"a refused {kind} changed the log"


TRUSTEE_KINDS = list(lifecycle.TRUSTEE_KINDS)
ADMIN_KINDS = [kind for kind in lifecycle.ADMIN_KINDS if kind != lifecycle.CREATED]


def _post_a_raw_mutation(snapshots, boards, data, kinds: list[str]) -> None:
    """One recorded message of one of ``kinds``, its bytes mutated (raw_mutations), posted to its snapshot."""
    kind = data.draw(st.sampled_from(kinds), label="kind")
    original = snapshots[kind][2]
    raw = data.draw(raw_mutations(original), label="body")
    assume(not strictly_equal(decoded(raw), original))
    _fuzz_post(boards, snapshots, kind, raw)


@fuzz_settings(150, deadline_seconds=10)
@given(data=st.data())
def test_mutated_trustee_messages_are_refused_cleanly(snapshots, boards, data):
    _post_a_raw_mutation(snapshots, boards, data, TRUSTEE_KINDS)


@fuzz_settings(120, deadline_seconds=10)
@given(data=st.data())
def test_trustee_messages_signed_over_mutated_bodies_are_refused_or_replay(snapshots, trustee_keys, boards, data):
    """A dishonest trustee signs whatever it likes: the board's rules, not the signature, must stop it."""
    kind = data.draw(st.sampled_from(TRUSTEE_KINDS), label="kind")
    original = snapshots[kind][2]
    body = data.draw(mutated(original["payload"]["body"]), label="body")
    assume(not strictly_equal(body, original["payload"]["body"]))
    signer = original["payload"]["signer"]
    payload = dict(original["payload"], body=body)
    try:
        payload["signature"] = trustee_keys[signer].sign(signed_bytes(ELECTION, kind, body)).signature.hex().upper()
    except (TypeError, ValueError, rfc8785.CanonicalizationError):
        pass  # a body RFC 8785 cannot encode (an integer beyond 2^53, ...) goes with the old signature
    _fuzz_post(boards, snapshots, kind, json.dumps(dict(original, payload=payload)).encode(), may_accept=True)


@fuzz_settings(120, deadline_seconds=10)
@given(data=st.data())
def test_mutated_admin_entries_are_refused_or_replay(snapshots, boards, data):
    _post_a_raw_mutation(snapshots, boards, data, ADMIN_KINDS)


def test_the_unchanged_messages_are_accepted(snapshots, tmp_path):
    """Each recorded message, posted unchanged to a copy of its snapshot, is accepted: the fuzzers' starting
    points are valid, so their refusals come from the mutations."""
    for kind, (directory, path, body, is_admin) in snapshots.items():
        board = tmp_path / kind
        shutil.copytree(directory, board)
        response = fuzz_board_app(board).test_client().post(path, json=body, headers=AUTH if is_admin else None)
        assert response.status_code == 201, (kind, response.get_json())


# --- the read API ------------------------------------------------------------------------------------------

READ_PATHS = [
    "/api/v1/elections/{e}", "/api/v1/elections/{e}/entries", "/api/v1/elections/{e}/entries/{s}",
    "/api/v1/elections/{e}/entries/{s}/inclusion", "/api/v1/elections/{e}/checkpoint",
    "/api/v1/elections/{e}/consistency", "/api/v1/elections/{e}/context", "/api/v1/elections",
]  # fmt: skip
PARAMETER_NAMES = ["start", "limit", "size", "old", "new", "seq", "x", "START", ""]
parameter_values = st.one_of(
    st.integers(-5, 40).map(str),
    st.sampled_from(["", "00", "01", "+1", "1.0", "1e3", "0x10", " 1", "9" * 19, "9" * 25, str(2**63), str(2**64), "-0", "١"]),
    st.text(max_size=12),
)


@fuzz_settings(300, deadline_seconds=5)
@given(
    template=st.sampled_from(READ_PATHS),
    election=st.one_of(st.just(ELECTION), st.text(max_size=20)),
    seq=parameter_values,
    query=st.lists(st.tuples(st.sampled_from(PARAMETER_NAMES), parameter_values), max_size=4),
)
def test_read_api_parameters_are_parsed_strictly(snapshots, boards, template, election, seq, query):
    app = boards.app("tally.result")
    path = template.format(e=urllib.parse.quote(election, safe=""), s=urllib.parse.quote(seq, safe=""))
    response = app.test_client().get(path + ("?" + urllib.parse.urlencode(query) if query else ""))
    if response.status_code == 200:
        assert response.mimetype == "application/json"
        assert_no_traceback(response.get_data(as_text=True))
        return
    if is_redirect(response):
        return
    assert_clean_refusal(response)
