"""The command-line tools' shared habits: every command that talks to the board takes --board and reads
EVOTE_BOARD_URL (shown in --help); errors are plain words with what to do next; the observer guide's install
command names something that exists."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from support.board_world import ADMIN_TOKEN, MANIFEST, make_app
from support.evote_support import serve_app

from bulletin_board.cli_words import plain

REPO = Path(__file__).resolve().parent.parent


def entry_points() -> dict[str, click.Command]:
    from evote.cli import main as evote
    from registrar.cli import main as registrar
    from trustee_tools.cli import main as trustee
    from voting.verifier.cli import main as verify
    from witness.cli import cli as witness  # main() wraps this group

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    tools = {"evote": evote, "evote-trustee": trustee, "evote-verify": verify, "evote-witness": witness, "evote-registrar": registrar}
    assert set(scripts) == set(tools), "a new command-line tool: add it here"
    return tools


def walk(command: click.Command, path: tuple[str, ...]):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from walk(sub, (*path, name))


COMMANDS = [(tool, path, command) for tool, main in entry_points().items() for path, command in walk(main, ())]
WITH_BOARD = [(tool, path, command) for tool, path, command in COMMANDS
              if any("--board" in p.opts for p in command.params if isinstance(p, click.Option))]  # fmt: skip


def test_the_walk_finds_the_board_commands():
    names = {" ".join((tool, *path)) for tool, path, _ in WITH_BOARD}
    assert {"evote vote", "evote election status", "evote-trustee keygen", "evote-trustee decrypt", "evote-verify verify",
            "evote-verify receipt", "evote record export"} <= names  # fmt: skip


@pytest.mark.parametrize(("tool", "path", "command"), WITH_BOARD, ids=[" ".join((t, *p)) for t, p, _ in WITH_BOARD])
def test_a_board_option_reads_evote_board_url_and_says_so(tool, path, command):
    option = next(p for p in command.params if isinstance(p, click.Option) and "--board" in p.opts)
    assert option.envvar == "EVOTE_BOARD_URL" and option.show_envvar
    help_text = CliRunner().invoke(entry_points()[tool], [*path, "--help"], terminal_width=200).output
    assert "EVOTE_BOARD_URL" in help_text, help_text


def test_plain_words_instead_of_field_tags():
    assert plain("guardians.k: the quorum k must satisfy 1 <= k <= n") == "the quorum k must satisfy 1 <= k <= n (--quorum)"
    refused = "the board refused: payload.guardians.k: the quorum k must satisfy 1 <= k <= n (payload.guardians.k)"
    assert plain(refused) == "the board refused: the quorum k must satisfy 1 <= k <= n (--quorum)"
    assert plain("the board refused: kind: election.opened is not allowed in phase 'keygen' (kind)") == (
        "the board refused: election.opened is not allowed in phase 'keygen'"
    )
    assert plain("payload.contests[0].options: expected a list") == "expected a list (field contests[0].options)"
    assert plain("cannot reach the board at http://x: refused") == "cannot reach the board at http://x: refused"


def test_the_environment_names_the_board_and_errors_say_what_next(tmp_path, monkeypatch):
    from bulletin_board.cli_election import election

    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    (tmp_path / "trustees.json").write_text(json.dumps([{"name": "T", "identity_key": "AB" * 32}]))
    app = make_app(tmp_path)
    with serve_app(app) as board:
        runner = CliRunner(env={"EVOTE_BOARD_URL": board, "EVOTE_ADMIN_TOKEN": ADMIN_TOKEN})
        create = ["create", str(tmp_path / "manifest.json"), "--id", "e1", "--trustees", str(tmp_path / "trustees.json")]
        too_many = runner.invoke(election, [*create, "--quorum", "2"])
        assert too_many.exit_code == 1 and "guardians.k" not in too_many.output and "(--quorum)" in too_many.output
        assert runner.invoke(election, [*create, "--quorum", "1"]).exit_code == 0
        assert "e1" in runner.invoke(election, ["status", "e1"]).output  # no --board: EVOTE_BOARD_URL
        early = runner.invoke(election, ["open", "e1"])
        assert early.exit_code == 1 and "evote election status" in early.output and "payload." not in early.output
    unreachable = runner.invoke(election, ["status", "e1"])
    assert "Check --board (or EVOTE_BOARD_URL)" in unreachable.output


def test_the_observer_guide_installs_what_exists():
    guide = (REPO / "docs/guide-observer.md").read_text()
    assert not re.search(r"pip install (-q )?evote(\s|$)", guide), "evote is not on PyPI: install from the repository"
    assert 'pip install "git+' in guide and "pip install ." in guide
    assert "evote --version" in guide and "pip show evote" in guide
    name = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["name"]
    assert name == "evote"
    from evote.cli import main

    assert CliRunner().invoke(main, ["--version"]).exit_code == 0
