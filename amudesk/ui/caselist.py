"""The case list of the main window: the table of requests, or a hint and two buttons
while the database is empty."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from amudesk.i18n import _
from amudesk.store import Store
from amudesk.ui.casemodel import COLUMN_OF_KEY, CaseTableModel

COLUMN_WIDTHS = {
    "reference": 110,
    "name": 200,
    "cpas": 130,
    "received_at": 95,
    "status": 85,
    "next_due": 180,
}


class CaseList(QStackedWidget):
    """Page 0: the table of requests (``table``, ``model``); page 1: the empty state."""

    def __init__(
        self,
        store: Store,
        *,
        new_person: Callable[[], object],
        import_spreadsheet: Callable[[], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = CaseTableModel(store, self)
        self.table = self._build_table()
        self.addWidget(self.table)
        self.addWidget(self._build_empty_state(new_person, import_spreadsheet))

    def selected_request_ids(self) -> list[int]:
        """The requests of the selected rows, in the list's order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        found = [self.model.request_id_at(row) for row in rows]
        return [request_id for request_id in found if request_id is not None]

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("caseTable")
        table.setAccessibleName(_("Requests"))
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows can be selected (Shift, Ctrl) to print their cards together.
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTabKeyNavigation(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        vertical = table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(False)
        header.setMinimumSectionSize(60)
        metrics = header.fontMetrics()
        for key, width in COLUMN_WIDTHS.items():
            column = COLUMN_OF_KEY[key]
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            # Room for the title in any language, and for the sort arrow.
            table.setColumnWidth(column, max(width, metrics.horizontalAdvance(title) + 32))
        header.setSectionResizeMode(COLUMN_OF_KEY["name"], QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.DescendingOrder)
        table.setSortingEnabled(True)
        return table

    def _build_empty_state(
        self, new_person: Callable[[], object], import_spreadsheet: Callable[[], object]
    ) -> QWidget:
        page = QWidget()
        page.setObjectName("emptyState")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        hint = QLabel(
            _(
                "No requests yet. Create a person and register their request, "
                "or import a spreadsheet."
            )
        )
        hint.setObjectName("emptyHint")
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty_hint = hint
        layout.addWidget(hint)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for text, slot, name in (
            (_("New &person…"), new_person, "emptyNewPerson"),
            (_("&Import a spreadsheet…"), import_spreadsheet, "emptyImport"),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.setAccessibleName(text.replace("&", "").rstrip("…"))
            button.clicked.connect(lambda _checked=False, slot=slot: slot())
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(2)
        return page
