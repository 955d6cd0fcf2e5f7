"""Edits that cannot overwrite each other, on the records of a request too: a version,
the moment of the last change and who made it, on attestations, decisions and appeals
(people and requests have had them since 0011).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("aamu", "decision", "appeal")
WITHOUT_UPDATED_AT = ("aamu", "decision")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
            batch.add_column(
                sa.Column("updated_by", sa.String(100), nullable=False, server_default="")
            )
            if table in WITHOUT_UPDATED_AT:
                batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    for table in WITHOUT_UPDATED_AT:
        # Never changed since it was written, as far as anyone can tell.
        op.execute(f"UPDATE {table} SET updated_at = created_at")  # noqa: S608 (fixed names)
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "updated_at", existing_type=sa.DateTime(timezone=True), nullable=False
            )


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            if table in WITHOUT_UPDATED_AT:
                batch.drop_column("updated_at")
            batch.drop_column("updated_by")
            batch.drop_column("version")
