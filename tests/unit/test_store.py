from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from amudesk.services.desk import open_desk
from amudesk.store import SCHEMA_REVISION, alembic_config, current_revision, integrity_problems
from tests.keys import FAST_KDF, PASSPHRASE


def test_schema_revision_constant_is_the_migration_head() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_REVISION


def test_new_data_folder_is_private_and_migrated(data_dir: Path) -> None:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        assert current_revision(store.engine) == SCHEMA_REVISION
        assert integrity_problems(store) == []
        if os.name == "posix":
            assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
            assert stat.S_IMODE((data_dir / "amudesk.sqlite3").stat().st_mode) == 0o600
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM cpas")).scalar() == 19
    finally:
        store.close()


@pytest.mark.both_engines
def test_migration_matches_the_models(store) -> None:  # type: ignore[no-untyped-def]
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    # The FTS5 shadow tables (SQLite) and the trigram index (PostgreSQL) are ours and not in
    # the models.
    differences = [
        d
        for d in differences
        if not (d[0] == "remove_table" and d[1].name.startswith("person_fts"))
        and not (d[0] == "remove_index" and d[1].name == "ix_person_search_trgm")
    ]
    assert differences == []


def test_reopening_keeps_data_and_does_not_seed_twice(data_dir: Path) -> None:
    open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM cpas")).scalar() == 19
    store.close()


def test_older_database_is_copied_before_migrating(data_dir: Path) -> None:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'base-test'"))
    store.close()
    from amudesk import store as store_module

    calls: list[str] = []
    original = store_module.migrate
    store_module.migrate = lambda engine, revision="head": calls.append(revision)  # type: ignore[assignment]
    try:
        reopened = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
        reopened.close()
    finally:
        store_module.migrate = original
    assert calls == ["head"]
    copies = list((data_dir / "backups").glob("before-migration-base-test-*.sqlite3"))
    assert len(copies) == 1
