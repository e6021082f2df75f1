"""``evote board rotate-key``: hand every election's log over to a new board key (bulletin_board/key_rotation.py)."""

from __future__ import annotations

import os

import click

from .cli import _FAILURES, _fail, board
from .key_rotation import rotate_board_key


@board.command("rotate-key")
@click.option("--new-key-file", required=True, type=click.Path(dir_okay=False),
              help="the new key (created, mode 0600, if the file does not exist)")
@click.option("--db", "database_url", envvar="EVOTE_DATABASE_URL", default="sqlite:///evote-board.sqlite3", show_default=True)
@click.option("--key-file", envvar="EVOTE_BOARD_KEY_FILE", default="evote-board.key", show_default=True,
              help="the board's current key")
@click.option("--origin", envvar="EVOTE_BOARD_ORIGIN", default="evote-board.localhost", show_default=True)
def rotate_key(new_key_file: str, database_url: str, key_file: str, origin: str) -> None:
    """Rotate the board's key. Stop the board first; start it again afterwards.

    Appends to every election a board.key_transition signed by the current and the new key, moves the
    current key aside (KEY_FILE.retired-<time>) and puts the new key in its place.
    """
    try:
        rotation = rotate_board_key(database_url, key_file, new_key_file, origin, os.environ.get("EVOTE_BOARD_KEY_NAME") or None)
    except _FAILURES as error:
        _fail(error)
    except ValueError as error:  # the new key is the current one
        raise click.UsageError(str(error)) from None
    for election_id, seq in rotation.appended:
        click.echo(f"{election_id}: board.key_transition appended at seq {seq}")
    click.echo(f"old key  {rotation.old.to_string()}  (kept in {rotation.retired_key_file})")
    click.echo(f"new key  {rotation.new.to_string()}  (now in {key_file})")
    click.echo("Next: start the board again; give every witness the new key (their configuration lists both);")
    click.echo("publish new trust anchors (evote anchors create), which name both keys, and their fingerprint.")
