"""``evote anchors``: publish an election's trust anchors and read an anchors file (record-format §10).

    evote anchors create ELECTION --witness KEY ... --witness-quorum K --out anchors.txt
    evote anchors show anchors.txt

``create`` hashes the booth's code as installed here (the code voters' browsers will run), asks the board to
build and sign the anchors (board key, trustees' identity keys, the witness policy, the booth hash), saves
them and prints the fingerprint to publish out of band: on the organizer's site and the voting cards.
Lives in the composition root because it reads the booth's code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from bulletin_board.cli_election import _client, _guard, board_option, token_option
from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.trust_anchors import open_anchors
from voting.booth.code_hash import booth_code_sha256

__all__ = ["anchors"]


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group()
def anchors() -> None:
    """An election's trust anchors: what observers and voters trust instead of the board."""


@anchors.command("create")
@click.argument("election_id")
@click.option("--witness", "witnesses", multiple=True, metavar="KEY", help="a witness's cosigner key (repeat for each)")
@click.option("--witness-quorum", type=click.IntRange(0), default=None, help="cosignatures a client requires [default: all]")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="where to write the anchors")
@board_option
@token_option
def create(election_id: str, witnesses: tuple[str, ...], witness_quorum: int | None, out: Path, board: str,
           token_file: str | None) -> None:
    """Publish ELECTION's trust anchors on the board and save them to --out."""
    request = {"witnesses": list(witnesses), "witness_quorum": len(witnesses) if witness_quorum is None else witness_quorum,
               "booth_sha256": booth_code_sha256()}
    answer = _guard(lambda: _client(board, token_file).publish_anchors(election_id, request))
    try:
        published, _ = open_anchors(answer["anchors"])
    except (BoardError, KeyError, TypeError) as exc:
        _fail(f"the board answered with anchors that do not open: {exc}")
    _guard(lambda: out.write_text(answer["anchors"]))
    click.echo(f"Trust anchors of {election_id} published (entry {answer['seq']}) and written to {out}.")
    click.echo(f"  witnesses: {published.policy.describe()}")
    click.echo(f"  fingerprint: {published.fingerprint}")
    click.echo("Publish this fingerprint where voters and observers can find it without asking the board: the")
    click.echo("organizer's website and the voting cards. Observers run: evote-verify --anchors " + str(out) + " ...")


@anchors.command("show")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--fingerprint", default=None, help="the fingerprint you were given out of band: checked if given")
def show(file: Path, fingerprint: str | None) -> None:
    """Print what the anchors FILE names, after checking the board's signature (and the fingerprint)."""
    try:
        published, signers = open_anchors(file.read_text(), expected_fingerprint=fingerprint)
    except (BoardError, OSError, UnicodeDecodeError) as exc:
        _fail(f"{file}: {getattr(exc, 'message', exc)}")
    click.echo(f"origin       {published.origin}")
    for key in published.board_keys:
        click.echo(f"board key    {key.to_string()}")
    for index, key in published.trustees:
        click.echo(f"trustee {index:<4} {key}")
    if published.registrar is not None:
        click.echo(f"registrar    {published.registrar.to_string()}")
    click.echo(f"witnesses    {published.policy.describe()}")
    for witness in published.policy.witnesses:
        click.echo(f"  witness    {witness.to_string()}")
    click.echo(f"booth code   sha256:{published.booth_sha256}")
    click.echo(f"signed by    {', '.join(s.name for s in signers)}")
    click.echo(f"fingerprint  {published.fingerprint}" + ("  (matches the one given)" if fingerprint else ""))
