"""Fuzzing receipts: ``evote-verify receipt`` (voting/verifier/cli_receipt.py, receipt.py) with mutated receipt
files against a real board, the receipt check of ``evote vote`` (voting/booth/cli_vote.py ``check_receipt``)
with mutated board answers, and the booth's pages (voting/booth/blueprint.py) with any path and query.

A receipt whose value changed must never be reported VERIFIED, and no input may end in a traceback.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bulletin_board.errors import BoardError
from voting.booth.cli_vote import VoteError, check_receipt
from voting.verifier.cli import main as verify_main

from .fuzz_support import (
    assert_no_traceback,
    differences,
    fuzz_settings,
    hex_upper,
    json_values,
    known_part,
    mutated,
    open_election,
    raw_mutations,
    serve_app,
    strictly_equal,
)

CHOICES = {"mayor": ["alice"], "council": ["dan"]}


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    """An open election on a served board; the first voter's receipt (the board's whole answer)."""
    directory = tmp_path_factory.mktemp("fuzz-receipts")
    app, world = open_election(directory, "fuzz-receipts")
    answer = world.cast(world.credentials[0], CHOICES)
    world.cast(world.credentials[1], CHOICES)
    context = world.expect(world.client.get(f"/api/v1/elections/{world.election_id}/context"), 200)
    with serve_app(app) as url:
        yield {"url": url, "answer": answer, "context": context, "world": world, "app": app}


def _run_receipt(tmp_path, data: bytes, url: str):
    from click.testing import CliRunner

    path = tmp_path / "receipt.json"
    path.write_bytes(data)
    return CliRunner().invoke(verify_main, ["receipt", str(path), "--board", url])


@fuzz_settings(40, deadline_seconds=20, weight=0.1)
@given(data=st.data())
def test_mutated_receipt_files_never_verify(board, tmp_path_factory, data):
    original = board["answer"]
    raw = data.draw(raw_mutations(original), label="receipt file")
    result = _run_receipt(tmp_path_factory.mktemp("receipt"), raw, board["url"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert_no_traceback(result.output)
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    # hex digits in either case decode to the same bytes (bytes.fromhex): an encoding, not a changed value
    # an added unknown field is not a changed value either (the readers ignore it)
    value, expected = known_part(hex_upper(value), original), hex_upper(original)
    unchanged = strictly_equal(value, expected) or (isinstance(value, dict) and strictly_equal(value, expected["receipt"]))
    if not unchanged:  # an unchanged value may still be refused for its encoding (lower-case hex): never verified otherwise
        assert result.exit_code in (1, 2), f"a changed receipt verified: {differences(expected, value)}\n{result.output}"


def test_evote_vote_accepts_the_unchanged_receipt(board):
    receipt = board["answer"]["receipt"]
    check_receipt(receipt, board["context"], board["world"].election_id, receipt["confirmation_code"], "ballot.cast")


def test_the_unchanged_receipt_verifies(board, tmp_path):
    result = _run_receipt(tmp_path, json.dumps(board["answer"]).encode(), board["url"])
    assert result.exit_code == 0 and "VERIFIED" in result.output, result.output


@fuzz_settings(150, deadline_seconds=5)
@given(data=st.data())
def test_evote_vote_refuses_mutated_receipts_cleanly(board, data):
    """``evote vote`` turns these exceptions, and only these, into one line (cli_vote.vote)."""
    receipt = board["answer"]["receipt"]
    changed = data.draw(st.one_of(mutated(receipt), json_values), label="receipt")
    assume(not strictly_equal(known_part(hex_upper(changed), receipt), receipt))
    world = board["world"]
    try:
        check_receipt(changed, board["context"], world.election_id, receipt["confirmation_code"], "ballot.cast")
    except (VoteError, BoardError, KeyError, TypeError, ValueError):
        return
    raise AssertionError(f"a changed receipt passed evote vote's check: {differences(receipt, changed)}")


BOOTH_PAGES = ["/booth/", "/booth/elections/{e}/", "/booth/elections/{e}/vote", "/booth/elections/{e}/lookup",
               "/booth/elections/{e}/check", "/booth/elections/{e}/qr/{p}/{c}.svg"]  # fmt: skip


@fuzz_settings(150, deadline_seconds=5)
@given(
    page=st.sampled_from(BOOTH_PAGES),
    election=st.one_of(st.just("fuzz-receipts"), st.text(max_size=30)),
    kind=st.one_of(st.sampled_from(["lookup", "check"]), st.text(max_size=8)),
    code=st.one_of(st.text("0123456789ABCDEF", min_size=64, max_size=64), st.text(max_size=70)),
    query=st.lists(st.tuples(st.sampled_from(["code", "election", "lang", "seq", "x"]), st.text(max_size=80)), max_size=3),
)
def test_booth_pages_answer_any_path_and_query(board, page, election, kind, code, query):
    quote = lambda value: urllib.parse.quote(value, safe="")  # noqa: E731
    path = page.format(e=quote(election), p=quote(kind), c=quote(code))
    response = board["app"].test_client().get(path + ("?" + urllib.parse.urlencode(query) if query else ""))
    text = response.get_data(as_text=True)
    assert response.status_code < 500, f"HTTP {response.status_code} for {path}: {text[:500]}"
    assert_no_traceback(text)
