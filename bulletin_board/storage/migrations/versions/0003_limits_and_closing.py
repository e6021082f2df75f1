"""Per-credential limits and closing: ``ballot_index.revealed``, ``ballot_checks``, ``election_closing``.

``revealed`` lets the append count a credential's challenges with a reveal apart from sealed ones (the
trustees decrypt those); existing challenge rows are filled from their entries' payloads. The two new tables
hold the ballots being checked and the close requests waiting for them (bulletin_board/elections/closing.py).

Revision ID: 0003_limits_and_closing
Revises: 0002_election_indexes
Create Date: 2026-12-02
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0003_limits_and_closing"
down_revision = "0002_election_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ballot_index") as batch:
        batch.add_column(sa.Column("revealed", sa.Boolean, nullable=False, server_default=sa.false()))
    _fill_revealed()
    op.create_table(
        "ballot_checks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("election_id", sa.String(64), sa.ForeignKey("elections.id"), nullable=False),
        sa.Column("started_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_ballot_checks_election", "ballot_checks", ["election_id"])
    op.create_table(
        "election_closing",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("election_id", sa.String(64), sa.ForeignKey("elections.id"), nullable=False),
        sa.Column("requested_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_election_closing_election", "election_closing", ["election_id"])


def _fill_revealed() -> None:
    ballot_index = sa.table("ballot_index", sa.column("id", sa.Integer), sa.column("election_id", sa.String),
                            sa.column("seq", sa.BigInteger), sa.column("action", sa.String),
                            sa.column("revealed", sa.Boolean))  # fmt: skip
    entries = sa.table("entries", sa.column("election_id", sa.String), sa.column("seq", sa.BigInteger),
                       sa.column("payload", sa.LargeBinary))  # fmt: skip
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(ballot_index.c.id, entries.c.payload)
        .select_from(
            ballot_index.join(
                entries, sa.and_(entries.c.election_id == ballot_index.c.election_id, entries.c.seq == ballot_index.c.seq)
            )
        )  # fmt: skip
        .where(ballot_index.c.action == "challenge")
    )
    revealed = [row_id for row_id, payload in rows if "reveal" in json.loads(bytes(payload))]
    for start in range(0, len(revealed), 500):
        bind.execute(sa.update(ballot_index).where(ballot_index.c.id.in_(revealed[start : start + 500])).values(revealed=True))


def downgrade() -> None:
    op.drop_index("ix_election_closing_election", table_name="election_closing")
    op.drop_table("election_closing")
    op.drop_index("ix_ballot_checks_election", table_name="ballot_checks")
    op.drop_table("ballot_checks")
    with op.batch_alter_table("ballot_index") as batch:
        batch.drop_column("revealed")
