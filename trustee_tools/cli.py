"""``evote-trustee``: a trustee's key ceremony and decryption, each trustee on their own machine.

    evote-trustee init --dir ~/evote-trustee --name "Ada Lovelace"
    evote-trustee show --dir ~/evote-trustee              # the identity key to give the administrator
    evote-trustee keygen --dir ~/evote-trustee --board URL --election ID
    evote-trustee mix --dir ~/evote-trustee --board URL --election ID        # contests counted from rows
    evote-trustee decrypt --dir ~/evote-trustee --board URL --election ID

One state directory serves any number of elections with one identity key (trustee_tools/vault.py keeps one
encrypted file per election); --election may be left out while the directory serves a single election. The
board's URL comes from --board or EVOTE_BOARD_URL. The passphrase is asked for (or read from the file named by
--passphrase-file, which only its owner may read, or from EVOTE_TRUSTEE_PASSPHRASE); it never appears on the
command line. Every command can be stopped and run again: it resumes where it stopped. Errors are one clear
line, never a traceback.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NoReturn

import click
from rich.console import Console

from bulletin_board.cli_words import for_people, plain
from bulletin_board.log_format.client import BoardClient, BoardClientError
from bulletin_board.log_format.errors import BoardError
from voting.errors import VotingError

from . import steps
from .ceremony import Session, run_decryption, run_key_ceremony, run_mix, run_one_step
from .mixing import default_workers
from .state import TrusteeIdentity
from .vault import KDF_LIMITS, Vault, VaultError

console = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the width


def _fail(message: str) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    sys.exit(1)


def read_passphrase_file(passphrase_file: str) -> str:
    """The passphrase in a file only its owner can read; raises ``VaultError`` otherwise (as --help says)."""
    path = Path(passphrase_file)
    try:
        with path.open() as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise VaultError(
                    f"the passphrase file {path} can be read by other users (mode {stat.S_IMODE(mode):04o}): "
                    f"make it yours alone with 'chmod 600 {path}' and run the command again"
                )
            return handle.read().rstrip("\n")
    except OSError as exc:
        raise VaultError(f"cannot read the passphrase file {path}: {exc.strerror}") from None


def _passphrase(passphrase_file: str | None, *, confirm: bool = False) -> str:
    if passphrase_file:
        try:
            return read_passphrase_file(passphrase_file)
        except VaultError as exc:
            _fail(str(exc))
    if os.environ.get("EVOTE_TRUSTEE_PASSPHRASE"):
        return os.environ["EVOTE_TRUSTEE_PASSPHRASE"]
    if not sys.stdin.isatty():
        _fail("no passphrase: give --passphrase-file or set EVOTE_TRUSTEE_PASSPHRASE when not at a terminal")
    return click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm)


directory_option = click.option("--dir", "directory", required=True, type=click.Path(file_okay=False), help="this trustee's state directory")
passphrase_option = click.option(
    "--passphrase-file", default=None, help="file holding the passphrase; refused unless only you can read it (chmod 600)"
)
board_option = click.option(
    "--board", envvar="EVOTE_BOARD_URL", show_envvar=True, default="http://127.0.0.1:8000", show_default=True, help="the board's URL"
)
election_option = click.option(
    "--election", default=None, metavar="ID", help="the election's identifier (may be left out while this directory serves only one)"
)
wait_option = click.option("--wait", "wait_seconds", default=3600, show_default=True, type=click.IntRange(0), help="how long to wait for the other trustees (seconds)")
poll_option = click.option("--poll", "poll_seconds", default=2.0, show_default=True, type=click.FloatRange(0.05), help="seconds between looks at the board")


def ceremony_options(command: Callable) -> Callable:
    """The options of every command that works with the board until its part is done."""
    for option in (poll_option, wait_option, election_option, board_option, passphrase_option, directory_option):
        command = option(command)
    return command


@click.group()
@click.version_option(package_name="evote")
def main() -> None:
    """evote-trustee: run your part of an election's key ceremony, mix and tally decryption."""


@main.command()
@directory_option
@click.option("--name", required=True, help="your name as the administrator will list it")
@passphrase_option
@click.option("--kdf", type=click.Choice(sorted(KDF_LIMITS)), default="moderate", show_default=True, help="passphrase hardening (Argon2id)")
def init(directory: str, name: str, passphrase_file: str | None, kdf: str) -> None:
    """Create your state directory and Ed25519 identity key (once: the directory then serves every election)."""
    name = name.strip()
    if not 0 < len(name) <= 200:
        _fail("--name must have 1 to 200 characters")
    identity = TrusteeIdentity.new(name)
    try:
        Vault(directory).create(_passphrase(passphrase_file, confirm=True), identity, kdf=kdf)
    except VaultError as exc:
        _fail(str(exc))
    console.print(f"Created the state directory [bold]{directory}[/] for {name}.")
    console.print("Give the administrator this identity key (it is also in public.json); it serves every election you take part in:")
    click.echo(identity.identity_public_key)


