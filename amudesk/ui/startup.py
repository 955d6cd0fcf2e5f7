"""Start-up: the data folder opened with its passphrase (chosen, asked for, or restored
from the latest backup) and the office profile asked for on the first run."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget
from sqlalchemy.exc import InterfaceError, OperationalError

from amudesk import i18n
from amudesk.backups import backups_dir, latest_backup, restore_backup
from amudesk.database import DatabaseUrlError, shared_url, shown_url
from amudesk.i18n import _
from amudesk.paths import prepare_data_dir
from amudesk.services import accounts, audit
from amudesk.services.desk import open_desk
from amudesk.services.office import get_office
from amudesk.settings import load_settings
from amudesk.store import Store, StoreError, WrongPassphrase, folder_state, note_failed_unlock
from amudesk.ui.datalocation import DataLocationDialog
from amudesk.ui.signindialog import SignInDialog
from amudesk.ui.unlockdialog import PassphraseDialog, UnlockDialog

APP_NAME = "AMU Desk"
DATABASE_URL_ENV = "AMUDESK_DATABASE_URL"


def shared_database_text(folder: Path, given: str | None) -> str:
    """The shared database the window opens: ``--database``, else $AMUDESK_DATABASE_URL,
    else the settings' choice; "" for the data folder's own store."""
    return (given or os.environ.get(DATABASE_URL_ENV) or load_settings(folder).database_url).strip()


def choose_server(folder: Path) -> Store | None:
    """Where the office's server is (kept in the settings), then connected and signed in;
    None when the person closed a screen."""
    location = DataLocationDialog(folder)
    location.server.setChecked(True)
    if location.exec() != QDialog.DialogCode.Accepted:
        return None
    url = load_settings(folder).database_url
    return connect_shared(folder, url) if url else unlock_store(folder)


def connect_shared(folder: Path, text: str) -> Store | None:
    """The office's shared database named by ``text``, signed in: with $AMUDESK_USER and
    $AMUDESK_PASSWORD when set (scripts, the bench), else in the sign-in dialog (which
    creates the first administrator on a database without accounts). None when the person
    closed a screen. A server that cannot be reached is said, with Try again and Quit."""
    try:
        url = shared_url(text)
    except DatabaseUrlError as exc:
        raise StoreError(str(exc)) from None
    folder = prepare_data_dir(folder)  # logs and settings stay in the data folder
    while True:
        try:
            store = open_desk(folder, url=url)
            break
        except (OperationalError, InterfaceError) as exc:
            answer = QMessageBox.warning(
                None,
                APP_NAME,
                _("The office's server cannot be reached ({server}).\n\n{reason}").format(
                    server=shown_url(url), reason=str(exc.orig or exc).strip()[:300]
                ),
                QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Close,
            )
            if answer != QMessageBox.StandardButton.Retry:
                return None
    try:
        name = os.environ.get("AMUDESK_USER", "").strip()
        password = os.environ.get("AMUDESK_PASSWORD")
        if name and password is not None:
            accounts.sign_in_store(store, name, password)
            return store
        with store.session() as session:
            first = not accounts.has_accounts(session=session)
        dialog = SignInDialog(store, server=shown_url(url), first=first)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            store.close()
            return None
        return store
    except BaseException:
        store.close()
        raise


def unlock_store(folder: Path) -> Store | None:
    """The store of ``folder``, opened with a passphrase: chosen on the first run (or to
    encrypt a database of an earlier version), asked for otherwise. None when the person
    closed the screen. ``$AMUDESK_PASSPHRASE`` stands in for the screens (scripts, bench).
    Raises StoreError when the folder cannot be used at all.
    """
    folder = prepare_data_dir(folder)
    state = folder_state(folder)
    given = os.environ.get("AMUDESK_PASSPHRASE")
    if given:
        with noting_failures(folder):
            return open_desk(folder, passphrase=given)

    def opener(passphrase: str) -> Any:
        # Each wrong passphrase is noted in the data folder; opening writes the notes into
        # the audit trail, then the unlock itself (record_unlock): once, in order.
        with noting_failures(folder):
            return open_desk(folder, passphrase=passphrase, record_unlock=True)

    if state in ("new", "plain"):
        choose = PassphraseDialog(mode="new" if state == "new" else "convert")
        if choose.exec() != QDialog.DialogCode.Accepted:
            if choose.server_chosen:  # a new desk on the office's shared server
                return choose_server(folder)
            return None
        chosen = choose.passphrase()
        # The same screen that opens an existing database opens (or converts) this one,
        # off the UI thread; the passphrase just chosen is tried at once.
        unlock = UnlockDialog(opener, reference=str(folder))
        unlock.submit(chosen)
    else:
        unlock = UnlockDialog(
            opener, reference=str(folder), offer_restore=_latest_backup(folder) is not None
        )
    if unlock.exec() != QDialog.DialogCode.Accepted:
        if unlock.restore_chosen:
            return offer_restore(
                folder, _("Wrong passphrase, or the database file is damaged."), ask=False
            )
        return None
    return unlock.store


def _latest_backup(folder: Path) -> Any:
    return latest_backup(backups_dir(folder))


def offer_restore(folder: Path, reason: str, *, ask: bool = True) -> Store | None:
    """When the database cannot be used, offer its latest backup: the backup's passphrase
    is asked, the backup checked and put in place (the unusable file is kept, untouched,
    in ``backups``), and the restored store returned. None when there is no backup or
    the person declines."""
    latest = _latest_backup(folder)
    if latest is None:
        return None
    if ask:
        answer = QMessageBox.question(
            None,
            APP_NAME,
            _(
                "{reason}\n\nThe latest backup was made on {when}. Restore it? The file that "
                "cannot be opened is kept, untouched, in the backups folder."
            ).format(reason=reason, when=i18n.format_datetime(latest.made_at.astimezone())),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None

    def opener(passphrase: str) -> Any:
        restore_backup(folder, latest.path, passphrase)
        return open_desk(folder, passphrase=passphrase)

    dialog = UnlockDialog(opener, reference=str(latest.path))
    dialog.setWindowTitle(_("AMU Desk — Restore the latest backup"))
    dialog.intro.setText(
        _("Type the passphrase in force when this backup was made; it is checked first.")
    )
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    store = dialog.store
    assert store is not None  # accepted: the passphrase opened it
    with store.transaction() as session:
        audit.record("restore", session=session, detail=f"file={latest.path.name}")
    return store


@contextlib.contextmanager
def noting_failures(folder: Path) -> Iterator[None]:
    """Note a WrongPassphrase raised in the block (``store.note_failed_unlock``): the next
    successful open writes it into the audit trail, as for the command line."""
    try:
        yield
    except WrongPassphrase:
        note_failed_unlock(folder)
        raise


def ensure_office(store: Store, parent: QWidget | None = None) -> bool:
    """True when an office profile exists, asking for it on the first run."""
    with store.session() as session:
        if get_office(session=session) is not None:
            return True
    from amudesk.ui.officedialog import OfficeDialog

    dialog = OfficeDialog(store, first_run=True, parent=parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    with store.session() as session:
        return get_office(session=session) is not None
