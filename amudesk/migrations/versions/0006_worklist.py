"""Closing a case, and each case's next time limit kept for the case list.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("request") as batch:
        batch.add_column(sa.Column("closed_on", sa.Date, nullable=True))
        batch.add_column(sa.Column("closed_reason", sa.String(20), nullable=True))
        batch.add_column(
            sa.Column("closed_note", sa.String(300), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("next_due", sa.Date, nullable=True))
        batch.add_column(sa.Column("next_rule", sa.String(30), nullable=True))
        batch.add_column(sa.Column("next_state", sa.String(20), nullable=True))
        batch.create_index("ix_request_closed_on", ["closed_on"])
        batch.create_index("ix_request_next_due", ["next_due"])
        batch.create_index("ix_request_next", ["next_state", "next_due"])
    # Empty: the first opening finds no stamp and counts every case's next limit.
    op.create_table(
        "clock_stamp",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("clock_stamp")
    with op.batch_alter_table("request") as batch:
        batch.drop_index("ix_request_next")
        batch.drop_index("ix_request_next_due")
        batch.drop_index("ix_request_closed_on")
        for column in ("next_state", "next_rule", "next_due", "closed_note", "closed_reason"):
            batch.drop_column(column)
        batch.drop_column("closed_on")