@main.command()
@directory_option
def show(directory: str) -> None:
    """Print your public identity and the elections this directory serves (no passphrase needed)."""
    try:
        info = Vault(directory).public_info()
    except VaultError as exc:
        _fail(str(exc))
    click.echo(f"name: {info.get('name') or '-'}")
    click.echo(f"identity_key: {info.get('identity_key') or '-'}")
    elections = info["elections"]
    click.echo(f"elections: {len(elections) or 'none yet'}")
    for election_id, guardian in elections.items():
        click.echo(f"  {election_id}: " + (f"trustee {guardian}" if guardian else "not joined yet"))


def choose_election(vault: Vault, election: str | None) -> str:
    """The election a command acts on: --election, or the directory's only election."""
    if election is not None:
        vault.election_path(election)  # a malformed id is refused before anything is written
        return election
    served = vault.elections()
    if len(served) == 1:
        return served[0]
    if not served:
        raise VaultError("give --election ID: this directory does not serve an election yet")
    raise VaultError(f"give --election ID: this directory serves {len(served)} elections ({', '.join(served)})")


@dataclass(frozen=True)
class _Plan:
    """What a command works with, before it takes the election's lock and loads its secrets."""

    vault: Vault
    board: BoardClient
    board_url: str
    election_id: str
    poll_seconds: float


def _session(directory: str, passphrase_file: str | None, board: str, election: str | None, poll_seconds: float) -> _Plan:
    vault = Vault(directory)
    try:
        vault.open(_passphrase(passphrase_file))
        election_id = choose_election(vault, election)
        client = BoardClient(board)
    except (VaultError, BoardClientError) as exc:
        _fail(plain(str(exc)))
    return _Plan(vault, client, board, election_id, poll_seconds)


def _report(message: str) -> None:
    console.print(f"[cyan]•[/] {message}", highlight=False)


def _run(work: Callable[[Session, float], str], plan: _Plan, wait_seconds: int) -> None:
    try:
        with ExitStack() as stack:
            stack.enter_context(plan.vault.lock(plan.election_id))
            state = plan.vault.load(plan.election_id)
            state.board_url = plan.board_url
            session = Session(plan.vault, state, plan.board, plan.election_id, _report, plan.poll_seconds)
            stack.enter_context(console.status(f"working with the board on {plan.election_id}…"))
            summary = work(session, time.monotonic() + wait_seconds)
    except steps.Waiting as exc:
        _fail(f"gave up waiting after {wait_seconds}s: {exc}. Run the same command again to resume.")
    except steps.Refusal as exc:
        _fail(str(exc))
    except (BoardClientError, VaultError, VotingError) as exc:
        _fail(for_people(exc))
    except BoardError as exc:  # the board served a broken chain or a malformed entry
        _fail(f"the board's log does not check: {plain(str(exc))}. Tell the administrator and the other trustees; do not go on.")
    except KeyboardInterrupt:
        _fail("interrupted; run the same command again to resume")
    console.print(f"[bold green]✓[/] {plan.election_id}: {summary}")


@main.command()
@ceremony_options
def keygen(directory: str, passphrase_file: str | None, board: str, election: str | None, wait_seconds: int, poll_seconds: float) -> None:
    """Run the key ceremony: commitments, shares, checks, complaints, confirmation (SPEC §3.2)."""
    _run(run_key_ceremony, _session(directory, passphrase_file, board, election, poll_seconds), wait_seconds)


@main.command()
@ceremony_options
def decrypt(directory: str, passphrase_file: str | None, board: str, election: str | None, wait_seconds: int, poll_seconds: float) -> None:
    """Decrypt the tally: check it against the ballots, post partial decryptions, answer the challenge (SPEC §3.6)."""
    _run(run_decryption, _session(directory, passphrase_file, board, election, poll_seconds), wait_seconds)


@main.command()
@ceremony_options
@click.option("--workers", default=None, type=click.IntRange(1, 256), help="processes for the shuffle and its proof [default: this machine's cores]")
@click.option("--turn-wait", default=60, show_default=True, type=click.IntRange(0),
              help="the trustees mix in turn by number: seconds to leave each trustee before you, then mix anyway")  # fmt: skip
def mix(directory: str, passphrase_file: str | None, board: str, election: str | None, wait_seconds: int, poll_seconds: float,
        workers: int | None, turn_wait: int) -> None:  # fmt: skip
    """Mix the ballots of contests counted from rows (ranked, graded): after the close, check each contest's
    input against the ballots on the board, shuffle and re-encrypt the last output, prove it and post it
    (record-format §12.2). The board checks the proof before appending; so does every later trustee."""
    count = workers or default_workers()
    _run(lambda session, deadline: run_mix(session, deadline, count, turn_wait), _session(directory, passphrase_file, board, election, poll_seconds), wait_seconds)


def _step_command(name: str, help_text: str):
    @directory_option
    @passphrase_option
    @board_option
    @election_option
    def command(directory: str, passphrase_file: str | None, board: str, election: str | None) -> None:
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
