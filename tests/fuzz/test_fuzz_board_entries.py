"""Fuzzing the board's entry endpoints: the administrator's entries (api_admin.py), every trustee message of
the key ceremony, the mix and the decryption (``POST .../trustee-messages``; voting/record/keygen.py, mixing.py,
tallying.py; a mix.shuffled is answered 202 and its check followed to its end),
and the read API's path and query parameters (api_entries.py, api_proofs.py, params.py).

A whole election is run once through the board; before each post the board's database is copied, so each
message can later be fuzzed against a board in exactly the state it was posted in. A mutated trustee message
(signed, so any changed value breaks it) must be refused cleanly with the log unchanged. An administrator's
entry is not signed and some changes keep it valid (a shorter credential list): those may be accepted, but
then the board's log must still replay under the election's rules, as every client replays it. Each fuzzer
counts the examples that reached the trustee message's envelope, its signature check, the election's rules
for the entry's kind, or (reads) the board's log (reach.py), and requires a share of them.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
import urllib.parse

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st
from support.board_world import ADMIN_TOKEN, mix_shuffled_body_for
from support.evote_world import RANKED_MANIFEST

from bulletin_board.elections.anchors import build_anchors
from bulletin_board.log import BoardLog
from voting.credentials import derive_voter_key
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
    reencodable,
    reencoded,
    strictly_equal,
)
from .reach import At, Reach

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
    anchors = build_anchors(app.extensions["evote_board"].log, world.definition, {"booth_sha256": "ab" * 32})  # signed by the board
    world.admin_entry("anchors.published", anchors)
    world.open_with_revocation()
    world.cast(world.credentials[0], {"mayor": ["alice"], "council": ["dan"]})
    world.close_and_tally()
    world.decryption_round({1, 2, 3}, wrong=3)
    world.fail_round()
    world.decryption_round({1, 2})
    world.publish_result()
    _schedule_and_cancel(_Recorder(app.test_client(), directory, found))
    ranked = _ranked_mix(_Recorder(app.test_client(), directory, found))
    keys = {(ELECTION, t.guardian): t.identity for t in world.trustees}
    keys.update({(ranked.election_id, t.guardian): t.identity for t in ranked.trustees})
    return found, keys


def _ranked_mix(client) -> EvoteWorld:
    """A third election for the mix's entries (record-format §12-13): mix.input, mix.shuffled (answered 202 and
    checked outside the request) and a trustee's chunk of a mix posted in parts."""
    ranked = EvoteWorld(client, election_id=f"{ELECTION}-ranked", n=2, k=1, voters=2, manifest=RANKED_MANIFEST)
    ranked.keygen()
    ranked.open()
    for credential, first in zip(ranked.credentials, ("ann", "ben")):
        ranked.cast(credential, {"mayor": {first: 1, "cat": 2}, "measure": ["yes"], "chair": {"dee": 1}})
    ranked.admin_entry("election.closed", {})
    for payload in ranked.expected_mix_inputs().values():
        ranked.admin_entry("mix.input", payload)
    t1, t2 = ranked.trustees
    assert ranked.wait_for_check(ranked.trustee_post_json(t1, "mix.shuffled", mix_shuffled_body_for(ranked, t1, "mayor")))["status"] == "appended"
    answer = ranked.trustee_post_chunked(t2, "mix.shuffled", mix_shuffled_body_for(ranked, t2, "chair"), part_bytes=8_000)
    assert ranked.wait_for_check(answer)["status"] == "appended"
    return ranked


