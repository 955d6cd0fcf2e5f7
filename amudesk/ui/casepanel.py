"""The right-hand panel: everything about the selected request and its person.

It reads one case through ``cases.get_case`` and lays it out in sections (person,
dependants, request, attestations, decisions, other requests, time limits, timeline),
with the buttons that open the forms. After a form saved, it shows the case again and
emits ``changed(request_id)`` so the list follows.

The time limits are the legal clocks of the case (``services.clock``), counted with the
settings of the data folder and explained in the interface language. The documents handed
out, and the row that issues the next, are a widget of their own (``casedocuments``) that
the panel keeps and places in the content of each case.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.deadlines import (
    Deadline,
    holidays_loaded,
    load_holidays,
)
from amudesk.i18n import _
from amudesk.models import DECISION_LABELS, DOCUMENT_KINDS
from amudesk.services import NotFound, cases, clock
from amudesk.services.accounts import PRINTED
from amudesk.settings import load_settings
from amudesk.store import Store
from amudesk.ui.caseclocks import ClockActions, clock_section
from amudesk.ui.casedocuments import CaseDocuments, HandedOut, read_handed_out
from amudesk.ui.caseparts import (
    SPACING,
    SelectableLabel,
    button_row,
    item_row,
    plain_label,
    section,
)
from amudesk.ui.casesections import (
    aamu_section,
    header,
    notification_lines,
    other_requests_section,
    period_text,
    person_section,
    placeholder,
    request_section,
    timeline_section,
)
from amudesk.ui.consentparts import ConsentStatus
from amudesk.ui.decisionparts import decision_lines
from amudesk.ui.kit.buttons import action_button
from amudesk.ui.kit.flowlayout import FlowLayout
from amudesk.ui.kit.labels import person_display_name
from amudesk.ui.sharedwindow import limit_buttons
from amudesk.ui.workers import Task

log = logging.getLogger(__name__)


class CasePanel(QScrollArea):
    """Shows one case; ``show_case(None)`` shows a hint instead."""

    changed = Signal(int)
    request_chosen = Signal(int)
    message = Signal(str)
    clocks_ready = Signal()  # the holiday calendar was read: clocks are shown

    def __init__(
        self, store: Store, parent: QWidget | None = None, *, data_dir: Path | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        # Where settings.json lives (how the clock counts); the store's folder by default.
        self._data_dir = data_dir if data_dir is not None else getattr(store, "data_dir", None)
        self._deadlines: list[Deadline] = []
        # The holiday calendar is read in the background the first time (start-up does
        # not wait for it); meanwhile the clocks say they are being counted.
        self._clocks_pending = False
        self._calendar_task: Any = None
        self._today = clock.today_in_brussels()
        self._request_id: int | None = None
        self._person_id: int | None = None
        self._reference = ""
        self._handed_out = HandedOut(issued=[], cards=[], language="fr")
        # The documents section lives as long as the panel, in the content of each case.
        self.documents = CaseDocuments(store, self, data_dir=self._data_dir)
        self.documents.hide()
        self.documents.saved.connect(self._saved)
        self.documents.message.connect(self.message)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(320)
        # Tab goes from the list straight to the panel's buttons (the area scrolls to them).
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setObjectName("casePanel")
        self.setAccessibleName(_("Selected request"))
        self.show_case(None)

    # --- public ------------------------------------------------------------------

    def request_id(self) -> int | None:
        return self._request_id

    def person_id(self) -> int | None:
        return self._person_id

    def text(self) -> str:
        """Every text shown, one per line (labels and buttons), for checks and copying."""
        content = self.widget()
        if content is None:
            return ""
        parts: list[str] = []
        for child in content.findChildren(QWidget):
            if isinstance(child, SelectableLabel):
                parts.append(child.plain_text())
            elif isinstance(child, QLabel) and child.text():
                parts.append(child.text())
            elif isinstance(child, QPushButton):
                parts.append(child.text().replace("&", ""))
        return "\n".join(parts)

    def deadlines(self) -> list[Deadline]:
        """The time limits of the case shown (empty when none is)."""
        return list(self._deadlines)

    def show_case(self, request_id: int | None) -> None:
        """Show the case of ``request_id`` (read afresh from the database)."""
        focused = self._focused_name()
        detail = None
        self._deadlines = []
        self._clocks_pending = False
        if request_id is not None:
            try:
                with self._store.session() as session:
                    detail = cases.get_case(request_id, session=session)
                    self._handed_out = read_handed_out(detail, session)
                    if holidays_loaded():
                        self._deadlines = self._read_deadlines(request_id, session)
                    else:
                        self._clocks_pending = True
            except NotFound:
                detail = None
        if self._clocks_pending:
            # Once the event loop runs (the window is on screen at start-up): the read
            # holds the interpreter lock for a while and would slow what comes before.
            QTimer.singleShot(0, self._load_calendar)
        self.setUpdatesEnabled(False)
        try:
            # Out of the content about to go, emptied as the rest of it (focus included).
            self.documents.clear()
            self.documents.hide()
            self.documents.setParent(self)
            if detail is None:
                self._request_id = self._person_id = None
                self._reference = ""
                self.setWidget(placeholder())
            else:
                self._request_id = detail.request.id
                self._person_id = detail.person.id
                self._reference = detail.request.reference
                self.setWidget(self._content(detail))
        finally:
            self.setUpdatesEnabled(True)
        self._restore_focus(focused)

    def _load_calendar(self) -> None:
        """Read the holiday calendar off the UI thread, then show the clocks."""
        if self._calendar_task is not None:
            return

        today, language = clock.today_in_brussels(), i18n.get_locale()
        task = Task(lambda progress, cancelled: load_holidays(today, language), self)
        task.finished.connect(self._calendar_loaded)
        task.failed.connect(self._calendar_failed)
        self._calendar_task = task
        task.start()

    def _calendar_loaded(self, _result: object = None) -> None:
        self._calendar_task = None
        if self._clocks_pending:
            self.show_case(self._request_id)
        self.clocks_ready.emit()

    def _calendar_failed(self, error: object) -> None:
        # Not expected (the calendar is a library's table); counting on the UI thread
        # then raises the same error where the crash reporter shows it.
        log.error("holiday calendar could not be read: %s", error.__class__.__name__)
        self._calendar_task = None
        load_holidays(clock.today_in_brussels(), i18n.get_locale())

    def wait_for_clocks(self) -> bool:
        """Block until the background calendar read is over (for closing and tests)."""
        task = self._calendar_task
        return task.wait() if task is not None else True

    def _read_deadlines(self, request_id: int, session: Any) -> list[Deadline]:
        settings = load_settings(self._data_dir).clock_settings()
        self._today = clock.today_in_brussels()
        return clock.deadlines(
            session=session,
            today=self._today,
            request_ids=[request_id],
            settings=settings,
            language=i18n.get_locale(),
        )

    # --- building ------------------------------------------------------------------

    def _content(self, detail: cases.CaseDetail) -> QWidget:
        widget = QWidget()
        widget.setObjectName("caseContent")
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(12, 8, 12, 12)
        layout.setSpacing(SPACING)
        layout.addLayout(header(detail))
        self.documents.show_documents(detail, self._handed_out)  # placed further down
        layout.addLayout(self._main_actions())
        layout.addLayout(self._document_actions())
        # What is due comes first: on a small screen it shows without scrolling.
        clock_section(
            layout,
            detail,
            self._deadlines,
            self._today,
            pending=self._clocks_pending,
            actions=ClockActions(
                self.record_transfer,
                self.record_appeal,
                self.close_case,
                self.reopen_case,
                file_request=self.file_request,
                record_spp_referral=self.record_spp_referral,
            ),
        )
        person_section(layout, detail)
        saved = partial(self._saved, detail.request.id)
        layout.addWidget(ConsentStatus(self._store, detail.person.id or 0, detail.consents, saved))
        self._dependants_section(layout, detail)
        request_section(layout, detail)
        aamu_section(layout, detail, self.edit_aamu, self.record_aamu)
        self._decision_section(layout, detail)
        if detail.other_requests:
            other_requests_section(layout, detail, self.request_chosen.emit)
        layout.addWidget(self.documents)
        self.documents.show()
        timeline_section(layout, detail)
        limit_buttons(widget, self._store.role)  # a shared database: what the role may change
        layout.addStretch(1)
        return widget

    def _main_actions(self) -> QLayout:
        row = FlowLayout(spacing=6)  # wraps when the panel is narrow
        for text, slot, name in (
            (_("Edit &person…"), self.edit_person, "editPerson"),
            (_("Edit &request…"), self.edit_request, "editRequest"),
            (_("New request for this person…"), self.new_request_for_person, "newRequestForPerson"),
        ):
            row.addWidget(action_button(text, slot, object_name=name, needs="cases"))
        return row

    def _document_actions(self) -> QLayout:
        """The documents, far down the case, from its top: one click (or Ctrl+P) issues the
        one most likely needed next; "Documents" goes down to the section."""
        row = FlowLayout(spacing=6)
        kind = self.documents.next_kind()
        if kind is not None:
            document = _(DOCUMENT_KINDS.get(kind, kind))
            button = action_button(
                _("Issue: {document}…").format(document=document),
                self.issue_next_document,
                object_name="issueNextDocument",
                needs="print" if kind in PRINTED else "documents",
            )
            button.setToolTip(_("The document this case most likely needs next (Ctrl+P)"))
            row.addWidget(button)
        jump = action_button(
            _("Docu&ments"), self.show_documents_section, object_name="showDocuments", needs="read"
        )
        jump.setToolTip(_("Go down to the documents handed out and issue one"))
        row.addWidget(jump)
        return row

    def issue_next_document(self) -> Any:
        """Issue the document the case shown most likely needs next (``next_document``)."""
        return self.documents.issue_next()

    def show_documents_section(self) -> None:
        """Scroll down to the documents section and put the keyboard on its document list."""
        if self._request_id is None:
            return
        content = self.widget()
        layout = content.layout() if content is not None else None
        if layout is not None:
            layout.activate()  # the section's place, even before the next paint
        self.documents.document_kind.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.verticalScrollBar().setValue(max(0, self.documents.y() - SPACING))

    def _dependants_section(self, layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
        section(layout, _("Dependants"))
        if not detail.dependants:
            layout.addWidget(plain_label(_("No dependants recorded."), object_name="hint"))
        for number, child in enumerate(detail.dependants):
            name = person_display_name(child.family_name, child.given_names)
            text = _("{name}, born {date}").format(
                name=name, date=i18n.format_partial_date(child.birth_date) or _("date unknown")
            )
            layout.addLayout(
                item_row(
                    text,
                    partial(self.edit_dependant, child.id),
                    object_name=f"editDependant{number}",
                    name=_("Edit dependant {name}").format(name=name),
                    needs="cases",
                )
            )
        layout.addLayout(
            button_row(_("Add &dependant…"), self.add_dependant, "addDependant", needs="cases")
        )

    def _decision_section(self, layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
        section(layout, _("Decisions"))
        if not detail.decisions:
            layout.addWidget(plain_label(_("No decision yet."), object_name="hint"))
        reasons = detail.reasons
        for number, decision in enumerate(detail.decisions):
            kind = DECISION_LABELS.get(decision.kind)
            kind_text = _(kind) if kind else decision.kind
            parts = [
                _("{kind}, decided on {date}").format(
                    kind=kind_text, date=i18n.format_date(decision.decided_on)
                )
            ]
            parts.extend(decision_lines(decision, reasons))
            parts.extend(notification_lines(decision))
            validity = period_text(decision.valid_from, decision.valid_to)
            if validity:
                parts.append(_("Valid {period}").format(period=validity))
            if decision.mediprima_number:
                parts.append(
                    _("MediPrima number {number}").format(number=decision.mediprima_number)
                )
            if decision.encoded_on:
                parts.append(
                    _("Encoded in MediPrima on {date}.").format(
                        date=i18n.format_date(decision.encoded_on)
                    )
                )
            layout.addLayout(
                item_row(
                    "\n".join(parts),
                    partial(self.edit_decision, decision.id),
                    object_name=f"editDecision{number}",
                    name=_("Edit decision of {date}").format(
                        date=i18n.format_date(decision.decided_on)
                    ),
                    needs="cases",
                )
            )
        layout.addLayout(
            button_row(
                _("Record de&cision…"), self.record_decision, "recordDecision", needs="cases"
            )
        )

    # --- focus across rebuilds -------------------------------------------------------

    def _focused_name(self) -> str:
        content = self.widget()
        focus = self.focusWidget() if content is not None else None
        if focus is not None and content is not None and content.isAncestorOf(focus):
            return focus.objectName()
        return ""

    def _restore_focus(self, name: str) -> None:
        content = self.widget()
        if not name or content is None:
            return
        target = content.findChild(QWidget, name)
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- actions (each opens a form; the forms are imported when first used) ----------

    def edit_person(self) -> None:
        from amudesk.ui.persondialog import PersonDialog

        if self._person_id is None:
            return

        dialog = PersonDialog(self._store, person_id=self._person_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Person saved."))

    def edit_dependant(self, person_id: int | None) -> None:
        from amudesk.ui.persondialog import PersonDialog

        if person_id is None:
            return

        dialog = PersonDialog(self._store, person_id=person_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Dependant saved."))

    def add_dependant(self) -> None:
        from amudesk.ui.persondialog import PersonDialog

        if self._person_id is None:
            return

        dialog = PersonDialog(self._store, guardian_id=self._person_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Dependant saved."))

    def edit_request(self) -> None:
        from amudesk.ui.requestdialog import RequestDialog

        if self._request_id is None:
            return

        dialog = RequestDialog(self._store, request_id=self._request_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, None)

    def new_request_for_person(self) -> None:
        from amudesk.ui.requestdialog import RequestDialog

        if self._person_id is None:
            return

        dialog = RequestDialog(self._store, person_id=self._person_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            new_id = getattr(dialog, "request_id", None)
            self._saved(new_id or self._request_id, None)
            if new_id is not None:
                self.documents.offer_receipt(new_id)

    def record_aamu(self) -> None:
        self.edit_aamu(None)

    def edit_aamu(self, aamu_id: int | None) -> None:
        from amudesk.ui.aamudialog import AamuDialog

        if self._request_id is None:
            return

        dialog = AamuDialog(self._store, request_id=self._request_id, aamu_id=aamu_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Attestation saved."))

    def record_decision(self) -> None:
        self.edit_decision(None)

    def edit_decision(self, decision_id: int | None) -> None:
        from amudesk.ui.decisiondialog import DecisionDialog

        if self._request_id is None:
            return

        dialog = DecisionDialog(
            self._store, request_id=self._request_id, decision_id=decision_id, parent=self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Decision saved."))

    def record_transfer(self) -> None:
        from amudesk.ui.eventdialog import TransferDialog

        if self._request_id is None:
            return

        dialog = TransferDialog(
            self._store, request_id=self._request_id, data_dir=self._data_dir, parent=self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Transfer saved."))

    def file_request(self) -> None:
        """File a request that was being prepared: its CPAS and the day it received it."""
        from amudesk.ui.requestdialog import RequestDialog

        if self._request_id is None:
            return

        dialog = RequestDialog(self._store, request_id=self._request_id, file_now=True, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Request filed: its time limits run from now on."))
            self.documents.offer_receipt(self._request_id)

    def record_spp_referral(self) -> None:
        from amudesk.ui.eventdialog import SppReferralDialog

        if self._request_id is None:
            return

        dialog = SppReferralDialog(
            self._store, request_id=self._request_id, data_dir=self._data_dir, parent=self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Referral saved."))

    def record_appeal(self, appeal_id: int | None = None) -> None:
        from amudesk.ui.appealdialog import AppealDialog

        if self._request_id is None:
            return

        dialog = AppealDialog(
            self._store, request_id=self._request_id, appeal_id=appeal_id, parent=self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Appeal saved."))

    def close_case(self) -> None:
        from amudesk.ui.closedialog import CloseCaseDialog

        if self._request_id is None:
            return

        dialog = CloseCaseDialog(self._store, request_id=self._request_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(
                self._request_id, _("Case {reference} closed.").format(reference=self._reference)
            )

    def reopen_case(self) -> None:
        from amudesk.ui.closedialog import ReopenDialog

        if self._request_id is None:
            return

        dialog = ReopenDialog(self._store, request_id=self._request_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(
                self._request_id,
                _("Case {reference} reopened.").format(reference=self._reference),
            )

    def _saved(self, request_id: int | None, text: str | None) -> None:
        """Show the (possibly new) case again and tell the window what changed."""
        self.show_case(request_id)
        if text is None and self._reference:
            text = _("Request {reference} saved.").format(reference=self._reference)
        if text:
            self.message.emit(text)
        if request_id is not None:
            log.info("request %s changed from the case panel", request_id)
            self.changed.emit(request_id)
