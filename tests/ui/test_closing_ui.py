"""Closing and reopening a case from its panel, closing idle cases in one go, and the case
list's next-deadline column and filters."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QPushButton
from sqlalchemy import func, update
from sqlmodel import col, select

from amudesk.models import AuditEntry, Request
from amudesk.services import clock, closing
from amudesk.ui import casemodel
from amudesk.ui.closedialog import CloseCaseDialog, IdleCasesDialog, ReopenDialog

TODAY = clock.today_in_brussels()
LONG_AGO = dt.datetime(2024, 2, 5, 9, 0)


def show(qtbot: Any, dialog: QDialog) -> Any:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def closed_reason(store: Any, request_id: int) -> tuple[str | None, str]:
    with store.session() as session:
        request = session.get(Request, request_id)
        assert request is not None
        return request.closed_reason, request.closed_note


def test_the_close_dialog_needs_a_note_for_other_and_saves_nothing_until_right(
    qtbot: Any, store: Any, add_case: Callable[..., tuple[int, str]]
) -> None:
    request_id, reference = add_case("Константинопольская", "Анна-Мария")
    dialog = show(qtbot, CloseCaseDialog(store, request_id=request_id))
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert reference in texts and "КОНСТАНТИНОПОЛЬСКАЯ Анна-Мария" in texts
    dialog.reason.setCurrentIndex(dialog.reason.findData("other"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Note:" in dialog.error_label.text()
    assert closed_reason(store, request_id) == (None, "")
    dialog.note.setText("a\u202eb")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "U+202E" in dialog.error_label.text()
    dialog.note.setText("Suivi repris par l'hôpital Saint-Pierre")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert closed_reason(store, request_id) == ("other", "Suivi repris par l'hôpital Saint-Pierre")
    reopen = show(qtbot, ReopenDialog(store, request_id=request_id))
    qtbot.mouseClick(reopen.ok_button, Qt.MouseButton.LeftButton)
    assert reopen.result() == QDialog.DialogCode.Accepted
    assert closed_reason(store, request_id) == (None, "")
    with store.session() as session:
        actions = list(
            session.scalars(
                select(col(AuditEntry.action)).where(
                    col(AuditEntry.action).in_(["close", "reopen"])
                )
            )
        )
    assert actions == ["close", "reopen"]


def test_the_panel_shows_the_clocks_first_and_closes_and_reopens_the_case(
    qtbot: Any,
    store: Any,
    add_case: Callable[..., tuple[int, str]],
    main_window: Any,
    fake_dialog: Callable[[str, str, type], None],
) -> None:
    request_id, reference = add_case(
        "Ștefănescu-Иванова", "Zoë", received_at=dt.datetime(2026, 9, 1, 9, 0)
    )
    window = main_window
    window.apply_filter(force=True)
    window.table.selectRow(window.model.row_of(request_id))
    content = window.panel.widget()
    following = content.findChild(QLabel, "nextDeadline")
    assert following is not None
    assert following.plain_text() == (
        "Next: CPAS decision on the request, due Thu 1 Oct 2026 (Overdue)."
    )
    person = [
        w for w in content.findChildren(QLabel, "sectionTitle") if w.accessibleName() == "Person"
    ]
    assert person and following.y() < person[0].y()  # above the person's details
    row = window.model.row_of(request_id)
    cell = window.model.index(row, casemodel.NEXT_COLUMN)
    assert window.model.data(cell) == "1 Oct 2026 · CPAS decision on the request"
    assert window.model.data(cell, Qt.ItemDataRole.ForegroundRole).name() == "#a4000f"

    class Close:
        def __init__(self, store: Any, *, request_id: int, parent: Any = None) -> None:
            self.store, self.request_id = store, request_id

        def exec(self) -> int:
            with self.store.transaction() as session:
                closing.close_case(self.request_id, session=session, reason="left")
            return QDialog.DialogCode.Accepted

    fake_dialog("amudesk.ui.closedialog", "CloseCaseDialog", Close)
    button = content.findChild(QPushButton, "closeCase")
    assert button is not None
    with qtbot.waitSignal(window.panel.changed):
        button.click()
    content = window.panel.widget()
    banner = content.findChild(QLabel, "caseClosed")
    assert banner is not None and "Person left or cannot be reached" in banner.text()
    assert "Case closed: Person left or cannot be reached." in window.panel.text()  # timeline
    assert content.findChild(QLabel, "nextDeadline") is None
    assert content.findChild(QPushButton, "reopenCase") is not None
    qtbot.waitUntil(
        lambda: window.model.data(window.model.index(0, casemodel.STATUS_COLUMN)) == "Closed"
    )
    combo = window.status_filter
    combo.setCurrentIndex(combo.findData("open"))
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    combo.setCurrentIndex(combo.findData("closed"))
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert window.model.request_id_at(0) == request_id


def test_idle_cases_are_listed_and_closed_in_one_go(
    qtbot: Any, store: Any, add_case: Callable[..., tuple[int, str]]
) -> None:
    idle = [add_case(f"Diallo {n}", "Awa", received_at=LONG_AGO) for n in range(3)]
    recent, _reference = add_case("Nguyễn", "Lan", received_at=dt.datetime(2026, 10, 1, 9, 0))
    with store.transaction() as session:
        for request_id, _ref in idle:
            request = session.get(Request, request_id)
            assert request is not None
            request.updated_at = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
            session.add(request)
    dialog = show(qtbot, IdleCasesDialog(store))
    qtbot.waitUntil(lambda: dialog.count_label.text() == "3 cases can be closed.")
    assert dialog.references.count() == 3
    assert dialog.ok_button.text() == "Close 3 cases" and dialog.ok_button.isEnabled()
    dialog.months.setValue(120)
    assert not dialog.ok_button.isEnabled()  # until the cases of 120 months are found
    qtbot.waitUntil(lambda: dialog.count_label.text() == "No case has been idle that long.")
    assert not dialog.ok_button.isEnabled()
    dialog.months.setValue(12)
    qtbot.waitUntil(dialog.ok_button.isEnabled)
    dialog.reason.setCurrentIndex(dialog.reason.findData("other"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Note:" in dialog.error_label.text()  # nothing started
    assert not dialog.busy and closed_reason(store, idle[0][0]) == (None, "")
    dialog.reason.setCurrentIndex(dialog.reason.findData("withdrawn"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    assert dialog.closed == 3
    for request_id, _ref in idle:
        assert closed_reason(store, request_id) == ("withdrawn", "")
    assert closed_reason(store, recent) == (None, "")


def test_closing_idle_cases_runs_off_the_window_and_cancel_keeps_what_is_closed(
    qtbot: Any, store: Any, cpas_ids: list[int], monkeypatch: Any
) -> None:
    """Hundreds of cases: OK returns at once with the progress shown and the fields
    locked; Cancel stops between two batches; the dialog says how many it closed, and
    that is exactly how many the database holds closed."""
    from tests.ui.conftest import bulk_cases

    monkeypatch.setattr(closing, "CLOSE_BATCH", 25)
    bulk_cases(store, cpas_ids[0], 300)  # received in January 2025, untouched since
    with store.transaction() as session:
        session.execute(update(Request).values(updated_at=dt.datetime(2025, 1, 31, tzinfo=dt.UTC)))
    # The second batch waits, inside its transaction, until Esc was pressed: it is then
    # committed, and no third one starts.
    pressed = threading.Event()
    real = closing.close_many
    batches: list[int] = []

    def second_waits(request_ids: Any, **kwargs: Any) -> int:
        batches.append(len(request_ids))
        if len(batches) == 2:
            pressed.wait(10)
        return real(request_ids, **kwargs)

    monkeypatch.setattr(closing, "close_many", second_waits)
    dialog = show(qtbot, IdleCasesDialog(store))
    qtbot.waitUntil(lambda: dialog.count_label.text() == "300 cases can be closed.")
    dialog.reason.setCurrentIndex(dialog.reason.findData("left"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.busy and dialog.progress.isVisible()
    assert not dialog.months.isEnabled() and not dialog.ok_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.progress.value() == 25)  # the first batch committed
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # stop after the current batch
    assert dialog.isVisible() and "Stopping" in dialog.count_label.text()
    pressed.set()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with store.session() as session:
        closed = session.scalar(
            select(func.count()).select_from(Request).where(col(Request.closed_on).is_not(None))
        )
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.closed == closed == 50 and batches == [25, 25]


def test_the_list_sorts_by_next_deadline(
    qtbot: Any, store: Any, add_case: Callable[..., tuple[int, str]], main_window: Any
) -> None:
    later = add_case("Later", "A", received_at=dt.datetime(2026, 11, 30, 9, 0))[0]
    sooner = add_case("Sooner", "B", received_at=dt.datetime(2026, 10, 1, 9, 0))[0]
    window = main_window
    window.apply_filter(force=True)
    window.table.sortByColumn(casemodel.NEXT_COLUMN, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: window.model.sort_key == "next_due")
    assert [window.model.request_id_at(row) for row in range(2)] == [sooner, later]


def test_the_window_brings_the_next_limits_to_a_new_day_off_the_ui_thread(
    qtbot: Any, store: Any, data_dir: Any, add_case: Callable[..., tuple[int, str]]
) -> None:
    from amudesk.services import nextdue
    from amudesk.ui.nextlimits import NextLimits

    request_id, _reference = add_case("Diallo", "Awa", received_at=dt.datetime(2026, 10, 1, 9))
    yesterday = TODAY - dt.timedelta(days=1)
    nextdue.refresh_all(store, today=yesterday - dt.timedelta(days=60))
    with store.session() as session:
        stale = session.get(Request, request_id)
        assert stale is not None and stale.next_state == "upcoming"
    keeper = NextLimits(store, data_dir)
    with qtbot.waitSignal(keeper.refreshed) as signal:
        keeper.start()
    assert signal.args == ["day"]
    with store.session() as session:
        fresh = session.get(Request, request_id)
        assert fresh is not None and fresh.next_state == "overdue"
    keeper.check()  # the same day: nothing to do, no task
    assert keeper.task is None
    keeper.stop()


def test_many_long_overdue_cases_prompt_one_offer_to_close_them(
    qtbot: Any, store: Any, cpas_ids: list[int], main_window: Any, monkeypatch: Any
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from amudesk.ui.idlecases import OFFER_ABOVE, offer_review
    from tests.ui.conftest import bulk_cases

    bulk_cases(store, cpas_ids[0], OFFER_ABOVE)  # received in January 2025, never decided
    assert offer_review(main_window) == ""  # not more than OFFER_ABOVE: nothing asked
    bulk_cases(store, cpas_ids[1], 1)
    seen: list[str] = []

    def answer(text: str) -> None:
        box = QApplication.activeModalWidget()
        assert box is not None
        seen.append(box.text())
        for button in box.buttons():
            if button.text() == text:
                button.click()

    QTimer.singleShot(0, lambda: answer("Later"))
    assert offer_review(main_window) == "later"
    assert seen == [
        f"{OFFER_ABOVE + 1} cases have had a time limit overdue for more than six months."
    ]
    assert offer_review(main_window) == ""  # asked once per data folder


def test_a_closed_case_counts_in_no_alert_and_reopening_restores_it(
    store: Any, add_case: Callable[..., tuple[int, str]]
) -> None:
    from amudesk.ui.alerts import count_attention

    late, _reference = add_case("Diallo", "Awa", received_at=dt.datetime(2026, 9, 1, 9))
    add_case("Nguyễn", "Lan", received_at=dt.datetime(2026, 9, 2, 9))

    def counted() -> tuple[int, set[str]]:
        with store.session() as session:
            items = clock.deadlines(session=session)
        count = count_attention(items, today=TODAY, within_days=7, office_kind="cpas")
        return count.total, {item.reference for item in count.items}

    total, named = counted()
    assert total == 2 and len(named) == 2
    with store.transaction() as session:
        reference = closing.close_case(late, session=session, reason="left").reference
    closed_total, closed_named = counted()
    assert closed_total == 1 and reference not in closed_named
    with store.transaction() as session:
        closing.reopen_case(late, session=session)
    assert counted() == (total, named)
