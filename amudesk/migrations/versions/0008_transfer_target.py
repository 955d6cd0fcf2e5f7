"""Which CPAS a transferred request was sent to.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Added in place: rebuilding the request table would trip the foreign keys of
        # every table that points to it.
        op.execute("ALTER TABLE request ADD COLUMN transferred_to_id INTEGER REFERENCES cpas (id)")
        return
    op.add_column("request", sa.Column("transferred_to_id", sa.Integer, nullable=True))
    op.create_foreign_key(
        "fk_request_transferred_to_id_cpas", "request", "cpas", ["transferred_to_id"], ["id"]
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_request_transferred_to_id_cpas", "request", type_="foreignkey")
    with op.batch_alter_table("request") as batch:
        batch.drop_column("transferred_to_id")
