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
silently replaced by a new one; a database file (or journal) holding bytes is never
deleted or overwritten to make a new one, whatever the key file says. A disk that is full,
read-only or failing is said as such, never as a wrong passphrase.

Wrong passphrases typed where nothing can be written yet (the command line) are noted in
a small private file (:func:`note_failed_unlock`); ``amudesk.services.desk`` writes them into
the audit trail at the next successful open. What a new database is filled with, and every
audit entry, are the callers' (``amudesk.services.desk``): this module opens, keys and
migrates.
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

import sqlcipher3.dbapi2
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

import amudesk.models  # noqa: F401  (registers the tables)
from amudesk import crypto, outputs, serverlink
from amudesk.crypto import DEFAULT_KDF, KdfParams, Key
from amudesk.i18n import _
from amudesk.paths import DATABASE_NAME, prepare_data_dir, private_file

# The errors live below the store (amudesk.paths raises them too); still importable here.
from amudesk.storeerrors import DiskFailing as DiskFailing
from amudesk.storeerrors import DiskFull as DiskFull
from amudesk.storeerrors import NotWritable as NotWritable
from amudesk.storeerrors import PassphraseNeeded as PassphraseNeeded
from amudesk.storeerrors import ServerAway as ServerAway
from amudesk.storeerrors import StoreError as StoreError
from amudesk.storeerrors import StoreLocked as StoreLocked
from amudesk.storeerrors import WrongPassphrase as WrongPassphrase
from amudesk.storeerrors import server_unreachable as server_unreachable
from amudesk.storeerrors import storage_error as storage_error
from amudesk.storeerrors import storage_problem as storage_problem

log = logging.getLogger(__name__)

# The newest migration in amudesk/migrations/versions. A test checks that it is the head,
# so opening an up-to-date database never has to load Alembic.
SCHEMA_REVISION = "0013"
BUSY_TIMEOUT_MS = 10_000
CACHE_KIB = 65_536
CONNECT_TIMEOUT_S = 5  # a shared database's server
FAILED_UNLOCKS_NAME = "failed-unlocks"


@dataclass
class Store:
    engine: Engine
    data_dir: Path | None
    key: Key | None = None
    url: str | None = None
    locked: bool = False
    account: str | None = None  # who signed in, on a shared database (amudesk.services.accounts)
    role: str | None = None  # that account's role; None on a laptop's store (no roles)
    # A shared database's server known not to answer (amudesk.ui.changewatch): until it is
    # back, a session is refused at once instead of waiting for the connection's timeout
    # on every click and keystroke.
    away: bool = False

    def session(self, *, even_away: bool = False) -> Session:
        """A session on the database; ``even_away`` for the question that finds out whether
        the server is back."""
        if self.locked:
            raise StoreLocked(_("AMU Desk is locked."))
        if self.away and not even_away:
            raise ServerAway(_("The office's server cannot be reached."))
        # The data folder travels with the session: a hook that recounts the next time
        # limits before a commit reads the folder's clock settings.
        # The account signed in names every change, audit entry and document.
        return Session(
            self.engine,
            expire_on_commit=False,
            info={"data_dir": self.data_dir, "account": self.account, "role": self.role},
        )

    def lock(self) -> None:
        """Close every connection and overwrite the key; ``unlock`` opens the database again.
        A connection attempted meanwhile fails (the key is gone), never reads anything."""
        self.close()
        self.locked = True
        log.info("locked")

    def unlock(self, passphrase: str) -> None:
        """Open again with ``passphrase``; raises WrongPassphrase (and stays locked).
        ``amudesk.services.desk.unlock`` also writes the audit entries."""
        if not self.locked:
            return
        if self.data_dir is None or self.url is None:
            raise StoreError(_("Only the encrypted database of a data folder is locked."))
        _check_passphrase(passphrase)
        if folder_state(self.data_dir) != "encrypted":
            raise StoreError(
                _(
                    "The database in {folder} is no longer the one that was open; "
                    "start AMU Desk again."
                ).format(folder=self.data_dir)
            )
        try:
            key = _unlock(self.data_dir, passphrase)
        except OSError as exc:
            raise storage_error(exc, self.data_dir) from exc
        self._reopen(key)

    def reopen_shared(self) -> None:
        """A shared database locked (its worker away): connect again. The caller then signs
        the same account in (amudesk.services.accounts.sign_in_store) and locks again if
        that fails."""
        if not self.locked or self.is_sqlite or self.url is None:
            return
        self.engine = make_engine(self.url)
        self.locked = False
        # Asked afresh: the sign-in that follows says itself whether the server answers
        # (the watcher, idle while the desk was locked, cannot lift "away" before it).
        self.away = False

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

    def sever(self) -> int:
        """The office's server stopped answering: cut every connection (from any thread), so
        that nothing waits on it, and open none until :meth:`heard`
        (:func:`amudesk.serverlink.sever`); 0 on a laptop's store."""
        return 0 if self.is_sqlite else serverlink.sever(self.engine)

    def heard(self) -> None:
        """The office's server answered: sessions and connections as before."""
        self.away = False
        serverlink.heard(self.engine)

    def close(self) -> None:
        """Close every connection and overwrite the key in memory."""
        serverlink.stop_asking(self.engine)
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
    return sqlcipher3.dbapi2


