"""Backups from the window, choosing a backup to restore, changing the passphrase, and the
main window's commands for them."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit

from amudesk import backups, i18n
from amudesk.backups import Backup, BackupError, backups_dir, make_backup
from amudesk.ui.safekeeping import (
    BackupDialog,
    ChangePassphraseDialog,
    RestoreDialog,
    format_size,
)
from amudesk.ui.workers import Cancelled
from tests.keys import PASSPHRASE
from tests.ui.test_admin_dialogs import assert_accessible, assert_fits_screen, show, tab_chain

Accepted = QDialog.DialogCode.Accepted
Rejected = QDialog.DialogCode.Rejected
STRONG = "harbour violet quantum teapot"
TIMEOUT = 15_000


@pytest.fixture
def backup_dialog(qtbot: Any, store: Any) -> Iterator[BackupDialog]:
    dialog = BackupDialog(store)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.wait_for_task())
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.wait_for_task()


def cell(dialog: BackupDialog, row: int, column: int) -> str:
    item = dialog.backup_list.item(row, column)
    assert item is not None
    return item.text()


def older_backup(store: Any, days: int, folder: Path | None = None) -> Backup:
    return make_backup(store, folder, now=dt.datetime.now() - dt.timedelta(days=days))


class HeldBackup:
    """Stands in for make_backup: reports progress, then waits for the test to let it end
    (as the real one does, it stops with a BackupError once cancelled)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: list[Path | None] = []

    def __call__(
        self,
        store: Any,
        folder: Path | None = None,
        *,
        progress: Callable[[int, int], None],
        cancelled: Callable[[], bool],
    ) -> Backup:
        self.calls.append(folder)
        progress(3, 10)
        assert self.release.wait(TIMEOUT)
        if cancelled():
            raise BackupError("The backup was cancelled; nothing was kept.")
        return make_backup(store, folder)


# --- backing up -------------------------------------------------------------------------


def test_back_up_now_writes_into_the_data_folder_and_lists_it(
    qtbot: Any, store: Any, backup_dialog: BackupDialog
) -> None:
    dialog = backup_dialog
    assert dialog.backup_list.rowCount() == 0
    assert dialog.backup_list.empty_label.isVisible()
    with qtbot.waitSignal(dialog.backup_finished, timeout=TIMEOUT) as signal:
        qtbot.mouseClick(dialog.now_button, Qt.MouseButton.LeftButton)
        assert dialog.busy and dialog.progress_row.isVisible()
        assert not dialog.now_button.isEnabled() and not dialog.folder_button.isEnabled()
    backup = signal.args[0]
    assert isinstance(backup, Backup)
    assert backup.path.parent == backups_dir(store.data_dir)
    assert backup.path.is_file() and backup.key_path.is_file()
    assert dialog.backup_list.paths() == [backup.path]
    assert dialog.backup_list.selected_path() == backup.path
    assert not dialog.backup_list.empty_label.isVisible()
    assert dialog.status_label.text() == f"Backup written: {backup.path}"
    assert not dialog.error_label.isVisible()
    assert not dialog.busy and not dialog.progress_row.isVisible()
    assert dialog.now_button.isEnabled() and dialog.folder_button.isEnabled()
    assert cell(dialog, 0, dialog.backup_list.FOLDER) == "data folder"


def test_back_up_to_a_chosen_folder_lists_it_with_the_others(
    qtbot: Any, store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = older_backup(store, 2)
    dialog = BackupDialog(store)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.wait_for_task())
    show(qtbot, dialog)
    assert dialog.backup_list.paths() == [earlier.path]
    stick = tmp_path / "usb stick"
    stick.mkdir()
    monkeypatch.setattr(dialog, "choose_folder", lambda: stick)
    with qtbot.waitSignal(dialog.backup_finished, timeout=TIMEOUT) as signal:
        qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    backup = signal.args[0]
    assert isinstance(backup, Backup)
    assert backup.path.parent == stick and backup.key_path.is_file()
    assert dialog.backup_list.paths() == [backup.path, earlier.path]  # newest first
    assert dialog.backup_list.selected_path() == backup.path
    assert cell(dialog, 0, dialog.backup_list.FOLDER) == str(stick)
    assert str(backup.path) in dialog.status_label.text()
    assert backups.list_backups(backups_dir(store.data_dir)) == [earlier]


