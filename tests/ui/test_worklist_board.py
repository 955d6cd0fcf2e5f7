"""Working the deadlines board's list: names beside references, several lines marked at once,
the setting's sentence as a footnote, the next action and its button in the main window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QDialog, QLabel

from amudesk.services import clock, worklist

CaseMaker = Callable[..., tuple[int, str]]
SETTING = "Administrative time limit: it does not move off a non-working day (setting)."


def days_ago(days: int) -> dt.datetime:
    return dt.datetime.combine(clock.today_in_brussels() - dt.timedelta(days=days), dt.time(10))


@pytest.fixture
def cases(store: Any, add_case: CaseMaker) -> dict[str, tuple[int, str]]:
    """Three CPAS decisions overdue (by 10, 5 and 2 days) and a refusal decided and notified
    in time (its decision and notification done, the claimant's appeal running)."""
    from amudesk.services.cases import DecisionData, record_decision

    today = clock.today_in_brussels()
    made = {
        "lan": add_case("Nguyễn", "Thị Lan", received_at=days_ago(40)),
        "ayse": add_case("Öztürk", "Ayşe", received_at=days_ago(35)),
        "marie": add_case("Dupont", "Marie", received_at=days_ago(32)),
        "refused": add_case("Diallo", "Awa", received_at=days_ago(20)),
    }
    with store.transaction() as session:
        record_decision(
            made["refused"][0],
            DecisionData(
                kind="refusal",
                decided_on=today - dt.timedelta(days=10),
                notified_on=today - dt.timedelta(days=8),
                notification_method="hand",
            ),
            session=session,
        )
    return made


def set_office(store: Any, kind: str) -> None:
    from amudesk.services.office import save_office

    with store.transaction() as session:
        save_office(session=session, kind=kind, name="Bureau de test")


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


def choose(combo: Any, data: Any) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def row_of(board: Any, request_id: int, rule: str) -> Any:
    index = board.model.index_of(request_id, rule)
    assert index.isValid(), (request_id, rule)
    return index


def select_only(board: Any, index: Any) -> None:
    """Make ``index`` the current and only selected line, whatever modifier keys an earlier
    test left pressed (the table's own setCurrentIndex reads them: Shift or Ctrl held
    would add the line to the selection)."""
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    board.table.selectionModel().setCurrentIndex(index, flags)


def click(
    qtbot: Any, board: Any, index: Any, modifier: Any = Qt.KeyboardModifier.NoModifier
) -> None:
    table = board.table
    table.scrollTo(index)
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, modifier, table.visualRect(index).center()
    )


def submit_with(reason: str, calls: list[Any]) -> Callable[[Any], int]:
    def run(dialog: Any) -> int:
        calls.append(dialog)
        dialog.reason.setText(reason)
        dialog.submit()
        return int(dialog.result())

    return run


# --- names ---------------------------------------------------------------------------------


def test_each_line_and_case_shows_the_person_s_name_beside_the_reference(
    board: Any, cases: Any
) -> None:
    request_id, reference = cases["lan"]
    index = row_of(board, request_id, "decision")
    assert board.model.data(index) == f"{reference} · NGUYỄN Thị Lan"
    select_only(board, index)
    assert board.explanation_text().startswith(f"{reference} · NGUYỄN Thị Lan — ")
    board.by_case.setChecked(True)
    number = [group.key for group in board.model.groups].index(reference)
    heading = board.model.data(board.model.group_index(number))
    assert heading.endswith(f"{reference} · NGUYỄN Thị Lan")


def test_an_urgent_case_comes_first_in_its_group_and_says_so(
    qtbot: Any, store: Any, data_dir: Path, cases: Any
) -> None:
    from amudesk.models import Request

    request_id, reference = cases["marie"]  # the least overdue of the three
    with store.transaction() as session:
        request = session.get(Request, request_id)
        assert request is not None
        request.urgent, request.urgent_reason = True, "hospital"
        session.add(request)
    board = open_board(qtbot, store, data_dir)
    first = board.model.child_index(0, 0)
    assert board.model.data(first) == f"{reference} · DUPONT Marie · urgent"
    plain = row_of(board, cases["lan"][0], "decision")
    assert board.model.data(plain) == f"{cases['lan'][1]} · NGUYỄN Thị Lan"


