"""Tab order set in one call."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def _chain(widgets: list[QWidget]) -> None:
    for first, second in zip(widgets, widgets[1:], strict=False):
        QWidget.setTabOrder(first, second)
