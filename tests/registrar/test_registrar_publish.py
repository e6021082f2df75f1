"""The registrar's board steps against a REAL board process: accept, publish (resumable), revoke, replace a lost
card, erase, status; and the refusals an operator reads: another registrar's key, the administrator listing
credentials, a replacement for a voter who already voted. One election walks through its life in order, so
the steps are one test each in file order, sharing the module's board and directory."""

from __future__ import annotations

import email
import email.policy
import io
import json
import shutil
import socket
import stat

import pytest
import registrar_support
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from registrar_support import ELECTION, MANIFEST, PASSPHRASE, issued_in, run
from support.processes import serve_board
from support.registrar_processes import cast, create_registrar_election, open_voting

from bulletin_board.log_format.client import BoardClient, BoardClientError
from registrar import publish as board_steps
from registrar.board import BoardError, read_board
from voting.credential_list import credential_list_payload

issued_dir = registrar_support.issued_dir
pytestmark = pytest.mark.slow
CHOICES = {"council-north": ["ann"]}


@pytest.fixture(scope="module")
def world(issued_dir, tmp_path_factory):
    """A board process with the election naming the registrar of a copy of the issued directory (30 voters)."""
    base = tmp_path_factory.mktemp("registrar-board")
    state = shutil.copytree(issued_dir / "state", base / "state")
    public = json.loads((state / "public.json").read_text())
    with serve_board(base) as server:
        admin = create_registrar_election(server.url, ELECTION, MANIFEST, {"name": "Riverton Credential Office", "public_key": public["public_key"]})
        yield {"url": server.url, "state": state, "base": base, "admin": admin}


def one_line_error(result, *phrases: str) -> str:
    assert result.exit_code == 1, result.output
    text = result.output.strip()
    assert text.startswith("error:") and "\n" not in text and "Traceback" not in text, text
    for phrase in phrases:
        assert phrase in text, text
    return text


def test_another_registrar_and_the_administrator_are_refused(world, tmp_path):
    other = str(tmp_path / "other")
    assert run("init", "--dir", other, "--name", "Someone Else", "--kdf", "interactive").exit_code == 0
    one_line_error(run("accept", "--dir", other, "--board", world["url"], "--election", ELECTION), "names another registrar key")
    one_line_error(run("accept", "--dir", other, "--board", world["url"], "--election", "no-such-election"), "has no election")
    one_line_error(run("accept", "--dir", other, "--board", "ftp://board", "--election", ELECTION), "--board")
    # the administrator (board key and admin token, no registrar key) cannot list credentials
    listed = issued_in(world["state"]).public_list
    with pytest.raises(BoardClientError) as refused:
        world["admin"].post_admin(ELECTION, "credentials.published", listed)
    assert refused.value.status == 409 and "registrar only" in str(refused.value)
    # publishing before accepting says what to do
    one_line_error(run("publish", "--dir", str(world["state"]), "--board", world["url"]), "accept")


def test_accept_then_publish_resumes_without_posting_twice(world, monkeypatch):
    state, url = str(world["state"]), world["url"]
    assert run("accept", "--dir", state, "--board", url, "--election", ELECTION).exit_code == 0
    again = run("accept", "--dir", state, "--board", url, "--election", ELECTION)
    assert again.exit_code == 0 and "already" in again.output
    # a run cut short after the roll and one entry of 10 credentials (entries of 10 here, of 100000 for real)
    monkeypatch.setattr(board_steps, "MAX_PER_ENTRY", 10)
    posted = []
    real_post = board_steps.post

    def flaky_post(client, key, election_id, kind, body):
        if kind == "registrar.credentials" and "registrar.credentials" in posted:
            raise BoardError("cannot reach the board (connection reset)")
        posted.append(kind)
        return real_post(client, key, election_id, kind, body)

    monkeypatch.setattr(board_steps, "post", flaky_post)
    one_line_error(run("publish", "--dir", state, "--board", url), "cannot reach the board")
    monkeypatch.setattr(board_steps, "post", real_post)
    resumed = run("publish", "--dir", state, "--board", url)
    assert resumed.exit_code == 0 and "already on the board" in resumed.output and "posted 20 credential(s) in 2 entries; 10 were" in resumed.output, resumed.output
    third = run("publish", "--dir", state, "--board", url)
    assert third.exit_code == 0 and "posted 0 credential(s)" in third.output, third.output
    view = read_board(BoardClient(url), ELECTION)
    issued = issued_in(world["state"])
    assert view.credential_entries == 3 and view.roll == issued.roll_commitment
    assert credential_list_payload(ELECTION, []) | {"credentials": [{"public_key": k, "style": s, "weight": w} for k, (s, w) in sorted(view.listed.items())]} == issued.public_list
    kinds = [e.kind for e in BoardClient(url).entries(ELECTION)]
    assert kinds.count("registrar.roll") == 1 and kinds.count("registrar.accepted") == 1


