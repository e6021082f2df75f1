"""``evote-verify``: verify an election record, or a voter's receipt, and report for people and machines.

    evote-verify RECORD [options]                     an egk or egk-ec record, an evote export, or http(s)://host/ELECTION;
                                                      a Belenios archive (checked against Belenios' own specification)
    evote-verify --board URL --election ID [options]  the same, an election read from a board
    evote-verify receipt RECEIPT.json --board URL     a voter's receipt against the board

Exit status: 0 when every check that applies passes, 1 when any fails (or an incremental verification is
refused because the board's history does not extend the saved checkpoint), 2 when the record or receipt
cannot be read at all, is of a system, version or group this verifier does not check ("format not
supported: ..."), the board cannot be reached, or the command is used wrongly; the reason is printed, never a
traceback; 3 when no check of a Helios record failed but its proofs only hold under Helios' weak Fiat-Shamir.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click
from click.core import ParameterSource
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from .checks.witnesses import relied_on_note
from .cli_evidence import evidence as evidence_command
from .cli_receipt import receipt
from .cli_trust import registrar_key_from, registrar_key_option, trust_from, trust_options
from .findings import Finding, Status
from .html import render_html, render_refusal_html
from .model import ElectionRecord, RecordUnreadable
from .readers import DEFAULT_LIMITS, FORMATS, FormatNotSupported, Limits, open_record
from .report import REPORT_FORMAT, Report
from .result import NoResult, result_lines, verified_result
from .run import CHUNK_SIZE, HistoryNotExtended, verify
from .run_systems import verify_system
from .systems import RUN_STATISTICS, system_result_lines

EXIT_PASSED, EXIT_FAILED, EXIT_UNREADABLE, EXIT_CONSISTENT = 0, 1, 2, 3
EXIT_OUTCOMES = {"passed": EXIT_PASSED, "failed": EXIT_FAILED, "consistent": EXIT_CONSISTENT}
SHOWN_FAILURES = 3
EPILOG = """\b
RECORD is one of:
  a directory holding an egk JSON record (--format egk);
  a directory holding an egk-ec JSON record in the 4096-bit integer group (--format egk-ec; records in
  another group, such as egk-ec's P-256, are refused as not supported, exit status 2);
  a directory holding an evote board export (evote record export; docs/record-format.md §7);
  http(s)://HOST[:PORT]/ELECTION_ID, an election read from a running evote board (its entries are
  downloaded page by page, each checked against the previous one as it arrives);
  a Belenios election's archive UUID.bel, or a directory holding it (--format belenios), checked against
  Belenios' own specification (docs/verification-checks.md, "Other systems' records").
The format is detected unless --format is given.

