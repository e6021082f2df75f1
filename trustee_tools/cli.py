"""``evote-trustee``: a trustee's key ceremony and decryption, each trustee on their own machine.

    evote-trustee init --dir ~/evote-trustee --name "Ada Lovelace"
    evote-trustee show --dir ~/evote-trustee              # the identity key to give the administrator
    evote-trustee keygen --dir ~/evote-trustee --board URL --election ID
    evote-trustee decrypt --dir ~/evote-trustee --board URL --election ID

The passphrase is asked for (or read from the file named by --passphrase-file, or from
EVOTE_TRUSTEE_PASSPHRASE); it never appears on the command line. Every command can be stopped and run
again: it resumes where it stopped. Errors are one clear line, never a traceback.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console

from bulletin_board.log_format.client import BoardClient, BoardClientError
from bulletin_board.log_format.errors import BoardError
from voting.errors import VotingError

from . import steps
from .ceremony import Session, run_decryption, run_key_ceremony, run_one_step
from .state import TrusteeState
from .vault import KDF_LIMITS, Vault, VaultError

console = Console(stderr=True)


def _fail(message: str) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    sys.exit(1)


def _passphrase(passphrase_file: str | None, *, confirm: bool = False) -> str:
    if passphrase_file:
        try:
            return Path(passphrase_file).read_text().rstrip("\n")
        except OSError as exc:
            _fail(f"cannot read the passphrase file: {exc.strerror}")
    if os.environ.get("EVOTE_TRUSTEE_PASSPHRASE"):
        return os.environ["EVOTE_TRUSTEE_PASSPHRASE"]
    if not sys.stdin.isatty():
        _fail("no passphrase: give --passphrase-file or set EVOTE_TRUSTEE_PASSPHRASE when not at a terminal")
    return click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm)


directory_option = click.option("--dir", "directory", required=True, type=click.Path(file_okay=False), help="this trustee's state directory")
passphrase_option = click.option("--passphrase-file", default=None, help="file holding the passphrase (mode 0600)")
board_option = click.option("--board", envvar="EVOTE_BOARD_URL", default="http://127.0.0.1:8000", show_default=True, help="the board's URL")
election_option = click.option("--election", required=True, help="the election identifier")
wait_option = click.option("--wait", "wait_seconds", default=3600, show_default=True, type=click.IntRange(0), help="how long to wait for the other trustees (seconds)")
poll_option = click.option("--poll", "poll_seconds", default=2.0, show_default=True, type=click.FloatRange(0.05), help="seconds between looks at the board")


@click.group()
@click.version_option(package_name="evote")
def main() -> None:
    """evote-trustee: run your part of an election's key ceremony and tally decryption."""


@main.command()
@directory_option
@click.option("--name", required=True, help="your name as the administrator will list it")
@passphrase_option
@click.option("--kdf", type=click.Choice(sorted(KDF_LIMITS)), default="moderate", show_default=True, help="passphrase hardening (Argon2id)")
def init(directory: str, name: str, passphrase_file: str | None, kdf: str) -> None:
    """Create your state directory and Ed25519 identity key."""
    name = name.strip()
    if not 0 < len(name) <= 200:
        _fail("--name must have 1 to 200 characters")
    state = TrusteeState.new(name)
    try:
        Vault(directory).create(_passphrase(passphrase_file, confirm=True), state, kdf=kdf)
    except VaultError as exc:
        _fail(str(exc))
    console.print(f"Created the state directory [bold]{directory}[/] for {name}.")
    console.print("Give the administrator this identity key (it is also in public.json):")
    click.echo(state.identity_public_key)


@main.command()
@directory_option
def show(directory: str) -> None:
    """Print your public identity (no passphrase needed)."""
    try:
        info = Vault(directory).public_info()
    except VaultError as exc:
        _fail(str(exc))
    for key in ("name", "identity_key", "election_id", "guardian"):
        click.echo(f"{key}: {info.get(key) or '-'}")


def _session(directory: str, passphrase_file: str | None, board: str, election: str, poll_seconds: float) -> Session:
    vault = Vault(directory)
    try:
        state = vault.open(_passphrase(passphrase_file))
        client = BoardClient(board)
    except (VaultError, BoardClientError) as exc:
        _fail(str(exc))
    if state.election_id and state.election_id != election:
        _fail(f"this state directory belongs to election {state.election_id!r}")
    state.board_url = board
    return Session(vault, state, client, election, lambda message: console.print(f"[cyan]•[/] {message}", highlight=False), poll_seconds)


def _run(work, session: Session, wait_seconds: int) -> None:
    try:
        with console.status("working with the board…"):
            summary = work(session, time.monotonic() + wait_seconds)
    except steps.Waiting as exc:
        _fail(f"gave up waiting after {wait_seconds}s: {exc}. Run the same command again to resume.")
    except steps.Refusal as exc:
        _fail(str(exc))
    except (BoardClientError, VaultError, VotingError) as exc:
        _fail(str(exc))
    except BoardError as exc:  # the board served a broken chain or a malformed entry
        _fail(f"the board's log does not check: {exc}")
    except KeyboardInterrupt:
        _fail("interrupted; run the same command again to resume")
    console.print(f"[bold green]✓[/] {summary}")


@main.command()
@directory_option
@passphrase_option
@board_option
@election_option
@wait_option
@poll_option
def keygen(directory: str, passphrase_file: str | None, board: str, election: str, wait_seconds: int, poll_seconds: float) -> None:
    """Run the key ceremony: commitments, shares, checks, complaints, confirmation (SPEC §3.2)."""
    _run(run_key_ceremony, _session(directory, passphrase_file, board, election, poll_seconds), wait_seconds)


@main.command()
@directory_option
@passphrase_option
@board_option
@election_option
@wait_option
@poll_option
def decrypt(directory: str, passphrase_file: str | None, board: str, election: str, wait_seconds: int, poll_seconds: float) -> None:
    """Decrypt the tally: check it against the ballots, post partial decryptions, answer the challenge (SPEC §3.6)."""
    _run(run_decryption, _session(directory, passphrase_file, board, election, poll_seconds), wait_seconds)


def _step_command(name: str, help_text: str):
    @directory_option
    @passphrase_option
    @board_option
    @election_option
    def command(directory: str, passphrase_file: str | None, board: str, election: str) -> None:
        session = _session(directory, passphrase_file, board, election, 1.0)
        _run(lambda s, _deadline: run_one_step(s, name), session, 0)

    command.__doc__ = help_text
    return main.command(name)(command)


_step_command("commit", "Key ceremony step 1 alone: publish your commitments and Schnorr proofs.")
_step_command("send-shares", "Key ceremony step 2 alone: send each other trustee its encrypted share.")
_step_command("check-shares", "Key ceremony step 3 alone: check the shares you received; accept or complain.")
_step_command("answer-complaints", "Key ceremony step 4 alone: reveal in public any share someone complained about.")
_step_command("confirm", "Key ceremony step 5 alone: confirm the joint key K and H_E posted by the administrator.")


if __name__ == "__main__":
    main()
