"""Closing a case (with a reason, and a note for "other"), reopening it, and closing in one
go the cases nobody has touched for months and on which nothing runs any more."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.i18n import _, ngettext
from amudesk.models import CLOSE_REASON_LABELS
from amudesk.services import FieldError, closing
from amudesk.settings import load_settings
from amudesk.store import Store
from amudesk.ui.kit.fielderrors import clear_field_errors
from amudesk.ui.kit.formdialog import FormDialog
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import heading_label, hint_label
from amudesk.ui.kit.labels import format_number, request_heading
from amudesk.ui.kit.taskdialog import TaskRunner, failure_message, progress_bar, show_progress
from amudesk.ui.workers import Cancelled, keep_alive

PREVIEW_LINES = 200  # references listed in the batch dialog; the count says the rest


def reason_combo() -> QComboBox:
    combo = QComboBox()
    combo.setObjectName("closeReason")
    for key, label in CLOSE_REASON_LABELS.items():
        combo.addItem(_(label), key)
    return combo


def note_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName("closeNote")
    edit.setMaxLength(closing.NOTE_LENGTH)
    edit.setPlaceholderText(_("Required when the reason is “other”"))
    return edit


def case_body(store: Store, request_id: int) -> tuple[QWidget, QVBoxLayout]:
    """A dialog's body headed by the request and its person."""
    with store.session() as session:
        heading = request_heading(request_id, session=session)
    body = QWidget()
    layout = QVBoxLayout(body)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(heading_label(heading))
    return body, layout


class CloseCaseDialog(FormDialog):
    """Close one case: its time limits stop running and it leaves the worklist."""

    def __init__(self, store: Store, *, request_id: int, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.setObjectName("closeCaseDialog")
        self.setWindowTitle(_("Close the case"))
        self.request_id = request_id
        body, layout = case_body(store, request_id)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.reason = reason_combo()
        self.note = note_edit()
        add_row(form, _("&Reason:"), self.reason, name=_("Reason"))
        add_row(form, _("&Note:"), self.note, name=_("Note"))
        layout.addLayout(form)
        layout.addWidget(
            hint_label(
                _(
                    "Nothing recorded is deleted: the case keeps its documents and history, "
                    "its time limits stop running, and it can be reopened at any time."
                )
            )
        )
        layout.addStretch(1)
        self.finish_layout(body)
        self.fields = {"reason": self.reason, "note": self.note}
        QWidget.setTabOrder(self.reason, self.note)
        QWidget.setTabOrder(self.note, self.ok_button)
        self.ok_button.setText(_("Close the case"))
        self.ok_button.setAccessibleName(_("Close the case"))
        self.fit_to_screen(560, 260)
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self, session: Any) -> int | None:
        request = closing.close_case(
            self.request_id,
            session=session,
            reason=str(self.reason.currentData()),
            note=self.note.text(),
        )
        return request.id


