"""Preferences of this computer: the interface language, where the data lives, how
the legal clock counts and alerts, and when the app locks itself."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.i18n import _, ngettext
from amudesk.paths import default_data_dir
from amudesk.settings import LOCK_AFTER_RANGE, Settings, load_settings, save_settings
from amudesk.ui.datalocation import DataLocationDialog
from amudesk.ui.kit.fielderrors import ErrorLabel
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import hint_label
from amudesk.ui.kit.languagecombo import fill_language_combo

# The shared style sheet frames spin boxes but squeezes their arrow buttons: size them.
SPIN_STYLE = "QSpinBox::up-button, QSpinBox::down-button { width: 18px; }"
CLOCK_SETTINGS = ("move_administrative_deadlines", "alert_within_days", "alert_interval_minutes")


class SettingsDialog(QDialog):
    """Interface language (applied at once), the data folder's location, the clock
    (whether administrative time limits move off non-working days, and the alerts), and
    after how many minutes without use the app locks."""

    language_changed = Signal(str)
    # Emitted after OK when the counting or the alerts changed (the board and tray follow).
    clock_settings_changed = Signal()

    def __init__(self, data_dir: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self.setWindowTitle(_("Settings"))
        self.setObjectName("settingsDialog")
        settings = load_settings(data_dir)

        self.language = QComboBox()
        fill_language_combo(self.language, settings.language or i18n.get_locale())
        self.data_folder = QLineEdit(str(data_dir or default_data_dir()))
        self.data_folder.setReadOnly(True)
        self.data_folder.setCursorPosition(0)
        self.data_folder.setToolTip(self.data_folder.text())
        self.data_folder.setMinimumWidth(360)

        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        add_row(self.form, _("Interface &language"), self.language)
        add_row(self.form, _("Data &folder"), self.data_folder)
        folder_hint = _("Where this computer keeps the database, backups and logs.")
        self.data_folder.setAccessibleDescription(folder_hint)
        self.folder_hint = hint_label(folder_hint)
        self.form.addRow("", self.folder_hint)
        self.location_button = QPushButton(_("Where the data li&ves…"))
        self.location_button.setAccessibleName(_("Where the data lives"))
        self.location_button.setAccessibleDescription(
            _("This computer, or the office's shared server")
        )
        self.location_button.clicked.connect(self.choose_location)
        self.form.addRow("", self.location_button)
        self.clock_box = self._build_clock(settings)
        self.security_box = self._build_security(settings)
        self._update_units()
        self.error_label = ErrorLabel()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setAccessibleName(_("Save the settings"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(_("Close without saving"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.clock_box)
        layout.addWidget(self.security_box)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        chain: list[QWidget] = [
            self.language,
            self.data_folder,
            self.location_button,
            self.move_administrative,
            self.alert_within_days,
            self.alert_interval,
            self.lock_after,
            ok,
            cancel,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self._align_forms()
        ok.setDefault(True)  # once it belongs to the dialog
        self.language.setFocus(Qt.FocusReason.OtherFocusReason)

    def _build_clock(self, settings: Settings) -> QGroupBox:
        box = QGroupBox(_("Time limits and alerts"))
        self.clock_form = QFormLayout(box)
        self.clock_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.move_administrative = QCheckBox(
            _("Administrative time limits also move to the next &working day")
        )
        self.move_administrative.setAccessibleName(
            _("Administrative time limits also move to the next working day")
        )
        self.move_administrative.setChecked(settings.move_administrative_deadlines)
        move_hint = _(
            "Only procedural acts move by law (Code judiciaire art. 53); the appeal always moves."
        )
        self.move_administrative.setAccessibleDescription(move_hint)
        self.clock_form.addRow(self.move_administrative)
        self.move_hint = hint_label(move_hint)
        self.clock_form.addRow(self.move_hint)
        self.alert_within_days = QSpinBox()
        self.alert_within_days.setRange(0, 90)
        self.alert_within_days.setValue(settings.alert_within_days)
        self.alert_within_days.setSpecialValueText(_("overdue and due today only"))
        self.alert_within_days.valueChanged.connect(self._update_units)
        add_row(
            self.clock_form,
            _("&Alert for deadlines due within"),
            self.alert_within_days,
            name=_("Alert for deadlines due within, in days"),
        )
        self.alert_interval = QSpinBox()
        self.alert_interval.setRange(0, 24 * 60)
        self.alert_interval.setSingleStep(15)
        self.alert_interval.setValue(settings.alert_interval_minutes)
        self.alert_interval.setSpecialValueText(_("never (no alerts)"))
        self.alert_interval.valueChanged.connect(self._update_units)
        add_row(
            self.clock_form,
            _("Check &every"),
            self.alert_interval,
            name=_("Check for deadlines every, in minutes (0 = no alerts)"),
        )
        interval_hint = _("0 = no alerts. Alerts name case references and rules, never people.")
        self.alert_interval.setAccessibleDescription(interval_hint)
        self.clock_form.addRow("", hint_label(interval_hint))
        for spin in (self.alert_within_days, self.alert_interval):
            _style_spin(spin)
        return box

    def _build_security(self, settings: Settings) -> QGroupBox:
        box = QGroupBox(_("Security"))
        self.security_form = QFormLayout(box)
        self.security_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.lock_after = QSpinBox()
        self.lock_after.setRange(*LOCK_AFTER_RANGE)
        self.lock_after.setValue(settings.lock_after_minutes)
        self.lock_after.valueChanged.connect(self._update_units)
        add_row(
            self.security_form,
            _("Loc&k after"),
            self.lock_after,
            name=_("Lock after this many minutes without use"),
        )
        lock_hint = _(
            "Minutes without use before AMU Desk hides the data and asks for the passphrase again."
        )
        self.lock_after.setAccessibleDescription(lock_hint)
        self.security_form.addRow("", hint_label(lock_hint))
        _style_spin(self.lock_after)
        return box

    def _update_units(self, *_args: object) -> None:
        """'7 days', '1 day', '60 minutes': the unit follows the number."""
        days = self.alert_within_days.value()
        self.alert_within_days.setSuffix(" " + ngettext("day", "days", days))
        for spin in (self.alert_interval, self.lock_after):
            spin.setSuffix(" " + ngettext("minute", "minutes", spin.value()))
        spins = (self.alert_within_days, self.alert_interval, self.lock_after)
        width = max(
            spin.fontMetrics().horizontalAdvance(text)
            for spin in spins
            for text in (spin.specialValueText(), f"{spin.maximum()}{spin.suffix()}")
        )
        for spin in spins:
            spin.setFixedWidth(width + 56)

    def _align_forms(self) -> None:
        """The forms share one label column."""
        labels = [
            item.widget()
            for form in (self.form, self.clock_form, self.security_form)
            for row in range(form.rowCount())
            if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
            and isinstance(item.widget(), QLabel)
        ]
        width = max(label.sizeHint().width() for label in labels if label is not None)
        # The box's frame and margins push its fields right: widen the outer labels as much.
        indent = self.clock_box.contentsMargins().left() + self.clock_form.contentsMargins().left()
        for label in labels:
            if label is not None:
                outer = self.form.indexOf(label) >= 0
                label.setMinimumWidth(width + indent if outer else width)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        # Wrapped hints take more lines at the width the dialog got than its size hint
        # allowed for (the last ones were cut off): grow to the height they need.
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            needed = layout.totalHeightForWidth(self.width())
            if needed > self.height():
                self.resize(self.width(), needed)

    def choose_location(self) -> None:
        """This computer's store, or the office's server (taken at the next start)."""
        DataLocationDialog(self._data_dir, self).exec()

    def selected_language(self) -> str:
        return str(self.language.currentData())

    def clock_values(self) -> dict[str, object]:
        return {
            "move_administrative_deadlines": self.move_administrative.isChecked(),
            "alert_within_days": self.alert_within_days.value(),
            "alert_interval_minutes": self.alert_interval.value(),
        }

    def lock_values(self) -> dict[str, object]:
        return {"lock_after_minutes": self.lock_after.value()}

    def accept(self) -> None:
        code = self.selected_language()
        settings = load_settings(self._data_dir)
        before = {name: getattr(settings, name) for name in CLOCK_SETTINGS}
        settings.language = code
        for name, value in {**self.clock_values(), **self.lock_values()}.items():
            setattr(settings, name, value)
        clock_changed = self.clock_values() != before
        try:
            save_settings(settings, self._data_dir)
        except OSError as exc:
            self.error_label.show_message(
                _("The settings could not be saved: {reason}").format(reason=exc.strerror or exc)
            )
            return
        changed = code != i18n.get_locale()
        if changed:
            i18n.set_locale(code)
        super().accept()
        if clock_changed:
            self.clock_settings_changed.emit()
        if changed:
            self.language_changed.emit(code)


def _style_spin(spin: QSpinBox) -> None:
    """Right-aligned, framed arrows, as wide as its text; its editor bears its name."""
    spin.lineEdit().setAccessibleName(spin.accessibleName())
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    spin.setStyleSheet(SPIN_STYLE)
    spin.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