def _schedule_and_cancel(client) -> None:
    """A second election for the schedule's entries and the cancel (terminal, so not in the first one)."""
    other = EvoteWorld(client, election_id=f"{ELECTION}-cancelled", n=1, k=1, voters=1)
    other.admin_entry("election.scheduled", {"opens_at": "2000-01-01T00:00:00Z", "closes_at": "2099-01-01T00:00:00Z"})
    other.keygen()
    other.admin_entry("credentials.published", {"credentials": [derive_voter_key(other.credentials[0], other.election_id).public_key_hex]})
    opened = other.admin_post(f"/api/v1/admin/elections/{other.election_id}/entries", {"kind": "election.opened", "payload": {}})
    assert opened.status_code in (201, 409)  # the board's scheduler may have opened it first (opens_at is past)
    other.admin_entry("election.extended", {"closes_at": "2099-06-01T00:00:00Z"})
    other.admin_entry("election.cancelled", {"reason": "created to fuzz the cancel"})


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


def _election_of(path: str) -> str:
    """The election a recorded post went to (``.../elections/<id>/...``)."""
    parts = path.split("/")
    return urllib.parse.unquote(parts[parts.index("elections") + 1])


def _replays(app, election_id: str) -> None:
    log = app.extensions["evote_board"].log
    entries = log.entries(election_id, 0, log.size(election_id))
    payloads = [json.loads(e.payload) for e in entries]
    replay(((e.seq, e.kind, payloads[e.seq], e.entry_hash) for e in entries), lambda seq: payloads[seq])


def _fuzz_post(boards, snapshots, kind, raw: bytes, *, may_accept: bool = False) -> str:
    """Post ``raw`` as a ``kind`` entry to the board of its snapshot: "accepted", or the refusal's code."""
    _, path, original, is_admin = snapshots[kind]
    app = boards.app(kind)
    election = _election_of(path)
    before = board_head(app, election)
    client = app.test_client()
    response = post_raw(client, path, raw, **(AUTH if is_admin else {}))
    outcome = _checked(client, election, response) if response.status_code == 202 else None
    if response.status_code == 201 or (outcome is not None and outcome["status"] == "appended"):
        assert_no_traceback(response.get_data(as_text=True))
        assert is_admin or may_accept, f"a changed {kind} trustee message was accepted: {raw[:400]!r}"
        _replays(app, election)  # the board appended only what its own rules accept on replay
        boards.forget(kind)
        return "accepted"
    error = outcome["error"] if outcome is not None else assert_clean_refusal(response)
    assert board_head(app, election) == before, f"a refused {kind} changed the log"
    return error["code"]


def _checked(client, election: str, response) -> dict:
    """The end of a check the board answered 202 for (a mix.shuffled, record-format §12.2): appended or refused."""
    assert_no_traceback(response.get_data(as_text=True))
    check = response.get_json()["check"]
    for _ in range(1200):
        outcome = client.get(f"/api/v1/elections/{election}/checks/{check}")
        assert outcome.status_code == 200, outcome.get_data(as_text=True)
        if outcome.get_json()["status"] != "checking":
            assert_no_traceback(outcome.get_data(as_text=True))
            return outcome.get_json()
        time.sleep(0.05)
    raise AssertionError(f"check {check} did not end")


# A body the kind's parser read, refused by the election's rules (a RuleViolation) or by a proof or equation
# of the cryptography (a VotingError the board answers with "refused"), or accepted: bulletin_board/elections/errors.py
CHECKED = {"rule_violation", "refused", "accepted"}


TRUSTEE_KINDS = list(lifecycle.TRUSTEE_KINDS)
ADMIN_KINDS = [kind for kind in lifecycle.ADMIN_KINDS if kind != lifecycle.CREATED]


def entry_reach(what: str, *, trustee: bool) -> tuple[Reach, dict]:
    """Where a posted entry got to: a trustee message's envelope (voting/record/messages.py ``open_message``)
    and past its signature, or an administrator's payload handed to its kind's rule (``body_of``). Only the
    calls with the example's own payload (``current["payload"]``) count: a board also replays its stored
    entries through these."""
    current: dict = {}

    def its_own(*args, **kwargs) -> bool:
        return "payload" in current and any(strictly_equal(arg, current["payload"]) for arg in args)

    if trustee:
        places = {
            "envelope": At(lifecycle, "open_message", when=its_own),
            "signed": At(lifecycle, "open_message", when=its_own, returned=True),
        }
    else:
        places = {"rules": At(lifecycle, "body_of", when=its_own)}
    return Reach(what, **places), current