def test_a_name_changed_in_a_form_follows_on_the_board(
    qtbot: Any, store: Any, data_dir: Path, cases: Any
) -> None:
    """On every request of the person, not only the one whose case was saved."""
    from amudesk.models import Person, Request
    from amudesk.services.cases import RequestData, register_request

    request_id, reference = cases["ayse"]
    with store.transaction() as session:
        first = session.get(Request, request_id)
        again = register_request(
            RequestData(person_id=first.person_id, cpas_id=first.cpas_id, received_at=days_ago(33)),
            session=session,
        )
        other_id, other_reference = again.id, again.reference
    board = open_board(qtbot, store, data_dir)
    with store.transaction() as session:
        person = session.get(Person, session.get(Request, request_id).person_id)
        person.given_names = "Ayşe Nur"
        session.add(person)
    board.recount_case(request_id)
    assert board.model.data(row_of(board, request_id, "decision")) == (
        f"{reference} · ÖZTÜRK Ayşe Nur"
    )
    assert board.model.data(row_of(board, other_id, "decision")) == (
        f"{other_reference} · ÖZTÜRK Ayşe Nur"
    )


# --- several lines ---------------------------------------------------------------------------


def test_three_lines_are_marked_handled_at_once_with_one_reason(
    qtbot: Any, board: Any, cases: Any, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk.ui.markdialog import MarkDialog

    chosen = [cases[name][0] for name in ("lan", "ayse", "marie")]
    click(qtbot, board, row_of(board, chosen[0], "decision"))
    click(qtbot, board, row_of(board, chosen[1], "decision"), Qt.KeyboardModifier.ControlModifier)
    click(qtbot, board, row_of(board, chosen[2], "decision"), Qt.KeyboardModifier.ControlModifier)
    assert [d.case.request_id for d in board.selected_deadlines()] == chosen
    assert board.explanation_text().startswith("3 time limits selected")
    assert board.mark_button.isEnabled() and board.snooze_button.isEnabled()
    assert not board.clear_button.isEnabled() and not board.open_button.isEnabled()
    assert not board.action_button.isVisible()
    calls: list[Any] = []
    monkeypatch.setattr(MarkDialog, "exec", submit_with("Reminder sent to the CPAS", calls))
    changed: list[int] = []
    board.marks_changed.connect(changed.append)
    board.mark_button.click()
    assert len(calls) == 1  # one dialog for the three
    with store.session() as session:
        marks = clock.marks(session=session)
    assert set(marks) == {(request_id, "decision") for request_id in chosen}
    assert {m.reason for m in marks.values()} == {"Reminder sent to the CPAS"}
    assert sorted(changed) == sorted(chosen)
    assert board.message.text() == "3 time limits marked as handled."
    overdue = [(d.case.request_id, d.rule) for d in board.model.groups[0].rows]
    assert all((request_id, "decision") not in overdue for request_id in chosen)


def test_a_done_line_among_those_selected_is_left_as_it_is_and_counted(
    board: Any, cases: Any, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk.ui.markdialog import MarkDialog

    choose(board.show_filter, "all")
    done = [group.key for group in board.model.groups].index("done")
    board.deadline_list.set_group_expanded(done, True)
    late, refused = cases["lan"][0], cases["refused"][0]
    selection = board.table.selectionModel()
    selection.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for index in (row_of(board, late, "decision"), row_of(board, refused, "decision")):
        selection.select(index, flags)
    assert len(board.selected_deadlines()) == 2
    calls: list[Any] = []
    monkeypatch.setattr(MarkDialog, "exec", submit_with("Asked by phone", calls))
    assert board.mark_selected("handled")
    summary = calls[0].findChild(QLabel, "markSummary").text()
    assert "1 selected time limit is done or closed" in summary
    with store.session() as session:
        assert set(clock.marks(session=session)) == {(late, "decision")}
    message = board.message.text()
    assert message.startswith("1 time limit marked as handled.")
    assert "1 selected time limit is done or closed: it was left as it was." in message


def test_ctrl_a_selects_every_line_in_sight(qtbot: Any, board: Any) -> None:
    table = board.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    in_sight = sum(len(group.rows) for group in board.model.groups if group.expanded)
    assert in_sight > 3
    assert len(board.selected_deadlines()) == in_sight
    assert board.explanation_text().startswith(f"{in_sight} time limits selected")
    # Shift+Up from the cursor narrows it down again; a plain move selects one line.
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert len(board.selected_deadlines()) == 1
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert len(board.selected_deadlines()) == 2


# --- footnote and next action ----------------------------------------------------------------


def test_the_setting_s_sentence_is_a_footnote_said_once(board: Any, cases: Any) -> None:
    """A limit due on a working day carries the setting's sentence once, as a footnote; one
    due on a non-working day says in its own paragraph that it does not move. The three
    overdue decisions fell due 10, 5 and 2 days ago: whatever today is, one of them on a
    working day."""
    from amudesk.deadlines import is_working_day

    footnoted = []
    for name, late in (("lan", 10), ("ayse", 5), ("marie", 2)):
        select_only(board, row_of(board, cases[name][0], "decision"))
        text = board.explanation_text()
        paragraph = next(line for line in text.splitlines() if "Request received on" in line)
        assert SETTING not in paragraph, name
        if is_working_day(clock.today_in_brussels() - dt.timedelta(days=late)):
            assert text.count(SETTING) == 1, name
            footnoted.append(name)
        else:
            assert SETTING not in text, name
            assert "does not move to the next working day (setting)" in paragraph, name
    assert footnoted
    select_only(board, row_of(board, cases[footnoted[0]][0], "decision"))
    assert board.details.toHtml().count("font-size:small") >= 1
    deadline = board.selected_deadline()
    assert SETTING in deadline.explanation  # unchanged for the case panel and the JSON


def test_the_next_action_s_button_asks_for_its_form(
    qtbot: Any, store: Any, data_dir: Path, cases: Any
) -> None:
    set_office(store, "cpas")
    board = open_board(qtbot, store, data_dir)
    request_id = cases["lan"][0]
    select_only(board, row_of(board, request_id, "decision"))
    assert board.explanation.next_label.text().startswith("<b>Next action:</b> Record the")
    assert board.action_button.isVisible()
    assert board.action_button.text() == "Record &the decision…"
    with qtbot.waitSignal(board.action_requested) as asked:
        qtbot.keyClick(board.action_button, Qt.Key.Key_Space)
    assert asked.args == [request_id, worklist.RECORD_DECISION]


@pytest.mark.parametrize(
    ("office", "action"), [("cpas", "record the decision"), ("association", "a reminder")]
)
def test_a_reader_is_not_offered_a_next_action_it_could_not_save(
    qtbot: Any, store: Any, data_dir: Path, cases: Any, office: str, action: str
) -> None:
    """On a shared database a reader sees the next action but its button, which opens a
    form or a letter a reader may not save, is disabled and says why; a worker's is not."""
    from amudesk.models import Role

    set_office(store, office)
    store.account = "Bram"
    for role, may in ((Role.READER, False), (Role.WORKER, True)):
        store.role = role
        board = open_board(qtbot, store, data_dir)
        select_only(board, row_of(board, cases["lan"][0], "decision"))
        assert action in board.explanation.next_action_text().lower()
        assert board.action_button.isVisible()
        assert board.action_button.isEnabled() is may
        assert board.open_button.isEnabled()  # looking the case up is a reader's work
        tip = board.action_button.toolTip()
        assert ("may not" in tip) is not may, tip
        if not may:
            assert tip.startswith("A reader may not "), tip


def test_a_late_cpas_gets_the_letter_that_fits_and_a_done_line_asks_nothing(
    qtbot: Any, store: Any, data_dir: Path, cases: Any
) -> None:
    set_office(store, "association")
    board = open_board(qtbot, store, data_dir)
    select_only(board, row_of(board, cases["lan"][0], "decision"))
    said = board.explanation.next_action_text()
    assert said.startswith("CPAS late: send a reminder")
    # Letters exist: the button writes the reminder (from the case, where it is issued).
    assert board.action_button.isVisible() and board.open_button.isEnabled()
    assert board.action_button.text().replace("&", "") == "Write the reminder…"
    choose(board.show_filter, "all")

    def explains_the_done_line() -> bool:
        # A count the desk starts meanwhile (its own bookkeeping) fills the list again:
        # the line is chosen once the list is still.
        if board.is_busy:
            return False
        done = [group.key for group in board.model.groups].index("done")
        board.deadline_list.set_group_expanded(done, True)
        select_only(board, row_of(board, cases["refused"][0], "decision"))
        return board.explanation.next_action_text().startswith("Nothing is left to do")

    qtbot.waitUntil(explains_the_done_line, timeout=20_000)
    assert not board.action_button.isVisible()


# --- in the main window ----------------------------------------------------------------------


class FakeForm:
    opened: list[tuple[str, dict[str, Any]]] = []

    def __init__(self, store: Any, **kwargs: Any) -> None:
        type(self).opened.append((type(self).__name__, kwargs))

    def exec(self) -> int:
        return QDialog.DialogCode.Rejected


@pytest.fixture
def forms(fake_dialog: Any) -> list[tuple[str, dict[str, Any]]]:
    opened: list[tuple[str, dict[str, Any]]] = []
    for module, name in (
        ("amudesk.ui.decisiondialog", "DecisionDialog"),
        ("amudesk.ui.appealdialog", "AppealDialog"),
        ("amudesk.ui.eventdialog", "TransferDialog"),
    ):
        fake_dialog(module, name, type(name, (FakeForm,), {"opened": opened}))
    return opened


def board_of(qtbot: Any, main_window: Any) -> Any:
    main_window.open_deadlines()
    board = main_window.board
    qtbot.waitUntil(lambda: board.model.shown_count() > 0 and not board.is_busy, timeout=20_000)
    return board


@pytest.mark.parametrize(
    ("office", "case", "rule", "form"),
    [
        ("cpas", "lan", "decision", "DecisionDialog"),
        ("association", "refused", "appeal", "AppealDialog"),
    ],
)
def test_the_main_window_shows_the_case_and_opens_the_form(
    qtbot: Any,
    main_window: Any,
    store: Any,
    cases: Any,
    forms: list[Any],
    office: str,
    case: str,
    rule: str,
    form: str,
) -> None:
    set_office(store, office)
    board = board_of(qtbot, main_window)
    request_id = cases[case][0]
    assert board.select(request_id, rule)
    board.action_button.click()
    assert main_window.panel.request_id() == request_id
    assert [name for name, _kwargs in forms] == [form]
    assert forms[0][1]["request_id"] == request_id


def test_a_notification_to_record_opens_the_latest_decision(
    qtbot: Any, main_window: Any, store: Any, add_case: CaseMaker, forms: list[Any]
) -> None:
    from amudesk.services.cases import DecisionData, record_decision

    set_office(store, "cpas")
    request_id, _reference = add_case("Petrov", "Ivan", received_at=days_ago(12))
    with store.transaction() as session:
        decision = record_decision(
            request_id,
            DecisionData(kind="refusal", decided_on=clock.today_in_brussels()),
            session=session,
        )
    board = board_of(qtbot, main_window)
    assert board.select(request_id, "notification")
    assert board.action_button.text() == "Record &the notification…"
    board.action_button.click()
    assert [(name, kwargs["request_id"], kwargs["decision_id"]) for name, kwargs in forms] == [
        ("DecisionDialog", request_id, decision.id)
    ]
