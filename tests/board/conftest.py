"""Board fixtures: a log on each backend (SQLite file, PostgreSQL schema), a test key, fresh elections.

PostgreSQL comes from EVOTE_TEST_POSTGRES_URL; each test session works in its own schema, dropped at
the end. Without the variable the PostgreSQL cases skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
from pathlib import Path

import pytest
from nacl.signing import SigningKey
from sqlalchemy import text

from bulletin_board.log import BoardLog
from bulletin_board.log_format.note import NoteSigner
from bulletin_board.storage import make_engine, migrate

REPO_ROOT = Path(__file__).resolve().parents[2]
PG_ENV = "EVOTE_TEST_POSTGRES_URL"
ORIGIN = "test.board"
# A fixed seed so failures reproduce. It defeats every signature it makes: never use it outside tests.
PSEUDORANDOM_SEED_DEFEATS_ALL_SIGNATURES = hashlib.sha256(b"evote test board key, public, never for production").digest()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def postgres_url() -> str:
    url = os.environ.get(PG_ENV, "")
    if not url:
        message = f"{PG_ENV} is not set: the PostgreSQL cases need a server (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        if in_ci():
            pytest.fail(message + " (CI=true: a missing PostgreSQL URL is a failure, never a skip)")
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def pg_schema_url():
    """A migrated, private schema in the test database, as a URL whose connections use it."""
    base = postgres_url()
    schema = f"evote_board_test_{secrets.token_hex(4)}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"
    migrate(url)
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'board.sqlite3'}"
        migrate(url)
        return url
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner(ORIGIN, SigningKey(PSEUDORANDOM_SEED_DEFEATS_ALL_SIGNATURES))


@pytest.fixture
def log(engine, signer) -> BoardLog:
    return BoardLog(engine, signer, ORIGIN)


def new_election_id() -> str:
    return f"t-{secrets.token_hex(6)}"


@pytest.fixture
def election(log) -> str:
    election_id = new_election_id()
    log.create_election(election_id)
    return election_id


def subprocess_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


PYTHON = sys.executable


def created_payload(election_id, **changes) -> dict:
    """A valid `election.created` payload (one trustee, a one-contest manifest) for the admin API."""
    from nacl.signing import SigningKey

    from voting.record.election import define_election

    manifest = {
        "label": "Board test",
        "spec_version": "v2.0.0",
        "contests": [{"label": "c", "votes_allowed": 1, "options": [{"label": "x"}, {"label": "y"}]}],
        "ballot_styles": [{"label": "s", "contests": ["c"]}],
    }
    key = bytes(SigningKey.generate().verify_key).hex().upper()
    payload = define_election("placeholder-id", manifest, [{"index": 1, "name": "Trustee", "identity_key": key}], 1).to_payload()
    payload["election_id"] = election_id
    payload.update(changes)
    return payload
