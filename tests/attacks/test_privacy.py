"""Privacy leaks (docs/threat-model.md "Privacy"): a whole election runs with every logger at DEBUG, its
stdout/stderr, every HTTP response body (refusals included) recorded; then every secret of the election is
searched for — in hex (both cases), decimal and base64 — in those logs and bodies, in every column of every
table of the board's database (SQLite, and PostgreSQL when EVOTE_TEST_POSTGRES_URL is set) and in every file of
the exported record. Secrets: ballot and selection nonces of ballots not opened by their voter, contest-data
nonces, credentials and the voters' signing seeds, the trustees' polynomial coefficients, share nonces,
received shares, key shares, decryption nonces u_i and identity seeds, and the admin token.

A second part checks that each comparison of a secret or a MAC goes through a constant-time compare.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import csv
import hmac
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select
from support.board_world import ADMIN_TOKEN, make_app

from attacks.attack_support import EvoteWorld, open_world
from trustee_tools import steps
from trustee_tools.vault import Vault
from voting.credentials import derive_voter_key, parse_credential
from voting.encrypt import contest_data_nonce, selection_nonce
from voting.key_ceremony import key_share

REPO = Path(__file__).resolve().parents[2]


class RecordingClient:
    """The Flask test client, keeping every response body."""

    def __init__(self, client):
        self._client, self.bodies = client, []

    def __getattr__(self, name):
        method = getattr(self._client, name)
        if name not in ("get", "post"):
            return method

        def call(*args, **kwargs):
            response = method(*args, **kwargs)
            self.bodies.append(response.get_data(as_text=True))
            return response

        return call


def _encodings(secret: str | bytes | int) -> set[str]:
    if isinstance(secret, int):
        out = {f"{secret:X}", f"{secret:x}"}
        return out | ({str(secret)} if secret >= 10**18 else set())
    if isinstance(secret, bytes):
        return {
            secret.hex().upper(),
            secret.hex(),
            base64.b64encode(secret).decode(),
            base64.urlsafe_b64encode(secret).decode().rstrip("="),
        }
    return {secret, secret.upper(), secret.lower()}


def election_secrets(world, sealed: list[tuple[object, bytes]]) -> dict[str, set[str]]:
    """Every secret of the election, by name, each as the set of its encodings."""
    state, manifest = world.state(), world.definition.manifest
    found: dict[str, object] = {"admin token": ADMIN_TOKEN}
    for n, (ballot, nonce) in enumerate(sealed):
        found[f"ballot {n} nonce"] = nonce
        for contest in ballot.contests:
            c = manifest.contest(contest.contest)
            found[f"ballot {n} contest data nonce {c.label}"] = int(contest_data_nonce(state.context, nonce, c.index).value)
            for option in c.options:
                found[f"ballot {n} selection nonce {option.label}"] = int(
                    selection_nonce(state.context, nonce, c.index, option.index).value
                )
    for n, credential in enumerate(world.credentials):
        found[f"credential {n}"] = credential
        found[f"credential {n} random part"] = parse_credential(credential)
        found[f"credential {n} signing seed"] = bytes(derive_voter_key(credential, world.election_id).signing_key)
    for t in world.trustees:
        found[f"trustee {t.guardian} identity seed"] = t.identity_seed
        found[f"trustee {t.guardian} key share"] = int(steps.my_key_share(t, state).value)
        for kind, values in (("coefficient", t.coefficients), ("share nonce", t.share_nonces.values()),
                             ("received share", t.received_shares.values()),
                             ("u", [u for r in t.rounds.values() for u in r.u])):  # fmt: skip
            for m, value in enumerate(values):
                found[f"trustee {t.guardian} {kind} {m}"] = int(value, 16)
    return {name: _encodings(value) for name, value in found.items()}


def database_text(url: str) -> str:
    """Every column of every row of every table, as text: str as is, bytes in hex and as latin-1."""
    engine = create_engine(url)
    parts = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(select(_table(engine, table))):
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        raw = bytes(value)
                        parts += [raw.hex(), raw.hex().upper(), raw.decode("latin-1")]
                    else:
                        parts.append(str(value))
    engine.dispose()
    return "\n".join(parts)


def _table(engine, name):
    from sqlalchemy import MetaData, Table

    return Table(name, MetaData(), autoload_with=engine)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'board.sqlite3'}"
        return
    from test_board_ballot_load import database  # the PG schema helper: skips outside CI, fails under CI=true

    with contextlib.contextmanager(database)("postgres", tmp_path) as url:
        yield url


def test_no_secret_in_logs_error_bodies_database_or_export(tmp_path, database_url, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    app = make_app(tmp_path, EVOTE_DATABASE_URL=database_url)
    client = RecordingClient(app.test_client())
    world = EvoteWorld(client, election_id="privacy-election", n=3, k=2, voters=4)
    world.keygen()
    world.open()
    c, url, sealed = world.credentials, f"/api/v1/elections/{world.election_id}/ballots", []
    for n, (choices, action) in enumerate([({"mayor": ["alice"], "council": ["dan"]}, "cast"), ({"mayor": ["bob"]}, "cast"),
                                           ({"mayor": ["alice"]}, "challenge"), ({"council": ["eve", "fay"]}, "cast")]):  # fmt: skip
        payload, result = world.submission(c[n], choices, action=action)
        world.expect(client.post(url, json=payload), 201)
        sealed.append((result.ballot, result.ballot_nonce))
        bad = dict(payload, signature="00" * 64)  # refusals: their bodies are searched too
        assert client.post(url, json=bad).status_code == 400
    world.cast(c[2], {"mayor": ["bob"]}, action="challenge", reveal=True)  # its nonce is public by design
    client.post(f"/api/v1/admin/elections/{world.election_id}/entries", json={"kind": "election.closed", "payload": {}},
                headers={"Authorization": f"Bearer {ADMIN_TOKEN[:-1]}."})  # fmt: skip
    world.close_and_tally()
    world.decrypt(available={1, 3})
    export = world.export(app, tmp_path / "record")
    out, err = capfd.readouterr()
    haystacks = {
        "log records": "\n".join(f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records),
        "stdout/stderr": out + err,
        "HTTP bodies": "\n".join(client.bodies),
        "database": database_text(database_url),
        "export": "\n".join(p.read_bytes().decode("latin-1") for p in sorted(export.rglob("*")) if p.is_file()),
    }
    assert len(client.bodies) > 40 and haystacks["database"] and haystacks["export"]
    leaks = [(name, where) for name, encodings in election_secrets(world, sealed).items()
             for where, text in haystacks.items() if any(e in text for e in encodings)]  # fmt: skip
    assert leaks == []


def test_the_search_finds_a_planted_secret(tmp_path, caplog):
    """The search has teeth: a secret that does reach a log line is found."""
    caplog.set_level(logging.DEBUG)
    world = open_world(tmp_path, voters=1)
    payload, result = world.submission(world.credentials[0], {"mayor": ["alice"]})
    logging.getLogger("bulletin_board").debug("careless: %s", result.ballot_nonce.hex())
    secrets_ = election_secrets(world, [(result.ballot, result.ballot_nonce)])
    assert any(e in caplog.text for e in secrets_["ballot 0 nonce"])


# --- constant-time comparisons -----------------------------------------------------------------------------

SECRET_NAMES = ("token", "passphrase", "password", "mac", "secret", "c2", "tag", "seed")
PUBLIC_COMPARISONS = {
    # both sides are public values of the record: a challenged ballot's contest data as written and as posted
    "voting/verifier/checks/challenged.py": "(written.C0, written.C1, written.C2) != (int(posted.C0.value), posted.C1, posted.C2)",
    # an index lookup by the SHA-256 of a 256-bit random session token, then hmac.compare_digest on the row found
    "bulletin_board/voter_login.py": "login_sessions.c.token_hash == digest",
}


def _secret_comparisons(tree: ast.AST, source: str) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
            for operand in (node.left, *node.comparators):
                text = (ast.get_source_segment(source, operand) or "").lower()
                is_length = isinstance(operand, ast.Call) and getattr(operand.func, "id", "") == "len"  # lengths are public
                if any(name in text for name in SECRET_NAMES) and not isinstance(operand, ast.Constant) and not is_length:
                    found.append(f"line {node.lineno}: {ast.get_source_segment(source, node)}")
                    break
    return found


def test_no_secret_or_mac_is_compared_with_equals():
    """Every == / != in the product whose operand names a token, passphrase, MAC, secret or seed."""
    offenders = []
    for package in ("voting", "bulletin_board", "trustee_tools", "witness", "registrar"):
        for path in sorted((REPO / package).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            name = str(path.relative_to(REPO))
            offenders += [
                f"{name} {hit}"
                for hit in _secret_comparisons(ast.parse(source), source)
                if not hit.endswith(PUBLIC_COMPARISONS.get(name, "\0"))
            ]
    assert offenders == []


def test_the_scan_finds_a_planted_comparison():
    source = "def check(token, expected):\n    return token == expected\n"
    assert _secret_comparisons(ast.parse(source), source) == ["line 2: token == expected"]


class _Recorder:
    def __init__(self):
        self.calls = []

    def compare_digest(self, a, b):
        self.calls.append((a, b))
        return hmac.compare_digest(a, b)

    def __getattr__(self, name):
        return getattr(hmac, name)


def test_admin_token_is_compared_in_constant_time(tmp_path, monkeypatch):
    from bulletin_board.web import auth

    recorder = _Recorder()
    monkeypatch.setattr(auth, "hmac", recorder)
    client = make_app(tmp_path).test_client()
    wrong = ADMIN_TOKEN[:-1] + "."  # not in the token alphabet: never the token itself
    response = client.post("/api/v1/admin/elections", json={}, headers={"Authorization": f"Bearer {wrong}"})
    assert response.status_code == 401 and ADMIN_TOKEN not in response.get_data(as_text=True)
    assert recorder.calls == [(wrong.encode(), ADMIN_TOKEN.encode())]


def test_share_and_contest_data_macs_are_compared_in_constant_time(tmp_path, monkeypatch):
    from voting import hashed_elgamal

    world = open_world(tmp_path, voters=1)
    payload, result = world.submission(world.credentials[0], {"mayor": ["alice"]})
    context, contest = world.state().context, result.ballot.contests[0]
    recorder = _Recorder()
    monkeypatch.setattr(hashed_elgamal, "hmac", recorder)
    beta = hashed_elgamal.contest_data_beta_from_nonce(context, contest_data_nonce(context, result.ballot_nonce, 1))
    assert hashed_elgamal.decrypt_contest_data(context, 1, contest.contest_data, beta) is not None
    assert [b for _, b in recorder.calls] == [contest.contest_data.C2]


@pytest.mark.slow
def test_demo_election_with_every_process_at_debug_leaks_no_secret(tmp_path):
    """`evote demo`: the board, trustee processes (vaults, passphrase file), the admin's token and the voters'
    processes, each Python process logging at DEBUG (a sitecustomize on PYTHONPATH). Searched: its console
    output, every file it leaves (logs, record, report, vaults, database) but the three secret files it hands
    out on purpose (passphrase, admin token, credential list)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text("import logging\nlogging.basicConfig(level=logging.DEBUG)\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EVOTE_")}
    environment["PYTHONPATH"] = os.pathsep.join([str(site), str(REPO), environment.get("PYTHONPATH", "")])
    out = tmp_path / "demo"
    command = [sys.executable, "-m", "evote.cli", "demo", "--voters", "3", "--trustees", "2", "--quorum", "2",
               "--challenge", "1", "--revote", "1", "--workers", "1", "--out", str(out)]  # fmt: skip
    result = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "DEBUG" in result.stderr  # the processes did log at DEBUG

    state = json.loads((out / "demo.json").read_text())
    passphrase = Path(state["passphrase_file"]).read_text().strip()
    found: dict[str, object] = {"passphrase": passphrase, "admin token": Path(state["token_file"]).read_text().strip()}
    issued = list(csv.DictReader((out / "credentials-private.csv").open(newline="")))
    for n, credential in enumerate(row["credential"] for row in issued):
        found[f"credential {n}"] = credential
        found[f"credential {n} random part"] = parse_credential(credential)
        found[f"credential {n} signing seed"] = bytes(derive_voter_key(credential, state["election_id"]).signing_key)
    for directory in state["trustee_dirs"]:
        vault = Vault(directory)
        identity = vault.open(passphrase)
        trustee = vault.load(state["election_id"])  # the directory's sub-state for this election
        found[f"{trustee.name} identity seed"] = identity.identity_seed
        found[f"{trustee.name} key share"] = int(key_share(trustee.guardian, trustee.shares()).value)
        values = [*trustee.coefficients, *trustee.share_nonces.values(), *trustee.received_shares.values()]
        values += [u for r in trustee.rounds.values() for u in r.u]
        for m, value in enumerate(values):
            found[f"{trustee.name} secret {m}"] = int(value, 16)
    handed_out = {Path(state["passphrase_file"]), Path(state["token_file"]), out / "credentials-private.csv"}
    files = [p for p in sorted(out.rglob("*")) if p.is_file() and p not in handed_out]
    haystacks = {str(p.relative_to(out)): p.read_bytes().decode("latin-1") for p in files}
    haystacks["console"] = result.stdout + result.stderr
    haystacks["database"] = database_text(f"sqlite:///{out / 'board.sqlite3'}")
    assert any(p.name == "trustee.vault" for p in files) and any(p.suffix == ".log" for p in files)
    leaks = [(name, where) for name, value in found.items() for where, text in haystacks.items()
             if any(e in text for e in _encodings(value))]  # fmt: skip
    assert leaks == []
