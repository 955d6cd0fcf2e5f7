"""The deadlines board: groups, filters, explanations, marks, and its place in the main window."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from amudesk import i18n
from amudesk.services import clock

CaseMaker = Callable[..., tuple[int, str]]


def days_ago(days: int) -> dt.datetime:
    """10:00 (Brussels) ``days`` days before today in Brussels."""
    return dt.datetime.combine(clock.today_in_brussels() - dt.timedelta(days=days), dt.time(10))


@pytest.fixture
def cases(store: Any, add_case: CaseMaker, cpas_ids: list[int]) -> dict[str, tuple[int, str]]:
    """An overdue decision, one due today, a refusal lacking mentions, and a guarantee."""
    from amudesk.services.cases import DecisionData, record_decision

    today = clock.today_in_brussels()
    made = {
        "overdue": add_case("Nguyễn", "Văn An", received_at=days_ago(40)),
        "today": add_case("Öztürk", "Ayşe", received_at=days_ago(30)),
        "refusal": add_case("Dupont", "Marie", received_at=days_ago(20)),
        "guarantee": add_case("Иванова", "Ольга", received_at=days_ago(20), cpas_id=cpas_ids[1]),
    }
    with store.transaction() as session:
        record_decision(
            made["refusal"][0],
            DecisionData(
                kind="refusal",
                decided_on=today - dt.timedelta(days=10),
                notified_on=today - dt.timedelta(days=8),
                notification_method="hand",
                missing_mentions=["appeal_right"],
            ),
            session=session,
        )
        record_decision(
            made["guarantee"][0],
            DecisionData(
                kind="guarantee",
                decided_on=today - dt.timedelta(days=15),
                notified_on=today - dt.timedelta(days=14),
                notification_method="hand",
                valid_from=today - dt.timedelta(days=15),
                encoded_on=today - dt.timedelta(days=14),
            ),
            session=session,
        )
    return made


def open_board(qtbot: Any, store: Any, data_dir: Path) -> Any:
    from amudesk.ui.deadlineboard import DeadlineBoard

    board = DeadlineBoard(store, data_dir)
    qtbot.addWidget(board, before_close_func=lambda widget: widget.stop())
    board.resize(1366, 728)
    board.show()
    with qtbot.waitSignal(board.loaded, timeout=20_000):
        board.refresh()
    # A change noticed while it counted has it count again: the tests start once it is done.
    qtbot.waitUntil(lambda: not board.is_busy, timeout=20_000)
    return board


@pytest.fixture
def board(qtbot: Any, store: Any, data_dir: Path, cases: Any) -> Iterator[Any]:
    yield open_board(qtbot, store, data_dir)


def shown(board: Any) -> dict[str, list[tuple[str, str]]]:
    """Group key → (reference, rule) of its rows, as the model gives them."""
    return {
        group.key: [(d.case.reference, d.rule) for d in group.rows] for group in board.model.groups
    }


def choose(combo: Any, data: Any) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_board_puts_each_deadline_in_its_group(board: Any, cases: Any) -> None:
    groups = shown(board)
    assert list(groups) == ["overdue", "today", "soon", "later"]
    overdue, today = cases["overdue"][1], cases["today"][1]
    assert (overdue, "decision") in groups["overdue"]
    assert (today, "decision") in groups["today"]
    assert (today, "decision") not in groups["overdue"]
    assert (cases["guarantee"][1], "reexamination") in groups["later"]
    # Not started and done deadlines are not among the open ones by default.
    every = [row for rows in groups.values() for row in rows]
    assert (cases["refusal"][1], "appeal") not in every
    assert (cases["refusal"][1], "decision") not in every
    choose(board.show_filter, "not-started")
    assert shown(board) == {"not-started": [(cases["refusal"][1], "appeal")]}
    choose(board.show_filter, "all")
    assert (cases["refusal"][1], "decision") in shown(board)["done"]


def test_group_headings_and_rows_say_what_they_are(board: Any, cases: Any) -> None:
    model = board.model
    heading = model.data(model.group_index(0))
    assert heading.startswith("▾ Overdue (")
    index = model.index_of(cases["overdue"][0], "decision")
    row = [model.data(index.siblingAtColumn(column)) for column in range(model.columnCount())]
    deadline = model.deadline_at(index)
    due = i18n.format_date(deadline.due, "EEE d MMM y")
    assert row == [
        f"{cases['overdue'][1]} · NGUYỄN Văn An",  # the person's name beside the reference
        "CPAS decision on the request",
        due,
        "10 days late",
        "CPAS",
        "Overdue",
    ]
    # Hovering shows the legal basis.
    assert "Loi organique des CPAS, art. 58" in model.data(index, Qt.ItemDataRole.ToolTipRole)


def test_filters_by_rule_and_by_cpas(board: Any, cases: Any, cpas_ids: list[int]) -> None:
    choose(board.rule_filter, "decision")
    rows = [row for rows in shown(board).values() for row in rows]
    assert rows and {rule for _ref, rule in rows} == {"decision"}
    assert (cases["overdue"][1], "decision") in rows
    choose(board.rule_filter, None)
    choose(board.cpas_filter, cpas_ids[1])
    rows = [row for rows in shown(board).values() for row in rows]
    assert rows and {reference for reference, _rule in rows} == {cases["guarantee"][1]}
    assert "1 case" in board.count_label.text()


def test_selecting_a_deadline_explains_its_date(board: Any, cases: Any) -> None:
    request_id, reference = cases["overdue"]
    assert board.select(request_id, "decision")
    deadline = board.selected_deadline()
    assert deadline is not None and deadline.rule == "decision"
    text = board.explanation_text()
    last_day = i18n.format_date(deadline.last_day, "EEE d MMM y")
    received = i18n.format_date(deadline.event_on, "EEE d MMM y")
    assert f"Request received on {received}" in text
    assert f"last day {last_day}" in text
    assert reference in text and "Legal basis" in text and "art. 58" in text
    assert board.mark_button.isEnabled() and board.snooze_button.isEnabled()
    assert not board.clear_button.isEnabled()


def test_not_started_appeal_says_why(board: Any, cases: Any) -> None:
    choose(board.show_filter, "not-started")
    assert board.select(cases["refusal"][0], "appeal")
    text = board.explanation_text()
    assert "the right of appeal" in text and "has not started" in text
    assert not board.snooze_button.isEnabled()


def fill_and_submit(reason: str, until: dt.date | None = None) -> Callable[[Any], int]:
    def run(dialog: Any) -> int:
        dialog.reason.setText(reason)
        if until is not None:
            dialog.until.set_value(until)
        dialog.submit()
        return int(dialog.result())

    return run


def test_mark_handled_stores_the_mark_and_leaves_the_open_groups(
    qtbot: Any, board: Any, cases: Any, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk.ui.markdialog import MarkDialog

    request_id, reference = cases["overdue"]
    monkeypatch.setattr(MarkDialog, "exec", fill_and_submit("Decision asked by e-mail"))
    assert board.select(request_id, "decision")
    with qtbot.waitSignal(board.marks_changed) as changed:
        qtbot.mouseClick(board.mark_button, Qt.MouseButton.LeftButton)
    assert changed.args == [request_id]
    with store.session() as session:
        mark = clock.marks(session=session)[(request_id, "decision")]
    assert (mark.kind, mark.reason, mark.until) == ("handled", "Decision asked by e-mail", None)
    groups = shown(board)
    assert (reference, "decision") not in [row for rows in groups.values() for row in rows]
    assert "marked as handled" in board.message.text()
    choose(board.show_filter, "marked")
    assert shown(board)["handled"] == [(reference, "decision")]
    assert board.select(request_id, "decision")
    assert "Marked as handled. Reason: Decision asked by e-mail" in board.explanation_text()
    # The mark can be taken back: the deadline is overdue again.
    board.clear_button.click()
    with store.session() as session:
        assert (request_id, "decision") not in clock.marks(session=session)
    choose(board.show_filter, "open")
    assert (reference, "decision") in shown(board)["overdue"]


def test_snooze_hides_until_the_day_chosen(
    board: Any, cases: Any, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk.ui.markdialog import MarkDialog

    request_id, reference = cases["today"]
    until = clock.today_in_brussels() + dt.timedelta(days=3)
    monkeypatch.setattr(MarkDialog, "exec", fill_and_submit("Waiting for the CPAS", until))
    assert board.select(request_id, "decision")
    assert board.mark_selected("snoozed")
    with store.session() as session:
        mark = clock.marks(session=session)[(request_id, "decision")]
    assert (mark.kind, mark.until) == ("snoozed", until)
    assert (reference, "decision") not in shown(board)["today"]
    choose(board.show_filter, "marked")
    assert (reference, "decision") in shown(board)["snoozed"]


def test_snooze_to_a_past_day_is_refused_on_the_field(
    qtbot: Any, board: Any, cases: Any, store: Any
) -> None:
    from amudesk.ui.markdialog import MarkDialog

    request_id, _reference = cases["today"]
    assert board.select(request_id, "decision")
    dialog = MarkDialog(store, board.selected_deadline(), "snoozed", board)
    qtbot.addWidget(dialog)
    dialog.until.set_value(clock.today_in_brussels() - dt.timedelta(days=1))
    dialog.reason.setText("Waiting")
    dialog.submit()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Snooze until: choose a day after today." in dialog.error_label.text()
    assert dialog.until.edit.property("invalid") is True
    dialog.until.edit.setText("31/02/2026")
    dialog.submit()
    assert "not a date" in dialog.error_label.text()
    with store.session() as session:
        assert clock.marks(session=session) == {}


def test_group_by_case_shows_each_case_with_its_deadlines(board: Any, cases: Any) -> None:
    board.by_case.setChecked(True)
    groups = shown(board)
    reference = cases["overdue"][1]
    assert [rule for _ref, rule in groups[reference]] == ["decision", "appeal-no-decision"]
    model = board.model
    number = [group.key for group in model.groups].index(reference)
    heading = model.group_index(number)
    case = f"{reference} · NGUYỄN Văn An"
    assert model.data(heading) in (f"▾ {case}", f"▸ {case}")
    assert model.data(heading.siblingAtColumn(1)) == "2 time limits"
    assert model.data(heading.siblingAtColumn(5)) == "Overdue"
    # Sorted by reference when the Case column is clicked.
    board.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    keys = [group.key for group in model.groups]
    assert keys == sorted(keys)


def test_sorting_by_due_descending_reverses_a_group(board: Any) -> None:
    before = [d.due for d in board.model.groups[3].rows]
    board.table.horizontalHeader().setSortIndicator(2, Qt.SortOrder.DescendingOrder)
    after = [d.due for d in board.model.groups[3].rows]
    assert after == sorted(before, reverse=True) and len(after) > 1


def test_groups_open_and_close_from_the_keyboard(qtbot: Any, board: Any, cases: Any) -> None:
    model, table = board.model, board.table
    later = [group.key for group in model.groups].index("later")
    table.setFocus()
    table.setCurrentIndex(model.group_index(later))
    rows = model.rowCount()
    was_open = model.is_expanded(later)
    qtbot.keyClick(table, Qt.Key.Key_Left)
    assert not model.is_expanded(later)
    closed = model.rowCount()
    qtbot.keyClick(table, Qt.Key.Key_Right)
    assert model.is_expanded(later)
    assert model.rowCount() == closed + len(model.groups[later].rows)
    assert rows == (model.rowCount() if was_open else closed)
    qtbot.keyClick(table, Qt.Key.Key_Return)  # Enter on a heading closes it too
    assert not model.is_expanded(later)
    # The choice is kept when the list is filled again.
    with qtbot.waitSignal(board.loaded, timeout=20_000):
        board.refresh()
    later = [group.key for group in model.groups].index("later")
    assert not model.is_expanded(later)


def test_selection_survives_sorting(board: Any, cases: Any) -> None:
    request_id = cases["guarantee"][0]
    assert board.select(request_id, "renewal")
    board.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.AscendingOrder)
    deadline = board.selected_deadline()
    assert deadline is not None
    assert (deadline.case.request_id, deadline.rule) == (request_id, "renewal")


def test_enter_opens_the_case(qtbot: Any, board: Any, cases: Any) -> None:
    request_id = cases["today"][0]
    assert board.select(request_id, "decision")
    board.table.setFocus()
    with qtbot.waitSignal(board.open_case) as opened:
        qtbot.keyClick(board.table, Qt.Key.Key_Return)
    assert opened.args == [request_id]


def test_keyboard_names_and_tab_order(board: Any) -> None:
    for widget in (
        board.show_filter,
        board.rule_filter,
        board.cpas_filter,
        board.by_case,
        board.refresh_button,
        board.table,
        board.details,
        board.mark_button,
        board.snooze_button,
        board.clear_button,
        board.open_button,
        board.close_button,
    ):
        assert widget.accessibleName(), widget.objectName()
    assert next_tab_stop(board.show_filter) is board.rule_filter
    assert next_tab_stop(board.refresh_button) is board.table
    assert next_tab_stop(board.table) is board.details
    # The first line is the CPAS's late decision: the next action's button comes first.
    assert board.action_button.isVisible() and board.action_button.accessibleName()
    assert next_tab_stop(board.details) is board.action_button
    assert next_tab_stop(board.action_button) is board.mark_button


def next_tab_stop(widget: Any) -> Any:
    """The widget Tab goes to from ``widget`` (skipping labels and hidden widgets)."""
    current = widget.nextInFocusChain()
    while current is not widget:
        if (
            current.isVisible()
            and current.isEnabled()
            and current.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            return current
        current = current.nextInFocusChain()
    return None


def test_cancel_keeps_the_previous_results(
    qtbot: Any, board: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import amudesk.ui.deadlineboard as module

    before = shown(board)
    started = threading.Event()

    def slow(store: Any, *, progress: Any, **_kwargs: Any) -> Any:
        started.set()
        while True:  # the clock reports between chunks: that is where the cancel is heard
            progress(0, 0)
            threading.Event().wait(0.005)

    monkeypatch.setattr(module, "compute_board", slow)
    board.refresh()
    assert board.is_busy and board.progress.isVisibleTo(board)
    board.refresh()  # a second request while busy runs once the first one ends
    qtbot.waitUntil(started.is_set)
    board.cancel()
    qtbot.waitUntil(lambda: not board.is_busy)
    assert "cancelled" in board.message.text()
    assert shown(board) == before
    assert not board.progress.isVisibleTo(board)


def test_many_requests_show_the_most_recent_first(
    qtbot: Any, store: Any, data_dir: Path, cases: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import amudesk.services.board as board_service
    from amudesk.ui.deadlineboard import DeadlineBoard

    monkeypatch.setattr(board_service, "PREVIEW_THRESHOLD", 2)
    monkeypatch.setattr(board_service, "PREVIEW_REQUESTS", 1)
    board = DeadlineBoard(store, data_dir)
    qtbot.addWidget(board, before_close_func=lambda widget: widget.stop())
    board.show()
    screens: list[tuple[bool, str, int]] = []

    def loaded(count: int) -> None:
        data = board.model.board
        screens.append(
            (data.partial, board.model.data(board.model.group_index(0)), data.case_count)
        )

    board.loaded.connect(loaded)
    with qtbot.waitSignal(board.completed, timeout=20_000):
        board.refresh()
    assert [partial for partial, _heading, _count in screens] == [True, False]
    assert screens[0][1].endswith("…)") and screens[0][2] == 1  # the newest request only
    assert not screens[1][1].endswith("…)") and screens[1][2] == 4
    # A later refresh keeps the complete figures until the new ones are in.
    screens.clear()
    with qtbot.waitSignal(board.completed, timeout=20_000):
        board.refresh()
    assert [partial for partial, _heading, _count in screens] == [False]


def test_empty_database_shows_empty_groups(qtbot: Any, store: Any, data_dir: Path) -> None:
    board = open_board(qtbot, store, data_dir)
    assert board.model.shown_count() == 0
    assert "Select a time limit" in board.explanation_text()
    assert not board.open_button.isEnabled()


def test_board_fits_a_small_screen_in_french(
    qtbot: Any, store: Any, data_dir: Path, cases: Any
) -> None:
    i18n.set_locale("fr")
    board = open_board(qtbot, store, data_dir)
    assert board.width() <= 1366 and board.height() <= 768
    assert board.minimumSizeHint().width() <= 1366
    index = board.model.index_of(cases["overdue"][0], "decision")
    due = board.model.data(index.siblingAtColumn(2))
    weekday = i18n.format_date(board.model.deadline_at(index).due, "EEE")
    assert due.startswith(weekday)


# --- in the main window ---------------------------------------------------------------


def test_ctrl_d_opens_the_board_and_open_case_selects_it(
    qtbot: Any, main_window: Any, cases: Any
) -> None:
    assert main_window.deadlines_action.shortcut().toString() == "Ctrl+D"
    assert main_window.deadlines_action in main_window.toolbar.actions()
    main_window.deadlines_action.trigger()
    board = main_window.board
    assert board is not None and board.isVisible()
    qtbot.waitUntil(lambda: board.model.shown_count() > 0 and not board.is_busy, timeout=20_000)
    # The window's office is an association: the CPAS's late decision is on its worklist.
    request_id = cases["overdue"][0]
    assert board.select(request_id, "decision")
    board.open_button.click()
    assert main_window.panel.request_id() == request_id
    # Opened again: the same window, brought to the front.
    main_window.deadlines_action.trigger()
    assert main_window.board is board


def test_a_saved_change_refreshes_the_open_board(
    qtbot: Any, main_window: Any, cases: Any, add_case: CaseMaker
) -> None:
    main_window.open_deadlines()
    board = main_window.board
    qtbot.waitUntil(lambda: not board.is_busy, timeout=20_000)
    _request_id, reference = add_case("Diallo", "Awa", received_at=days_ago(45))
    with qtbot.waitSignal(board.loaded, timeout=20_000):
        main_window.refresh()
    assert (reference, "decision") in shown(board)["overdue"]


def test_status_bar_badge_opens_the_board(qtbot: Any, main_window: Any, cases: Any) -> None:
    badge = main_window.deadline_badge
    assert not badge.isVisible()
    main_window.show_deadline_count(3, 2)
    assert badge.isVisible() and badge.text() == "⚠ 5 deadlines"
    assert badge.accessibleName() == "5 deadlines"
    badge.click()
    assert main_window.board is not None and main_window.board.isVisible()
    main_window.show_deadline_count(0, 0)
    assert not badge.isVisible()


def test_saving_one_case_recounts_only_that_case_on_the_open_board(
    qtbot: Any, main_window: Any, cases: Any, add_case: CaseMaker
) -> None:
    main_window.open_deadlines()
    board = main_window.board
    qtbot.waitUntil(lambda: not board.is_busy, timeout=20_000)
    request_id, reference = add_case("Diallo", "Awa", received_at=days_ago(45))
    reloads: list[object] = []
    board.loaded.connect(lambda *args: reloads.append(args))
    main_window.refresh(request_id)  # what a form's save does
    assert (reference, "decision") in shown(board)["overdue"]  # at once, no count
    assert reloads == [] and not board.is_busy


def test_a_lapsed_appeal_window_leaves_the_open_groups_for_its_own(
    qtbot: Any, store: Any, data_dir: Path, add_case: CaseMaker, cpas_ids: list[int]
) -> None:
    """Received 200 days ago, no decision: the CPAS's decision is overdue, the claimant's
    appeal window (one month, then three) has lapsed and shows only under "Lapsed"."""
    _request_id, reference = add_case("Petrov", "Ivan", received_at=days_ago(200))
    board = open_board(qtbot, store, data_dir)
    groups = shown(board)
    assert (reference, "decision") in groups["overdue"]
    assert all((reference, "appeal-no-decision") not in rows for rows in groups.values())
    choose(board.show_filter, "lapsed")
    assert shown(board) == {"lapsed": [(reference, "appeal-no-decision")]}
    assert board.model.data(board.model.group_index(0)) == "▾ Lapsed (1)"  # alone: open
    choose(board.show_filter, "all")
    lapsed = [group.key for group in board.model.groups].index("lapsed")
    assert board.model.data(board.model.group_index(lapsed)).startswith(
        "▸ Lapsed ("
    )  # among the others: collapsed, like the done ones


@pytest.mark.parametrize("kind", ["association", "cpas"])
def test_the_board_opens_on_what_this_office_can_act_on(
    qtbot: Any, store: Any, data_dir: Path, cases: Any, kind: str
) -> None:
    """An association sees the CPAS's late decision (to remind it) and the claimant's
    appeal window, not the CPAS's decision due today; a CPAS sees its own decisions, not
    the claimant's appeal. "Open deadlines" shows them all, one click away."""
    from amudesk.services.office import save_office

    with store.transaction() as session:
        save_office(session=session, kind=kind, name="Bureau de test")
    board = open_board(qtbot, store, data_dir)
    assert board.show_filter.currentData() == "worklist"
    rows = {row for rows in shown(board).values() for row in rows}
    late, today = cases["overdue"][1], cases["today"][1]
    assert (late, "decision") in rows
    assert ((today, "decision") in rows) is (kind == "cpas")
    assert ((late, "appeal-no-decision") in rows) is (kind == "association")
    choose(board.show_filter, "open")
    everything = {row for rows in shown(board).values() for row in rows}
    assert rows < everything
    assert {(today, "decision"), (late, "appeal-no-decision")} <= everything


