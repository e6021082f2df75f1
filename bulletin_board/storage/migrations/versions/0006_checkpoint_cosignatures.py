"""Witness cosignatures on the board's checkpoints, and the lease that lets one cosigner run.

``checkpoint_cosignatures`` keeps each verified cosignature line per (election, checkpoint size, witness key);
``cosigner_lease`` names the process that requests cosignatures until its lease expires
(bulletin_board/cosigning.py).

Revision ID: 0006_checkpoint_cosignatures
Revises: 0005_credential_style_weight
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_checkpoint_cosignatures"
down_revision = "0005_credential_style_weight"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkpoint_cosignatures",
        sa.Column("election_id", sa.String(64), sa.ForeignKey("elections.id"), primary_key=True),
        sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("witness_key", sa.String(300), primary_key=True),
        sa.Column("witness_name", sa.String(128), nullable=False),
        sa.Column("key_id", sa.String(8), nullable=False),
        sa.Column("line", sa.Text, nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_checkpoint_cosignatures_witness", "checkpoint_cosignatures", ["election_id", "witness_key", "size"])
    op.create_table(
        "cosigner_lease",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cosigner_lease")
    op.drop_index("ix_checkpoint_cosignatures_witness", table_name="checkpoint_cosignatures")
    op.drop_table("checkpoint_cosignatures")
