"""The urgent medical aid attestation (AAMU): dates, doctor and care categories — no diagnosis."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from amudesk.dates import brussels_today
from amudesk.i18n import N_, _
from amudesk.identifiers import IdentifierError, format_inami, parse_inami
from amudesk.models import CARE_CATEGORIES, Aamu
from amudesk.services import FieldError, NotFound, cases
from amudesk.services.cases import AamuData
from amudesk.store import Store
from amudesk.ui.kit.dates import OptionalDateEdit
from amudesk.ui.kit.formdialog import FormDialog, problem_of
from amudesk.ui.kit.formrows import add_composite_row, add_row, align_label_columns
from amudesk.ui.kit.hints import (
    BAD_STYLE,
    GOOD_STYLE,
    heading_label,
    hint_label,
    set_hint,
    warning_label,
)
from amudesk.ui.kit.labels import request_heading

NO_DIAGNOSIS = N_("Record no diagnosis: only dates, doctor and categories of care.")


def one_year_from(start: dt.date) -> dt.date:
    """The last day of a one-year period starting on ``start`` (1 Mar 2026 → 28 Feb 2027)."""
    try:
        same_day = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        same_day = dt.date(start.year + 1, 3, 1)
    return same_day - dt.timedelta(days=1)


class AamuDialog(FormDialog):
    """Record (or correct) the attestation of a request; ``aamu_id`` holds the saved id."""

    def __init__(
        self,
        store: Store,
        *,
        request_id: int,
        aamu_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(store, parent)
        self.setObjectName("aamuDialog")
        self.request_id = request_id
        self.aamu_id = aamu_id
        heading, aamu = self._load()
        self.setWindowTitle(
            _("Edit attestation (AAMU)") if aamu is not None else _("New attestation (AAMU)")
        )
        body = QWidget()
        layout = QVBoxLayout(body)
        self.heading = heading_label(heading)
        layout.addWidget(self.heading)
        self.reminder = warning_label(_(NO_DIAGNOSIS))
        layout.addWidget(self.reminder)
        forms: list[QFormLayout] = []
        layout.addWidget(self._build_doctor(forms))
        layout.addWidget(self._build_validity(forms))
        layout.addWidget(self._build_categories())
        layout.addStretch(1)
        align_label_columns(forms)
        self.finish_layout(body)
        self.fields = {
            "issued_on": problem_of(self.issued_on, self.issued_on.edit),
            "doctor_name": self.doctor_name,
            "inami": self.inami,
            "valid_from": problem_of(self.valid_from, self.valid_from.edit),
            "valid_to": problem_of(self.valid_to, self.valid_to.edit),
            "care_categories": next(iter(self.categories.values())),
        }
        if aamu is not None:
            self._fill(aamu)
            self.version = aamu.version
        else:
            self.issued_on.set_value(brussels_today())
        self.remember_shown()
        self._on_inami_changed()
        self.fit_to_screen(720, 600)
        self.issued_on.setFocus(Qt.FocusReason.OtherFocusReason)

    def _load(self) -> tuple[str, Aamu | None]:
        with self.store.session() as session:
            heading = request_heading(self.request_id, session=session)
            aamu = None
            if self.aamu_id is not None:
                detail = cases.get_case(self.request_id, session=session)
                aamu = next((a for a in detail.aamus if a.id == self.aamu_id), None)
                if aamu is None:
                    raise NotFound(_("This attestation is not in the database."))
        return heading, aamu

    def _fill(self, aamu: Aamu) -> None:
        self.issued_on.set_value(aamu.issued_on)
        self.doctor_name.setText(aamu.doctor_name)
        try:
            self.inami.setText(format_inami(aamu.inami) if aamu.inami else "")
        except IdentifierError:
            self.inami.setText(aamu.inami or "")
        self.valid_from.set_value(aamu.valid_from)
        self.valid_to.set_value(aamu.valid_to)
        for code, box in self.categories.items():
            box.setChecked(code in aamu.category_list)

    # --- building ----------------------------------------------------------------------

    def _build_doctor(self, forms: list[QFormLayout]) -> QGroupBox:
        box = QGroupBox(_("The attestation"))
        form = QFormLayout(box)
        forms.append(form)
        self.issued_on = OptionalDateEdit(label=_("Date of the attestation"))
        add_row(
            form,
            _("&Date of the attestation *"),
            self.issued_on,
            name=_("Date of the attestation (required)"),
        )
        self.doctor_name = QLineEdit()
        self.doctor_name.setMaxLength(200)
        add_row(form, _("D&octor *"), self.doctor_name, name=_("Doctor's name (required)"))
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.inami = QLineEdit()
        self.inami.setMaxLength(20)
        self.inami.setPlaceholderText(_("e.g. 1-23456-78-901"))
        self.inami_hint = hint_label()
        column.addWidget(self.inami)
        column.addWidget(self.inami_hint)
        add_composite_row(form, _("&INAMI number"), holder, self.inami)
        self.inami.textChanged.connect(self._on_inami_changed)
        self.inami.editingFinished.connect(self._tidy_inami)
        return box

    def _build_validity(self, forms: list[QFormLayout]) -> QGroupBox:
        box = QGroupBox(_("Requested validity"))
        form = QFormLayout(box)
        forms.append(form)
        self.valid_from = OptionalDateEdit(label=_("Valid from"))
        add_row(form, _("Valid &from"), self.valid_from)
        self.valid_to = OptionalDateEdit(label=_("Valid until"))
        add_row(form, _("Valid &until"), self.valid_to)
        self.suggest_button = QPushButton(_("&Suggest one year"))
        self.suggest_button.setAccessibleName(_("Suggest one year from the attestation date"))
        self.suggest_button.setToolTip(
            _("From the attestation date to the day before the same date one year later.")
        )
        row = QHBoxLayout()
        row.addWidget(self.suggest_button)
        row.addStretch(1)
        form.addRow("", row)
        self.suggest_button.clicked.connect(self.suggest_one_year)
        return box

    def _build_categories(self) -> QGroupBox:
        box = QGroupBox(_("Care categories"))
        grid = QGridLayout(box)
        self.categories: dict[str, QCheckBox] = {}
        half = (len(CARE_CATEGORIES) + 1) // 2
        for index, (code, label) in enumerate(CARE_CATEGORIES.items()):
            checkbox = QCheckBox(_(label))
            checkbox.setAccessibleName(_("Care category: {name}").format(name=_(label)))
            self.categories[code] = checkbox
            grid.addWidget(checkbox, index % half, index // half)
        return box

    # --- behaviour ---------------------------------------------------------------------

    def _on_inami_changed(self, *_args: object) -> None:
        text = self.inami.text().strip()
        if not text:
            set_hint(self.inami_hint, _("Optional: the doctor's 11-digit INAMI/RIZIV number."))
            return
        try:
            compact = parse_inami(text)
        except IdentifierError as error:
            digits = sum(c.isdigit() for c in text)
            typing = digits < 11 and all(c.isdigit() or c in " ./-" for c in text)
            if typing:
                set_hint(self.inami_hint, str(error))
            else:
                set_hint(self.inami_hint, str(error), BAD_STYLE)
            return
        set_hint(
            self.inami_hint,
            _("Valid INAMI number: {number}").format(number=format_inami(compact)),
            GOOD_STYLE,
        )

    def _tidy_inami(self) -> None:
        try:
            formatted = format_inami(self.inami.text())
        except IdentifierError:
            return
        if formatted != self.inami.text():
            self.inami.setText(formatted)

    def suggest_one_year(self) -> None:
        """Validity from the attestation date until one year later minus one day."""
        start = self.issued_on.value()
        if start is None:
            self.show_error(
                FieldError(
                    "issued_on",
                    _("Date of the attestation: give it first, the year starts there."),
                )
            )
            return
        self.valid_from.set_value(start)
        self.valid_to.set_value(one_year_from(start))

    # --- saving ------------------------------------------------------------------------

    def identifier_field(self) -> str:
        return "inami"

    def data(self) -> AamuData:
        return AamuData(
            issued_on=self.issued_on.value(),
            doctor_name=self.doctor_name.text(),
            inami=self.inami.text(),
            valid_from=self.valid_from.value(),
            valid_to=self.valid_to.value(),
            care_categories=[code for code, box in self.categories.items() if box.isChecked()],
            version=self.version,
        )

    def save(self, session: Any) -> int | None:
        aamu = cases.record_aamu(
            self.request_id, self.data(), session=session, aamu_id=self.aamu_id
        )
        return aamu.id

    def saved(self, record_id: int | None) -> None:
        self.aamu_id = record_id

    # --- another worker saved meanwhile ----------------------------------------------

    def reload_record(self) -> None:
        _heading, aamu = self._load()
        if aamu is not None:
            self._fill(aamu)
            self.version = aamu.version

    def fill_values(self, values: dict[str, Any]) -> None:
        self._fill(SimpleNamespace(**values, category_list=values["care_categories"]))  # type: ignore[arg-type]
