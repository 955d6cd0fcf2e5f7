"""Encrypted backups: made with SQLite's backup API, checked, kept 7 daily + 4 weekly.

A backup is a pair of files: ``amudesk-YYYYMMDD-HHMMSS.sqlite3``, an encrypted copy made
page by page from the open database (never a plain file copy of a live database), and
``amudesk-YYYYMMDD-HHMMSS.key``, the key file it opens with (salt and Argon2id costs, as in
the data folder). With the passphrase in force when it was made, the pair restores
anywhere. A copy is written under a ``.partial`` name, checked (it opens with the key and
passes SQLCipher's and SQLite's integrity checks), then renamed: a backup that exists is
whole.

Beside them, ``amudesk-YYYYMMDD-HHMMSS.anchor`` (JSON) records how many entries the audit
trail held and the hash of the last one, read in the read transaction the copy was made
in. The trail of the data folder must still hold that entry at that place
(:func:`check_anchors`): a trail cut short, or rewritten by someone who had the passphrase
(every hash computed again), no longer does.

Restoring checks the backup the same way, moves the database in use aside (untouched, as
``backups/before-restore-…``), and swaps the copy in. The key file is replaced in two
steps (``amudesk.key.new``, written from the backup's key file as read and checked, so
nothing else it may hold comes along), and the one whose salt matches the database's first
bytes wins after a crash (``store.settle_key_file``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from amudesk import crypto, outputs
from amudesk.i18n import _
from amudesk.models import AuditEntry
from amudesk.paths import private_file
from amudesk.services import audit
from amudesk.store import (
    Store,
    StoreError,
    WrongPassphrase,
    _database_files,
    copy_database,
    database_path,
    keyed_connection,
    settle_key_file,
    unlock_file,
)

log = logging.getLogger(__name__)

PREFIX = "amudesk-"
SUFFIX = ".sqlite3"
KEY_SUFFIX = ".key"
ANCHOR_SUFFIX = ".anchor"
ANCHOR_FORMAT = 1
ANCHOR_MAX_BYTES = 4096
_HASH = re.compile(r"[0-9a-f]{64}")
STAMP = "%Y%m%d-%H%M%S"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
Progress = Callable[[int, int], None]


class BackupError(StoreError):
    """A backup could not be made, checked or restored; the message is for people."""


@dataclass(frozen=True)
class Backup:
    path: Path
    made_at: dt.datetime

    @property
    def key_path(self) -> Path:
        return key_path_for(self.path)

    @property
    def anchor_path(self) -> Path:
        return anchor_path_for(self.path)


@dataclass(frozen=True)
class Anchor:
    """The audit trail when a backup was made: its number of entries and last hash."""

    entries: int
    head: str


class AnchorError(BackupError):
    """An anchor file cannot be read."""


def key_path_for(path: Path) -> Path:
    return path.with_suffix(KEY_SUFFIX)


def anchor_path_for(path: Path) -> Path:
    return path.with_suffix(ANCHOR_SUFFIX)


def backups_dir(data_dir: Path) -> Path:
    return data_dir / "backups"


def backup_name(now: dt.datetime) -> str:
    return f"{PREFIX}{now.strftime(STAMP)}{SUFFIX}"


def list_backups(folder: Path) -> list[Backup]:
    """The backups in ``folder`` (pairs whose name carries their time), oldest first."""
    found = []
    for path in folder.glob(f"{PREFIX}*{SUFFIX}"):
        try:
            made_at = dt.datetime.strptime(path.name[len(PREFIX) : -len(SUFFIX)], STAMP)
        except ValueError:
            continue
        if key_path_for(path).exists():
            found.append(Backup(path=path, made_at=made_at))
    return sorted(found, key=lambda backup: backup.made_at)


def latest_backup(folder: Path) -> Backup | None:
    backups = list_backups(folder)
    return backups[-1] if backups else None


def backup_due(data_dir: Path, now: dt.datetime | None = None) -> bool:
    """True when the newest automatic backup is older than a day (or there is none)."""
    latest = latest_backup(backups_dir(data_dir))
    now = now or dt.datetime.now()
    return latest is None or now - latest.made_at >= dt.timedelta(days=1)


def make_backup(
    store: Store,
    folder: Path | None = None,
    *,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Backup:
    """An encrypted, checked copy of the open database in ``folder`` (default: the data
    folder's ``backups``); older automatic ones are pruned (``prune``) only there."""
    if store.key is None or store.data_dir is None:
        raise BackupError(_("Backups are made of the encrypted database of a data folder."))
    own = backups_dir(store.data_dir)
    if folder is None or Path(folder).resolve() == own.resolve():
        folder = own
        folder.mkdir(parents=True, exist_ok=True)
    else:  # a folder of the user's (a USB stick): it exists, and lies outside the data folder
        try:
            folder = outputs.check_folder(Path(folder), label=_("Backup folder"))
        except outputs.OutputError as exc:
            raise BackupError(str(exc)) from None
    now = now or dt.datetime.now()
    target = folder / backup_name(now)
    if any(os.path.lexists(path) for path in (target, key_path_for(target))):
        raise BackupError(_("A backup named {name} already exists.").format(name=target.name))
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    anchors: list[Anchor] = []

    def read_anchor_in_snapshot(session: Session) -> None:
        anchors.append(Anchor(*audit.head(session=session)))

    try:
        _copy_pages(
            store,
            partial,
            progress=progress,
            cancelled=cancelled,
            in_snapshot=read_anchor_in_snapshot,
        )
        _check_copy(partial, store.key)
        crypto.fsync_path(partial)
        _copy_private(crypto.key_file_path(store.data_dir), key_path_for(target))
        write_anchor(anchor_path_for(target), anchors[0])
        os.replace(partial, target)
        crypto.fsync_folder(folder)
    except BaseException:
        partial.unlink(missing_ok=True)
        if not target.exists():  # the companions of a backup that was not made
            key_path_for(target).unlink(missing_ok=True)
            anchor_path_for(target).unlink(missing_ok=True)
        raise
    log.info("backup made")
    if folder == backups_dir(store.data_dir):
        prune(folder, now=now)
    return Backup(path=target, made_at=now.replace(microsecond=0))


def _copy_pages(
    store: Store,
    target: Path,
    *,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
    in_snapshot: Callable[[Session], None] | None = None,
) -> None:
    def step(_status: int, remaining: int, total: int) -> None:
        if cancelled is not None and cancelled():
            raise BackupError(_("The backup was cancelled; nothing was kept."))
        if progress is not None:
            progress(total - remaining, total)

    if cancelled is not None and cancelled():
        raise BackupError(_("The backup was cancelled; nothing was kept."))
    copy_database(store, target, progress=step, in_snapshot=in_snapshot)


def _copy_private(source: Path, target: Path) -> None:
    """``source``'s bytes into ``target``, created private (0600) and flushed to the disk
    before anyone renames it into place."""
    private_file(target)
    shutil.copyfile(source, target)
    crypto.fsync_path(target)


def write_anchor(path: Path, anchor: Anchor) -> None:
    """Write ``anchor`` to ``path`` atomically (temporary file, fsync, rename), 0600."""
    data = json.dumps(
        {"format": ANCHOR_FORMAT, "entries": anchor.entries, "head": anchor.head}, indent=2
    ).encode("utf-8")
    crypto.write_private(path, data)


def read_anchor(path: Path) -> Anchor:
    """The anchor at ``path``; AnchorError when it is not one."""
    damaged = AnchorError(
        _("The anchor file {name} of a backup cannot be read: it was damaged or changed.").format(
            name=path.name
        )
    )
    try:
        with path.open("rb") as handle:
            raw = handle.read(ANCHOR_MAX_BYTES + 1)
        data: Any = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise damaged from exc
    if len(raw) > ANCHOR_MAX_BYTES or not isinstance(data, dict):
        raise damaged
    entries, head = data.get("entries"), data.get("head")
    if (
        data.get("format") != ANCHOR_FORMAT
        or type(entries) is not int
        or entries < 0
        or not isinstance(head, str)
        or not _HASH.fullmatch(head)
    ):
        raise damaged
    return Anchor(entries=entries, head=head)


def _check_copy(path: Path, key: crypto.Key) -> None:
    """The copy opens with ``key`` and passes SQLCipher's and SQLite's checks."""
    try:
        connection = keyed_connection(path, key)
    except WrongPassphrase as exc:
        raise BackupError(
            _("The backup {name} does not open with its key.").format(name=path.name)
        ) from exc
    try:
        cipher = [row[0] for row in connection.execute("PRAGMA cipher_integrity_check")]
        sqlite = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        tables = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
        ).fetchone()[0]
    except Exception as exc:  # a damaged page can stop the check itself
        raise BackupError(
            _("The backup {name} is damaged: {detail}").format(name=path.name, detail=exc)
        ) from exc
    finally:
        connection.close()
    if cipher or sqlite != ["ok"]:
        detail = "; ".join([*cipher, *[row for row in sqlite if row != "ok"]][:3])
        raise BackupError(
            _("The backup {name} is damaged: {detail}").format(name=path.name, detail=detail)
        )
    if not tables:
        raise BackupError(_("{name} is not an AMU Desk database.").format(name=path.name))


