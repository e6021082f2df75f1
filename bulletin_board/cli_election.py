"""The administrator's commands: ``evote credentials`` and ``evote election`` (they call the board's API).

Every value the administrator posts is computed here from the record downloaded from the board (checked
link by link) and recomputed again by the board before it appends. The admin token comes from
EVOTE_ADMIN_TOKEN or --token-file, never from the command line, and is never printed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console

from voting.credential_issuing import issue_credentials, roll_of_count
from voting.credential_list import MAX_WEIGHT
from voting.errors import ManifestError, VotingError
from voting.manifest import parse_manifest
from voting.manifest_egk import egk_manifest_file, is_egk_manifest
from voting.record.election import check_election_id, define_election
from voting.record.lifecycle import BALLOT_KINDS
from voting.record.results import election_result, result_csv_rows, result_text
from voting.voter_roll import read_roll_file

from . import admin_mix as mix
from . import admin_ops as ops
from .cli_status import print_status
from .cli_words import for_people
from .election_follower import election_state
from .election_status import election_status
from .log_format.client import BoardClient, BoardClientError
from .log_format.errors import BoardError


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _token(token_file: str | None) -> str | None:
    if token_file:
        try:
            return Path(token_file).read_text().strip()
        except OSError as exc:
            _fail(f"cannot read the token file: {exc.strerror}")
    return os.environ.get("EVOTE_ADMIN_TOKEN") or None


board_option = click.option(
    "--board", envvar="EVOTE_BOARD_URL", show_envvar=True, default="http://127.0.0.1:8000", show_default=True, help="the board's URL"
)
token_option = click.option("--token-file", default=None, help="file holding the admin token (default: $EVOTE_ADMIN_TOKEN)")


TIME_HELP = "UTC as 2026-12-03T17:00:00Z, or a local time with its offset as 2026-12-03T18:00:00+01:00 (converted, and said)"


def _say(message: str) -> None:
    click.echo(message, err=True)


def _client(board: str, token_file: str | None) -> BoardClient:
    try:
        return BoardClient(board, admin_token=_token(token_file))
    except BoardClientError as exc:
        _fail(for_people(exc))


def _guard(action):
    try:
        return action()
    except (BoardClientError, VotingError, OSError, ValueError) as exc:
        _fail(for_people(exc))
    except BoardError as exc:  # the board served a broken chain or a malformed entry
        _fail(f"the board's log does not check: {for_people(exc)}. Keep the record as it is and tell the board's operator.")


def _resumable(action) -> None:
    """Run a command that posts step by step: an interruption leaves every posted step, and running it again goes on."""
    try:
        click.echo(_guard(action))
    except KeyboardInterrupt:
        _fail("interrupted; every step already posted stays on the board: run the same command again to go on")


MANIFEST_SCHEMAS = ("auto", "evote", "egk")
schema_option = click.option(
    "--manifest-schema", "schema", type=click.Choice(MANIFEST_SCHEMAS), default="auto", show_default=True,
    help="the manifest's schema: evote's own (record-format §2) or egk's (its file is hashed into H_M as written, "
         "so that the election can be exported in egk's layout); auto: egk when the file has election_scope_id",
)  # fmt: skip


def _read_manifest(path: str, schema: str) -> tuple[object, str | None]:
    """(evote manifest document, egk file text or None) from a manifest file (record-format §2, §2.2)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a JSON file: {exc}") from None
    if schema == "egk" or (schema == "auto" and is_egk_manifest(document)):
        try:
            return egk_manifest_file(text, path)[1], text
        except ManifestError as exc:
            raise ValueError(f"{path} is not an egk manifest evote can run: {exc}") from None
    return document, None


# --- evote credentials --------------------------------------------------------------------------------


@click.group()
def credentials() -> None:
    """Voter credentials: one secret per voter, public keys for the board."""