def _post_a_raw_mutation(snapshots, boards, data, kinds: list[str], reach: Reach, current: dict) -> None:
    """One recorded message of one of ``kinds``, its bytes mutated (raw_mutations), posted to its snapshot."""
    kind = data.draw(st.sampled_from(kinds), label="kind")
    raw = data.draw(raw_mutations(snapshots[kind][2]), label="body")
    body = decoded(raw)
    current["payload"] = body.get("payload") if isinstance(body, dict) else None
    with reach.example():
        _fuzz_post(boards, snapshots, kind, raw)


def test_mutated_trustee_messages_are_refused_cleanly(snapshots, boards):
    reach, current = entry_reach("mutated trustee messages", trustee=True)

    @fuzz_settings(150, deadline_seconds=10)
    @given(data=st.data())
    def examples(data):
        _post_a_raw_mutation(snapshots, boards, data, TRUSTEE_KINDS, reach, current)

    with reach.watching():
        examples()
    reach.require(envelope=0.08)  # the changed bytes are signed: the signature refuses nearly all of the rest


def test_trustee_messages_signed_over_mutated_bodies_are_refused_or_replay(snapshots, trustee_keys, boards):
    """A dishonest trustee signs whatever it likes: the board's rules, not the signature, must stop it. Half
    the changes keep every value well formed, so that they reach the rules' proofs and equations (a share or
    response with other well-formed values is accepted: it is checked when the round ends)."""
    reach, current = entry_reach("trustee messages signed over mutated bodies", trustee=True)

    @fuzz_settings(120, deadline_seconds=10)
    @given(data=st.data())
    def examples(data):
        kind = data.draw(st.sampled_from(TRUSTEE_KINDS), label="kind")
        original = snapshots[kind][2]
        old_body = original["payload"]["body"]
        changes = [mutated(old_body), reencoded(old_body)] if reencodable(old_body) else [mutated(old_body)]
        body = data.draw(st.one_of(changes), label="body")
        signer = original["payload"]["signer"]
        payload = dict(original["payload"], body=body)
        election = _election_of(snapshots[kind][1])
        try:
            payload["signature"] = trustee_keys[(election, signer)].sign(signed_bytes(election, kind, body)).signature.hex().upper()
        except (TypeError, ValueError, rfc8785.CanonicalizationError):
            pass  # a body RFC 8785 cannot encode (an integer beyond 2^53, ...) goes with the old signature
        current["payload"] = payload
        with reach.example():
            if (
                _fuzz_post(boards, snapshots, kind, json.dumps(dict(original, payload=payload)).encode(), may_accept=True)
                in CHECKED
            ):
                reach.mark("checked")

    with reach.watching():
        examples()
    reach.require(envelope=0.7, signed=0.4, checked=0.12)


def test_mutated_admin_entries_are_refused_or_replay(snapshots, boards):
    """Half the examples change the entry's bytes (raw_mutations), half its payload's structure or values
    (a payload as small as ``{}`` leaves the raw changes little inside it to change)."""
    reach, current = entry_reach("mutated administrator entries", trustee=False)

    @fuzz_settings(120, deadline_seconds=10)
    @given(data=st.data())
    def examples(data):
        if data.draw(st.booleans(), label="raw"):
            _post_a_raw_mutation(snapshots, boards, data, ADMIN_KINDS, reach, current)
            return
        kind = data.draw(st.sampled_from(ADMIN_KINDS), label="kind")
        original = snapshots[kind][2]
        payload = original["payload"]
        changes = [mutated(payload)] + ([reencoded(payload)] if reencodable(payload) else [])
        current["payload"] = data.draw(st.one_of(changes), label="payload")
        with reach.example():
            if _fuzz_post(boards, snapshots, kind, json.dumps(dict(original, payload=current["payload"])).encode()) in CHECKED:
                reach.mark("checked")

    with reach.watching():
        examples()
    reach.require(rules=0.12)


