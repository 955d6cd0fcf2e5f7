"""The choice of a language (French, Nederlands, English), each named in itself."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

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
