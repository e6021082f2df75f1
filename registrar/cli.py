"""``evote-registrar``: the credential authority's tool, on its own machine (docs/guide-registrar.md).

    evote-registrar init  --dir ~/registrar --name "Riverton Credential Office"
    evote-registrar key   --dir ~/registrar           # the public key the administrator names in the election
    evote-registrar issue --dir ~/registrar --roll roll.csv --election riverton-2026 --manifest manifest.json
    evote-registrar cards --dir ~/registrar --out cards.pdf --booth-url https://vote.example/ --organizer "City of Riverton"
    evote-registrar send  --dir ~/registrar --smtp smtps://mail.example:465 --from cards@registrar.example
    evote-registrar erase --dir ~/registrar

The passphrase is asked for (or read from the file named by --passphrase-file, or from
EVOTE_REGISTRAR_PASSPHRASE); it never appears on the command line. Errors are one clear sentence and exit
status 1, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from voting.credential_list import MAX_WEIGHT
from voting.errors import ManifestError, VotingError
from voting.manifest import parse_manifest
from voting.record.common import RecordError
from voting.record.election import check_election_id

from .cards import CardError, CardSettings, check_settings, render_cards
from .delivery_log import DeliveryLog, DeliveryLogError
from .erase import erase_credentials
from .issuing import Holder, Issued, IssueError, issue, load, read_json, save
from .mail import MailError, check_sender, connector, deliver, parse_rate, parse_smtp_url, plan
from .texts import LANGUAGES
from .vault import KDF_LIMITS, Vault, VaultError, atomic_write

console = Console(stderr=True, highlight=False, soft_wrap=True)
CARD_SETTINGS = "cards.json"
PASSPHRASE_ENV = "EVOTE_REGISTRAR_PASSPHRASE"


def _fail(message: str) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", markup=True)
    sys.exit(1)


def _guard(action):
    try:
        return action()
    except (VaultError, IssueError, CardError, MailError, DeliveryLogError, VotingError, RecordError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or 'a file'}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        _fail("interrupted; what was written is complete (run the same command again; 'send' takes --resume)")


def _passphrase(passphrase_file: str | None, *, confirm: bool = False) -> str:
    if passphrase_file:
        try:
            return Path(passphrase_file).read_text().rstrip("\n")
        except OSError as exc:
            _fail(f"cannot read the passphrase file: {exc.strerror}")
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if not sys.stdin.isatty():
        _fail(f"no passphrase: give --passphrase-file or set {PASSPHRASE_ENV} when not at a terminal")
    return click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm)


def _open(directory: str, passphrase_file: str | None) -> Vault:
    vault = Vault(directory)
    vault.open(_passphrase(passphrase_file))
    return vault


def _progress() -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


directory_option = click.option("--dir", "directory", required=True, type=click.Path(file_okay=False), help="the registrar's state directory (one election)")
passphrase_option = click.option("--passphrase-file", default=None, help=f"file holding the passphrase (default: ${PASSPHRASE_ENV}, else asked)")


@click.group()
@click.version_option(package_name="evote")
def main() -> None:
    """evote-registrar: issue an election's credentials, print and e-mail the voting cards, then forget them."""


@main.command()
@directory_option
@click.option("--name", required=True, help="the registrar's name as the election will list it")
@passphrase_option
@click.option("--kdf", type=click.Choice(sorted(KDF_LIMITS)), default="moderate", show_default=True, help="passphrase hardening (Argon2id)")
def init(directory: str, name: str, passphrase_file: str | None, kdf: str) -> None:
    """Create the state directory and the registrar's Ed25519 identity key (sealed under a passphrase)."""
    public_key = _guard(lambda: Vault(directory).create(_passphrase(passphrase_file, confirm=True), name.strip(), kdf=kdf))
    console.print(f"Created the registrar's directory {directory} for {name.strip()}.")
    console.print("Give the administrator and the observers this public key (it is also in public.json):")
    click.echo(public_key)


@main.command()
@directory_option
def key(directory: str) -> None:
    """Print the registrar's public key (upper-case hex, as election.created names it; no passphrase needed)."""
    click.echo(_guard(lambda: Vault(directory).public_info())["public_key"])


