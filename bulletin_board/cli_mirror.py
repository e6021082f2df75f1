"""``evote mirror``: follow a primary board and serve its record read-only (docs/board.md, "Mirrors").

    evote mirror serve  --of URL --db URL (--anchors FILE... | --board-key KEY [--witness KEY... --witness-quorum K])
    evote mirror follow (same options, no web server; with gunicorn serving 'evote.app:create_mirror_app()')
    evote mirror evidence --db URL
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from pathlib import Path
from typing import Callable

import click

from .log_format.client import BoardClientError
from .log_format.errors import BoardError

__all__ = ["mirror", "use_mirror_app_factory"]

_APP_FACTORY: list[Callable] = []


def use_mirror_app_factory(factory: Callable) -> None:
    """The app ``evote mirror serve`` serves: the composition root passes the mirror with the booth."""
    _APP_FACTORY[:] = [factory]


def _factory() -> Callable:
    if _APP_FACTORY:
        return _APP_FACTORY[0]
    from .mirror_app import create_mirror_app

    return create_mirror_app


@click.group()
def mirror() -> None:
    """Keep a checked, read-only copy of a board (observers and voters check receipts when the primary is down)."""


def _follow_options(command):
    options = [
        click.option("--of", "primary", required=True, metavar="URL", help="The primary board's URL."),
        click.option("--db", "database_url", envvar="EVOTE_DATABASE_URL", required=True,
                     help="The mirror's own database: sqlite:///FILE or postgresql+psycopg://..."),
        click.option("--anchors", "anchors_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="An election's trust anchors (board key, witness policy, booth hash); repeat per election."),
        click.option("--board-key", metavar="KEY", help="The board's verifier key, for elections without --anchors."),
        click.option("--witness", "witnesses", multiple=True, metavar="KEY", help="A witness's key (with --board-key); repeat."),
        click.option("--witness-quorum", type=click.IntRange(0, 64), help="Cosignatures required [default: every witness]."),
        click.option("--election", "only", multiple=True, metavar="ID", help="Follow only these elections [default: all]."),
        click.option("--interval", default=2.0, show_default=True, type=click.FloatRange(0.1, 3600), help="Seconds between rounds."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _follower(primary, database_url, anchors_files, board_key, witnesses, witness_quorum, only):
    from .mirror import MirrorFollower, TrustConfig
    from .mirror_app import open_mirror

    trust = TrustConfig.build([p.read_text(encoding="utf-8") for p in anchors_files], board_key, witnesses, witness_quorum)
    store = open_mirror(database_url)
    follower = MirrorFollower(primary, store, trust, only=only)
    try:
        follower.identify()
    except BoardClientError as exc:
        if "origin" not in store.meta():
            raise BoardError(f"the primary is unreachable and this mirror holds no copy yet: {exc}") from None
        logging.getLogger("evote.mirror").warning("the primary is unreachable (%s): serving the copy held", exc)
    return follower


def _first_round(follower) -> None:
    try:
        for result in follower.sync_all():
            click.echo(f"mirror {result.election_id}: {result.status} at size {result.size}"
                       + (f" (primary {result.primary_size})" if result.primary_size is not None else "")
                       + (f": {result.detail}" if result.detail else ""), err=True)
    except BoardClientError as exc:
        click.echo(f"mirror: the primary is unreachable ({exc}); serving the copy held", err=True)


@mirror.command()
@_follow_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=click.IntRange(0, 65535))
def serve(primary, database_url, anchors_files, board_key, witnesses, witness_quorum, only, interval, host, port) -> None:
    """Follow the primary and serve the copy (development server, threaded; the follower runs in this process)."""
    from werkzeug.serving import run_simple

    from .cli import _FAILURES, _fail, _redact

    _logging()
    try:
        follower = _follower(primary, database_url, anchors_files, board_key, witnesses, witness_quorum, only)
        _first_round(follower)
        app = _factory()({"EVOTE_MIRROR_OF": follower.primary_url, "EVOTE_DATABASE_URL": database_url})
        stop = threading.Event()
        threading.Thread(target=follower.run, args=(interval, stop), name="evote-mirror-follower", daemon=True).start()
        click.echo(f"evote mirror of {follower.primary_url} serving on http://{host}:{port}/api/v1 "
                   f"(database {_redact(database_url)})", err=True)
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
        stop.set()
    except _FAILURES as error:
        _fail(error)


@mirror.command()
@_follow_options
@click.option("--once", is_flag=True, help="One round, then exit (status 1 if an election was stopped).")
def follow(primary, database_url, anchors_files, board_key, witnesses, witness_quorum, only, interval, once) -> None:
    """Follow the primary without serving (production: gunicorn serves 'evote.app:create_mirror_app()')."""
    from .cli import _FAILURES, _fail

    _logging()
    try:
        follower = _follower(primary, database_url, anchors_files, board_key, witnesses, witness_quorum, only)
        if once:
            results = follower.sync_all()
            for result in results:
                click.echo(json.dumps(result.__dict__))
            sys.exit(1 if any(r.status == "stopped" for r in results) else 0)
        follower.run(interval, threading.Event())
    except _FAILURES as error:
        _fail(error)


@mirror.command()
@click.option("--db", "database_url", envvar="EVOTE_DATABASE_URL", required=True, help="The mirror's database.")
@click.option("--election", metavar="ID", help="Only this election's evidence.")
def evidence(database_url: str, election: str | None) -> None:
    """Print the evidence the mirror kept when the primary showed it two histories (JSON); exit 1 if any."""
    from .cli import _FAILURES, _fail
    from .mirror_app import open_mirror

    try:
        found = open_mirror(database_url).evidence(election)
    except _FAILURES as error:
        _fail(error)
    click.echo(json.dumps(found, indent=2))
    sys.exit(1 if found else 0)
