"""The one place that opens the database.

The engine is built from a URL (SQLite in the data folder by default, PostgreSQL
when a team outgrows one laptop), migrated to the current schema with Alembic
(a copy of the file is taken first), and handed to whoever needs it. Nothing
here runs at import time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from amudesk.i18n import _
from amudesk.paths import DATABASE_NAME, prepare_data_dir, private_file

log = logging.getLogger(__name__)

# The newest migration in amudesk/migrations/versions. A test checks that it is the head,
# so opening an up-to-date database never has to load Alembic.
SCHEMA_REVISION = "0002"
BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The database cannot be opened or used; the message is for people."""


@dataclass
class Store:
    engine: Engine
    data_dir: Path | None

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back on error."""
        with self.session() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def close(self) -> None:
        self.engine.dispose()


def database_path(data_dir: Path) -> Path:
    return data_dir / DATABASE_NAME


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def open_store(data_dir: Path | None = None, *, url: str | None = None) -> Store:
    """Open (creating and migrating as needed) the database of ``data_dir`` or ``url``."""
    import amudesk.models  # noqa: F401  (registers the tables)

    created = False
    if data_dir is not None:
        data_dir = prepare_data_dir(data_dir)  # logs and backups live there even with a URL
    if url is None:
        if data_dir is None:
            raise ValueError("open_store needs a data folder or a URL")
        path = database_path(data_dir)
        created = not path.exists()
        private_file(path)
        url = f"sqlite:///{path}"
    engine = make_engine(url)
    store = Store(engine=engine, data_dir=data_dir)
    try:
        revision = current_revision(engine)
        if revision != SCHEMA_REVISION:
            if revision is not None and data_dir is not None:
                copy_database(
                    store, data_dir / "backups" / f"before-migration-{revision}-{_stamp()}.sqlite3"
                )
            migrate(engine)
            created = created or revision is None
        if created:
            from amudesk.services.directory import seed_brussels

            with store.transaction() as session:
                seed_brussels(session=session)
    except sqlite3.DatabaseError as exc:  # pragma: no cover - depends on the damage
        engine.dispose()
        raise StoreError(_("The database cannot be read: {detail}").format(detail=exc)) from exc
    except DatabaseError as exc:
        engine.dispose()
        raise StoreError(
            _("The database cannot be read: {detail}").format(detail=exc.orig)
        ) from exc
    return store


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            exists = connection.execute(
                text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'")
            ).first()
            if not exists:
                return None
        else:
            from sqlalchemy import inspect

            if not inspect(connection).has_table("alembic_version"):
                return None
        row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


def alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` inside one transaction."""
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    log.info("database migrated to %s", revision)


def copy_database(store: Store, target: Path) -> Path:
    """A consistent copy made with SQLite's backup API, never a plain file copy."""
    if not store.is_sqlite:
        raise StoreError(_("Copies are made only of SQLite databases."))
    target.parent.mkdir(parents=True, exist_ok=True)
    private_file(target)
    raw = store.engine.raw_connection()
    try:
        source = raw.driver_connection
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)  # type: ignore[union-attr]
        finally:
            destination.close()
    finally:
        raw.close()
    return target


def integrity_problems(store: Store) -> list[str]:
    """What is wrong with the database; an empty list when it is sound."""
    problems: list[str] = []
    with store.engine.connect() as connection:
        if store.is_sqlite:
            try:
                rows = [r[0] for r in connection.execute(text("PRAGMA integrity_check"))]
                if rows != ["ok"]:
                    problems.extend(_("integrity: {detail}").format(detail=row) for row in rows)
                for row in connection.execute(text("PRAGMA foreign_key_check")):
                    problems.append(
                        _("foreign key: row {row} of {table} points to a missing {target}").format(
                            row=row[1], table=row[0], target=row[2]
                        )
                    )
            except DatabaseError as exc:  # a damaged page can stop the check itself
                problems.append(_("integrity: {detail}").format(detail=exc.orig))
            try:
                connection.execute(
                    text("INSERT INTO person_fts(person_fts, rank) VALUES('integrity-check', 1)")
                )
            except DatabaseError as exc:  # the search index disagrees with the table
                problems.append(_("search index: {detail}").format(detail=exc.orig))
    revision = current_revision(store.engine)
    if revision != SCHEMA_REVISION:
        problems.append(
            _("schema: version {found}, expected {expected}").format(
                found=revision, expected=SCHEMA_REVISION
            )
        )
    return problems
