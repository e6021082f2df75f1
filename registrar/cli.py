"""``evote-registrar``: the credential authority's tool, on its own machine (docs/guide-registrar.md).

    evote-registrar init  --dir ~/registrar --name "Riverton Credential Office"
    evote-registrar key   --dir ~/registrar           # the public key the administrator names in the election
    evote-registrar accept --dir ~/registrar --board https://board.example --election riverton-2026
    evote-registrar issue --dir ~/registrar --roll roll.csv --election riverton-2026 --manifest manifest.json
    evote-registrar publish --dir ~/registrar --board https://board.example
    evote-registrar cards --dir ~/registrar --out cards.pdf --booth-url https://vote.example/ --organizer "City of Riverton"
    evote-registrar send  --dir ~/registrar --smtp smtps://mail.example:465 --from cards@registrar.example
    evote-registrar revoke --dir ~/registrar --board https://board.example --voter-id V017 --reason "left the roll"
    evote-registrar replace --dir ~/registrar --board https://board.example --voter-id V005 --reason "card lost" --out v005.pdf
    evote-registrar erase --dir ~/registrar --board https://board.example
    evote-registrar status --dir ~/registrar --board https://board.example

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

from bulletin_board.log_format.client import BoardClientError
from voting.credential_list import MAX_WEIGHT
from voting.errors import ManifestError, VotingError
from voting.manifest import parse_manifest
from voting.record.common import RecordError
from voting.record.election import check_election_id

from . import publish as board_steps
from .board import BoardError, client_for, read_board
from .cards import CardError, CardSettings, check_settings, render_cards
from .delivery_log import DeliveryLog, DeliveryLogError
from .erase import erase_credentials, erase_voter_keys
from .issuing import ERASED_FILE, Holder, Issued, IssueError, issue, load, public_part, read_json, save
from .mail import MailError, Plan, check_sender, connector, deliver, parse_rate, parse_smtp_url, plan
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
    except (VaultError, IssueError, CardError, MailError, DeliveryLogError, VotingError, RecordError, BoardError, BoardClientError) as exc:
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
board_option = click.option("--board", "board_url", required=True, envvar="EVOTE_BOARD_URL", show_envvar=True,
                            help="the board's address, http(s)://host[:port]")
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
    console.print("Next: sign and post the roll commitment and the list (evote-registrar publish), then make the cards (evote-registrar cards).")
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
@click.option("--board", "board_url", default=None, envvar="EVOTE_BOARD_URL", show_envvar=True,
              help="also post the statement to this board (registrar.erased, signed)")
@click.option("--voter-keys", "voter_keys", is_flag=True, help="also destroy voter-keys.vault (after the election closes: no card can be replaced by voter id any more)")
@passphrase_option
def erase(directory: str, yes: bool, board_url: str | None, voter_keys: bool, passphrase_file: str | None) -> None:
    """Destroy the private credentials file (after delivery), print the statement, and post it with --board.

    The file is overwritten and removed; on SSDs, snapshots and backups that cannot be guaranteed (see
    docs/guide-registrar.md), but it was only ever written sealed under the passphrase. Run again with
    --board after a failed post: the statement already written is posted once."""
    path = Path(directory)

    def run():
        info = Vault(directory).public_info()
        client = client_for(board_url) if board_url else None
        vault = _open(directory, passphrase_file) if client else None  # the signature needs the key: ask before erasing
        already = (path / ERASED_FILE).exists()
        if already and not voter_keys and client is None:
            raise IssueError(f"the credentials of {directory} were already erased (see {ERASED_FILE}); give --board to post the statement")
        if not already or voter_keys:
            sent = {r.voter_id for r in DeliveryLog(path).last_status().values() if r.status == "sent"}
            what = " and ".join(([] if already else ["the private credentials"]) + (["the voter keys"] if voter_keys else []))
            if not yes:
                if not sys.stdin.isatty():
                    raise IssueError("erasing cannot be undone: add --yes when not at a terminal")
                click.confirm(f"Erase {what} in {directory} for good ({len(sent)} card(s) e-mailed so far)?", abort=True)
        statement = read_json(path / ERASED_FILE) if already else erase_credentials(path, str(info.get("name", "")), info["public_key"])
        if voter_keys:
            statement = erase_voter_keys(path)
        posted = None
        if client is not None and vault is not None:
            posted = board_steps.post_erasure(client, vault, statement["election_id"])
        return statement, already, posted

    statement, already, posted = _guard(run)
    if not already:
        console.print("The private credentials are erased. The statement (also in erased.json):")
        click.echo(json.dumps(statement, indent=1))
    if voter_keys:
        console.print("The voter keys (voter-keys.vault) are erased: no card can be revoked or replaced by voter id any more.")
    if posted is None:
        console.print("Publish it: run 'evote-registrar erase --dir … --board URL' to post it signed (registrar.erased).")
    else:
        console.print("The signed statement is on the board (registrar.erased)." if posted else "The board already holds this statement.")


def _board_and_vault(directory: str, board_url: str, passphrase_file: str | None):
    client = client_for(board_url)
    return client, _open(directory, passphrase_file)


@main.command()
@directory_option
@board_option
@click.option("--election", "election_id", required=True, help="the election that names this registrar")
@passphrase_option
def accept(directory: str, board_url: str, election_id: str, passphrase_file: str | None) -> None:
    """Accept the registrar's role in an election (registrar.accepted, signed), after checking it names this key."""

    def run() -> bool:
        check_election_id(election_id, "--election")
        client, vault = _board_and_vault(directory, board_url, passphrase_file)
        return board_steps.accept(client, vault, election_id)

    posted = _guard(run)
    console.print(f"Accepted the registrar's role in {election_id} (registrar.accepted)." if posted
                  else f"The board already holds this registrar's acceptance for {election_id}; nothing posted.")  # fmt: skip


