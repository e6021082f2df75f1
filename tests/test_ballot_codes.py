"""Confirmation codes a voter can look up (issue 15, item 7; docs/record-format.md §9).

``GET /api/v1/elections/<id>/ballots`` lists every ballot's confirmation code in board order, paged by
``start`` (a seq) and ``limit``; with ``prefix`` (8 to 64 hex digits, either case) only the ballots whose
code starts with it. Bad prefixes are a 400 naming ``prefix`` on the Flask test client and on real servers
(the werkzeug dev server and gunicorn, separate processes), never a 5xx, and change nothing.
"""

from __future__ import annotations

import contextlib
import json
import urllib.request
from urllib.parse import quote

import pytest
from attacks.web_support import assert_json_error, send, snapshot
from sqlalchemy import insert
from support.board_world import BoardWorld, make_app
from support.processes import open_election, serve_board
from test_board_ballot_load import MANIFEST as LOAD_MANIFEST
from test_board_ballot_load import _encrypt, database

from bulletin_board.storage.schema import ballot_index

# Each is refused with a 400 naming "prefix": too short, too long, not hex, a LIKE wildcard, digits that
# are digits only to Unicode, whitespace.
BAD_PREFIXES = {
    "7 characters": "0123456",
    "65 characters": "0" * 65,
    "empty": "",
    "not hex": "0123456G",
    "LIKE wildcard": "0123456%",
    "LIKE any-one": "0123456_",
    "Arabic-Indic digit": "0123456\u0663",
    "full-width digits": "\uff10" * 8,
    "superscript two": "0123456\u00b2",
    "space inside": "0123 4567",
    "trailing newline": "01234567\n",
    "0x prefix": "0x012345",
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """Four ballots (a cast later replaced, a challenge, the replacing cast, another cast), then three index
    rows made to share the first eight characters of the first ballot's code (a real board would need about
    2^32 signatures to make such a ballot): its lowest and highest possible codes, and one that differs in
    the eighth character."""
    directory = tmp_path_factory.mktemp(f"codes-{request.param}")
    with contextlib.contextmanager(database)(request.param, directory) as url:
        world = _world(make_app(directory, EVOTE_DATABASE_URL=url, EVOTE_SECRET_KEY="codes-tests"))
        yield world
        world.app.extensions["evote_board"].log.engine.dispose()


def _world(app) -> BoardWorld:
    world = BoardWorld(app.test_client(), n=1, k=1, voters=3)
    world.keygen()
    world.open()
    world.app = app
    first = world.cast(world.credentials[0], {"mayor": ["alice"]})["receipt"]
    challenged = world.cast(world.credentials[1], {"mayor": ["bob"]}, action="challenge")["receipt"]
    again = world.cast(world.credentials[0], {"mayor": ["bob"]})["receipt"]
    other = world.cast(world.credentials[2], {"mayor": ["alice"]})["receipt"]
    world.receipts = [first, challenged, again, other]
    head = first["confirmation_code"][:8]
    eighth = "0" if head[7] != "0" else "1"
    world.twins = [head + "0" * 56, head + "F" * 56]
    world.cousin = head[:7] + eighth + "0" * 56
    log = app.extensions["evote_board"].log
    with log.engine.begin() as conn:
        conn.execute(insert(ballot_index), [
            {"election_id": world.election_id, "confirmation_code": code, "seq": 1000 + i, "credential": "AB" * 32,
             "action": "challenge", "revealed": False}
            for i, code in enumerate(world.twins + [world.cousin])
        ])  # fmt: skip
    return world


def listing(world, query: str = "") -> dict:
    return world.expect(world.client.get(f"/api/v1/elections/{world.election_id}/ballots{query}"), 200)


def every_page(world, query: str = "") -> list[list[dict]]:
    pages, start = [], 0
    while start is not None:
        page = listing(world, f"?{query}&start={start}" if query else f"?start={start}")
        pages.append(page["ballots"])
        start = page["next"]
    return pages


def test_the_list_holds_every_ballot_in_board_order_with_its_status_in_pages(world):
    pages = every_page(world, "limit=3")
    assert [len(p) for p in pages] == [3, 3, 1]
    listed = [b for page in pages for b in page]
    assert listing(world)["ballots"] == listed and listing(world)["next"] is None  # the default page holds 100
    first, challenged, again, other = world.receipts
    assert [(b["confirmation_code"], b["seq"], b["kind"], b["status"]) for b in listed[:4]] == [
        (first["confirmation_code"], first["seq"], "ballot.cast", "superseded"),
        (challenged["confirmation_code"], challenged["seq"], "ballot.challenged", "challenged"),
        (again["confirmation_code"], again["seq"], "ballot.cast", "cast"),
        (other["confirmation_code"], other["seq"], "ballot.cast", "cast"),
    ]
    assert [b["confirmation_code"] for b in listed[4:]] == world.twins + [world.cousin]


def test_the_list_agrees_with_the_full_code_lookup(world):
    for receipt in world.receipts:
        found = listing(world, f"?prefix={receipt['confirmation_code']}")["ballots"]
        one = world.expect(world.client.get(f"/api/v1/elections/{world.election_id}/ballots/{receipt['confirmation_code']}"), 200)
        assert [(b["seq"], b["status"]) for b in found] == [(one["receipt"]["seq"], one["status"])]


def test_paging_boundaries(world):
    everything = [b["seq"] for page in every_page(world) for b in page]
    for start in range(0, 12):
        page = listing(world, f"?start={start}&limit=2")
        expected = [s for s in everything if s >= start]
        assert [b["seq"] for b in page["ballots"]] == expected[:2]
        assert page["next"] == (expected[2] if len(expected) > 2 else None)
        assert page["start"] == start
    assert listing(world, "?start=1003")["ballots"] == [] and listing(world, "?start=1003")["next"] is None
    assert listing(world, "?start=9223372036854775806&limit=1")["ballots"] == []
    for query, field in [("?limit=1001", "limit"), ("?limit=0", "limit"), ("?start=-1", "start"), ("?start=01", "start"),
                         ("?start=\u0661", "start"), ("?limit=1&limit=2", "limit"), ("?page=2", "page")]:  # fmt: skip
        error = assert_json_error(world.client.get(f"/api/v1/elections/{world.election_id}/ballots{query}"), 400)
        assert error["field"] == field, (query, error)


def test_a_prefix_of_eight_characters_finds_every_ballot_that_shares_it(world):
    code = world.receipts[0]["confirmation_code"]
    for prefix in (code[:8], code[:8].lower(), code[:8].swapcase()):
        page = listing(world, f"?prefix={prefix}")
        assert page["prefix"] == code[:8]
        assert sorted(b["confirmation_code"] for b in page["ballots"]) == sorted([code, *world.twins])
        assert world.cousin not in [b["confirmation_code"] for b in page["ballots"]]
    assert [b["confirmation_code"] for b in listing(world, f"?prefix={code[:9]}")["ballots"]] == [code] + (
        [world.twins[0]] if code[8] == "0" else []) + ([world.twins[1]] if code[8] == "F" else [])  # fmt: skip
    assert [b["confirmation_code"] for b in listing(world, f"?prefix={world.twins[1][:-1]}")["ballots"]] == [world.twins[1]]
    assert listing(world, f"?prefix={world.twins[0][:63]}1")["ballots"] == []


def test_matches_of_a_prefix_come_in_pages(world):
    code = world.receipts[0]["confirmation_code"]
    pages = every_page(world, f"prefix={code[:8]}&limit=1")
    assert [len(p) for p in pages] == [1, 1, 1]
    assert [p[0]["confirmation_code"] for p in pages] == [code, *world.twins]


@pytest.mark.parametrize("how", list(BAD_PREFIXES))
def test_a_bad_prefix_is_400_naming_the_field_and_changes_nothing(world, how):
    before = snapshot(world.app)
    response = world.client.get(f"/api/v1/elections/{world.election_id}/ballots?prefix={quote(BAD_PREFIXES[how], safe='')}")
    error = assert_json_error(response, 400, "invalid_input")
    assert error["field"] == "prefix" and "hexadecimal" in error["message"]
    assert snapshot(world.app) == before


def test_a_prefix_given_twice_or_for_an_unknown_election_is_refused(world):
    code = world.receipts[0]["confirmation_code"]
    twice = f"/api/v1/elections/{world.election_id}/ballots?prefix={code[:8]}&prefix={code[:8]}"
    error = assert_json_error(world.client.get(twice), 400)
    assert error["field"] == "prefix"
    assert_json_error(world.client.get(f"/api/v1/elections/nowhere/ballots?prefix={code[:8]}"), 404, "unknown_election")


# --- real servers -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["dev", "gunicorn"])
def live(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp(f"codes-{request.param}")
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(serve_board(directory, workers=1 if request.param == "gunicorn" else 0))
        credentials = open_election(server.url, "codes", LOAD_MANIFEST, 2)
        codes = []
        for submission in _encrypt((server.url, "codes", credentials, 1)):
            posted = urllib.request.Request(f"{server.url}/api/v1/elections/codes/ballots", json.dumps(submission).encode(),
                                            {"Content-Type": "application/json"})  # fmt: skip
            with urllib.request.urlopen(posted, timeout=30) as answer:
                codes.append(json.loads(answer.read())["receipt"]["confirmation_code"])
        yield server, codes, directory / f"board-{server.url.rsplit(':', 1)[1]}.log"


def test_on_a_real_server_bad_prefixes_are_400_and_a_receipt_prefix_finds_the_ballot(live):
    server, codes, log_path = live
    for how, prefix in BAD_PREFIXES.items():
        answer = send(server.url, "GET", f"/api/v1/elections/codes/ballots?prefix={quote(prefix, safe='')}")
        assert answer.status == 400 and answer.error()["field"] == "prefix", (how, answer.status, answer.body[:300])
    raw = send(server.url, "GET", "/api/v1/elections/codes/ballots?prefix=%FF%FE0123456")  # not UTF-8
    assert raw.status == 400 and raw.error()["field"] == "prefix"
    for code in codes:
        answer = send(server.url, "GET", f"/api/v1/elections/codes/ballots?prefix={code[:8].lower()}")
        assert answer.status == 200
        assert [b["confirmation_code"] for b in json.loads(answer.body)["ballots"]] == [code]
    page = json.loads(send(server.url, "GET", "/api/v1/elections/codes/ballots?limit=1").body)
    assert [b["confirmation_code"] for b in page["ballots"]] == codes[:1] and page["next"] is not None
    last = json.loads(send(server.url, "GET", f"/api/v1/elections/codes/ballots?limit=1&start={page['next']}").body)
    assert [b["confirmation_code"] for b in last["ballots"]] == codes[1:] and last["next"] is None
    assert "Traceback" not in log_path.read_text(errors="replace")
