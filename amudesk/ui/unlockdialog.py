"""The two dialogs shown before the main window once the database is encrypted.

- ``PassphraseDialog``: choose the passphrase (first run, or when an unencrypted database
  from an earlier version is converted), with a strength meter.
- ``UnlockDialog``: type the passphrase at start; the store is opened off the UI thread
  (deriving the key takes a fraction of a second) and each wrong attempt makes the next
  one wait longer.

The passphrase is never logged, and it is kept only as long as the field holds it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QWidget

from amudesk.i18n import _
from amudesk.models.base import utcnow
from amudesk.services import FieldError
from amudesk.store import Store, StoreError, WrongPassphrase
from amudesk.ui.kit.fielderrors import ErrorLabel
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import hint_label, set_hint
from amudesk.ui.kit.passphrase import (
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
from amudesk.ui.kit.taskdialog import TaskRunner
from amudesk.ui.workers import keep_alive

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = 60


def retry_delay_seconds(failures: int) -> int:
    """How long the field stays locked after ``failures`` wrong passphrases in a row:
    0, then 1, 2, 4, 8 … seconds, never more than a minute."""
    if failures <= 0:
        return 0
    doubled: int = 2 ** min(failures - 1, 6)
    return min(MAX_RETRY_DELAY, doubled)


# --- choosing a passphrase ----------------------------------------------------------------


class PassphraseDialog(QDialog):
    """A new passphrase, typed twice; accepted only when long and strong enough.

    ``mode`` is ``"new"`` (first run) or ``"convert"`` (an unencrypted database from an
    earlier version is about to be encrypted with it).
    """

    MODES = ("new", "convert")

    def __init__(self, mode: str = "new", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if mode not in self.MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode
        self._passphrase = ""
        self.setObjectName("passphraseDialog")
        if mode == "convert":
            self.setWindowTitle(_("AMU Desk — Encrypt the database"))
            intro = _(
                "This desk's database was made by an earlier version of AMU Desk and is not "
                "encrypted. Its data will now be encrypted with the passphrase you choose "
                "here, and the passphrase will be asked each time AMU Desk starts."
            )
        else:
            self.setWindowTitle(_("AMU Desk — Choose a passphrase"))
            intro = _(
                "Choose a passphrase to protect this desk's data. It will be asked each time "
                "AMU Desk starts."
            )
        self.intro = intro_label(intro)
        self.warning = lost_passphrase_warning()

        form = passphrase_form()
        self.new_passphrase = NewPassphraseFields(
            form, _("&Passphrase"), _("Type the same passphrase again."), strength_buddy=True
        )
        self.passphrase_edit = self.new_passphrase.edit
        self.confirmation_edit = self.new_passphrase.confirmation_edit
        self.show_check = show_passphrase_check([self.passphrase_edit, self.confirmation_edit])
        form.addRow("", self.show_check)

        self.error_label = ErrorLabel()
        self.buttons, self.ok_button, self.quit_button = passphrase_buttons(
            self,
            _("&Continue"),
            _("Encrypt the database with this passphrase")
            if mode == "convert"
            else _("Protect the data with this passphrase"),
        )

        # A new desk may keep its data on the office's server instead (issue 16): the
        # caller then asks where (amudesk.ui.datalocation) and no passphrase is chosen.
        self.server_chosen = False
        self.server_button: QPushButton = self.buttons.addButton(
            _("Use our office's ser&ver…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.server_button.setAccessibleName(_("Keep the data on the office's shared server"))
        self.server_button.setAutoDefault(False)
        self.server_button.setVisible(mode == "new")
        self.server_button.clicked.connect(self._choose_server)
        self.fields: dict[str, QWidget] = {
            "passphrase": self.passphrase_edit,
            "confirmation": self.confirmation_edit,
        }
        lay_out(
            self,
            [self.intro, self.warning, form, self.error_label],
            self.buttons,
            tab_order=[
                self.passphrase_edit,
                self.confirmation_edit,
                self.show_check,
                self.ok_button,
                self.quit_button,
            ],
            default=self.ok_button,
            width=480,
        )

    def _choose_server(self) -> None:
        self.server_chosen = True
        self.reject()

    def score(self) -> int:
        """The strength shown: zxcvbn's score, at most 'fair' while the text is too short."""
        return self.new_passphrase.meter.score

    # --- result ----------------------------------------------------------------------

    def problem(self) -> FieldError | None:
        """What keeps the passphrase from being accepted, on its field; None when fine."""
        return self.new_passphrase.problem(
            "passphrase",
            empty=_("Passphrase: type a passphrase."),
            too_short=_("Passphrase: too short — use at least {n} characters."),
            too_weak=_("Passphrase: too weak — add words or length."),
            mismatch=_("Confirmation: does not match the passphrase."),
        )

    def accept(self) -> None:
        if show_problem(self.problem(), self.fields, self.error_label, select={"confirmation"}):
            return
        self._passphrase = self.passphrase_edit.text()
        super().accept()

    def passphrase(self) -> str:
        """The accepted passphrase ('' until the dialog was accepted)."""
        return self._passphrase


