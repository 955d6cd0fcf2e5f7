"""Local alerts: the count of deadlines needing attention, the tray icon and its notifications."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QSystemTrayIcon

from amudesk.services import clock
from amudesk.settings import load_settings, save_settings

CaseMaker = Callable[..., tuple[int, str]]
NISS = "85073003328"  # a checksum-valid national number


def days_ago(days: int) -> dt.datetime:
    return dt.datetime.combine(clock.today_in_brussels() - dt.timedelta(days=days), dt.time(10))


@pytest.fixture
def cases(add_case: CaseMaker) -> dict[str, tuple[int, str]]:
    """One decision overdue (40 days), one due today (30 days), one not yet near (3 days)."""
    return {
        "overdue": add_case("Nguyễn", "Văn An", received_at=days_ago(40), niss=NISS),
        "today": add_case("Öztürk", "Ayşe", received_at=days_ago(30)),
        "recent": add_case("Dupont", "Marie", received_at=days_ago(3)),
    }


@pytest.fixture
def alerts(qtbot: Any, store: Any, data_dir: Path) -> Any:
    from amudesk.ui.alerts import DeadlineAlerts

    made = DeadlineAlerts(store, data_dir)
    yield made
    made.stop()


def count(qtbot: Any, alerts: Any) -> list[int]:
    with qtbot.waitSignal(alerts.counted, timeout=20_000) as counted:
        alerts.check_now()
    return list(counted.args)


def set_interval(data_dir: Path, minutes: int, within_days: int = 7) -> None:
    settings = load_settings(data_dir)
    settings.alert_interval_minutes = minutes
    settings.alert_within_days = within_days
    save_settings(settings, data_dir)


def test_counts_overdue_and_soon(qtbot: Any, alerts: Any, cases: Any) -> None:
    assert count(qtbot, alerts) == [1, 1]
    assert (alerts.overdue, alerts.soon, alerts.count) == (1, 1, 2)
    assert alerts.summary() == "1 overdue, 1 due within 7 days"


def test_notification_names_references_and_rules_only(qtbot: Any, alerts: Any, cases: Any) -> None:
    with qtbot.waitSignal(alerts.notified, timeout=20_000) as notified:
        alerts.check_now()
    text = notified.args[0]
    assert text == alerts.last_message
    assert text.startswith("1 overdue, 1 due within 7 days: ")
    overdue, today = cases["overdue"][1], cases["today"][1]
    assert f"{overdue} (CPAS decision on the request)" in text
    assert f"{today} (CPAS decision on the request)" in text
    assert text.index(today) < text.index(overdue)  # due today is named first
    for personal in ("Nguy", "Văn", "Öztürk", "Ayşe", "Dupont", NISS, "85.07.30"):
        assert personal not in text


def test_notifies_again_only_when_new_items_appear(
    qtbot: Any, alerts: Any, cases: Any, add_case: CaseMaker
) -> None:
    messages: list[str] = []
    alerts.notified.connect(messages.append)
    count(qtbot, alerts)
    assert len(messages) == 1
    count(qtbot, alerts)
    assert len(messages) == 1  # nothing new: no second notification
    _request_id, reference = add_case("Diallo", "Awa", received_at=days_ago(35))
    assert count(qtbot, alerts) == [2, 1]
    assert len(messages) == 2
    # The new one is named first, then the others.
    assert messages[1].startswith(f"2 overdue, 1 due within 7 days: {reference} (")
    assert cases["overdue"][1] in messages[1] and cases["today"][1] in messages[1]


def test_names_what_is_news_first() -> None:
    from amudesk.ui.alerts import Item, count_attention, naming_order

    today = dt.date(2026, 8, 17)
    items = [
        Item(1, "AMU-2026-0001", "decision", dt.date(2026, 1, 5), overdue=True),
        Item(2, "AMU-2026-0002", "decision", dt.date(2026, 8, 20), overdue=False),
        Item(3, "AMU-2026-0003", "decision", dt.date(2026, 8, 16), overdue=True),
        Item(4, "AMU-2026-0004", "decision", today, overdue=False),
    ]
    ordered = sorted(items, key=naming_order(today))
    assert [item.key for item in ordered] == [4, 3, 1, 2]
    assert count_attention([], today=today, within_days=7).total == 0


def test_a_long_list_is_cut_short() -> None:
    from amudesk.ui.alerts import Count, Item, notification_text

    day = dt.date(2026, 8, 17)
    items = tuple(Item(n, f"AMU-2026-{n:04d}", "appeal", day, overdue=True) for n in range(1, 4))
    text = notification_text(Count(overdue=1250, soon=3, items=items, new=3), 7)
    assert text == (
        "1,250 overdue, 3 due within 7 days: AMU-2026-0001 (Appeal to the labour court), "
        "AMU-2026-0002 (Appeal to the labour court), AMU-2026-0003 (Appeal to the labour court), "
        "and 1,250 more"
    )


def test_handled_and_snoozed_deadlines_are_not_counted(
    qtbot: Any, alerts: Any, cases: Any, store: Any
) -> None:
    today = clock.today_in_brussels()
    with store.transaction() as session:
        clock.mark_deadline(cases["overdue"][0], "decision", session=session, kind="handled")
        clock.mark_deadline(
            cases["today"][0],
            "decision",
            session=session,
            kind="snoozed",
            reason="Waiting for the CPAS",
            until=today + dt.timedelta(days=2),
        )
    assert count(qtbot, alerts) == [0, 0]
    assert alerts.summary() == "No deadline needs attention"


def test_within_days_comes_from_the_settings(
    qtbot: Any, alerts: Any, cases: Any, data_dir: Path
) -> None:
    set_interval(data_dir, 60, within_days=0)
    assert count(qtbot, alerts) == [1, 1]  # due today still counts
    assert alerts.summary() == "1 overdue, 1 due within 0 days"
    set_interval(data_dir, 60, within_days=30)
    # The recent request's decision is due in 27 days.
    assert count(qtbot, alerts) == [1, 2]


def test_interval_zero_turns_the_alerts_off(alerts: Any, data_dir: Path) -> None:
    set_interval(data_dir, 0)
    alerts.start()
    assert not alerts.enabled
    assert not alerts.timer.isActive()
    assert alerts.tray is None
    set_interval(data_dir, 15)
    alerts.apply_settings()
    assert alerts.enabled and alerts.timer.isActive()
    assert alerts.timer.interval() == 15 * 60_000
    set_interval(data_dir, 0)
    alerts.apply_settings()
    assert not alerts.timer.isActive()


class FakeTray(QSystemTrayIcon):
    """A tray icon that records its notifications (offscreen has no tray)."""

    messages: list[tuple[str, str]]

    @staticmethod
    def isSystemTrayAvailable() -> bool:  # noqa: N802 (Qt name)
        return True

    def supportsMessages(self) -> bool:  # noqa: N802 (Qt name)
        return True

    def showMessage(self, title: str, text: str, *args: Any) -> None:  # type: ignore[override]  # noqa: N802
        type(self).messages.append((title, text))


def test_tray_icon_shows_the_count_and_notifies(
    qtbot: Any, alerts: Any, cases: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import amudesk.ui.alerts as module

    FakeTray.messages = []
    monkeypatch.setattr(module, "QSystemTrayIcon", FakeTray)
    alerts.start()
    tray = alerts.tray
    assert isinstance(tray, FakeTray)
    assert count(qtbot, alerts) == [1, 1]
    assert tray.toolTip() == "AMU Desk — 1 overdue, 1 due within 7 days"
    assert not tray.icon().isNull()
    assert len(FakeTray.messages) == 1
    title, text = FakeTray.messages[0]
    assert title == "AMU Desk: deadlines" and cases["overdue"][1] in text
    assert "Nguy" not in text and NISS not in text
    menu = tray.contextMenu()
    assert [a.text() for a in menu.actions() if not a.isSeparator()] == [
        "Open &deadlines",
        "&Quit AMU Desk",
    ]
    with qtbot.waitSignal(alerts.open_requested):
        menu.actions()[0].trigger()
    with qtbot.waitSignal(alerts.open_requested):
        tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    with qtbot.waitSignal(alerts.quit_requested):
        menu.actions()[-1].trigger()
    alerts.stop()
    assert not tray.isVisible()


def test_without_a_tray_it_counts_and_logs_once(
    qtbot: Any,
    alerts: Any,
    cases: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: False))
    caplog.set_level(logging.INFO, logger="amudesk.ui.alerts")
    alerts.start()
    alerts.apply_settings()
    assert alerts.tray is None
    assert sum("no system tray" in r.getMessage() for r in caplog.records) == 1
    messages: list[str] = []
    alerts.notified.connect(messages.append)
    assert count(qtbot, alerts) == [1, 1]
    assert messages and cases["today"][1] in messages[0]


def test_icon_badge_changes_with_the_count() -> None:
    from amudesk.ui.alerts import badge_text, tray_pixmap

    empty, five = tray_pixmap(0).toImage(), tray_pixmap(5).toImage()
    assert empty.size() == five.size()
    assert empty != five
    assert tray_pixmap(5).toImage() == five
    assert isinstance(five, QImage)
    assert [badge_text(n) for n in (1, 42, 999, 1000)] == ["1", "42", "999", "999+"]


def as_cpas(store: Any) -> None:
    """The office becomes a CPAS: its own limits coming soon are its to act on (for the
    association of the ``office`` fixture, only the CPAS's overdue ones are)."""
    from amudesk.services.office import get_office

    with store.transaction() as session:
        office = get_office(session=session)
        office.kind = "cpas"
        session.add(office)


def test_main_window_shows_the_count(
    qtbot: Any, main_window: Any, alerts: Any, cases: Any, store: Any
) -> None:
    as_cpas(store)
    main_window.attach_alerts(alerts)
    count(qtbot, alerts)
    badge = main_window.deadline_badge
    assert badge.isVisible() and badge.text() == "⚠ 2 deadlines"
    assert "1 overdue, 1 due within 7 days" in badge.toolTip()


def test_a_mark_in_the_board_asks_for_a_new_count(
    qtbot: Any,
    main_window: Any,
    alerts: Any,
    cases: Any,
    store: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import amudesk.ui.alerts as module
    from amudesk.ui.markdialog import MarkDialog

    as_cpas(store)
    monkeypatch.setattr(module, "CHANGE_DELAY_MS", 0)
    main_window.attach_alerts(alerts)
    set_interval(main_window.data_dir, 60)
    alerts.apply_settings()
    count(qtbot, alerts)

    def handled(dialog: Any) -> int:
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(MarkDialog, "exec", handled)
    main_window.open_deadlines()
    board = main_window.board
    qtbot.waitUntil(lambda: not board.is_busy, timeout=20_000)
    assert board.select(cases["overdue"][0], "decision")
    with qtbot.waitSignal(alerts.counted, timeout=20_000) as counted:
        board.mark_selected("handled")
    assert counted.args == [0, 1]
    assert main_window.deadline_badge.text() == "⚠ 1 deadline"


def test_the_count_holds_what_this_office_can_act_on() -> None:
    """Received 40 days ago, no decision: the CPAS's decision is overdue, the claimant's
    appeal runs; received 25 days ago: the CPAS's decision comes within 7 days."""
    from amudesk.deadlines import CaseFacts, Clock
    from amudesk.ui.alerts import count_attention

    today = dt.date(2026, 8, 17)
    clock_ = Clock(today=today)
    late = CaseFacts(1, "AMU-2026-0001", received_on=today - dt.timedelta(days=40))
    soon = CaseFacts(2, "AMU-2026-0002", received_on=today - dt.timedelta(days=25))
    deadlines = clock_.deadlines(late) + clock_.deadlines(soon)

    def counted(kind: str | None) -> tuple[int, int, set[tuple[str, str]]]:
        found = count_attention(deadlines, today=today, within_days=7, office_kind=kind)
        return found.overdue, found.soon, {(i.reference, i.rule) for i in found.items}

    # A CPAS: its own decisions, the late one and the one coming.
    assert counted("cpas") == (
        1,
        1,
        {("AMU-2026-0001", "decision"), ("AMU-2026-0002", "decision")},
    )
    # An association: the CPAS's late decision only (a reminder is due); the coming one is
    # the CPAS's business, and no appeal window ends within 7 days.
    assert counted("association") == (1, 0, {("AMU-2026-0001", "decision")})
    assert counted(None) == counted("cpas")