@main.command("publish")
@directory_option
@board_option
@passphrase_option
def publish_command(directory: str, board_url: str, passphrase_file: str | None) -> None:
    """Post the roll commitment and the credential list, signed; again after an interruption posts only what is missing."""
    client, vault = _guard(lambda: _board_and_vault(directory, board_url, passphrase_file))  # the prompt before the bar
    with _progress() as progress:
        task = progress.add_task("credentials", total=None)
        outcome = _guard(lambda: board_steps.publish(client, vault, lambda total: progress.update(task, total=total),
                                                     lambda n: progress.advance(task, n)))  # fmt: skip
    election_id = _guard(lambda: board_steps.issued_election(Path(directory)))
    roll = "posted the roll commitment (registrar.roll)" if outcome.roll_posted else "the roll commitment was already on the board"
    console.print(f"{election_id}: {roll}; posted {outcome.posted} credential(s) in {outcome.entries} entr{'y' if outcome.entries == 1 else 'ies'}; "
                  f"{outcome.already} were already listed.")  # fmt: skip


@main.command()
@directory_option
@board_option
@click.option("--voter-id", "voter_ids", multiple=True, help="revoke this voter's current credential (repeatable)")
@click.option("--credential-key", "keys", multiple=True, help="revoke the credential with this public key (repeatable)")
@click.option("--reason", required=True, help="why, in a few words (public: it goes into the signed entry; never a voter's name)")
@passphrase_option
def revoke(directory: str, board_url: str, voter_ids: tuple[str, ...], keys: tuple[str, ...], reason: str, passphrase_file: str | None) -> None:
    """Take credentials off the list before the election opens (registrar.revoked, signed)."""
    if not voter_ids and not keys:
        _fail("name what to revoke: --voter-id ID or --credential-key KEY")

    def run():
        parse_reason(reason)
        client, vault = _board_and_vault(directory, board_url, passphrase_file)
        return board_steps.revoke(client, vault, voter_ids, keys, reason.strip())

    now, before = _guard(run)
    console.print(f"Revoked {len(now)} credential(s) (registrar.revoked)." + (f" {len(before)} were revoked already." if before else ""))


