"""Persistence for the board (SQLAlchemy 2): schema, engines and transactions, migrations, Merkle nodes."""

from .engine import make_engine, read_transaction, write_transaction
from .migrate import migrate
from .schema import (
    ballot_checks,
    ballot_index,
    checkpoints,
    ciphertext_index,
    credentials,
    election_closing,
    elections,
    entries,
    merkle_nodes,
    metadata,
)

__all__ = ["make_engine", "read_transaction", "write_transaction", "migrate", "metadata", "elections", "entries",
           "merkle_nodes", "checkpoints", "ballot_index", "ciphertext_index", "credentials", "ballot_checks",
           "election_closing"]
