"""The one place that opens the database.

The engine is built from a URL (SQLite in the data folder by default, PostgreSQL
when a team outgrows one laptop), migrated to the current schema with Alembic
(a copy of the file is taken first), and handed to whoever needs it. Nothing
here runs at import time.

A SQLite database is encrypted with SQLCipher: the key is derived from the passphrase
with Argon2id (``amudesk.crypto``) and handed over raw. ``folder_state`` tells what a data
folder holds before anything is opened: nothing yet, an encrypted database, or an
unencrypted one from an earlier version (converted in place, safely, when opened).
A database file that was set up before and is now missing or empty is an error, never
silently replaced by a new one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from amudesk import crypto
from amudesk.crypto import DEFAULT_KDF, KdfParams, Key
from amudesk.i18n import _
from amudesk.paths import DATABASE_NAME, prepare_data_dir, private_file

log = logging.getLogger(__name__)

# The newest migration in amudesk/migrations/versions. A test checks that it is the head,
# so opening an up-to-date database never has to load Alembic.
SCHEMA_REVISION = "0005"
BUSY_TIMEOUT_MS = 10_000
CACHE_KIB = 65_536


class StoreError(Exception):
    """The database cannot be opened or used; the message is for people."""


class WrongPassphrase(StoreError):
    """The key does not open the file: a wrong passphrase, or a damaged file."""


class PassphraseNeeded(StoreError):
    """A SQLite database is opened only with its passphrase."""


class StoreLocked(StoreError):
    """The store was locked: nothing is read or written until it is unlocked."""


@dataclass
class Store:
    engine: Engine
    data_dir: Path | None
    key: Key | None = None
    url: str | None = None
    locked: bool = False

    def session(self) -> Session:
        if self.locked:
            raise StoreLocked(_("AMU Desk is locked."))
        return Session(self.engine, expire_on_commit=False)

    def lock(self) -> None:
        """Close every connection and overwrite the key; ``unlock`` opens the database again.
        A connection attempted meanwhile fails (the key is gone), never reads anything."""
        self.close()
        self.locked = True
        log.info("locked")

    def unlock(self, passphrase: str) -> None:
        """Open again with ``passphrase``; raises WrongPassphrase (and stays locked)."""
        if not self.locked:
            return
        if self.data_dir is None or self.url is None:
            raise StoreError(_("Only the encrypted database of a data folder is locked."))
        self._reopen(_unlock(self.data_dir, passphrase))

    def _reopen(self, key: Key) -> None:
        """Open again, locked or closed, with a key already checked against the file."""
        assert self.url is not None
        self.key = key
        self.engine = make_engine(self.url, key=key)
        self.locked = False

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
        """Close every connection and overwrite the key in memory."""
        self.engine.dispose()
        if self.key is not None:
            self.key.wipe()


def database_path(data_dir: Path) -> Path:
    return data_dir / DATABASE_NAME


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA temp_store = MEMORY")  # sorts and temporary tables never hit the disk
    cursor.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten, not just freed
    # Keep up to 64 MiB of pages decrypted in memory: each page read from the file costs a
    # decryption and an authentication check, which made search-as-you-type 2.7 times
    # slower with SQLite's default 2 MiB cache (100,000 people: about 90 MB of file).
    cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    cursor.close()


def _sqlcipher() -> Any:
    import sqlcipher3.dbapi2

    return sqlcipher3.dbapi2


def keyed_connection(path: Path, key: Key, *, check: bool = True) -> Any:
    """A SQLCipher connection to ``path`` opened with ``key``; raises WrongPassphrase when the
    key does not open it (and ``check`` is on)."""
    module = _sqlcipher()
    connection = module.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")  # no decryption noise on stderr
        connection.execute(key.pragma())
        if check:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except module.DatabaseError as exc:
        connection.close()
        raise WrongPassphrase(_("Wrong passphrase, or the database file is damaged.")) from exc
    return connection


def make_engine(url: str, *, key: Key | None = None) -> Engine:
    """An engine for ``url``; a SQLite file with ``key`` is opened through SQLCipher."""
    if url.startswith("sqlite"):
        if key is not None:
            path = Path(url.removeprefix("sqlite:///"))
            engine = create_engine(
                url,
                module=_sqlcipher(),
                creator=lambda: keyed_connection(path, key, check=False),
            )
        else:
            engine = create_engine(
                url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
            )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


# --- what a data folder holds ---------------------------------------------------------


def folder_state(data_dir: Path) -> str:
    """``new`` (no database yet: a passphrase is chosen), ``encrypted`` (its passphrase is
    asked for) or ``plain`` (an unencrypted database of an earlier version: a passphrase is
    chosen and the data encrypted with it). Raises StoreError when the folder cannot be used.
    """
    path = database_path(data_dir)
    key_path = crypto.key_file_path(data_dir)
    kind = crypto.file_kind(path)
    if key_path.exists():
        try:
            key_file = crypto.read_key_file(key_path)
        except crypto.KeyFileError as exc:
            raise StoreError(
                _("The key file {name} cannot be read ({detail}).").format(
                    name=key_path.name, detail=exc
                )
            ) from exc
        if not key_file.initialised:
            return "new"  # the first start stopped before the database was made
        if kind == "missing":
            raise StoreError(
                _(
                    "The database file {name} is missing from {folder}, which was set up "
                    "before. It is not re-created empty: restore a backup."
                ).format(name=path.name, folder=data_dir)
            )
    if kind == "missing":
        return "new"
    if kind == "empty":
        raise StoreError(
            _("The database file {name} is empty (0 bytes). It is left as it is.").format(
                name=path.name
            )
        )
    if kind == "plain":
        return "plain"
    if not key_path.exists():
        raise StoreError(
            _("{name} is not an AMU Desk database, or its key file {key} is missing.").format(
                name=path.name, key=key_path.name
            )
        )
    return "encrypted"


def open_store(
    data_dir: Path | None = None,
    *,
    url: str | None = None,
    passphrase: str | None = None,
    kdf: KdfParams = DEFAULT_KDF,
) -> Store:
    """Open (creating and migrating as needed) the database of ``data_dir`` or ``url``.

    A data folder's SQLite database needs ``passphrase``: a new one is created encrypted
    with it (Argon2id costs ``kdf``), an unencrypted one of an earlier version is encrypted
    with it first. A ``url`` (PostgreSQL) is protected by its server, not here.
    """
    import amudesk.models  # noqa: F401  (registers the tables)

    created = False
    key: Key | None = None
    if data_dir is not None:
        data_dir = prepare_data_dir(data_dir)  # logs and backups live there even with a URL
    if url is None:
        if data_dir is None:
            raise ValueError("open_store needs a data folder or a URL")
        if passphrase is None:
            raise PassphraseNeeded(_("The database is opened only with its passphrase."))
        retire_leftovers(data_dir)
        settle_key_file(data_dir)
        state = folder_state(data_dir)
        if state == "new":
            key = _prepare_new(data_dir, passphrase, kdf)
            created = True
        elif state == "plain":
            key = _encrypt_plain_folder(data_dir, passphrase, kdf)
        else:
            key = _unlock(data_dir, passphrase)
        url = f"sqlite:///{database_path(data_dir)}"
    engine = make_engine(url, key=key)
    store = Store(engine=engine, data_dir=data_dir, key=key, url=url)
    try:
        revision = current_revision(engine)
        if revision is None and not created and key is not None:
            raise StoreError(_("{name} is not an AMU Desk database.").format(name=DATABASE_NAME))
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
        if created and key is not None and data_dir is not None:
            # Only a first start leaves the key file not yet marked (an earlier version's
            # folder is marked when it is encrypted): other opens need not read it again.
            _mark_initialised(data_dir)
    except StoreError:
        store.close()
        raise
    except sqlite3.DatabaseError as exc:  # pragma: no cover - depends on the damage
        store.close()
        raise StoreError(_("The database cannot be read: {detail}").format(detail=exc)) from exc
    except DatabaseError as exc:
        store.close()
        raise StoreError(
            _("The database cannot be read: {detail}").format(detail=exc.orig)
        ) from exc
    return store


def _prepare_new(data_dir: Path, passphrase: str, kdf: KdfParams) -> Key:
    """Write the key file (marked not yet initialised) and clear what an interrupted first
    start may have left; the database itself is made by the engine."""
    path = database_path(data_dir)
    for leftover in _database_files(path):
        leftover.unlink(missing_ok=True)
    salt = crypto.new_salt()
    crypto.write_key_file(
        crypto.key_file_path(data_dir),
        crypto.KeyFile(salt=salt, params=kdf, initialised=False),
    )
    private_file(path)  # empty and private: SQLCipher writes its first page (and salt) into it
    return crypto.derive_key(passphrase, salt, kdf)


def _mark_initialised(data_dir: Path) -> None:
    key_path = crypto.key_file_path(data_dir)
    key_file = crypto.read_key_file(key_path)
    if not key_file.initialised:
        crypto.write_key_file(
            key_path,
            crypto.KeyFile(salt=key_file.salt, params=key_file.params, initialised=True),
        )


def _unlock(data_dir: Path, passphrase: str) -> Key:
    key = unlock_file(database_path(data_dir), crypto.key_file_path(data_dir), passphrase)
    log.info("database unlocked")
    return key


def unlock_file(database: Path, key_path: Path, passphrase: str) -> Key:
    """The key of ``database`` (the data folder's, or a backup) from ``passphrase`` and the
    salt and costs in ``key_path``, checked by opening the file. Raises WrongPassphrase
    (the derived key wiped) or KeyFileError."""
    key_file = crypto.read_key_file(key_path)
    if crypto.file_salt(database) != key_file.salt:
        raise WrongPassphrase(_("Wrong passphrase, or the database file is damaged."))
    key = crypto.derive_key(passphrase, key_file.salt, key_file.params)
    try:
        keyed_connection(database, key).close()
    except WrongPassphrase:
        key.wipe()
        raise
    return key


def _database_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


# --- encrypting a database of an earlier version ------------------------------------------


def _encrypt_plain_folder(data_dir: Path, passphrase: str, kdf: KdfParams) -> Key:
    """Encrypt the folder's unencrypted database and copies, safely: copy, verify, swap.

    Each file is exported into a new encrypted file, which is checked (it opens, passes
    the integrity check and holds as many rows in every table) before it replaces the
    original; the original's bytes are then overwritten and the file removed. A stop at
    any point leaves either the plain file (converted again at the next start) or the
    encrypted one.
    """
    path = database_path(data_dir)
    salt = crypto.new_salt()
    key = crypto.derive_key(passphrase, salt, kdf)
    _check_is_amudesk(path)
    crypto.write_key_file(
        crypto.key_file_path(data_dir), crypto.KeyFile(salt=salt, params=kdf, initialised=True)
    )
    encrypt_file(path, key)
    for copy in sorted((data_dir / "backups").glob("*.sqlite3")):
        if crypto.file_kind(copy) == "plain":
            encrypt_file(copy, key)
    log.info("unencrypted database converted")
    return key


def _check_is_amudesk(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        found = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(_("The database cannot be read: {detail}").format(detail=exc)) from exc
    finally:
        connection.close()
    if not found:
        raise StoreError(_("{name} is not an AMU Desk database.").format(name=path.name))


def encrypt_file(path: Path, key: Key, *, old_key: Key | None = None) -> None:
    """Replace the SQLite file ``path`` (unencrypted, or encrypted with ``old_key``) by a
    copy encrypted with ``key``: exported, checked, swapped in, old bytes overwritten."""
    encrypted = path.with_name(path.name + ".encrypting")
    retired = path.with_name(path.name + ".retired")
    encrypted.unlink(missing_ok=True)
    if old_key is None:
        source = _sqlcipher().connect(str(path))
        source.execute("PRAGMA cipher_log_level = NONE")
    else:
        source = keyed_connection(path, old_key)
    try:
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the journal holds nothing after
        counts = _row_counts(source)
        private_file(encrypted)
        key_literal = key.pragma().removeprefix("PRAGMA key = ")
        source.execute(f"ATTACH DATABASE ? AS encrypted KEY {key_literal}", (str(encrypted),))
        source.execute("SELECT sqlcipher_export('encrypted')")
        source.execute("DETACH DATABASE encrypted")
    finally:
        source.close()
    check = keyed_connection(encrypted, key)
    try:
        problems = [row[0] for row in check.execute("PRAGMA integrity_check")]
        if problems != ["ok"] or _row_counts(check) != counts:
            raise StoreError(
                _("The encrypted copy of {name} did not match it; nothing was changed.").format(
                    name=path.name
                )
            )
    finally:
        check.close()
    private_file(encrypted)
    crypto.fsync_path(encrypted)
    retired.unlink(missing_ok=True)
    os.link(path, retired)  # keep a name on the old bytes to overwrite them after the swap
    for side in _database_files(path)[1:]:
        side.unlink(missing_ok=True)  # empty since the checkpoint; they belong to the old file
    os.replace(encrypted, path)
    crypto.fsync_folder(path.parent)
    shred(retired)


def settle_key_file(data_dir: Path) -> None:
    """Finish a key change cut short: of ``amudesk.key`` and ``amudesk.key.new``, keep the
    one whose salt is the database's (its first 16 bytes)."""
    key_path = crypto.key_file_path(data_dir)
    new = key_path.with_name(key_path.name + ".new")
    if not new.exists():
        return
    database = database_path(data_dir)
    try:
        fresh = crypto.read_key_file(new)
    except crypto.KeyFileError:
        new.unlink()
        return
    if crypto.file_kind(database) == "sealed" and crypto.file_salt(database) == fresh.salt:
        os.replace(new, key_path)
        crypto.fsync_folder(data_dir)
    else:
        new.unlink()


def change_passphrase(
    store: Store, old_passphrase: str, new_passphrase: str, kdf: KdfParams = DEFAULT_KDF
) -> Store:
    """Re-encrypt the database of ``store`` under a key from ``new_passphrase`` (new salt).
    ``store`` is closed meanwhile and opened again with the new passphrase (the same object
    is returned); when anything fails it is opened again with the old one, unchanged."""
    data_dir = store.data_dir
    if store.key is None or data_dir is None:
        raise StoreError(_("Only the encrypted database of a data folder has a passphrase."))
    old_key = _unlock(data_dir, old_passphrase)  # the current passphrase, asked again
    store.lock()
    salt = crypto.new_salt()
    new_key = crypto.derive_key(new_passphrase, salt, kdf)
    key_path = crypto.key_file_path(data_dir)
    try:
        crypto.write_key_file(
            key_path.with_name(key_path.name + ".new"),
            crypto.KeyFile(salt=salt, params=kdf, initialised=True),
        )
        encrypt_file(database_path(data_dir), new_key, old_key=old_key)
    except BaseException:
        settle_key_file(data_dir)  # the new key file goes: the database kept the old salt
        new_key.wipe()
        store._reopen(old_key)  # checked above: no second derivation
        raise
    old_key.wipe()
    settle_key_file(data_dir)
    log.info("passphrase changed")
    store._reopen(new_key)  # encrypt_file opened and checked the new file with it
    from amudesk.services import audit

    with store.transaction() as session:
        audit.record("rekey", session=session)
    return store


def _row_counts(connection: Any) -> dict[str, int]:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for table in tables
    }