class ReopenDialog(FormDialog):
    """Reopen a closed case: what closed it is said, and its limits run again."""

    def __init__(self, store: Store, *, request_id: int, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.setObjectName("reopenDialog")
        self.setWindowTitle(_("Reopen the case"))
        self.request_id = request_id
        body, layout = case_body(store, request_id)
        layout.addWidget(
            hint_label(_("Its time limits run again, counted from the recorded events."))
        )
        layout.addStretch(1)
        self.finish_layout(body)
        self.ok_button.setText(_("Reopen"))
        self.ok_button.setAccessibleName(_("Reopen"))
        self.fit_to_screen(480, 180)

    def save(self, session: Any) -> int | None:
        return closing.reopen_case(self.request_id, session=session).id


class IdleCasesDialog(FormDialog):
    """The cases untouched for some months on which nothing runs, closed in one go.

    Both the search and the closing run off the UI thread (a large desk finds tens of
    thousands of cases in seconds, and closes them in a minute): the search again a moment
    after the months change; the closing a batch a transaction, with its progress, and
    Cancel (or Esc) stops it between two batches, keeping the cases already closed."""

    RECOUNT_MS = 300  # after the last change of the months, the search starts again

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.setObjectName("idleCasesDialog")
        self.setWindowTitle(_("Close idle cases"))
        self.closed = 0
        self._candidates: list[closing.Candidate] = []
        self._closing = False  # the closing runs (else, at most a search)
        self.closed_so_far = 0  # cases gone through by the closing's committed batches
        self.tasks = TaskRunner(self)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            hint_label(
                _(
                    "Cases nobody has changed for this many months, on which no time limit "
                    "has come due since: closing them takes them off the worklist and the "
                    "alerts. Nothing is deleted, and each can be reopened."
                )
            )
        )
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.months = QSpinBox()
        self.months.setObjectName("idleMonths")
        self.months.setRange(1, 120)
        self.months.setValue(closing.DEFAULT_IDLE_MONTHS)
        self.months.setSuffix(" " + _("months"))
        self.recount = QTimer(self)
        self.recount.setSingleShot(True)
        self.recount.setInterval(self.RECOUNT_MS)
        self.recount.timeout.connect(self.find_cases)
        self.months.valueChanged.connect(lambda _value: self._months_changed())
        add_row(form, _("&Untouched for:"), self.months, name=_("Untouched for"))
        self.reason = reason_combo()
        self.note = note_edit()
        add_row(form, _("&Reason:"), self.reason, name=_("Reason"))
        add_row(form, _("&Note:"), self.note, name=_("Note"))
        layout.addLayout(form)
        self.count_label = hint_label()
        self.count_label.setObjectName("idleCount")
        layout.addWidget(self.count_label)
        self.progress = progress_bar(_("Cases closed"), object_name="idleProgress")
        self.progress.hide()
        layout.addWidget(self.progress)
        self.references = QListWidget()
        self.references.setObjectName("idleReferences")
        self.references.setAccessibleName(_("Cases to close"))
        layout.addWidget(self.references, 1)
        self.finish_layout(body)
        self.fields = {"months": self.months, "reason": self.reason, "note": self.note}
        QWidget.setTabOrder(self.months, self.reason)
        QWidget.setTabOrder(self.reason, self.note)
        QWidget.setTabOrder(self.note, self.references)
        QWidget.setTabOrder(self.references, self.ok_button)
        self.fit_to_screen(560, 520)
        self.find_cases()
        self.months.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def busy(self) -> bool:
        """A search or the closing runs."""
        return self.tasks.busy

    def _months_changed(self) -> None:
        self.ok_button.setEnabled(False)  # until the cases of the new months are found
        self.recount.start()

    def find_cases(self) -> None:
        """Look for the cases the number of months gives, off the UI thread; the list and
        the count follow once found (a search overtaken by a newer one is dropped)."""
        if self._closing:
            return
        self.recount.stop()
        stale = self.tasks.abandon()
        if stale is not None:
            keep_alive(stale)  # a search is not stopped midway: let it end unheard
        months = self.months.value()
        settings = load_settings(getattr(self.store, "data_dir", None)).clock_settings()
        store = self.store

        def search(progress: Any, cancelled: Any) -> list[closing.Candidate]:
            with store.session() as session:
                return closing.closing_candidates(session=session, months=months, settings=settings)

        self.ok_button.setEnabled(False)
        self.count_label.setText(_("Looking for idle cases…"))
        self.tasks.start(search, finished=self._found, failed=self._failed)

    def _found(self, candidates: list[closing.Candidate]) -> None:
        self._candidates = candidates
        self.references.clear()
        for candidate in candidates[:PREVIEW_LINES]:
            self.references.addItem(
                _("{reference} — last changed on {date}").format(
                    reference=candidate.reference,
                    date=i18n.format_date(candidate.updated_on, "medium"),
                )
            )
        count = len(candidates)
        self.count_label.setText(
            ngettext("{n} case can be closed.", "{n} cases can be closed.", count).format(
                n=format_number(count)
            )
            if count
            else _("No case has been idle that long.")
        )
        self.ok_button.setEnabled(bool(count))
        self.ok_button.setText(
            ngettext("Close {n} case", "Close {n} cases", count).format(n=format_number(count))
        )

    def submit(self) -> None:
        """Check the reason and note, then close the cases found, off the UI thread."""
        if self.busy or not self._candidates:
            return
        clear_field_errors(self.fields, self.error_label)
        reason, note = str(self.reason.currentData()), self.note.text()
        try:
            closing.check_reason(reason, note)
        except FieldError as error:
            self.show_error(error)
            return
        ids = [candidate.request_id for candidate in self._candidates]
        store = self.store

        def close(progress: Any, cancelled: Any) -> int:
            return closing.close_in_batches(
                store, ids, reason=reason, note=note, progress=progress, cancelled=cancelled
            )

        self._closing = True
        for widget in (self.months, self.reason, self.note, self.ok_button):
            widget.setEnabled(False)
        self.progress.setRange(0, len(ids))
        self.progress.setValue(0)
        self.progress.show()
        self.count_label.setText(_("Closing the cases… Cancel stops after the current ones."))
        self.tasks.start(close, finished=self._closed, failed=self._failed, progress=self._shown)

    def _shown(self, done: int, total: int) -> None:
        show_progress(self.progress, done, total, busy_when_unknown=False)
        self.closed_so_far = done

    def _closed(self, closed: int) -> None:
        self.closed = closed
        self._closing = False
        if closed or not self.tasks.was_cancelled:
            self.accept()  # the window says how many, and shows them closed
        else:
            super().reject()

    def _failed(self, error: object) -> None:
        """A search or a batch that failed: said here; what was closed before stays so."""
        was_closing, self._closing = self._closing, False
        self.progress.hide()
        for widget in (self.months, self.reason, self.note):
            widget.setEnabled(True)
        if isinstance(error, Cancelled):
            super().reject()
            return
        message = failure_message(error)
        if was_closing and self.closed_so_far:
            message += " " + ngettext(
                "{n} case was closed before that and stays closed.",
                "{n} cases were closed before that and stay closed.",
                self.closed_so_far,
            ).format(n=format_number(self.closed_so_far))
        self.error_label.show_message(message)
        if was_closing:
            self.find_cases()  # what is left to close
        else:
            self.count_label.setText("")  # the search failed: nothing found to say

    def reject(self) -> None:
        """Cancel or Esc: while closing, stop after the current batch (the dialog then
        closes, saying how many were closed); a search is simply left to end."""
        if self._closing:
            self.tasks.cancel()
            self.count_label.setText(_("Stopping after the current cases…"))
            return
        stale = self.tasks.abandon()
        if stale is not None:
            keep_alive(stale)
        super().reject()

    def done(self, result: int) -> None:
        """Closed by the program (the lock): the closing stops and ends first."""
        if self._closing:
            running = self.tasks.abandon()  # its outcome is not shown: the dialog is going
            if running is not None:
                running.cancel()
                running.wait()
            self._closing = False
        super().done(result)

    def wait_for_task(self, milliseconds: int = 30_000) -> bool:
        """Wait until the search or the closing is over and shown (tests)."""
        return self.tasks.wait_reported(milliseconds)
