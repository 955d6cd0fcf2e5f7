"""``BceEdit``: a BCE/KBO number checked as it is typed, and its labelled row."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from amudesk.i18n import _
from amudesk.identifiers import IdentifierError, format_bce
from amudesk.ui.kit.formrows import add_row, plain

VALID_STYLE = "color: #1b5e20;"
PENDING_STYLE = "color: #555555;"
INVALID_STYLE = "color: #a4000f;"
_BCE_SEPARATORS = re.compile(r"[\s./-]+")


class BceEdit(QLineEdit):
    """A BCE/KBO number field checked as it is typed; shown as 0123.456.749 once complete.

    ``status`` is a label to place under the field: it says whether the number is valid.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("0123.456.749")
        self.setMaxLength(20)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()
        self.textChanged.connect(lambda _text: self._check(final=False))
        self.editingFinished.connect(self._finish)

    def value(self) -> str:
        return self.text().strip()

    def set_value(self, compact: str | None) -> None:
        """Show a stored number (10 digits) in its usual layout."""
        try:
            self.setText(format_bce(compact) if compact else "")
        except IdentifierError:
            self.setText(compact or "")
        self._check(final=True)

    def _finish(self) -> None:
        text = self.value()
        if text:
            try:
                formatted = format_bce(text)
            except IdentifierError:
                formatted = text
            if formatted != self.text():
                self.setText(formatted)
        self._check(final=True)

    def _check(self, *, final: bool) -> None:
        text = self.value()
        if not text:
            self._show("", PENDING_STYLE)
            return
        try:
            formatted = format_bce(text)
        except IdentifierError as exc:
            compact = _BCE_SEPARATORS.sub("", text.upper()).removeprefix("BE")
            typing = not final and compact.isdigit() and len(compact) < 10
            self._show(str(exc), PENDING_STYLE if typing else INVALID_STYLE)
            return
        self._show(_("Valid number: {number}").format(number=formatted), VALID_STYLE)

    def _show(self, message: str, style: str) -> None:
        self.status.setText(message)
        self.status.setStyleSheet(style)
        self.status.setVisible(bool(message))
        self.setAccessibleDescription(message)


def add_bce_row(form: QFormLayout, text: str, bce: BceEdit) -> QLabel:
    """A labelled row holding the BCE field with its verdict underneath."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(bce)
    layout.addWidget(bce.status)
    box.setFocusProxy(bce)
    label = add_row(form, text, box)
    label.setBuddy(bce)
    bce.setAccessibleName(plain(text))
    return label
