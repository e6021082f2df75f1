"""``evote record export --format egk``: the election in egk's layout (voting/record/export_egk.py, docs/export-egk.md).

The board's record is exported and checked as ``evote record export`` does (chain, Merkle root, signed
checkpoint), into a temporary directory; the egk files are computed from its entries and written to --out.
A refusal (the manifest is not in egk's schema, ...) exits with status 2 and says why; nothing is written.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, NoReturn

import click

from voting.errors import VotingError
from voting.record.export_egk import ExportRefused, egk_export

REFUSED = 2  # exit status: the election cannot be written in egk's layout (not a failure of the board)


def export_egk(
    election: str,
    out: str,
    write: Callable[[str], None],
    verify: Callable[[str], Any],
    failures: tuple[type[BaseException], ...],
    fail: Callable[[Any], NoReturn],
) -> None:
    """Export ``election`` with ``write(dir)``, check it with ``verify(dir)``, then write egk's files to ``out``."""
    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        _refuse(f"{out} exists and is not an empty directory; an egk record is written into a new directory")
    with tempfile.TemporaryDirectory(prefix="evote-export-") as scratch:
        try:
            write(scratch)
            summary = verify(scratch)
            lines = (Path(scratch) / "entries.jsonl").read_text(encoding="utf-8").splitlines()
        except failures as error:
            fail(error)
    entries = [json.loads(line) for line in lines]
    try:
        record = egk_export(entries)
    except ExportRefused as exc:
        _refuse(f"{election} cannot be exported in egk's layout: {exc.reason}")
    except VotingError as exc:
        _refuse(f"{election}'s record does not replay, so it is not exported: {exc}")
    for name, data in sorted(record.files.items()):
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    ballots = sum(1 for name in record.files if name.startswith("encrypted_ballots/"))
    click.echo(f"exported {election} in egk's layout to {out}: {len(record.files)} files, {ballots} encrypted ballots "
               f"(from {summary.size} board entries, root {summary.root.hex()} verified)")  # fmt: skip
    click.echo(f"H_M {record.H_M.hex().upper()}\nH_B {record.H_B.hex().upper()}\nH_E {record.H_E.hex().upper()}")
    click.echo("not in egk's layout (keep `evote record export` without --format for these):")
    for note in record.notes:
        click.echo(f"  - {note}")
    click.echo(f"check it: evote-verify --format egk {out}")


def _refuse(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(REFUSED)