# --- unlocking ----------------------------------------------------------------------------


@dataclass
class _Outcome:
    """What the opener did, carried from its thread: a store, or the exception it raised."""

    store: Store | None = None
    error: Exception | None = None


class UnlockDialog(QDialog):
    """The passphrase at start. ``opener(passphrase)`` returns the opened store or raises
    ``WrongPassphrase`` / another ``StoreError``; it runs off the UI thread. On success the
    store is in ``self.store`` and the dialog is accepted."""

    def __init__(
        self,
        opener: Callable[[str], Any],
        parent: QWidget | None = None,
        *,
        reference: str = "",
        offer_restore: bool = False,
    ) -> None:
        super().__init__(parent)
        self._opener = opener
        self.store: Store | None = None
        self.restore_chosen = False
        self.failures = 0
        # When each wrong passphrase was given. The audit trail gets them from the opener,
        # which notes each one in the data folder (store.note_failed_unlock).
        self.failed_at: list[dt.datetime] = []
        self._remaining = 0
        self.tasks = TaskRunner(self)
        self._pending: list[_Outcome] = []
        self.setObjectName("unlockDialog")
        self.setWindowTitle(_("AMU Desk — Unlock"))

        self.intro = intro_label(
            _("This desk's data is encrypted. Type the passphrase to open it.")
        )
        self.reference_label = hint_label(
            _("Database: {reference}").format(reference=reference) if reference else ""
        )
        self.reference_label.setVisible(bool(reference))
        self.passphrase_edit = password_edit()
        self.show_check = show_passphrase_check([self.passphrase_edit])
        form = passphrase_form()
        add_row(form, _("&Passphrase"), self.passphrase_edit)
        form.addRow("", self.show_check)
        self.status_label = hint_label()
        self.status_label.setAccessibleName(_("Status"))
        self.status_label.hide()
        self.error_label = ErrorLabel()

        self.buttons, self.unlock_button, self.quit_button = passphrase_buttons(
            self, _("&Unlock"), _("Unlock the database")
        )
        # Shown after a failure when the folder has backups: a damaged file cannot be told
        # from a wrong passphrase, so the way out is offered either way.
        self.restore_button: QPushButton = self.buttons.addButton(
            _("&Restore a backup…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.restore_button.setAccessibleName(_("Restore the latest backup"))
        self.restore_button.setAutoDefault(False)
        self.restore_button.hide()
        self.restore_button.clicked.connect(self._choose_restore)
        self._offer_restore = offer_restore

        self.retry_timer = QTimer(self)
        self.retry_timer.setInterval(1000)
        self.retry_timer.timeout.connect(self._tick)

        lay_out(
            self,
            [self.intro, self.reference_label, form, self.status_label, self.error_label],
            self.buttons,
            tab_order=[self.passphrase_edit, self.show_check, self.unlock_button, self.quit_button],
            default=self.unlock_button,
            width=460,
        )

    # --- state -----------------------------------------------------------------------

    def accept(self) -> None:
        """Enter or Unlock: try the passphrase (the dialog closes once the store is open)."""
        self.unlock()

    @property
    def busy(self) -> bool:
        """True while the opener runs."""
        return self.tasks.busy

    @property
    def waiting(self) -> bool:
        """True while the field is locked after a wrong passphrase."""
        return self._remaining > 0

    def _set_input_enabled(self, enabled: bool) -> None:
        for widget in (self.passphrase_edit, self.show_check, self.unlock_button):
            widget.setEnabled(enabled)

    def _show_status(self, text: str) -> None:
        set_hint(self.status_label, text)

    # --- opening ---------------------------------------------------------------------

    def _choose_restore(self) -> None:
        """Close, telling the caller to offer the latest backup instead."""
        self.restore_chosen = True
        self.reject()

    def submit(self, passphrase: str) -> None:
        """Try ``passphrase`` at once (one just chosen in the passphrase dialog); the dialog
        then shows the progress, and the field if it fails."""
        self.passphrase_edit.setText(passphrase)
        self.unlock()

    def unlock(self) -> None:
        """Run the opener with the typed passphrase, off the UI thread."""
        if self.busy or self.waiting:
            return
        passphrase = self.passphrase_edit.text()
        if not passphrase:
            self.error_label.show_message(_("Passphrase: type the passphrase."))
            self.passphrase_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.error_label.clear_message()
        self._set_input_enabled(False)
        self._show_status(_("Opening…"))
        self.setCursor(Qt.CursorShape.BusyCursor)
        opener = self._opener
        pending: list[_Outcome] = []
        self._pending = pending

        def work(progress: Any, cancelled: Any) -> _Outcome:
            # The outcome, not the exception, goes back: a wrong passphrase is no crash to
            # log with its traceback. It is also kept for a dialog closed in the meantime.
            try:
                outcome = _Outcome(store=opener(passphrase))
            except Exception as exc:
                outcome = _Outcome(error=exc)
            pending.append(outcome)
            return outcome

        self.tasks.start(work, finished=self._finished, failed=self._failed)

    def wait_for_task(self, milliseconds: int = 30_000) -> bool:
        """Wait until the opener is done and its outcome shown (for tests and closing)."""
        return self.tasks.wait_reported(milliseconds)

    def _failed(self, error: object) -> None:
        """The work itself broke (the opener's own exceptions come as outcomes)."""
        self._finished(_Outcome(error=cast(Exception, error)))

    def _finished(self, outcome: _Outcome) -> None:
        # Not called once the dialog was closed (see done()): the task was abandoned then.
        self._pending = []
        self.unsetCursor()
        self._show_status("")
        if outcome.error is None:
            self.store = outcome.store
            super().accept()
            return
        self._show_error(outcome.error)

    def _show_error(self, error: Exception) -> None:
        if isinstance(error, WrongPassphrase):
            self.failures += 1
            self.failed_at.append(utcnow())
            self.restore_button.setVisible(self._offer_restore)
            log.warning("failed unlock attempt %d", self.failures)
            self.error_label.show_message(_("Wrong passphrase, or the database file is damaged."))
            self.passphrase_edit.clear()
            self._start_countdown(retry_delay_seconds(self.failures))
            return
        if isinstance(error, StoreError):
            self.error_label.show_message(str(error))
        else:
            log.error("unlock failed: %s", error.__class__.__name__)
            self.error_label.show_message(
                _(
                    "The database could not be opened because of an unexpected error. "
                    "Try again; if it happens again, the log file says more."
                )
            )
        self._set_input_enabled(True)
        self.passphrase_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.passphrase_edit.selectAll()

    # --- waiting after a wrong passphrase ----------------------------------------------

    def _start_countdown(self, seconds: int) -> None:
        self._remaining = seconds
        if seconds <= 0:
            self._end_countdown()
            return
        self._set_input_enabled(False)
        self._show_countdown()
        self.retry_timer.start()

    def _show_countdown(self) -> None:
        self._show_status(_("Try again in {n} s").format(n=self._remaining))

    def _tick(self) -> None:
        """One second of the wait is over."""
        if self._remaining <= 0:
            self.retry_timer.stop()
            return
        self._remaining -= 1
        if self._remaining > 0:
            self._show_countdown()
        else:
            self._end_countdown()

    def _end_countdown(self) -> None:
        self.retry_timer.stop()
        self._remaining = 0
        self._show_status("")
        self._set_input_enabled(True)
        self.passphrase_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def remaining_seconds(self) -> int:
        """Seconds before the field is unlocked again (0 when it is usable)."""
        return self._remaining

    # --- closing ---------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Quit, Esc or the window's close button: wait for a running opener; a store it
        opened meanwhile is closed, since nobody will use it."""
        self.retry_timer.stop()
        task = self.tasks.abandon()  # its signals, still queued, are ignored
        if task is not None:
            if not task.wait():
                # Still running after 30 s: keep it alive, or Qt aborts on a running thread.
                log.warning("the unlock task outlived its dialog")
                keep_alive(task)
            outcome = self._pending[0] if self._pending else None
            self._pending = []
            self.unsetCursor()
            if outcome is not None and outcome.error is None:
                if result == QDialog.DialogCode.Accepted:
                    self.store = outcome.store
                else:
                    _close_quietly(outcome.store)
        super().done(result)


def _close_quietly(store: Store | None) -> None:
    close = getattr(store, "close", None)
    if callable(close):
        try:
            close()
        except Exception as exc:  # closing an unused store must not stop the program
            log.warning("closing the unused store failed: %s", exc.__class__.__name__)
