"""Tab order set in one call."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def chain_tab_order(widgets: list[QWidget]) -> None:
    """Tab goes from each widget of ``widgets`` to the next, in the order given."""
    for first, second in zip(widgets, widgets[1:], strict=False):
        QWidget.setTabOrder(first, second)
