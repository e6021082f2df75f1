"""The ``evote`` command: the board's commands (:mod:`bulletin_board.cli`: board, record, election,
credentials), ``evote vote`` from the booth and ``evote demo``, with ``evote board serve`` serving the board
and the booth together (:func:`evote.app.create_app`)."""

from __future__ import annotations

from bulletin_board import cli as board_cli
from bulletin_board.cli_mirror import use_mirror_app_factory
from voting.booth.cli_vote import vote

from .app import create_app, create_mirror_app
from .cli_anchors import anchors
from .demo.cli import demo

__all__ = ["main"]

main = board_cli.main
board_cli.use_app_factory(create_app)
use_mirror_app_factory(create_mirror_app)
main.add_command(vote)
main.add_command(demo)
main.add_command(anchors)

if __name__ == "__main__":
    main()
