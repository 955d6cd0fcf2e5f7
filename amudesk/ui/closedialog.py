"""Closing a case (with a reason, and a note for "other"), reopening it, and closing in one
go the cases nobody has touched for months and on which nothing runs any more."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
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
from amudesk.services import closing
from amudesk.settings import load_settings
from amudesk.store import Store
from amudesk.ui.kit.formdialog import FormDialog
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import heading_label, hint_label
from amudesk.ui.kit.labels import request_heading

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
    """The cases untouched for some months on which nothing runs, closed in one go."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.setObjectName("idleCasesDialog")
        self.setWindowTitle(_("Close idle cases"))
        self.closed = 0
        self._candidates: list[closing.Candidate] = []
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
        self.months.valueChanged.connect(lambda _value: self.find_cases())
        add_row(form, _("&Untouched for:"), self.months, name=_("Untouched for"))
        self.reason = reason_combo()
        self.note = note_edit()
        add_row(form, _("&Reason:"), self.reason, name=_("Reason"))
        add_row(form, _("&Note:"), self.note, name=_("Note"))
        layout.addLayout(form)
        self.count_label = hint_label()
        self.count_label.setObjectName("idleCount")
        layout.addWidget(self.count_label)
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

    def find_cases(self) -> None:
        """List the cases the number of months gives."""
        settings = load_settings(getattr(self.store, "data_dir", None)).clock_settings()
        with self.store.session() as session:
            self._candidates = closing.closing_candidates(
                session=session, months=self.months.value(), settings=settings
            )
        self.references.clear()
        for candidate in self._candidates[:PREVIEW_LINES]:
            self.references.addItem(
                _("{reference} — last changed on {date}").format(
                    reference=candidate.reference,
                    date=i18n.format_date(candidate.updated_on, "medium"),
                )
            )
        count = len(self._candidates)
        self.count_label.setText(
            ngettext("{n} case can be closed.", "{n} cases can be closed.", count).format(n=count)
            if count
            else _("No case has been idle that long.")
        )
        self.ok_button.setEnabled(bool(count))
        self.ok_button.setText(ngettext("Close {n} case", "Close {n} cases", count).format(n=count))

    def save(self, session: Any) -> int | None:
        self.closed = closing.close_many(
            [candidate.request_id for candidate in self._candidates],
            session=session,
            reason=str(self.reason.currentData()),
            note=self.note.text(),
        )
        return None
