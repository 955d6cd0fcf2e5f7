"""Showing a FieldError: the red line under a form, the red border on the field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from amudesk.i18n import _
from amudesk.services import FieldError

ERROR_STYLE = "color: #a4000f; font-weight: 600;"
NOTE_STYLE = "color: #1f3a5f; font-weight: 600;"
INVALID_PROPERTY = "invalid"


class ErrorLabel(QLabel):
    """The red line under a form that says which field is wrong and why."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName(_("Problem"))  # what a screen reader says of the line
        self.hide()

    def show_message(self, message: str) -> None:
        self.setStyleSheet(ERROR_STYLE)
        self.setAccessibleName(_("Problem"))
        self.setText(message)
        self.setAccessibleDescription(message)
        self.setVisible(bool(message))

    def show_note(self, message: str) -> None:
        """A line that reports, not a problem (another worker's version shown): in its
        own colour, where the error would be."""
        self.show_message(message)
        self.setStyleSheet(NOTE_STYLE)
        self.setAccessibleName(_("Note"))

    def clear_message(self) -> None:
        self.show_message("")


def show_field_error(error: FieldError, fields: dict[str, QWidget], label: ErrorLabel) -> None:
    """Say what is wrong, mark the field and put the cursor in it."""
    label.show_message(error.message)
    for widget in fields.values():
        _mark(widget, False)
    target = fields.get(error.field)
    if target is not None:
        _mark(target, True)
        target.setFocus(Qt.FocusReason.OtherFocusReason)


def clear_field_errors(fields: dict[str, QWidget], label: ErrorLabel) -> None:
    label.clear_message()
    for widget in fields.values():
        _mark(widget, False)


def _mark(widget: QWidget, invalid: bool) -> None:
    widget.setProperty(INVALID_PROPERTY, invalid)
    widget.setStyleSheet("border: 2px solid #a4000f;" if invalid else "")
