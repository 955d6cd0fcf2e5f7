"""The deadlines board: every legal time limit of every case, the urgent ones first.

A window of its own (not modal) with the groups Overdue, Due today, Due within N
days and Later (and, on demand, Snoozed, Not started, Handled, Done), or one group
per case. Filters by rule and by CPAS. The selected time limit is explained below the
list: how its date was counted, and its legal basis. It can be marked handled or
snoozed with a reason, and its case opened in the main window.

The deadlines are computed off the UI thread (``services.board.compute_board`` in a
``Task``); the window stays usable meanwhile, with a progress bar and a Cancel button.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRect, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.deadlines import ACTOR_LABELS, RULES, STATE_LABELS, Deadline, State
from amudesk.i18n import _, ngettext
from amudesk.services import FieldError, NotFound, clock
from amudesk.services.board import DONE, SOON, TODAY, BoardData, bucket_label, compute_board
from amudesk.services.directory import list_cpas
from amudesk.settings import load_settings
from amudesk.store import Store
from amudesk.text import fold
from amudesk.ui.deadlinemodel import (
    ACTOR,
    BUCKET_COLOURS,
    DUE,
    DUE_FORMAT,
    REFERENCE,
    RULE,
    SHOW_CHOICES,
    STATE,
    WHEN,
    DeadlineTableModel,
    Filters,
    Group,
    relative_text,
    stoppable,
)
from amudesk.ui.kit.buttons import action_button
from amudesk.ui.kit.labels import cpas_label, format_number
from amudesk.ui.markdialog import MarkDialog
from amudesk.ui.workers import Cancelled, Task

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1280, 700)
MINIMUM_SIZE = (900, 540)
DETAILS_WIDTH = 420
EXPAND_CASES_UP_TO = 200
MINIMUM_ROW_BUDGET = 20
COLLAPSED_BY_DEFAULT = frozenset({DONE})
ALWAYS_EXPANDED = frozenset({TODAY, SOON})
HANDLED_KIND = "handled"  # the kinds of mark (services.clock.MARK_KINDS)
SNOOZED_KIND = "snoozed"


class _Relay(QObject):
    """Carries the early deadlines from the worker to the window (queued signal)."""

    preview = Signal(object)


class DeadlineBoard(QWidget):
    """Every time limit, grouped, filtered and explained; a window of its own."""

    open_case = Signal(int)  # request id: the main window shows that case
    marks_changed = Signal(int)  # request id whose deadline was marked or cleared
    # Rows were put on screen (number of deadlines shown): the first screen, which with
    # many requests shows the most recent ones while all of them are counted.
    loaded = Signal(int)
    completed = Signal(int)  # every request counted and shown

    def __init__(
        self,
        store: Store,
        data_dir: Path | None,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.store = store
        self.data_dir = Path(data_dir) if data_dir is not None else store.data_dir
        self._fixed_today = today
        self._task: Any = None
        self._relay: _Relay | None = None
        self._again = False
        self._selected: tuple[int, str] | None = None
        self._chosen = False  # the selection is the user's (not the first row, picked for them)
        self._expanded_choice: dict[str, bool] = {}  # bucket → what the user chose
        self._filling = False
        self.setObjectName("deadlineBoard")
        self.setWindowTitle(_("Deadlines — AMU Desk"))
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(*self._default_size())
        self.model = DeadlineTableModel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(self._build_filters())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("deadlineSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_tree())
        splitter.addWidget(self._build_details())
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setSizes([self.width() - DETAILS_WIDTH, DETAILS_WIDTH])
        self.splitter = splitter
        layout.addWidget(splitter, 1)
        layout.addLayout(self._build_status())
        self._set_tab_order()
        for keys, slot in (("F5", self.refresh), ("Esc", self.close)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
        self._show_details(QModelIndex())

    @staticmethod
    def _default_size() -> tuple[int, int]:
        from PySide6.QtGui import QGuiApplication

        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 728)
        width = min(DEFAULT_SIZE[0], int(room.width() * 0.95))
        height = min(DEFAULT_SIZE[1], int(room.height() * 0.92))
        return max(width, MINIMUM_SIZE[0]), max(height, MINIMUM_SIZE[1])

    # --- building ------------------------------------------------------------------

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.show_filter = QComboBox()
        self.show_filter.setObjectName("showFilter")
        for key, choice, _buckets in SHOW_CHOICES:
            self.show_filter.addItem(_(choice), key)
        self.rule_filter = QComboBox()
        self.rule_filter.setObjectName("ruleFilter")
        self.rule_filter.addItem(_("All time limits"), None)
        for rule_id, rule in RULES.items():
            self.rule_filter.addItem(_(rule.title), rule_id)
        self.cpas_filter = QComboBox()
        self.cpas_filter.setObjectName("cpasFilter")
        self.cpas_filter.setMinimumWidth(200)
        self.cpas_filter.setMaximumWidth(320)
        self.cpas_filter.addItem(_("All CPAS"), None)
        for cpas_id, cpas_name in self._cpas_entries():
            self.cpas_filter.addItem(cpas_name, cpas_id)
        self.by_case = QCheckBox(_("&Group by case"))
        self.by_case.setObjectName("groupByCase")
        self.by_case.setAccessibleName(_("Group by case"))
        for text, combo, name in (
            (_("&Show:"), self.show_filter, _("Show")),
            (_("&Rule:"), self.rule_filter, _("Rule")),
            (_("C&PAS:"), self.cpas_filter, _("CPAS")),
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            combo.setAccessibleName(name)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(lambda _index: self._filters_changed())
            row.addWidget(label)
            row.addWidget(combo)
            row.addSpacing(8)
        self.rule_filter.setMaximumWidth(300)
        self.by_case.toggled.connect(lambda _on: self._filters_changed())
        row.addWidget(self.by_case)
        row.addStretch(1)
        self.refresh_button = QPushButton(_("Re&fresh"))
        self.refresh_button.setObjectName("refreshDeadlines")
        self.refresh_button.setAccessibleName(_("Refresh"))
        self.refresh_button.setToolTip(_("Compute the deadlines again (F5)"))
        self.refresh_button.clicked.connect(lambda _checked=False: self.refresh())
        row.addWidget(self.refresh_button)
        return row

    def _cpas_entries(self) -> list[tuple[int, str]]:
        with self.store.session() as session:
            entries = [(c.id, cpas_label(c)) for c in list_cpas(session=session) if c.id]
        return sorted(entries, key=lambda entry: fold(entry[1]))

    def _build_tree(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        title = QLabel(_("&Deadlines"))
        title.setObjectName("deadlinesTitle")
        table = QTableView()
        table.setObjectName("deadlineTable")
        table.setAccessibleName(_("Deadlines"))
        table.setAccessibleDescription(
            _("Groups open and close with Enter, or the Left and Right arrow keys.")
        )
        table.setModel(self.model)
        table.setShowGrid(False)
        table.setWordWrap(False)
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
        title.setBuddy(table)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(False)
        header.setMinimumSectionSize(60)
        metrics = header.fontMetrics()
        sample_due = i18n.format_date(dt.date(2026, 9, 30), DUE_FORMAT)
        widths = {
            REFERENCE: metrics.horizontalAdvance("▾ AMU-2026-00000") + 24,
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
        for column, width in widths.items():
            title_text = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            table.setColumnWidth(column, max(width, metrics.horizontalAdvance(title_text) + 32))
        header.setSectionResizeMode(RULE, QHeaderView.ResizeMode.Stretch)
        table.setSortingEnabled(True)
        header.setSortIndicator(DUE, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(lambda _column, _order: self._sorted())
        table.clicked.connect(self._clicked)
        table.doubleClicked.connect(self._double_clicked)
        table.installEventFilter(self)
        table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._current_changed(current)
        )
        self.table = table
        self.evaluation_label = QLabel()
        self.evaluation_label.setObjectName("evaluationDay")
        self.evaluation_label.setStyleSheet("color: #4f545b;")
        self.evaluation_label.setWordWrap(True)
        self.evaluation_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(title)
        layout.addWidget(table, 1)
        layout.addWidget(self.evaluation_label)
        return box

    def _build_details(self) -> QWidget:
        box = QWidget()
        box.setMinimumWidth(320)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.setSpacing(4)
        title = QLabel(_("How the date was &computed"))
        self.details = QTextBrowser()
        self.details.setObjectName("deadlineDetails")
        self.details.setAccessibleName(_("How the date was computed"))
        self.details.setOpenLinks(False)
        self.details.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.details.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        title.setBuddy(self.details)
        layout.addWidget(title)
        layout.addWidget(self.details, 1)
        self.mark_button = action_button(
            _("Mark &handled…"),
            lambda: self.mark_selected(HANDLED_KIND),
            object_name="markHandled",
        )
        self.snooze_button = action_button(
            _("S&nooze…"), lambda: self.mark_selected(SNOOZED_KIND), object_name="snoozeDeadline"
        )
        self.clear_button = action_button(
            _("C&lear mark"), self.clear_selected, object_name="clearMark"
        )
        self.open_button = action_button(
            _("&Open case"), self.open_selected, object_name="openCase"
        )
        self.mark_button.setToolTip(_("The deadline leaves the open lists, with your reason"))
        self.snooze_button.setToolTip(_("Hide the reminder until a day you choose"))
        self.open_button.setToolTip(_("Show this case in the main window (Enter)"))
        grid = QVBoxLayout()
        grid.setSpacing(4)
        for pair in (
            (self.mark_button, self.snooze_button),
            (self.clear_button, self.open_button),
        ):
            line = QHBoxLayout()
            for button in pair:
                line.addWidget(button, 1)
            grid.addLayout(line)
        layout.addLayout(grid)
        return box

    def _build_status(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.count_label = QLabel()
        self.count_label.setObjectName("deadlineCount")
        self.count_label.setAccessibleName(_("Number of deadlines shown"))
        self.message = QLabel()
        self.message.setObjectName("boardMessage")
        self.message.setWordWrap(True)
        self.busy_label = QLabel(_("Computing the deadlines…"))
        self.progress = QProgressBar()
        self.progress.setObjectName("deadlineProgress")
        self.progress.setAccessibleName(_("Progress of the computation"))
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.cancel_button = action_button(_("Cancel"), self.cancel, object_name="cancelDeadlines")
        self.close_button = action_button(_("Close"), self.close, object_name="closeBoard")
        self.close_button.setToolTip(_("Close the board (Esc)"))
        row.addWidget(self.count_label)
        row.addSpacing(12)
        row.addWidget(self.message, 1)
        row.addWidget(self.busy_label)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_button)
        row.addSpacing(12)
        row.addWidget(self.close_button)
        self._set_busy(False)
        return row

    def _set_tab_order(self) -> None:
        chain = [
            self.show_filter,
            self.rule_filter,
            self.cpas_filter,
            self.by_case,
            self.refresh_button,
            self.table,
            self.details,
            self.mark_button,
            self.snooze_button,
            self.clear_button,
            self.open_button,
            self.cancel_button,
            self.close_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # --- computing -----------------------------------------------------------------

    @property
    def today(self) -> dt.date:
        return self._fixed_today or clock.today_in_brussels()

    @property
    def is_busy(self) -> bool:
        return self._task is not None

    def refresh(self) -> None:
        """Compute every deadline again, off the UI thread (public slot: a change was saved)."""
        if self._task is not None:
            self._again = True
            return
        settings = load_settings(self.data_dir).clock_settings()
        store, today, language = self.store, self.today, i18n.get_locale()

        relay = _Relay(self)
        relay.preview.connect(lambda data: self._previewed(relay, data))
        self._relay = relay

        def work(progress: Any, cancelled: Any) -> BoardData:
            return compute_board(
                store,
                today=today,
                language=language,
                settings=settings,
                progress=stoppable(progress, cancelled),
                preview=relay.preview.emit,
            )

        self._again = False
        task = Task(work, self)
        task.progress.connect(self._progress)
        task.finished.connect(self._computed)
        task.failed.connect(self._failed)
        self._task = task
        self.message.clear()
        self._set_busy(True)
        self.progress.setRange(0, 0)
        task.start()

    def cancel(self) -> None:
        if self._task is not None:
            self._again = False
            self._task.cancel()

    def _progress(self, done: int, total: int) -> None:
        if total <= 0:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _previewed(self, relay: _Relay, data: object) -> None:
        """The most recent requests' deadlines, shown while all are counted (unless the
        board already shows a complete count, which stays until the new one is ready)."""
        current = self.model.board
        if relay is not self._relay or not isinstance(data, BoardData):
            return
        if current is not None and not current.partial:
            return
        self._fill(data)
        self.busy_label.setText(
            _("Counting every request; the {n} most recent are shown meanwhile…").format(
                n=format_number(data.case_count)
            )
        )

    def _end_task(self) -> None:
        relay, self._relay = self._relay, None
        if relay is not None:
            relay.deleteLater()
        task, self._task = self._task, None
        self._set_busy(False)
        if task is not None:
            task.deleteLater()

    def _computed(self, data: object) -> None:
        self._end_task()
        if not isinstance(data, BoardData):
            return
        self._fill(data)
        if self._again:
            self.refresh()

    def _failed(self, error: object) -> None:
        self._end_task()
        board = self.model.board
        if isinstance(error, Cancelled) and board is not None and board.partial:
            self.message.setText(
                _(
                    "Counting cancelled: only the most recent requests are shown. Press F5 to count all."
                )
            )
        elif isinstance(error, Cancelled):
            self.message.setText(_("Computation cancelled; the list shows the previous results."))
        else:
            log.error("deadlines could not be computed: %s", type(error).__name__)
            self.message.setText(
                _("The deadlines could not be computed. Details were written to the log file.")
            )
        if self._again:
            self.refresh()

    def _set_busy(self, busy: bool) -> None:
        self.busy_label.setText(_("Computing the deadlines…"))
        self.busy_label.setVisible(busy)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.refresh_button.setEnabled(not busy)

    # --- filling -------------------------------------------------------------------

    def _fill(self, data: BoardData) -> None:
        self._filling = True
        try:
            self.model.set_board(data, self._choose_expanded)
            self._after_reset()
        finally:
            self._filling = False
        self._update_evaluation(data)
        self.loaded.emit(self.model.shown_count())
        if not data.partial:
            self.completed.emit(self.model.shown_count())

    def current_filters(self) -> Filters:
        return Filters(
            show=self.show_filter.currentData() or "open",
            rule=self.rule_filter.currentData(),
            cpas_id=self.cpas_filter.currentData(),
            by_case=self.by_case.isChecked(),
        )

    def _filters_changed(self) -> None:
        self._filling = True
        try:
            self.model.set_filters(self.current_filters(), self._choose_expanded)
            self._after_reset()
        finally:
            self._filling = False

    def _sorted(self) -> None:
        self._filling = True
        try:
            self._after_reset()
        finally:
            self._filling = False

    def _choose_expanded(self, groups: list[Group]) -> None:
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

    def _after_reset(self, keep_position: tuple[str, int] | None = None) -> None:
        """Spans of the headings, the selection and the count, after the model changed."""
        self._set_spans()
        self._restore_selection(keep_position)
        self._update_count()

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
            self._show_details(QModelIndex())

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

    def _update_count(self) -> None:
        shown = self.model.shown_count()
        cases = self.model.shown_cases()
        self.count_label.setText(
            ngettext("{n} time limit shown", "{n} time limits shown", shown).format(
                n=format_number(shown)
            )
            + " · "
            + ngettext("{n} case", "{n} cases", cases).format(n=format_number(cases))
        )

    def _update_evaluation(self, data: BoardData) -> None:
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

    # --- the selected deadline -----------------------------------------------------

    def selected_deadline(self) -> Deadline | None:
        return self.model.deadline_at(self.table.currentIndex())

    def select(self, request_id: int, rule: str) -> bool:
        """Select the deadline ``rule`` of ``request_id`` when it is shown (opening its group)."""
        found = self.model.find(request_id, rule)
        if found is None:
            return False
        number, child = found
        if not self.model.is_expanded(number):
            self.model.set_expanded(number, True)
        index = self.model.child_index(number, child)
        self.table.setCurrentIndex(index)
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
        self._show_details(current)

    def _show_details(self, index: QModelIndex) -> None:
        deadline = self.model.deadline_at(index)
        group = self.model.group_at(index) if deadline is None else None
        if deadline is not None:
            self.details.setHtml(self._deadline_html(deadline))
        elif group is not None:
            self.details.setHtml(self._group_html(group))
        else:
            self.details.setHtml(
                "<p>"
                + html.escape(_("Select a time limit to see how its date was computed."))
                + "</p>"
            )
        request_id = self.model.request_id_at(index)
        running = deadline is not None and deadline.state in (
            State.OVERDUE,
            State.DUE,
            State.UPCOMING,
        )
        self.mark_button.setEnabled(
            deadline is not None and deadline.state != State.DONE and not deadline.handled
        )
        self.snooze_button.setEnabled(running)
        self.clear_button.setEnabled(deadline is not None and deadline.mark is not None)
        self.open_button.setEnabled(request_id is not None)

    def explanation_text(self) -> str:
        """What the explanation pane says (plain text)."""
        return self.details.toPlainText()

    def _deadline_html(self, deadline: Deadline) -> str:
        bucket = self.model.board.bucket(deadline) if self.model.board else None
        colour = BUCKET_COLOURS.get(bucket or "", "#1a1a1a")
        e = html.escape
        title = _("{reference} — {rule}").format(
            reference=deadline.case.reference, rule=deadline.title
        )
        # Labels are taken out of the f-strings below so that the catalog extractor sees them.
        due_label = _("Due date:")
        actor_label = _("Who acts:")
        state_label = _("State:")
        basis_label = _("Legal basis")
        lines = []
        if deadline.due is not None:
            when = self.model.when_text(deadline.due) if deadline.state != State.DONE else ""
            due = i18n.format_date(deadline.due, "full")
            lines.append(f"<b>{e(due_label)}</b> {e(due)}" + (f" ({e(when)})" if when else ""))
        lines.append(f"<b>{e(actor_label)}</b> {e(_(ACTOR_LABELS[deadline.actor]))}")
        lines.append(
            f"<b>{e(state_label)}</b> "
            f"<span style='color:{colour}'>{e(self.model.state_text(deadline))}</span>"
        )
        return (
            f"<h3>{e(title)}</h3>"
            f"<p>{'<br>'.join(lines)}</p>"
            f"<p>{e(deadline.explanation)}</p>"
            f"<p><b>{e(basis_label)}</b><br>{e(deadline.basis)}</p>"
        )

    def _group_html(self, group: Group) -> str:
        e = html.escape
        board = self.model.board
        if group.bucket is not None or board is None:
            return "<p>{}</p>".format(e(_("Select a time limit to see how its date was computed.")))
        items = []
        for deadline in group.rows:
            bucket = board.bucket(deadline)
            due = self.model.due_text(deadline.due)
            items.append(
                "<li>{title}{due} — <span style='color:{colour}'>{state}</span></li>".format(
                    title=e(deadline.title),
                    due=f", {e(due)}" if due else "",
                    colour=BUCKET_COLOURS.get(bucket, "#1a1a1a"),
                    state=e(bucket_label(bucket, board.within_days)),
                )
            )
        return (
            f"<h3>{e(group.reference)}</h3><ul>{''.join(items)}</ul>"
            f"<p>{e(_('Select a time limit to see how its date was computed.'))}</p>"
        )

    # --- actions -------------------------------------------------------------------

    def _clicked(self, index: QModelIndex) -> None:
        """A click on a heading opens or closes its group."""
        number = self.model.group_number_at(index)
        if number is not None and self.model.is_heading(index):
            self.toggle_group(number)

    def _double_clicked(self, index: QModelIndex) -> None:
        if not self.model.is_heading(index):
            self.open_selected()

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
                self.open_selected()
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

    def open_selected(self) -> None:
        request_id = self.model.request_id_at(self.table.currentIndex())
        if request_id is not None:
            self.open_case.emit(request_id)

    def mark_selected(self, kind: str) -> bool:
        """Ask the reason (and the day, to snooze) and mark the selected deadline."""
        deadline = self.selected_deadline()
        if deadline is None:
            return False
        dialog = MarkDialog(self.store, deadline, kind, self, today=self.today)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        text = (
            _("{reference} — {rule}: marked as handled.")
            if kind == HANDLED_KIND
            else _("{reference} — {rule}: snoozed.")
        )
        self._case_changed(deadline, text)
        return True

    def clear_selected(self) -> None:
        deadline = self.selected_deadline()
        if deadline is None or deadline.mark is None:
            return
        try:
            with self.store.transaction() as session:
                clock.clear_mark(deadline.case.request_id, deadline.rule, session=session)
        except (FieldError, NotFound) as error:
            self.message.setText(getattr(error, "message", None) or str(error))
            return
        self._case_changed(deadline, _("{reference} — {rule}: mark cleared."))

    def _case_changed(self, deadline: Deadline, text: str) -> None:
        """After a mark: that one case counted again, and a word about it."""
        request_id = deadline.case.request_id
        self.recount_case(request_id)
        self.message.setText(text.format(reference=deadline.case.reference, rule=deadline.title))
        self.marks_changed.emit(request_id)

    def recount_case(self, request_id: int) -> None:
        """Count the deadlines of one case again (it was saved or marked: a case's deadlines
        depend on nothing else), keep the cursor where it was."""
        position = self._cursor_position()
        board = self.model.board
        if board is not None:
            with self.store.session() as session:
                fresh = clock.deadlines(
                    session=session,
                    today=board.today,
                    language=board.language,
                    settings=clock.ClockSettings(
                        move_administrative=board.move_administrative,
                        alert_within_days=board.within_days,
                    ),
                    request_ids=[request_id],
                )
            self._filling = True
            try:
                self.model.replace_case(request_id, fresh, self._choose_expanded)
                self._after_reset(position)
            finally:
                self._filling = False
        if self._task is not None:
            self._again = True  # the running count read the case before this change

    def _cursor_position(self) -> tuple[str, int] | None:
        index = self.table.currentIndex()
        group = self.model.group_at(index)
        if group is None:
            return None
        return group.key, self.model.locate(index.row())[1]

    # --- window --------------------------------------------------------------------

    def open(self) -> None:
        """Show the board (or bring it to the front) with fresh figures."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()
        self.refresh()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.cancel()  # the window is only hidden: no need to wait for the worker
        super().closeEvent(event)

    def stop(self) -> None:
        """Cancel a running computation and wait for its thread to end."""
        task = self._task
        if task is not None:
            self._again = False
            task.cancel()
            task.wait()
