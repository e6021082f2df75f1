"""What an operator gets wrong gives one clear message and exit status 1, never a traceback; and the
commands around the cards: key, a second issue, erase."""

from __future__ import annotations

import json

import registrar_support
from registrar_support import ELECTION, run

from registrar.publish import erasure_body
from voting.record.registrar import parse_erased

issued_dir, state_copy = registrar_support.issued_dir, registrar_support.state_copy


def one_line_error(result, *phrases: str) -> None:
    assert result.exit_code == 1, result.output
    text = result.output.strip()
    assert text.startswith("error:") and "\n" not in text and "Traceback" not in text, text
    for phrase in phrases:
        assert phrase in text, text


def test_roll_problems_name_their_line_and_column(issued_dir, tmp_path):
    state = str(tmp_path / "fresh")
    assert run("init", "--dir", state, "--name", "R", "--kdf", "interactive").exit_code == 0
    key = run("key", "--dir", state)
    assert key.exit_code == 0 and key.output.strip() == json.loads((tmp_path / "fresh" / "public.json").read_text())["public_key"]
    roll = tmp_path / "roll.csv"
    roll.write_text(
        "voter_id,style,email,language\n"
        "1,east,one@example.org,en\n"  # no such style
        "2,north,not-an-address,en\n"
        "3,north,three@example.org,FR\n"
        "4,south,THREE@example.org,xx\n"
        "5,south,,\n"  # no address, default language: fine
    )
    result = run("issue", "--dir", state, "--roll", str(roll), "--election", ELECTION, "--manifest", str(issued_dir / "manifest.json"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    for where in ("line 2, column style", "line 3, column email", "line 4, column language", "line 5, column email", "line 5, column language"):
        assert where in result.output, result.output
    assert "write 'fr'" in result.output and "already the address on line 4" in result.output
    assert not (tmp_path / "fresh" / "credentials.vault").exists()


def test_bad_inputs_each_one_line(issued_dir, state_copy):
    state = str(state_copy)
    again = run("issue", "--dir", state, "--roll", str(issued_dir / "roll.csv"), "--election", ELECTION, "--manifest", str(issued_dir / "manifest.json"))
    one_line_error(again, "already issued credentials")
    one_line_error(run("cards", "--dir", state, "--out", str(state_copy / "x.pdf"), "--booth-url", "https://v.example/", passphrase="not the passphrase"),
                   "wrong passphrase")  # fmt: skip
    one_line_error(run("cards", "--dir", state, "--out", str(state_copy / "x.pdf"), "--booth-url", "https://v.example/?c=1"), "no query")
    one_line_error(run("cards", "--dir", state, "--out", str(state_copy / "x.pdf"), "--booth-url", "http://v.example/"), "https")
    send = ["send", "--dir", state, "--from", "cards@registrar.example"]
    one_line_error(run(*send, "--smtp", "http://mail.example:25"), "smtp://host:port")
    one_line_error(run(*send, "--smtp", "smtp://user:secret@mail.example:25"), "EVOTE_SMTP_USER")
    one_line_error(run(*send, "--smtp", "smtps://mail.example", "--starttls"), "--starttls goes with smtp://")
    one_line_error(run(*send, "--smtp", "smtp://mail.example:25", "--rate", "fast"), "--rate")
    one_line_error(run("send", "--dir", state, "--smtp", "smtp://127.0.0.1:9", "--from", "nobody"), "--from")
    one_line_error(run(*send, "--smtp", "smtp://127.0.0.1:9", "--resume", "--resend", "V999"), "no voter of the roll")
    one_line_error(run(*send, "--smtp", "smtp://127.0.0.1:9"), "cannot reach the SMTP server")  # nothing listens on port 9


def test_erase_destroys_the_private_file_and_prints_the_statement(state_copy):
    state = str(state_copy)
    refused = run("erase", "--dir", state)  # not at a terminal, without --yes
    one_line_error(refused, "--yes")
    erased = run("erase", "--dir", state, "--yes")
    assert erased.exit_code == 0, erased.output
    assert not (state_copy / "credentials.vault").exists()
    statement = json.loads((state_copy / "erased.json").read_text())
    assert statement["election_id"] == ELECTION and statement["credentials"] == 30 and statement["statement"] in erased.output
    kind, body = erasure_body(state_copy)
    assert kind == "registrar.erased" and parse_erased(body) == statement["statement"]
    one_line_error(run("cards", "--dir", state, "--out", str(state_copy / "x.pdf"), "--booth-url", "https://v.example/"), "erased")
    one_line_error(run("erase", "--dir", state, "--yes"), "already erased")