@main.command("issue")
@directory_option
@click.option("--roll", "roll_file", required=True, type=click.Path(dir_okay=False), help="the voter roll (CSV: voter_id, style, weight, email, language, postal columns)")
@click.option("--election", "election_id", required=True, help="the election identifier")
@click.option("--manifest", "manifest_file", required=True, type=click.Path(dir_okay=False), help="the election's manifest (its ballot styles)")
@click.option("--max-weight", default=1, show_default=True, type=click.IntRange(1, MAX_WEIGHT), help="the election's maximum weight")
@click.option("--language", "default_language", type=click.Choice(LANGUAGES), default="en", show_default=True, help="the cards' language for voters whose roll line names none")
@passphrase_option
def issue_command(directory: str, roll_file: str, election_id: str, manifest_file: str, max_weight: int, default_language: str, passphrase_file: str | None) -> None:  # fmt: skip
    """Give each voter of the roll a fresh credential; seal the private file; write the public list and roll commitment."""

    def run() -> Issued:
        check_election_id(election_id, "--election")
        try:
            manifest = parse_manifest(json.loads(Path(manifest_file).read_text(encoding="utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IssueError(f"{manifest_file} is not a JSON file ({exc})") from None
        except ManifestError as exc:
            raise IssueError(f"{manifest_file} is not a valid manifest: {exc}") from None
        roll_bytes = Path(roll_file).read_bytes()
        vault = _open(directory, passphrase_file)
        issued = issue(roll_bytes, election_id, manifest, max_weight, default_language)
        save(vault, issued)
        return issued

    issued = _guard(run)
    commitment = issued.roll_commitment
    styles = ", ".join(f"{style} {n}" for style, n in commitment["voters_per_style"].items())
    console.print(f"{commitment['voters']} credentials issued for {issued.election_id} ({styles}; total weight {commitment['total_weight']}).")
    console.print(f"Private: {Path(directory) / 'credentials.vault'} (sealed). Public: credential-list.json and roll-commitment.json.")
    console.print("Next: make the cards (evote-registrar cards); signing and posting the list to the board comes with the board step.")
    for warning in issued.warnings:
        console.print(f"[yellow]warning:[/] {warning}. Anyone can read these votes from the result.", markup=True)


@main.command()
@directory_option
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="the PDF to write (mode 0600): one page per voter")
@click.option("--booth-url", required=True, help="the booth's address printed on each card and in its QR code")
@click.option("--organizer", default=None, help="who runs the election (default: the manifest's info 'organizer')")
@click.option("--closes-at", default=None, help="when voting closes, as voters should read it (e.g. '3 November 2026, 20:00 CET')")
@click.option("--anchors-fingerprint", default=None, help="the trust anchors' fingerprint, sha256:<hex> ('evote anchors show')")
@click.option("--style-name", "style_names", multiple=True, metavar="STYLE=WORDS", help="a ballot style in words (repeatable; default: the manifest's info 'style.STYLE', else its label)")
@passphrase_option
def cards(directory: str, out: str, booth_url: str, organizer: str | None, closes_at: str | None, anchors_fingerprint: str | None,
          style_names: tuple[str, ...], passphrase_file: str | None) -> None:  # fmt: skip
    """Write every voter's card into one PDF, and keep these settings for 'send' (the e-mailed card is the printed one)."""

    def run() -> tuple[int, list[str]]:
        vault = _open(directory, passphrase_file)
        issued = load(vault)
        names = {}
        for item in style_names:
            label, sep, words = item.partition("=")
            if not sep or issued.manifest.style(label.strip()) is None:
                raise CardError(f"--style-name {item!r} is STYLE=WORDS with STYLE a ballot style of the manifest")
            names[label.strip()] = words.strip()
        who = organizer or issued.manifest.info.get("organizer")
        if not who:
            raise CardError("--organizer: the manifest names no organizer (info 'organizer'); say who runs the election")
        settings = check_settings(CardSettings(booth_url, who, closes_at, anchors_fingerprint, names))
        with _progress() as progress:
            task = progress.add_task("cards", total=len(issued.holders))

            def holders() -> Iterator[Holder]:
                for holder in issued.holders:
                    yield holder
                    progress.advance(task)

            pdf, warnings = render_cards(issued, settings, holders())
        atomic_write(Path(out), pdf, mode=0o600)
        atomic_write(Path(directory) / CARD_SETTINGS, (json.dumps(settings.to_json(), indent=1) + "\n").encode())
        return len(issued.holders), warnings

    count, warnings = _guard(run)
    for warning in warnings:
        console.print(f"[yellow]warning:[/] {warning}", markup=True)
    console.print(f"{count} cards written to {out} (mode 0600). It holds every credential: print it, then destroy it.")


@main.command()
@directory_option
@click.option("--smtp", "smtp_url", required=True, help="smtp://host:port (with --starttls) or smtps://host:port")
@click.option("--starttls", is_flag=True, help="upgrade an smtp:// connection to TLS")
@click.option("--from", "sender", envvar="EVOTE_SMTP_FROM", default=None, help="the sender's address (default: $EVOTE_SMTP_FROM)")
@click.option("--rate", default="30/min", show_default=True, help="at most this many messages a minute")
@click.option("--dry-run", is_flag=True, help="say who would get a message (and make one card per language); send nothing, log nothing")
@click.option("--resume", is_flag=True, help="go on after an interrupted run: skip the voters already sent, never re-send an uncertain one")
@click.option("--resend", "resend", multiple=True, metavar="VOTER_ID", help="with --resume: send this voter's card again (repeatable), e.g. an uncertain one you checked")
@passphrase_option
def send(directory: str, smtp_url: str, starttls: bool, sender: str | None, rate: str, dry_run: bool, resume: bool,
         resend: tuple[str, ...], passphrase_file: str | None) -> None:  # fmt: skip
    """E-mail each voter their own card (a one-page PDF) with a plain-text message in their language."""
    if resend and not resume:
        _fail("--resend goes with --resume")

    def prepare():
        server = parse_smtp_url(smtp_url, starttls)
        interval = parse_rate(rate)
        from_address = check_sender(sender)
        connect = connector(server, os.environ.get("EVOTE_SMTP_USER") or None, os.environ.get("EVOTE_SMTP_PASSWORD") or None)
        vault = _open(directory, passphrase_file)
        issued = load(vault)
        settings_path = Path(directory) / CARD_SETTINGS
        if not settings_path.exists():
            raise CardError("make the cards first (evote-registrar cards): the e-mailed card is the printed one, with the same settings")
        settings = CardSettings.from_json(read_json(settings_path))
        log = DeliveryLog(Path(directory))
        the_plan = plan(issued.holders, log, resume=resume or dry_run, resend=resend)
        return issued, settings, log, the_plan, connect, from_address, interval

    issued, settings, log, the_plan, connect, from_address, interval = _guard(prepare)
    if the_plan.uncertain:
        ids = ", ".join(h.voter.voter_id for h in the_plan.uncertain[:20]) + (" …" if len(the_plan.uncertain) > 20 else "")
        console.print(
            f"[yellow]uncertain:[/] {len(the_plan.uncertain)} voter(s) whose card may or may not have arrived (a run stopped "
            f"between the server's answer and the log): {ids}. Not re-sent: ask them, then name them with --resend.",
            markup=True,
        )
    if dry_run:
        languages = Counter(h.voter.language for h in the_plan.to_send)
        one_per_language = {h.voter.language: h for h in reversed(the_plan.to_send)}.values()  # the fonts and texts work
        _guard(lambda: [render_cards(issued, settings, [h]) for h in one_per_language])
        console.print(
            f"dry run: would send {len(the_plan.to_send)} message(s) ({', '.join(f'{k} {n}' for k, n in sorted(languages.items())) or 'none'}); "
            f"{len(the_plan.already_sent)} already sent; {len(the_plan.uncertain)} uncertain; {len(the_plan.no_address)} without an e-mail address."
        )
        return
    with _progress() as progress:
        task = progress.add_task("e-mail", total=len(the_plan.to_send))
        # a DeliveryStopped (a MailError) ends the run with one line: that voter is uncertain, --resume goes on
        outcome = _guard(lambda: deliver(issued, settings, the_plan, log, connect, from_address, interval, lambda h: progress.advance(task)))
    refused = "; ".join(f"{voter} ({code})" for voter, code in outcome.refused[:20])
    console.print(
        f"{outcome.sent} card(s) sent; {len(the_plan.already_sent)} sent before; {len(the_plan.no_address)} voter(s) without an "
        "e-mail address (deliver their printed card)." + (f" Refused by the server, retried on --resume: {refused}." if refused else "")
    )
    if the_plan.uncertain:
        _fail(f"{len(the_plan.uncertain)} uncertain voter(s) left (listed above): check with them, then run --resume --resend VOTER_ID")


@main.command()
@directory_option
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def erase(directory: str, yes: bool) -> None:
    """Destroy the private credentials file (after delivery) and print the statement to publish.

    The file is overwritten and removed; on SSDs, snapshots and backups that cannot be guaranteed (see
    docs/guide-registrar.md), but it was only ever written sealed under the passphrase."""

    def run():
        path = Path(directory)
        info = Vault(directory).public_info()
        sent = {r.voter_id for r in DeliveryLog(path).last_status().values() if r.status == "sent"}
        if not yes:
            if not sys.stdin.isatty():
                raise IssueError("erasing cannot be undone: add --yes when not at a terminal")
            click.confirm(f"Erase the private credentials in {directory} for good ({len(sent)} card(s) e-mailed so far)?", abort=True)
        return erase_credentials(path, str(info.get("name", "")), info["public_key"])

    statement = _guard(run)
    console.print("The private credentials are erased. Publish this statement (it is also in erased.json):")
    click.echo(json.dumps(statement, indent=1))


if __name__ == "__main__":
    main()