def test_the_overdue_group_opens_however_long(
    qtbot: Any, store: Any, data_dir: Path, cpas_ids: list[int]
) -> None:
    """80 requests from 2025 with no decision: 80 overdue decisions, more than the window
    has rows for; the group still opens, above the lapsed appeals (collapsed)."""
    from tests.ui.conftest import bulk_cases

    bulk_cases(store, cpas_ids[0], 80)
    board = open_board(qtbot, store, data_dir)
    model = board.model
    assert model.data(model.group_index(0)) == "▾ Overdue (80)"
    assert len(shown(board)["overdue"]) == 80
    choose(board.show_filter, "all")
    headings = [model.data(model.group_index(n)) for n in range(len(model.groups))]
    assert "▾ Overdue (80)" in headings and "▸ Lapsed (80)" in headings


def test_a_header_clicked_before_the_deadlines_are_counted_sorts_them_when_they_come(
    qtbot: Any, store: Any, data_dir: Path, cases: Any
) -> None:
    """Sorting by state before the first count raised (no data) and left the table inside
    a model reset, showing nothing from then on."""
    from amudesk.ui.deadlineboard import DeadlineBoard
    from amudesk.ui.deadlinemodel import STATE

    board = DeadlineBoard(store, data_dir)
    qtbot.addWidget(board, before_close_func=lambda widget: widget.stop())
    board.show()
    board.table.horizontalHeader().setSortIndicator(STATE, Qt.SortOrder.DescendingOrder)
    with qtbot.waitSignal(board.loaded, timeout=20_000):
        board.refresh()
    qtbot.waitUntil(lambda: not board.is_busy, timeout=20_000)
    assert board.model.rowCount() > 0 and board.table.model().rowCount() > 0
    header = board.table.horizontalHeader()
    assert header.sortIndicatorSection() == STATE
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


