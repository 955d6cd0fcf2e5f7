"""The store's errors, and what a disk's failure means for people.

A disk that is full, read-only or failing is said as such, never as a wrong passphrase.
Below ``amudesk.store`` (which re-exports every name here) so that ``amudesk.paths`` can
say a folder's failure the same way.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from amudesk.i18n import _

# Below this much free space, a disk I/O error is taken for a full disk: SQLite reports
# a failed allocation of its shared-memory file only as an I/O error.
FULL_MARGIN_BYTES = 1 << 20

# SQLite's primary result codes (the low byte of an extended one).
SQLITE_PERM = 3
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_UNWRITABLE_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}


class StoreError(Exception):
    """The database cannot be opened or used; the message is for people."""


class ServerAway(StoreError):
    """A shared database's server is known not to answer (the window's watcher found so):
    the desk does not wait for it again before it is back."""


class WrongPassphrase(StoreError):
    """The key does not open the file: a wrong passphrase, or a damaged file."""


class PassphraseNeeded(StoreError):
    """A SQLite database is opened only with its passphrase."""


class StoreLocked(StoreError):
    """The store was locked: nothing is read or written until it is unlocked."""


class DiskFull(StoreError):
    """The disk holding the files has no room left (or the user's quota is used up)."""


class NotWritable(StoreError):
    """The folder is on a read-only disk, or this user may not write there."""


class DiskFailing(StoreError):
    """The disk reported an input/output error."""


# --- when the disk is the problem ------------------------------------------------------------


# SQLite's own text for these codes (sqlite3_errstr, never translated): some driver
# errors (those of the backup API) carry the text only.
_SQLITE_TEXTS = {
    "database or disk is full": SQLITE_FULL,
    "attempt to write a readonly database": SQLITE_READONLY,
    "unable to open database file": SQLITE_CANTOPEN,
    "disk I/O error": SQLITE_IOERR,
}


def _sqlite_code(exc: BaseException) -> int | None:
    """SQLite's primary result code carried by ``exc`` (or by the driver's error that a
    SQLAlchemy error wraps); None when there is none."""
    for candidate in (exc, getattr(exc, "orig", None)):
        if candidate is None:
            continue
        code = getattr(candidate, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code & 0xFF
        if isinstance(candidate, sqlite3.Error) or type(candidate).__module__.startswith(
            "sqlcipher3"
        ):
            text_code = _SQLITE_TEXTS.get(str(candidate).strip())
            if text_code is not None:
                return text_code
    return None


def _nearly_full(folder: Path) -> bool:
    for place in (folder, *folder.parents):
        try:
            return shutil.disk_usage(place).free < FULL_MARGIN_BYTES
        except OSError:
            continue
    return False


def storage_problem(exc: BaseException, folder: Path) -> StoreError | None:
    """The error for people when ``exc`` (an OSError, or a SQLite error) says the disk
    holding ``folder`` is full, read-only or not ours to write, or failing; None when
    ``exc`` is about something else (a wrong key, a damaged file)."""
    number = exc.errno if isinstance(exc, OSError) else None
    code = _sqlite_code(exc)
    if number in _FULL_ERRNOS or code == SQLITE_FULL:
        return _disk_full(folder)
    if number in _UNWRITABLE_ERRNOS or code in (SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM):
        return NotWritable(
            _(
                "{folder} cannot be written (read-only disk, or no permission for this user); "
                "make it writable and try again. Nothing was changed."
            ).format(folder=folder)
        )
    if number == errno.EIO or code == SQLITE_IOERR:
        if _nearly_full(folder):
            return _disk_full(folder)
        return DiskFailing(
            _(
                "{folder} could not be read or written (the disk reported an error); check "
                "the disk and try again. Nothing was changed."
            ).format(folder=folder)
        )
    return None


def _disk_full(folder: Path) -> DiskFull:
    return DiskFull(
        _(
            "The disk holding {folder} is full; free some space and try again. Nothing was changed."
        ).format(folder=folder)
    )


def storage_error(exc: BaseException, folder: Path) -> StoreError:
    """:func:`storage_problem`, or a StoreError naming the system's reason."""
    problem = storage_problem(exc, folder)
    if problem is not None:
        return problem
    if isinstance(exc, StoreError):
        return exc
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return StoreError(
        _("{folder} cannot be used: {reason}. Nothing was changed.").format(
            folder=folder, reason=reason or exc.__class__.__name__
        )
    )


def server_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says that the office's PostgreSQL server could not be reached or
    stopped answering (the driver's connection errors, wrapped or not by SQLAlchemy), as
    opposed to a mistake in what was asked."""
    for error in causes(exc):
        if isinstance(error, ServerAway):
            return True
        kind = type(error)
        if kind.__module__.startswith("psycopg") and kind.__name__ in (
            "OperationalError",
            "InterfaceError",
            "ConnectionTimeout",  # the server took the connection and never answered
        ):
            return True
    return False


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then what it wraps (SQLAlchemy's ``orig``, else its cause or context), each
    once."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = getattr(error, "orig", None) or error.__cause__ or error.__context__