def prune(folder: Path, *, now: dt.datetime | None = None) -> list[Path]:
    """Keep the newest backup of each of the last 7 days that have one and of each of the
    last 4 weeks before those; remove the others (both files). Returns what was removed."""
    backups = list_backups(folder)
    kept = set(kept_backups(backups))
    removed = []
    for backup in backups:
        if backup.path not in kept:
            for path in (backup.path, backup.key_path, backup.anchor_path):
                path.unlink(missing_ok=True)
            removed.append(backup.path)
    return removed


def kept_backups(backups: Iterable[Backup]) -> list[Path]:
    newest_first = sorted(backups, key=lambda backup: backup.made_at, reverse=True)
    days: dict[dt.date, Path] = {}
    for backup in newest_first:
        day = backup.made_at.date()
        if day not in days and len(days) < KEEP_DAILY:
            days[day] = backup.path
    oldest_day = min(days) if days else None
    weeks: dict[tuple[int, int], Path] = {}
    for backup in newest_first:
        if backup.path in days.values():
            continue
        if oldest_day is not None and backup.made_at.date() >= oldest_day:
            continue  # a second backup of a day kept as daily
        week = backup.made_at.isocalendar()[:2]
        if week not in weeks and len(weeks) < KEEP_WEEKLY:
            weeks[(week[0], week[1])] = backup.path
    return [*days.values(), *weeks.values()]


