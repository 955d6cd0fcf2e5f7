"""The deadlines board's list: the time limits in their groups, under a title, with the day
they were counted on below.

A click on a heading, Enter, Space or the Left and Right arrow keys open and close a group;
the user's choice is kept while the board is open. Several time limits are chosen with
Shift and Ctrl (Ctrl+A: every line in sight), to be marked at once. When the list is
filled again (a new count, a filter, a sort, a case counted again) the selection follows
its deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.deadlines import ACTOR_LABELS, STATE_LABELS, Deadline
from amudesk.i18n import _
from amudesk.services.board import CLOSED, DONE, LAPSED, OVERDUE, SOON, TODAY, BoardData
from amudesk.ui.deadlinemodel import (
    ACTOR,
    DUE,
    DUE_FORMAT,
    REFERENCE,
    RULE,
    STATE,
    WHEN,
    DeadlineTableModel,
    Group,
    relative_text,
)
from amudesk.ui.kit.tables import read_only_rows, set_column_widths

EXPAND_CASES_UP_TO = 200
MINIMUM_ROW_BUDGET = 20
COLLAPSED_BY_DEFAULT = frozenset({DONE, LAPSED, CLOSED})
# Overdue and due today: what the desk came for, open at once however long.
ALWAYS_EXPANDED = frozenset({OVERDUE, TODAY, SOON})


class DeadlineList(QWidget):
    """The table of ``model``, its groups opened and closed, its selection kept."""

    current_changed = Signal(QModelIndex)  # the row to explain (invalid: none)
    selection_changed = Signal()  # lines were added to or taken from the selection
    open_requested = Signal()  # Enter or a double click on a time limit: open its case
    refilled = Signal()  # the model changed and the list was laid out again

    def __init__(self, model: DeadlineTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._selected: tuple[int, str] | None = None
        self._chosen = False  # the selection is the user's (not the first row, picked for them)
        self._expanded_choice: dict[str, bool] = {}  # bucket → what the user chose
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        title = QLabel(_("&Deadlines"))
        title.setObjectName("deadlinesTitle")
        self.table = self._build_table()
        title.setBuddy(self.table)
        self.evaluation_label = QLabel()
        self.evaluation_label.setObjectName("evaluationDay")
        self.evaluation_label.setStyleSheet("color: #4f545b;")
        self.evaluation_label.setWordWrap(True)
        self.evaluation_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.evaluation_label)

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("deadlineTable")
        table.setAccessibleName(_("Deadlines"))
        table.setAccessibleDescription(
            _(
                "Groups open and close with Enter, or the Left and Right arrow keys. "
                "Shift and Ctrl choose several time limits; Ctrl+A all those in sight."
            )
        )
        table.setModel(self.model)
        read_only_rows(table)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = table.horizontalHeader()
        header.setMinimumSectionSize(60)
        metrics = header.fontMetrics()
        sample_due = i18n.format_date(dt.date(2026, 9, 30), DUE_FORMAT)
        widths = {
            # The reference and, beside it, the beginning of a name (long ones are cut).
            REFERENCE: metrics.horizontalAdvance("▾ AMU-2026-00000 · NGUYỄN Thị") + 24,
            DUE: metrics.horizontalAdvance(sample_due) + 24,
            WHEN: metrics.horizontalAdvance(relative_text(-1000)) + 20,
            ACTOR: max(metrics.horizontalAdvance(_(label)) for label in ACTOR_LABELS.values()) + 24,
            STATE: max(
                metrics.horizontalAdvance(text)
                for text in (
                    *(_(label) for label in STATE_LABELS.values()),
                    _("Handled"),
                    _("Snoozed until {date}").format(
                        date=i18n.format_date(dt.date(2026, 12, 31), "short")
                    ),
                )
            )
            + 24,
        }
        set_column_widths(table, widths, metrics)
        header.setSectionResizeMode(RULE, QHeaderView.ResizeMode.Stretch)
        table.setSortingEnabled(True)
        header.setSortIndicator(DUE, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(lambda _column, _order: self.refill())
        table.clicked.connect(self._clicked)
        table.doubleClicked.connect(self._double_clicked)
        table.installEventFilter(self)
        table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._current_changed(current)
        )
        table.selectionModel().selectionChanged.connect(
            lambda _selected, _deselected: self.selection_changed.emit()
        )
        return table

    # --- filling -------------------------------------------------------------------

    def refill(
        self,
        change: Callable[[], object] | None = None,
        keep_position: tuple[str, int] | None = None,
    ) -> None:
        """Let ``change`` change the model, then lay out the headings' spans and select again
        what was selected (else the row at ``keep_position``, else the first row)."""
        self._filling = True
        try:
            if change is not None:
                change()
            self._set_spans()
            self._restore_selection(keep_position)
            self.refilled.emit()
        finally:
            self._filling = False

    def choose_expanded(self, groups: list[Group]) -> None:
        """Which groups start open (the user's choice, once made, is kept): Due today and
        Due soon always; Overdue, Later and the others when their rows fit in the room left
        on screen, so that a long Overdue list does not bury what is due today. Cases open
        when they are few."""
        if self.model.filters.by_case:
            for group in groups:
                group.expanded = len(groups) <= EXPAND_CASES_UP_TO
            return
        budget = self._row_budget() - len(groups)  # every heading in sight first
        undecided = []
        for group in groups:
            choice = self._expanded_choice.get(group.key)
            if not group.rows:
                group.expanded = False
            elif len(groups) == 1:
                group.expanded = True
            elif choice is not None:
                group.expanded = choice
            elif group.key in ALWAYS_EXPANDED or group.key in COLLAPSED_BY_DEFAULT:
                group.expanded = group.key in ALWAYS_EXPANDED
            else:
                undecided.append(group)
                continue
            budget -= len(group.rows) if group.expanded else 0
        for group in undecided:
            group.expanded = len(group.rows) <= budget
            budget -= len(group.rows) if group.expanded else 0

    def _row_budget(self) -> int:
        height = max(self.table.verticalHeader().defaultSectionSize(), 1)
        rows = self.table.viewport().height() // height
        return max(rows - 1, MINIMUM_ROW_BUDGET)

    def _set_spans(self) -> None:
        self.table.clearSpans()
        if self.model.filters.by_case:
            return
        for number in range(len(self.model.groups)):
            row = self.model.group_index(number).row()
            self.table.setSpan(row, 0, 1, self.model.columnCount())

    def _restore_selection(self, keep_position: tuple[str, int] | None) -> None:
        index = QModelIndex()
        if self._selected is not None and self._chosen:
            found = self.model.find(*self._selected)
            if found is not None:
                number, child = found
                if self.model.is_expanded(number):
                    index = self.model.child_index(number, child)
                else:
                    index = self.model.group_index(number)
        if not index.isValid() and keep_position is not None:
            index = self._position(*keep_position)
        if not index.isValid():
            index = self._first_row()
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)
        else:
            self.current_changed.emit(QModelIndex())

    def _position(self, group_key: str, row: int) -> QModelIndex:
        for number, group in enumerate(self.model.groups):
            if group.key == group_key:
                if group.rows and group.expanded and row >= 0:
                    return self.model.child_index(number, min(row, len(group.rows) - 1))
                return self.model.group_index(number)
        return QModelIndex()

    def _first_row(self) -> QModelIndex:
        """The first deadline in sight, else the first heading."""
        if not self.model.filters.by_case:
            for number, group in enumerate(self.model.groups):
                if group.rows and group.expanded:
                    return self.model.child_index(number, 0)
        return self.model.group_index(0)

    def cursor_position(self) -> tuple[str, int] | None:
        """Where the cursor is: its group's key and its row in the group (-1: the heading)."""
        index = self.table.currentIndex()
        group = self.model.group_at(index)
        if group is None:
            return None
        return group.key, self.model.locate(index.row())[1]

    def show_evaluation(self, data: BoardData) -> None:
        day = i18n.format_date(data.today, "full")
        moving = (
            _("administrative time limits move off weekends and legal holidays (setting)")
            if data.move_administrative
            else _(
                "administrative time limits do not move off weekends and legal holidays (setting)"
            )
        )
        self.evaluation_label.setText(
            _("Evaluated on {day}; {moving}.").format(day=day, moving=moving)
        )

    # --- groups and selection ------------------------------------------------------

    def set_group_expanded(self, number: int, expanded: bool) -> None:
        """Open or close a group (a bucket's state is remembered while the board is open)."""
        group = self.model.groups[number] if 0 <= number < len(self.model.groups) else None
        if group is None:
            return
        self.model.set_expanded(number, expanded)
        if group.bucket is not None:
            self._expanded_choice[group.key] = expanded
        heading = self.model.group_index(number)
        self.table.setCurrentIndex(heading)
        self.table.scrollTo(heading)

    def toggle_group(self, number: int) -> None:
        self.set_group_expanded(number, not self.model.is_expanded(number))

    def selected_deadline(self) -> Deadline | None:
        return self.model.deadline_at(self.table.currentIndex())

    def selected_deadlines(self) -> list[Deadline]:
        """The time limits on the selected lines (headings left out), top to bottom; when no
        line is selected, the one under the cursor."""
        selection = self.table.selectionModel().selection()
        spans = sorted(
            (selection.at(number).top(), selection.at(number).bottom())
            for number in range(selection.count())
        )
        found: list[Deadline] = []
        end = -1
        for top, bottom in spans:  # ranges may overlap: each row once
            if bottom > end:
                found.extend(self.model.deadlines_in_rows(max(top, end + 1), bottom))
                end = bottom
        if not found:
            current = self.selected_deadline()
            return [current] if current is not None else []
        return found

    def select(self, request_id: int, rule: str) -> bool:
        """Select the deadline ``rule`` of ``request_id`` when it is shown (opening its group)."""
        found = self.model.find(request_id, rule)
        if found is None:
            return False
        number, child = found
        if not self.model.is_expanded(number):
            self.model.set_expanded(number, True)
        index = self.model.child_index(number, child)
        # That line alone, whatever modifier key is held (the table's setCurrentIndex
        # would add it to the selection under Shift or Ctrl).
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def _current_changed(self, current: QModelIndex) -> None:
        deadline = self.model.deadline_at(current)
        if deadline is not None:
            self._selected = (deadline.case.request_id, deadline.rule)
        elif not self._filling:
            self._selected = None
        if not self._filling:
            self._chosen = self._selected is not None
        self.current_changed.emit(current)

    # --- mouse and keys ------------------------------------------------------------

    def _clicked(self, index: QModelIndex) -> None:
        """A click on a heading opens or closes its group."""
        number = self.model.group_number_at(index)
        if number is not None and self.model.is_heading(index):
            self.toggle_group(number)

    def _double_clicked(self, index: QModelIndex) -> None:
        if not self.model.is_heading(index):
            self.open_requested.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if self._key_pressed(event.key()):
                return True
        return super().eventFilter(watched, event)

    def _key_pressed(self, key: int) -> bool:
        """Enter opens the case (or a group); Left and Right close and open groups."""
        index = self.table.currentIndex()
        number = self.model.group_number_at(index)
        heading = self.model.is_heading(index)
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if heading and number is not None and not self.model.filters.by_case:
                self.toggle_group(number)
            else:
                self.open_requested.emit()
            return True
        if number is None:
            return False
        if key == Qt.Key.Key_Space and heading:
            self.toggle_group(number)
            return True
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Plus) and heading:
            self.set_group_expanded(number, True)
            return True
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Minus):
            if heading:
                self.set_group_expanded(number, False)
            else:  # from a deadline, up to its group's heading
                self.table.setCurrentIndex(self.model.group_index(number))
            return True
        return False
