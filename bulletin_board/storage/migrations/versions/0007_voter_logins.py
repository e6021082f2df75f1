"""Voter login, the board's second factor (bulletin_board/voter_login.py): the roll's logins, one-time codes,
sessions and the binding of each login to the credential it cast with. Private tables, never on the log.

Revision ID: 0007_voter_logins
Revises: 0006_checkpoint_cosignatures
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_voter_logins"
down_revision = "0006_checkpoint_cosignatures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voter_logins",
        sa.Column("election_id", sa.String(64), sa.ForeignKey("elections.id"), primary_key=True),
        sa.Column("voter_id", sa.String(200), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("style", sa.String(200), nullable=False),
        sa.Column("weight", sa.Integer, nullable=False),
        sa.Column("language", sa.String(35), nullable=True),
        sa.Column("added_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "login_codes",
        sa.Column("election_id", sa.String(64), primary_key=True),
        sa.Column("voter_id", sa.String(200), primary_key=True),
        sa.Column("salt", sa.LargeBinary(16), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
        sa.Column("tries_left", sa.Integer, nullable=False),
    )
    op.create_index("ix_login_codes_expires", "login_codes", ["election_id", "expires_at"])
    op.create_table(
        "login_sessions",
        sa.Column("token_hash", sa.LargeBinary(32), primary_key=True),
        sa.Column("election_id", sa.String(64), nullable=False),
        sa.Column("voter_id", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_login_sessions_expires", "login_sessions", ["election_id", "expires_at"])
    op.create_table(
        "login_bindings",
        sa.Column("election_id", sa.String(64), sa.ForeignKey("elections.id"), primary_key=True),
        sa.Column("voter_id", sa.String(200), primary_key=True),
        sa.Column("credential", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("election_id", "credential", name="uq_login_bindings_credential"),
    )


def downgrade() -> None:
    op.drop_table("login_bindings")
    op.drop_index("ix_login_sessions_expires", table_name="login_sessions")
    op.drop_table("login_sessions")
    op.drop_index("ix_login_codes_expires", table_name="login_codes")
    op.drop_table("login_codes")
    op.drop_table("voter_logins")
