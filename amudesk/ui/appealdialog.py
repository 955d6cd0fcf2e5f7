"""An appeal to the labour court, in full: when and how it was filed, at which court, its
role number, the hearing days, and the outcome with its day. Records a new appeal or
corrects one; the first appeal's filing day stops the appeal clocks (``services.appeals``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.dates import brussels_today
from amudesk.i18n import _
from amudesk.models import APPEAL_FILING_LABELS, APPEAL_OUTCOME_LABELS, Appeal
from amudesk.services import FieldError, NotFound, appeals
from amudesk.services.appeals import AppealData
from amudesk.services.office import get_office
from amudesk.store import Store
from amudesk.ui.kit.buttons import action_button
from amudesk.ui.kit.dates import OptionalDateEdit
from amudesk.ui.kit.formdialog import FormDialog, problem_of
from amudesk.ui.kit.formrows import add_composite_row, add_row
from amudesk.ui.kit.hints import heading_label, hint_label
from amudesk.ui.kit.labels import request_heading
from amudesk.ui.kit.taborder import chain_tab_order

HEARING_ROWS = 4  # the hearing list's height, in rows
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def court_name(address: str) -> str:
    """The court's name: the first line of the office's labour court address."""
    return next((line.strip() for line in address.splitlines() if line.strip()), "")


class HearingList(QWidget):
    """The hearing days: a list (Delete removes the one selected), and a day typed then
    added with the button or Enter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._days: list[dt.date] = []
        self.list = QListWidget()
        self.list.setObjectName("hearingList")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        rows = self.list.fontMetrics().lineSpacing() * HEARING_ROWS
        self.list.setFixedHeight(rows + 2 * self.list.frameWidth() + 8)
        self.list.installEventFilter(self)
        self.remove_button = action_button(
            _("Re&move hearing"), self.remove_selected, object_name="removeHearing"
        )
        self.new_day = OptionalDateEdit(label=_("New hearing day"))
        self.new_day.setObjectName("newHearing")
        self.new_day.edit.installEventFilter(self)
        self.add_button = action_button(_("&Add hearing"), self.add_typed, object_name="addHearing")
        self.list.currentRowChanged.connect(self._update_buttons)
        self._update_buttons()

    def list_row(self) -> QWidget:
        """The list, with the button that removes a hearing on its right."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        column = QVBoxLayout()
        column.addWidget(self.remove_button)
        column.addStretch(1)
        layout.addLayout(column)
        return row

    def new_row(self) -> QWidget:
        """The day to add, and the button that adds it."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.new_day)
        layout.addWidget(self.add_button)
        layout.addStretch(1)
        return row

    def days(self) -> list[dt.date]:
        return list(self._days)

    def set_days(self, days: Sequence[dt.date]) -> None:
        self._days = sorted(set(days))
        self._refill()

    def pending(self) -> dt.date | None:
        """A day typed but not added yet (saved with the others)."""
        return self.new_day.value()

    def add_typed(self) -> None:
        day = self.new_day.value()
        if day is None:
            self.new_day.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if day not in self._days:
            self._days = sorted([*self._days, day])
        self._refill(selected=day)
        self.new_day.set_value(None)
        self.new_day.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._days):
            del self._days[row]
            self._refill()
            if self._days:
                self.list.setCurrentRow(min(row, len(self._days) - 1))
        (self.list if self._days else self.new_day).setFocus(Qt.FocusReason.OtherFocusReason)

    def _refill(self, selected: dt.date | None = None) -> None:
        self.list.clear()
        for day in self._days:
            item = QListWidgetItem(i18n.format_date(day, "full"))
            self.list.addItem(item)
        if selected in self._days:
            self.list.setCurrentRow(self._days.index(selected))
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        self.remove_button.setEnabled(self.list.currentRow() >= 0 and bool(self._days))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        """Enter in the day adds it (not the whole form); Delete in the list removes one."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            typed = self.new_day.edit.text().strip() and not event.modifiers()
            if watched is self.new_day.edit and key in ENTER_KEYS and typed:
                self.add_typed()
                return True
            if watched is self.list and key == Qt.Key.Key_Delete:
                self.remove_selected()
                return True
        return super().eventFilter(watched, event)


class AppealDialog(FormDialog):
    """Record (or correct) an appeal; ``appeal_id`` holds the saved id after OK."""

    def __init__(
        self,
        store: Store,
        *,
        request_id: int,
        appeal_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(store, parent)
        self.setObjectName("appealForm")
        self.request_id = request_id
        self.appeal_id = appeal_id
        heading, appeal, court = self._load()
        self.setWindowTitle(_("Edit the appeal") if appeal is not None else _("Record an appeal"))
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading_label(heading))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.filed_on = OptionalDateEdit(label=_("Filed on"))
        self.filed_on.setObjectName("filedOn")
        add_row(form, _("&Filed on:"), self.filed_on, name=_("Filed on"))
        self.filed_how = QComboBox()
        self.filed_how.setObjectName("filedHow")
        for key, label in APPEAL_FILING_LABELS.items():
            self.filed_how.addItem(_(label), key)
        add_row(form, _("&How it was filed:"), self.filed_how, name=_("How it was filed"))
        self.court = QLineEdit()
        self.court.setObjectName("court")
        self.court.setMaxLength(300)
        self.court.setPlaceholderText(_("e.g. Tribunal du travail francophone de Bruxelles"))
        add_row(form, _("&Court:"), self.court, name=_("Court"))
        self.role_number = QLineEdit()
        self.role_number.setObjectName("roleNumber")
        self.role_number.setMaxLength(40)
        self.role_number.setPlaceholderText(_("Given by the registry, e.g. 26/1234/A"))
        add_row(form, _("&Role number:"), self.role_number, name=_("Role number"))
        self.hearings = HearingList(self)
        add_composite_row(
            form, _("H&earings:"), self.hearings.list_row(), self.hearings.list, name=_("Hearings")
        )
        add_composite_row(
            form,
            _("New hearing &day:"),
            self.hearings.new_row(),
            self.hearings.new_day.edit,
            name=_("New hearing day"),
        )
        self.outcome = QComboBox()
        self.outcome.setObjectName("outcome")
        self.outcome.addItem(_("— none yet —"), None)
        for key, label in APPEAL_OUTCOME_LABELS.items():
            self.outcome.addItem(_(label), key)
        add_row(form, _("&Outcome:"), self.outcome, name=_("Outcome"))
        self.outcome_on = OptionalDateEdit(label=_("Outcome on"))
        self.outcome_on.setObjectName("outcomeOn")
        add_row(form, _("Outcome da&te:"), self.outcome_on, name=_("Outcome on"))
        layout.addLayout(form)
        layout.addWidget(
            hint_label(
                _(
                    "The appeal clocks stop on the day the first appeal was filed. Type a "
                    "hearing day and press Enter to add it."
                )
            )
        )
        layout.addStretch(1)
        self.finish_layout(body)
        self.fields = {
            "filed_on": problem_of(self.filed_on, self.filed_on.edit),
            "filed_how": self.filed_how,
            "court": self.court,
            "role_number": self.role_number,
            "hearing_dates": self.hearings.list,
            "outcome": self.outcome,
            "outcome_on": problem_of(self.outcome_on, self.outcome_on.edit),
        }
        chain_tab_order(
            [
                self.filed_on.edit,
                self.filed_how,
                self.court,
                self.role_number,
                self.hearings.list,
                self.hearings.remove_button,
                self.hearings.new_day.edit,
                self.hearings.add_button,
                self.outcome,
                self.outcome_on.edit,
                self.ok_button,
                self.cancel_button,
            ]
        )
        if appeal is not None:
            self._fill(appeal)
            self.version = appeal.version
        else:
            self.filed_on.set_value(brussels_today())
            self.filed_how.setCurrentIndex(self.filed_how.findData(AppealData().filed_how))
            self.court.setText(court)
        self.remember_shown()
        self.fit_to_screen(640, 400)
        needed = self.heightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), min(needed, self.MAX_HEIGHT))
        self.filed_on.edit.selectAll()
        self.filed_on.setFocus(Qt.FocusReason.OtherFocusReason)

    def _load(self) -> tuple[str, Appeal | None, str]:
        """The heading, the appeal corrected (None for a new one), the office's court."""
        with self.store.session() as session:
            heading = request_heading(self.request_id, session=session)
            appeal = None
            if self.appeal_id is not None:
                found = appeals.appeals_of(self.request_id, session=session)
                appeal = next((a for a in found if a.id == self.appeal_id), None)
                if appeal is None:
                    raise NotFound(_("This appeal is not in the database."))
            office = get_office(session=session)
        return heading, appeal, court_name(office.labour_court_address if office else "")

    def _fill(self, appeal: Appeal) -> None:
        self.filed_on.set_value(appeal.filed_on)
        self.filed_how.setCurrentIndex(max(0, self.filed_how.findData(appeal.filed_how)))
        self.court.setText(appeal.court)
        self.role_number.setText(appeal.role_number)
        self.hearings.set_days(appeal.hearing_list)
        self.outcome.setCurrentIndex(max(0, self.outcome.findData(appeal.outcome)))
        self.outcome_on.set_value(appeal.outcome_on)

    def check(self) -> None:
        super().check()
        if (problem := self.hearings.new_day.problem()) is not None:
            raise FieldError("hearing_dates", problem)

    def data(self) -> AppealData:
        days = self.hearings.days()
        pending = self.hearings.pending()
        if pending is not None and pending not in days:
            days.append(pending)
        outcome = self.outcome.currentData()
        return AppealData(
            filed_on=self.filed_on.value(),
            filed_how=str(self.filed_how.currentData()),
            court=self.court.text(),
            role_number=self.role_number.text(),
            hearing_dates=sorted(days),
            outcome=str(outcome) if outcome is not None else None,
            outcome_on=self.outcome_on.value(),
            version=self.version,
        )

    def save(self, session: Any) -> int | None:
        appeal = appeals.record_appeal(
            self.request_id, self.data(), session=session, appeal_id=self.appeal_id
        )
        return appeal.id

    def saved(self, record_id: int | None) -> None:
        self.appeal_id = record_id

    def reload_record(self) -> None:
        _heading, appeal, _court = self._load()
        if appeal is not None:
            self._fill(appeal)
            self.version = appeal.version

    def fill_values(self, values: dict[str, Any]) -> None:
        self._fill(SimpleNamespace(**values, hearing_list=values["hearing_dates"]))  # type: ignore[arg-type]