\b
Incremental verification (evote): --save-checkpoint FILE keeps the signed checkpoint of a record that
passed; a later run with --since FILE checks the consistency proof from that checkpoint to the current one
(refusing, with both checkpoints and the proof, when the board's history is not an extension of it), then
verifies again only the ballots appended since (their proofs, signatures and decryptions), while the board's
hashes, the rules, the eligibility and counting checks and the tally are checked over the whole record.

\b
Witnesses (evote, section W): --witness KEY... [--witness-quorum K], or --anchors FILE [--anchors-fingerprint
sha256:HEX], require the checkpoint the verification relies on to be cosigned by K distinct witnesses; with
--anchors the board key, the origin and the policy come from the anchors, and the trustees must be theirs.

\b
Credential authority (evote, E.9): --registrar-key HEX, the registrar's Ed25519 key obtained out of band
(as the board key is): election.created must name it; with --anchors it must be the anchors' registrar
(otherwise exit 2), and without it the anchors' registrar line is the key required.

\b
Commands:
  receipt RECEIPT.json --board URL   check a voter's receipt against the board (evote-verify receipt --help)
  evidence FILE [FILE2]              say what a witness's fork evidence proves (evote-verify evidence --help)

\b
Exit status: 0 every check that applies passed; 1 a check failed, or --since was refused; 2 the record
cannot be read at all, its format, version or group is not supported, or a report or checkpoint file cannot
be written; 3 (Helios) no check failed, but the proofs are only consistent under a weak Fiat-Shamir
transform, which does not bind a dishonest prover."""


class _VerifyByDefault(click.Group):
    """``evote-verify RECORD ...`` runs ``verify``; ``evote-verify receipt ...`` the receipt command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] in ("-h", "--help"):
            return super().parse_args(ctx, args)
        if not args or args[0] not in self.commands:
            args = ["verify", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(
            "evote-verify", "[OPTIONS] RECORD | --board URL --election ID | receipt RECEIPT --board URL | evidence FILE"
        )

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        verify_command = self.commands["verify"]
        with click.Context(verify_command, info_name="evote-verify", help_option_names=["-h", "--help"]) as sub:
            verify_command.format_help(sub, formatter)


@click.group(cls=_VerifyByDefault, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Verify an election record (evote-verify RECORD) or a voter's receipt (evote-verify receipt)."""


@main.command("verify", epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("record", required=False)
@click.option("--format", "record_format", type=click.Choice(FORMATS), help="Who wrote the record [default: detected].")
@click.option("--board", "board_url", metavar="URL", envvar="EVOTE_BOARD_URL", show_envvar=True,
              help="Read the election from this evote board (with --election; the environment's board is used only with --election).")
@click.option("--election", "election_id", metavar="ID", help="The election to read from --board.")
@click.option(
    "--board-key",
    metavar="KEY",
    help="The board's verifier key (name+keyid+base64), or a file holding it or a board-key.json, obtained out of "
    "band: the record must be signed by it [default: the record's own key, or the board's published key].",
)
@click.option(
    "--since",
    "since_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A checkpoint saved by an earlier run (--save-checkpoint): verify incrementally from it.",
)
@click.option(
    "--save-checkpoint",
    "save_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="When the record passes, write its signed checkpoint here (for a later --since).",
)
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path), help="Write the report as JSON here.")
@click.option(
    "--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), help="Write a self-contained HTML report here."
)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes [default: all cores].")
@click.option("--scheduler", metavar="ADDRESS", help="Verify ballots on a Dask cluster (e.g. tcp://10.0.0.5:8786).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=CHUNK_SIZE, show_default=True, help="Ballots per work unit.")
@click.option(
    "--max-file-mib",
    type=click.IntRange(min=1, max=1 << 20),
    help="Read no record file (no line of entries.jsonl) larger than this many MiB [default: per kind: "
    f"{DEFAULT_LIMITS.ballot >> 20} a ballot file, {DEFAULT_LIMITS.document >> 20} another egk file, "
    f"{DEFAULT_LIMITS.entry >> 20} an entry, {DEFAULT_LIMITS.small >> 20} an evote export's other files].",
)
@click.option("--language", metavar="TAG", help="State the verified result's contest titles and option names in this language of the "
              "manifest (e.g. fr); each text falls back to the manifest's default [default: the manifest's default language].")  # fmt: skip
@trust_options
@registrar_key_option
def verify_command(
    record: str | None,
    record_format: str | None,
    board_url: str | None,
    election_id: str | None,
    board_key: str | None,
    since_file: Path | None,
    save_file: Path | None,
    json_file: Path | None,
    html_file: Path | None,
    workers: int | None,
    scheduler: str | None,
    chunk_size: int,
    max_file_mib: int | None,
    witnesses: tuple[str, ...] = (),
    witness_quorum: int | None = None,
    anchors_file: Path | None = None,
    anchors_fingerprint: str | None = None,
    registrar_key: str | None = None,
    language: str | None = None,
) -> None:
    """Verify the election record RECORD: for evote records the board's log (B), the election's rules (L),
    eligibility and counting (E), then Verifications 1-14 of the ElectionGuard 2.0 SPEC's §6.2.

    \b
      evote-verify [OPTIONS] RECORD
      evote-verify [OPTIONS] --board URL --election ID
      evote-verify receipt RECEIPT.json --board URL [--board-key KEY]
    """
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if election_id is None and click.get_current_context().get_parameter_source("board_url") is ParameterSource.ENVIRONMENT:
        board_url = None  # EVOTE_BOARD_URL names the board only when --election asks to read one
    try:
        location = _location(record, board_url, election_id)
        key = _board_key(board_key) if board_key is not None else None
        trust, key, key_origin = trust_from(witnesses, witness_quorum, anchors_file, anchors_fingerprint, key)
        registrar, registrar_origin = registrar_key_from(registrar_key, trust)
        since = _read_since(since_file) if since_file is not None else None
        limits = Limits.uniform(max_file_mib << 20) if max_file_mib is not None else DEFAULT_LIMITS
        election = open_record(
            location, record_format, board_key=key, since=since, since_origin=str(since_file or ""), limits=limits,
            trust=trust, board_key_origin=key_origin, registrar_key=registrar, registrar_key_origin=registrar_origin,
        )  # fmt: skip
    except FormatNotSupported as exc:
        err.print(f"[bold red]format not supported:[/] {escape(exc.detail)}")
        sys.exit(EXIT_UNREADABLE)
    except (RecordUnreadable, OSError) as exc:
        err.print(f"[bold red]cannot read the record:[/] {escape(str(exc))}")
        sys.exit(EXIT_UNREADABLE)
    if not isinstance(election, ElectionRecord):  # another system's record (voting/verifier/systems.py)
        _verify_system_record(election, out, err, workers, scheduler, chunk_size, json_file, html_file, save_file, language)
    try:
        try:
            report = _verify_with_progress(election, err, workers, scheduler, chunk_size)
        except HistoryNotExtended as refused:
            _refused(out, err, election, refused.finding, json_file, html_file)
            sys.exit(EXIT_FAILED)
        _attach_result(election, report, language)
        _summary(out, report)
        _write_reports(err, report, json_file, html_file)
        if save_file is not None:
            _save_checkpoint(out, err, election, report, save_file)
    finally:
        election.close()
    sys.exit(EXIT_PASSED if report.passed else EXIT_FAILED)


main.add_command(receipt)
main.add_command(evidence_command)


def _location(record: str | None, board_url: str | None, election_id: str | None) -> str:
    if board_url is not None or election_id is not None:
        if record is not None or board_url is None or election_id is None:
            raise RecordUnreadable("give either RECORD, or --board URL with --election ID")
        return f"{board_url.rstrip('/')}/{election_id}"
    if record is None:
        raise RecordUnreadable("no RECORD given (a directory, or http(s)://HOST/ELECTION_ID; see --help)")
    return record


def _board_key(value: str) -> str:
    """A verifier key given as text, or read from a file (the key itself, or a board-key.json)."""
    path = Path(value)
    if "+" in value and not path.exists():
        return value
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise RecordUnreadable(
            f"--board-key: {value} is neither a verifier key nor a readable file ({type(exc).__name__})"
        ) from None
    if text.startswith("{"):
        try:
            return str(json.loads(text)["verifier_key"])
        except (ValueError, KeyError, TypeError):
            raise RecordUnreadable(f"--board-key: {value} has no verifier_key") from None
    return text


def _read_since(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordUnreadable(f"--since: cannot read {path}: {type(exc).__name__}") from None


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


def _verify_system_record(record, out, err, workers, scheduler, chunk_size, json_file, html_file, save_file, language) -> NoReturn:
    """A Helios or Belenios record: its own checklist (voting/verifier/systems.py); exits."""
    if save_file is not None or language is not None:
        err.print("[bold red]--save-checkpoint and --language apply to evote records only[/]")
        sys.exit(EXIT_UNREADABLE)
    columns = (TextColumn("checking ballots"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("ballots", total=getattr(record, "ballot_count", None))
            report = verify_system(
                record, workers=workers, scheduler=scheduler, chunk_size=chunk_size,
                progress=lambda done: progress.update(task, completed=done),
            )  # fmt: skip
    finally:
        close = getattr(record, "close", None)
        if close is not None:
            close()
    _summary(out, report)
    _write_reports(err, report, json_file, html_file)
    sys.exit(EXIT_OUTCOMES[report.outcome])


def _write_reports(err: Console, report: Report, json_file: Path | None, html_file: Path | None) -> None:
    try:
        if json_file is not None:
            json_file.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if html_file is not None:
            html_file.write_text(render_html(report), encoding="utf-8")
    except OSError as exc:
        err.print(f"[bold red]cannot write the report:[/] {escape(str(exc))}")
        sys.exit(EXIT_UNREADABLE)


def _save_checkpoint(out: Console, err: Console, election: ElectionRecord, report: Report, path: Path) -> None:
    if election.evote is None or not isinstance(election.evote.export.checkpoint, str):
        err.print("[bold red]--save-checkpoint:[/] only an evote record has a signed checkpoint")
        sys.exit(EXIT_UNREADABLE)
    if not report.passed:
        out.print(
            f"checkpoint not saved to {escape(str(path))}: the record did not pass (a later --since must start from a verified log)"
        )
        return
    note = election.evote.export.checkpoint
    if election.evote.trust is not None:  # keep the cosignatures too: a later --since checks them (W.1)
        note = relied_on_note(election.evote.export) or note
    try:
        path.write_text(note, encoding="utf-8", newline="")
    except OSError as exc:
        err.print(f"[bold red]cannot write the checkpoint:[/] {escape(str(exc))}")
        sys.exit(EXIT_UNREADABLE)
    out.print(f"signed checkpoint of {election.evote.entries} entries saved to {escape(str(path))} (use it with --since)")


def _refused(
    out: Console, err: Console, election: ElectionRecord, finding: Finding, json_file: Path | None, html_file: Path | None
) -> None:
    out.print(f"[bold]Election record[/] {escape(election.location)} ({escape(election.format)})")
    out.print(f"[bold red]REFUSED[/] (B.5): {escape(finding.message)}")
    out.print("Nothing else was verified: the log verified before is not a prefix of this one (a fork or a rewritten history).")
    for evidence in (finding.expected, finding.found):
        if evidence:
            out.print(escape(evidence))
    data = {
        "format": REPORT_FORMAT,
        "record": election.location,
        "record_format": election.format,
        "result": "refused",
        "refusal": finding.to_json(),
    }
    try:
        if json_file is not None:
            json_file.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if html_file is not None:
            html_file.write_text(render_refusal_html(election.location, finding), encoding="utf-8")
    except OSError as exc:
        err.print(f"[bold red]cannot write the report:[/] {escape(str(exc))}")
        sys.exit(EXIT_UNREADABLE)


def _summary(out: Console, report: Report) -> None:
    stats = report.statistics
    out.print(f"[bold]Election record[/] {escape(report.record)} ({escape(report.format)})")
    out.print(f"checked as: {escape(report.conventions)}")
    if report.specification is not None:
        _system_summary(out, report)
        return
    other = stats["ballots"] - stats["cast"] - stats["challenged"]
    counted = "counted" if report.format == "evote" else "cast"
    line = f"{stats['ballots']} ballots ({stats['cast']} {counted}, {stats['challenged']} challenged"
    line += f", {other} not counted)" if report.format == "evote" else ")"
    out.print(f"{line}, {stats['selections']} selections verified, {stats['seconds']} s")
    if report.format == "evote":
        out.print(
            f"election {escape(str(stats.get('election_id')))}: {stats.get('entries')} board entries, {escape(str(stats.get('stage')))}"
        )
        out.print(f"board key: {escape(str(stats.get('board_key')))}")
        if stats.get("credentials") is not None:
            out.print(f"credentials: {escape(str(stats['credentials']))}")
        if stats.get("witness_policy") is not None:
            out.print(f"witness policy: {escape(str(stats['witness_policy']))}")
        if stats.get("since") is not None:
            out.print(
                f"incremental: from the saved checkpoint of {stats['since']} entries; {stats.get('verified_before')} ballots verified before it"
            )
    for note in report.notes:
        out.print(f"  [dim]{escape(report.format)} convention: {escape(note)}[/]")
    _sections(out, report)
    out.print()
    if report.passed:
        out.print("[bold green]VERIFIED[/]: every check that applies to this record passed.")
        if report.verified_result is not None:
            out.print()
            out.print("[bold]Verified result[/] (docs/record-format.md §8.5)")
            for line in result_lines(report.verified_result):
                out.print(escape(line))
    else:
        failed = sum(v.status is Status.FAILED for v in report.verifications)
        out.print(f"[bold red]NOT VERIFIED[/]: {failed} verification(s) failed.")


def _system_summary(out: Console, report: Report) -> None:
    """A Helios or Belenios record: what was checked, the sections, and the outcome in plain words."""
    stats = report.statistics
    out.print(f"checklist: {escape(str(report.specification))}")
    ballots = stats.get("ballots")
    out.print(f"{ballots} ballot{'' if ballots == 1 else 's'} verified, {stats.get('seconds')} s")
    for key, value in stats.items():
        if key not in RUN_STATISTICS and value is not None:
            out.print(f"{escape(key.replace('_', ' '))}: {escape(str(value))}")
    for note in report.notes:
        out.print(f"  [dim]cannot be proved by this record: {escape(note)}[/]")
    _sections(out, report)
    out.print()
    if report.outcome == "failed":
        failed = sum(v.status is Status.FAILED for v in report.verifications)
        out.print(f"[bold red]NOT VERIFIED[/]: {failed} section(s) failed.")
        return
    if report.outcome == "consistent":
        out.print(
            f"[bold yellow]CONSISTENT[/]: no check failed; {escape(str(report.weak_fiat_shamir))} (exit status 3). "
            "Their challenges hash only the commitments, so a dishonest prover could have made proofs of false "
            "statements that check: this is not evidence of integrity against a malicious authority."
        )
    else:
        out.print("[bold green]VERIFIED[/]: every check that applies to this record passed.")
    if report.verified_result is not None:
        out.print()
        out.print("[bold]Result, consistent with the record[/]" if report.outcome == "consistent" else "[bold]Verified result[/]")
        for line in system_result_lines(report.verified_result):
            out.print(escape(line))
    else:
        out.print(f"No result is stated: {escape(report.no_result_because)}.")


def _sections(out: Console, report: Report) -> None:
    out.print()
    styles = {Status.PASSED: "green", Status.FAILED: "bold red", Status.NOT_APPLICABLE: "dim", Status.CONSISTENT: "yellow"}
    for v in report.verifications:
        style = styles[v.status]
        status = report.weak_fiat_shamir if v.status is Status.CONSISTENT else v.status.value
        held = "held" if v.status is Status.CONSISTENT else "passed"
        out.print(
            f"{str(v.number):>2}. {escape(v.title)} ({v.section}): [{style}]{escape(str(status))}[/] — {v.passed} {held}, {v.failed} failed"
        )
        for step in v.steps:
            if step.status is Status.NOT_APPLICABLE and step.count.reasons:
                out.print(f"      [dim]{step.id} not applicable: {escape(step.count.reasons[0])}[/]")
        for finding in v.warnings():
            out.print(f"      [yellow]{finding.check} warning[/] {escape(finding.subject)}: {escape(finding.message)}")
        for finding in v.first_failures(SHOWN_FAILURES):
            out.print(f"      [red]{finding.check}[/] {escape(finding.subject)}: {escape(finding.message)}")
            if finding.origin:
                out.print(f"         in {escape(finding.origin)}")
            if finding.expected is not None:
                out.print(f"         expected {escape(_short(finding.expected))}")
            if finding.found is not None:
                out.print(f"         found    {escape(_short(finding.found))}")


def _attach_result(election: ElectionRecord, report: Report, language: str | None = None) -> None:
    """The result the verifier verified (voting/verifier/result.py), or why the report states none."""
    try:
        report.verified_result = verified_result(election, report, language)
    except NoResult as absent:
        report.no_result_because = str(absent)


def _short(value: str, width: int = 100) -> str:
    """Long evidence (4096-bit numbers) shortened for the terminal; the JSON and HTML reports keep it whole."""
    return value if len(value) <= width else f"{value[:60]}…{value[-16:]} ({len(value)} characters)"


if __name__ == "__main__":  # pragma: no cover
    main()
