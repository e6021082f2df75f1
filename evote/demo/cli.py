"""``evote demo`` and ``evote demo finish`` (see :mod:`evote.demo.run` for what each step does)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bulletin_board import admin_ops
from bulletin_board.admin_token import new_admin_token
from bulletin_board.keys import load_or_create_board_key
from bulletin_board.log_format.client import BoardClient, BoardClientError
from bulletin_board.log_format.export import export_from_board
from voting.booth.code_hash import booth_code_sha256

from . import mix, run, services
from .server import demo_rate_limits, serve

console = Console()


def _fail(message: str) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    sys.exit(1)


_clock = {"last": time.monotonic()}


def say(message: str) -> None:
    now = time.monotonic()
    console.print(f"[cyan]•[/] {message} [dim]({now - _clock['last']:.1f} s)[/]", highlight=False)
    _clock["last"] = now


def _progress() -> Progress:
    return Progress(TextColumn("  {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=False)


@click.group(invoke_without_command=True)
@click.option("--voters", default=25, show_default=True, type=click.IntRange(1), help="number of voters (each gets a credential)")
@click.option("--trustees", default=3, show_default=True, type=click.IntRange(1, 64), help="number of trustees n")
@click.option("--quorum", default=2, show_default=True, type=click.IntRange(1, 64), help="trustees k needed to decrypt")
@click.option("--challenge", default=2, show_default=True, type=click.IntRange(0), help="voters who challenge a ballot before casting")
@click.option("--revote", default=3, show_default=True, type=click.IntRange(0), help="voters who cast a second ballot (the last counts)")
@click.option("--manifest", default=str(run.SAMPLE_MANIFEST), type=click.Path(exists=True, dir_okay=False), help="election manifest [default: the bundled Riverton sample]")
@click.option("--ranked", is_flag=True, help="the bundled ranked sample: an instant-runoff and a Schulze contest, mixed by the trustees")
@click.option("--out", default="evote-demo", show_default=True, type=click.Path(file_okay=False), help="where the record, report and logs go")
@click.option("--db", default=None, help="board database URL [default: a SQLite file in --out]")
@click.option("--seed", default=None, type=int, help="reproducible voter choices (never cryptographic randomness)")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1), help="voter processes")
@click.option("--board-workers", default=1, show_default=True, type=click.IntRange(1), help="board worker processes (more than 1: gunicorn)")
@click.option("--serve", "serve_only", is_flag=True, help="stop after opening: keep the board and booth running for people to vote")
@click.option("--port", default=0, type=click.IntRange(0, 65535), help="board port with --serve [default: a free one]")
@click.option("--ratelimit-storage", envvar="EVOTE_RATELIMIT_STORAGE_URI", default="memory://", show_default=True,
              help="where the board counts its rate limits; redis://HOST:PORT/DB to share them across --board-workers")
@click.pass_context
def demo(ctx: click.Context, serve_only: bool, port: int, board_workers: int, ratelimit_storage: str, **options) -> None:
    """Run a whole election on this machine: trustees, voters, tally, decryption, verification."""
    if ctx.invoked_subcommand is not None:
        return
    if options.pop("ranked"):
        if options["manifest"] != str(run.SAMPLE_MANIFEST):
            _fail("--ranked is the bundled ranked manifest: give it or --manifest, not both")
        options["manifest"] = str(run.RANKED_MANIFEST)
    settings = run.DemoSettings(**options)
    try:
        settings.check()
    except ValueError as exc:
        _fail(str(exc))
    try:
        _run_demo(settings, serve_only, port, board_workers, ratelimit_storage)
    except (BoardClientError, RuntimeError, ValueError, OSError) as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted")


def _run_demo(settings: run.DemoSettings, serve_only: bool, port: int, board_workers: int, ratelimit_storage: str) -> None:
    started = time.monotonic()
    out = Path(settings.out).resolve()
    run.prepare_out(out)
    (out / "logs").mkdir()
    token = new_admin_token()
    run.write_secret(out / "admin-token", token + "\n")
    document, manifest = run.load_manifest(settings.manifest)
    origin = "demo.evote.localhost"
    board_key = load_or_create_board_key(out / "board.key", origin).verifier  # the witnesses must know it first
    config = {
        "EVOTE_DATABASE_URL": settings.db or f"sqlite:///{out / 'board.sqlite3'}",
        "EVOTE_BOARD_KEY_FILE": str(out / "board.key"),
        "EVOTE_BOARD_ORIGIN": origin,
        "EVOTE_ADMIN_TOKEN": token,
        "EVOTE_SECRET_KEY": secrets.token_urlsafe(32),
        "EVOTE_RATELIMIT_STORAGE_URI": ratelimit_storage,
        **demo_rate_limits(),
    }
    console.rule(f"[bold]evote demo[/]: {manifest.label}")
    with services.witnesses(out, origin, board_key) as witnesses:
        config["EVOTE_WITNESS_POLICY_FILE"] = str(services.write_policy(out, witnesses))
        say(f"{len(witnesses)} independent witnesses serving ({', '.join(w.name.split('.')[0] for w in witnesses)}); "
            f"the board asks each to cosign its checkpoints, and every check below requires {services.WITNESS_QUORUM} of them")
        with serve(config, port=port if serve_only else 0, workers=board_workers, log_file=out / "logs" / "board.log") as board:
            _election(settings, out, token, document, manifest, board, witnesses, serve_only)
    console.print(f"[bold green]done in {time.monotonic() - started:.1f} s[/]")


def _election(settings: run.DemoSettings, out: Path, token: str, document: object, manifest, board: str,
              witnesses: list[services.Service], serve_only: bool) -> None:
    client = BoardClient(board, admin_token=token)
    bundled = {str(run.SAMPLE_MANIFEST): "riverton", str(run.RANKED_MANIFEST): "riverton-ranked"}
    election_id = f"{bundled.get(settings.manifest, 'demo')}-{secrets.token_hex(3)}"
    say(f"board serving on {board}; database {settings.db.split('///')[0] if settings.db else 'sqlite'}…")
    dirs, passphrase, roster = run.create_trustees(out, settings.trustees, say)
    heaviest = run.max_weight(manifest)
    definition = admin_ops.create_election(client, election_id, document, roster, settings.quorum, max_weight=heaviest,
                                           organizer=run.DEMO_ORGANIZER)  # fmt: skip
    mixed = [f"{c.label} ({c.counting.method})" for c in manifest.contests if c.counting is not None]
    say(f"election {election_id} created: {len(manifest.contests)} contests" + (f", {len(mixed)} counted from rows after a mix: {', '.join(mixed)}" if mixed else "")
        + f"; {len(manifest.ballot_styles)} ballot style(s), n = {definition.n}, k = {definition.k}, weights up to {heaviest}")
    with console.status("key ceremony: each trustee's process publishes commitments, exchanges shares, checks them…"):
        run.key_ceremony(client, election_id, dirs, passphrase, out / "logs", say)
    roll = run.write_roll(out, manifest, settings.voters)
    issued = run.make_credentials(out, election_id, manifest, roll)
    admin_ops.publish_credentials(client, election_id, issued.public_payload())
    anchors_file = out / "anchors.txt"
    published = client.publish_anchors(election_id, {"witnesses": [w.key for w in witnesses], "witness_quorum": services.WITNESS_QUORUM,
                                                     "booth_sha256": booth_code_sha256()})
    anchors_file.write_text(published["anchors"])
    say(f"trust anchors published ({anchors_file.name}): board key, trustees' keys, {services.WITNESS_QUORUM} of {len(witnesses)} "
        f"witnesses, the booth's code; fingerprint {published['fingerprint']}")
    client.post_admin(election_id, "election.opened", {})
    readable = "; ".join(issued.warnings(manifest)) or "no weight makes a vote readable from the tally"
    say(f"voter roll {roll.name}: {_roll_summary(issued)}; {readable}")
    say(f"{settings.voters} credentials published (style and weight each, no voter named; the secrets are in {out / run.PRIVATE_FILE}); the election is open")
    credentials = [c.credential for c in issued.issued]
    with services.mirror(out, board, anchors_file) as mirror:
        say(f"a mirror follows the board at {mirror.url}, storing only what the board signed and {services.WITNESS_QUORUM} witnesses vouch for")
        run.save_state(out, run.DemoState(board, election_id, [str(d) for d in dirs], str(passphrase), str(out / "admin-token"),
                                          settings.quorum, str(anchors_file), mirror.url))
        if serve_only:
            _serve_forever(board, election_id, credentials, out, mirror.url)
            return
        tasks = run.voter_tasks(settings, board, election_id, manifest, [(c.credential, c.style) for c in issued.issued])
        with _progress() as progress:
            bar = progress.add_task("voters encrypt, sign and post their ballots", total=len(tasks))
            run.cast_all(tasks, settings.workers, lambda n: progress.advance(bar, n))
        challenged = sum(t.action != "cast" for t in tasks)
        say(f"{len(tasks) - challenged} ballots cast ({settings.revote} revotes), {challenged} challenged")
        _finish(client, out, election_id, dirs, passphrase, settings.quorum, anchors_file, mirror.url)




def _roll_summary(issued) -> str:
    styles = Counter(c.style for c in issued.issued)
    weights = Counter(c.weight for c in issued.issued)
    return (
        ", ".join(f"{count} voter(s) of {style}" for style, count in sorted(styles.items()))
        + "; weights "
        + ", ".join(f"{weight} ({count})" for weight, count in sorted(weights.items()))
    )


def _serve_forever(board: str, election_id: str, credentials: list[str], out: Path, mirror_url: str) -> None:
    console.rule("[bold]the board, the booth, three witnesses and a mirror are running[/]")
    console.print(f"Vote in a browser:  [bold]{board}/booth/elections/{election_id}/[/]")
    console.print(f"The mirror (read-only, check receipts there too):  {mirror_url}/booth/elections/{election_id}/")
    console.print("Voter credentials (each votes once; the last ballot counts):")
    for credential in credentials[:5]:
        console.print(f"  {credential}")
    console.print(f"(all {len(credentials)}, with each voter's ward and weight, are in {out / run.PRIVATE_FILE})")
    console.print(f"When you are done, in another terminal:  [bold]evote demo finish --out {out}[/]")
    console.print("Press Ctrl-C here to stop the board, the witnesses and the mirror.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("board stopped")


@demo.command("finish")
@click.option("--out", default="evote-demo", show_default=True, type=click.Path(file_okay=False, exists=True), help="the --out of `evote demo --serve`")
def finish(out: str) -> None:
    """Close, tally, decrypt and verify the election started with `evote demo --serve`."""
    try:
        state = run.load_state(Path(out))
        token = Path(state.token_file).read_text().strip()
        client = BoardClient(state.board_url, admin_token=token)
        _finish(client, Path(out).resolve(), state.election_id, [Path(d) for d in state.trustee_dirs], Path(state.passphrase_file), state.quorum,
                Path(state.anchors_file) if state.anchors_file else None, state.mirror_url)
    except (BoardClientError, RuntimeError, ValueError, OSError) as exc:
        _fail(str(exc))


def _finish(client: BoardClient, out: Path, election_id: str, dirs: list[Path], passphrase: Path, quorum: int, anchors: Path | None,
            mirror_url: str) -> None:
    board = client.base[: -len("/api/v1")]
    client.post_admin(election_id, "election.closed", {})
    mix.mix(client, election_id, dirs, passphrase, out / "logs", console, say)
    tally = admin_ops.post_tally(client, election_id)
    say(f"election closed; encrypted tally of {tally['ballot_count']} counted ballots posted ({len(tally['challenged'])} sealed challenged ballot(s) to decrypt)")
    decryptors = dirs[:quorum] if quorum < len(dirs) else dirs
    left_out = [d.name for d in dirs if d not in decryptors]
    processes = run.run_trustees(board, election_id, "decrypt", decryptors, passphrase, out / "logs")
    with console.status(f"decryption by {', '.join(d.name for d in decryptors)}" + (f" ({', '.join(left_out)} absent)" if left_out else "")):
        state = admin_ops.decrypt(client, election_id, wait_seconds=1800, quorum_wait=1, say=say)  # the demo chose who decrypts
    run.wait_all(processes, "decryption", out / "logs")
    say(f"the trustees decrypted the tally; the result is published ({len(state.definition.manifest.contests)} contests)")
    size = client.get(f"/elections/{election_id}/checkpoint")["size"]
    if anchors is None:  # a demo state written before witnesses existed
        record = out / "record"
        export_from_board(board, election_id, str(record))
        return _verify(record, out, None, "", election_id)
    services.wait_until(lambda: _cosigned_size(board, election_id, size) == size, "the witnesses' cosignatures on the final checkpoint")
    cosigned = services.get_json(f"{board}/api/v1/elections/{election_id}/checkpoint/cosigned?min_size={size}")
    say(f"the final checkpoint ({size} entries) is cosigned by {len(cosigned['witnesses'])} witnesses: {', '.join(w.split('.')[0] for w in cosigned['witnesses'])}")
    record = out / "record"
    export_from_board(board, election_id, str(record))
    say(f"election record exported to {record}")
    if mirror_url:
        services.wait_until(lambda: _mirrored_size(mirror_url, election_id) == size, "the mirror to copy the whole record")
        say(f"the mirror holds all {size} entries, each checked against a checkpoint 2 witnesses cosigned")
    _verify(record, out, anchors, mirror_url, election_id)


def _cosigned_size(board: str, election_id: str, size: int) -> int | None:
    answer = services.get_json(f"{board}/api/v1/elections/{election_id}/checkpoint/cosigned?min_size={size}")
    return answer.get("size") if isinstance(answer, dict) and len(answer.get("witnesses", [])) >= services.WITNESS_QUORUM else None


def _mirrored_size(mirror_url: str, election_id: str) -> int | None:
    health = services.get_json(f"{mirror_url}/healthz") or {}
    return next((e["mirrored_size"] for e in health.get("elections", []) if e.get("election_id") == election_id), None)


def _verify(record: Path, out: Path, anchors: Path | None, mirror_url: str, election_id: str) -> None:
    console.rule("[bold]independent verification[/] (evote-verify, requiring the trust anchors' witnesses)")
    report_html, report_json = out / "report.html", out / "report.json"
    command = [sys.executable, "-m", "voting.verifier.cli", str(record), "--format", "evote", *(["--anchors", str(anchors)] if anchors else []),
               "--html", str(report_html), "--json", str(report_json)]
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]), environment.get("PYTHONPATH")]))
    result = subprocess.run(command, env=environment, timeout=7200)
    if result.returncode != 0:
        raise RuntimeError(f"evote-verify did not pass (exit code {result.returncode}); see {report_html}")
    summary = json.loads(report_json.read_text()) if report_json.exists() else {}
    say(f"verification passed: report {report_html} ({summary.get('summary', {}).get('checks', '?')} checks)")
    if mirror_url and anchors is not None:  # what an observer does when the board is down: the same checks, from the mirror
        log = out / "logs" / "verify-mirror.log"
        with open(log, "w") as output:
            again = subprocess.run([sys.executable, "-m", "voting.verifier.cli", "--board", mirror_url, "--election", election_id,
                                    "--anchors", str(anchors)], env=environment, stdout=output, stderr=subprocess.STDOUT, timeout=7200)
        if again.returncode != 0:
            raise RuntimeError(f"evote-verify did not pass against the mirror (exit code {again.returncode}); see {log}")
        say(f"verified again from the mirror alone ({mirror_url}), with the same trust anchors: passed")
