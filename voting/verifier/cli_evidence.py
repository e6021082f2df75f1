"""``evote-verify evidence FILE``: say in plain words what a witness's fork evidence proves (:mod:`.evidence`).

Exit status: 0 the evidence shows a fork; 1 it does not; 2 it (or the key, the anchors, the record given)
cannot be read. The board's key is needed (``--board-key`` or ``--anchors``): evidence is only as good as
the signatures in it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.note import NoteVerifier
from bulletin_board.log_format.trust_anchors import open_anchors

from .anchors import read_anchors
from .evidence import EvidenceUnreadable, judge, read_branch, read_evidence
from .model import RecordUnreadable

EXIT_FORK, EXIT_NO_FORK, EXIT_UNREADABLE = 0, 1, 2


@click.command("evidence", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--board-key", metavar="KEY", help="The board's verifier key (name+keyid+base64, or a file holding it).")
@click.option("--anchors", "anchors_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The election's trust anchors: the board keys and the log's origin are taken from them.")
@click.option("--anchors-fingerprint", metavar="sha256:HEX", help="The anchors' fingerprint, checked when given.")
@click.option("--record", "record_dir", type=click.Path(file_okay=False, path_type=Path),
              help="An export of one branch (evote record export): its entries make the evidence self-contained.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the verdict as JSON here.")
def evidence(files: tuple[Path, ...], board_key: str | None, anchors_file: Path | None, anchors_fingerprint: str | None,
             record_dir: Path | None, json_file: Path | None) -> None:
    """Say what evidence of a fork proves: FILE is a witness's evidence record (its /evidence JSON, one record
    or the list), or two signed checkpoint notes (FILE FILE2, or one file holding both).

    \b
    Same size, different roots, both signed by the board: a fork, proved by the two notes alone.
    Different sizes: the board signed both and its consistency proof fails; a fork only together with the
    entries (--record DIR, an export of one branch) or if the board cannot give a valid proof.
    Exit status: 0 the evidence shows a fork, 1 it does not, 2 it cannot be read."""
    from .cli import _board_key

    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        keys, origin = _keys(board_key and _board_key(board_key), anchors_file, anchors_fingerprint)
        items = read_evidence(list(files))
    except (EvidenceUnreadable, RecordUnreadable) as exc:
        err.print(f"[bold red]cannot read the evidence:[/] {escape(str(exc))}")
        sys.exit(EXIT_UNREADABLE)
    results = []
    try:
        for item in items:
            branch_at = None
            if record_dir is not None:
                branch_at = lambda o, sizes, d=record_dir: read_branch(d, keys, o, sizes)  # noqa: E731
            results.append((item, judge(item, keys, origin, branch_at)))
    except EvidenceUnreadable as exc:
        err.print(f"[bold red]cannot read the evidence:[/] {escape(str(exc))}")
        sys.exit(EXIT_UNREADABLE)
    fork = any(verdict.fork for _, verdict in results)
    for item, verdict in results:
        out.print(f"[bold]Evidence[/] {escape(item.label)}")
        for sentence in verdict.says:
            out.print(f"  {escape(sentence)}")
        out.print("  [bold red]FORK[/]: the board showed two different logs." if verdict.fork
                  else "  [bold]NO FORK SHOWN[/] by this evidence.")
    if json_file is not None:
        data = {"fork": fork, "evidence": [{"label": i.label, "fork": v.fork, "says": list(v.says)} for i, v in results]}
        try:
            json_file.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as exc:
            err.print(f"[bold red]cannot write the report:[/] {escape(str(exc))}")
            sys.exit(EXIT_UNREADABLE)
    sys.exit(EXIT_FORK if fork else EXIT_NO_FORK)


def _keys(board_key: str | None, anchors_file: Path | None,
          fingerprint: str | None) -> tuple[tuple[NoteVerifier, ...], str | None]:
    """The board keys to check the evidence's signatures with, and the log's origin (from the anchors)."""
    if anchors_file is not None:
        note, anchors = read_anchors(anchors_file)
        try:
            open_anchors(note, expected_fingerprint=fingerprint)
            given = NoteVerifier.from_string(board_key.strip()) if board_key is not None else None
        except BoardError as exc:
            raise RecordUnreadable(f"--anchors / --board-key cannot be used: {exc}") from None
        if given is not None and given not in anchors.board_keys:
            raise RecordUnreadable("--board-key contradicts the trust anchors' board key")
        return anchors.board_keys, anchors.origin
    if fingerprint is not None:
        raise RecordUnreadable("--anchors-fingerprint needs --anchors FILE")
    if board_key is None:
        raise RecordUnreadable("the board's key is needed to read evidence: give --board-key KEY or --anchors FILE")
    try:
        return (NoteVerifier.from_string(board_key.strip()),), None
    except BoardError as exc:
        raise RecordUnreadable(f"--board-key is not a verifier key: {exc}") from None
