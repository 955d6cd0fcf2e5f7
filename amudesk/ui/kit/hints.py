"""Explanatory and warning lines under fields, a form's heading, and the colours of a
field's verdict."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

HINT_STYLE = "color: #555555;"
GOOD_STYLE = "color: #1d6b2a;"
BAD_STYLE = "color: #a4000f;"
WARNING_STYLE = (
    "background: #fff4ce; color: #4a3b00; border: 1px solid #e0c060;"
    " border-radius: 3px; padding: 4px 6px; font-weight: 600;"
)


def hint_label(text: str = "") -> QLabel:
    """A small grey explanatory line under a field."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


def heading_label(text: str) -> QLabel:
    """A form's first line, in bold, naming what it is about (the request, the person)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("font-weight: 600;")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def warning_label(text: str) -> QLabel:
    """A clearly visible reminder (yellow box)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(WARNING_STYLE)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName(text)
    return label


def set_hint(label: QLabel, text: str, style: str = HINT_STYLE) -> None:
    label.setText(text)
    label.setStyleSheet(style)
    label.setAccessibleDescription(text)
    label.setVisible(bool(text))
