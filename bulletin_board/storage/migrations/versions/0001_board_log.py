"""The board's log: elections, entries, Merkle nodes, checkpoints, and the semantics layer's indexes.

Revision ID: 0001_board_log
Revises:
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0001_board_log"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "elections",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
    )
    op.create_table(
        "entries",
        sa.Column("election_id", sa.String(64), sa.ForeignKey("elections.id"), primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("received_at", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("election_id", "prev_hash", name="uq_entries_election_prev_hash"),
    )
    op.create_table(
        "merkle_nodes",
        sa.Column("election_id", sa.String(64), sa.ForeignKey("elections.id"), primary_key=True),
        sa.Column("level", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("node_index", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "checkpoints",
        sa.Column("election_id", sa.String(64), sa.ForeignKey("elections.id"), primary_key=True),
        sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "ballot_index",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("election_id", sa.String(64), sa.ForeignKey("elections.id"), nullable=False),
        sa.Column("confirmation_code", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("credential", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.UniqueConstraint("election_id", "confirmation_code", name="uq_ballot_index_code"),
    )
    op.create_table(
        "ciphertext_index",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("election_id", sa.String(64), sa.ForeignKey("elections.id"), nullable=False),
        sa.Column("ciphertext_hash", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("election_id", "ciphertext_hash", name="uq_ciphertext_index_hash"),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("election_id", sa.String(64), sa.ForeignKey("elections.id"), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("listed_at_seq", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("election_id", "public_key", name="uq_credentials_public_key"),
    )


def downgrade() -> None:
    for table in ("credentials", "ciphertext_index", "ballot_index", "checkpoints", "merkle_nodes", "entries",
                  "elections"):
        op.drop_table(table)
