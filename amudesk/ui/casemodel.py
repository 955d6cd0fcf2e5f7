"""The case list as a Qt table model: paged, filtered and sorted by the services.

Only the rows the view has scrolled to are loaded, in pages of ``PAGE_SIZE``;
each row is formatted once when fetched, so ``data()`` is a tuple lookup.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, NamedTuple

from PySide6.QtCore import QObject, Qt

from amudesk import i18n
from amudesk.i18n import N_, _
from amudesk.models import STATUS_LABELS
from amudesk.services import cases
from amudesk.store import Store
from amudesk.ui.kit.labels import person_display_name
from amudesk.ui.kit.pagedmodel import AnyIndex, PagedTableModel

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


class CaseLine(NamedTuple):
    """One fetched row, already formatted for display."""

    request_id: int
    person_id: int
    status: str
    texts: tuple[str, ...]


class CaseTableModel(PagedTableModel[cases.CaseRow, CaseLine]):
    """Cases matching the search words and status, fetched page by page."""

    page_size = PAGE_SIZE

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(store, tuple(_(label) for _key, label in COLUMNS), self, parent)
        self._query = ""
        self._status: str | None = None
        self._sort = DEFAULT_SORT
        self._descending = True
        self._locale = i18n.get_locale()
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

    # --- paging ------------------------------------------------------------------

    def _starting(self) -> None:
        self._locale = i18n.get_locale()
        self._date_texts.clear()

    def count(self, session: Any) -> int:
        # Counting every match of one typed letter would cost more than the page itself;
        # past COUNT_CAP the list only says "more than".
        return cases.count_cases(
            session=session,
            query=self._query,
            status=self._status,
            limit=COUNT_CAP + 1 if self._query else None,
        )

    def _complete(self) -> bool:
        return not self.total_is_capped and len(self._lines) >= self._total

    def page(self, session: Any, offset: int) -> list[cases.CaseRow]:
        return cases.list_cases(
            session=session,
            query=self._query,
            status=self._status,
            offset=offset,
            limit=self.page_size,
            sort=self._sort,
            descending=self._descending,
        )

    def line(self, row: cases.CaseRow) -> CaseLine:
        cpas = row.cpas_name_nl if self._locale == "nl" and row.cpas_name_nl else row.cpas_name_fr
        day = cases.local_date(row.received_at)
        date_text = self._date_texts.get(day)
        if date_text is None:
            date_text = self._date_texts[day] = i18n.format_date(day, "medium")
        status_label = STATUS_LABELS.get(row.status)
        status_text = _(status_label) if status_label else row.status
        texts = (
            row.reference,
            person_display_name(row.family_name, row.given_names),
            cpas,
            date_text,
            status_text,
        )
        return CaseLine(row.request_id, row.person_id, row.status, texts)

    # --- Qt model ----------------------------------------------------------------

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        line = self._line_of(index)
        if line is None:
            return None
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
        if (
            role == Qt.ItemDataRole.InitialSortOrderRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            # Newest first when sorting by date; A to Z otherwise.
            descending = COLUMNS[section][0] == "received_at"
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            return order.value
        return super().headerData(section, orientation, role)

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
        line = self.line_at(row)
        return line.request_id if line is not None else None

    def person_id_at(self, row: int) -> int | None:
        line = self.line_at(row)
        return line.person_id if line is not None else None

    def row_of(self, request_id: int | None) -> int | None:
        """The row of a loaded case; None when it is not (yet) loaded or filtered out."""
        if request_id is None:
            return None
        return self._row_where(lambda line: line.request_id == request_id)
