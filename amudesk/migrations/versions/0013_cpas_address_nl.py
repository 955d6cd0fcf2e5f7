"""A CPAS's address in Dutch (its street's Dutch name in Brussels), for documents in Dutch.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cpas") as batch:
        batch.add_column(sa.Column("address_nl", sa.String(500), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("cpas") as batch:
        batch.drop_column("address_nl")