def test_closing_the_folder_chooser_makes_no_backup(
    qtbot: Any, backup_dialog: BackupDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = HeldBackup()
    monkeypatch.setattr(backups, "make_backup", made)
    monkeypatch.setattr(backup_dialog, "choose_folder", lambda: None)
    backup_dialog.folder_button.click()
    assert not backup_dialog.busy and made.calls == []


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (BackupError("The backup x is damaged: bad page"), "The backup x is damaged: bad page"),
        (OSError(28, "No space left on device"), "The backup could not be written: No space"),
        (RuntimeError("boom"), "The backup failed because of an unexpected error."),
    ],
)
def test_backup_errors_are_shown(
    qtbot: Any,
    backup_dialog: BackupDialog,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    message: str,
) -> None:
    def failing(*_args: Any, **_kwargs: Any) -> Backup:
        raise error

    monkeypatch.setattr(backups, "make_backup", failing)
    dialog = backup_dialog
    with qtbot.waitSignal(dialog.backup_finished, timeout=TIMEOUT) as signal:
        dialog.now_button.click()
    assert signal.args[0] is error
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text().startswith(message)
    assert not dialog.status_label.isVisible()
    assert dialog.now_button.isEnabled() and not dialog.busy
    assert dialog.backup_list.rowCount() == 0


