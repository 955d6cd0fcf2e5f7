"""Choosing a passphrase and unlocking the encrypted database before the main window."""

from __future__ import annotations

import logging
import threading
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QWidget

import amudesk.store
from amudesk.store import StoreError
from amudesk.ui.kit.passphrase import MAX_CHECKED, passphrase_strength
from amudesk.ui.unlockdialog import PassphraseDialog, UnlockDialog, retry_delay_seconds

STRONG = "correct horse battery staple"
WEAK = "password1234"  # long enough, but among the most common passwords


@pytest.fixture
def wrong_passphrase(monkeypatch: pytest.MonkeyPatch) -> type[Exception]:
    """amudesk.store.WrongPassphrase, defined here until the SQLCipher store brings it."""
    existing = getattr(amudesk.store, "WrongPassphrase", None)
    if existing is not None:
        return existing
    made = type("WrongPassphrase", (StoreError,), {})
    monkeypatch.setattr(amudesk.store, "WrongPassphrase", made, raising=False)
    return made


class FakeStore:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class Opener:
    """Stands in for opening the store: raises what it is told, records where it ran."""

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.passphrases: list[str] = []
        self.threads: list[threading.Thread] = []
        self.release: threading.Event | None = None

    def __call__(self, passphrase: str) -> Any:
        self.passphrases.append(passphrase)
        self.threads.append(threading.current_thread())
        if self.release is not None:
            assert self.release.wait(10)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


D = TypeVar("D", bound=QDialog)


