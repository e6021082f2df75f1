"""The administrator's commands: ``evote credentials`` and ``evote election`` (they call the board's API).

Every value the administrator posts is computed here from the record downloaded from the board (checked
link by link) and recomputed again by the board before it appends. The admin token comes from
EVOTE_ADMIN_TOKEN or --token-file, never from the command line, and is never printed.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

import click

from voting.credentials import derive_voter_key, new_credential
from voting.errors import DecryptionError, VotingError
from voting.record import admin
from voting.record.counting import count, header_of
from voting.record.election import define_election
from voting.record.lifecycle import TALLIED, TALLYING, ElectionState
from voting.record.submission import parse_submission

from .client import BoardClient, BoardClientError

MAX_CREDENTIALS_PER_ENTRY = 100_000


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


board_option = click.option("--board", envvar="EVOTE_BOARD_URL", default="http://127.0.0.1:8000", show_default=True, help="the board's URL")
token_option = click.option("--token-file", default=None, help="file holding the admin token (default: $EVOTE_ADMIN_TOKEN)")


def _client(board: str, token_file: str | None) -> BoardClient:
    try:
        return BoardClient(board, admin_token=_token(token_file))
    except BoardClientError as exc:
        _fail(str(exc))


def _guard(action):
    try:
        return action()
    except (BoardClientError, VotingError, OSError, ValueError) as exc:
        _fail(str(exc))


# --- evote credentials --------------------------------------------------------------------------------


@click.group()
def credentials() -> None:
    """Voter credentials: one secret per voter, public keys for the board."""


@credentials.command("generate")
@click.option("--election", required=True, help="the election identifier the credentials are for")
@click.option("--count", "number", required=True, type=click.IntRange(1, 10_000_000), help="how many voters")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="directory for the two files")
def generate(election: str, number: int, out: str) -> None:
    """Write credentials-private.csv (for delivery to voters) and credentials-public.json (for the board).

    The public list is sorted, so its order says nothing about the private file's order; neither file
    links a credential to a voter's identity.
    """
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    private = directory / "credentials-private.csv"
    if private.exists():
        _fail(f"{private} exists; refusing to overwrite credentials that may have been handed out")
    keys = []
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["voter", "credential"])
        for n in range(1, number + 1):
            credential = new_credential()
            writer.writerow([n, credential])
            keys.append(derive_voter_key(credential, election).public_key_hex)
    public = directory / "credentials-public.json"
    public.write_text(json.dumps({"election_id": election, "credentials": sorted(keys)}, indent=1) + "\n")
    click.echo(f"{number} credentials: private {private} (mode 0600, deliver each line to one voter), public {public}")


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
@board_option
@token_option
def create(manifest: str, election_id: str, trustees_file: str, k: int, revote_rule: str, board: str, token_file: str | None) -> None:
    """Create an election from MANIFEST and register the trustees' identity keys."""
    def run():
        roster = json.loads(Path(trustees_file).read_text())
        if not isinstance(roster, list):
            raise ValueError("the trustees file is a JSON list of {name, identity_key}")
        trustees = [{"index": n + 1, "name": t.get("name"), "identity_key": t.get("identity_key")} for n, t in enumerate(roster)]
        definition = define_election(election_id, json.loads(Path(manifest).read_text()), trustees, k, revote_rule)
        _client(board, token_file).create_election(definition.to_payload())
        params = definition.parameters
        return f"created {election_id}: n = {definition.n}, k = {k}; H_M {params.H_M.hex().upper()[:16]}…, H_B {params.H_B.hex().upper()[:16]}…"

    click.echo(_guard(run))


@election.command("credentials")
@click.argument("election_id")
@click.argument("public_file", type=click.Path(exists=True, dir_okay=False))
@board_option
@token_option
def publish_credentials(election_id: str, public_file: str, board: str, token_file: str | None) -> None:
    """Publish the public credential list (before the election opens; frozen afterwards)."""
    def run():
        document = json.loads(Path(public_file).read_text())
        keys = sorted(document["credentials"] if isinstance(document, dict) else document)
        client = _client(board, token_file)
        for start in range(0, len(keys), MAX_CREDENTIALS_PER_ENTRY):
            client.post_admin(election_id, "credentials.published", {"credentials": keys[start : start + MAX_CREDENTIALS_PER_ENTRY]})
        return f"published {len(keys)} credential public keys for {election_id}"

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


election.command("open")(_simple("election.opened", "Open the election for ballots (the key ceremony must be complete)."))
election.command("close")(_simple("election.closed", "Close the election: no more ballots."))


@election.command("keygen-result")
@click.argument("election_id")
@board_option
@token_option
def keygen_result(election_id: str, board: str, token_file: str | None) -> None:
    """Post the key ceremony's outcome (joint key K and H_E, or the trustees proven faulty)."""
    def run():
        client = _client(board, token_file)
        state, _ = client.election_state(election_id)
        missing = [i for i in range(1, state.n + 1) if i not in state.checked]
        if missing:
            raise ValueError(f"trustee(s) {missing} have not reported their share checks yet")
        payload = admin.keygen_result(state)
        client.post_admin(election_id, "keygen.result", payload)
        if payload["status"] == "complete":
            return f"{election_id}: joint key posted; H_E {payload['H_E'][:16]}… — each trustee now confirms it"
        named = "; ".join(f"trustee {f['guardian']}: {f['reason']}" for f in payload["faulty"])
        return f"{election_id}: the key ceremony FAILED ({named}); create a new election with a replacement trustee"

    click.echo(_guard(run))