def test_backup_shows_progress_and_can_be_cancelled(
    qtbot: Any, backup_dialog: BackupDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldBackup()
    monkeypatch.setattr(backups, "make_backup", held)
    dialog = backup_dialog
    dialog.now_button.click()
    assert dialog.progress.maximum() == 0  # indeterminate until the first figures
    qtbot.waitUntil(lambda: dialog.progress.maximum() == 10 and dialog.progress.value() == 3)
    assert dialog.cancel_button.isVisible() and dialog.focusWidget() is dialog.cancel_button
    with qtbot.waitSignal(dialog.backup_finished, timeout=TIMEOUT) as signal:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        assert not dialog.cancel_button.isEnabled()
        held.release.set()
    assert isinstance(signal.args[0], Cancelled)
    assert dialog.status_label.text() == "The backup was cancelled; nothing was kept."
    assert not dialog.error_label.isVisible()
    assert dialog.backup_list.rowCount() == 0
    assert not dialog.progress_row.isVisible()


def test_escape_while_backing_up_cancels_then_closes(
    qtbot: Any, backup_dialog: BackupDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldBackup()
    monkeypatch.setattr(backups, "make_backup", held)
    dialog = backup_dialog
    dialog.now_button.click()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.busy  # the copy ends before the dialog goes
    with qtbot.waitSignal(dialog.backup_finished, timeout=TIMEOUT):
        held.release.set()
    assert not dialog.isVisible()
    assert dialog.result() == Rejected


def test_backup_dialog_keyboard_and_screen(qtbot: Any, store: Any) -> None:
    for days in (1, 2, 3):
        older_backup(store, days)
    dialog = BackupDialog(store)
    show(qtbot, dialog)
    assert_accessible(dialog)
    assert_fits_screen(dialog)
    assert dialog.backup_list.label.buddy() is dialog.backup_list
    assert len(dialog.backup_list.paths()) == 3
    chain = tab_chain(qtbot, dialog, dialog.backup_list, 3)
    assert chain == [
        dialog.backup_list,
        dialog.now_button,
        dialog.folder_button,
        dialog.close_button,
    ]


def test_backup_list_speaks_the_language(qtbot: Any, store: Any) -> None:
    older_backup(store, 1)
    i18n.set_locale("fr")
    dialog = BackupDialog(store)
    show(qtbot, dialog)
    size = cell(dialog, 0, dialog.backup_list.SIZE)
    assert size.endswith(("ko", "Mo"))

    def plain(text: str) -> str:  # CLDR separates with a (narrow) no-break space
        return text.replace("\u202f", " ").replace("\u00a0", " ")

    assert plain(format_size(12_345_678, "fr")) == "12,3 Mo"
    assert plain(format_size(12_345_678, "en")) == "12.3 MB"
    assert plain(format_size(812_000, "nl")) == "812 kB"
    assert plain(format_size(2_500_000_000, "en")) == "2.5 GB"


# --- restoring --------------------------------------------------------------------------


def test_restore_without_any_backup_asks_for_a_file(qtbot: Any, store: Any, data_dir: Path) -> None:
    dialog = RestoreDialog(data_dir)
    show(qtbot, dialog)
    assert dialog.backup_list.empty_label.isVisible()
    assert dialog.chosen_path() is None
    dialog.passphrase_edit.setText(PASSPHRASE)
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != Accepted
    assert dialog.error_label.text() == "Backup file: choose a backup in the list, or another file."
    assert dialog.focusWidget() is dialog.file_edit
    assert dialog.passphrase() == ""


def test_restore_offers_the_data_folder_backups_and_asks_their_passphrase(
    qtbot: Any, store: Any, data_dir: Path
) -> None:
    old = older_backup(store, 3)
    new = older_backup(store, 1)
    dialog = RestoreDialog(data_dir)
    show(qtbot, dialog)
    assert dialog.backup_list.paths() == [new.path, old.path]
    assert dialog.chosen_path() == new.path  # the newest, chosen already
    assert dialog.file_edit.text() == str(new.path)
    assert "before-restore-" in dialog.intro.text()
    assert str(backups_dir(data_dir)) in dialog.intro.text()
    assert dialog.focusWidget() is dialog.passphrase_edit
    assert dialog.passphrase_edit.echoMode() == QLineEdit.EchoMode.Password

    dialog.accept()
    assert dialog.error_label.text() == "Passphrase: type the passphrase of the backup."
    assert dialog.result() != Accepted

    dialog.backup_list.selectRow(1)
    assert dialog.chosen_path() == old.path
    qtbot.keyClicks(dialog.passphrase_edit, "some words")
    dialog.show_check.setChecked(True)
    assert dialog.passphrase_edit.echoMode() == QLineEdit.EchoMode.Normal
    qtbot.keyClick(dialog.passphrase_edit, Qt.Key.Key_Return)
    assert dialog.result() == Accepted
    assert (dialog.chosen_path(), dialog.passphrase()) == (old.path, "some words")


def test_restore_other_file_needs_its_key_file_beside_it(
    qtbot: Any, store: Any, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    elsewhere = make_backup(store, stick)
    dialog = RestoreDialog(data_dir)
    show(qtbot, dialog)
    lonely = tmp_path / "lonely.sqlite3"
    lonely.write_bytes(elsewhere.path.read_bytes())
    monkeypatch.setattr(dialog, "choose_file", lambda: lonely)
    dialog.other_button.click()
    assert dialog.chosen_path() == lonely
    assert dialog.error_label.text() == (
        "Backup file: its key file lonely.key is missing; it must be in the same folder "
        "as the backup."
    )
    dialog.passphrase_edit.setText(PASSPHRASE)
    dialog.accept()
    assert dialog.result() != Accepted

    monkeypatch.setattr(dialog, "choose_file", lambda: elsewhere.path)
    dialog.other_button.click()
    assert not dialog.error_label.isVisible()
    assert dialog.file_edit.text() == str(elsewhere.path)
    dialog.accept()
    assert dialog.result() == Accepted
    assert dialog.chosen_path() == elsewhere.path and dialog.passphrase() == PASSPHRASE

    # What the dialog gives is what the shell needs: the store closed, the backup restores.
    store.close()
    chosen = dialog.chosen_path()
    assert chosen is not None
    kept = backups.restore_backup(data_dir, chosen, dialog.passphrase())
    assert kept is not None and kept.name.startswith("before-restore-")


def test_restore_refuses_a_backup_gone_meanwhile(qtbot: Any, store: Any, data_dir: Path) -> None:
    backup = older_backup(store, 1)
    dialog = RestoreDialog(data_dir)
    show(qtbot, dialog)
    backup.path.unlink()
    dialog.passphrase_edit.setText(PASSPHRASE)
    dialog.accept()
    assert dialog.error_label.text() == f"Backup file: {backup.path.name} is not there any more."


def test_restore_dialog_keyboard_and_screen(qtbot: Any, store: Any, data_dir: Path) -> None:
    older_backup(store, 1)
    dialog = RestoreDialog(data_dir)
    show(qtbot, dialog)
    assert_accessible(dialog)
    assert_fits_screen(dialog)
    chain = tab_chain(qtbot, dialog, dialog.backup_list, 6)
    assert chain == [
        dialog.backup_list,
        dialog.other_button,
        dialog.file_edit,
        dialog.passphrase_edit,
        dialog.show_check,
        dialog.restore_button,
        dialog.cancel_button,
    ]


# --- changing the passphrase ------------------------------------------------------------


def fill(dialog: ChangePassphraseDialog, current: str, new: str, confirmation: str) -> None:
    dialog.current_edit.setText(current)
    dialog.new_edit.setText(new)
    dialog.confirmation_edit.setText(confirmation)


@pytest.mark.parametrize(
    ("current", "new", "confirmation", "field", "message"),
    [
        ("", STRONG, STRONG, "current", "Current passphrase: type the passphrase in use."),
        (PASSPHRASE, "", "", "new", "New passphrase: type a new passphrase."),
        (
            PASSPHRASE,
            "short",
            "short",
            "new",
            "New passphrase: too short — use at least 10 characters.",
        ),
        (
            PASSPHRASE,
            "aaaaaaaaaaaa",
            "aaaaaaaaaaaa",
            "new",
            "New passphrase: too weak — add words or length.",
        ),
        (
            PASSPHRASE,
            PASSPHRASE,
            PASSPHRASE,
            "new",
            "New passphrase: it is the same as the current one.",
        ),
        (
            PASSPHRASE,
            STRONG,
            STRONG + "!",
            "confirmation",
            "Confirmation: does not match the new passphrase.",
        ),
    ],
)
def test_change_passphrase_refuses(
    qtbot: Any, current: str, new: str, confirmation: str, field: str, message: str
) -> None:
    dialog = ChangePassphraseDialog()
    show(qtbot, dialog)
    fill(dialog, current, new, confirmation)
    dialog.accept()
    assert dialog.result() != Accepted and dialog.isVisible()
    assert dialog.error_label.text() == message
    assert dialog.focusWidget() is dialog.fields[field]
    assert (dialog.current(), dialog.new()) == ("", "")


def test_change_passphrase_accepts_a_strong_one(qtbot: Any) -> None:
    dialog = ChangePassphraseDialog()
    show(qtbot, dialog)
    meter = dialog.new_passphrase.meter
    assert meter.word.text() == "—"
    qtbot.keyClicks(dialog.current_edit, "old words")
    qtbot.keyClicks(dialog.new_edit, "abc")
    assert dialog.score() < 3 and meter.word.text() in ("very weak", "weak")
    dialog.new_edit.setText(STRONG)
    assert dialog.score() >= 3 and meter.word.text() in ("strong", "very strong")
    assert "strong" in meter.bar.accessibleDescription()
    qtbot.keyClicks(dialog.confirmation_edit, STRONG)
    dialog.show_check.setChecked(True)
    assert all(
        edit.echoMode() == QLineEdit.EchoMode.Normal
        for edit in (dialog.current_edit, dialog.new_edit, dialog.confirmation_edit)
    )
    qtbot.keyClick(dialog.confirmation_edit, Qt.Key.Key_Return)
    assert dialog.result() == Accepted
    assert (dialog.current(), dialog.new()) == ("old words", STRONG)


def test_change_passphrase_keyboard_and_screen(qtbot: Any) -> None:
    dialog = ChangePassphraseDialog()
    show(qtbot, dialog)
    assert_accessible(dialog)
    assert_fits_screen(dialog)
    assert dialog.focusWidget() is dialog.current_edit
    chain = tab_chain(qtbot, dialog, dialog.current_edit, 5)
    assert chain == [
        dialog.current_edit,
        dialog.new_edit,
        dialog.confirmation_edit,
        dialog.show_check,
        dialog.change_button,
        dialog.cancel_button,
    ]


def test_dialogs_fit_and_are_named_in_french(qtbot: Any, store: Any, data_dir: Path) -> None:
    older_backup(store, 1)
    i18n.set_locale("fr")
    for dialog in (BackupDialog(store), RestoreDialog(data_dir), ChangePassphraseDialog()):
        show(qtbot, dialog)
        assert_accessible(dialog)
        assert_fits_screen(dialog)


# --- the main window's commands -----------------------------------------------------------


def test_tools_menu_offers_the_safekeeping_commands(main_window: Any) -> None:
    actions = main_window.tools_menu.actions()
    for action in (
        main_window.backup_action,
        main_window.restore_action,
        main_window.passphrase_action,
    ):
        assert action in actions and action.isEnabled()
    texts = [action.text() for action in actions]
    assert "&Back up…" in texts
    assert "&Restore a backup…" in texts
    assert "Change the passp&hrase…" in texts


def test_real_safekeeping_dialogs_open_from_the_window(
    qtbot: Any, main_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def exec_(dialog: QDialog) -> int:
        opened.append(type(dialog).__name__)
        return Rejected

    monkeypatch.setattr(QDialog, "exec", exec_)
    with (
        qtbot.assertNotEmitted(main_window.restore_requested),
        qtbot.assertNotEmitted(main_window.passphrase_change_requested),
    ):
        main_window.backup_action.trigger()
        main_window.restore_action.trigger()
        main_window.passphrase_action.trigger()
    assert opened == ["BackupDialog", "RestoreDialog", "ChangePassphraseDialog"]


def test_back_up_opens_the_dialog_on_the_window_store(
    qtbot: Any, main_window: Any, store: Any, fake_dialog: Any
) -> None:
    made: list[Any] = []

    class Backups:
        def __init__(self, store: Any, parent: Any = None) -> None:
            made.append((store, parent))

        def exec(self) -> int:
            return Rejected

    fake_dialog("amudesk.ui.safekeeping", "BackupDialog", Backups)
    main_window.backup_action.trigger()
    assert made == [(store, main_window)]


def test_restore_is_requested_with_the_dialog_values(
    qtbot: Any, main_window: Any, data_dir: Path, fake_dialog: Any
) -> None:
    made: list[Any] = []

    class Restore:
        result = Accepted

        def __init__(self, data_dir: Path, parent: Any = None) -> None:
            made.append(data_dir)

        def exec(self) -> int:
            return type(self).result

        def chosen_path(self) -> Path:
            return data_dir / "backups" / "amudesk-20260105-100000.sqlite3"

        def passphrase(self) -> str:
            return "backup words"

    fake_dialog("amudesk.ui.safekeeping", "RestoreDialog", Restore)
    with qtbot.waitSignal(main_window.restore_requested) as signal:
        main_window.restore_action.trigger()
    assert made == [data_dir]
    assert signal.args == [
        str(data_dir / "backups" / "amudesk-20260105-100000.sqlite3"),
        "backup words",
    ]
    Restore.result = Rejected
    with qtbot.assertNotEmitted(main_window.restore_requested):
        main_window.restore_action.trigger()


def test_passphrase_change_is_requested_with_the_dialog_values(
    qtbot: Any, main_window: Any, fake_dialog: Any
) -> None:
    class Change:
        result = Accepted

        def __init__(self, parent: Any = None) -> None:
            pass

        def exec(self) -> int:
            return type(self).result

        def current(self) -> str:
            return PASSPHRASE

        def new(self) -> str:
            return STRONG

    fake_dialog("amudesk.ui.safekeeping", "ChangePassphraseDialog", Change)
    with qtbot.waitSignal(main_window.passphrase_change_requested) as signal:
        main_window.passphrase_action.trigger()
    assert signal.args == [PASSPHRASE, STRONG]
    Change.result = Rejected
    with qtbot.assertNotEmitted(main_window.passphrase_change_requested):
        main_window.passphrase_action.trigger()


def test_real_change_dialog_values_reach_the_signal(
    qtbot: Any, main_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exec_(dialog: QDialog) -> int:
        assert isinstance(dialog, ChangePassphraseDialog)
        fill(dialog, PASSPHRASE, STRONG, STRONG)
        dialog.accept()
        return int(dialog.result())

    monkeypatch.setattr(QDialog, "exec", exec_)
    with qtbot.waitSignal(main_window.passphrase_change_requested) as signal:
        main_window.passphrase_action.trigger()
    assert signal.args == [PASSPHRASE, STRONG]


def test_lock_settings_changed_after_the_settings_are_accepted(
    qtbot: Any, main_window: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk.settings import load_settings
    from amudesk.ui.settingsdialog import SettingsDialog

    def accept(dialog: QDialog) -> int:
        assert isinstance(dialog, SettingsDialog)
        dialog.lock_after.setValue(12)
        dialog.accept()
        return int(dialog.result())

    monkeypatch.setattr(QDialog, "exec", accept)
    with qtbot.waitSignal(main_window.lock_settings_changed):
        main_window.settings_action.trigger()
    assert load_settings(data_dir).lock_after_minutes == 12

    monkeypatch.setattr(QDialog, "exec", lambda dialog: Rejected)
    with qtbot.assertNotEmitted(main_window.lock_settings_changed):
        main_window.settings_action.trigger()


# --- wrong passphrases in the audit trail, once each ----------------------------------------


def unlock_entries(store: Any, after: int = 0) -> list[tuple[str, str]]:
    from amudesk.services import audit

    with store.session() as session:
        found = audit.entries(session=session, limit=1000)
    return [(e.action, e.detail) for e in reversed(found) if (e.id or 0) > after]


def last_entry_id(store: Any) -> int:
    from amudesk.services import audit

    with store.session() as session:
        found = audit.entries(session=session, limit=1)
    return int(found[0].id or 0) if found else 0


def wrong_then_right(qtbot: Any, dialog: Any, data_dir: Path) -> None:
    """A wrong passphrase (noted in the data folder), the wait skipped, then the right
    one; the dialog accepts."""
    from amudesk.store import failed_unlocks_path

    qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)
    dialog.submit("not the passphrase")
    qtbot.waitUntil(lambda: dialog.failures == 1, timeout=TIMEOUT)
    assert failed_unlocks_path(data_dir).exists()
    dialog.retry_timer.timeout.emit()  # the one-second wait is over
    with qtbot.waitSignal(dialog.finished, timeout=TIMEOUT):
        dialog.submit(PASSPHRASE)


def test_the_lock_screen_writes_each_wrong_passphrase_once_then_the_unlock(
    qtbot: Any, store: Any, data_dir: Path, office: Any
) -> None:
    from amudesk.store import failed_unlocks_path, note_failed_unlock
    from amudesk.ui.app import Shell, application

    shell = Shell(application(), store, data_dir)
    window = shell.show_main()
    qtbot.addWidget(window)
    shell.start_locking()
    before = last_entry_id(store)
    with qtbot.waitSignal(shell.locked_changed, timeout=TIMEOUT):
        shell.lock()
    note_failed_unlock(data_dir)  # given at the command line while the window was locked
    with qtbot.waitSignal(shell.locked_changed, timeout=TIMEOUT) as unlocked:
        wrong_then_right(qtbot, shell.unlock_dialog, data_dir)
    assert unlocked.args == [False]
    assert unlock_entries(store, before) == [
        ("failed-unlock", "attempt=1"),
        ("failed-unlock", "attempt=2"),
        ("unlock", ""),
    ]
    assert not failed_unlocks_path(data_dir).exists()
    shell.stop_alerts()
    window.close()


def test_the_start_screen_writes_each_wrong_passphrase_once_then_the_unlock(
    qtbot: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk.services.desk import open_desk
    from amudesk.store import failed_unlocks_path
    from amudesk.ui.app import unlock_store
    from tests.keys import FAST_KDF
    from tests.ui.test_unlock_flow import when_shown

    open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    monkeypatch.delenv("AMUDESK_PASSPHRASE")
    when_shown("UnlockDialog", lambda dialog: wrong_then_right(qtbot, dialog, data_dir))
    store = unlock_store(data_dir)
    assert store is not None
    try:
        assert unlock_entries(store) == [("failed-unlock", "attempt=1"), ("unlock", "")]
    finally:
        store.close()
    assert not failed_unlocks_path(data_dir).exists()
