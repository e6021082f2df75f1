"""Fuzzing receipts: ``evote-verify receipt`` (voting/verifier/cli_receipt.py, receipt.py) with mutated receipt
files against a real board, the receipt check of ``evote vote`` (voting/booth/cli_vote.py ``check_receipt``)
with mutated board answers, and the booth's pages (voting/booth/blueprint.py) with any path and query.

A receipt whose value changed must never be reported VERIFIED, and no input may end in a traceback. The
readers ignore unknown fields and read hex digits in either case (bytes.fromhex), so the strategies never
make those changes, which are encodings, not changed values; every change they make must be refused. Each
fuzzer counts the examples that got past reading the receipt to its checks, or (booth) to a rendered page.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulletin_board.log_format import client_checks
from bulletin_board.log_format.errors import BoardError
from voting.booth.cli_vote import VoteError, check_receipt
from voting.verifier import cli_receipt
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
    reencoded,
    serve_app,
    strictly_equal,
)
from .reach import At, Reach

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


def same_receipt(value, original) -> bool:
    """Whether ``value`` holds the values of ``original`` (a receipt, or the board's answer holding one):
    hex digits in either case decode to the same bytes, and an added unknown field is no changed value."""
    return strictly_equal(known_part(hex_upper(value), original), hex_upper(original))


RECEIPT_CHANGES = {"same": same_receipt, "unknown_keys": False, "hex_encodings": False}


def test_mutated_receipt_files_never_verify(board, tmp_path_factory):
    original = board["answer"]
    reach = Reach("mutated receipt files", checks=At(cli_receipt, "verify_receipt"))  # read: the checks R.1-R.4 ran

    @fuzz_settings(40, deadline_seconds=20, weight=0.1)
    @given(data=st.data())
    def examples(data):
        well_formed = reencoded(original).map(lambda value: json.dumps(value).encode())  # read, then checked
        raw = data.draw(st.one_of(raw_mutations(original, **RECEIPT_CHANGES), well_formed), label="receipt file")
        with reach.example():
            result = _run_receipt(tmp_path_factory.mktemp("receipt"), raw, board["url"])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert_no_traceback(result.output)
        assert result.exit_code in (1, 2), f"a changed receipt verified: {raw[:300]!r}\n{result.output}"

    with reach.watching():
        examples()
    reach.require(checks=0.2)


def test_evote_vote_accepts_the_unchanged_receipt(board):
    receipt = board["answer"]["receipt"]
    check_receipt(receipt, board["context"], board["world"].election_id, receipt["confirmation_code"], "ballot.cast")


def test_the_unchanged_receipt_verifies(board, tmp_path):
    result = _run_receipt(tmp_path, json.dumps(board["answer"]).encode(), board["url"])
    assert result.exit_code == 0 and "VERIFIED" in result.output, result.output


def test_evote_vote_refuses_mutated_receipts_cleanly(board):
    """``evote vote`` turns these exceptions, and only these, into one line (cli_vote.vote)."""
    receipt = board["answer"]["receipt"]
    world = board["world"]
    reach = Reach("receipts evote vote checks", proof=At(client_checks, "check_entry_included"))  # the signed checkpoint

    @fuzz_settings(150, deadline_seconds=5)
    @given(data=st.data())
    def examples(data):
        changed = data.draw(st.one_of(mutated(receipt, **RECEIPT_CHANGES), reencoded(receipt), json_values), label="receipt")
        with reach.example():
            try:
                check_receipt(changed, board["context"], world.election_id, receipt["confirmation_code"], "ballot.cast")
            except (VoteError, BoardError, KeyError, TypeError, ValueError):
                return
        raise AssertionError(f"a changed receipt passed evote vote's check: {differences(receipt, changed)}")

    with reach.watching():
        examples()
    reach.require(proof=0.06)


BOOTH_PAGES = ["/booth/", "/booth/elections/{e}/", "/booth/elections/{e}/vote", "/booth/elections/{e}/lookup",
               "/booth/elections/{e}/check", "/booth/elections/{e}/qr/{p}/{c}.svg"]  # fmt: skip


def test_booth_pages_answer_any_path_and_query(board):
    reach = Reach("booth pages")

    @fuzz_settings(150, deadline_seconds=5)
    @given(
        page=st.sampled_from(BOOTH_PAGES),
        election=st.one_of(st.just("fuzz-receipts"), st.text(max_size=30)),
        kind=st.one_of(st.sampled_from(["lookup", "check"]), st.text(max_size=8)),
        code=st.one_of(st.text("0123456789ABCDEF", min_size=64, max_size=64), st.text(max_size=70)),
        query=st.lists(st.tuples(st.sampled_from(["code", "election", "lang", "seq", "x"]), st.text(max_size=80)), max_size=3),
    )
    def examples(page, election, kind, code, query):
        quote = lambda value: urllib.parse.quote(value, safe="")  # noqa: E731
        path = page.format(e=quote(election), p=quote(kind), c=quote(code))
        with reach.example():
            response = board["app"].test_client().get(path + ("?" + urllib.parse.urlencode(query) if query else ""))
            if response.status_code == 200:
                reach.mark("page")
        text = response.get_data(as_text=True)
        assert response.status_code < 500, f"HTTP {response.status_code} for {path}: {text[:500]}"
        assert_no_traceback(text)

    with reach.watching():
        examples()
    reach.require(page=0.2)