@election.command("status")
@click.argument("election_id")
@board_option
def status(election_id: str, board: str) -> None:
    """Phase, entries, ballots, trustees' progress and the latest checkpoint."""
    def run():
        client = BoardClient(board)
        context = client.context(election_id)
        state, entries = client.election_state(election_id)
        checkpoint = client.get(f"/elections/{election_id}/checkpoint")
        lines = [
            f"election {election_id}: phase {context['phase']}",
            f"entries {len(entries)}; ballots cast {context['counts']['cast']}, challenged {context['counts']['challenged']}; credentials {context['counts']['credentials']}",
            f"trustees: {_trustee_progress(state)}",
            f"checkpoint: {json.dumps(checkpoint)[:200]}",
        ]
        return "\n".join(lines)

    click.echo(_guard(run))


def _trustee_progress(state: ElectionState) -> str:
    parts = []
    for t in state.definition.trustees:
        done = [
            name
            for name, held in (("commitments", state.commitments), ("shares", state.shares), ("checked", state.checked))
            if t.index in held
        ]
        if t.index in state.confirmed:
            done.append("confirmed")
        parts.append(f"{t.index} {t.name} [{', '.join(done) or 'nothing yet'}]")
    return "; ".join(parts)


@election.command("tally")
@click.argument("election_id")
@board_option
@token_option
def tally(election_id: str, board: str, token_file: str | None) -> None:
    """Post the encrypted tally: the product of the counted ballots (after close)."""
    def run():
        client = _client(board, token_file)
        state, entries = client.election_state(election_id)
        manifest = state.definition.manifest
        ballots = [(e.seq, e.kind, json.loads(e.payload)) for e in entries if e.kind.startswith("ballot.")]
        counting = count([header_of(seq, kind, payload) for seq, kind, payload in ballots], state.definition.revote_rule)
        unrevealed = {h.seq for h in counting.unrevealed_challenges}
        challenged = [parse_submission(p, manifest, membership_checked_by_board=True).ballot for seq, _, p in ballots if seq in unrevealed]
        cast = ((seq, parse_submission(p, manifest, membership_checked_by_board=True)) for seq, kind, p in ballots if kind == "ballot.cast")
        payload = admin.encrypted_tally(state, counting, cast, challenged)
        client.post_admin(election_id, "tally.encrypted", payload)
        return f"{election_id}: encrypted tally of {payload['ballot_count']} counted ballot(s) posted; {len(challenged)} challenged ballot(s) for the trustees to decrypt"

    click.echo(_guard(run))


@election.command("decrypt")
@click.argument("election_id")
@click.option("--wait", "wait_seconds", default=600, show_default=True, type=click.IntRange(0), help="how long to wait for trustees")
@click.option("--quorum-wait", default=5, show_default=True, type=click.IntRange(0), help="once k shares are in, seconds to wait for more trustees")
@board_option
@token_option
def decrypt(election_id: str, wait_seconds: int, quorum_wait: int, board: str, token_file: str | None) -> None:
    """Combine the trustees' partial decryptions and publish the result (rounds continue past faulty trustees)."""
    def run():
        client = _client(board, token_file)
        follower = client.follow(election_id)
        deadline = time.monotonic() + wait_seconds
        quorum_since = None
        while True:
            state = follower.refresh()
            if state.phase == TALLIED:
                return _format_result(state)
            if state.phase != TALLYING:
                raise ValueError(f"nothing to decrypt yet (phase {state.phase}); post the tally first")
            current = state.current_round
            k = state.definition.k
            eligible = [i for i in range(1, state.n + 1) if i not in state.excluded]
            if len(eligible) < k:
                raise DecryptionError(f"only trustee(s) {eligible} remain after exclusions; the quorum is k = {k}")
            if current.challenge is None:
                have = sorted(current.shares)
                everyone = len(have) == len(eligible)
                if len(have) >= k:
                    quorum_since = quorum_since or time.monotonic()
                if len(have) >= k and (everyone or time.monotonic() - quorum_since >= quorum_wait):
                    client.post_admin(election_id, "decryption.challenge", admin.decryption_challenge(state))
                    click.echo(f"round {current.number}: challenge posted to trustees {have}", err=True)
                    continue
                missing = [i for i in eligible if i not in have]
                reason = f"round {current.number}: shares from {have}; waiting for trustee(s) {missing} (k = {k})"
            else:
                pending = [i for i in current.challenge.available if i not in current.responses]
                if not pending:
                    faulty = admin.faulty_responses(state)
                    if faulty:
                        client.post_admin(election_id, "decryption.failed", admin.decryption_failed(state, faulty))
                        click.echo("round {}: excluded {}".format(current.number, "; ".join(f"trustee {i}: {why}" for i, why in faulty)), err=True)
                        quorum_since = None
                        continue
                    client.post_admin(election_id, "tally.result", admin.tally_result(state))
                    continue
                reason = f"round {current.number}: waiting for the answers of trustee(s) {pending}"
            if time.monotonic() > deadline:
                raise DecryptionError(f"gave up waiting: {reason}")
            time.sleep(1)

    click.echo(_guard(run))


@election.command("result")
@click.argument("election_id")
@board_option
def result(election_id: str, board: str) -> None:
    """Print the published result per contest."""
    def run():
        state, _ = BoardClient(board).election_state(election_id)
        if state.result is None:
            raise ValueError(f"no result yet (phase {state.phase})")
        return _format_result(state)

    click.echo(_guard(run))


def _format_result(state: ElectionState) -> str:
    lines = []
    for contest in state.definition.manifest.contests:
        lines.append(f"{contest.title}")
        for option in contest.options:
            lines.append(f"  {option.name}: {state.result.contests[contest.label][option.label].value}")
    return "\n".join(lines)


__all__ = ["credentials", "election"]
