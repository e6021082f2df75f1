"""``evote-witness``: create a witness key, run the witness, follow boards.

Every error an operator can cause (a bad config field, a missing key file, an unreachable database) ends
the command with one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from .config import load_config
from .errors import WitnessError
from .keys import create_key_file, read_key_file

KEY_FILE = "witness.key"
CONFIG_FILE = "witness.toml"

CONFIG_TEMPLATE = """\
# evote-witness configuration (docs/witnesses.md)
name = {name}
key_file = "witness.key"
database_url = "sqlite:///witness.sqlite3"
# max_evidence_per_origin = 100

# One table per board this witness vouches for; every origin "<origin_prefix>/..." signed by a key is known.
# [[boards]]
# origin_prefix = "board.example.org"
# keys = ["board.example.org+1a2b3c4d+AQ..."]
# url = "https://board.example.org"   # for `evote-witness follow`
"""


@click.group()
def cli() -> None:
    """An independent witness of evote bulletin boards (C2SP tlog-witness)."""


@cli.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--name", required=True, help="the witness's cosigner name, e.g. witness.example.org/w1")
def init(directory: Path, name: str) -> None:
    """Create DIR/witness.key (mode 0600) and DIR/witness.toml, and print the witness's public key (vkey)."""
    directory.mkdir(parents=True, exist_ok=True)
    cosigner = create_key_file(directory / KEY_FILE, name)
    config = directory / CONFIG_FILE
    if not config.exists():
        config.write_text(CONFIG_TEMPLATE.format(name=_toml_string(name)), encoding="utf-8")
    click.echo(cosigner.key.to_string())


@cli.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
def key(directory: Path | None, config_path: Path | None) -> None:
    """Print the witness's public key (vkey), from DIR/witness.key or the config's key file."""
    if config_path is not None:
        path = load_config(config_path).key_file
    elif directory is not None:
        path = directory / KEY_FILE
    else:
        raise click.UsageError("give --dir or --config")
    click.echo(read_key_file(path).key.to_string())


@cli.command("check-config")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def check_config(config_path: Path) -> None:
    """Validate the configuration, the key file and the database; print a summary."""
    from .app import build_service

    service = build_service(load_config(config_path))
    click.echo(f"witness {service.cosigner.key.to_string()}")
    for board in service.config.boards:
        click.echo(f"board {board.origin_prefix}: {len(board.keys)} key(s){', follows ' + board.url if board.url else ''}")


@cli.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=click.IntRange(0, 65535))
@click.option("--follow", "follow_interval", type=click.FloatRange(min=0.1), default=None,
              help="also pull the configured boards every S seconds")
def serve(config_path: Path, host: str, port: int, follow_interval: float | None) -> None:
    """Serve the witness (threaded development server; use gunicorn in production)."""
    from werkzeug.serving import run_simple

    from .app import build_service, create_app

    service = build_service(load_config(config_path))
    app = create_app(service=service)
    if follow_interval is not None:
        from .follow import start_follower

        start_follower(service, follow_interval)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the app writes one JSON line per request itself
    run_simple(host, port, app, threaded=True, use_reloader=False)


@cli.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True)
@click.option("--once", is_flag=True, help="one pass over every board, then exit")
def follow(config_path: Path, interval: float, once: bool) -> None:
    """Pull checkpoints from every board with a url, cosign consistent ones and deposit the cosignatures."""
    from .app import build_service
    from .follow import follow_forever, follow_once

    service = build_service(load_config(config_path))
    if once:
        for result in follow_once(service):
            click.echo(result.line())
    else:
        follow_forever(service, interval)


def _toml_string(value: str) -> str:
    import json

    return json.dumps(value)  # a JSON string is a TOML basic string


def main(argv: list[str] | None = None) -> None:
    try:
        result = cli.main(args=argv, prog_name="evote-witness", standalone_mode=False)
    except click.exceptions.Abort:
        print("evote-witness: aborted", file=sys.stderr)
        sys.exit(1)
    except click.ClickException as exc:
        print(f"evote-witness: error: {exc.format_message()}", file=sys.stderr)
        sys.exit(1)
    except WitnessError as exc:
        print(f"evote-witness: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except OSError as exc:
        print(f"evote-witness: error: {exc.strerror or exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
