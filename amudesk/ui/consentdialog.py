"""The person's consent: the day it was given, how (signed, orally before a witness,
electronically), what for (follow-up with the CPAS, letters on their behalf: the mandate,
statistics without names) and a note; and its withdrawal on a day. GDPR art. 7: the
consent must be demonstrable, and withdrawing it is as easy as giving it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from amudesk.dates import brussels_today
from amudesk.i18n import _
from amudesk.models import CONSENT_HOW_LABELS, CONSENT_USE_LABELS, Consent, ConsentHow
from amudesk.services import FieldError, NotFound, consents
from amudesk.services.consents import ConsentData
from amudesk.services.people import get_person
from amudesk.store import Store
from amudesk.ui.consentparts import consent_text
from amudesk.ui.kit.dates import OptionalDateEdit
from amudesk.ui.kit.formdialog import FormDialog, problem_of
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import heading_label, hint_label
from amudesk.ui.kit.labels import person_display_name
from amudesk.ui.kit.taborder import chain_tab_order


def _person_heading(store: Store, person_id: int) -> str:
    with store.session() as session:
        person = get_person(person_id, session=session)
        return person_display_name(person.family_name, person.given_names)


class ConsentDialog(FormDialog):
    """Record what the person agreed to; ``consent_id`` holds the saved id after OK."""

    def __init__(self, store: Store, *, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.setObjectName("consentDialog")
        self.setWindowTitle(_("Record the person's consent"))
        self.person_id = person_id
        self.consent_id: int | None = None
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading_label(_person_heading(store, person_id)))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.given_on = OptionalDateEdit(label=_("Given on"))
        self.given_on.setObjectName("givenOn")
        add_row(form, _("&Given on:"), self.given_on, name=_("Given on"))
        self.how = QComboBox()
        self.how.setObjectName("consentHow")
        for key, label in CONSENT_HOW_LABELS.items():
            self.how.addItem(_(label), key)
        add_row(form, _("&How:"), self.how, name=_("How it was given"))
        uses_box = QWidget()
        uses_layout = QVBoxLayout(uses_box)
        uses_layout.setContentsMargins(0, 0, 0, 0)
        uses_layout.setSpacing(2)
        self.uses: dict[str, QCheckBox] = {}
        for key, label in CONSENT_USE_LABELS.items():
            box = QCheckBox(_(label))
            box.setObjectName(f"consentUse-{key}")
            box.setAccessibleName(_(label))
            uses_layout.addWidget(box)
            self.uses[key] = box
        first_use = next(iter(self.uses.values()))
        add_row(form, _("&Uses:"), uses_box, name=_("Uses")).setBuddy(first_use)
        self.note = QLineEdit()
        self.note.setObjectName("consentNote")
        self.note.setMaxLength(300)
        self.note.setPlaceholderText(_("For a consent given orally: the witness's name"))
        add_row(form, _("&Note:"), self.note, name=_("Note"))
        layout.addLayout(form)
        layout.addWidget(
            hint_label(
                _(
                    "Letters on the person's behalf need the mandate. The person may withdraw "
                    "a consent at any time; it then stays recorded with the day it was withdrawn."
                )
            )
        )
        layout.addStretch(1)
        self.finish_layout(body)
        self.fields = {
            "given_on": problem_of(self.given_on, self.given_on.edit),
            "how": self.how,
            "uses": first_use,
            "note": self.note,
        }
        chain_tab_order(
            [
                self.given_on.edit,
                self.how,
                *self.uses.values(),
                self.note,
                self.ok_button,
                self.cancel_button,
            ]
        )
        self.given_on.set_value(brussels_today())
        self.how.currentIndexChanged.connect(self._on_how_changed)
        self._on_how_changed()
        self.fit_to_screen(620, 260)
        needed = self.heightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), min(needed, self.MAX_HEIGHT))
        self.given_on.edit.selectAll()
        self.given_on.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_how_changed(self, *_args: object) -> None:
        oral = self.how.currentData() == ConsentHow.ORAL
        self.note.setAccessibleDescription(
            _("Required for a consent given orally: name the witness.") if oral else ""
        )

    def data(self) -> ConsentData:
        return ConsentData(
            given_on=self.given_on.value(),
            how=str(self.how.currentData()),
            uses=[key for key, box in self.uses.items() if box.isChecked()],
            note=self.note.text(),
        )

    def save(self, session: Any) -> int | None:
        return consents.record_consent(self.person_id, self.data(), session=session).id

    def saved(self, record_id: int | None) -> None:
        self.consent_id = record_id


class WithdrawConsentDialog(FormDialog):
    """The day the person withdrew a consent (today unless told)."""

    def __init__(
        self, store: Store, *, person_id: int, consent_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(store, parent)
        self.setObjectName("withdrawConsentDialog")
        self.setWindowTitle(_("Withdraw the consent"))
        self.consent_id = consent_id
        heading = _person_heading(store, person_id)
        consent = self._load(person_id)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading_label(heading))
        layout.addWidget(hint_label(consent_text(consent)))
        form = QFormLayout()
        self.withdrawn_on = OptionalDateEdit(label=_("Withdrawn on"))
        self.withdrawn_on.setObjectName("withdrawnOn")
        add_row(form, _("&Withdrawn on:"), self.withdrawn_on, name=_("Withdrawn on"))
        layout.addLayout(form)
        text = _("The consent stays recorded, with this day, as the proof of both.")
        if consent.mandate:
            text += " " + _("No letter can be sent on the person's behalf without a mandate.")
        layout.addWidget(hint_label(text))
        layout.addStretch(1)
        self.finish_layout(body)
        self.fields = {"withdrawn_on": problem_of(self.withdrawn_on, self.withdrawn_on.edit)}
        chain_tab_order([self.withdrawn_on.edit, self.ok_button, self.cancel_button])
        self.ok_button.setText(_("Withdraw"))
        self.ok_button.setAccessibleName(_("Withdraw"))
        self.withdrawn_on.set_value(brussels_today())
        self.fit_to_screen(560, 180)
        needed = self.heightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), min(needed, self.MAX_HEIGHT))
        self.withdrawn_on.edit.selectAll()
        self.withdrawn_on.setFocus(Qt.FocusReason.OtherFocusReason)

    def _load(self, person_id: int) -> Consent:
        with self.store.session() as session:
            found = consents.consents_of(person_id, session=session)
        consent = next((c for c in found if c.id == self.consent_id), None)
        if consent is None:
            raise NotFound(_("This consent is not in the database."))
        return consent

    def check(self) -> None:
        super().check()
        if self.withdrawn_on.value() is None:
            raise FieldError("withdrawn_on", _("Withdrawn on: this field is required."))

    def save(self, session: Any) -> int | None:
        consent = consents.withdraw_consent(
            self.consent_id, session=session, day=self.withdrawn_on.value()
        )
        return consent.id
