"""The legal clock: how decisions were notified, transfers, appeals, deadline marks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decision") as batch:
        batch.add_column(sa.Column("notification_method", sa.String(20)))
        batch.add_column(sa.Column("posted_on", sa.Date))
        batch.add_column(
            sa.Column("missing_mentions", sa.String(200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("encoded_on", sa.Date))
    with op.batch_alter_table("request") as batch:
        batch.add_column(sa.Column("transferred_on", sa.Date))
        batch.add_column(sa.Column("appealed_on", sa.Date))
    op.create_table(
        "deadline_mark",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "request_id", sa.Integer, sa.ForeignKey("request.id"), nullable=False, index=True
        ),
        sa.Column("rule", sa.String(30), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("until", sa.Date),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("request_id", "rule", name="uq_deadline_mark"),
    )


def downgrade() -> None:
    op.drop_table("deadline_mark")
    with op.batch_alter_table("request") as batch:
        batch.drop_column("appealed_on")
        batch.drop_column("transferred_on")
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("encoded_on")
        batch.drop_column("missing_mentions")
        batch.drop_column("posted_on")
        batch.drop_column("notification_method")