def shred(path: Path) -> None:
    """Overwrite ``path`` with zeros, then remove it. On SSDs and copy-on-write file systems
    the old blocks may survive elsewhere on the device: full-disk encryption covers that."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    with path.open("r+b") as handle:
        chunk = bytes(1 << 20)
        written = 0
        while written < size:
            step = min(len(chunk), size - written)
            handle.write(chunk[:step])
            written += step
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


def retire_leftovers(data_dir: Path) -> None:
    """Clear what an interrupted conversion, key change, backup or restore left behind:
    half-made copies, and a ``*.retired`` name kept on old bytes
    (overwritten once the new file is in place; merely unlinked while it is still the live
    file's other name)."""
    backups = data_dir / "backups"
    for folder in (data_dir, backups):
        for pattern in ("*.sqlite3.encrypting", "*.sqlite3.restoring", "*.sqlite3.partial"):
            for half_made in folder.glob(pattern):
                half_made.unlink()
        for retired in folder.glob("*.sqlite3.retired"):
            original = retired.with_name(retired.name.rsplit(".", 1)[0])
            if original.exists() and os.path.samefile(original, retired):
                retired.unlink()
            else:
                shred(retired)


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


def copy_database(
    store: Store, target: Path, *, progress: Callable[[int, int, int], None] | None = None
) -> Path:
    """A consistent copy made with SQLite's backup API, never a plain file copy, in one
    step: a single read transaction, so the copy is one moment even while others write
    (with WAL they are not blocked; copied in several steps, every write by another
    connection would make SQLite start again). ``progress(status, remaining, total)`` is
    SQLite's; an exception it raises stops the copy and reaches the caller."""
    if not store.is_sqlite:
        raise StoreError(_("Copies are made only of SQLite databases."))
    target.parent.mkdir(parents=True, exist_ok=True)
    private_file(target)
    raw = store.engine.raw_connection()
    try:
        source = raw.driver_connection
        if store.key is not None:  # encrypted with the same key and salt as the database
            destination = keyed_connection(target, store.key, check=False)
        else:
            destination = sqlite3.connect(target)
        try:
            source.backup(destination, progress=progress)  # type: ignore[union-attr]
        finally:
            destination.close()
    finally:
        raw.close()
    return target


def integrity_problems(store: Store) -> list[str]:
    """What is wrong with the database; an empty list when it is sound."""
    problems: list[str] = []
    with store.engine.connect() as connection:
        if store.key is not None:  # every page's authentication code (SQLCipher)
            try:
                for row in connection.execute(text("PRAGMA cipher_integrity_check")):
                    problems.append(_("encryption: {detail}").format(detail=row[0]))
            except DatabaseError as exc:
                problems.append(_("encryption: {detail}").format(detail=exc.orig))
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
