"""The person form: identity, NISS/BIS, residence, photo, notes and dependent minors."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.i18n import _
from amudesk.identifiers import IdentifierError, NissInfo, birth_date_text, parse_niss
from amudesk.models import SEX_LABELS, Person, Sex
from amudesk.services import FieldError
from amudesk.services import people as people_service
from amudesk.services.people import PersonData
from amudesk.store import Store
from amudesk.text import latin_proposal
from amudesk.ui.kit.combos import CountryCombo
from amudesk.ui.kit.dates import PartialDateEdit
from amudesk.ui.kit.fielderrors import ErrorLabel, show_field_error
from amudesk.ui.kit.formdialog import FormDialog, problem_of
from amudesk.ui.kit.formrows import add_composite_row, add_row, align_label_columns
from amudesk.ui.kit.hints import BAD_STYLE, GOOD_STYLE, hint_label, set_hint, warning_label
from amudesk.ui.kit.languages import LanguagesEdit
from amudesk.ui.kit.personpicker import PersonPicker, person_line
from amudesk.ui.kit.photofield import PhotoField

SEX_IN_WORDS: dict[str, str] = {
    Sex.FEMALE: i18n.N_("female"),
    Sex.MALE: i18n.N_("male"),
}
NOTES_REMINDER = i18n.N_("Never write medical information (diagnosis, illness, treatment) here.")


def niss_reading(info: NissInfo) -> str:
    """'Valid BIS number — born 30 July 1985, male'."""
    kind = _("Valid BIS number") if info.kind == "bis" else _("Valid national register number")
    details: list[str] = []
    if info.birth_date is not None:
        details.append(_("born {date}").format(date=i18n.format_date(info.birth_date, "long")))
    elif (text := birth_date_text(info)) is not None:
        details.append(_("born {date}").format(date=i18n.format_partial_date(text)))
    else:
        details.append(_("birth date not in the number"))
    details.append(_(SEX_IN_WORDS[info.sex]) if info.sex in SEX_IN_WORDS else _("sex not known"))
    return _("{kind} — {details}").format(kind=kind, details=", ".join(details))


class PersonDialog(FormDialog):
    """Create or edit a person; ``person_id`` holds the saved id after OK."""

    def __init__(
        self,
        store: Store,
        *,
        person_id: int | None = None,
        guardian_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(store, parent)
        self.setObjectName("personDialog")
        self.person_id = person_id
        self.guardian_id = guardian_id
        person, guardian = self._load()
        if person is not None and guardian_id is None:
            self.guardian_id = person.guardian_id
        self.setWindowTitle(
            _("Edit person — {name}").format(name=person.full_name) if person else _("New person")
        )
        self._forms: list[QFormLayout] = []
        body = QWidget()
        layout = QVBoxLayout(body)
        if guardian is not None:
            self.guardian_label = QLabel(_("Dependant of: {name}").format(name=guardian.full_name))
            self.guardian_label.setStyleSheet("font-weight: 600;")
            self.guardian_label.setAccessibleName(self.guardian_label.text())
            layout.addWidget(self.guardian_label)
        layout.addWidget(self._build_identity())
        layout.addWidget(self._build_contact())
        layout.addWidget(self._build_residence())
        layout.addWidget(self._build_notes())
        self.dependants_box: QGroupBox | None = None
        if person is not None and person.guardian_id is None and guardian_id is None:
            self.dependants_box = self._build_dependants()
            layout.addWidget(self.dependants_box)
            self.refresh_dependants()
        layout.addStretch(1)
        align_label_columns(self._forms)
        self.finish_layout(body, scroll=True)
        self.fields = {
            "family_name": self.family_name,
            "given_names": self.given_names,
            "latin_name": self.latin_name,
            "sex": self.sex,
            "birth_date": problem_of(self.birth_date, self.birth_date.edit),
            "niss": self.niss,
            "photo": self.photo.choose_button,
            "nationality": self.nationality,
            "languages": problem_of(self.languages, self.languages.input),
            "phone": self.phone,
            "commune": self.commune,
            "usual_place": self.usual_place,
            "notes": self.notes,
            "guardian_id": self.family_name,
        }
        self._set_tab_order()
        if person is not None:
            self._fill(person)
            self.version = person.version
        self.remember_shown()
        self._on_abode_toggled()
        self._on_niss_changed()
        self.fit_to_screen(860, 690)
        self.family_name.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- loading -----------------------------------------------------------------------

    def _load(self) -> tuple[Person | None, Person | None]:
        with self.store.session() as session:
            person = (
                people_service.get_person(self.person_id, session=session)
                if self.person_id is not None
                else None
            )
            guardian_id = self.guardian_id or (person.guardian_id if person else None)
            guardian = (
                people_service.get_person(guardian_id, session=session) if guardian_id else None
            )
        return person, guardian

    def _fill(self, person: Person) -> None:
        self.family_name.setText(person.family_name)
        self.given_names.setText(person.given_names)
        self.latin_name.setText(person.latin_name)
        self._latin_proposed = person.latin_name == latin_proposal(
            person.family_name, person.given_names
        )
        self.sex.setCurrentIndex(max(0, self.sex.findData(person.sex)))
        self.birth_date.set_value(person.birth_date)
        if person.niss:
            try:
                self.niss.setText(parse_niss(person.niss).formatted)
            except IdentifierError:
                self.niss.setText(person.niss)
        self.nationality.set_value(person.nationality)
        self.languages.set_value(person.language_list)
        self.phone.setText(person.phone)
        self.commune.setText(person.commune)
        self.no_fixed_abode.setChecked(person.no_fixed_abode)
        self.usual_place.setText(person.usual_place)
        self.photo.set_value(person.photo)
        self.notes.setPlainText(person.notes)

    # --- building ----------------------------------------------------------------------

    def _build_identity(self) -> QGroupBox:
        box = QGroupBox(_("Identity"))
        columns = QHBoxLayout(box)
        form = QFormLayout()
        self._forms.append(form)
        self.family_name = QLineEdit()
        self.family_name.setMaxLength(200)
        add_row(form, _("&Family name *"), self.family_name, name=_("Family name (required)"))
        self.given_names = QLineEdit()
        self.given_names.setMaxLength(200)
        add_row(form, _("&Given names *"), self.given_names, name=_("Given names (required)"))
        # The Latin spelling of names written in another script: proposed while the names
        # are typed, as long as the worker has not written their own.
        self.latin_name = QLineEdit()
        self.latin_name.setMaxLength(400)
        self.latin_name.setPlaceholderText(
            _("only for names in another script (Cyrillic, Arabic…)")
        )
        self.latin_name.setToolTip(
            _(
                "Printed under the name on the card and the forms, for a pharmacist or a "
                "register that reads Latin letters. Proposed by transliteration: check it "
                "against the person's papers."
            )
        )
        add_row(form, _("Name in Lat&in letters"), self.latin_name, name=_("Name in Latin letters"))
        self._latin_proposed = True
        self.latin_name.textEdited.connect(self._on_latin_edited)
        self.family_name.textChanged.connect(self._propose_latin)
        self.given_names.textChanged.connect(self._propose_latin)
        self.sex = QComboBox()
        for code, label in SEX_LABELS.items():
            self.sex.addItem(_(label), code)
        self.sex.setCurrentIndex(self.sex.findData(Sex.UNKNOWN))
        add_row(form, _("&Sex"), self.sex)
        self.birth_date = PartialDateEdit(label=_("Birth date"))
        add_row(form, _("&Birth date"), self.birth_date)
        self._build_niss_row(form)
        columns.addLayout(form, 1)
        self.photo = PhotoField()
        self.photo.failed.connect(self._on_photo_failed)
        self.photo.changed.connect(self.error_label.clear_message)
        photo_column = QVBoxLayout()
        photo_title = QLabel(_("Photo"))
        photo_title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        photo_column.addWidget(photo_title)
        photo_column.addWidget(self.photo)
        columns.addLayout(photo_column)
        return box

    def _build_niss_row(self, form: QFormLayout) -> None:
        """The NISS, its live reading and the offer to copy birth date and sex from it."""
        container = QWidget()
        column = QVBoxLayout(container)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.niss = QLineEdit()
        self.niss.setMaxLength(20)
        self.niss.setPlaceholderText(_("e.g. 85.07.30-033.28 (optional)"))
        self.niss_hint = hint_label()
        self.use_niss_button = QPushButton(_("&Use birth date and sex from the number"))
        self.use_niss_button.setAccessibleName(_("Use birth date and sex from the number"))
        self.use_niss_button.hide()
        button_row = QHBoxLayout()
        button_row.setContentsMargins(0, 0, 0, 0)
        button_row.addWidget(self.use_niss_button)
        button_row.addStretch(1)
        column.addWidget(self.niss)
        column.addWidget(self.niss_hint)
        column.addLayout(button_row)
        container.setFocusProxy(self.niss)
        add_composite_row(form, _("&NISS / BIS number"), container, self.niss)
        self.niss.textChanged.connect(self._on_niss_changed)
        self.niss.editingFinished.connect(self._tidy_niss)
        self.use_niss_button.clicked.connect(self.use_niss_data)
        self.birth_date.changed.connect(self._on_niss_changed)
        self.sex.currentIndexChanged.connect(self._on_niss_changed)

    def _build_contact(self) -> QGroupBox:
        box = QGroupBox(_("Nationality, languages and phone"))
        form = QFormLayout(box)
        self._forms.append(form)
        self.nationality = CountryCombo()
        add_row(form, _("N&ationality"), self.nationality)
        self.languages = LanguagesEdit()
        add_row(form, _("Spoken &languages"), self.languages)
        self.phone = QLineEdit()
        self.phone.setMaxLength(50)
        add_row(form, _("&Phone"), self.phone)
        return box

    def _build_residence(self) -> QGroupBox:
        box = QGroupBox(_("Habitual residence"))
        form = QFormLayout(box)
        self.commune = QLineEdit()
        self.commune.setMaxLength(200)
        add_row(form, _("&Commune"), self.commune)
        self.no_fixed_abode = QCheckBox(_("No fi&xed abode"))
        self.no_fixed_abode.setAccessibleName(_("No fixed abode"))
        form.addRow("", self.no_fixed_abode)
        self.usual_place = QLineEdit()
        self.usual_place.setMaxLength(300)
        self.usual_place.setPlaceholderText(_("e.g. day centre, station, street corner"))
        place = QWidget()
        place_column = QVBoxLayout(place)
        place_column.setContentsMargins(0, 0, 0, 0)
        place_column.setSpacing(2)
        self.usual_place_label = QLabel(_("&Where the person can usually be found *"))
        self.usual_place_label.setBuddy(self.usual_place)
        self.usual_place.setAccessibleName(
            _("Where the person can usually be found (required without fixed abode)")
        )
        place_column.addWidget(self.usual_place_label)
        place_column.addWidget(self.usual_place)
        form.addRow("", place)
        self._forms.append(form)
        self.no_fixed_abode.toggled.connect(self._on_abode_toggled)
        return box

    def _build_notes(self) -> QGroupBox:
        box = QGroupBox(_("Notes"))
        column = QVBoxLayout(box)
        self.notes_reminder = warning_label(_(NOTES_REMINDER))
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 14)
        self.notes.setAccessibleName(_("Notes"))
        self.notes.setAccessibleDescription(_(NOTES_REMINDER))
        notes_label = QLabel(_("N&otes"))
        notes_label.setBuddy(self.notes)
        column.addWidget(self.notes_reminder)
        column.addWidget(notes_label)
        column.addWidget(self.notes)
        return box

    def _build_dependants(self) -> QGroupBox:
        box = QGroupBox(_("Dependants (minors)"))
        row = QHBoxLayout(box)
        self.dependants = QListWidget()
        self.dependants.setAccessibleName(_("Dependants"))
        self.dependants.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        buttons = QVBoxLayout()
        self.add_dependant_button = QPushButton(_("A&dd dependant…"))
        self.add_dependant_button.setAccessibleName(_("Add dependant"))
        self.attach_button = QPushButton(_("Attach &existing person…"))
        self.attach_button.setAccessibleName(_("Attach existing person"))
        self.detach_button = QPushButton(_("De&tach"))
        self.detach_button.setAccessibleName(_("Detach the chosen dependant"))
        for button in (self.add_dependant_button, self.attach_button, self.detach_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row.addWidget(self.dependants, 1)
        row.addLayout(buttons)
        self.add_dependant_button.clicked.connect(self.add_dependant)
        self.attach_button.clicked.connect(self.attach_existing)
        self.detach_button.clicked.connect(self.detach_dependant)
        self.dependants.currentRowChanged.connect(self._update_dependant_buttons)
        self.dependants.itemActivated.connect(self.edit_dependant)
        return box

    def _on_latin_edited(self, text: str) -> None:
        self._latin_proposed = not text.strip()  # emptied: propose again

    def _propose_latin(self, *_args: object) -> None:
        if self._latin_proposed:
            self.latin_name.setText(
                latin_proposal(self.family_name.text(), self.given_names.text())
            )

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.family_name,
            self.given_names,
            self.latin_name,
            self.sex,
            self.birth_date.edit,
            self.niss,
            self.use_niss_button,
            self.photo.choose_button,
            self.photo.remove_button,
            self.nationality,
            self.languages.input,
            self.phone,
            self.commune,
            self.no_fixed_abode,
            self.usual_place,
            self.notes,
        ]
        if self.dependants_box is not None:
            chain += [
                self.dependants,
                self.add_dependant_button,
                self.attach_button,
                self.detach_button,
            ]
        chain += [self.ok_button, self.cancel_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # --- live behaviour ----------------------------------------------------------------

    def _niss_info(self) -> NissInfo | None:
        try:
            return parse_niss(self.niss.text()) if self.niss.text().strip() else None
        except IdentifierError:
            return None

    def _on_niss_changed(self, *_args: object) -> None:
        text = self.niss.text().strip()
        offer = False
        if not text:
            set_hint(self.niss_hint, _("Optional: national register or BIS number."))
        else:
            try:
                info = parse_niss(text)
            except IdentifierError as error:
                digits = sum(c.isdigit() for c in text)
                still_typing = digits < 11 and all(c.isdigit() or c in " .-/" for c in text)
                if still_typing:
                    set_hint(self.niss_hint, str(error))
                else:
                    set_hint(self.niss_hint, str(error), BAD_STYLE)
            else:
                set_hint(self.niss_hint, niss_reading(info), GOOD_STYLE)
                offer = self._differs_from_form(info)
        self.use_niss_button.setVisible(offer)

    def _differs_from_form(self, info: NissInfo) -> bool:
        implied_birth = birth_date_text(info)
        if implied_birth and implied_birth != self.birth_date.value():
            return True
        return info.sex in (Sex.FEMALE, Sex.MALE) and info.sex != self.sex.currentData()

    def _tidy_niss(self) -> None:
        info = self._niss_info()
        if info is not None and self.niss.text() != info.formatted:
            self.niss.setText(info.formatted)

    def use_niss_data(self) -> None:
        """Fill birth date and sex from the valid number (only what it knows)."""
        info = self._niss_info()
        if info is None:
            return
        implied_birth = birth_date_text(info)
        if implied_birth:
            self.birth_date.set_value(implied_birth)
        if info.sex in (Sex.FEMALE, Sex.MALE):
            self.sex.setCurrentIndex(self.sex.findData(info.sex))
        self._on_niss_changed()
        self.niss.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_abode_toggled(self, *_args: object) -> None:
        homeless = self.no_fixed_abode.isChecked()
        self.commune.setEnabled(not homeless)
        self.usual_place.setEnabled(homeless)
        self.usual_place_label.setEnabled(homeless)

    def _on_photo_failed(self, message: str) -> None:
        show_field_error(FieldError("photo", message), self.fields, self.error_label)
        if self.scroll_area is not None:
            self.scroll_area.ensureWidgetVisible(self.photo)

    # --- dependants --------------------------------------------------------------------

    def refresh_dependants(self) -> None:
        if self.person_id is None or self.dependants_box is None:
            return
        with self.store.session() as session:
            minors = people_service.dependants(self.person_id, session=session)
        self.dependants.clear()
        for minor in minors:
            item = QListWidgetItem(person_line(minor))
            item.setData(Qt.ItemDataRole.UserRole, minor.id)
            self.dependants.addItem(item)
        if not minors:
            item = QListWidgetItem(_("No dependants."))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.dependants.addItem(item)
        self._update_dependant_buttons()

    def _chosen_dependant(self) -> int | None:
        item = self.dependants.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return int(value) if value is not None else None

    def _update_dependant_buttons(self, *_args: object) -> None:
        self.detach_button.setEnabled(self._chosen_dependant() is not None)

    def add_dependant(self) -> None:
        dialog = PersonDialog(self.store, guardian_id=self.person_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh_dependants()

    def edit_dependant(self, item: QListWidgetItem | None = None) -> None:
        minor_id = self._chosen_dependant()
        if minor_id is None:
            return
        dialog = PersonDialog(self.store, person_id=minor_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh_dependants()

    def attach_existing(self) -> None:
        dialog = AttachDependantDialog(self.store, adult_id=self.person_id or 0, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh_dependants()

    def detach_dependant(self) -> None:
        minor_id = self._chosen_dependant()
        if minor_id is None:
            return
        with self.store.transaction() as session:
            people_service.detach_dependant(minor_id, session=session)
        self.refresh_dependants()

    # --- saving ------------------------------------------------------------------------

    def data(self) -> PersonData:
        homeless = self.no_fixed_abode.isChecked()
        return PersonData(
            family_name=self.family_name.text(),
            given_names=self.given_names.text(),
            latin_name=self.latin_name.text(),
            sex=str(self.sex.currentData() or Sex.UNKNOWN),
            birth_date=self.birth_date.value(),
            niss=self.niss.text(),
            nationality=self.nationality.value(),
            languages=self.languages.value(),
            phone=self.phone.text(),
            commune="" if homeless else self.commune.text(),
            no_fixed_abode=homeless,
            usual_place=self.usual_place.text() if homeless else "",
            notes=self.notes.toPlainText(),
            photo=self.photo.value(),
            guardian_id=self.guardian_id,
            version=self.version,
        )

    def save(self, session: Any) -> int | None:
        person = people_service.save_person(self.data(), session=session, person_id=self.person_id)
        return person.id

    def saved(self, record_id: int | None) -> None:
        self.person_id = record_id

    def reload_record(self) -> None:
        person, _guardian = self._load()
        if person is not None:
            self._fill(person)
            self.version = person.version

    def fill_values(self, values: dict[str, Any]) -> None:
        self._fill(SimpleNamespace(**values, language_list=values["languages"]))  # type: ignore[arg-type]


class AttachDependantDialog(QDialog):
    """Choose an existing person to attach as a dependant minor of ``adult_id``."""

    def __init__(self, store: Store, *, adult_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.adult_id = adult_id
        self.setWindowTitle(_("Attach an existing person as dependant"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.picker = PersonPicker(store)
        add_row(form, _("&Person"), self.picker)
        layout.addLayout(form)
        self.error_label = ErrorLabel()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        for role, text in (
            (QDialogButtonBox.StandardButton.Ok, _("Attach")),
            (QDialogButtonBox.StandardButton.Cancel, _("Cancel")),
        ):
            button = self.buttons.button(role)
            button.setText(text)
            button.setAccessibleName(text)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.resize(560, 300)

    def submit(self) -> None:
        minor_id = self.picker.value()
        if minor_id is None:
            show_field_error(
                FieldError("person", _("Person: choose the minor to attach.")),
                {"person": self.picker.search},
                self.error_label,
            )
            return
        try:
            with self.store.transaction() as session:
                people_service.attach_dependant(minor_id, self.adult_id, session=session)
        except FieldError as error:
            show_field_error(error, {error.field: self.picker.search}, self.error_label)
            return
        self.accept()