def show(qtbot: Any, dialog: D) -> D:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_into(qtbot: Any, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def check_keyboard_ready(dialog: QDialog) -> None:
    """Every field and button is named; every labelled field has its Alt+letter."""
    for widget in dialog.findChildren(QLineEdit) + dialog.findChildren(QPushButton):
        assert widget.accessibleName(), widget
    for label in dialog.findChildren(QLabel):
        if label.buddy() is not None and isinstance(label.buddy(), QLineEdit):
            assert "&" in label.text(), label.text()
    assert dialog.minimumWidth() >= 420
    assert dialog.windowTitle().startswith("AMU Desk")
    assert dialog.sizeHint().height() < 700 and dialog.width() < 1366


# --- strength and delays -------------------------------------------------------------------


def test_retry_delay_doubles_from_one_second_up_to_a_minute() -> None:
    delays = [retry_delay_seconds(n) for n in range(0, 10)]
    assert delays == [0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert retry_delay_seconds(1000) == 60
    assert retry_delay_seconds(-1) == 0


def test_strength_is_zxcvbn_score_of_at_most_100_characters() -> None:
    assert passphrase_strength("") == 0
    assert passphrase_strength("password") == 0
    assert passphrase_strength(STRONG) >= 3
    # Longer than zxcvbn accepts by default: only the first 100 characters are scored.
    assert passphrase_strength("x7Q!" * 500) == passphrase_strength(("x7Q!" * 500)[:MAX_CHECKED])


def test_zxcvbn_is_not_imported_with_the_dialogs() -> None:
    import subprocess
    import sys

    code = "import sys, amudesk.ui.unlockdialog; print('zxcvbn' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# --- choosing a passphrase ---------------------------------------------------------------


def test_strength_follows_typing_in_our_own_words(qtbot: Any) -> None:
    dialog = show(qtbot, PassphraseDialog())
    meter = dialog.new_passphrase.meter
    assert meter.word.text() == "—"
    type_into(qtbot, dialog.passphrase_edit, "password")
    assert meter.word.text() == "very weak"
    assert meter.bar.accessibleDescription() == "Passphrase strength: very weak"
    assert meter.bar.value() == 0
    # zxcvbn's English advice ("This is a top-10 common password") never shows up.
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "common" not in texts.lower() and "top-10" not in texts
    type_into(qtbot, dialog.passphrase_edit, STRONG)
    assert meter.bar.value() >= 3
    assert meter.word.text() in ("strong", "very strong")
    assert meter.bar.accessibleDescription().endswith(meter.word.text())
    # Strong for zxcvbn but too short: the meter does not promise what OK will refuse.
    assert passphrase_strength("q8#Lz!2vW") >= 3
    type_into(qtbot, dialog.passphrase_edit, "q8#Lz!2vW")
    assert meter.bar.value() == 2
    assert meter.word.text() == "fair"


def test_too_short_passphrase_is_refused_on_its_field(qtbot: Any) -> None:
    dialog = show(qtbot, PassphraseDialog())
    type_into(qtbot, dialog.passphrase_edit, "Zq9!x")
    type_into(qtbot, dialog.confirmation_edit, "Zq9!x")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.error_label.text().startswith("Passphrase:")
    assert "10" in dialog.error_label.text()
    assert dialog.passphrase() == ""


def test_weak_passphrase_is_refused_with_a_message_naming_the_field(qtbot: Any) -> None:
    dialog = show(qtbot, PassphraseDialog())
    type_into(qtbot, dialog.passphrase_edit, WEAK)
    type_into(qtbot, dialog.confirmation_edit, WEAK)
    qtbot.keyClick(dialog.confirmation_edit, Qt.Key.Key_Return)  # Enter = Continue
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == "Passphrase: too weak — add words or length."
    assert dialog.passphrase_edit.property("invalid") is True
    assert dialog.focusWidget() is dialog.passphrase_edit
    assert dialog.passphrase() == ""


def test_mismatched_confirmation_is_refused_naming_the_confirmation(qtbot: Any) -> None:
    dialog = show(qtbot, PassphraseDialog())
    type_into(qtbot, dialog.passphrase_edit, STRONG)
    type_into(qtbot, dialog.confirmation_edit, STRONG + "!")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.error_label.text().startswith("Confirmation:")
    assert "does not match" in dialog.error_label.text()
    assert dialog.confirmation_edit.property("invalid") is True
    assert dialog.passphrase_edit.property("invalid") is False
    assert dialog.focusWidget() is dialog.confirmation_edit


def test_good_passphrase_is_accepted_and_returned(qtbot: Any) -> None:
    dialog = show(qtbot, PassphraseDialog())
    type_into(qtbot, dialog.passphrase_edit, STRONG)
    type_into(qtbot, dialog.confirmation_edit, STRONG)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.confirmation_edit, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.passphrase() == STRONG
    assert not dialog.error_label.isVisible()


def test_a_fixed_mistake_is_accepted_on_the_next_try(qtbot: Any) -> None:
    dialog = show(qtbot, PassphraseDialog())
    type_into(qtbot, dialog.passphrase_edit, STRONG)
    type_into(qtbot, dialog.confirmation_edit, "correct horse")
    dialog.ok_button.click()
    assert dialog.isVisible()
    type_into(qtbot, dialog.confirmation_edit, STRONG)
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.passphrase() == STRONG


def test_show_toggle_reveals_both_fields(qtbot: Any) -> None:
    dialog = show(qtbot, PassphraseDialog())
    assert dialog.passphrase_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.confirmation_edit.echoMode() == QLineEdit.EchoMode.Password
    dialog.show_check.setFocus()
    qtbot.keyClick(dialog.show_check, Qt.Key.Key_Space)
    assert dialog.passphrase_edit.echoMode() == QLineEdit.EchoMode.Normal
    assert dialog.confirmation_edit.echoMode() == QLineEdit.EchoMode.Normal
    qtbot.keyClick(dialog.show_check, Qt.Key.Key_Space)
    assert dialog.passphrase_edit.echoMode() == QLineEdit.EchoMode.Password


def test_quit_rejects(qtbot: Any) -> None:
    dialog = show(qtbot, PassphraseDialog())
    type_into(qtbot, dialog.passphrase_edit, STRONG)
    with qtbot.waitSignal(dialog.rejected, timeout=5000):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.passphrase() == ""


def test_modes_explain_what_happens_and_warn_that_nothing_can_be_recovered(qtbot: Any) -> None:
    new = show(qtbot, PassphraseDialog("new"))
    convert = show(qtbot, PassphraseDialog("convert"))
    assert "Choose a passphrase" in new.intro.text()
    assert "encrypted" in convert.intro.text() and "earlier version" in convert.intro.text()
    assert new.windowTitle() != convert.windowTitle()
    for dialog in (new, convert):
        assert "nobody can recover" in dialog.warning.text()
        check_keyboard_ready(dialog)
        assert dialog.ok_button.isDefault()
        assert dialog.focusWidget() is dialog.passphrase_edit
    with pytest.raises(ValueError):
        PassphraseDialog("change")


def test_tab_goes_passphrase_confirmation_show_buttons(qtbot: Any) -> None:
    dialog = show(qtbot, PassphraseDialog())
    dialog.activateWindow()
    dialog.passphrase_edit.setFocus()
    order: list[QWidget] = [dialog.passphrase_edit]
    for _step in range(4):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        order.append(dialog.focusWidget())
    assert order == [
        dialog.passphrase_edit,
        dialog.confirmation_edit,
        dialog.show_check,
        dialog.ok_button,
        dialog.quit_button,
    ]


# --- unlocking ---------------------------------------------------------------------------


def unlock(qtbot: Any, dialog: UnlockDialog, passphrase: str) -> None:
    type_into(qtbot, dialog.passphrase_edit, passphrase)
    qtbot.keyClick(dialog.passphrase_edit, Qt.Key.Key_Return)  # Unlock is the default
    assert dialog.wait_for_task()


def test_right_passphrase_opens_the_store_off_the_ui_thread(qtbot: Any) -> None:
    store = FakeStore()
    opener = Opener(store)
    dialog = show(qtbot, UnlockDialog(opener))
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        unlock(qtbot, dialog, STRONG)
    assert dialog.store is store
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert opener.passphrases == [STRONG]
    assert opener.threads[0] is not threading.main_thread()
    assert dialog.failures == 0
    assert not store.closed


def test_wrong_passphrase_counts_logs_and_locks_the_field_for_a_while(
    qtbot: Any, wrong_passphrase: type[Exception], caplog: pytest.LogCaptureFixture
) -> None:
    store = FakeStore()
    opener = Opener(wrong_passphrase("no"), wrong_passphrase("no"), store)
    dialog = show(qtbot, UnlockDialog(opener))
    caplog.set_level(logging.WARNING, logger="amudesk.ui.unlockdialog")
    unlock(qtbot, dialog, "not the one 1")
    assert dialog.failures == 1
    assert dialog.error_label.text() == "Wrong passphrase, or the database file is damaged."
    assert dialog.passphrase_edit.text() == ""
    assert not dialog.passphrase_edit.isEnabled()
    assert not dialog.unlock_button.isEnabled()
    assert dialog.quit_button.isEnabled()
    assert dialog.retry_timer.isActive()
    assert dialog.status_label.text() == "Try again in 1 s"
    assert dialog.isVisible() and dialog.store is None
    assert "failed unlock attempt 1" in caplog.text
    assert "not the one" not in caplog.text
    assert "Traceback" not in caplog.text  # a wrong passphrase is not a crash

    dialog.retry_timer.timeout.emit()  # one second later
    assert dialog.passphrase_edit.isEnabled()
    assert dialog.unlock_button.isEnabled()
    assert not dialog.retry_timer.isActive()
    assert not dialog.status_label.isVisible()
    assert dialog.focusWidget() is dialog.passphrase_edit

    unlock(qtbot, dialog, "not the one 2")
    assert dialog.failures == 2
    assert dialog.remaining_seconds() == 2
    assert dialog.status_label.text() == "Try again in 2 s"
    dialog.retry_timer.timeout.emit()
    assert dialog.status_label.text() == "Try again in 1 s"
    assert not dialog.passphrase_edit.isEnabled()
    # Enter while locked does nothing.
    dialog.unlock()
    assert len(opener.passphrases) == 2
    dialog.retry_timer.timeout.emit()
    assert dialog.passphrase_edit.isEnabled()
    assert "failed unlock attempt 2" in caplog.text

    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        unlock(qtbot, dialog, STRONG)
    assert dialog.store is store
    assert dialog.failures == 2
    assert opener.passphrases == ["not the one 1", "not the one 2", STRONG]


def test_busy_while_opening(qtbot: Any) -> None:
    opener = Opener(FakeStore())
    opener.release = threading.Event()
    dialog = show(qtbot, UnlockDialog(opener))
    type_into(qtbot, dialog.passphrase_edit, STRONG)
    dialog.unlock_button.click()
    assert dialog.busy
    assert not dialog.passphrase_edit.isEnabled()
    assert not dialog.unlock_button.isEnabled()
    assert dialog.status_label.text() == "Opening…"
    dialog.unlock()  # a second click while busy starts nothing
    opener.release.set()
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        assert dialog.wait_for_task()
    assert len(opener.passphrases) == 1
    assert not dialog.busy


def test_other_store_error_shows_its_message_and_keeps_the_field(
    qtbot: Any, wrong_passphrase: type[Exception]
) -> None:
    opener = Opener(StoreError("The data folder cannot be read: permission denied."))
    dialog = show(qtbot, UnlockDialog(opener))
    unlock(qtbot, dialog, STRONG)
    assert dialog.error_label.text() == "The data folder cannot be read: permission denied."
    assert dialog.passphrase_edit.isEnabled()
    assert dialog.unlock_button.isEnabled()
    assert dialog.passphrase_edit.text() == STRONG
    assert dialog.failures == 0
    assert not dialog.retry_timer.isActive()
    assert dialog.isVisible() and dialog.store is None


def test_unexpected_error_shows_a_generic_message_and_logs_its_class_only(
    qtbot: Any, wrong_passphrase: type[Exception], caplog: pytest.LogCaptureFixture
) -> None:
    opener = Opener(RuntimeError(f"secret detail {STRONG}"))
    dialog = show(qtbot, UnlockDialog(opener))
    caplog.set_level(logging.WARNING, logger="amudesk")
    unlock(qtbot, dialog, STRONG)
    assert "unexpected error" in dialog.error_label.text()
    assert "secret" not in dialog.error_label.text()
    assert "unlock failed: RuntimeError" in caplog.text
    assert STRONG not in caplog.text
    assert dialog.passphrase_edit.isEnabled()
    assert dialog.failures == 0


def test_empty_passphrase_is_not_tried(qtbot: Any) -> None:
    opener = Opener()
    dialog = show(qtbot, UnlockDialog(opener))
    qtbot.keyClick(dialog.passphrase_edit, Qt.Key.Key_Return)
    assert not dialog.busy
    assert opener.passphrases == []
    assert dialog.error_label.text().startswith("Passphrase:")
    assert dialog.failures == 0


def test_quit_while_opening_waits_and_closes_the_unused_store(qtbot: Any) -> None:
    store = FakeStore()
    opener = Opener(store)
    opener.release = threading.Event()
    dialog = show(qtbot, UnlockDialog(opener))
    type_into(qtbot, dialog.passphrase_edit, STRONG)
    dialog.unlock_button.click()
    assert dialog.busy
    opener.release.set()
    dialog.quit_button.click()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.busy
    assert dialog.store is None
    assert store.closed
    qtbot.wait(50)  # the task's queued result arrives and is ignored
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_quit_and_escape_reject(qtbot: Any) -> None:
    dialog = show(qtbot, UnlockDialog(Opener()))
    with qtbot.waitSignal(dialog.rejected, timeout=5000):
        qtbot.keyClick(dialog.passphrase_edit, Qt.Key.Key_Escape)
    dialog = show(qtbot, UnlockDialog(Opener()))
    with qtbot.waitSignal(dialog.rejected, timeout=5000):
        qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)


def test_unlock_dialog_is_keyboard_ready_and_shows_the_reference(qtbot: Any) -> None:
    dialog = show(qtbot, UnlockDialog(Opener(), reference="/srv/amu/desk.db"))
    check_keyboard_ready(dialog)
    assert dialog.unlock_button.isDefault()
    assert not dialog.quit_button.isDefault()
    assert dialog.passphrase_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.passphrase_edit.accessibleName() == "Passphrase"
    assert "/srv/amu/desk.db" in dialog.reference_label.text()
    assert dialog.reference_label.isVisible()
    plain = show(qtbot, UnlockDialog(Opener()))
    assert not plain.reference_label.isVisible()
