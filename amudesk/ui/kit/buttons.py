"""Buttons that behave the same in every window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QPushButton


def action_button(
    text: str, slot: Callable[[], object], *, object_name: str, name: str = ""
) -> QPushButton:
    """A button that never takes Enter from a field (no auto-default), named for screen
    readers by its text without the mnemonic, ellipsis or colon unless ``name`` is given."""
    button = QPushButton(text)
    button.setObjectName(object_name)
    button.setAccessibleName(name or text.replace("&", "").rstrip(":…").strip())
    button.setAutoDefault(False)
    # clicked(bool) would fill the first default argument of a lambda: call the slot bare.
    button.clicked.connect(lambda _checked=False: slot())
    return button