def keyed_connection(path: Path, key: Key, *, check: bool = True) -> Any:
    """A SQLCipher connection to ``path`` opened with ``key``; raises WrongPassphrase when the
    key does not open it (and ``check`` is on), DiskFull, NotWritable or DiskFailing when
    the disk is the problem."""
    module = _sqlcipher()
    try:
        connection = module.connect(
            str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
    except module.Error as exc:
        raise storage_error(exc, path.parent) from exc
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")  # no decryption noise on stderr
        connection.execute(key.pragma())
        if check:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except module.Error as exc:
        connection.close()
        problem = storage_problem(exc, path.parent)
        if problem is not None:
            raise problem from exc
        raise WrongPassphrase(_("Wrong passphrase, or the database file is damaged.")) from exc
    return connection


def _check_passphrase(passphrase: str) -> None:
    if not crypto.passphrase_is_text(passphrase):
        raise StoreError(
            _(
                "The passphrase is not valid text in UTF-8 (the terminal or the environment "
                "uses another character encoding); give it again in UTF-8."
            )
        )


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
    # Moments are read and written in UTC whatever the server's own time zone: an audit
    # entry's hash is made from its moment in UTC. Rows written at once (an import, the
    # demo) go 100 to a statement with positional parameters: psycopg reads every
    # parameter of a statement in Python, and statements of a thousand rows with named
    # ones made an import of 10,000 rows take 9 s instead of 6.
    engine = create_engine(
        url,
        pool_pre_ping=True,
        paramstyle="format",
        insertmanyvalues_page_size=100,
        # A server that does not answer is said within seconds, never waited on for minutes
        # (amudesk.serverlink: keepalives both ways, a bound on unacknowledged data).
        connect_args=serverlink.connect_args(CONNECT_TIMEOUT_S),
    )
    serverlink.track(engine)  # the watcher cuts its connections when the server goes silent
    return engine


BULK_ROWS = 1000  # written at once, past this many rows the planner's statistics are refreshed


def refresh_statistics(store: Store, rows: int) -> None:
    """After ``rows`` were written at once (a demo, an import, a copy), on PostgreSQL: the
    tables vacuumed and their statistics read again (VACUUM ANALYZE, a second or two for
    100,000 people), so that the next searches are planned on the tables as they are, not
    as they were empty, and read the new rows without checking each one's transaction
    (the visibility map: the search's walk through the list is three times quicker).
    SQLite needs neither; the server's autovacuum would come to it later."""
    if store.is_sqlite or rows < BULK_ROWS:
        return
    # VACUUM runs outside any transaction.
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")


def probe_database(url: str) -> str:
    """What the PostgreSQL database at ``url`` holds: "amudesk" (this desk's schema),
    "empty" or "other"; raises the driver's error when it cannot be reached (10 seconds)."""
    engine = create_engine(url, connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    if "alembic_version" in tables and "request" in tables:
        return "amudesk"
    return "empty" if not tables else "other"


# --- what a data folder holds ---------------------------------------------------------


def folder_state(data_dir: Path) -> str:
    """``new`` (no database yet: a passphrase is chosen), ``encrypted`` (its passphrase is
    asked for) or ``plain`` (an unencrypted database of an earlier version: a passphrase is
    chosen and the data encrypted with it). Raises StoreError when the folder cannot be used.

    ``new`` only when neither the database file nor its journal holds a byte: whatever the
    key file says, data is never replaced by a new database. A key file still marked as not
    initialised beside a database that starts with its salt is a first start cut short (or
    a flag someone changed): ``encrypted``, opened with its passphrase.
    """
    try:
        return _folder_state(data_dir)
    except OSError as exc:
        raise storage_error(exc, data_dir) from exc


def _folder_state(data_dir: Path) -> str:
    path = database_path(data_dir)
    key_path = crypto.key_file_path(data_dir)
    kind = crypto.file_kind(path)
    key_file: crypto.KeyFile | None = None
    if kind == "sealed" and _settled_key_file(data_dir) is not None:
        return "encrypted"  # a key change or restore cut short: open_store settles it
    if key_path.exists() or key_path.is_symlink():
        try:
            key_file = crypto.read_key_file(key_path)
        except crypto.KeyFileError as exc:
            problem = _("The key file {key} in {folder} cannot be used: {detail}").format(
                key=key_path.name, folder=data_dir, detail=exc
            )
            raise StoreError(_with_remedy(problem, data_dir)) from exc
    if kind in ("missing", "empty"):
        if _holds_bytes(_database_files(path)[1]):
            raise StoreError(
                _(
                    "The database file {name} in {folder} is missing or empty but its journal "
                    "holds data; restore a backup with amudesk restore FILE. Nothing was "
                    "changed."
                ).format(name=path.name, folder=data_dir)
            )
        if key_file is not None and key_file.initialised and kind == "missing":
            raise StoreError(
                _(
                    "The database file {name} is missing from {folder}, which was set up "
                    "before. It is not re-created empty: restore a backup."
                ).format(name=path.name, folder=data_dir)
            )
        if kind == "empty" and (key_file is None or key_file.initialised):
            raise StoreError(
                _("The database file {name} is empty (0 bytes). It is left as it is.").format(
                    name=path.name
                )
            )
        return "new"  # nothing yet, or a first start that stopped before the first page
    if kind == "plain":
        return "plain"
    if key_file is None:
        problem = _(
            "{name} in {folder} is not an AMU Desk database, or its key file {key} is missing"
        ).format(name=path.name, folder=data_dir, key=key_path.name)
        raise StoreError(_with_remedy(problem, data_dir))
    if crypto.file_salt(path) != key_file.salt:
        problem = _(
            "The key file {key} in {folder} does not belong to the database {name} (one of "
            "them was replaced, or the database's first bytes are damaged)"
        ).format(key=key_path.name, folder=data_dir, name=path.name)
        raise StoreError(_with_remedy(problem, data_dir))
    return "encrypted"


def _settled_key_file(data_dir: Path) -> crypto.KeyFile | None:
    """``amudesk.key.new`` when it is sound and belongs to the database: what
    :func:`settle_key_file` will put in place of ``amudesk.key``."""
    key_path = crypto.key_file_path(data_dir)
    new = key_path.with_name(key_path.name + ".new")
    if not new.exists():
        return None
    try:
        fresh = crypto.read_key_file(new)
    except crypto.KeyFileError:
        return None
    return fresh if crypto.file_salt(database_path(data_dir)) == fresh.salt else None


def _holds_bytes(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


def _with_remedy(problem: str, data_dir: Path) -> str:
    """``problem``, then how to put things right: the key file of a backup that matches
    the database when there is one, else any backup's."""
    copy = _matching_key_copy(data_dir)
    if copy is not None:
        remedy = _(
            "copy {copy} to {key} (that backup's key file matches the database), or restore "
            "a backup with amudesk restore FILE; nothing was changed."
        ).format(copy=copy.relative_to(data_dir), key=crypto.KEY_FILE_NAME)
    else:
        remedy = _(
            "put back {key} from a backup made since the passphrase last changed "
            "(backups/amudesk-….key), or restore a backup with amudesk restore FILE; "
            "nothing was changed."
        ).format(key=crypto.KEY_FILE_NAME)
    return _("{problem}; {remedy}").format(problem=problem, remedy=remedy)


def _matching_key_copy(data_dir: Path) -> Path | None:
    """The newest key file in ``backups`` whose salt is the database's first bytes."""
    database = database_path(data_dir)
    try:
        if crypto.file_kind(database) != "sealed":
            return None
        salt = crypto.file_salt(database)
        copies = sorted(
            (data_dir / "backups").glob("*.key"), key=lambda p: p.stat().st_mtime, reverse=True
        )
    except OSError:
        return None
    for copy in copies:
        try:
            if crypto.read_key_file(copy).salt == salt:
                return copy
        except (crypto.KeyFileError, OSError):
            continue
    return None


def open_store(
    data_dir: Path | None = None,
    *,
    url: str | None = None,
    passphrase: str | None = None,
    kdf: KdfParams = DEFAULT_KDF,
    fill_new: Callable[[Session], object] | None = None,
) -> Store:
    """Open (creating and migrating as needed) the database of ``data_dir`` or ``url``.

    A data folder's SQLite database needs ``passphrase``: a new one is created encrypted
    with it (Argon2id costs ``kdf``), an unencrypted one of an earlier version is encrypted
    with it first. A ``url`` (PostgreSQL) is protected by its server, not here.

    ``fill_new(session)`` fills a database that holds nothing yet (a new one, or a first
    start cut short before anything was recorded), in one transaction, before the first
    start is marked done: ``amudesk.services.desk.open_desk`` gives the CPAS directory.
    """
    created = False
    resumed = False  # a first start cut short, or a key file's flag changed
    key: Key | None = None
    if data_dir is not None:
        data_dir = prepare_data_dir(data_dir)  # logs and backups live there even with a URL
        # No file this process writes for people may land in it; and what an output killed
        # midway left elsewhere is removed now.
        outputs.claim_data_folder(data_dir)
    if url is None:
        if data_dir is None:
            raise ValueError("open_store needs a data folder or a URL")
        if passphrase is None:
            raise PassphraseNeeded(_("The database is opened only with its passphrase."))
        _check_passphrase(passphrase)
        try:
            retire_leftovers(data_dir)
            settle_key_file(data_dir)
            state = folder_state(data_dir)
            if state == "new":
                key = _prepare_new(data_dir, passphrase, kdf)
                created = True
            elif state == "plain":
                key = _encrypt_plain_folder(data_dir, passphrase, kdf)
            else:
                resumed = not crypto.read_key_file(crypto.key_file_path(data_dir)).initialised
                key = _unlock(data_dir, passphrase)
        except OSError as exc:
            raise storage_error(exc, data_dir) from exc
        url = f"sqlite:///{database_path(data_dir)}"
    folder = data_dir if data_dir is not None else Path(url.removeprefix("sqlite:///")).parent
    engine = make_engine(url, key=key)
    store = Store(engine=engine, data_dir=data_dir, key=key, url=url)
    with closed_on_failure(store, folder):
        revision = current_revision(engine)
        if revision is None and not created and not resumed and key is not None:
            raise StoreError(_("{name} is not an AMU Desk database.").format(name=DATABASE_NAME))
        seed = created or revision is None
        if revision != SCHEMA_REVISION:
            if revision is not None and data_dir is not None:
                copy_database(
                    store, data_dir / "backups" / f"before-migration-{revision}-{_stamp()}.sqlite3"
                )
            migrate(engine)
        if resumed and not seed:
            # Cut short between the schema and the directory: nothing was ever recorded.
            seed = _trail_is_empty(store)
        if seed and fill_new is not None:
            with store.transaction() as session:
                fill_new(session)
        if (created or resumed) and key is not None and data_dir is not None:
            # Only a first start leaves the key file not yet marked (an earlier version's
            # folder is marked when it is encrypted): other opens need not read it again.
            _mark_initialised(data_dir)
    return store


@contextlib.contextmanager
def closed_on_failure(store: Store, folder: Path) -> Iterator[None]:
    """Close ``store`` when the block fails, the disk's or the database's error said for
    people (``folder`` holds the database)."""
    try:
        yield
    except StoreError:
        store.close()
        raise
    except OSError as exc:
        store.close()
        raise storage_error(exc, folder) from exc
    except DatabaseError as exc:
        store.close()
        if not store.is_sqlite:  # a server away or refusing: no file here to restore
            raise StoreError(
                _(
                    "The office's server cannot be reached or refused the connection: {detail}"
                ).format(detail=str(exc.orig or exc).strip().splitlines()[0][:300])
            ) from exc
        raise _unreadable(exc, folder) from exc
    except (sqlite3.Error, _sqlcipher().Error) as exc:  # raw errors: copies, checkpoints
        store.close()
        raise _unreadable(exc, folder) from exc


def _unreadable(exc: BaseException, folder: Path) -> StoreError:
    """A database error said for people: the disk's problem, or the database's."""
    problem = storage_problem(exc, folder)
    if problem is not None:
        return problem
    detail = exc.orig if isinstance(exc, DatabaseError) else exc
    return StoreError(
        _(
            "The database cannot be read ({detail}); it is left as it is. Restore the latest "
            "backup (amudesk restore FILE)."
        ).format(detail=detail)
    )


def _trail_is_empty(store: Store) -> bool:
    with store.engine.connect() as connection:
        return connection.execute(text("SELECT 1 FROM audit_entry LIMIT 1")).first() is None


def _prepare_new(data_dir: Path, passphrase: str, kdf: KdfParams) -> Key:
    """Write the key file (marked not yet initialised) and clear what an interrupted first
    start may have left (an empty database file, an empty journal); the database itself is
    made by the engine. A file holding bytes is never removed: StoreError."""
    path = database_path(data_dir)
    database, journal, shared_memory = _database_files(path)
    for leftover in (database, journal):
        if _holds_bytes(leftover):  # written since folder_state looked: someone else's
            raise StoreError(
                _(
                    "{name} in {folder} was written by another program meanwhile; close it "
                    "and try again. Nothing was changed."
                ).format(name=leftover.name, folder=data_dir)
            )
    journal.unlink(missing_ok=True)
    shared_memory.unlink(missing_ok=True)
    salt = crypto.new_salt()
    crypto.write_key_file(
        crypto.key_file_path(data_dir),
        crypto.KeyFile(salt=salt, params=kdf, initialised=False),
    )
    private_file(path)  # empty and private: SQLCipher writes its first page (and salt) into it
    return _new_key(passphrase, salt, kdf)


def _new_key(passphrase: str, salt: bytes, kdf: KdfParams) -> Key:
    """The key of a key file written now (passphrase form NFC)."""
    return _derive(crypto.normalise_passphrase(passphrase), salt, kdf)


def _derive(passphrase: str, salt: bytes, params: KdfParams) -> Key:
    try:
        return crypto.derive_key(passphrase, salt, params)
    except crypto.KeyDerivationError as exc:
        raise StoreError(
            _(
                "This computer could not give the key derivation the memory the key file "
                "asks for; close other programs and try again. Nothing was changed."
            )
        ) from exc


def _mark_initialised(data_dir: Path) -> None:
    key_path = crypto.key_file_path(data_dir)
    key_file = crypto.read_key_file(key_path)
    if not key_file.initialised:
        crypto.write_key_file(key_path, key_file.marked_initialised())


def _unlock(data_dir: Path, passphrase: str) -> Key:
    try:
        key = unlock_file(database_path(data_dir), crypto.key_file_path(data_dir), passphrase)
    except crypto.KeyFileError as exc:
        problem = _("The key file {key} in {folder} cannot be used: {detail}").format(
            key=crypto.KEY_FILE_NAME, folder=data_dir, detail=exc
        )
        raise StoreError(_with_remedy(problem, data_dir)) from exc
    log.info("database unlocked")
    return key


def unlock_file(database: Path, key_path: Path, passphrase: str) -> Key:
    """The key of ``database`` (the data folder's, or a backup) from ``passphrase`` and the
    salt and costs in ``key_path``, checked by opening the file. Raises WrongPassphrase
    (every derived key wiped), KeyFileError, or StoreError (a passphrase that is not text,
    a disk that is full or cannot be written).

    A key file made before passphrases were normalised is tried with the passphrase as
    typed, then in its other Unicode forms: one Argon2id derivation for each."""
    _check_passphrase(passphrase)
    key_file = crypto.read_key_file(key_path)
    if crypto.file_salt(database) != key_file.salt:
        raise WrongPassphrase(_("Wrong passphrase, or the database file is damaged."))
    for candidate in crypto.passphrase_candidates(passphrase, key_file.passphrase_form):
        key = _derive(candidate, key_file.salt, key_file.params)
        try:
            keyed_connection(database, key).close()
        except WrongPassphrase:
            key.wipe()
            continue
        except BaseException:
            key.wipe()
            raise
        return key
    raise WrongPassphrase(_("Wrong passphrase, or the database file is damaged."))


def _database_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


# --- wrong passphrases typed while nothing could be written ---------------------------------


def failed_unlocks_path(data_dir: Path) -> Path:
    return Path(data_dir) / FAILED_UNLOCKS_NAME


def note_failed_unlock(data_dir: Path, at: dt.datetime | None = None) -> None:
    """Note that a wrong passphrase was given for the database of ``data_dir`` (at ``at``,
    by default now): its moment in UTC is appended to a private file (0600) of the folder,
    never the passphrase; the next successful open writes it into the audit trail. A
    failure to write the note is logged, never raised."""
    moment = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    line = moment.isoformat(timespec="microseconds") + "\n"
    path = failed_unlocks_path(Path(data_dir).expanduser())
    try:
        fd = os.open(
            path,
            os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
            0o600,
        )
        try:
            if os.name == "posix":
                os.fchmod(fd, 0o600)
            os.write(fd, line.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        log.warning("a failed unlock could not be noted: %s", exc.__class__.__name__)
    else:
        log.info("failed unlock noted")


def take_failed_unlocks(data_dir: Path) -> list[dt.datetime]:
    """The moments (UTC) noted by :func:`note_failed_unlock`, oldest first; the note is
    removed. A line that is no moment is skipped."""
    with noted_failed_unlocks(data_dir) as moments:
        return moments


@contextlib.contextmanager
def noted_failed_unlocks(data_dir: Path) -> Iterator[list[dt.datetime]]:
    """The moments (UTC) noted by :func:`note_failed_unlock`, oldest first (a line that is
    no moment is skipped); the note is removed only once the block ended without error, and
    a failure noted meanwhile stays for the next time."""
    path = failed_unlocks_path(Path(data_dir).expanduser())
    raw = _read_failed_unlocks(path)
    yield _moments(raw)
    _forget_failed_unlocks(path, raw)


def _read_failed_unlocks(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return b""
    except OSError as exc:
        log.warning("the failed unlocks cannot be read: %s", exc.__class__.__name__)
        return b""
    try:
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    except OSError as exc:
        log.warning("the failed unlocks cannot be read: %s", exc.__class__.__name__)
        return b""


def _moments(raw: bytes) -> list[dt.datetime]:
    moments: list[dt.datetime] = []
    skipped = 0
    for line in raw.decode("ascii", errors="replace").splitlines():
        try:
            moment = dt.datetime.fromisoformat(line.strip())
        except ValueError:
            skipped += 1
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        moments.append(moment.astimezone(dt.UTC))
    if skipped:
        log.warning("%d lines of the failed unlocks are no moment", skipped)
    return moments


def _forget_failed_unlocks(path: Path, taken: bytes) -> None:
    """Remove the lines ``taken`` from the note; lines added since stay for the next open."""
    if not taken:
        return
    try:
        current = path.read_bytes()
        if current == taken:
            path.unlink()
            return
        if not current.startswith(taken):
            return  # someone else took it meanwhile: what is there now was noted since
        temporary = path.with_name(path.name + ".tmp")
        fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        try:
            os.write(fd, current[len(taken) :])
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except FileNotFoundError:
        return
    except OSError as exc:
        log.warning("the failed unlocks could not be cleared: %s", exc.__class__.__name__)


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
    key = _new_key(passphrase, salt, kdf)
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
    is returned); when anything fails it is opened again with the old one, unchanged.
    ``amudesk.services.desk.change_passphrase`` also writes the audit entry."""
    data_dir = store.data_dir
    if store.key is None or data_dir is None:
        raise StoreError(_("Only the encrypted database of a data folder has a passphrase."))
    _check_passphrase(new_passphrase)
    _check_passphrase(old_passphrase)
    old_key = _unlock(data_dir, old_passphrase)  # the current passphrase, asked again
    store.lock()
    salt = crypto.new_salt()
    new_key = _new_key(new_passphrase, salt, kdf)
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
        elif not inspect(connection).has_table("alembic_version"):
            return None
        row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


def alembic_config() -> Any:
    from alembic.config import Config  # 0.13 s: only migrating loads Alembic

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` inside one transaction."""
    from alembic import command  # 0.2 s: only migrating loads Alembic

    config = alembic_config()
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        log.info("database migrated to %s", revision)
        return
    # SQLite changes a column's constraints only by rebuilding its table, and dropping the
    # old table would break every row that points to it: the foreign keys are switched off
    # for the migration (SQLite ignores the switch inside a transaction, so it comes first)
    # and every reference is checked before the commit.
    # The driver would begin its transaction only at the first row written, leaving the
    # schema changes before it committed one by one: BEGIN is sent here, so a failure
    # anywhere leaves the database as it was.
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        connection.commit()  # ends SQLAlchemy's autobegun transaction (no BEGIN was sent)
        driver = connection.connection.driver_connection
        implicit = driver.isolation_level  # type: ignore[union-attr]
        driver.isolation_level = None  # type: ignore[union-attr]
        try:
            with connection.begin():
                connection.exec_driver_sql("BEGIN")
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StoreError(
                        _(
                            "The database's references are broken ({count} rows): not migrated."
                        ).format(count=len(broken))
                    )
        finally:
            driver.isolation_level = implicit  # type: ignore[union-attr]
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            connection.commit()
    log.info("database migrated to %s", revision)


def copy_database(
    store: Store,
    target: Path,
    *,
    progress: Callable[[int, int, int], None] | None = None,
    in_snapshot: Callable[[Session], None] | None = None,
) -> Path:
    """A consistent copy made with SQLite's backup API, never a plain file copy, in one
    step: a single read transaction, so the copy is one moment even while others write
    (with WAL they are not blocked; copied in several steps, every write by another
    connection would make SQLite start again). ``progress(status, remaining, total)`` is
    SQLite's; an exception it raises stops the copy and reaches the caller.

    ``in_snapshot(session)`` runs first, in that same read transaction: what it reads is
    exactly what the copy holds (a backup's audit anchor)."""
    if not store.is_sqlite:
        raise StoreError(_("Copies are made only of SQLite databases."))
    target.parent.mkdir(parents=True, exist_ok=True)
    private_file(target)
    with store.engine.connect() as connection, connection.begin():
        source = connection.connection.driver_connection
        if in_snapshot is not None:
            # The driver opens no transaction for reads: BEGIN holds one (a WAL snapshot,
            # from the first read on) until the block ends; the backup API reads in it.
            source.execute("BEGIN")  # type: ignore[union-attr]
            with Session(bind=connection) as session:
                in_snapshot(session)
        if store.key is not None:  # encrypted with the same key and salt as the database
            destination = keyed_connection(target, store.key, check=False)
        else:
            destination = sqlite3.connect(target)
        try:
            source.backup(destination, progress=progress)  # type: ignore[union-attr]
        except (sqlite3.Error, _sqlcipher().Error) as exc:  # a full or failing target disk
            raise _unreadable(exc, target.parent) from exc
        finally:
            destination.close()
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
