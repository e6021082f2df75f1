"""Entries the board checks outside the request (record-format §12.2: a mix.shuffled's proof of shuffle), one row
each, shared by every worker (bulletin_board/elections/async_checks.py).

Revision ID: 0008_checks
Revises: 0007_voter_logins
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_checks"
down_revision = "0007_voter_logins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checks",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("election_id", sa.String(64), sa.ForeignKey("elections.id"), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("payload_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=True),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("lease_expires_at", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("finished_at", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_checks_election_payload", "checks", ["election_id", "payload_hash"])
    op.create_index("ix_checks_status_lease", "checks", ["status", "lease_expires_at"])


def downgrade() -> None:
    op.drop_index("ix_checks_status_lease", table_name="checks")
    op.drop_index("ix_checks_election_payload", table_name="checks")
    op.drop_table("checks")
