"""Labelled rows of a QFormLayout: buddies, accessible names, required marks, hint rows,
aligned columns."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from amudesk.i18n import _


def add_row(form: QFormLayout, text: str, widget: QWidget, *, name: str | None = None) -> QLabel:
    """A labelled row whose label is the field's buddy (Alt+letter) and accessible name."""
    label = QLabel(text)
    label.setBuddy(widget)
    widget.setAccessibleName(name or text.replace("&", ""))
    form.addRow(label, widget)
    return label


def add_composite_row(
    form: QFormLayout, text: str, container: QWidget, editor: QWidget, *, name: str | None = None
) -> QLabel:
    """A row holding ``container`` whose label focuses and names ``editor`` inside it."""
    label = add_row(form, text, container)
    label.setBuddy(editor)
    editor.setAccessibleName(name or text.replace("&", "").replace(" *", ""))
    return label


def add_hint_row(form: QFormLayout, label: QLabel) -> None:
    """A wrapped hint spanning the form (so it reflows), indented to the field column
    by ``align_label_columns``."""
    label.setProperty("hint_row", True)
    form.addRow(label)


def align_label_columns(forms: Sequence[QFormLayout]) -> None:
    """Give the label columns of several stacked forms the same width; indent hint rows."""
    labels = [
        item.widget()
        for form in forms
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
        and item.widget() is not None
    ]
    width = max((label.sizeHint().width() for label in labels if label), default=0)
    for label in labels:
        if label is not None:
            label.setMinimumWidth(width)
    for form in forms:
        spacing = form.horizontalSpacing() if form.horizontalSpacing() >= 0 else 6
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.SpanningRole)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QLabel) and widget.property("hint_row"):
                widget.setContentsMargins(width + spacing, 0, 0, 0)


def required_label(text: str) -> str:
    """'&French name' → '&French name *' (the star is explained under the form)."""
    return _("{label} *").format(label=text)


def plain(text: str) -> str:
    """A label without its mnemonic, for accessible names."""
    return text.replace("&", "")
