"""The case desk: office, CPAS directory, people, requests, AAMU, decisions, counters.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FTS_SQL = [
    "CREATE VIRTUAL TABLE person_fts USING fts5(search_text, content='person', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "CREATE TRIGGER person_fts_insert AFTER INSERT ON person BEGIN "
    "INSERT INTO person_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER person_fts_delete AFTER DELETE ON person BEGIN "
    "INSERT INTO person_fts(person_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER person_fts_update AFTER UPDATE OF search_text ON person BEGIN "
    "INSERT INTO person_fts(person_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO person_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]


def upgrade() -> None:
    op.create_table(
        "office",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("phone", sa.String(50), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("bce", sa.String(10)),
        sa.Column("logo", sa.LargeBinary),
        sa.Column("signatory_name", sa.String(200), nullable=False),
        sa.Column("signatory_title", sa.String(200), nullable=False),
        sa.Column("document_language", sa.String(2), nullable=False),
        sa.Column("labour_court_address", sa.String(500), nullable=False),
    )
    op.create_table(
        "cpas",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name_fr", sa.String(200), nullable=False),
        sa.Column("name_nl", sa.String(200), nullable=False),
        sa.Column("commune_fr", sa.String(200), nullable=False),
        sa.Column("commune_nl", sa.String(200), nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("phone", sa.String(50), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("bce", sa.String(10)),
        sa.Column("amu_contact", sa.String(200), nullable=False),
    )
    op.create_table(
        "counter",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("family_name", sa.String(200), nullable=False),
        sa.Column("given_names", sa.String(200), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("birth_date", sa.String(10)),
        sa.Column("niss", sa.String(11), unique=True),
        sa.Column("nationality", sa.String(2)),
        sa.Column("languages", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(50), nullable=False),
        sa.Column("commune", sa.String(200), nullable=False),
        sa.Column("no_fixed_abode", sa.Boolean, nullable=False),
        sa.Column("usual_place", sa.String(300), nullable=False),
        sa.Column("photo", sa.LargeBinary),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("guardian_id", sa.Integer, sa.ForeignKey("person.id"), index=True),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_person_match", "person", ["family_name", "given_names", "birth_date"])
    op.create_index("ix_person_search_text", "person", ["search_text"])
    op.create_table(
        "request",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(30), nullable=False, unique=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), nullable=False, index=True),
        sa.Column("cpas_id", sa.Integer, sa.ForeignKey("cpas.id"), nullable=False, index=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("accompanied_by", sa.String(200), nullable=False),
        sa.Column("aamu_handed_in", sa.Boolean, nullable=False),
        sa.Column("care_started_on", sa.Date),
        sa.Column("care_kind", sa.String(20)),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "aamu",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "request_id", sa.Integer, sa.ForeignKey("request.id"), nullable=False, index=True
        ),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("doctor_name", sa.String(200), nullable=False),
        sa.Column("inami", sa.String(11)),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_to", sa.Date),
        sa.Column("care_categories", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "request_id", sa.Integer, sa.ForeignKey("request.id"), nullable=False, index=True
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("notified_on", sa.Date),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_to", sa.Date),
        sa.Column("mediprima_number", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_SQL:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE person_fts")
    for table in ("decision", "aamu", "request", "person", "counter", "cpas", "office"):
        op.drop_table(table)
