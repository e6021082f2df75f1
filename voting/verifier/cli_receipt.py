"""``evote-verify receipt RECEIPT.json --board URL``: a voter checks that the board keeps their ballot.

Prints one line per check (R.1-R.4, :mod:`voting.verifier.receipt`) and a verdict. Exit status as the main
command: 0 every check passed, 1 one failed, 2 the receipt cannot be read or the board cannot be reached.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from .cli_trust import trust_from, trust_options
from .findings import Status
from .model import RecordUnreadable
from .receipt import BoardUnreachable, read_receipt, steps_for, verify_receipt


@click.command("receipt", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("receipt_file", metavar="RECEIPT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--board", "board_url", required=True, metavar="URL", envvar="EVOTE_BOARD_URL", show_envvar=True,
              help="The board to ask, e.g. https://board.example.org.")
@click.option(
    "--board-key", metavar="KEY", help="The board's verifier key obtained out of band [default: the key the board publishes]."
)
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the checks as JSON here.")
@trust_options
def receipt(
    receipt_file: Path,
    board_url: str,
    board_key: str | None,
    json_file: Path | None,
    witnesses: tuple[str, ...] = (),
    witness_quorum: int | None = None,
    anchors_file: Path | None = None,
    anchors_fingerprint: str | None = None,
) -> None:
    """Check a voter's ballot receipt (the JSON the board answered when the ballot was cast) against the
    board (or a mirror): R.1 its checkpoint is signed by the board's key; R.2 its inclusion proof verifies;
    R.3 the board serves the ballot at that seq and still includes it; R.4 the board's current log extends the
    receipt's. With --witness or --anchors: W.2 the anchors hold; W.3 the receipt's checkpoint (or a later one
    the board proves extends it) is cosigned by the witness quorum."""
    from .cli import EXIT_FAILED, EXIT_PASSED, EXIT_UNREADABLE, _board_key

    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        parsed = read_receipt(receipt_file)
        trust, key, key_source = trust_from(
            witnesses, witness_quorum, anchors_file, anchors_fingerprint, _board_key(board_key) if board_key else None
        )
        findings = verify_receipt(parsed, board_url, board_key=key, trust=trust, key_source=key_source)
    except RecordUnreadable as exc:
        err.print(f"[bold red]cannot read the receipt:[/] {escape(str(exc))}")
        sys.exit(EXIT_UNREADABLE)
    except BoardUnreachable as exc:
        err.print(f"[bold red]cannot reach the board:[/] {escape(str(exc))}")
        sys.exit(EXIT_UNREADABLE)
    out.print(
        f"[bold]Receipt[/] of ballot {escape(parsed.confirmation_code)} (seq {parsed.seq}, {escape(parsed.kind)}) "
        f"in election {escape(parsed.election_id)}, against {escape(board_url)}"
    )
    steps = steps_for(trust)
    if trust is not None:
        out.print(f"witness policy: {escape(trust.policy.describe())}, from {escape(trust.source)}")
    for finding in findings:
        style = {Status.PASSED: "green", Status.FAILED: "bold red"}.get(finding.status, "dim")
        out.print(
            f"  {finding.check} [{style}]{finding.status.value}[/]  {escape(steps[finding.check])}: {escape(finding.message)}"
        )
        for label, evidence in (("expected", finding.expected), ("found", finding.found)):
            if evidence is not None:
                out.print(f"       {label}: {escape(evidence)}")
    passed = all(f.status is not Status.FAILED for f in findings) and {f.check for f in findings} == set(steps)
    passed = passed and all(f.status is Status.PASSED for f in findings if f.check != "W.2")
    if json_file is not None:
        data = {
            "receipt": str(receipt_file),
            "board": board_url,
            "result": "passed" if passed else "failed",
            "checks": [f.to_json() for f in findings],
        }
        try:
            json_file.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as exc:
            err.print(f"[bold red]cannot write the report:[/] {escape(str(exc))}")
            sys.exit(EXIT_UNREADABLE)
    if passed:
        out.print(
            "[bold green]VERIFIED[/]: the board keeps this ballot where the receipt says, and has not rewritten its history."
        )
        if trust is not None:
            out.print(f"WITNESSED: {escape(trust.policy.describe())} vouch that this is the log everyone is shown.")
        sys.exit(EXIT_PASSED)
    out.print("[bold red]NOT VERIFIED[/]: keep the receipt and this output; they are the evidence.")
    sys.exit(EXIT_FAILED)
