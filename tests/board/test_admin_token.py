"""The admin token is generated, never chosen (bulletin_board/admin_token.py; issue 13, item 5): `evote board
admin-token` makes one, and the board, under the dev server or gunicorn, refuses to start with any other."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys

import pytest
from support.processes import env, free_port

from bulletin_board.admin_token import PREFIX, admin_token_problem, new_admin_token
from bulletin_board.log_format.errors import InvalidInput
from bulletin_board.web.config import load_settings

GENERATED = new_admin_token()
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
WEAK = {
    "short": "short",
    "the tests' old token": "test-admin-token-0123456789",  # 27 printable characters: accepted before
    "a passphrase": "correct-horse-battery-staple-2026",
    "secrets.token_urlsafe(32)": secrets.token_urlsafe(32),  # random, but not made by the command
    "the prefix and a made-up body": PREFIX + "A" * 48,
    "one character changed": GENERATED[:-1] + ALPHABET[(ALPHABET.index(GENERATED[-1]) + 1) % 64],
    "one character more": GENERATED + "A",
    "with a space": GENERATED[:30] + " " + GENERATED[31:],
}


def test_generated_tokens_have_the_form_and_256_random_bits():
    tokens = {new_admin_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert token.startswith(PREFIX) and len(token) == len(PREFIX) + 48
        assert admin_token_problem(token) is None
        assert set(token[len(PREFIX) :]) <= set(ALPHABET)


def test_changing_any_character_of_a_generated_token_is_caught_by_its_check():
    for position in range(len(PREFIX), len(GENERATED)):
        changed = GENERATED[:position] + ALPHABET[(ALPHABET.index(GENERATED[position]) + 1) % 64] + GENERATED[position + 1 :]
        assert admin_token_problem(changed) is not None, position


@pytest.mark.parametrize("token", list(WEAK.values()), ids=list(WEAK))
def test_settings_refuse_a_token_that_was_not_generated_without_repeating_it(token):
    with pytest.raises(InvalidInput) as refused:
        load_settings({"EVOTE_ADMIN_TOKEN": token}, environ={})
    assert refused.value.field == "EVOTE_ADMIN_TOKEN" and "evote board admin-token" in refused.value.reason
    assert token.strip() not in str(refused.value)


def test_settings_accept_a_generated_token_and_no_token():
    assert load_settings({"EVOTE_ADMIN_TOKEN": GENERATED}, environ={}).admin_token == GENERATED
    assert load_settings({"EVOTE_ADMIN_TOKEN": ""}, environ={}).admin_token is None  # the admin API is off


def _evote(*args: str, cwd, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evote.cli", *args], cwd=cwd, env=env(**extra),
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_the_command_prints_a_token_the_board_accepts_or_writes_it_to_a_new_private_file(tmp_path):
    printed = _evote("board", "admin-token", cwd=tmp_path)
    assert printed.returncode == 0 and printed.stderr == ""
    assert admin_token_problem(printed.stdout.strip()) is None
    written = _evote("board", "admin-token", "--out", "admin-token", cwd=tmp_path)
    assert written.returncode == 0 and written.stdout == ""
    token = (tmp_path / "admin-token").read_text().strip()
    assert admin_token_problem(token) is None and token != printed.stdout.strip()
    assert stat.S_IMODE(os.stat(tmp_path / "admin-token").st_mode) == 0o600
    again = _evote("board", "admin-token", "--out", "admin-token", cwd=tmp_path)
    assert again.returncode == 1 and again.stderr.startswith("error: ") and "Traceback" not in again.stderr
    assert (tmp_path / "admin-token").read_text().strip() == token  # a token in use is never overwritten


@pytest.mark.parametrize("name", ["the tests' old token", "one character changed", "secrets.token_urlsafe(32)"])
def test_the_dev_server_refuses_to_start_with_a_weak_token(tmp_path, name):
    database = f"sqlite:///{tmp_path / 'board.sqlite3'}"
    result = _evote("board", "serve", "--db", database, "--port", str(free_port()), cwd=tmp_path,
                    EVOTE_ADMIN_TOKEN=WEAK[name], EVOTE_BOARD_KEY_FILE=str(tmp_path / "board.key"))  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("error: EVOTE_ADMIN_TOKEN: is not a generated admin token")
    assert "evote board admin-token" in result.stderr and "Traceback" not in result.stderr
    assert WEAK[name] not in result.stderr + result.stdout


def test_gunicorn_refuses_to_start_with_a_weak_token(tmp_path):
    command = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{free_port()}", "evote.app:create_app()"]
    extra = {"EVOTE_ADMIN_TOKEN": WEAK["the tests' old token"], "EVOTE_BOARD_KEY_FILE": str(tmp_path / "board.key"),
             "EVOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'board.sqlite3'}"}  # fmt: skip
    result = subprocess.run(command, cwd=tmp_path, env=env(**extra), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "EVOTE_ADMIN_TOKEN: is not a generated admin token" in result.stderr, result.stderr[-2000:]
    assert WEAK["the tests' old token"] not in result.stderr + result.stdout
