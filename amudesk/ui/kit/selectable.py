"""Texts the reader can select and copy: with the mouse, and with the keyboard once Tab has
reached them (a reference, a date, an explanation to paste into a letter)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTextEdit


def make_selectable(widget: QLabel | QTextEdit) -> None:
    """Let the reader select ``widget``'s text with the mouse or the keyboard; nothing in it
    is edited or followed (links stay text)."""
    widget.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