@pytest.mark.parametrize("show", ["all", "worklist", "done", "open"])
def test_the_count_of_cases_shown_is_the_cases_of_the_rows_shown(
    board: Any, cases: Any, show: str
) -> None:
    choose(board.show_filter, show)
    rows = [d for group in board.model.groups for d in group.rows]
    assert board.model.shown_cases() == len({d.case.request_id for d in rows})
    if show == "all":
        assert board.model.shown_cases() == len(cases)  # every case has a limit


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("column_name", ["STATE", "DUE"])
def test_cases_grouped_are_sorted_by_their_most_pressing_limit(
    board: Any, cases: Any, column_name: str, descending: bool
) -> None:
    from amudesk.ui import deadlinemodel

    column = getattr(deadlinemodel, column_name)
    choose(board.show_filter, "all")
    board.by_case.setChecked(True)
    order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
    board.table.horizontalHeader().setSortIndicator(column, order)
    key = board.model._row_key(column)
    groups = board.model.groups
    assert len(groups) == len(cases)
    for group in groups:
        keys = [key(d) for d in group.rows]
        assert keys == sorted(keys, reverse=descending)
    pressing = [min(key(d) for d in group.rows) for group in groups]
    assert pressing == sorted(pressing, reverse=descending)


@pytest.mark.parametrize("by_case", [False, True])
@pytest.mark.parametrize("show", ["worklist", "all"])
def test_back_to_the_due_day_after_another_column_the_rows_follow_the_due_day(
    board: Any, cases: Any, show: str, by_case: bool
) -> None:
    """Rows arrive sorted by due day, and the usual view skips sorting them again; but
    after a sort by reference they must be sorted back, not left as they were."""
    from amudesk.services.board import NOT_STARTED, due_key
    from amudesk.ui.deadlinemodel import DUE, REFERENCE

    choose(board.show_filter, show)
    board.by_case.setChecked(by_case)
    header = board.table.horizontalHeader()
    header.setSortIndicator(REFERENCE, Qt.SortOrder.DescendingOrder)
    header.setSortIndicator(DUE, Qt.SortOrder.AscendingOrder)
    for group in board.model.groups:
        if group.bucket == NOT_STARTED:
            continue  # by reference within the bucket: no due day
        keys = [due_key(d) for d in group.rows]
        assert keys == sorted(keys), group.key
