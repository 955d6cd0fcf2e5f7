"""A shared office: workers' accounts, who did what, and edits that cannot overwrite each
other (a version on people and requests).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SEARCH_INDEX = (
    "CREATE INDEX ix_person_search_trgm ON person USING gin ((' ' || search_text) gin_trgm_ops)"
)


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("folded", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False, server_default=""),
        sa.Column("server_role", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
    )
    for table in ("person", "request"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
            batch.add_column(
                sa.Column("updated_by", sa.String(100), nullable=False, server_default="")
            )
    with op.batch_alter_table("deadline_mark") as batch:
        batch.add_column(sa.Column("actor", sa.String(100), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "postgresql":
        # Search as you type: a trigram index answers "some word starts with …" (LIKE
        # '% tok%' over the folded names) as SQLite's FTS5 index does. pg_trgm is a trusted
        # extension: the database's owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(SEARCH_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_person_search_trgm")
    with op.batch_alter_table("deadline_mark") as batch:
        batch.drop_column("actor")
    for table in ("request", "person"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("updated_by")
            batch.drop_column("version")
    op.drop_table("account")
