"""A table model read page by page: only the rows the view scrolls to are fetched.

A ``PageSource`` (usually the subclass itself) says how many rows match (``count``),
reads one page (``page``) and formats a row once, when it is fetched (``line``);
``data()`` then looks the formatted line up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from amudesk.store import Store

AnyIndex = QModelIndex | QPersistentModelIndex
RowT = TypeVar("RowT")
LineT = TypeVar("LineT")
LineT_co = TypeVar("LineT_co", covariant=True)

PAGE_SIZE = 200
HEADER_ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.ToolTipRole,
)


class PageSource(Protocol[RowT, LineT_co]):
    """Where a paged model's rows come from, and how each is shown."""

    def count(self, session: Any) -> int:
        """How many rows match."""
        ...

    def page(self, session: Any, offset: int) -> list[RowT]:
        """At most ``page_size`` rows from ``offset``."""
        ...

    def line(self, row: RowT) -> LineT_co:
        """A row formatted for display."""
        ...


class PagedTableModel(QAbstractTableModel, Generic[RowT, LineT]):
    """Rows matching the subclass's filter, in its order, fetched ``page_size`` at a time."""

    reloaded = Signal()
    page_size = PAGE_SIZE

    def __init__(
        self,
        store: Store,
        headers: tuple[str, ...],
        source: PageSource[RowT, LineT],
        parent: QObject | None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._headers = headers
        self._source = source
        self._lines: list[LineT] = []
        self._total = 0
        self._exhausted = True

    # --- what a subclass may change ------------------------------------------------

    def _complete(self) -> bool:
        """Every matching row is loaded."""
        return len(self._lines) >= self._total

    def _starting(self) -> None:
        """Before a reload (inside the model's reset): forget what was formatted."""

    # --- loading -----------------------------------------------------------------

    @property
    def total(self) -> int:
        """How many rows match, loaded or not."""
        return self._total

    def reload(self) -> None:
        """Count the matching rows again and load their first page."""
        self.beginResetModel()
        self._starting()
        try:
            with self._store.session() as session:
                self._total = self._source.count(session)
                rows = self._source.page(session, 0)
        except Exception:
            self._lines, self._total, self._exhausted = [], 0, True
            self.endResetModel()
            raise
        self._lines = [self._source.line(row) for row in rows]
        self._exhausted = len(rows) < self.page_size or self._complete()
        self.endResetModel()
        self.reloaded.emit()

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid() or self._exhausted:
            return
        offset = len(self._lines)
        with self._store.session() as session:
            rows = self._source.page(session, offset)
        if len(rows) < self.page_size:
            self._exhausted = True
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
        self._lines.extend(self._source.line(row) for row in rows)
        self.endInsertRows()
        if self._complete():
            self._exhausted = True

    def load_up_to(self, row: int) -> bool:
        """Fetch pages until ``row`` is loaded; False when the list is shorter."""
        while row >= len(self._lines) and self.canFetchMore():
            self.fetchMore()
        return row < len(self._lines)

    # --- Qt model ----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._headers):
            return None
        return self._headers[section] if role in HEADER_ROLES else None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- lookups -----------------------------------------------------------------

    def line_at(self, row: int) -> LineT | None:
        """The loaded line of ``row``; None past the loaded rows."""
        return self._lines[row] if 0 <= row < len(self._lines) else None

    def _line_of(self, index: AnyIndex) -> LineT | None:
        return self.line_at(index.row()) if index.isValid() else None

    def _row_where(self, test: Callable[[LineT], bool]) -> int | None:
        """The first loaded row whose line passes ``test``."""
        for row, line in enumerate(self._lines):
            if test(line):
                return row
        return None
