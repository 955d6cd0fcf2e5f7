"""The case list as a Qt table model: paged, filtered and sorted by the services.

Only the rows the view has scrolled to are loaded, in pages of ``PAGE_SIZE``;
each row is formatted once when fetched, so ``data()`` is a tuple lookup.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, NamedTuple

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from amudesk import i18n
from amudesk.deadlines import RULES, STATE_LABELS
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
    ("next_due", N_("Next deadline")),
)
COLUMN_OF_KEY = {key: number for number, (key, _label) in enumerate(COLUMNS)}
STATUS_COLUMN = COLUMN_OF_KEY["status"]
NEXT_COLUMN = COLUMN_OF_KEY["next_due"]
DEFAULT_SORT = "received_at"
# The list's filter: every status (closed cases left out), then by the next time limit.
FILTER_CHOICES: tuple[tuple[str, str], ...] = (
    *((str(key), label) for key, label in STATUS_LABELS.items()),
    (cases.OVERDUE_FILTER, N_("Overdue")),
    (cases.SOON_FILTER, N_("Due within 7 days")),
    (cases.CLOSED_FILTER, N_("Closed")),
)
# The next deadline's colour by its state (the board's colours; upcoming stays plain).
NEXT_COLOURS = {"overdue": QColor("#a4000f"), "due": QColor("#8a4b00")}


class CaseLine(NamedTuple):
    """One fetched row, already formatted for display."""

    request_id: int
    person_id: int
    status: str
    texts: tuple[str, ...]
    next_state: str | None = None
    next_tip: str = ""


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
        self._first_page: list[cases.CaseRow] | None = None  # read with the count

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
        # A day's text stays the same from one keystroke to the next (a few thousand
        # days at most): formatted again only in another language.
        if i18n.get_locale() != self._locale:
            self._locale = i18n.get_locale()
            self._date_texts.clear()

    def count(self, session: Any) -> int:
        # Counting every match of one typed letter would cost more than the page itself;
        # past COUNT_CAP the list only says "more than". When few people match, the
        # first page comes with the count, in one statement.
        total, self._first_page = cases.first_page(
            session=session,
            query=self._query,
            status=self._status,
            count_limit=COUNT_CAP + 1 if self._query else None,
            limit=self.page_size,
            sort=self._sort,
            descending=self._descending,
        )
        return total

    def _complete(self) -> bool:
        return not self.total_is_capped and len(self._lines) >= self._total

    def page(self, session: Any, offset: int) -> list[cases.CaseRow]:
        if offset == 0 and self._first_page is not None:
            rows, self._first_page = self._first_page, None
            return rows
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
        if row.received_at is None:  # being prepared: not filed yet
            date_text = _("not filed yet")
        else:
            day = cases.local_date(row.received_at)
            known = self._date_texts.get(day)
            if known is None:
                known = self._date_texts[day] = i18n.format_date(day, "medium")
            date_text = known
        status_label = STATUS_LABELS.get(row.status)
        status_text = _(status_label) if status_label else row.status
        if row.closed_on is not None:
            status_text = _("Closed")
        elif row.urgent:
            status_text = _("Urgent · {status}").format(status=status_text)
        next_text = next_tip = ""
        if row.next_due is not None and row.next_rule in RULES:
            due_text = self._date_texts.get(row.next_due)
            if due_text is None:
                due_text = self._date_texts[row.next_due] = i18n.format_date(row.next_due, "medium")
            title = _(RULES[row.next_rule].title)
            next_text = _("{date} · {rule}").format(date=due_text, rule=title)
            state = STATE_LABELS.get(row.next_state or "")
            next_tip = _("{rule}: due {date} ({state})").format(
                rule=title, date=due_text, state=_(state) if state else row.next_state
            )
        texts = (
            row.reference,
            person_display_name(row.family_name, row.given_names),
            cpas or "",
            date_text,
            status_text,
            next_text,
        )
        return CaseLine(row.request_id, row.person_id, row.status, texts, row.next_state, next_tip)

    # --- Qt model ----------------------------------------------------------------

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        line = self._line_of(index)
        if line is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return line.texts[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == NEXT_COLUMN:
            return NEXT_COLOURS.get(line.next_state or "")
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == NEXT_COLUMN:
                return line.next_tip or _("No time limit runs.")
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
            # Newest first when sorting by request date; soonest, or A to Z, otherwise.
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
