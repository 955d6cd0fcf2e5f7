"""The office profile: who issues the documents (asked once at first run, editable later)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from amudesk.i18n import _, get_locale
from amudesk.models import Office, OfficeKind
from amudesk.services import FieldError
from amudesk.services import office as office_service
from amudesk.store import Store
from amudesk.ui.kit.bce import BceEdit, add_bce_row
from amudesk.ui.kit.fielderrors import ErrorLabel, clear_field_errors, show_field_error
from amudesk.ui.kit.formrows import add_row, plain, required_label
from amudesk.ui.kit.languagecombo import fill_language_combo

MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_MAX = QSize(600, 300)
PREVIEW = QSize(180, 90)
HINT_STYLE = "color: #555555;"


class LogoError(FieldError):
    def __init__(self, message: str) -> None:
        super().__init__("logo", message)


def prepare_logo(data: bytes) -> bytes:
    """An untrusted image file → PNG bytes at most 600×300, without any metadata."""
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError(_("Logo: the file is larger than 2 MB; choose a smaller image."))
    image = QImage()
    if not data or not image.loadFromData(data) or image.isNull():
        raise LogoError(
            _("Logo: this file is not an image (PNG, JPEG, GIF, BMP or WebP expected).")
        )
    if image.width() > LOGO_MAX.width() or image.height() > LOGO_MAX.height():
        image = image.scaled(
            LOGO_MAX,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    # Paint the pixels into a fresh image: text chunks, EXIF and colour profiles stay behind.
    clean = QImage(image.size(), QImage.Format.Format_ARGB32)
    clean.fill(QColor(0, 0, 0, 0))
    painter = QPainter(clean)
    painter.drawImage(0, 0, image)
    painter.end()
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not clean.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise LogoError(_("Logo: the image could not be converted."))
    buffer.close()
    return bytes(array.data())


def read_logo_file(path: Path) -> bytes:
    """The logo in ``path``, checked and converted; LogoError says what is wrong."""
    try:
        if path.stat().st_size > MAX_LOGO_BYTES:
            raise LogoError(_("Logo: the file is larger than 2 MB; choose a smaller image."))
        data = path.read_bytes()
    except OSError as exc:
        raise LogoError(
            _("Logo: the file cannot be read ({reason}).").format(reason=exc.strerror or exc)
        ) from None
    return prepare_logo(data)


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label


def group_form(title: str) -> tuple[QGroupBox, QFormLayout]:
    """A titled box whose form keeps its rows together at the top."""
    box = QGroupBox(title)
    form = QFormLayout()
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    layout = QVBoxLayout(box)
    layout.addLayout(form)
    layout.addStretch(1)
    return box, form


def multiline_edit(lines: int, parent: QWidget) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(parent.fontMetrics().lineSpacing() * lines + 12)
    return edit


class OfficeDialog(QDialog):
    """Who issues the documents: kind, name, contact details, logo, signatory, language."""

    def __init__(
        self, store: Store, *, first_run: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._first_run = first_run
        self._logo: bytes | None = None
        self.setWindowTitle(_("Office profile"))
        self.setObjectName("officeDialog")
        self._build()
        with store.session() as session:
            office = office_service.get_office(session=session)
        self._load(office)
        # A new profile starts at its one required field; an existing one at the top.
        start = (office and self.kind_group.checkedButton()) or self.name
        start.setFocus(Qt.FocusReason.OtherFocusReason)
        # Room for a two-line error message, so showing one never squeezes the form.
        hint_size = self.sizeHint()
        height = hint_size.height() + 2 * self.fontMetrics().lineSpacing()
        self.setMinimumHeight(height)
        self.resize(max(900, hint_size.width()), height)

    # --- building ----------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        if self._first_run:
            self.welcome = QLabel(
                _(
                    "Welcome to AMU Desk. Tell us who issues the documents; "
                    "you can change this later in Office profile."
                )
            )
            self.welcome.setWordWrap(True)
            self.welcome.setStyleSheet("font-size: 12pt; font-weight: 600;")
            layout.addWidget(self.welcome)
        columns = QHBoxLayout()
        columns.addWidget(self._build_identity(), 1)
        columns.addWidget(self._build_documents(), 1)
        layout.addLayout(columns)
        layout.addWidget(self._build_languages())
        layout.addWidget(QLabel(_("* required")))
        self.error_label = ErrorLabel()
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self._build_buttons())
        self.fields: dict[str, QWidget] = {
            "kind": self.kind_cpas,
            "phone": self.phone,
            "email": self.email,
            "bce": self.bce,
            "logo": self.logo_choose,
            "signatory_name": self.signatory_name,
            "document_language": self.document_language,
            **self.localised,
        }
        self._set_tab_order()
        self.save_button.setDefault(True)  # once it belongs to the dialog

    def _build_identity(self) -> QGroupBox:
        box, form = group_form(_("The office"))

        self.kind_cpas = QRadioButton(_("CPAS / OCMW"))
        self.kind_cpas.setAccessibleName(_("Kind of office: CPAS"))
        self.kind_association = QRadioButton(_("Association"))
        self.kind_association.setAccessibleName(_("Kind of office: association"))
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.kind_cpas)
        self.kind_group.addButton(self.kind_association)
        self.kind_cpas.setChecked(True)
        kinds = QWidget()
        kinds_layout = QHBoxLayout(kinds)
        kinds_layout.setContentsMargins(0, 0, 0, 0)
        kinds_layout.addWidget(self.kind_cpas)
        kinds_layout.addWidget(self.kind_association)
        kinds_layout.addStretch(1)
        self.kind_label = add_row(form, _("&Kind of office"), kinds)
        kinds.setFocusProxy(self.kind_cpas)
        # Alt+K lands on the chosen kind; the arrow keys then switch.
        self.kind_group.buttonToggled.connect(self._on_kind_toggled)

        self.phone = QLineEdit()
        add_row(form, _("&Phone"), self.phone)
        self.email = QLineEdit()
        add_row(form, _("&E-mail"), self.email)
        self.bce = BceEdit()
        add_bce_row(form, _("&BCE/KBO number"), self.bce)
        return box

    def _build_documents(self) -> QGroupBox:
        box, form = group_form(_("On documents"))
        self.logo_preview = QLabel()
        self.logo_preview.setFixedSize(PREVIEW)
        self.logo_preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setAccessibleName(_("Logo preview"))
        self.logo_choose = QPushButton(_("C&hoose…"))
        self.logo_choose.setAccessibleName(_("Choose a logo image"))
        self.logo_choose.clicked.connect(self.choose_logo)
        self.logo_remove = QPushButton(_("Re&move"))
        self.logo_remove.setAccessibleName(_("Remove the logo"))
        self.logo_remove.clicked.connect(self.remove_logo)
        logo_buttons = QVBoxLayout()
        logo_buttons.addWidget(self.logo_choose)
        logo_buttons.addWidget(self.logo_remove)
        logo_buttons.addStretch(1)
        logo = QWidget()
        logo_layout = QHBoxLayout(logo)
        logo_layout.setContentsMargins(0, 0, 0, 0)
        logo_layout.addWidget(self.logo_preview)
        logo_layout.addLayout(logo_buttons)
        logo_layout.addStretch(1)
        logo_label = QLabel(_("&Logo"))
        logo_label.setBuddy(self.logo_choose)
        form.addRow(logo_label, logo)
        self.signatory_name = QLineEdit()
        add_row(form, _("Si&gnatory"), self.signatory_name)
        self.document_language = QComboBox()
        fill_language_combo(self.document_language, get_locale())
        add_row(form, _("&Document language"), self.document_language)
        return box

    def _build_languages(self) -> QGroupBox:
        """The words a document prints in its language: one row per field, one column for
        every language, then French and Dutch (empty: the first column's words)."""
        box = QGroupBox(_("Words per language"))
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(3, 1)
        for column, title in enumerate((_("All languages"), _("French"), _("Dutch")), start=1):
            heading = QLabel(title)
            heading.setStyleSheet("font-weight: 600;")
            grid.addWidget(heading, 0, column)
        self.name, self.name_fr, self.name_nl = (QLineEdit() for _n in range(3))
        self.signatory_title, self.signatory_title_fr, self.signatory_title_nl = (
            QLineEdit() for _n in range(3)
        )
        self.address, self.address_fr, self.address_nl = (
            multiline_edit(2, self) for _n in range(3)
        )
        self.labour_court_address, self.labour_court_address_fr, self.labour_court_address_nl = (
            multiline_edit(4, self) for _n in range(3)
        )
        rows: tuple[tuple[str, str, tuple[QWidget, QWidget, QWidget]], ...] = (
            ("name", required_label(_("&Name")), (self.name, self.name_fr, self.name_nl)),
            ("address", _("&Address"), (self.address, self.address_fr, self.address_nl)),
            (
                "signatory_title",
                _("Signatory's &title"),
                (self.signatory_title, self.signatory_title_fr, self.signatory_title_nl),
            ),
            (
                "labour_court_address",
                _("Labour &court (name and address)"),
                (
                    self.labour_court_address,
                    self.labour_court_address_fr,
                    self.labour_court_address_nl,
                ),
            ),
        )
        self.localised: dict[str, QWidget] = {}
        for row, (field, text, edits) in enumerate(rows, start=1):
            label = QLabel(text)
            label.setBuddy(edits[0])
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            name = plain(text).removesuffix(" *")
            every = _("{field} (all languages)").format(field=name)
            names = (
                _("{field} (required)").format(field=every) if field == "name" else every,
                _("{field} (French)").format(field=name),
                _("{field} (Dutch)").format(field=name),
            )
            for column, (suffix, edit, accessible) in enumerate(
                zip(("", "_fr", "_nl"), edits, names, strict=True), start=1
            ):
                if isinstance(edit, QLineEdit):
                    edit.setMaxLength(200)
                edit.setAccessibleName(accessible)
                grid.addWidget(edit, row, column, Qt.AlignmentFlag.AlignTop)
                self.localised[field + suffix] = edit
        layout = QVBoxLayout(box)
        layout.addLayout(grid)
        languages_hint = _(
            "A document in French or Dutch prints that language's words, or those of “All "
            "languages” when they are empty. Brussels has a French-speaking and a "
            "Dutch-speaking labour court: write each in its language. The court is printed on "
            "receipts: where the claimant can appeal."
        )
        layout.addWidget(hint(languages_hint))
        for widget in self.localised.values():
            widget.setAccessibleDescription(languages_hint)
        return box

    def _build_buttons(self) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            _("&Save"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setAccessibleName(_("Save the office profile"))
        if self._first_run:
            self.cancel_button = self.buttons.addButton(
                _("&Quit"), QDialogButtonBox.ButtonRole.RejectRole
            )
            self.cancel_button.setAccessibleName(_("Quit AMU Desk"))
        else:
            self.cancel_button = self.buttons.addButton(
                _("Cancel"), QDialogButtonBox.ButtonRole.RejectRole
            )
            self.cancel_button.setAccessibleName(_("Close without saving"))
        self.cancel_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        return self.buttons

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.kind_cpas,
            self.kind_association,
            self.phone,
            self.email,
            self.bce,
            self.logo_choose,
            self.logo_remove,
            self.signatory_name,
            self.document_language,
            *self.localised.values(),
            self.save_button,
            self.cancel_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _on_kind_toggled(self, button: QRadioButton, checked: bool) -> None:
        if checked:
            self.kind_label.setBuddy(button)

    # --- values ------------------------------------------------------------------

    def _load(self, office: Office | None) -> None:
        if office is None:
            self._show_logo(None)
            return
        button = self.kind_association if office.kind == OfficeKind.ASSOCIATION else self.kind_cpas
        button.setChecked(True)
        self.phone.setText(office.phone)
        self.email.setText(office.email)
        self.bce.set_value(office.bce)
        self.signatory_name.setText(office.signatory_name)
        fill_language_combo(self.document_language, office.document_language)
        for field, edit in self.localised.items():
            text = str(getattr(office, field) or "")
            if isinstance(edit, QPlainTextEdit):
                edit.setPlainText(text)
            elif isinstance(edit, QLineEdit):
                edit.setText(text)
                edit.setCursorPosition(0)
        self._show_logo(office.logo)
        for line in (self.phone, self.email, self.signatory_name):
            line.setCursorPosition(0)

    def kind(self) -> str:
        return OfficeKind.ASSOCIATION if self.kind_association.isChecked() else OfficeKind.CPAS

    def values(self) -> dict[str, object]:
        """What the form says, as keywords for ``save_office``."""
        values: dict[str, object] = {
            "kind": str(self.kind()),
            "phone": self.phone.text(),
            "email": self.email.text(),
            "bce": self.bce.value(),
            "logo": self._logo,
            "signatory_name": self.signatory_name.text(),
            "document_language": str(self.document_language.currentData()),
        }
        for field, edit in self.localised.items():
            if isinstance(edit, QPlainTextEdit):
                values[field] = edit.toPlainText().strip()
            elif isinstance(edit, QLineEdit):
                values[field] = edit.text()
        return values

    # --- logo --------------------------------------------------------------------

    def logo(self) -> bytes | None:
        return self._logo

    def choose_logo(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose the office logo"),
            str(Path.home()),
            _("Images (*.png *.jpg *.jpeg *.gif *.bmp *.webp);;All files (*)"),
        )
        if not path:
            return
        try:
            logo = read_logo_file(Path(path))
        except FieldError as error:
            show_field_error(error, self.fields, self.error_label)
            return
        clear_field_errors(self.fields, self.error_label)
        self._show_logo(logo)

    def remove_logo(self) -> None:
        self._show_logo(None)
        self.logo_choose.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_logo(self, logo: bytes | None) -> None:
        self._logo = logo
        pixmap = QPixmap()
        if logo and pixmap.loadFromData(logo):
            self.logo_preview.setPixmap(
                pixmap.scaled(
                    PREVIEW - QSize(8, 8),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            description = _("Logo of {width}×{height} pixels").format(
                width=pixmap.width(), height=pixmap.height()
            )
        else:
            self.logo_preview.clear()
            self.logo_preview.setText(_("No logo"))
            description = _("No logo")
        self.logo_preview.setAccessibleDescription(description)
        self.logo_remove.setEnabled(self._logo is not None)

    # --- closing -----------------------------------------------------------------

    def accept(self) -> None:
        """Save and close; on bad input say which field is wrong and keep the dialog open."""
        try:
            with self._store.transaction() as session:
                office_service.save_office(session=session, **self.values())  # type: ignore[arg-type]
        except FieldError as error:
            show_field_error(error, self.fields, self.error_label)
            return
        super().accept()
