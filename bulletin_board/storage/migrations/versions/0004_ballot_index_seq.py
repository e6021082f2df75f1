"""Ballots of an election in board order: the public list of confirmation codes pages through them by seq.

Without it, every page of ``GET /elections/<id>/ballots`` sorted all of the election's ballots.

Revision ID: 0004_ballot_index_seq
Revises: 0003_limits_and_closing
Create Date: 2026-12-03
"""
from alembic import op

revision = "0004_ballot_index_seq"
down_revision = "0003_limits_and_closing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_ballot_index_seq", "ballot_index", ["election_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_ballot_index_seq", table_name="ballot_index")