@main.command()
@directory_option
@board_option
@click.option("--voter-id", required=True, help="the voter whose card is lost")
@click.option("--reason", required=True, help="why, in a few words (public: it goes into the signed entry; never a voter's name)")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="the new card's PDF (mode 0600)")
@click.option("--send", "send_it", is_flag=True, help="also e-mail the new card to the voter (with --smtp and --from, as 'send')")
@click.option("--smtp", "smtp_url", default=None, help="with --send: smtp://host:port (with --starttls) or smtps://host:port")
@click.option("--starttls", is_flag=True, help="with --send: upgrade an smtp:// connection to TLS")
@click.option("--from", "sender", envvar="EVOTE_SMTP_FROM", default=None, help="with --send: the sender's address (default: $EVOTE_SMTP_FROM)")
@passphrase_option
def replace(directory: str, board_url: str, voter_id: str, reason: str, out: str, send_it: bool, smtp_url: str | None, starttls: bool,
            sender: str | None, passphrase_file: str | None) -> None:  # fmt: skip
    """Re-issue a lost card while the election is open: a new credential of the same style and weight (registrar.replaced)."""
    if (smtp_url or starttls) and not send_it:
        _fail("--smtp and --starttls go with --send")

    def run():
        parse_reason(reason)
        mail = None
        if send_it:
            if not smtp_url:
                raise MailError("--send needs --smtp (the SMTP server's URL)")
            from_address = check_sender(sender)
            connect = connector(parse_smtp_url(smtp_url, starttls), os.environ.get("EVOTE_SMTP_USER") or None,
                                os.environ.get("EVOTE_SMTP_PASSWORD") or None)  # fmt: skip
            mail = (connect, from_address)
        settings = _card_settings(Path(directory))
        client, vault = _board_and_vault(directory, board_url, passphrase_file)
        election_id = board_steps.issued_election(Path(directory))

        def write_card(holder: Holder) -> None:
            pdf, _warnings = render_cards(public_part(Path(directory), election_id, (holder,)), settings, [holder])
            atomic_write(Path(out), pdf, mode=0o600)

        done = board_steps.replace(client, vault, voter_id, reason.strip(), write_card)
        return done, mail, settings, election_id

    done, mail, settings, election_id = _guard(run)
    what = "Finished the interrupted replacement" if done.resumed else "Replaced the card"
    console.print(f"{what} of voter {done.voter_id} (registrar.replaced): the old credential can no longer vote. New card: {out} (mode 0600).")
    if mail is None:
        return
    if not done.holder.voter.email:
        _fail(f"voter {done.voter_id} has no e-mail address on the roll: deliver the printed card {out}")
    connect, from_address = mail
    issued = public_part(Path(directory), election_id, (done.holder,))
    the_plan = Plan(to_send=[done.holder], resend={done.voter_id})
    outcome = _guard(lambda: deliver(issued, settings, the_plan, DeliveryLog(Path(directory)), connect, from_address, 0.0))
    if outcome.refused:
        _fail(f"the SMTP server refused the message to voter {done.voter_id} (code {outcome.refused[0][1]}): deliver the printed card {out}")
    console.print(f"The new card was e-mailed to voter {done.voter_id}.")


@main.command()
@directory_option
@board_option
@click.option("--election", "election_id", default=None, help="the election (default: the one this directory issued credentials for)")
def status(directory: str, board_url: str, election_id: str | None) -> None:
    """What the board holds for this registrar: accepted, roll, credentials listed, revoked, replaced, erased."""

    def run() -> list[str]:
        path = Path(directory)
        public_key = Vault(directory).public_info()["public_key"]
        election = election_id or board_steps.issued_election(path)
        check_election_id(election, "--election")
        return board_steps.status_lines(read_board(client_for(board_url), election), public_key, path)

    for line in _guard(run):
        click.echo(line)


def _card_settings(directory: Path) -> CardSettings:
    settings_path = directory / CARD_SETTINGS
    if not settings_path.exists():
        raise CardError("make the cards first (evote-registrar cards): a new card has the same settings as the others")
    return CardSettings.from_json(read_json(settings_path))


def parse_reason(reason: str) -> str:
    """The public reason of a revocation or replacement (record-format §11: 1 to 500 characters, one line)."""
    text = reason.strip()
    if not 1 <= len(text) <= 500 or any(ch in text for ch in "\r\n\t") or not text.isprintable():
        raise IssueError("--reason: 1 to 500 printable characters on one line")
    return text


if __name__ == "__main__":
    main()
