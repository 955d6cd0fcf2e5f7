"""Migration 0010 rebuilds the request table on SQLite (its CPAS and date may now be empty):
every row that points to a request survives, and the foreign keys are enforced afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from amudesk.services.desk import open_desk
from amudesk.store import SCHEMA_REVISION, StoreError, current_revision, make_engine, migrate
from tests.keys import FAST_KDF, PASSPHRASE

NOW = "2026-07-16 08:00:00.000000"


def _a_0009_desk(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{data_dir / 'amudesk.sqlite3'}")
    migrate(engine, "0009")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO cpas (id, name_fr, name_nl, commune_fr, commune_nl, address, phone, "
                "email, amu_contact) VALUES (1, 'CPAS de Forest', 'OCMW Vorst', 'Forest', "
                "'Vorst', '', '', '', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO person (id, family_name, given_names, sex, languages, phone, "
                "commune, no_fixed_abode, usual_place, notes, search_text, created_at, "
                "updated_at) VALUES (1, 'Diallo', 'Awa', 'F', '', '', '', 0, '', '', 'x', :now, :now)"
            ),
            {"now": NOW},
        )
        for number in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO request (id, reference, person_id, cpas_id, received_at, "
                    "channel, accompanied_by, aamu_handed_in, status, closed_note, "
                    f"created_at, updated_at) VALUES ({number}, 'AMU-2026-000{number}', 1, 1, "
                    ":now, 'in_person', '', 0, 'refused', '', :now, :now)"
                ),
                {"now": NOW},
            )
        connection.execute(
            text(
                "INSERT INTO decision (id, request_id, kind, decided_on, mediprima_number, "
                "missing_mentions, court_ordered, court_name, created_at) VALUES "
                "(1, 2, 'refusal', '2026-08-01', '', '', 0, '', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO deadline_mark (request_id, rule, kind, reason, created_at) "
                "VALUES (2, 'appeal', 'handled', '', :now)"
            ),
            {"now": NOW},
        )
    engine.dispose()


def test_a_0009_desk_keeps_every_request_and_what_points_to_it(data_dir: Path) -> None:
    _a_0009_desk(data_dir)
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        assert current_revision(store.engine) == SCHEMA_REVISION
        with store.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, cpas_id, urgent, previous_id FROM request ORDER BY id")
            ).all()
            assert [tuple(row) for row in rows] == [(1, 1, 0, None), (2, 1, 0, None)]
            assert connection.execute(text("SELECT request_id FROM decision")).scalar() == 2
            assert connection.execute(text("SELECT request_id FROM deadline_mark")).scalar() == 2
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            indexes = {
                row[1] for row in connection.execute(text("PRAGMA index_list('request')")).all()
            }
            assert {"ix_request_next", "ix_request_next_due", "ix_request_cpas_id"} <= indexes
        with pytest.raises(IntegrityError), store.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO decision (request_id, kind, decided_on, mediprima_number, "
                    "missing_mentions, court_ordered, court_name, created_at) VALUES "
                    "(99, 'refusal', '2026-08-01', '', '', 0, '', :now)"
                ),
                {"now": NOW},
            )
    finally:
        store.close()


def test_a_migration_that_leaves_a_broken_reference_is_not_committed(data_dir: Path) -> None:
    _a_0009_desk(data_dir)
    engine = make_engine(f"sqlite:///{data_dir / 'amudesk.sqlite3'}")
    with engine.connect() as connection:  # a reference broken by hand, foreign keys off
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        connection.exec_driver_sql("UPDATE decision SET request_id = 77")
        connection.commit()
    with pytest.raises(StoreError, match="references are broken"):
        migrate(engine)
    assert current_revision(engine) == "0009"
    engine.dispose()
    engine = make_engine(f"sqlite:///{data_dir / 'amudesk.sqlite3'}")
    with engine.connect() as connection:
        columns = {row[1] for row in connection.execute(text("PRAGMA table_info('office')"))}
        tables = {row[0] for row in connection.execute(text("SELECT name FROM sqlite_master"))}
    engine.dispose()
    assert "name_nl" not in columns
    assert not any(name.startswith("_alembic_tmp") for name in tables)
