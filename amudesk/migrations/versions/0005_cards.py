"""Durable medical cards, and whether a decision covers the ticket modérateur.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decision") as batch:
        batch.add_column(sa.Column("ticket_moderateur", sa.Boolean, nullable=True))
    op.create_table(
        "card",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(30), nullable=False, unique=True),
        sa.Column(
            "request_id", sa.Integer, sa.ForeignKey("request.id"), nullable=False, index=True
        ),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), nullable=False, index=True),
        sa.Column(
            "decision_id", sa.Integer, sa.ForeignKey("decision.id"), nullable=False, index=True
        ),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("document.id")),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("prints", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("printed_at", sa.DateTime(timezone=True)),
        sa.Column("handed_over_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("card")
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("ticket_moderateur")
