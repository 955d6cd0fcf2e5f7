"""The Dutch-speaking labour court of the office's area, for documents in Dutch.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("office") as batch:
        batch.add_column(
            sa.Column("labour_court_address_nl", sa.String(500), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("office") as batch:
        batch.drop_column("labour_court_address_nl")
