"""Keeping the data safe: backups made from the window, restoring one, a new passphrase.

- ``BackupDialog``: the backups of the data folder, newest first; "Back up now" (into the
  data folder's ``backups``) and "Back up to a folder…" (a USB stick), made off the UI
  thread with progress and Cancel (``amudesk.backups.make_backup`` in a ``Task``).
- ``RestoreDialog``: a backup (from the list or another file) and its passphrase. It only
  asks: the application shell closes the store and calls ``restore_backup``.
- ``ChangePassphraseDialog``: the current passphrase and a new one, typed twice, with the
  strength rules of the first-run ``PassphraseDialog``. It only asks: the shell changes it.

Passphrases are never logged, and kept only as long as the dialog lives.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from babel.units import format_unit
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from amudesk import backups, i18n
from amudesk.backups import backups_dir, key_path_for, list_backups
from amudesk.i18n import _
from amudesk.services import FieldError
from amudesk.store import Store, StoreError
from amudesk.ui.kit.fielderrors import ErrorLabel
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import GOOD_STYLE, hint_label, set_hint, warning_label
from amudesk.ui.kit.passphrase import (
    MIN_WIDTH,
    NewPassphraseFields,
    intro_label,
    lay_out,
    lost_passphrase_warning,
    passphrase_buttons,
    passphrase_form,
    password_edit,
    show_passphrase_check,
    show_problem,
)
from amudesk.ui.kit.taborder import chain_tab_order
from amudesk.ui.kit.taskdialog import TaskDialog, progress_bar, show_progress, status_label
from amudesk.ui.workers import Cancelled

log = logging.getLogger(__name__)

BACKUP_SIZE = (760, 480)
RESTORE_SIZE = (720, 560)
WHEN_FORMAT = "medium"
BACKUP_FILTER_SUFFIX = "*.sqlite3"


def format_size(size: int, locale: str | None = None) -> str:
    """'812 kB', '12.3 MB', '1.2 GB' — decimal units, written for the locale ('12,3 Mo')."""
    where = i18n.babel_locale(locale)
    if size < 1_000_000:
        return format_unit(
            max(1, round(size / 1000)), "digital-kilobyte", length="short", locale=where
        )
    if size < 1_000_000_000:
        return format_unit(
            size / 1_000_000, "digital-megabyte", length="short", format="#,##0.#", locale=where
        )
    return format_unit(
        size / 1_000_000_000, "digital-gigabyte", length="short", format="#,##0.#", locale=where
    )


def format_made_at(made_at: dt.datetime) -> str:
    """When a backup was made (its name holds this computer's local time), for people."""
    moment = made_at.astimezone() if made_at.tzinfo is None else made_at
    return i18n.format_datetime(moment, WHEN_FORMAT)


# --- the list of backups ----------------------------------------------------------------


class BackupList(QTableWidget):
    """Backups of one or more folders, newest first: when, size, and where. Its dialog lays
    out ``label`` above it and ``empty_label``, shown while it lists nothing, below it.

    ``name`` is its accessible name, ``empty`` what is said when there is no backup.
    """

    WHEN, SIZE, FOLDER = range(3)

    def __init__(
        self, data_dir: Path | None, name: str, empty: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(0, 3, parent)
        self._data_dir = data_dir
        self.folders: list[Path] = []
        if data_dir is not None:
            self.folders.append(backups_dir(data_dir))
        self.setObjectName("backupList")
        self.setHorizontalHeaderLabels([_("Made on"), _("Size"), _("Folder")])
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        vertical = self.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(self.WHEN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.SIZE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.FOLDER, QHeaderView.ResizeMode.Stretch)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setAccessibleName(name)
        self.label = QLabel(_("&Backups"))
        self.label.setBuddy(self)
        self.empty_label = hint_label(empty)

    def add_folder(self, folder: Path) -> None:
        if folder not in self.folders:
            self.folders.append(folder)

    def reload(self, select: Path | None = None) -> None:
        """List the folders' backups again; select ``select`` (else the newest). Once laid
        out: it shows or hides ``empty_label``."""
        home = backups_dir(self._data_dir) if self._data_dir is not None else None
        found = []
        for folder in self.folders:
            try:
                found.extend(list_backups(folder))
            except OSError as exc:  # a USB stick pulled out meanwhile
                log.warning("backups not listed: %s", exc.__class__.__name__)
        found.sort(key=lambda backup: (backup.made_at, str(backup.path)), reverse=True)
        self.setRowCount(0)
        self.setRowCount(len(found))
        for row, backup in enumerate(found):
            try:
                size = format_size(backup.path.stat().st_size)
            except OSError:
                size = "—"
            folder = backup.path.parent
            where = _("data folder") if folder == home else str(folder)
            when = QTableWidgetItem(format_made_at(backup.made_at))
            when.setData(Qt.ItemDataRole.UserRole, str(backup.path))
            when.setToolTip(str(backup.path))
            size_item = QTableWidgetItem(size)
            size_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            where_item = QTableWidgetItem(where)
            where_item.setToolTip(str(folder))
            for column, item in (
                (self.WHEN, when),
                (self.SIZE, size_item),
                (self.FOLDER, where_item),
            ):
                self.setItem(row, column, item)
        if found:
            chosen = self.row_of(select) if select is not None else None
            self.selectRow(chosen if chosen is not None else 0)
        self.empty_label.setVisible(not found)

    def path_at(self, row: int) -> Path | None:
        item = self.item(row, self.WHEN)
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def row_of(self, path: Path) -> int | None:
        for row in range(self.rowCount()):
            if self.path_at(row) == path:
                return row
        return None

    def selected_path(self) -> Path | None:
        rows = self.selectionModel().selectedRows()
        return self.path_at(rows[0].row()) if rows else None

    def paths(self) -> list[Path]:
        return [path for row in range(self.rowCount()) if (path := self.path_at(row))]


# --- making a backup ----------------------------------------------------------------------


class BackupDialog(TaskDialog):
    """The data folder's backups, and a new one made now, there or in a chosen folder.

    ``backup_finished`` carries the new ``Backup``, or the exception that stopped it.
    """

    backup_finished = Signal(object)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.data_dir: Path | None = store.data_dir
        self.setObjectName("backupDialog")
        self.setWindowTitle(_("Backups"))

        self.intro = intro_label(
            _(
                "A backup is an encrypted copy of the database, with the key file it opens "
                "with (.key): keep the two files together. It opens with the passphrase in "
                "force when it was made. The data folder keeps one backup for each of the "
                "last 7 days and 4 weeks."
            )
        )
        self.backup_list = BackupList(self.data_dir, _("Backups"), _("No backup yet."))

        self.now_button = QPushButton(_("Back up &now"))
        self.now_button.setObjectName("backUpNow")
        self.now_button.setAccessibleName(_("Back up now into the data folder"))
        self.now_button.clicked.connect(lambda _checked=False: self.back_up())
        self.folder_button = QPushButton(_("Back up to a &folder…"))
        self.folder_button.setObjectName("backUpToFolder")
        self.folder_button.setAccessibleName(_("Back up to a folder of your choice"))
        self.folder_button.clicked.connect(lambda _checked=False: self.back_up_to_folder())
        actions = QHBoxLayout()
        actions.addWidget(self.now_button)
        actions.addWidget(self.folder_button)
        actions.addStretch(1)

        self.progress = progress_bar(_("Backup progress"), text=False)
        self.cancel_button = QPushButton(_("&Cancel the backup"))
        self.cancel_button.setObjectName("cancelBackup")
        self.cancel_button.setAccessibleName(_("Cancel the backup"))
        self.cancel_button.clicked.connect(lambda _checked=False: self.cancel())
        self.progress_row = QWidget()
        progress_layout = QHBoxLayout(self.progress_row)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        progress_layout.addWidget(self.progress, 1)
        progress_layout.addWidget(self.cancel_button)
        self.progress_row.hide()

        self.status_label = status_label("backupStatus")
        self.error_label = ErrorLabel()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAccessibleName(_("Close the backups"))
        self.close_button.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.backup_list.label)
        layout.addWidget(self.backup_list, 1)
        layout.addWidget(self.backup_list.empty_label)
        layout.addLayout(actions)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        chain_tab_order(
            [
                self.backup_list,
                self.now_button,
                self.folder_button,
                self.cancel_button,
                self.close_button,
            ]
        )
        self.backup_list.reload()
        self.setMinimumWidth(MIN_WIDTH + 100)
        self.resize(*BACKUP_SIZE)
        self.now_button.setDefault(True)
        self.now_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- backing up ------------------------------------------------------------------

    def choose_folder(self) -> Path | None:
        """Where to write the backup (a USB stick …); None when the chooser was closed."""
        chosen = QFileDialog.getExistingDirectory(self, _("Back up to a folder"), str(Path.home()))
        return Path(chosen) if chosen else None

    def back_up_to_folder(self) -> None:
        if self.busy:
            return
        folder = self.choose_folder()
        if folder is not None:
            self.back_up(folder)

    def back_up(self, folder: Path | None = None) -> None:
        """Make a backup in ``folder`` (default: the data folder's), off the UI thread."""
        if self.busy:
            return
        store = self._store

        def work(progress: Any, cancelled: Any) -> Any:
            try:
                return backups.make_backup(store, folder, progress=progress, cancelled=cancelled)
            except backups.BackupError:
                if cancelled():  # asked for: no failure to log with its traceback
                    raise Cancelled() from None
                raise

        self.error_label.clear_message()
        set_hint(self.status_label, _("Making the backup…"))
        self.progress.setRange(0, 0)  # indeterminate until the first figures
        self.progress_row.show()
        self.cancel_button.setEnabled(True)
        self._set_actions_enabled(False)
        self.setCursor(Qt.CursorShape.BusyCursor)
        self.tasks.start(
            work,
            finished=self._finished,
            failed=self._failed,
            progress=lambda done, total: show_progress(
                self.progress, done, total, busy_when_unknown=False
            ),
        )
        self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def cancel(self) -> None:
        """Stop the backup being made; nothing of it is kept."""
        if self.tasks.cancel():
            self.cancel_button.setEnabled(False)
            set_hint(self.status_label, _("Cancelling…"))

    def _set_actions_enabled(self, enabled: bool) -> None:
        for button in (self.now_button, self.folder_button):
            button.setEnabled(enabled)

    def _idle(self) -> None:
        """The backup is over: back to idle."""
        self.progress_row.hide()
        self.unsetCursor()
        self._set_actions_enabled(True)
        self.now_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _finished(self, backup: Any) -> None:
        self._idle()
        path = Path(backup.path)
        self.backup_list.add_folder(path.parent)
        self.backup_list.reload(select=path)
        set_hint(self.status_label, _("Backup written: {path}").format(path=path), GOOD_STYLE)
        self.backup_finished.emit(backup)
        self.close_if_asked()

    def _failed(self, error: object) -> None:
        self._idle()
        if self.tasks.was_cancelled or isinstance(error, Cancelled):
            set_hint(self.status_label, _("The backup was cancelled; nothing was kept."))
        else:
            set_hint(self.status_label, "")
            if isinstance(error, StoreError):
                message = str(error)
            elif isinstance(error, OSError):
                message = _("The backup could not be written: {reason}").format(
                    reason=error.strerror or error
                )
            else:
                message = _(
                    "The backup failed because of an unexpected error. The log file says more."
                )
            self.error_label.show_message(message)
        self.backup_finished.emit(error)
        self.close_if_asked()

    def stop(self) -> None:
        """Closed by the program: the copy ends, and its outcome is shown, before the dialog."""
        if self.tasks.cancel():
            self.wait_for_task()


# --- restoring ----------------------------------------------------------------------------


class RestoreDialog(QDialog):
    """Which backup to restore, and its passphrase. The restore itself is the shell's."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self._path: Path | None = None
        self._passphrase = ""
        self.setObjectName("restoreDialog")
        self.setWindowTitle(_("Restore a backup"))

        self.intro = intro_label(
            _(
                "The database in use is replaced by the backup you choose. It is not lost: "
                "it is kept, untouched, in {folder}, in a file whose name begins with "
                "“before-restore-”. AMU Desk then opens its window again, with the restored "
                "data."
            ).format(folder=backups_dir(self.data_dir))
        )
        self.warning = warning_label(
            _("What was recorded after the backup was made is not in the restored data.")
        )
        self.backup_list = BackupList(
            self.data_dir,
            _("Backups of the data folder"),
            _("The data folder has no backup yet: choose another file."),
        )
        self.other_button = QPushButton(_("&Other file…"))
        self.other_button.setObjectName("otherBackupFile")
        self.other_button.setAccessibleName(_("Choose another backup file"))
        self.other_button.setAutoDefault(False)
        self.other_button.clicked.connect(lambda _checked=False: self.choose_other_file())
        other_row = QHBoxLayout()
        other_row.addWidget(self.other_button)
        other_row.addStretch(1)

        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setObjectName("backupFile")
        self.passphrase_edit = password_edit("backupPassphrase")
        self.show_check = show_passphrase_check([self.passphrase_edit])
        form = passphrase_form()
        add_row(form, _("Backup &file"), self.file_edit)
        add_row(
            form,
            _("&Passphrase"),
            self.passphrase_edit,
            name=_("Passphrase of the backup"),
        )
        passphrase_hint = _("The passphrase in force when the backup was made.")
        self.passphrase_edit.setAccessibleDescription(passphrase_hint)
        form.addRow("", hint_label(passphrase_hint))
        form.addRow("", self.show_check)
        self.error_label = ErrorLabel()
        self.buttons, self.restore_button, self.cancel_button = passphrase_buttons(
            self,
            _("&Restore"),
            _("Restore this backup"),
            cancel_name=_("Close without restoring"),
        )

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.warning)
        layout.addWidget(self.backup_list.label)
        layout.addWidget(self.backup_list, 1)
        layout.addWidget(self.backup_list.empty_label)
        layout.addLayout(other_row)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.fields: dict[str, QWidget] = {
            "file": self.file_edit,
            "passphrase": self.passphrase_edit,
        }
        chain_tab_order(
            [
                self.backup_list,
                self.other_button,
                self.file_edit,
                self.passphrase_edit,
                self.show_check,
                self.restore_button,
                self.cancel_button,
            ]
        )
        self.backup_list.itemSelectionChanged.connect(self._list_selection_changed)
        self.backup_list.reload()
        self._list_selection_changed()
        self.setMinimumWidth(MIN_WIDTH + 100)
        self.resize(*RESTORE_SIZE)
        self.restore_button.setDefault(True)
        (self.passphrase_edit if self._path else self.other_button).setFocus(
            Qt.FocusReason.OtherFocusReason
        )

    # --- choosing --------------------------------------------------------------------

    def choose_file(self) -> Path | None:
        """A backup file anywhere (a USB stick …); None when the chooser was closed."""
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose a backup"),
            str(Path.home()),
            _("AMU Desk backups ({pattern})").format(pattern=BACKUP_FILTER_SUFFIX),
        )
        return Path(chosen) if chosen else None

    def choose_other_file(self) -> None:
        path = self.choose_file()
        if path is None:
            return
        self.backup_list.clearSelection()
        self._set_path(path)
        if not show_problem(self._file_problem(), self.fields, self.error_label):
            self.passphrase_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _list_selection_changed(self) -> None:
        path = self.backup_list.selected_path()
        if path is not None:
            self._set_path(path)

    def _set_path(self, path: Path | None) -> None:
        self._path = path
        self.file_edit.setText(str(path) if path else "")
        self.file_edit.setCursorPosition(0)
        self.file_edit.setToolTip(str(path) if path else "")

    # --- result ----------------------------------------------------------------------

    def _file_problem(self) -> FieldError | None:
        path = self._path
        if path is None:
            return FieldError(
                "file", _("Backup file: choose a backup in the list, or another file.")
            )
        if not path.is_file():
            return FieldError(
                "file", _("Backup file: {name} is not there any more.").format(name=path.name)
            )
        if not key_path_for(path).is_file():
            return FieldError(
                "file",
                _(
                    "Backup file: its key file {name} is missing; it must be in the same "
                    "folder as the backup."
                ).format(name=key_path_for(path).name),
            )
        return None

    def problem(self) -> FieldError | None:
        """What keeps the restore from being asked for, on its field; None when fine."""
        error = self._file_problem()
        if error is not None:
            return error
        if not self.passphrase_edit.text():
            return FieldError("passphrase", _("Passphrase: type the passphrase of the backup."))
        return None

    def accept(self) -> None:
        if show_problem(self.problem(), self.fields, self.error_label):
            return
        self._passphrase = self.passphrase_edit.text()
        super().accept()

    def chosen_path(self) -> Path | None:
        """The backup chosen (in the list or elsewhere); None while there is none."""
        return self._path

    def passphrase(self) -> str:
        """The backup's passphrase ('' until the dialog was accepted)."""
        return self._passphrase


# --- a new passphrase ---------------------------------------------------------------------


class ChangePassphraseDialog(QDialog):
    """The current passphrase and a new one, typed twice; accepted when the new one follows
    the rules. The change itself is the shell's (the store is closed and reopened)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current = ""
        self._new = ""
        self.setObjectName("changePassphraseDialog")
        self.setWindowTitle(_("Change the passphrase"))
        self.intro = intro_label(
            _(
                "The database is encrypted again with the new passphrase, which will be asked "
                "from now on. Backups made before keep the passphrase in force when they were "
                "made."
            )
        )
        self.warning = lost_passphrase_warning()
        self.current_edit = password_edit("currentPassphrase")

        form = passphrase_form()
        add_row(form, _("C&urrent passphrase"), self.current_edit)
        self.new_passphrase = NewPassphraseFields(
            form, _("&New passphrase"), _("Type the new passphrase again.")
        )
        self.new_edit = self.new_passphrase.edit
        self.new_edit.setObjectName("newPassphrase")
        self.confirmation_edit = self.new_passphrase.confirmation_edit
        self.confirmation_edit.setObjectName("passphraseConfirmation")
        self.show_check = show_passphrase_check(
            [self.current_edit, self.new_edit, self.confirmation_edit], plural=True
        )
        form.addRow("", self.show_check)
        self.error_label = ErrorLabel()
        self.buttons, self.change_button, self.cancel_button = passphrase_buttons(
            self,
            _("&Change the passphrase"),
            _("Change the passphrase"),
            cancel_name=_("Close without changing the passphrase"),
        )

        self.fields: dict[str, QWidget] = {
            "current": self.current_edit,
            "new": self.new_edit,
            "confirmation": self.confirmation_edit,
        }
        lay_out(
            self,
            [self.intro, self.warning, form, self.error_label],
            self.buttons,
            tab_order=[
                self.current_edit,
                self.new_edit,
                self.confirmation_edit,
                self.show_check,
                self.change_button,
                self.cancel_button,
            ],
            default=self.change_button,
            width=520,
        )

    def score(self) -> int:
        """The strength shown for the new passphrase."""
        return self.new_passphrase.meter.score

    def problem(self) -> FieldError | None:
        """The passphrase in use, then the rules of a new one (those of the first run), on
        their fields; None when fine."""
        current = self.current_edit.text()
        if not current:
            return FieldError("current", _("Current passphrase: type the passphrase in use."))
        return self.new_passphrase.problem(
            "new",
            empty=_("New passphrase: type a new passphrase."),
            too_short=_("New passphrase: too short — use at least {n} characters."),
            too_weak=_("New passphrase: too weak — add words or length."),
            mismatch=_("Confirmation: does not match the new passphrase."),
            current=current,
            same=_("New passphrase: it is the same as the current one."),
        )

    def accept(self) -> None:
        if show_problem(self.problem(), self.fields, self.error_label, select=self.fields):
            return
        self._current = self.current_edit.text()
        self._new = self.new_edit.text()
        super().accept()

    def current(self) -> str:
        """The passphrase in use, as typed ('' until the dialog was accepted)."""
        return self._current

    def new(self) -> str:
        """The new passphrase ('' until the dialog was accepted)."""
        return self._new
