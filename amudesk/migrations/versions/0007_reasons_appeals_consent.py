"""A refusal's reasons, court-ordered decisions, appeals and their outcome, consent.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decision") as batch:
        batch.add_column(
            sa.Column("court_ordered", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("court_judgment_on", sa.Date, nullable=True))
        batch.add_column(sa.Column("court_name", sa.String(300), nullable=False, server_default=""))
    op.create_table(
        "decision_reason",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "decision_id", sa.Integer, sa.ForeignKey("decision.id"), nullable=False, index=True
        ),
        sa.Column("key", sa.String(30), nullable=False),
        sa.Column("explanation", sa.String(500), nullable=False, server_default=""),
    )
    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "request_id", sa.Integer, sa.ForeignKey("request.id"), nullable=False, index=True
        ),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("filed_how", sa.String(20), nullable=False),
        sa.Column("court", sa.String(300), nullable=False, server_default=""),
        sa.Column("role_number", sa.String(40), nullable=False, server_default=""),
        sa.Column("hearing_dates", sa.String(200), nullable=False, server_default=""),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("outcome_on", sa.Date, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), nullable=False, index=True),
        sa.Column("given_on", sa.Date, nullable=False),
        sa.Column("how", sa.String(20), nullable=False),
        sa.Column("uses", sa.String(100), nullable=False, server_default=""),
        sa.Column("withdrawn_on", sa.Date, nullable=True),
        sa.Column("note", sa.String(300), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    # An appeal recorded before this version was a day on the request: it becomes an
    # appeal record, filed by registered letter (the usual way), court unknown.
    op.execute(
        "INSERT INTO appeal (request_id, filed_on, filed_how, court, role_number, "
        "hearing_dates, created_at, updated_at) "
        "SELECT id, appealed_on, 'registered-letter', '', '', '', updated_at, updated_at "
        "FROM request WHERE appealed_on IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("consent")
    op.drop_table("appeal")
    op.drop_table("decision_reason")
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("court_name")
        batch.drop_column("court_judgment_on")
        batch.drop_column("court_ordered")
