"""The case list as a Qt table model: paged, filtered and sorted by the services.

Only the rows the view has scrolled to are loaded, in pages of ``PAGE_SIZE``;
each row is formatted once when fetched, so ``data()`` is a tuple lookup.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from amudesk import i18n
from amudesk.i18n import N_, _
from amudesk.services import cases
from amudesk.store import Store
from amudesk.ui.kit.labels import person_display_name

log = logging.getLogger(__name__)

COUNT_CAP = 1000
PAGE_SIZE = 200

# (sort key of the service, header text); the order is the column order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("reference", N_("Reference")),
    ("name", N_("Name")),
    ("cpas", N_("CPAS")),
    ("received_at", N_("Request date")),
    ("status", N_("Status")),
)
COLUMN_OF_KEY = {key: number for number, (key, _label) in enumerate(COLUMNS)}
STATUS_COLUMN = COLUMN_OF_KEY["status"]
DEFAULT_SORT = "received_at"

AnyIndex = QModelIndex | QPersistentModelIndex


class CaseLine(NamedTuple):
    """One fetched row, already formatted for display."""

    request_id: int
    person_id: int
    status: str
    texts: tuple[str, ...]


class CaseTableModel(QAbstractTableModel):
    """Cases matching the search words and status, fetched page by page."""

    reloaded = Signal()

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._lines: list[CaseLine] = []
        self._total = 0
        self._exhausted = True
        self._query = ""
        self._status: str | None = None
        self._sort = DEFAULT_SORT
        self._descending = True
        self._locale = i18n.get_locale()
        self._headers = tuple(_(label) for _key, label in COLUMNS)
        self._date_texts: dict[dt.date, str] = {}

    # --- state -------------------------------------------------------------------

    @property
    def total(self) -> int:
        """How many cases match the filter, loaded or not; at most COUNT_CAP + 1 for words."""
        return self._total

    @property
    def total_is_capped(self) -> bool:
        """True when more cases match than were counted ("more than 1,000")."""
        return bool(self._query) and self._total > COUNT_CAP

    @property
    def query(self) -> str:
        return self._query

    @property
    def status(self) -> str | None:
        return self._status

    @property
    def sort_key(self) -> str:
        return self._sort

    @property
    def descending(self) -> bool:
        return self._descending

    def set_filter(self, query: str, status: str | None) -> None:
        """Show the cases matching ``query`` (words, NISS or reference) and ``status``."""
        self._query = query.strip()
        self._status = status or None
        self.reload()

    def reload(self) -> None:
        """Count the matching cases again and load their first page."""
        self.beginResetModel()
        self._locale = i18n.get_locale()
        self._date_texts.clear()
        try:
            with self._store.session() as session:
                # Counting every match of one typed letter would cost more than the page
                # itself; past COUNT_CAP the list only says "more than".
                self._total = cases.count_cases(
                    session=session,
                    query=self._query,
                    status=self._status,
                    limit=COUNT_CAP + 1 if self._query else None,
                )
                rows = self._page(session, 0)
        except Exception:
            self._lines, self._total, self._exhausted = [], 0, True
            self.endResetModel()
            raise
        self._lines = [self._line(row) for row in rows]
        self._exhausted = len(rows) < PAGE_SIZE or (
            not self.total_is_capped and len(self._lines) >= self._total
        )
        self.endResetModel()
        self.reloaded.emit()

    def _page(self, session: Any, offset: int) -> list[cases.CaseRow]:
        return cases.list_cases(
            session=session,
            query=self._query,
            status=self._status,
            offset=offset,
            limit=PAGE_SIZE,
            sort=self._sort,
            descending=self._descending,
        )

    def _line(self, row: cases.CaseRow) -> CaseLine:
        cpas = row.cpas_name_nl if self._locale == "nl" and row.cpas_name_nl else row.cpas_name_fr
        day = cases.local_date(row.received_at)
        date_text = self._date_texts.get(day)
        if date_text is None:
            date_text = self._date_texts[day] = i18n.format_date(day, "medium")
        status_label = cases.STATUS_LABELS.get(row.status)
        status_text = _(status_label) if status_label else row.status
        texts = (
            row.reference,
            person_display_name(row.family_name, row.given_names),
            cpas,
            date_text,
            status_text,
        )
        return CaseLine(row.request_id, row.person_id, row.status, texts)

    # --- paging ------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        offset = len(self._lines)
        with self._store.session() as session:
            rows = self._page(session, offset)
        if len(rows) < PAGE_SIZE:
            self._exhausted = True
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
        self._lines.extend(self._line(row) for row in rows)
        self.endInsertRows()
        if not self.total_is_capped and len(self._lines) >= self._total:
            self._exhausted = True

    # --- Qt model ----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self._lines[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return line.texts[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == STATUS_COLUMN:
                return _("Status: {status}").format(status=line.texts[STATUS_COLUMN])
            return line.texts[column]
        if role == Qt.ItemDataRole.UserRole:
            return line.request_id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return self._headers[section]
        if role == Qt.ItemDataRole.InitialSortOrderRole:
            # Newest first when sorting by date; A to Z otherwise.
            descending = COLUMNS[section][0] == "received_at"
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            return order.value
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column][0]
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = key, descending
        self.reload()

    def sort_column(self) -> int:
        return COLUMN_OF_KEY[self._sort]

    # --- lookups -----------------------------------------------------------------

    def request_id_at(self, row: int) -> int | None:
        if 0 <= row < len(self._lines):
            return self._lines[row].request_id
        return None

    def person_id_at(self, row: int) -> int | None:
        if 0 <= row < len(self._lines):
            return self._lines[row].person_id
        return None

    def row_of(self, request_id: int | None) -> int | None:
        """The row of a loaded case; None when it is not (yet) loaded or filtered out."""
        if request_id is None:
            return None
        for row, line in enumerate(self._lines):
            if line.request_id == request_id:
                return row
        return None
