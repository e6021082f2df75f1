"""``evote-verify``: verify an election record and report, for people and machines.

Exit status: 0 when every check that applies passes, 1 when any fails, 2 when the record cannot be read
(or the command is used wrongly); the reason is printed, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from .findings import Status
from .html import render_html
from .model import ElectionRecord, RecordUnreadable
from .readers import open_record
from .report import Report
from .run import CHUNK_SIZE, verify

EXIT_PASSED, EXIT_FAILED, EXIT_UNREADABLE = 0, 1, 2
SHOWN_FAILURES = 3


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("record", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "record_format",
    type=click.Choice(["egk", "evote"]),
    default="egk",
    show_default=True,
    help="Who wrote the record.",
)
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the report as JSON here.")
@click.option(
    "--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), help="Write a self-contained HTML report here."
)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes [default: all cores].")
@click.option("--scheduler", metavar="ADDRESS", help="Verify ballots on a Dask cluster (e.g. tcp://10.0.0.5:8786).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=CHUNK_SIZE, show_default=True, help="Ballots per work unit.")
def main(
    record: Path,
    record_format: str,
    json_file: Path | None,
    html_file: Path | None,
    workers: int | None,
    scheduler: str | None,
    chunk_size: int,
) -> None:
    """Verify the ElectionGuard 2.0 election record RECORD (Verifications 1-14 of the SPEC's §6.2)."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        election = open_record(record, record_format)
    except (RecordUnreadable, OSError) as exc:
        err.print(f"[bold red]cannot read the record:[/] {escape(str(exc))}")
        sys.exit(EXIT_UNREADABLE)
    report = _verify_with_progress(election, err, workers, scheduler, chunk_size)
    _summary(out, report)
    try:
        if json_file is not None:
            json_file.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if html_file is not None:
            html_file.write_text(render_html(report), encoding="utf-8")
    except OSError as exc:
        err.print(f"[bold red]cannot write the report:[/] {escape(str(exc))}")
        sys.exit(EXIT_UNREADABLE)
    sys.exit(EXIT_PASSED if report.passed else EXIT_FAILED)


def _verify_with_progress(election: ElectionRecord, err: Console, workers, scheduler, chunk_size) -> Report:
    columns = (TextColumn("checking ballots"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("ballots", total=election.ballot_count)
        return verify(
            election,
            workers=workers,
            scheduler=scheduler,
            chunk_size=chunk_size,
            progress=lambda done: progress.update(task, completed=done),
        )


def _summary(out: Console, report: Report) -> None:
    stats = report.statistics
    out.print(f"[bold]Election record[/] {escape(report.record)} ({escape(report.format)})")
    out.print(
        f"{stats['ballots']} ballots ({stats['cast']} cast, {stats['challenged']} challenged), "
        f"{stats['selections']} selections, {stats['seconds']} s"
    )
    for note in report.notes:
        out.print(f"  [dim]{escape(report.format)} convention: {escape(note)}[/]")
    out.print()
    styles = {Status.PASSED: "green", Status.FAILED: "bold red", Status.NOT_APPLICABLE: "dim"}
    for v in report.verifications:
        style = styles[v.status]
        out.print(
            f"{v.number:>2}. {escape(v.title)} ({v.section}): [{style}]{v.status.value}[/] — {v.passed} passed, {v.failed} failed"
        )
        for step in v.steps:
            if step.status is Status.NOT_APPLICABLE and step.count.reasons:
                out.print(f"      [dim]{step.id} not applicable: {escape(step.count.reasons[0])}[/]")
        for finding in v.first_failures(SHOWN_FAILURES):
            out.print(f"      [red]{finding.check}[/] {escape(finding.subject)}: {escape(finding.message)}")
            if finding.origin:
                out.print(f"         in {escape(finding.origin)}")
            if finding.expected is not None:
                out.print(f"         expected {escape(_short(finding.expected))}")
            if finding.found is not None:
                out.print(f"         found    {escape(_short(finding.found))}")
    out.print()
    if report.passed:
        out.print("[bold green]VERIFIED[/]: every check that applies to this record passed.")
    else:
        failed = sum(v.status is Status.FAILED for v in report.verifications)
        out.print(f"[bold red]NOT VERIFIED[/]: {failed} verification(s) failed.")


def _short(value: str, width: int = 100) -> str:
    """Long evidence (4096-bit numbers) shortened for the terminal; the JSON and HTML reports keep it whole."""
    return value if len(value) <= width else f"{value[:60]}…{value[-16:]} ({len(value)} characters)"


if __name__ == "__main__":  # pragma: no cover
    main()
