"""The deadlines board's rows: the buckets of ``services.board`` shown as grouped rows.

``services.board.compute_board`` runs in a worker (a ``Task``: :func:`stoppable` turns
its cancel into the clock's progress callback): it counts the deadlines of every
request chunk by chunk and sorts them into buckets (overdue, due today, due soon,
later …), soonest first. The model only filters, groups and formats what the view
asks for: a due date is formatted once per distinct day, an explanation only when its
row is selected.

The model is a flat table: each group (a bucket, or a case when grouped by case) is
a heading row followed, when expanded, by its deadlines. A table view asks only for
the rows on screen, so a group of 200,000 deadlines opens at once (a tree view would
lay out every one of them first).
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from amudesk import i18n
from amudesk.deadlines import (
    ACTOR_LABELS,
    RULES,
    STATE_LABELS,
    Deadline,
    State,
    actionable_test,
    paused_gc,
)
from amudesk.i18n import N_, _, ngettext
from amudesk.services import clock
from amudesk.services.board import (
    BUCKET_ORDER,
    BUCKETS,
    CLOSED,
    DONE,
    HANDLED,
    LAPSED,
    NOT_STARTED,
    OVERDUE,
    RUNNING,
    SNOOZED,
    SOON,
    TODAY,
    BoardData,
    bucket_label,
    due_key,
    reference_key,
)
from amudesk.text import fold
from amudesk.ui.kit.labels import format_number
from amudesk.ui.workers import Cancelled

AnyIndex = QModelIndex | QPersistentModelIndex

DUE_FORMAT = "EEE d MMM y"  # weekday included: "Mon 17 Aug 2026"

# What the "Show" filter offers: (key, label, buckets).
SHOW_CHOICES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # The open deadlines this office can act on (Deadline.actionable): the default.
    ("worklist", N_("Ours to act on"), RUNNING),
    ("open", N_("Open deadlines"), RUNNING),
    ("attention", N_("Needing attention"), (OVERDUE, TODAY, SOON)),
    ("not-started", N_("Not started"), (NOT_STARTED,)),
    ("marked", N_("Snoozed or handled"), (SNOOZED, HANDLED)),
    ("done", N_("Done"), (DONE,)),
    ("lapsed", N_("Lapsed"), (LAPSED,)),
    ("closed", N_("Closed cases"), (CLOSED,)),
    ("all", N_("All deadlines"), BUCKETS),
)
SHOW_BUCKETS = {key: buckets for key, _label, buckets in SHOW_CHOICES}

# Dark enough on white for a 4.5:1 contrast.
RED = "#a4000f"
AMBER = "#7a4100"
GREEN = "#1d6b2a"
PURPLE = "#5b2a86"
GREY = "#4f545b"
BUCKET_COLOURS = {
    OVERDUE: RED,
    TODAY: AMBER,
    SOON: AMBER,
    SNOOZED: GREY,
    NOT_STARTED: PURPLE,
    HANDLED: GREY,
    LAPSED: GREY,
    CLOSED: GREY,
    DONE: GREEN,
}


def stoppable(
    progress: Callable[[int, int], None] | None, cancelled: Callable[[], bool]
) -> clock.Progress:
    """The clock's progress callback for a ``Task``'s work: it passes ``progress(done,
    total)`` on and raises :class:`Cancelled` once ``cancelled()`` is true."""

    def report(done: int, total: int) -> None:
        if cancelled():
            raise Cancelled()
        if progress is not None:
            progress(done, total)

    return report


# --- the model -------------------------------------------------------------------------

REFERENCE, RULE, DUE, WHEN, ACTOR, STATE = range(6)
COLUMNS: tuple[str, ...] = (
    N_("Case"),
    N_("Time limit"),
    N_("Due"),
    N_("When"),
    N_("Who acts"),
    N_("State"),
)
EXPANDED_MARK, COLLAPSED_MARK = "▾", "▸"
HEADING_BACKGROUND = "#e4e8ee"
FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _both(
    first: Callable[[Deadline], bool], second: Callable[[Deadline], bool]
) -> Callable[[Deadline], bool]:
    return lambda d: first(d) and second(d)


@dataclass(slots=True)
class Group:
    """A bucket of the board, or one case when grouped by case."""

    key: str
    rows: list[Deadline]
    bucket: str | None = None  # in bucket mode
    request_id: int | None = None  # in case mode
    reference: str = ""
    expanded: bool = False


@dataclass(frozen=True)
class Filters:
    show: str = "worklist"
    rule: str | None = None
    cpas_id: int | None = None
    by_case: bool = False


class DeadlineTableModel(QAbstractTableModel):
    """Groups of deadlines (buckets or cases), filtered and sorted, as heading rows each
    followed by its deadlines when the group is expanded."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._data: BoardData | None = None
        self._groups: list[Group] = []
        self._starts: list[int] = []  # the row of each group's heading
        self._row_count = 0
        self._case_group: dict[int, int] = {}  # request id → group number (by case)
        self._filters = Filters()
        self._sort_column = DUE
        self._sort_order = Qt.SortOrder.AscendingOrder
        # The groups and their rows as the buckets gave them (each bucket by due day), not
        # sorted by another column since: sorting by due day again has nothing to do.
        self._as_arrived = True
        self._headers = tuple(_(title) for title in COLUMNS)
        self._date_texts: dict[dt.date, str] = {}
        self._when_texts: dict[int, str] = {}
        self._titles = {rule_id: _(rule.title) for rule_id, rule in RULES.items()}
        self._actors = {key: _(label) for key, label in ACTOR_LABELS.items()}
        self._bold = QFont()
        self._bold.setBold(True)
        self._brushes = {
            bucket: QBrush(QColor(colour)) for bucket, colour in BUCKET_COLOURS.items()
        }
        self._heading_brush = QBrush(QColor(HEADING_BACKGROUND))

    # --- state ---------------------------------------------------------------------

    @property
    def board(self) -> BoardData | None:
        return self._data

    @property
    def filters(self) -> Filters:
        return self._filters

    @property
    def groups(self) -> list[Group]:
        return self._groups

    def shown_count(self) -> int:
        return sum(len(group.rows) for group in self._groups)

    def shown_cases(self) -> int:
        if self._filters.by_case:
            return len(self._groups)
        data = self._data
        shown = SHOW_BUCKETS.get(self._filters.show, RUNNING)
        if data is not None and self._passes() is None and set(BUCKETS) <= set(shown):
            # Every limit shown: the cases that have one (not 642,000 limits' cases again).
            return sum(1 for deadlines in data.by_case.values() if deadlines)
        return len({d.case.request_id for group in self._groups for d in group.rows})

    def set_board(self, data: BoardData | None, expand: Callable[[list[Group]], None]) -> None:
        """Show ``data``; ``expand`` chooses which groups start expanded."""
        self._data = data
        self._date_texts.clear()
        self._when_texts.clear()
        self._regroup(expand)

    def set_filters(self, filters: Filters, expand: Callable[[list[Group]], None]) -> None:
        if filters != self._filters:
            self._filters = filters
            self._regroup(expand)

    def replace_case(
        self,
        request_id: int,
        deadlines: Sequence[Deadline],
        expand: Callable[[list[Group]], None],
    ) -> None:
        """Show ``request_id``'s deadlines computed again (after a mark); the other groups
        keep their expanded state."""
        self.replace_cases({request_id: deadlines}, expand)

    def replace_cases(
        self,
        fresh: Mapping[int, Sequence[Deadline]],
        expand: Callable[[list[Group]], None],
        names: Mapping[int, str] | None = None,
    ) -> None:
        """Show the deadlines of several cases computed again (after marks; ``names``: their
        people's names read again), grouped once; the other groups keep their expanded state."""
        if self._data is None:
            return
        expanded = {group.key for group in self._groups if group.expanded}

        def keep(groups: list[Group]) -> None:
            expand(groups)
            for group in groups:
                if group.key in expanded:
                    group.expanded = True

        for request_id, deadlines in fresh.items():
            self._data.replace_case(request_id, deadlines)
        if names:
            self._data.names.update(names)
        self._regroup(keep)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        if self._data is None:
            return  # nothing counted yet: the deadlines come sorted so (set_board)
        self.beginResetModel()
        try:
            with paused_gc():
                self._sort_groups()
            self._layout()
        finally:  # a view left inside a reset shows nothing again
            self.endResetModel()

    def set_expanded(self, number: int, expanded: bool) -> None:
        """Open or close group ``number``: its rows appear or go, the others stay put."""
        if not 0 <= number < len(self._groups):
            return
        group = self._groups[number]
        if group.expanded == expanded:
            return
        first, count = self._starts[number] + 1, len(group.rows)
        if count:
            if expanded:
                self.beginInsertRows(QModelIndex(), first, first + count - 1)
            else:
                self.beginRemoveRows(QModelIndex(), first, first + count - 1)
        group.expanded = expanded
        self._layout()
        if count:
            if expanded:
                self.endInsertRows()
            else:
                self.endRemoveRows()
        heading = self.group_index(number)
        self.dataChanged.emit(heading, heading.siblingAtColumn(len(COLUMNS) - 1))

    def is_expanded(self, number: int) -> bool:
        return 0 <= number < len(self._groups) and self._groups[number].expanded

    # --- grouping ------------------------------------------------------------------

    def _passes(self) -> Callable[[Deadline], bool] | None:
        rule, cpas_id = self._filters.rule, self._filters.cpas_id
        tests: list[Callable[[Deadline], bool]] = []
        if rule is not None:
            tests.append(lambda d: d.rule == rule)
        if cpas_id is not None:
            tests.append(lambda d: d.case.cpas_id == cpas_id)
        if self._filters.show == "worklist" and self._data is not None:
            tests.append(actionable_test(self._data.office_kind))
        if not tests:
            return None
        passes = tests[0]
        for test in tests[1:]:  # nested, not all() over a generator: 100,000 rows a click
            passes = _both(passes, test)
        return passes

    def _regroup(self, expand: Callable[[list[Group]], None]) -> None:
        self.beginResetModel()
        with paused_gc():
            self._groups = []
            self._as_arrived = True
            self._case_group = {}
            if self._data is not None:
                keep = self._passes()
                shown = SHOW_BUCKETS.get(self._filters.show, RUNNING)
                chosen: list[tuple[str, list[Deadline]]] = []
                for bucket in BUCKETS:
                    if bucket in shown:
                        items = self._data.buckets.get(bucket, [])
                        chosen.append(
                            (bucket, items if keep is None else list(filter(keep, items)))
                        )
                if self._filters.by_case:
                    self._groups = self._case_groups(chosen)
                else:
                    self._groups = [
                        Group(bucket, list(items), bucket=bucket) for bucket, items in chosen
                    ]
                self._sort_groups()
                expand(self._groups)
        self._layout()
        self.endResetModel()

    @staticmethod
    def _case_groups(chosen: list[tuple[str, list[Deadline]]]) -> list[Group]:
        by_case: dict[int, Group] = {}
        for _bucket, items in chosen:
            for deadline in items:
                case = deadline.case
                group = by_case.get(case.request_id)
                if group is None:
                    group = by_case[case.request_id] = Group(
                        case.reference, [], request_id=case.request_id, reference=case.reference
                    )
                group.rows.append(deadline)
        return list(by_case.values())

    def _layout(self) -> None:
        starts: list[int] = []
        row = 0
        for group in self._groups:
            starts.append(row)
            row += 1 + (len(group.rows) if group.expanded else 0)
        self._starts, self._row_count = starts, row
        if self._filters.by_case:
            self._case_group = {
                group.request_id: number
                for number, group in enumerate(self._groups)
                if group.request_id is not None
            }

    def _row_key(self, column: int) -> Callable[[Deadline], Any]:
        if column == REFERENCE:
            return reference_key
        if column == RULE:
            titles = {rule: fold(title) for rule, title in self._titles.items()}
            return lambda d: titles[d.rule]
        if column == ACTOR:
            actors = {rule_id: fold(self._actors[rule.actor]) for rule_id, rule in RULES.items()}
            return lambda d: actors[d.rule]
        if column == STATE:
            data = self._data
            assert data is not None
            return lambda d: BUCKET_ORDER[data.bucket(d)]
        return due_key  # DUE and WHEN

    def _sort_groups(self) -> None:
        column, descending = self._sort_column, self._sort_order == Qt.SortOrder.DescendingOrder
        running = set(SHOW_BUCKETS.get(self._filters.show, RUNNING)) <= set(RUNNING)
        by_due = column in (DUE, WHEN) and not descending and self._as_arrived
        if by_due and running:
            # The running buckets arrive soonest first and follow each other by due day,
            # so rows and cases are in order already: nothing to do for the usual view.
            return
        self._as_arrived = False
        key = self._row_key(column)
        for group in self._groups:
            if len(group.rows) > 1:
                if by_due and group.bucket not in (None, NOT_STARTED):
                    continue  # a bucket arrives sorted by due day (BoardData.sort)
                # Stable, and cheap on rows that arrive sorted by due day already.
                group.rows.sort(key=key, reverse=descending)
        if not self._filters.by_case or not self._groups:
            return
        if column == REFERENCE:
            self._groups.sort(key=lambda g: g.reference, reverse=descending)
        elif column in (STATE, DUE, WHEN):
            # A case by its most pressing row: the rows are sorted already, so it is the
            # first one, or the last when descending (not the key of every row again).
            edge = -1 if descending else 0
            self._groups.sort(key=lambda g: key(g.rows[edge]), reverse=descending)
        else:  # by the first row's value, the rows being sorted already
            self._groups.sort(key=lambda g: key(g.rows[0]), reverse=descending)

    # --- lookup --------------------------------------------------------------------

    def locate(self, row: int) -> tuple[int, int]:
        """(group number, row within the group, or -1 for the heading) of a table row."""
        number = bisect.bisect_right(self._starts, row) - 1
        return number, row - self._starts[number] - 1

    def deadline_at(self, index: AnyIndex) -> Deadline | None:
        if not index.isValid() or index.row() >= self._row_count:
            return None
        number, child = self.locate(index.row())
        return self._groups[number].rows[child] if child >= 0 else None

    def group_at(self, index: AnyIndex) -> Group | None:
        number = self.group_number_at(index)
        return self._groups[number] if number is not None else None

    def group_number_at(self, index: AnyIndex) -> int | None:
        if not index.isValid() or index.row() >= self._row_count:
            return None
        return self.locate(index.row())[0]

    def is_heading(self, index: AnyIndex) -> bool:
        return index.isValid() and index.row() < self._row_count and self.locate(index.row())[1] < 0

    def request_id_at(self, index: AnyIndex) -> int | None:
        deadline = self.deadline_at(index)
        if deadline is not None:
            return deadline.case.request_id
        group = self.group_at(index)
        return group.request_id if group is not None else None

    def deadlines_in_rows(self, first: int, last: int) -> list[Deadline]:
        """The deadlines on table rows ``first`` to ``last`` (headings left out)."""
        first, last = max(first, 0), min(last, self._row_count - 1)
        found: list[Deadline] = []
        if first > last:
            return found
        number = self.locate(first)[0]
        while number < len(self._groups) and self._starts[number] <= last:
            group, start = self._groups[number], self._starts[number] + 1
            if group.expanded:
                low, high = max(first - start, 0), min(last - start + 1, len(group.rows))
                found.extend(group.rows[low:high])
            number += 1
        return found

    def find(self, request_id: int, rule: str) -> tuple[int, int] | None:
        """(group number, row within the group) of a deadline shown, expanded or not."""
        numbers: Iterable[int]
        if self._filters.by_case:
            number = self._case_group.get(request_id)
            numbers = () if number is None else (number,)
        else:
            numbers = range(len(self._groups))
        for number in numbers:
            for child, deadline in enumerate(self._groups[number].rows):
                if deadline.case.request_id == request_id and deadline.rule == rule:
                    return number, child
        return None

    def index_of(self, request_id: int, rule: str) -> QModelIndex:
        """The row of a deadline in an expanded group (invalid when hidden or absent)."""
        found = self.find(request_id, rule)
        if found is None or not self._groups[found[0]].expanded:
            return QModelIndex()
        return self.child_index(*found)

    def child_index(self, number: int, child: int, column: int = 0) -> QModelIndex:
        return self.index(self._starts[number] + 1 + child, column)

    def group_index(self, number: int, column: int = 0) -> QModelIndex:
        if not 0 <= number < len(self._groups):
            return QModelIndex()
        return self.index(self._starts[number], column)

    # --- texts ---------------------------------------------------------------------

    def case_text(self, request_id: int, reference: str, *, urgent: bool = False) -> str:
        """'2026-000123 · NGUYỄN Thị Lan': the reference and, beside it, the person's name;
        '· urgent' after them for a case flagged urgent at filing."""
        name = self._data.name_of(request_id) if self._data is not None else ""
        text = (
            _("{reference} · {name}").format(reference=reference, name=name) if name else reference
        )
        return _("{case} · urgent").format(case=text) if urgent else text

    def due_text(self, day: dt.date | None) -> str:
        if day is None:
            return ""
        text = self._date_texts.get(day)
        if text is None:
            text = self._date_texts[day] = i18n.format_date(day, DUE_FORMAT)
        return text

    def when_text(self, day: dt.date | None) -> str:
        if day is None or self._data is None:
            return ""
        days = (day - self._data.today).days
        text = self._when_texts.get(days)
        if text is None:
            text = self._when_texts[days] = relative_text(days)
        return text

    def state_text(self, deadline: Deadline) -> str:
        mark = deadline.mark
        if deadline.state not in (State.DONE, State.NOT_STARTED) and mark is not None:
            if mark.kind == "handled":
                return _("Handled")
            if self._data is not None and deadline.snoozed(self._data.today) and mark.until:
                return _("Snoozed until {date}").format(date=i18n.format_date(mark.until, "short"))
        return _(STATE_LABELS[deadline.state])

    def group_title(self, group: Group) -> str:
        if group.bucket is not None:
            count = format_number(len(group.rows))
            label = bucket_label(group.bucket, self._data.within_days if self._data else 7)
            if self._data is not None and self._data.partial:  # more may come
                return _("{group} ({count}…)").format(group=label, count=count)
            return _("{group} ({count})").format(group=label, count=count)
        return group.reference

    # --- Qt model ------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self._row_count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self._row_count:
            return None
        number, child = self.locate(index.row())
        group = self._groups[number]
        if child < 0:
            if group.bucket is not None:
                if role == Qt.ItemDataRole.BackgroundRole:
                    return self._heading_brush
                return self._bucket_heading_data(group, index.column(), role)
            return self._case_heading_data(group, index.column(), role)
        deadline = group.rows[child]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._row_text(deadline, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and index.column() in (DUE, WHEN, STATE):
            return self._brushes.get(self._data.bucket(deadline)) if self._data else None
        if role == Qt.ItemDataRole.ToolTipRole:  # the rule in full, and its legal basis
            return rich_tooltip(deadline.basis, title=self._titles[deadline.rule])
        return None

    def _row_text(self, deadline: Deadline, column: int) -> str:
        if column == REFERENCE:
            if self._filters.by_case:
                return ""
            return self.case_text(
                deadline.case.request_id, deadline.case.reference, urgent=deadline.case.urgent
            )
        if column == RULE:
            return self._titles[deadline.rule]
        if column == DUE:
            return self.due_text(deadline.due)
        if column == WHEN:
            return self.when_text(deadline.due) if deadline.state != State.DONE else ""
        if column == ACTOR:
            return self._actors[RULES[deadline.rule].actor]
        return self.state_text(deadline)

    def _mark(self, group: Group) -> str:
        return EXPANDED_MARK if group.expanded else COLLAPSED_MARK

    def _bucket_heading_data(self, group: Group, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            return f"{self._mark(group)} {self.group_title(group)}"
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0:
            state = _("expanded") if group.expanded else _("collapsed")
            return f"{self.group_title(group)}, {state}"
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._brushes.get(group.bucket or "")
        return None

    def _case_heading_data(self, group: Group, column: int, role: int) -> Any:
        data = self._data
        if data is None or not group.rows:
            return None
        worst = min(group.rows, key=lambda d: (BUCKET_ORDER[data.bucket(d)], due_key(d)))
        bucket = data.bucket(worst)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == REFERENCE:
                text = self.case_text(
                    group.request_id or 0, group.reference, urgent=worst.case.urgent
                )
                return f"{self._mark(group)} {text}"
            if column == RULE:
                n = len(group.rows)
                return ngettext("{n} time limit", "{n} time limits", n).format(n=n)
            if column == DUE:
                return self.due_text(worst.due)
            if column == WHEN:
                return self.when_text(worst.due) if worst.state != State.DONE else ""
            if column == STATE:
                return bucket_label(bucket, data.within_days)
            return ""
        if role == Qt.ItemDataRole.FontRole and column == REFERENCE:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and column in (DUE, WHEN, STATE):
            return self._brushes.get(bucket)
        return None


# --- small helpers ---------------------------------------------------------------------


def relative_text(days: int) -> str:
    """'3 days late', 'today', 'in 5 days'."""
    if days == 0:
        return _("today")
    if days < 0:
        return ngettext("{n} day late", "{n} days late", -days).format(n=format_number(-days))
    return ngettext("in {n} day", "in {n} days", days).format(n=format_number(days))


def rich_tooltip(text: str, *, title: str = "") -> str:
    """A tooltip Qt wraps (plain-text tooltips are one long line)."""
    heading = f"<b>{html.escape(title)}</b><br>" if title else ""
    return f"<p>{heading}{html.escape(text)}</p>" if text or title else ""