@credentials.command("generate")
@click.option("--election", required=True, help="the election identifier the credentials are for")
@click.option("--manifest", "manifest_file", required=True, type=click.Path(dir_okay=False), help="the election's manifest (its ballot styles)")
@click.option("--roll", "roll_file", default=None, type=click.Path(dir_okay=False), help="voter roll CSV: voter_id, style, optional weight, other columns kept for the cards")
@click.option("--count", "number", default=None, type=click.IntRange(1, 10_000_000), help="without a roll: how many voters, numbered from 1")
@click.option("--style", default=None, help="with --count: their ballot style (may be left out when the manifest has one)")
@click.option("--weight", default=1, show_default=True, type=click.IntRange(1), help="with --count: their weight")
@click.option("--max-weight", default=1, show_default=True, type=click.IntRange(1, MAX_WEIGHT), help="the election's maximum weight (evote election create --max-weight)")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="directory for the two files")
@schema_option
def generate(election: str, manifest_file: str, roll_file: str | None, number: int | None, style: str | None, weight: int, max_weight: int, out: str, schema: str) -> None:  # fmt: skip
    """Write credentials-private.csv (for delivery to voters) and credentials-public.json (for the board).

    One fresh credential per voter of the roll (or of --count). The private file links each credential to
    its voter (with the roll's other columns, for the voting cards); the public list holds only public keys,
    ballot styles and weights, sorted by key, so it names no voter (record-format §4.1).
    """
    directory = Path(out)
    private, public = directory / "credentials-private.csv", directory / "credentials-public.json"

    def run():
        check_election_id(election, "--election")
        try:
            manifest = parse_manifest(_read_manifest(manifest_file, schema)[0])
        except ManifestError as exc:
            raise ValueError(f"{manifest_file} is not a valid manifest: {exc}") from None
        styles = [s.label for s in manifest.ballot_styles]
        if (roll_file is None) == (number is None):
            raise ValueError("give either --roll ROLL.csv or --count N (with --style)")
        if roll_file is not None:
            if style is not None or weight != 1:
                raise ValueError("--style and --weight go with --count; a roll gives each voter's style and weight")
            roll = read_roll_file(roll_file, styles, max_weight)
        else:
            if style is None and len(styles) != 1:
                raise ValueError(f"--style: the manifest has several ballot styles ({', '.join(styles)}); name the voters' style")
            roll = roll_of_count(number, style or styles[0], weight, styles, max_weight)
        for existing in (private, public):
            if existing.exists():
                raise ValueError(f"{existing} exists; refusing to overwrite credentials that may have been handed out")
        issued = issue_credentials(election, roll)
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(issued.private_rows())
        fd = os.open(public, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(issued.public_payload(), indent=1) + "\n")
        return issued, manifest

    issued, manifest = _guard(run)
    click.echo(f"{len(issued.issued)} credentials: private {private} (mode 0600, deliver each line to its voter), public {public}")
    for warning in issued.warnings(manifest):
        click.echo(f"warning: {warning}. Anyone can read these votes from the result: change the weights, or tell those voters.", err=True)


# --- evote election -----------------------------------------------------------------------------------


@click.group()
def election() -> None:
    """Administer an election on the board: create, credentials, open, close, tally."""


@election.command("create")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False))
@click.option("--id", "election_id", required=True, help="a new election identifier")
@click.option("--trustees", "trustees_file", required=True, type=click.Path(exists=True, dir_okay=False), help="JSON list of {name, identity_key}, in guardian order")
@click.option("--quorum", "k", required=True, type=click.IntRange(1), help="k: trustees needed to decrypt")
@click.option("--revote-rule", type=click.Choice(["last", "first"]), default="last", show_default=True)
@click.option("--max-weight", default=1, show_default=True, type=click.IntRange(1, MAX_WEIGHT), help="the largest weight a voter's credential may carry")
@click.option("--organizer", "organizer_name", help="who runs the election, as voters should read it (e.g. 'City of Riverton')")
@click.option("--contact", help="how voters reach the organizer: an e-mail address, a telephone number or an address")
@click.option("--help-url", help="an https page that helps voters vote")
@click.option("--privacy-url", help="the https page of the election's privacy notice")
@click.option("--registrar-key", help="the independent credential authority's public key (evote-registrar key): only it lists credentials")
@click.option("--registrar-name", help="the credential authority's name, as voters and observers should read it")
@click.option("--voter-login", "cards_by", type=click.Choice(["post", "email", "hand"]),
              help="the board asks voters for a code it e-mails them; the value says how the voting cards travel")
