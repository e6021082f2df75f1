"""The ``evote`` command line: a click group that other parts of evote extend.

To add commands, define a click group or command in your own module and attach it here with
``main.add_command(...)`` (one line per area: ``board``, ``record``, later ``election``, ``demo``, ``vote``).
Errors leave as one line on stderr and exit status 1, never as a traceback.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click
from click.core import ParameterSource
from sqlalchemy.exc import SQLAlchemyError

from .log_format.errors import BoardError

__all__ = ["main"]


@click.group()
@click.version_option(package_name="evote")
def main() -> None:
    """evote: end-to-end verifiable elections."""


def _fail(error: Exception) -> NoReturn:
    """One line on stderr and exit status 1: board errors as they are, system and database errors briefly."""
    if isinstance(error, BoardError):
        message = error.message
    elif isinstance(error, OSError):
        message = f"{error.strerror or error}" + (f": {error.filename}" if error.filename else "")
    else:  # a database error: its class and first line, never the statement's parameters
        message = f"database error ({type(error).__name__}): {str(error).splitlines()[0][:300] if str(error) else ''}"
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


_FAILURES = (BoardError, OSError, SQLAlchemyError)


# --- evote board -----------------------------------------------------------------------------------

@main.group()
def board() -> None:
    """Run the public bulletin board."""


@board.command()
@click.option("--db", "database_url", envvar="EVOTE_DATABASE_URL", default="sqlite:///evote-board.sqlite3",
              show_default=True, help="sqlite:///FILE or postgresql+psycopg://USER@HOST/DB")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--ratelimit-storage", envvar="EVOTE_RATELIMIT_STORAGE_URI", default="memory://", show_default=True,
              help="where rate limits are counted: memory:// (this process) or redis://HOST:PORT/DB")
def serve(database_url: str, host: str, port: int, ratelimit_storage: str) -> None:
    """Serve the board with the development server (threaded).

    For production use gunicorn with PostgreSQL and Redis for the rate limits shared by the workers, e.g.
    EVOTE_DATABASE_URL=postgresql+psycopg://... EVOTE_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0
    gunicorn -w 4 'evote.app:create_app()'
    """
    from werkzeug.serving import run_simple

    try:
        app = _app_factory()({"EVOTE_DATABASE_URL": database_url, "EVOTE_RATELIMIT_STORAGE_URI": ratelimit_storage})
        click.echo(f"evote board serving on http://{host}:{port}/api/v1 (database {_redact(database_url)})", err=True)
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    except _FAILURES as error:
        _fail(error)


@board.command("admin-token")
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False),
              help="write the token to this new file (mode 0600) instead of standard output")
def admin_token(out: str | None) -> None:
    """Generate an admin token (256 random bits) for EVOTE_ADMIN_TOKEN; the board accepts no other kind.

    Give it to the board as EVOTE_ADMIN_TOKEN and to the administrator's commands as EVOTE_ADMIN_TOKEN or
    --token-file FILE (docs/guide-administrator.md).
    """
    from .admin_token import new_admin_token

    token = new_admin_token()
    if out is None:
        click.echo(token)
        return
    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never overwrite a token in use
        with os.fdopen(descriptor, "w") as handle:
            handle.write(token + "\n")
    except OSError as error:
        _fail(error)
    click.echo(f"admin token written to {out}", err=True)


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


# --- evote record ----------------------------------------------------------------------------------

@main.group()
def record() -> None:
    """Export and check election records."""


@record.command("export")
@click.argument("election")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="directory to write")
@click.option("--db", "database_url", default=None, help="read the board database directly")
@click.option("--board", "board_url", default=None, envvar="EVOTE_BOARD_URL", show_envvar=True,
              help="read a running board, e.g. http://127.0.0.1:8000 (the environment's board is used only without --db)")
@click.option("--key-file", envvar="EVOTE_BOARD_KEY_FILE", default="evote-board.key", show_default=True,
              help="with --db: the board's key, to sign the latest checkpoint")
@click.option("--origin", envvar="EVOTE_BOARD_ORIGIN", default="evote-board.localhost", show_default=True,
              help="with --db: the board's origin")
@click.option("--format", "layout", type=click.Choice(["evote", "egk"]), default="evote", show_default=True,
              help="evote: the board's complete record; egk: the election in egk's ElectionGuard layout, for other "
                   "verifiers (only for an election created from an egk-schema manifest; docs/export-egk.md)")
def export(election: str, out: str, database_url: str | None, board_url: str | None, key_file: str,
           origin: str, layout: str) -> None:
    """Write ELECTION's complete record to --out, then check it (with --format egk: egk's layout)."""
    from .log_format.export import export_from_board, export_from_log
    from .log_format.export_check import verify_exported_record

    if database_url is not None and click.get_current_context().get_parameter_source("board_url") is ParameterSource.ENVIRONMENT:
        board_url = None  # EVOTE_BOARD_URL names the board only when --db does not name a database
    if (database_url is None) == (board_url is None):
        raise click.UsageError("give exactly one of --db URL or --board URL")

    def write(target: str) -> None:
        if database_url is not None:
            export_from_log(_open_log(database_url, key_file, origin), election, target)
        else:
            export_from_board(board_url, election, target)

    if layout == "egk":
        from .cli_export_egk import export_egk

        export_egk(election, out, write, verify_exported_record, _FAILURES, _fail)
        return
    try:
        write(out)
        summary = verify_exported_record(out)
    except _FAILURES as error:
        _fail(error)
    click.echo(f"exported {summary.size} entries of {election} to {out}; root {summary.root.hex()} verified")


@record.command("verify")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--key", "trusted_key", default=None, help="the board's verifier key, obtained out of band")
def verify(directory: str, trusted_key: str | None) -> None:
    """Check an exported record offline."""
    from .log_format.export_check import verify_exported_record

    try:
        summary = verify_exported_record(directory, trusted_key=trusted_key)
    except _FAILURES as error:
        _fail(error)
    click.echo(f"record of {summary.election_id} verified: {summary.size} entries, root {summary.root.hex()}")


def _open_log(database_url: str, key_file: str, origin: str):
    from .keys import load_board_key
    from .log import BoardLog
    from .storage import make_engine, migrate

    engine = make_engine(database_url)
    migrate(engine)
    name = os.environ.get("EVOTE_BOARD_KEY_NAME") or origin
    return BoardLog(engine, load_board_key(key_file, name), origin)


_APP_FACTORY: list = []


def use_app_factory(factory) -> None:
    """The application ``evote board serve`` serves: the composition root (evote/cli.py) passes the board with
    the booth; without it, the board's API alone."""
    _APP_FACTORY[:] = [factory]


def _app_factory():
    if _APP_FACTORY:
        return _APP_FACTORY[0]
    from .app import create_app

    return create_app


def _register() -> None:
    """Attach the board's other command groups (imported here so `evote board` starts fast)."""
    from . import cli_board_key  # noqa: F401 (adds `evote board rotate-key`)
    from .cli_election import credentials, election
    from .cli_mirror import mirror

    main.add_command(credentials)
    main.add_command(election)
    main.add_command(mirror)


_register()

if __name__ == "__main__":
    main()
