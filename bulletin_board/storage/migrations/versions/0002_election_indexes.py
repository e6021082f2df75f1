"""Indexes for the election semantics: control entries by kind, ballots by credential.

Revision ID: 0002_election_indexes
Revises: 0001_board_log
Create Date: 2026-11-24
"""
from alembic import op

revision = "0002_election_indexes"
down_revision = "0001_board_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entries_election_kind_seq", "entries", ["election_id", "kind", "seq"])
    op.create_index("ix_ballot_index_credential", "ballot_index", ["election_id", "credential", "seq"])


def downgrade() -> None:
    op.drop_index("ix_ballot_index_credential", table_name="ballot_index")
    op.drop_index("ix_entries_election_kind_seq", table_name="entries")