@click.option("--opens-at", metavar="TIME", help=f"the board opens the election itself at this time: {TIME_HELP}")
@click.option("--closes-at", metavar="TIME", help="the board closes it itself at this time (with --opens-at)")
@schema_option
@board_option
@token_option
def create(manifest: str, election_id: str, trustees_file: str, k: int, revote_rule: str, max_weight: int, organizer_name: str | None,
           contact: str | None, help_url: str | None, privacy_url: str | None, registrar_key: str | None, registrar_name: str | None,
           cards_by: str | None, opens_at: str | None, closes_at: str | None, schema: str, board: str, token_file: str | None) -> None:  # fmt: skip
    """Create an election from MANIFEST and register the trustees' identity keys.

    Each voter's credential is bound to a ballot style and a weight from 1 to --max-weight (a version-2
    credential list, record-format §4.1). --organizer and --contact (with the optional --help-url and
    --privacy-url) appear at the foot of every booth page of the election. With --registrar-key and
    --registrar-name, only that credential authority lists credentials (evote-registrar); with --voter-login,
    the board asks each voter for a code it e-mails before it accepts a ballot. With --opens-at and --closes-at
    the board opens the election at the first (once the key ceremony is done and credentials are listed),
    accepts ballots only until the second, and then closes it: nobody needs to be at a keyboard. A manifest in
    egk's schema (--manifest-schema) is hashed into H_M as written, so that `evote record export --format egk`
    can write the election in egk's layout with egk's H_M, H_B and H_E (docs/export-egk.md)."""
    def run():
        organizer = None
        if organizer_name is not None or contact is not None or help_url is not None or privacy_url is not None:
            if organizer_name is None or contact is None:
                raise ValueError("--organizer and --contact go together (the links are optional)")
            links = {key: value for key, value in (("help_url", help_url), ("privacy_url", privacy_url)) if value is not None}
            organizer = {"name": organizer_name, "contact": contact, **links}
        if (registrar_key is None) != (registrar_name is None):
            raise ValueError("--registrar-key and --registrar-name go together")
        registrar = {"name": registrar_name, "public_key": registrar_key.strip().upper()} if registrar_key and registrar_name else None
        voter_login = {"method": "email-code", "cards_by": cards_by} if cards_by else None
        schedule = ops.schedule_times(opens_at, closes_at, _say)
        roster = json.loads(Path(trustees_file).read_text())
        if not isinstance(roster, list) or not all(isinstance(t, dict) for t in roster):
            raise ValueError("the trustees file is a JSON list of {name, identity_key}")
        document, egk_text = _read_manifest(manifest, schema)
        if egk_text is None:
            definition = ops.create_election(
                _client(board, token_file), election_id, document, roster, k, revote_rule, max_weight,
                organizer, registrar, voter_login, schedule,
            )  # fmt: skip
        else:  # the egk file itself goes into election.created (record-format §2.2)
            trustees = [{"index": n + 1, "name": t.get("name"), "identity_key": t.get("identity_key")} for n, t in enumerate(roster)]
            definition = define_election(election_id, None, trustees, k, revote_rule, max_weight=max_weight, organizer=organizer,
                                         registrar=registrar, voter_login=voter_login, schedule=schedule, egk_manifest_text=egk_text)
            _client(board, token_file).create_election(definition.to_payload())
        params = definition.parameters
        window = f"; opens {schedule['opens_at']}, closes {schedule['closes_at']} (UTC, kept by the board)" if schedule else ""
        schema_note = "; manifest in egk's schema, its file hashed into H_M as written" if egk_text is not None else ""
        return (f"created {election_id}: n = {definition.n}, k = {k}, maximum weight {max_weight}; H_M {params.H_M.hex().upper()[:16]}…, "
                f"H_B {params.H_B.hex().upper()[:16]}…{window}{schema_note}")  # fmt: skip

    click.echo(_guard(run))


