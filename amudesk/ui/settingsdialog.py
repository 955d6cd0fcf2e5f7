"""Preferences of this computer: the interface language, and where the data lives."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.i18n import _
from amudesk.paths import default_data_dir
from amudesk.settings import load_settings, save_settings
from amudesk.ui.forms import ErrorLabel, add_row

# Each language is named in itself, so anyone can find theirs whatever the interface says.
LANGUAGE_AUTONYMS: tuple[tuple[str, str], ...] = (
    ("fr", "Français"),
    ("nl", "Nederlands"),
    ("en", "English"),
)


def fill_language_combo(combo: QComboBox, selected: str | None) -> None:
    """The three languages, named in themselves; ``selected`` (a code) chosen."""
    combo.clear()
    for code, name in LANGUAGE_AUTONYMS:
        combo.addItem(name, code)
    index = combo.findData(selected)
    combo.setCurrentIndex(max(index, 0))


class SettingsDialog(QDialog):
    """Interface language (applied at once) and the data folder's location."""

    language_changed = Signal(str)

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

        # More preferences (alert interval, idle lock …) will join this form.
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        add_row(self.form, _("Interface &language"), self.language)
        add_row(self.form, _("Data &folder"), self.data_folder)
        folder_hint = _("Where this computer keeps the database, backups and logs.")
        self.data_folder.setAccessibleDescription(folder_hint)
        self.folder_hint = QLabel(folder_hint)
        self.folder_hint.setWordWrap(True)
        self.folder_hint.setStyleSheet("color: #555555;")
        self.form.addRow("", self.folder_hint)
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
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        QWidget.setTabOrder(self.language, self.data_folder)
        QWidget.setTabOrder(self.data_folder, ok)
        QWidget.setTabOrder(ok, cancel)
        ok.setDefault(True)  # once it belongs to the dialog
        self.language.setFocus(Qt.FocusReason.OtherFocusReason)

    def selected_language(self) -> str:
        return str(self.language.currentData())

    def accept(self) -> None:
        code = self.selected_language()
        settings = load_settings(self._data_dir)
        settings.language = code
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
        if changed:
            self.language_changed.emit(code)
