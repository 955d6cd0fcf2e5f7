"""The audit trail window: pages, filters, the chain check off the UI thread, keyboard, size."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from amudesk import i18n
from amudesk.services import audit
from amudesk.ui.auditdialog import (
    ACTION,
    DETAIL,
    NUMBER,
    PAGE_SIZE,
    RECORD,
    REFERENCE,
    WHEN,
    WHO,
    AuditDialog,
)

SCREEN = (1366, 768)
ACTIONS = ("create", "edit", "print", "export", "delete")
MOMENT = dt.datetime(2026, 11, 24, 9, 15, tzinfo=dt.UTC)


def fill(store: Any, size: int) -> None:
    with store.transaction() as session:
        for number in range(1, size + 1):
            audit.record(
                ACTIONS[number % len(ACTIONS)],
                session=session,
                entity="request",
                entity_id=number,
                reference=f"AMU-2026-{number % 7 + 1:04d}",
                detail=f"fields=status;n={number}",
                actor="desk",
                at=MOMENT + dt.timedelta(minutes=number),
            )


def tamper(store: Any, statement: str) -> None:
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_no_update")
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_no_delete")
        connection.exec_driver_sql(statement)


def open_dialog(qtbot: Any, store: Any) -> AuditDialog:
    dialog = AuditDialog(store)
    qtbot.addWidget(dialog, before_close_func=lambda widget: widget.stop())
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.fixture
def dialog(qtbot: Any, store: Any) -> Iterator[AuditDialog]:
    fill(store, 450)
    yield open_dialog(qtbot, store)


def shown_ids(dialog: AuditDialog) -> list[int | None]:
    return [dialog.model.entry_id_at(row) for row in range(dialog.model.rowCount())]


def run_check(qtbot: Any, dialog: AuditDialog) -> Any:
    with qtbot.waitSignal(dialog.verified, timeout=20_000) as signal:
        qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_busy)
    return signal.args[0]


# --- the list ---------------------------------------------------------------------------


def test_the_list_is_read_page_by_page_newest_first(qtbot: Any, dialog: AuditDialog) -> None:
    model = dialog.model
    assert model.total == 450
    assert model.rowCount() == PAGE_SIZE
    assert shown_ids(dialog)[:3] == [450, 449, 448]
    assert model.canFetchMore(QModelIndex())
    assert dialog.count_label.text() == "450 entries"
    dialog.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 400)
    dialog.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 450)
    assert not model.canFetchMore(QModelIndex())
    assert shown_ids(dialog)[-1] == 1


def test_rows_are_formatted_for_people(dialog: AuditDialog) -> None:
    texts = dialog.model.texts_at(0)  # entry 450: 'create', request 450
    assert texts[NUMBER] == "450"
    assert texts[WHEN] == i18n.format_datetime(MOMENT + dt.timedelta(minutes=450))
    assert texts[WHO] == "desk"
    assert texts[ACTION] == "Created"
    assert texts[RECORD] == "Request"  # named by its reference, not its internal number
    assert texts[REFERENCE] == "AMU-2026-0003"
    assert texts[DETAIL] == "fields=status;n=450"
    tooltip = dialog.model.data(dialog.model.index(0, NUMBER), Qt.ItemDataRole.ToolTipRole)
    assert "Entry 450" in tooltip
    headers = [
        dialog.model.headerData(c, Qt.Orientation.Horizontal)
        for c in range(dialog.model.columnCount())
    ]
    assert headers == ["No.", "When", "Who", "Action", "Record", "Reference", "Detail"]


def test_a_persons_entries_name_their_latest_request(qtbot: Any, store: Any) -> None:
    from amudesk.models import Person, Request

    with store.transaction() as session:
        someone = Person(family_name="Konstantinopolskaya", given_names="Anna", niss="85073003328")
        alone = Person(family_name="Öztürk")
        session.add_all([someone, alone])
        session.flush()
        assert someone.id is not None and alone.id is not None
        for number, day in ((41, 2), (42, 9)):
            received = MOMENT.replace(day=day)
            session.add(
                Request(
                    reference=f"AMU-2026-00{number}", person_id=someone.id, received_at=received
                )
            )
        session.flush()
        for person_id in (someone.id, alone.id):
            audit.record(
                "edit",
                session=session,
                entity="person",
                entity_id=person_id,
                detail="fields=phone",
                actor="desk",
            )
    dialog = open_dialog(qtbot, store)
    model = dialog.model
    newest, older = model.texts_at(0), model.texts_at(1)
    assert (older[RECORD], older[REFERENCE]) == ("Person", "AMU-2026-0042")
    assert (newest[RECORD], newest[REFERENCE]) == ("Person", "person without a request")
    tip = model.data(model.index(1, REFERENCE), Qt.ItemDataRole.ToolTipRole)
    assert tip == "AMU-2026-0042 — The person's latest request"
    shown = " ".join(" ".join(model.texts_at(row)) for row in range(model.rowCount()))
    assert "Konstantinopolskaya" not in shown and "85073003328" not in shown
    # The reference box finds the person's entry by that reference.
    qtbot.keyClicks(dialog.reference_edit, "0042")
    qtbot.keyClick(dialog.reference_edit, Qt.Key.Key_Return)
    assert model.total == 1 and model.texts_at(0)[REFERENCE] == "AMU-2026-0042"


def test_the_action_filter(qtbot: Any, dialog: AuditDialog) -> None:
    combo = dialog.action_filter
    assert combo.itemText(0) == "All actions"
    combo.setCurrentIndex(combo.findData("print"))
    model = dialog.model
    assert model.total == 90
    assert {model.texts_at(row)[ACTION] for row in range(model.rowCount())} == {"Printed"}
    assert dialog.count_label.text() == "90 entries"
    combo.setCurrentIndex(combo.findData("rekey"))  # known, never recorded
    assert model.total == 0 and model.rowCount() == 0
    assert dialog.count_label.text() == "0 entries"
    combo.setCurrentIndex(0)
    assert model.total == 450


def test_the_reference_box_filters_as_you_type(qtbot: Any, dialog: AuditDialog) -> None:
    qtbot.keyClicks(dialog.reference_edit, "0004")
    model = dialog.model
    qtbot.waitUntil(lambda: model.reference == "0004")
    refs = {model.texts_at(row)[REFERENCE] for row in range(model.rowCount())}
    assert refs == {"AMU-2026-0004"}
    assert model.total == 64
    # Both filters at once; Enter applies at once and moves to the list.
    dialog.action_filter.setCurrentIndex(dialog.action_filter.findData("print"))
    dialog.reference_edit.clear()
    qtbot.keyClicks(dialog.reference_edit, "amu-2026-0001")
    qtbot.keyClick(dialog.reference_edit, Qt.Key.Key_Return)
    assert model.reference == "amu-2026-0001"
    rows = {
        model.texts_at(r)[ACTION] + model.texts_at(r)[REFERENCE] for r in range(model.rowCount())
    }
    assert rows == {"PrintedAMU-2026-0001"}
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.table)
    assert dialog.table.currentIndex().row() == 0


# --- the check --------------------------------------------------------------------------


def test_the_check_says_intact_then_finds_an_edited_entry(
    qtbot: Any, store: Any, dialog: AuditDialog
) -> None:
    result = run_check(qtbot, dialog)
    assert isinstance(result, audit.VerifyResult) and result.intact
    assert dialog.result_text() == "The chain is intact (450 entries)."
    assert not dialog.go_button.isVisibleTo(dialog)

    tamper(store, "UPDATE audit_entry SET detail = 'fields=nothing' WHERE id = 17")
    result = run_check(qtbot, dialog)
    assert (result.intact, result.entry_id) == (False, 17)
    assert "Entry 17 was changed" in dialog.result_text()
    assert dialog.go_button.isVisibleTo(dialog)
    # The broken entry is fetched (page 3), selected and marked.
    current = dialog.table.currentIndex()
    assert dialog.model.entry_id_at(current.row()) == 17
    assert dialog.model.texts_at(current.row())[DETAIL] == "fields=nothing"  # read again
    index = dialog.model.index(current.row(), NUMBER)
    assert dialog.model.data(index, Qt.ItemDataRole.ForegroundRole) is not None
    assert "first broken link" in dialog.model.data(index, Qt.ItemDataRole.AccessibleTextRole)


def test_going_to_a_broken_link_hidden_by_the_filters(
    qtbot: Any, store: Any, dialog: AuditDialog
) -> None:
    tamper(store, "DELETE FROM audit_entry WHERE id = 40")
    dialog.action_filter.setCurrentIndex(dialog.action_filter.findData("print"))  # 41 is 'edit'
    result = run_check(qtbot, dialog)
    assert result.entry_id == 41
    assert "Entry 41 does not follow entry 39" in dialog.result_text()
    assert dialog.action_filter.currentIndex() == 0  # cleared to show the entry
    assert dialog.model.entry_id_at(dialog.table.currentIndex().row()) == 41


def test_the_check_runs_off_the_ui_thread_and_can_be_cancelled(
    qtbot: Any, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()
    ui_thread = threading.get_ident()
    threads: list[int] = []

    def slow_verify(*, session: Any, progress: Any = None) -> audit.VerifyResult:
        threads.append(threading.get_ident())
        started.set()
        while not release.wait(0.01):
            progress(0, 10)  # raises once Cancel was pressed
        return audit.VerifyResult(intact=True, checked=0)

    monkeypatch.setattr(audit, "verify", slow_verify)
    dialog = open_dialog(qtbot, store)
    dialog.verify_button.click()
    qtbot.waitUntil(started.is_set)
    assert dialog.is_busy and dialog.cancel_button.isVisible()
    assert not dialog.verify_button.isEnabled()
    assert threads and threads[0] != ui_thread
    with qtbot.waitSignal(dialog.verified, timeout=10_000) as signal:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    from amudesk.ui.workers import Cancelled

    assert isinstance(signal.args[0], Cancelled)
    assert dialog.result_text() == "Check cancelled."
    assert dialog.verify_button.isEnabled() and not dialog.cancel_button.isVisible()


def test_closing_during_a_check_stops_it(
    qtbot: Any, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = threading.Event()

    def endless(*, session: Any, progress: Any = None) -> audit.VerifyResult:
        started.set()
        while True:
            progress(0, 10)
            threading.Event().wait(0.01)

    monkeypatch.setattr(audit, "verify", endless)
    dialog = open_dialog(qtbot, store)
    dialog.verify()
    qtbot.waitUntil(started.is_set)
    task = dialog.tasks.task
    dialog.reject()  # Esc or Close
    assert not dialog.isVisible()
    assert task.wait(0)  # the worker thread has ended


# --- keyboard and screen ----------------------------------------------------------------


def test_keyboard_names_and_screen(qtbot: Any, store: Any, dialog: AuditDialog) -> None:
    d = dialog
    assert d.focusWidget() is d.table and d.table.currentIndex().row() == 0
    expected = [d.action_filter, d.reference_edit, d.table, d.verify_button, d.close_button]
    d.activateWindow()
    d.action_filter.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: d.focusWidget() is d.action_filter)
    visited: list[QWidget | None] = [d.action_filter]
    for _ in range(len(expected) - 1):
        current = d.focusWidget()
        assert current is not None
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        visited.append(d.focusWidget())
    assert visited == expected
    # Once there is an answer, Tab reaches it (to read or copy) after the button.
    run_check(qtbot, d)
    d.verify_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(d.verify_button, Qt.Key.Key_Tab)
    assert d.focusWidget() is d.result_label
    inputs = (QLineEdit, QComboBox, QAbstractButton)
    unnamed = [
        type(w).__name__
        for w in d.findChildren(QWidget)
        if isinstance(w, inputs)
        and w.isVisibleTo(d)
        and not w.accessibleName()
        and type(w).__name__ != "QToolButton"
    ]
    assert unnamed == [] and d.table.accessibleName()
    for label in d.findChildren(QLabel):
        if label.buddy() is not None:
            assert "&" in label.text(), label.text()
    assert not any(b.isDefault() or b.autoDefault() for b in d.findChildren(QPushButton))
    assert d.width() <= SCREEN[0] and d.height() <= SCREEN[1] - 68
    hint = d.minimumSizeHint()
    assert hint.width() <= SCREEN[0] and hint.height() <= SCREEN[1] - 68


def test_entries_written_meanwhile_appear_on_refresh(
    qtbot: Any, store: Any, dialog: AuditDialog
) -> None:
    with store.transaction() as session:
        audit.record("backup", session=session, actor="desk", detail="file=x.sqlite3")
    assert dialog.model.total == 450
    qtbot.keyClick(dialog.table, Qt.Key.Key_F5)
    assert dialog.model.total == 451
    assert dialog.model.texts_at(0)[ACTION] == "Backed up"
