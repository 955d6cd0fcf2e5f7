"""A front desk for all of Brussels: the office profile per language, names in Latin
letters, requests prepared before filing (no CPAS, no date yet), follow-on requests after a
transfer, the referral to the SPP IS and the urgent flag.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OFFICE_COLUMNS = (
    ("name_fr", 200),
    ("name_nl", 200),
    ("address_fr", 500),
    ("address_nl", 500),
    ("signatory_title_fr", 200),
    ("signatory_title_nl", 200),
    ("labour_court_address_fr", 500),
)


def upgrade() -> None:
    with op.batch_alter_table("office") as batch:
        for name, length in OFFICE_COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length), nullable=False, server_default=""))
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("latin_name", sa.String(400), nullable=False, server_default=""))
    # The request table is rebuilt on SQLite (its CPAS and date may now be empty):
    # store.migrate runs with the foreign keys off and checks them all before committing.
    with op.batch_alter_table("request") as batch:
        batch.alter_column("cpas_id", existing_type=sa.Integer, nullable=True)
        batch.alter_column("received_at", existing_type=sa.DateTime, nullable=True)
        batch.add_column(
            sa.Column(
                "previous_id",
                sa.Integer,
                sa.ForeignKey("request.id", name="fk_request_previous_id_request"),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("first_filed_on", sa.Date, nullable=True))
        batch.add_column(sa.Column("spp_referred_on", sa.Date, nullable=True))
        batch.add_column(sa.Column("urgent", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("urgent_reason", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("request") as batch:
        batch.drop_column("urgent_reason")
        batch.drop_column("urgent")
        batch.drop_column("spp_referred_on")
        batch.drop_column("first_filed_on")
        batch.drop_constraint("fk_request_previous_id_request", type_="foreignkey")
        batch.drop_column("previous_id")
        batch.alter_column("received_at", existing_type=sa.DateTime, nullable=False)
        batch.alter_column("cpas_id", existing_type=sa.Integer, nullable=False)
    with op.batch_alter_table("person") as batch:
        batch.drop_column("latin_name")
    with op.batch_alter_table("office") as batch:
        for name, _length in reversed(OFFICE_COLUMNS):
            batch.drop_column(name)