@election.command("credentials")
@click.argument("election_id")
@click.argument("public_file", type=click.Path(exists=True, dir_okay=False))
@board_option
@token_option
def publish_credentials(election_id: str, public_file: str, board: str, token_file: str | None) -> None:
    """Publish the public credential list (before the election opens; frozen afterwards).

    PUBLIC_FILE is the credentials-public.json of `evote credentials generate` (version 2); a version-1
    election (made by an older release) takes its list of public keys. The whole list is checked against
    the election before anything is posted."""
    def run():
        try:
            document = json.loads(Path(public_file).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{public_file} is not a JSON file: {exc}") from None
        count_ = ops.publish_credentials(_client(board, token_file), election_id, document)
        return f"published {count_} credentials for {election_id}"

    click.echo(_guard(run))


@election.command("logins")
@click.argument("election_id")
@click.argument("roll_file", metavar="ROLL.csv", type=click.Path(exists=True, dir_okay=False))
@board_option
@token_option
def logins(election_id: str, roll_file: str, board: str, token_file: str | None) -> None:
    """Give the board the voters' logins for a voter-login election (evote election create --voter-login).

    ROLL.csv is the voter roll in the registrar's format (voter_id, style, weight, email, language, postal
    columns). Only each voter's id, e-mail address, style, weight and language are sent, in batches; a roll
    with a credential column is refused (the board must never see a credential), and every voter needs an
    e-mail address. Before the election opens a changed line replaces the voter's login; while it is open only
    new voters are added. Running it again is safe: what the board holds already is counted unchanged."""
    def run():
        outcome = ops.upload_logins(_client(board, token_file), election_id, Path(roll_file).read_bytes())
        return (f"{election_id}: {outcome.added} login(s) added, {outcome.replaced} replaced, {outcome.unchanged} unchanged "
                f"(in {len(outcome.batches)} request(s)); the board now holds {outcome.logins}")  # fmt: skip

    click.echo(_guard(run))


def _simple(kind: str, help_text: str):
    @click.argument("election_id")
    @board_option
    @token_option
    def command(election_id: str, board: str, token_file: str | None) -> None:
        _guard(lambda: _client(board, token_file).post_admin(election_id, kind, {}))
        click.echo(f"{election_id}: {kind}")

    command.__doc__ = help_text
    return command


@election.command("schedule")
@click.argument("election_id")
@click.option("--opens-at", metavar="TIME", required=True, help=f"when the board opens the election: {TIME_HELP}")
@click.option("--closes-at", metavar="TIME", required=True, help="when the board closes it")
@board_option
@token_option
def schedule(election_id: str, opens_at: str, closes_at: str, board: str, token_file: str | None) -> None:
    """Set or change when the board opens and closes ELECTION_ID, before it opens (an election.scheduled entry).

    At --opens-at the board opens the election itself if the key ceremony is done and credentials are listed
    (otherwise evote election status says what is missing, and it opens as soon as it is ready); it refuses
    ballots outside the window by its own clock and closes the election at --closes-at. Once open, only the
    close moves, later: evote election extend."""
    def run():
        window = ops.schedule_times(opens_at, closes_at, _say)
        assert window is not None
        ops.schedule_election(_client(board, token_file), election_id, window)
        return f"{election_id}: the board opens it at {window['opens_at']} and closes it at {window['closes_at']} (UTC)"

    click.echo(_guard(run))


@election.command("extend")
@click.argument("election_id")
@click.option("--closes-at", metavar="TIME", required=True, help=f"the new, later close: {TIME_HELP}")
@board_option
@token_option
def extend(election_id: str, closes_at: str, board: str, token_file: str | None) -> None:
    """Move the scheduled close of an open election later (an election.extended entry, checked by the verifier).

    Only before the scheduled close has come: once the board closes the election, it stays closed."""
    def run():
        time_, note = ops.admin_time(closes_at, "--closes-at")
        if note:
            _say(note)
        former = ops.extend_election(_client(board, token_file), election_id, time_)
        return f"{election_id}: the board now closes it at {time_} (UTC) instead of {former}"

    click.echo(_guard(run))


@election.command("cancel")
@click.argument("election_id")
@click.option("--reason", required=True, help="why, in 1 to 500 characters: voters and observers read it on the board")
@board_option
@token_option
def cancel(election_id: str, reason: str, board: str, token_file: str | None) -> None:
    """Cancel ELECTION_ID for good (an election.cancelled entry: nothing can be appended after it).

    Allowed until the encrypted tally is posted, never after: the decryption then reveals enough to compute
    the result, so a cancel could hide a result that someone has already read. The election leaves the booth's
    list (still reachable by its id, marked cancelled) and its record still verifies."""
    def run():
        phase = ops.cancel_election(_client(board, token_file), election_id, reason)
        return f"{election_id}: cancelled (it was {phase}); nothing more can be appended, and its record still verifies"

    click.echo(_guard(run))


election.command("open")(_simple("election.opened", "Open the election for ballots (the key ceremony must be complete)."))
election.command("close")(_simple("election.closed", "Close the election: no more ballots."))


@election.command("keygen-result")
@click.argument("election_id")
@board_option
@token_option
def keygen_result(election_id: str, board: str, token_file: str | None) -> None:
    """Post the key ceremony's outcome (joint key K and H_E, or the trustees proven faulty)."""
    def run():
        payload = ops.keygen_result(_client(board, token_file), election_id)
        if payload["status"] == "complete":
            return f"{election_id}: joint key posted; H_E {payload['H_E'][:16]}… — each trustee now confirms it"
        named = "; ".join(f"trustee {f['guardian']}: {f['reason']}" for f in payload["faulty"])
        return f"{election_id}: the key ceremony FAILED ({named}); create a new election with a replacement trustee"

    click.echo(_guard(run))


@election.command("status")
@click.argument("election_id")
@click.option("--json", "as_json", is_flag=True, help="print the status as one JSON object for scripts (docs/guide-administrator.md)")
@board_option
def status(election_id: str, as_json: bool, board: str) -> None:
    """Where ELECTION_ID stands: phase and timeline, counts, each trustee's progress, the latest checkpoint.

    Computed from the board's entries, each checked against the previous one and replayed through the
    election's rules. Times are the board's received_at, in UTC."""
    outcome = _guard(lambda: election_status(BoardClient(board), election_id))
    if as_json:
        click.echo(json.dumps(outcome, indent=2, ensure_ascii=False))
    else:
        print_status(outcome, Console(highlight=False, soft_wrap=False))


@election.command("tally")
@click.argument("election_id")
@click.option("--wait", "wait_seconds", default=3600, show_default=True, type=click.IntRange(0),
              help="with contests counted from rows: how long to wait for the trustees' mixes, in seconds")  # fmt: skip
@board_option
@token_option
def tally(election_id: str, wait_seconds: int, board: str, token_file: str | None) -> None:
    """Post the encrypted tally: the product of the counted ballots (after close).

    With contests counted from rows (ranked or graded, record-format §12), it first posts each such contest's
    mix.input (the rows of the counted ballots) and waits until at least k trustees have mixed it
    (`evote-trustee mix`); `evote election mix-status` shows who has. Stopping it is safe: run it again."""
    def run():
        client = _client(board, token_file)
        mix.prepare_tally(client, election_id, wait_seconds=wait_seconds, say=_say)
        payload = ops.post_tally(client, election_id)
        return (
            f"{election_id}: encrypted tally of {payload['ballot_count']} counted ballot(s) posted; "
            f"{len(payload['challenged'])} challenged ballot(s) for the trustees to decrypt"
        )

    _resumable(run)


@election.command("mix-status")
@click.argument("election_id")
@click.option("--json", "as_json", is_flag=True, help="print one JSON list for scripts")
@board_option
def mix_status(election_id: str, as_json: bool, board: str) -> None:
    """Where the mix of ELECTION_ID stands: per contest counted from rows, its rows, the mixes done and by
    whom (each proof of shuffle checked by this command's own replay), and what is awaited."""
    state, _ = _guard(lambda: election_state(BoardClient(board), election_id))
    contests = mix.mix_status(state)
    if as_json:
        click.echo(json.dumps([c.to_json() for c in contests], indent=2, ensure_ascii=False))
        return
    if not contests:
        click.echo(f"{election_id} has no contest counted from rows: there is nothing to mix")
        return
    for c in contests:
        rows = "no mix.input yet" if c.rows is None else f"{c.rows} row(s)"
        done = ", ".join(f"mix {m['position']} by trustee {m['trustee']} ({m['name']})" for m in c.mixes) or "no mix yet"
        click.echo(f"{c.contest}: {rows}; {done}; awaiting {c.awaiting}")


@election.command("decrypt")
@click.argument("election_id")
@click.option("--wait", "wait_seconds", default=600, show_default=True, type=click.IntRange(0), help="how long to wait for the trustees, in seconds (a new round waits again)")
@click.option("--quorum-wait", default=5, show_default=True, type=click.IntRange(0), help="once k trustees sent their partial decryptions, seconds to wait for more")
@click.option("--exclude", "exclude", multiple=True, type=click.IntRange(1), metavar="TRUSTEE",
              help="first exclude this trustee (by number) from the current round: only one who has not answered its challenge, or answered wrongly (repeatable)")  # fmt: skip
@click.option("--exclude-unresponsive", is_flag=True, help="exclude the trustees who have not answered a round's challenge within --answer-wait, and go on with the others")
@click.option("--answer-wait", default=300, show_default=True, type=click.IntRange(0), help="with --exclude-unresponsive: seconds the trustees of a round have to answer its challenge")
@board_option
@token_option
def decrypt(
    election_id: str, wait_seconds: int, quorum_wait: int, exclude: tuple[int, ...], exclude_unresponsive: bool, answer_wait: int,
    board: str, token_file: str | None,
) -> None:  # fmt: skip
    """Combine the trustees' partial decryptions and publish the result.

    Each round, once the trustees have sent their partial decryptions, this posts the joint challenge, checks
    every answer and publishes the result; a trustee whose answer is wrong is excluded and a new round starts
    with the others. A trustee who never answers holds the round up: exclude it with --exclude TRUSTEE (or
    --exclude-unresponsive after --answer-wait). The board accepts an exclusion only for a trustee whose
    answer is missing or wrong, and only while at least k trustees remain; otherwise nothing is posted.
    Stopping this command is safe: run it again to go on.
    """
    def run():
        state = ops.decrypt(
            _client(board, token_file), election_id, wait_seconds=wait_seconds, quorum_wait=quorum_wait,
            say=lambda m: click.echo(m, err=True), exclude=exclude, exclude_unresponsive=exclude_unresponsive,
            answer_wait=answer_wait,
        )  # fmt: skip
        return ops.format_result(state)

    _resumable(run)


@election.command("result")
@click.argument("election_id")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="text for people; json (the words of docs/record-format.md §8.5 as fields); csv, one row per option")  # fmt: skip
@click.option("--language", metavar="TAG", help="Contest titles and option names in this language of the manifest (e.g. fr); "
              "each text falls back to the manifest's default language [default: the manifest's default language]")  # fmt: skip
@board_option
def result(election_id: str, output_format: str, language: str | None, board: str) -> None:
    """Print the published result: per contest the votes, shares and winners (or a tie), then the turnout."""
    def run():
        state, entries = election_state(BoardClient(board), election_id)
        ballots = ((e.seq, e.kind, json.loads(e.payload)) for e in entries if e.kind in BALLOT_KINDS)
        return state, election_result(state, ballots, language)

    state, outcome = _guard(run)
    manifest = state.definition.manifest
    if language is not None and manifest.language_for(language) not in (language, language.split("-", 1)[0]):
        shown = manifest.default_language or "its only language"
        declared = ", ".join(manifest.languages) or "none declared"
        click.echo(f"note: the manifest has no texts in {language!r} (its languages: {declared}); they are shown in {shown}", err=True)
    if output_format == "json":
        click.echo(json.dumps(outcome.to_json(), indent=2, ensure_ascii=False))
    elif output_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(result_csv_rows(outcome))
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(result_text(outcome))


__all__ = ["credentials", "election"]