def test_the_unchanged_messages_are_accepted(snapshots, tmp_path):
    """Each recorded message, posted unchanged to a copy of its snapshot, is accepted: the fuzzers' starting
    points are valid, so their refusals come from the mutations."""
    for kind, (directory, path, body, is_admin) in snapshots.items():
        board = tmp_path / kind
        shutil.copytree(directory, board)
        client = fuzz_board_app(board).test_client()
        response = client.post(path, json=body, headers=AUTH if is_admin else None)
        if response.status_code == 202:  # a mix.shuffled: checked outside the request
            assert _checked(client, _election_of(path), response)["status"] == "appended", kind
        else:
            assert response.status_code == 201, (kind, response.get_json())


# --- the read API ------------------------------------------------------------------------------------------

READ_PATHS = {  # each path and its query parameters
    "/api/v1/elections/{e}": (), "/api/v1/elections/{e}/entries": ("start", "limit"), "/api/v1/elections/{e}/entries/{s}": (),
    "/api/v1/elections/{e}/entries/{s}/inclusion": ("size",), "/api/v1/elections/{e}/checkpoint": ("size",),
    "/api/v1/elections/{e}/consistency": ("old", "new"), "/api/v1/elections/{e}/context": (), "/api/v1/elections": (),
}  # fmt: skip
PARAMETER_NAMES = ["start", "limit", "size", "old", "new", "seq", "x", "START", ""]
parameter_values = st.one_of(
    st.integers(-5, 40).map(str),
    st.sampled_from(["", "00", "01", "+1", "1.0", "1e3", "0x10", " 1", "9" * 19, "9" * 25, str(2**63), str(2**64), "-0", "١"]),
    st.text(max_size=12),
)


LOG_READS = tuple(
    At(BoardLog, name)
    for name in ("elections", "election", "size", "entries", "entry", "checkpoint", "inclusion_proof", "consistency_proof")
)


@st.composite
def read_requests(draw) -> str:
    """A read API path and query: anything (parameter_values, any names), or the template's own parameters
    with small numbers, which the board mostly answers (so the fuzzer reaches the log behind the parser)."""
    template, allowed = draw(st.sampled_from(sorted(READ_PATHS.items())))
    election = draw(st.one_of(st.just(ELECTION), st.just(ELECTION), st.text(max_size=20)))
    seq = draw(st.one_of(st.integers(0, 40).map(str), parameter_values))
    if allowed and draw(st.booleans()):
        query = [(name, str(draw(st.integers(0, 40)))) for name in draw(st.lists(st.sampled_from(allowed), unique=True))]
    else:
        query = draw(st.lists(st.tuples(st.sampled_from(PARAMETER_NAMES), parameter_values), max_size=4))
    path = template.format(e=urllib.parse.quote(election, safe=""), s=urllib.parse.quote(seq, safe=""))
    return path + ("?" + urllib.parse.urlencode(query) if query else "")


def test_read_api_parameters_are_parsed_strictly(snapshots, boards):
    app = boards.app("tally.result")
    reach = Reach("read API requests", log=LOG_READS)  # parameters that parsed: the board's log was read

    @fuzz_settings(300, deadline_seconds=5)
    @given(request=read_requests())
    def examples(request):
        with reach.example():
            response = app.test_client().get(request)
        if response.status_code == 200:
            assert response.mimetype == "application/json"
            assert_no_traceback(response.get_data(as_text=True))
            return
        if is_redirect(response):
            return
        assert_clean_refusal(response)

    with reach.watching():
        examples()
    reach.require(log=0.12)
