"""Tables that list records read-only, set up the same way in every window."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def read_only_rows(table: QTableView, *, alternating: bool = False) -> None:
    """One record a row, chosen one at a time, never edited in place: no grid, no wrapping,
    long texts cut with '…', rows of one line's height, no row numbers, and Tab leaves the
    table for the next field (the arrow keys move inside it)."""
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setAlternatingRowColors(alternating)
    table.setTabKeyNavigation(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setCornerButtonEnabled(False)
    vertical = table.verticalHeader()
    vertical.hide()
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionsMovable(False)


def set_column_widths(table: QTableView, widths: Mapping[int, int], metrics: QFontMetrics) -> None:
    """Each column of ``widths`` (column → pixels) at least that wide, and wide enough for its
    title in any language and the sort arrow."""
    model = table.model()
    for column, width in widths.items():
        title = str(model.headerData(column, Qt.Orientation.Horizontal))
        table.setColumnWidth(column, max(width, metrics.horizontalAdvance(title) + 32))
