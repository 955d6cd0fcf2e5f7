"""The request form: who asks which CPAS, when, how, and whether care already started."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.i18n import BRUSSELS, _
from amudesk.models import (
    CARE_KIND_LABELS,
    CHANNEL_LABELS,
    URGENT_REASON_LABELS,
    CaseStatus,
    Cpas,
    OfficeKind,
    Request,
)
from amudesk.services import FieldError, cases, directory, office
from amudesk.services import people as people_service
from amudesk.services.cases import RequestData
from amudesk.store import Store
from amudesk.ui.kit.combos import SearchCombo
from amudesk.ui.kit.dates import OptionalDateEdit
from amudesk.ui.kit.formdialog import FormDialog, problem_of
from amudesk.ui.kit.formrows import add_composite_row, add_hint_row, add_row, align_label_columns
from amudesk.ui.kit.hints import hint_label
from amudesk.ui.kit.labels import cpas_label
from amudesk.ui.kit.moments import (
    WALL_CLOCK,
    brussels_local,
    brussels_now,
    from_qdatetime,
    to_qdatetime,
)
from amudesk.ui.kit.personpicker import PersonPicker, person_line


class RequestDialog(FormDialog):
    """Register (or correct) an AMU request; ``request_id`` holds the saved id after OK."""

    def __init__(
        self,
        store: Store,
        *,
        person_id: int | None = None,
        request_id: int | None = None,
        file_now: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        """``file_now``: a request being prepared opens ready to be filed (its CPAS and the
        day and time the CPAS received it)."""
        super().__init__(store, parent)
        self.setObjectName("requestDialog")
        self.request_id = request_id
        request, person, cpas_entries, default_cpas = self._load(person_id)
        # A new request, or one being prepared, may be kept unfiled (no date, no clock).
        self.may_prepare = request is None or request.status == CaseStatus.PREPARING
        self.person_id = request.person_id if request is not None else person_id
        self.setWindowTitle(
            _("Edit request — {reference}").format(reference=request.reference)
            if request is not None
            else _("New AMU request")
        )
        body = QWidget()
        layout = QVBoxLayout(body)
        forms: list[QFormLayout] = []
        layout.addWidget(self._build_who(person, cpas_entries, forms))
        layout.addWidget(self._build_when(forms))
        layout.addWidget(self._build_care(forms))
        layout.addStretch(1)
        align_label_columns(forms)
        self.finish_layout(body)
        self.fields = {
            "person_id": self.picker.search if self.picker is not None else self.ok_button,
            "cpas_id": self.cpas,
            "received_at": self.received_at,
            "channel": self.channel,
            "accompanied_by": self.accompanied_by,
            "aamu_handed_in": self.aamu_handed_in,
            "care_started_on": problem_of(self.care_started_on, self.care_started_on.edit),
            "care_kind": self.care_kind,
            "status": self.preparing,
            "urgent_reason": self.urgent_reason,
        }
        if request is not None:
            self._fill(request)
            self.version = request.version
        elif default_cpas is not None:
            self.cpas.set_key(default_cpas)
        if file_now and self.may_prepare and request is not None:
            self.preparing.setChecked(False)
            self.setWindowTitle(
                _("File the request — {reference}").format(reference=request.reference)
            )
        self._on_care_date_changed()
        self._on_preparing_changed()
        self._on_urgent_changed()
        self.fit_to_screen(760, 640)
        self.remember_shown()
        first = self.picker if self.picker is not None else self.cpas
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- loading -----------------------------------------------------------------------

    def _load(self, person_id: int | None) -> tuple[Request | None, Any, list[Cpas], int | None]:
        with self.store.session() as session:
            request = (
                cases.get_request(self.request_id, session=session)
                if self.request_id is not None
                else None
            )
            wanted = request.person_id if request is not None else person_id
            person = (
                people_service.get_person(wanted, session=session) if wanted is not None else None
            )
            entries = list(directory.list_cpas(session=session))
            default = None
            profile = office.get_office(session=session)
            if profile is not None and profile.kind == OfficeKind.CPAS:
                found = directory.find_cpas(profile.name, session=session)
                default = found.id if found is not None else None
            if default is None and len(entries) == 1:
                default = entries[0].id
        return request, person, entries, default

    def _fill(self, request: Request) -> None:
        self.cpas.set_key(request.cpas_id)
        if request.received_at is not None:
            self.received_at.setDateTime(to_qdatetime(brussels_local(request.received_at)))
        self.channel.setCurrentIndex(max(0, self.channel.findData(request.channel)))
        self.accompanied_by.setText(request.accompanied_by)
        self.aamu_handed_in.setChecked(request.aamu_handed_in)
        self.care_started_on.set_value(request.care_started_on)
        self.care_kind.setCurrentIndex(max(0, self.care_kind.findData(request.care_kind)))
        self.preparing.setChecked(request.status == CaseStatus.PREPARING)
        self.urgent.setChecked(request.urgent)
        self.urgent_reason.setCurrentIndex(
            max(0, self.urgent_reason.findData(request.urgent_reason))
        )

    # --- building ----------------------------------------------------------------------

    def _build_who(self, person: Any, entries: list[Cpas], forms: list[QFormLayout]) -> QGroupBox:
        box = QGroupBox(_("Who and where"))
        form = QFormLayout(box)
        forms.append(form)
        self.reference = QLabel(
            _("assigned on save") if self.request_id is None else self._reference_text()
        )
        self.reference.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reference.setStyleSheet("font-weight: 600;")
        add_row(form, _("Reference"), self.reference)
        self.picker: PersonPicker | None = None
        self.new_person_button: QPushButton | None = None
        if person is not None and self.person_id is not None:
            self.person_label = QLabel(person_line(person))
            self.person_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.person_label.setWordWrap(True)
            add_row(form, _("Person"), self.person_label)
        else:
            self.picker = PersonPicker(self.store)
            self.new_person_button = QPushButton(_("&New person…"))
            self.new_person_button.setAccessibleName(_("New person"))
            self.new_person_button.clicked.connect(self.new_person)
            holder = QWidget()
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(self.picker, 1)
            row.addWidget(self.new_person_button, 0, Qt.AlignmentFlag.AlignTop)
            add_composite_row(form, _("&Person *"), holder, self.picker.search)
            self.picker.search.setAccessibleName(_("Person (required): search by name or NISS"))
        self.cpas = SearchCombo(
            [
                (
                    cpas.id,
                    cpas_label(cpas),
                    [cpas.name_fr, cpas.name_nl, cpas.commune_fr, cpas.commune_nl],
                )
                for cpas in entries
            ],
            label=_("CPAS"),
            placeholder=_("Type a few letters of the CPAS or commune"),
        )
        add_row(form, _("&CPAS *"), self.cpas, name=_("CPAS (required)"))
        return box

    def _reference_text(self) -> str:
        with self.store.session() as session:
            return cases.get_request(self.request_id, session=session).reference

    def _build_when(self, forms: list[QFormLayout]) -> QGroupBox:
        box = QGroupBox(_("The request"))
        form = QFormLayout(box)
        forms.append(form)
        self.preparing = QCheckBox(_("Not filed &yet: preparing it (no date, no time limit runs)"))
        self.preparing.setToolTip(
            _(
                "For an association that registers the person and hands out the AAMU form "
                "before going to the CPAS. File the request when the CPAS receives it: its "
                "time limits start that day."
            )
        )
        self.preparing.setVisible(self.may_prepare)
        form.addRow("", self.preparing)
        self.preparing.toggled.connect(self._on_preparing_changed)
        self.received_at = QDateTimeEdit()
        self.received_at.setTimeZone(WALL_CLOCK)
        self.received_at.setCalendarPopup(True)
        self.received_at.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.received_at.setDateTime(to_qdatetime(brussels_now()))
        self.received_reading = hint_label()
        self.received_reading.setAlignment(Qt.AlignmentFlag.AlignVCenter)
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.received_at)
        row.addWidget(self.received_reading, 1)
        add_composite_row(
            form,
            _("&Received on *"),
            holder,
            self.received_at,
            name=_("Received on (required)"),
        )
        self.received_at.dateTimeChanged.connect(self._show_received)
        self._show_received()
        self.channel = QComboBox()
        for code, label in CHANNEL_LABELS.items():
            self.channel.addItem(_(label), code)
        add_row(form, _("C&hannel"), self.channel)
        self.accompanied_by = QLineEdit()
        self.accompanied_by.setMaxLength(200)
        self.accompanied_by.setPlaceholderText(_("e.g. social worker, association, relative"))
        add_row(form, _("&Accompanied by"), self.accompanied_by)
        self.aamu_handed_in = QCheckBox(_("Urgent medical aid attestation (AAMU) handed &in"))
        self.aamu_handed_in.setAccessibleName(_("AAMU handed in"))
        form.addRow("", self.aamu_handed_in)
        self.urgent = QCheckBox(_("&Urgent"))
        self.urgent.setToolTip(
            _("An urgent case comes first on the worklist. Give a category, never a diagnosis.")
        )
        self.urgent_reason = QComboBox()
        self.urgent_reason.addItem(_("Choose why"), None)
        for code, label in URGENT_REASON_LABELS.items():
            self.urgent_reason.addItem(_(label), code)
        self.urgent_reason.setAccessibleName(_("Why the request is urgent"))
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.urgent)
        row.addWidget(self.urgent_reason, 1)
        form.addRow("", holder)
        self.urgent.toggled.connect(self._on_urgent_changed)
        return box

    def _build_care(self, forms: list[QFormLayout]) -> QGroupBox:
        box = QGroupBox(_("Care before the decision"))
        form = QFormLayout(box)
        forms.append(form)
        self.care_started_on = OptionalDateEdit(label=_("Care started on"))
        add_row(form, _("Care &started on"), self.care_started_on)
        self.care_kind = QComboBox()
        self.care_kind.addItem(_("Not given"), None)
        for code, label in CARE_KIND_LABELS.items():
            self.care_kind.addItem(_(label), code)
        add_row(form, _("&Kind of care"), self.care_kind)
        self.care_hint = hint_label(
            _(
                "The CPAS must decide within 60 days of the start of care billed through "
                "MediPrima, 45 days for other care."
            )
        )
        add_hint_row(form, self.care_hint)
        self.care_started_on.changed.connect(self._on_care_date_changed)
        return box

    # --- behaviour ---------------------------------------------------------------------

    def _show_received(self, *_args: object) -> None:
        moment = from_qdatetime(self.received_at.dateTime())
        text = i18n.format_date(moment.date(), "full")
        self.received_reading.setText(text)
        self.received_reading.setAccessibleDescription(text)

    def _on_preparing_changed(self, *_args: object) -> None:
        preparing = self.preparing.isChecked()
        self.received_at.setEnabled(not preparing)
        self.received_at.setVisible(not preparing)  # no date shown that is not one
        self.received_reading.setText(
            _("no date until it is filed") if preparing else self.received_reading.text()
        )
        if not preparing:
            self._show_received()

    def _on_urgent_changed(self, *_args: object) -> None:
        self.urgent_reason.setEnabled(self.urgent.isChecked())

    def _on_care_date_changed(self, *_args: object) -> None:
        has_date = bool(self.care_started_on.edit.text().strip())
        self.care_kind.setEnabled(has_date or self.care_kind.currentData() is not None)

    def new_person(self) -> None:
        from amudesk.ui.persondialog import PersonDialog

        dialog = PersonDialog(self.store, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and self.picker is not None:
            self.picker.set_person(dialog.person_id)
            self.cpas.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- saving ------------------------------------------------------------------------

    def chosen_person(self) -> int | None:
        return self.picker.value() if self.picker is not None else self.person_id

    def check(self) -> None:
        super().check()
        if self.care_started_on.value() is not None and self.care_kind.currentData() is None:
            raise FieldError(
                "care_kind",
                _("Kind of care: choose one when a start of care is given."),
            )

    def data(self) -> RequestData:
        care_day = self.care_started_on.value()
        preparing = self.preparing.isChecked()
        return RequestData(
            person_id=self.chosen_person(),
            cpas_id=self.cpas.key(),
            received_at=None if preparing else from_qdatetime(self.received_at.dateTime()),
            preparing=preparing,
            urgent=self.urgent.isChecked(),
            urgent_reason=self.urgent_reason.currentData() if self.urgent.isChecked() else None,
            channel=str(self.channel.currentData()),
            accompanied_by=self.accompanied_by.text(),
            aamu_handed_in=self.aamu_handed_in.isChecked(),
            care_started_on=care_day,
            care_kind=self.care_kind.currentData() if care_day is not None else None,
            version=self.version,
        )

    def save(self, session: Any) -> int | None:
        request = cases.register_request(self.data(), session=session, request_id=self.request_id)
        return request.id

    def saved(self, record_id: int | None) -> None:
        self.request_id = record_id

    def reload_record(self) -> None:
        request = self._load(None)[0]
        if request is not None:
            self._fill(request)
            self.version = request.version

    def fill_values(self, values: dict[str, Any]) -> None:
        received = values["received_at"]  # as typed: Brussels local time
        shown = {
            **values,
            "received_at": received.replace(tzinfo=ZoneInfo(BRUSSELS)) if received else None,
            "status": CaseStatus.PREPARING if values["preparing"] else CaseStatus.OPEN,
        }
        self._fill(SimpleNamespace(**shown))  # type: ignore[arg-type]
        self._on_preparing_changed()
        self._on_urgent_changed()