def test_revoke_by_voter_id_before_opening(world):
    state, url = str(world["state"]), world["url"]
    one_line_error(run("revoke", "--dir", state, "--board", url, "--voter-id", "V999", "--reason", "left the roll"), "no voter")
    one_line_error(run("revoke", "--dir", state, "--board", url, "--voter-id", "V003", "--reason", "two\nlines"), "--reason")
    done = run("revoke", "--dir", state, "--board", url, "--voter-id", "V003", "--reason", "moved out of the ward")
    assert done.exit_code == 0 and "Revoked 1 credential(s)" in done.output, done.output
    v003 = next(h for h in issued_in(world["state"]).holders if h.voter.voter_id == "V003")
    assert BoardClient(url).get(f"/elections/{ELECTION}/credentials/{v003.public_key}")["status"] == "revoked"
    by_key = run("revoke", "--dir", state, "--board", url, "--credential-key", v003.public_key.lower(), "--reason", "moved out of the ward")
    assert by_key.exit_code == 0 and "Revoked 0 credential(s) (registrar.revoked). 1 were revoked already." in by_key.output, by_key.output
    status = run("status", "--dir", state, "--board", url)
    assert status.exit_code == 0, status.output
    for line in ("accepted    yes", "30 voters (north 15, south 15), total weight 30; the same as this directory's",
                 "listed      30 credentials of the roll's 30 voters in 3 entries", "revoked     1 (in 1 entry)", "erased      no"):
        assert line in status.output, status.output


@pytest.fixture
def smtp():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    messages: list = []

    class Inbox:
        async def handle_DATA(self, server, session, envelope):
            messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default)))
            return "250 OK"

    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", messages
    finally:
        controller.stop()


def test_replace_a_lost_card_while_open(world, smtp):
    state, url = str(world["state"]), world["url"]
    smtp_url, inbox = smtp
    before = {h.voter.voter_id: h for h in issued_in(world["state"]).holders}
    out = world["base"] / "v005.pdf"
    one_line_error(run("replace", "--dir", state, "--board", url, "--voter-id", "V005", "--reason", "card lost", "--out", str(out)),
                   "while the election is open")  # fmt: skip
    open_voting(world["admin"], ELECTION)
    replaced = run("replace", "--dir", state, "--board", url, "--voter-id", "V005", "--reason", "card lost", "--out", str(out),
                   "--send", "--smtp", smtp_url, "--from", "cards@registrar.example")  # fmt: skip
    assert replaced.exit_code == 0, replaced.output
    new = next(h for h in issued_in(world["state"]).holders if h.voter.voter_id == "V005")
    old = before["V005"]
    assert new.public_key != old.public_key and new.credential not in replaced.output and old.credential not in replaced.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert new.credential.replace("-", "") in "".join(PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text().split())
    [(to, message)] = inbox
    assert to == ["voter5@example.org"] and new.credential not in message.get_body(("plain",)).get_content()
    # the old card is refused at the board, the new one casts
    with pytest.raises(BoardClientError) as refused:
        cast(url, ELECTION, old.credential, "north", CHOICES)
    assert refused.value.status in (403, 409, 422), refused.value
    assert cast(url, ELECTION, new.credential, "north", CHOICES)
    # a voter who already voted: the board refuses, in plain words, and nothing changes on this side
    v007 = before["V007"]
    cast(url, ELECTION, v007.credential, "north", CHOICES)
    text = one_line_error(run("replace", "--dir", state, "--board", url, "--voter-id", "V007", "--reason", "card lost", "--out", str(out) + "7"),
                          "already cast with voter V007's card", "(old)")  # fmt: skip
    assert v007.credential not in text
    assert next(h for h in issued_in(world["state"]).holders if h.voter.voter_id == "V007").public_key == v007.public_key


def test_erase_posts_the_statement_and_a_card_is_still_replaced_by_voter_id(world):
    state, url = str(world["state"]), world["url"]
    erased = run("erase", "--dir", state, "--board", url, "--yes")
    assert erased.exit_code == 0 and "on the board (registrar.erased)" in erased.output, erased.output
    again = run("erase", "--dir", state, "--board", url, "--yes")
    assert again.exit_code == 0 and "already holds this statement" in again.output, again.output
    out = world["base"] / "v009.pdf"
    replaced = run("replace", "--dir", state, "--board", url, "--voter-id", "V009", "--reason", "card lost", "--out", str(out))
    assert replaced.exit_code == 0 and out.exists(), replaced.output
    assert not (world["state"] / "credentials.vault").exists()
    status = run("status", "--dir", state, "--board", url)
    for line in ("election    riverton-2026: open", "replaced    2 lost card(s)", "usable      29 credentials", "erased      yes: The registrar"):
        assert line in status.output, status.output
    assert PASSPHRASE not in status.output + replaced.output + erased.output
    # once no card can be lost any more: the voter keys go too, said on the board in a second statement
    keys_gone = run("erase", "--dir", state, "--board", url, "--yes", "--voter-keys")
    assert keys_gone.exit_code == 0 and not (world["state"] / "voter-keys.vault").exists(), keys_gone.output
    statements = [e for e in BoardClient(url).entries(ELECTION) if e.kind == "registrar.erased"]
    assert len(statements) == 2 and b"which voter holds which public key" in statements[1].payload
    one_line_error(run("replace", "--dir", state, "--board", url, "--voter-id", "V011", "--reason", "card lost", "--out", str(out)),
                   "voter keys", "were erased")  # fmt: skip
