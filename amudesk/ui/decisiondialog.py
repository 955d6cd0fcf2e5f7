"""The CPAS decision on a request: kind, dates, validity and MediPrima number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from amudesk.i18n import _
from amudesk.models import Decision, DecisionKind
from amudesk.services import NotFound, cases
from amudesk.services.cases import DECISION_LABELS, DecisionData
from amudesk.ui.aamudialog import request_heading
from amudesk.ui.forms import add_row
from amudesk.ui.widgets import (
    FormDialog,
    OptionalDateEdit,
    add_hint_row,
    align_label_columns,
    hint_label,
    problem_of,
)

POSITIVE_KINDS = (DecisionKind.PRINCIPLE, DecisionKind.GUARANTEE)


class DecisionDialog(FormDialog):
    """Record (or correct) a decision; ``decision_id`` holds the saved id after OK."""

    def __init__(
        self,
        store: Any,
        *,
        request_id: int,
        decision_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(store, parent)
        self.setObjectName("decisionDialog")
        self.request_id = request_id
        self.decision_id = decision_id
        heading, decision = self._load()
        self.setWindowTitle(_("Edit decision") if decision is not None else _("New decision"))
        body = QWidget()
        layout = QVBoxLayout(body)
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: 600;")
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.heading)
        forms: list[QFormLayout] = []
        layout.addWidget(self._build_decision(forms))
        layout.addWidget(self._build_validity(forms))
        layout.addStretch(1)
        align_label_columns(forms)
        self.finish_layout(body)
        first_kind = next(iter(self.kinds.values()))
        self.fields = {
            "kind": first_kind,
            "decided_on": problem_of(self.decided_on, self.decided_on.edit),
            "notified_on": problem_of(self.notified_on, self.notified_on.edit),
            "valid_from": problem_of(self.valid_from, self.valid_from.edit),
            "valid_to": problem_of(self.valid_to, self.valid_to.edit),
            "mediprima_number": self.mediprima_number,
        }
        if decision is not None:
            self._fill(decision)
        else:
            self.decided_on.set_value(dt.date.today())
        self._on_kind_changed()
        self.fit_to_screen(700, 560)
        (self.kind_group.checkedButton() or first_kind).setFocus(Qt.FocusReason.OtherFocusReason)

    def _load(self) -> tuple[str, Decision | None]:
        with self.store.session() as session:
            heading = request_heading(self.request_id, session=session)
            decision = None
            if self.decision_id is not None:
                detail = cases.get_case(self.request_id, session=session)
                decision = next((d for d in detail.decisions if d.id == self.decision_id), None)
                if decision is None:
                    raise NotFound(_("This decision is not in the database."))
        return heading, decision

    def _fill(self, decision: Decision) -> None:
        button = self.kinds.get(decision.kind)
        if button is not None:
            button.setChecked(True)
        self.decided_on.set_value(decision.decided_on)
        self.notified_on.set_value(decision.notified_on)
        self.valid_from.set_value(decision.valid_from)
        self.valid_to.set_value(decision.valid_to)
        self.mediprima_number.setText(decision.mediprima_number)

    # --- building ----------------------------------------------------------------------

    def _build_decision(self, forms: list[QFormLayout]) -> QGroupBox:
        box = QGroupBox(_("The decision"))
        form = QFormLayout(box)
        forms.append(form)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.kind_group = QButtonGroup(self)
        self.kinds: dict[str, QRadioButton] = {}
        for code, label in DECISION_LABELS.items():
            button = QRadioButton(_(label))
            button.setAccessibleName(_("Kind of decision: {kind}").format(kind=_(label)))
            self.kind_group.addButton(button)
            self.kinds[code] = button
            column.addWidget(button)
        kind_label = add_row(form, _("&Kind *"), holder, name=_("Kind of decision (required)"))
        kind_label.setBuddy(next(iter(self.kinds.values())))
        holder.setFocusProxy(next(iter(self.kinds.values())))
        self.kind_group.buttonToggled.connect(self._on_kind_changed)
        self.decided_on = OptionalDateEdit(label=_("Decided on"))
        add_row(form, _("&Decided on *"), self.decided_on, name=_("Decided on (required)"))
        self.notified_on = OptionalDateEdit(label=_("Notified on"))
        add_row(form, _("&Notified on"), self.notified_on)
        return box

    def _build_validity(self, forms: list[QFormLayout]) -> QGroupBox:
        self.validity_box = QGroupBox(_("Positive decision"))
        form = self.validity_form = QFormLayout(self.validity_box)
        forms.append(form)
        self.valid_from = OptionalDateEdit(label=_("Valid from"))
        self.valid_from_label = add_row(form, _("Valid &from"), self.valid_from)
        self.valid_to = OptionalDateEdit(label=_("Valid until"))
        self.valid_to_label = add_row(form, _("Valid &until"), self.valid_to)
        self.validity_hint = hint_label(
            _(
                "A decision can start at most 60 days before it is taken, "
                "and lasts at most 12 months."
            )
        )
        add_hint_row(form, self.validity_hint)
        self.mediprima_number = QLineEdit()
        self.mediprima_number.setMaxLength(40)
        self.mediprima_label = add_row(form, _("&MediPrima number"), self.mediprima_number)
        self.positive_hint = hint_label(
            _("Only a decision in principle or a coverage guarantee has a validity period.")
        )
        add_hint_row(form, self.positive_hint)
        return self.validity_box

    # --- behaviour ---------------------------------------------------------------------

    def kind(self) -> str:
        for code, button in self.kinds.items():
            if button.isChecked():
                return code
        return ""

    def _on_kind_changed(self, *_args: object) -> None:
        positive = self.kind() in POSITIVE_KINDS
        for widget in (
            self.valid_from,
            self.valid_to,
            self.mediprima_number,
            self.valid_from_label,
            self.valid_to_label,
            self.mediprima_label,
            self.validity_hint,
        ):
            widget.setEnabled(positive)
        self.validity_form.setRowVisible(self.positive_hint, not positive)

    # --- saving ------------------------------------------------------------------------

    def fields_to_check(self) -> dict[str, QWidget]:
        if self.kind() in POSITIVE_KINDS:
            return self.fields
        # Disabled inputs are neither checked nor saved.
        skipped = ("valid_from", "valid_to", "mediprima_number")
        return {key: widget for key, widget in self.fields.items() if key not in skipped}

    def data(self) -> DecisionData:
        positive = self.kind() in POSITIVE_KINDS
        return DecisionData(
            kind=self.kind(),
            decided_on=self.decided_on.value(),
            notified_on=self.notified_on.value(),
            valid_from=self.valid_from.value() if positive else None,
            valid_to=self.valid_to.value() if positive else None,
            mediprima_number=self.mediprima_number.text() if positive else "",
        )

    def save(self, session: Any) -> int | None:
        decision = cases.record_decision(
            self.request_id, self.data(), session=session, decision_id=self.decision_id
        )
        return decision.id

    def saved(self, record_id: int | None) -> None:
        self.decision_id = record_id