# --- restoring -------------------------------------------------------------------------------


def backup_label(path: Path) -> str:
    """A backup's own name (a time stamp), for the audit trail; "external" for any other
    file name, which might say something about a person."""
    name = Path(path).name
    return name if name.startswith(PREFIX) and name.endswith(SUFFIX) else "external"


def open_backup_key(path: Path, passphrase: str) -> crypto.Key:
    """The key of the backup ``path`` (its own key file), checked against the file."""
    key_path = key_path_for(path)
    if crypto.file_kind(path) in ("missing", "empty"):
        raise BackupError(_("{name} is missing or empty.").format(name=path.name))
    try:
        return unlock_file(path, key_path, passphrase)
    except crypto.KeyFileError as exc:
        raise BackupError(
            _("The key file {name} of this backup cannot be read ({detail}).").format(
                name=key_path.name, detail=exc
            )
        ) from exc


def check_backup(path: Path, passphrase: str) -> None:
    """Raise (StoreError) unless ``path`` opens with ``passphrase`` and is sound."""
    key = open_backup_key(Path(path), passphrase)
    try:
        _check_copy(Path(path), key)
    finally:
        key.wipe()


def restore_backup(data_dir: Path, path: Path, passphrase: str) -> Path | None:
    """Replace the data folder's database by the backup ``path``, opened with ``passphrase``.

    The backup is checked first; nothing changes when it does not open or is damaged. The
    database in use is moved, untouched, into ``backups`` as ``before-restore-…`` (with its
    journal and key file). Returns where it was kept (None when there was none). The store
    of ``data_dir`` must be closed.
    """
    path = Path(path)
    check_backup(path, passphrase)
    return install_backup(data_dir, path)


