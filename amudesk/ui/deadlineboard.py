"""The deadlines board: every legal time limit of every case, the urgent ones first.

A window of its own (not modal) with the groups Overdue, Due today, Due within N
days and Later (and, on demand, Snoozed, Not started, Handled, Done), or one group
per case, each case named by its reference and its person's name. Filters by rule and
by CPAS (``DeadlineFilters``). The selected time limit is explained beside the list
(``DeadlineDetails``): how its date was counted, its legal basis, and the next action,
with a button that opens the case in the main window on the form that records it. One
time limit or several (Shift, Ctrl, Ctrl+A) can be marked handled or snoozed with one
reason, at once. The list itself, its groups and its keys are ``DeadlineList``.

The deadlines are computed off the UI thread (``services.board.compute_board`` in a
``Task``); the window stays usable meanwhile, with a progress bar and a Cancel button.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from amudesk import i18n
from amudesk.deadlines import Deadline
from amudesk.i18n import _, ngettext
from amudesk.services import FieldError, NotFound, clock, worklist
from amudesk.services.board import BoardData, compute_board
from amudesk.settings import load_settings
from amudesk.store import Store
from amudesk.ui.deadlinedetails import HANDLED_KIND, DeadlineDetails
from amudesk.ui.deadlinefilters import DeadlineFilters
from amudesk.ui.deadlinelist import DeadlineList
from amudesk.ui.deadlinemodel import DeadlineTableModel, Filters, stoppable
from amudesk.ui.kit.buttons import action_button
from amudesk.ui.kit.labels import format_number
from amudesk.ui.kit.taborder import chain_tab_order
from amudesk.ui.kit.taskdialog import fitted_size, progress_bar
from amudesk.ui.workers import Cancelled, Task

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1280, 700)
MINIMUM_SIZE = (900, 540)
DETAILS_WIDTH = 350


class _Relay(QObject):
    """Carries the early deadlines from the worker to the window (queued signal)."""

    preview = Signal(object)


class DeadlineBoard(QWidget):
    """Every time limit, grouped, filtered and explained; a window of its own."""

    open_case = Signal(int)  # request id: the main window shows that case
    # (request id, next action's key in services.worklist), after ``open_case`` for it: the
    # main window opens the form that records the event (a decision, a transfer, an appeal).
    action_requested = Signal(int, str)
    marks_changed = Signal(int)  # request id whose deadline was marked or cleared
    # Rows were put on screen (number of deadlines shown): the first screen, which with
    # many requests shows those whose next limit comes first while all are counted.
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
        self.setObjectName("deadlineBoard")
        self.setWindowTitle(_("Deadlines — AMU Desk"))
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(*fitted_size(DEFAULT_SIZE, MINIMUM_SIZE, height_share=0.92))
        self.model = DeadlineTableModel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        self.filter_bar = DeadlineFilters(store)
        self.filter_bar.changed.connect(self._filters_changed)
        self.filter_bar.refresh_requested.connect(self.refresh)
        layout.addWidget(self.filter_bar)
        self.deadline_list = DeadlineList(self.model)
        self.explanation = DeadlineDetails(self.model)
        self.explanation.role = store.role
        self.deadline_list.current_changed.connect(lambda _index: self._update_pane())
        self.deadline_list.selection_changed.connect(self._update_pane)
        self.deadline_list.open_requested.connect(self.open_selected)
        self.deadline_list.refilled.connect(self._update_count)
        self.explanation.mark_requested.connect(self.mark_selected)
        self.explanation.clear_requested.connect(self.clear_selected)
        self.explanation.open_requested.connect(self.open_selected)
        self.explanation.action_requested.connect(self._action_requested)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("deadlineSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.deadline_list)
        splitter.addWidget(self.explanation)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setSizes([self.width() - DETAILS_WIDTH, DETAILS_WIDTH])
        self.splitter = splitter
        layout.addWidget(splitter, 1)
        # The parts' widgets, under the names the main window, the tests and the scripts use.
        bar, pane = self.filter_bar, self.explanation
        self.show_filter, self.rule_filter, self.cpas_filter = (
            bar.show_filter,
            bar.rule_filter,
            bar.cpas_filter,
        )
        self.by_case, self.refresh_button = bar.by_case, bar.refresh_button
        self.table, self.details = self.deadline_list.table, pane.browser
        self.mark_button, self.snooze_button = pane.mark_button, pane.snooze_button
        self.clear_button, self.open_button = pane.clear_button, pane.open_button
        self.action_button = pane.action_button
        layout.addLayout(self._build_status())
        self._set_tab_order()
        for keys, slot in (("F5", self.refresh), ("Esc", self.close)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
        self.explanation.explain(QModelIndex())

    # --- building ------------------------------------------------------------------

    def _build_status(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.count_label = QLabel()
        self.count_label.setObjectName("deadlineCount")
        self.count_label.setAccessibleName(_("Number of deadlines shown"))
        self.message = QLabel()
        self.message.setObjectName("boardMessage")
        self.message.setWordWrap(True)
        self.busy_label = QLabel(_("Computing the deadlines…"))
        self.progress = progress_bar(
            _("Progress of the computation"),
            object_name="deadlineProgress",
            max_width=220,
            text=False,
        )
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
        chain_tab_order(
            [
                self.show_filter,
                self.rule_filter,
                self.cpas_filter,
                self.by_case,
                self.refresh_button,
                self.table,
                self.details,
                self.action_button,
                self.mark_button,
                self.snooze_button,
                self.clear_button,
                self.open_button,
                self.cancel_button,
                self.close_button,
            ]
        )

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
        """The deadlines of the requests due first, shown while all are counted (unless the
        board already shows a complete count, which stays until the new one is ready)."""
        current = self.model.board
        if relay is not self._relay or not isinstance(data, BoardData):
            return
        if current is not None and not current.partial:
            return
        self._fill(data)
        self.busy_label.setText(
            _("Counting every request; the {n} due first are shown meanwhile…").format(
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
                    "Counting cancelled: only the requests due first are shown. Press F5 to count all."
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
        choose = self.deadline_list.choose_expanded
        self.deadline_list.refill(lambda: self.model.set_board(data, choose))
        self.deadline_list.show_evaluation(data)
        self.loaded.emit(self.model.shown_count())
        if not data.partial:
            self.completed.emit(self.model.shown_count())

    def current_filters(self) -> Filters:
        return self.filter_bar.current()

    def _filters_changed(self) -> None:
        filters, choose = self.current_filters(), self.deadline_list.choose_expanded
        self.deadline_list.refill(lambda: self.model.set_filters(filters, choose))

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

    # --- the selected deadline -----------------------------------------------------

    def selected_deadline(self) -> Deadline | None:
        return self.deadline_list.selected_deadline()

    def selected_deadlines(self) -> list[Deadline]:
        """The time limits of the selected lines (the one under the cursor when none is)."""
        return self.deadline_list.selected_deadlines()

    def _update_pane(self) -> None:
        """The pane explains the line under the cursor, or counts the lines selected."""
        chosen = self.deadline_list.selected_deadlines()
        if len(chosen) > 1:
            self.explanation.show_several(chosen)
        else:
            self.explanation.explain(self.table.currentIndex())

    def select(self, request_id: int, rule: str) -> bool:
        """Select the deadline ``rule`` of ``request_id`` when it is shown (opening its group)."""
        return self.deadline_list.select(request_id, rule)

    def explanation_text(self) -> str:
        """What the explanation pane says (plain text)."""
        return self.explanation.plain_text()

    # --- actions -------------------------------------------------------------------

    def open_selected(self) -> None:
        request_id = self.model.request_id_at(self.table.currentIndex())
        if request_id is not None:
            self.open_case.emit(request_id)

    def _action_requested(self, key: str) -> None:
        deadline = self.selected_deadline()
        if deadline is not None and key:
            self.open_case.emit(deadline.case.request_id)
            self.action_requested.emit(deadline.case.request_id, key)

    def mark_selected(self, kind: str) -> bool:
        """Ask the reason (and the day, to snooze) once and mark every selected deadline
        that can be (a done or closed one cannot: it is left as it is, and counted)."""
        from amudesk.ui.markdialog import MarkDialog

        chosen = self.selected_deadlines()
        markable = [d for d in chosen if worklist.can_mark(d, kind)]
        skipped = len(chosen) - len(markable)
        if not markable:
            if chosen:
                self.message.setText(self._skipped_text(skipped))
            return False
        dialog = MarkDialog(self.store, markable, kind, self, today=self.today, skipped=skipped)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        if len(chosen) == 1:
            text = (
                _("{reference} — {rule}: marked as handled.")
                if kind == HANDLED_KIND
                else _("{reference} — {rule}: snoozed.")
            )
            self._case_changed(markable[0], text)
            return True
        n = len(markable)
        text = (
            ngettext("{n} time limit marked as handled.", "{n} time limits marked as handled.", n)
            if kind == HANDLED_KIND
            else ngettext("{n} time limit snoozed.", "{n} time limits snoozed.", n)
        ).format(n=format_number(n))
        if skipped:
            text += " " + self._skipped_text(skipped)
        request_ids = list(dict.fromkeys(d.case.request_id for d in markable))
        self.recount_cases(request_ids)
        self.message.setText(text)
        for request_id in request_ids:
            self.marks_changed.emit(request_id)
        return True

    @staticmethod
    def _skipped_text(skipped: int) -> str:
        return ngettext(
            "{n} selected time limit is done or closed: it was left as it was.",
            "{n} selected time limits are done or closed: they were left as they were.",
            skipped,
        ).format(n=format_number(skipped))

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
        depend on nothing else), with the person's other requests (a saved person form
        renames them too), keep the cursor where it was."""
        if self.model.board is None:
            return
        with self.store.session() as session:
            request_ids = worklist.same_person_requests(request_id, session=session)
        self.recount_cases(request_ids)

    def recount_cases(self, request_ids: list[int]) -> None:
        """Count the deadlines of these cases again (and read their people's names: a saved
        form may have changed one), show them at once, keep the cursor where it was."""
        position = self.deadline_list.cursor_position()
        board = self.model.board
        if board is not None and request_ids:
            with self.store.session() as session:
                counted = clock.deadlines(
                    session=session,
                    today=board.today,
                    language=board.language,
                    settings=clock.ClockSettings(
                        move_administrative=board.move_administrative,
                        alert_within_days=board.within_days,
                    ),
                    request_ids=request_ids,
                )
                names = worklist.request_names(session=session, request_ids=request_ids)
                sent = worklist.letters_sent(session=session, request_ids=request_ids)
            for request_id in request_ids:  # a letter issued from the case changes its next step
                board.letters.pop(request_id, None)
            board.letters.update(sent)
            fresh: dict[int, list[Deadline]] = {request_id: [] for request_id in request_ids}
            for deadline in counted:
                fresh[deadline.case.request_id].append(deadline)
            choose = self.deadline_list.choose_expanded
            self.deadline_list.refill(
                lambda: self.model.replace_cases(fresh, choose, names), position
            )
        if self._task is not None:
            self._again = True  # the running count read the cases before this change

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
