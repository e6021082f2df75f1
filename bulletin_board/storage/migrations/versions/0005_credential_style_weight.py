"""Each credential's ballot style and weight (version-2 credential lists, record-format §4.1).

The ballot hook refuses a ballot whose style is not its credential's, under the log's lock, from this
table. Credentials listed before (version-1 lists) keep style NULL (any style) and weight 1.

Revision ID: 0005_credential_style_weight
Revises: 0004_ballot_index_seq
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_credential_style_weight"
down_revision = "0004_ballot_index_seq"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("style", sa.String(200), nullable=True))
        batch.add_column(sa.Column("weight", sa.Integer, nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.drop_column("weight")
        batch.drop_column("style")