def install_backup(data_dir: Path, path: Path) -> Path | None:
    """The second half of ``restore_backup``, for a backup ``check_backup`` has just passed."""
    path = Path(path)
    database = database_path(data_dir)
    stamp = dt.datetime.now().strftime(STAMP)
    # The copy comes in before the database in use moves: if the backup cannot be read any
    # more (a USB stick pulled out since the check), nothing has changed.
    incoming = database.with_name(database.name + ".restoring")
    new_key = crypto.key_file_path(data_dir).with_name(crypto.KEY_FILE_NAME + ".new")
    incoming.unlink(missing_ok=True)
    try:
        _copy_private(path, incoming)
        # Written from what was read and checked: only the salt, the costs and the
        # passphrase's form reach the data folder, whatever else the backup's file holds.
        try:
            key_file = crypto.read_key_file(key_path_for(path))
        except crypto.KeyFileError as exc:
            raise BackupError(
                _("The key file {name} of this backup cannot be read ({detail}).").format(
                    name=key_path_for(path).name, detail=exc
                )
            ) from exc
        crypto.write_key_file(new_key, key_file.marked_initialised())
    except BaseException:
        incoming.unlink(missing_ok=True)
        new_key.unlink(missing_ok=True)
        raise
    kept: Path | None = None
    if database.exists():
        kept = _set_aside(data_dir, database, stamp)
    os.replace(incoming, database)
    crypto.fsync_folder(data_dir)
    settle_key_file(data_dir)
    log.info("backup restored")
    return kept


def _set_aside(data_dir: Path, database: Path, stamp: str) -> Path:
    """Move the database in use (with its journal and key file) into ``backups`` as
    ``before-restore-…``: nothing is opened or changed, so a damaged file stays as it is."""
    folder = backups_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"before-restore-{stamp}{SUFFIX}"
    key_path = crypto.key_file_path(data_dir)
    if key_path.exists():
        _copy_private(key_path, key_path_for(kept))
    for source, side in zip(_database_files(database), _database_files(kept), strict=True):
        if source.exists():
            os.replace(source, side)
    crypto.fsync_folder(folder)
    crypto.fsync_folder(data_dir)
    return kept


# --- the audit trail against the backups' anchors -----------------------------------------------


def check_anchors(store: Store) -> list[str]:
    """What the backups of the data folder say about its audit trail, for people: for each
    backup with an anchor, the trail must still hold, at the anchor's place, the entry that
    was its last when the backup was made. A trail cut short, or rewritten (hashes computed
    again by someone who had the passphrase), is reported naming the backup. Backups made
    after a backup that was later restored, and before that restore, belong to a trail
    that was set aside: they are not compared. An empty list when all is well."""
    if store.data_dir is None or not store.is_sqlite:
        return []
    problems: list[str] = []
    with store.session() as session:
        length, _head = audit.head(session=session)
        set_aside = _restored_spans(session)
        for backup in list_backups(backups_dir(store.data_dir)):
            if not backup.anchor_path.exists():
                continue  # made before anchors were recorded
            try:
                anchor = read_anchor(backup.anchor_path)
            except AnchorError as exc:
                problems.append(str(exc))
                continue
            if anchor.entries == 0 or any(
                (start is None or start < backup.made_at) and backup.made_at <= end
                for start, end in set_aside
            ):
                continue
            if length < anchor.entries:
                problems.append(
                    _(
                        "The audit trail is shorter than when the backup {name} was made: "
                        "entries at its end were removed."
                    ).format(name=backup.path.name)
                )
            elif audit.hash_at(anchor.entries, session=session) != anchor.head:
                problems.append(
                    _(
                        "The audit trail no longer holds the entry that was its last when the "
                        "backup {name} was made: the trail was rewritten since."
                    ).format(name=backup.path.name)
                )
    return problems


def _restored_spans(session: Session) -> list[tuple[dt.datetime | None, dt.datetime]]:
    """For each restore in the trail: the time the restored backup was made (None when its
    name does not say: every earlier backup is then set aside) and the time of the
    restore, both in local time as backup names are."""
    spans: list[tuple[dt.datetime | None, dt.datetime]] = []
    rows = session.execute(
        select(col(AuditEntry.at), col(AuditEntry.detail)).where(
            col(AuditEntry.action) == "restore"
        )
    ).all()
    for at, detail in rows:
        moment = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at
        restored_at = moment.astimezone().replace(tzinfo=None)
        name = str(detail).removeprefix("file=")
        made_at: dt.datetime | None = None
        if name.startswith(PREFIX) and name.endswith(SUFFIX):
            try:
                made_at = dt.datetime.strptime(name[len(PREFIX) : -len(SUFFIX)], STAMP)
            except ValueError:
                made_at = None
        spans.append((made_at, restored_at))
    return spans
