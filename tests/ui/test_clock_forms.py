"""The legal clock in the forms: how a decision was notified, transfers and appeals, the
case panel's time limits and the clock settings (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from amudesk.dates import brussels_today
from amudesk.deadlines import State
from amudesk.services import cases, clock
from amudesk.settings import load_settings, settings_path
from amudesk.ui.decisiondialog import DecisionDialog
from amudesk.ui.eventdialog import AppealDialog, EventDateDialog, TransferDialog
from amudesk.ui.kit.fielderrors import INVALID_PROPERTY
from amudesk.ui.settingsdialog import SettingsDialog

JULY_FIRST = dt.datetime(2026, 7, 1, 10, 0)


def show(qtbot: Any, dialog: QDialog) -> Any:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def click_ok(qtbot: Any, dialog: Any) -> None:
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def type_date(qtbot: Any, edit: Any, text: str) -> None:
    """Replace the date in an OptionalDateEdit by typing it."""
    edit.edit.clear()
    qtbot.keyClicks(edit.edit, text)


def choose_method(dialog: DecisionDialog, method: str | None) -> None:
    combo = dialog.notification_method
    combo.setCurrentIndex(combo.findData(method))


def the_decision(store: Any, request_id: int) -> Any:
    with store.session() as session:
        [decision] = cases.get_case(request_id, session=session).decisions
        return decision


def the_request(store: Any, request_id: int) -> Any:
    with store.session() as session:
        return cases.get_request(request_id, session=session)


def deadline_of(store: Any, request_id: int, rule: str) -> Any:
    with store.session() as session:
        found = clock.deadlines(session=session, request_ids=[request_id])
    return next((d for d in found if d.rule == rule), None)


def assert_refused(dialog: Any, field: str, text: str) -> None:
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert text in dialog.error_label.text()
    assert dialog.fields[field].property(INVALID_PROPERTY) is True


def assert_named(dialog: QDialog) -> None:
    inputs = (QLineEdit, QComboBox, QAbstractButton)
    unnamed = [
        type(w).__name__
        for w in dialog.findChildren(QWidget)
        if isinstance(w, inputs)
        and w.isVisibleTo(dialog)
        and not w.accessibleName()
        and type(w).__name__ != "QToolButton"
    ]
    assert unnamed == []


def tab_chain(qtbot: Any, dialog: QDialog, start: QWidget, steps: int) -> list[QWidget]:
    dialog.activateWindow()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: dialog.focusWidget() is start)
    visited = [start]
    for _ in range(steps):
        current = dialog.focusWidget()
        assert current is not None
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        visited.append(dialog.focusWidget())
    return visited


@pytest.fixture
def july_case(add_case: Callable[..., tuple[int, str]]) -> int:
    """A request received on Wednesday 1 July 2026."""
    return add_case("Nguyễn", "Văn An", received_at=JULY_FIRST)[0]


def refusal_dialog(qtbot: Any, store: Any, request_id: int) -> DecisionDialog:
    dialog = show(qtbot, DecisionDialog(store, request_id=request_id))
    dialog.kinds["refusal"].setChecked(True)
    type_date(qtbot, dialog.decided_on, "10/08/2026")
    return dialog


# --- the decision: how it was notified -----------------------------------------------------


@pytest.mark.parametrize("leave_empty", [False, True])
def test_registered_letter_takes_effect_the_third_working_day(
    qtbot: Any, store: Any, july_case: int, leave_empty: bool
) -> None:
    dialog = refusal_dialog(qtbot, store, july_case)
    choose_method(dialog, "registered")
    assert dialog.posted_on.isEnabled()
    assert "Give the posting date" in dialog.notification_hint.text()
    # Thursday 13 August: Friday 14, then 15 August (a legal holiday, a Saturday) and
    # Sunday 16 do not count, Monday 17, Tuesday 18.
    type_date(qtbot, dialog.posted_on, "13/08/2026")
    hint = dialog.notification_hint.text()
    assert "Takes effect on Tue 18 Aug 2026" in hint
    assert "third working day after posting (Code judiciaire art. 53bis)" in hint
    assert dialog.notified_on.value() == dt.date(2026, 8, 18)
    if leave_empty:
        dialog.notified_on.edit.clear()  # the service fills it in
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    decision = the_decision(store, july_case)
    assert decision.notification_method == "registered"
    assert decision.posted_on == dt.date(2026, 8, 13)
    assert decision.notified_on == dt.date(2026, 8, 18)
    again = show(qtbot, DecisionDialog(store, request_id=july_case, decision_id=decision.id))
    assert again.method() == "registered" and again.posted_on.isEnabled()
    assert again.posted_on.value() == dt.date(2026, 8, 13)
    assert again.notified_on.value() == dt.date(2026, 8, 18)
    assert "Tue 18 Aug 2026" in again.notification_hint.text()


def test_the_notified_day_follows_the_posting_day_until_typed(
    qtbot: Any, store: Any, july_case: int
) -> None:
    dialog = refusal_dialog(qtbot, store, july_case)
    choose_method(dialog, "registered")
    type_date(qtbot, dialog.posted_on, "13/08/2026")
    type_date(qtbot, dialog.posted_on, "03/08/2026")  # Monday → Thursday 6 August
    assert dialog.notified_on.value() == dt.date(2026, 8, 6)
    type_date(qtbot, dialog.notified_on, "10/08/2026")  # the claimant proved a later day
    type_date(qtbot, dialog.posted_on, "04/08/2026")
    assert dialog.notified_on.value() == dt.date(2026, 8, 10)


def test_a_letter_not_yet_in_effect_leaves_the_notified_day_empty(
    qtbot: Any, store: Any, add_case: Callable[..., tuple[int, str]]
) -> None:
    request_id, _reference = add_case(
        "Dupont", "Marie", received_at=dt.datetime.now() - dt.timedelta(days=10)
    )
    today = brussels_today()
    dialog = show(qtbot, DecisionDialog(store, request_id=request_id))
    dialog.kinds["refusal"].setChecked(True)
    choose_method(dialog, "registered")
    dialog.posted_on.set_value(today)  # takes effect at the earliest in three days
    assert "That day has not come yet" in dialog.notification_hint.text()
    assert dialog.notified_on.value() is None
    assert not dialog.mentions["reasons"].isEnabled()
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    decision = the_decision(store, request_id)
    assert (decision.posted_on, decision.notified_on) == (today, None)
    assert deadline_of(store, request_id, "notification").state == State.DONE
    # The clock already knows the letter's effect day: the appeal runs from it.
    assert deadline_of(store, request_id, "appeal").state == State.UPCOMING


def test_posting_day_only_for_a_registered_letter(qtbot: Any, store: Any, july_case: int) -> None:
    dialog = refusal_dialog(qtbot, store, july_case)
    choose_method(dialog, "registered")
    type_date(qtbot, dialog.posted_on, "13/08/2026")
    assert dialog.notified_on.value() == dt.date(2026, 8, 18)
    choose_method(dialog, "hand")
    assert not dialog.posted_on.isEnabled()
    assert not dialog.posted_label.isEnabled()
    assert dialog.notified_on.value() is None  # it came from the posting day
    assert "handed over against a receipt" in dialog.notification_hint.text()
    type_date(qtbot, dialog.notified_on, "12/08/2026")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    decision = the_decision(store, july_case)
    assert decision.notification_method == "hand"
    assert decision.posted_on is None
    assert decision.notified_on == dt.date(2026, 8, 12)


def test_posting_before_the_decision_is_shown_on_its_field(
    qtbot: Any, store: Any, july_case: int
) -> None:
    dialog = refusal_dialog(qtbot, store, july_case)
    choose_method(dialog, "registered")
    type_date(qtbot, dialog.posted_on, "07/08/2026")
    click_ok(qtbot, dialog)
    assert_refused(dialog, "posted_on", "Posted on: the letter cannot be posted before")
    assert dialog.focusWidget() is dialog.posted_on.edit
    with store.session() as session:
        assert cases.get_case(july_case, session=session).decisions == []


def test_a_missing_mention_keeps_the_appeal_clock_from_starting(
    qtbot: Any, store: Any, july_case: int
) -> None:
    dialog = refusal_dialog(qtbot, store, july_case)
    assert not dialog.mentions["court_address"].isEnabled()  # nothing notified yet
    choose_method(dialog, "hand")
    type_date(qtbot, dialog.notified_on, "12/08/2026")
    assert dialog.mentions["court_address"].isEnabled()
    assert "Charte de l'assuré social, art. 14" in dialog.mentions_hint.text()
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    running = deadline_of(store, july_case, "appeal")
    assert running.state != State.NOT_STARTED  # unticked: the claimant's clock runs
    assert running.due == dt.date(2026, 11, 12)

    decision_id = the_decision(store, july_case).id
    again = show(qtbot, DecisionDialog(store, request_id=july_case, decision_id=decision_id))
    assert again.method() == "hand"
    assert again.notified_on.value() == dt.date(2026, 8, 12)
    assert not again.mentions["court_address"].isChecked()
    again.mentions["court_address"].setChecked(True)
    click_ok(qtbot, again)
    assert again.result() == QDialog.DialogCode.Accepted
    assert the_decision(store, july_case).missing_mention_list == ["court_address"]
    stopped = deadline_of(store, july_case, "appeal")
    assert stopped.state == State.NOT_STARTED
    assert "the labour court's address" in stopped.explanation

    third = show(qtbot, DecisionDialog(store, request_id=july_case, decision_id=decision_id))
    assert third.mentions["court_address"].isChecked()
    assert not third.mentions["reasons"].isChecked()


def test_encoding_day_only_for_a_positive_decision(qtbot: Any, store: Any, july_case: int) -> None:
    dialog = refusal_dialog(qtbot, store, july_case)
    assert not dialog.encoded_on.isEnabled()
    dialog.kinds["guarantee"].setChecked(True)
    assert dialog.encoded_on.isEnabled()
    type_date(qtbot, dialog.encoded_on, "12/08/2026")
    dialog.kinds["refusal"].setChecked(True)
    assert not dialog.encoded_on.isEnabled()
    dialog.kinds["guarantee"].setChecked(True)
    type_date(qtbot, dialog.encoded_on, "09/08/2026")
    click_ok(qtbot, dialog)
    assert_refused(dialog, "encoded_on", "cannot come before the decision")
    type_date(qtbot, dialog.encoded_on, "12/08/2026")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    decision = the_decision(store, july_case)
    assert decision.encoded_on == dt.date(2026, 8, 12)
    again = show(qtbot, DecisionDialog(store, request_id=july_case, decision_id=decision.id))
    assert again.encoded_on.isEnabled() and again.encoded_on.value() == dt.date(2026, 8, 12)
    encoded = deadline_of(store, july_case, "mediprima")
    assert encoded.state == State.DONE and encoded.done_on == dt.date(2026, 8, 12)


def test_decision_form_fits_the_screen_and_tabs_in_order(
    qtbot: Any, store: Any, july_case: int
) -> None:
    dialog = refusal_dialog(qtbot, store, july_case)
    choose_method(dialog, "registered")
    assert not dialog.mentions["reasons"].isEnabled()  # not notified yet
    type_date(qtbot, dialog.posted_on, "13/08/2026")
    assert dialog.mentions["reasons"].isEnabled()
    assert dialog.width() <= 1366 and dialog.height() <= 700
    assert dialog.minimumSizeHint().width() <= 1366
    assert dialog.scroll_area is None or dialog.scroll_area.isVisible()
    assert_named(dialog)
    chain = tab_chain(qtbot, dialog, dialog.notification_method, 4)
    expected = [
        dialog.notification_method,
        dialog.posted_on.edit,
        dialog.notified_on.edit,
        dialog.mentions["reasons"],
        dialog.mentions["appeal_right"],
    ]
    assert chain == expected
    dialog.kinds["guarantee"].setChecked(True)
    assert tab_chain(qtbot, dialog, dialog.mediprima_number, 2)[1:] == [
        dialog.ticket_moderateur,
        dialog.encoded_on.edit,
    ]


# --- transfer and appeal -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialog_class", "field", "rule"),
    [(TransferDialog, "transferred_on", "transfer"), (AppealDialog, "appealed_on", "appeal")],
)
def test_event_dates_are_saved_and_cleared(
    qtbot: Any,
    store: Any,
    july_case: int,
    dialog_class: type[EventDateDialog],
    field: str,
    rule: str,
) -> None:
    with store.transaction() as session:  # the clocks these events stop
        kind = "incompetent" if rule == "transfer" else "refusal"
        cases.record_decision(
            july_case,
            cases.DecisionData(
                kind=kind, decided_on=dt.date(2026, 7, 3), notified_on=dt.date(2026, 7, 4)
            ),
            session=session,
        )
    dialog = show(qtbot, dialog_class(store, request_id=july_case))
    assert_named(dialog)
    assert dialog.fields[field] is dialog.date.edit
    explanation = dialog.findChild(QLabel, "eventExplanation").text()
    assert ("transfer clock" if rule == "transfer" else "appeal clocks") in explanation
    assert dialog.findChild(QLabel, "eventClock").text()  # how the clock stands now
    type_date(qtbot, dialog.date, "06/07/2026")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert getattr(the_request(store, july_case), field) == dt.date(2026, 7, 6)
    assert deadline_of(store, july_case, rule).state == State.DONE

    again = show(qtbot, dialog_class(store, request_id=july_case))
    assert again.date.value() == dt.date(2026, 7, 6)
    again.date.edit.clear()
    click_ok(qtbot, again)
    assert again.result() == QDialog.DialogCode.Accepted
    assert getattr(the_request(store, july_case), field) is None
    assert deadline_of(store, july_case, rule).state != State.DONE


@pytest.mark.parametrize(
    ("dialog_class", "field"), [(TransferDialog, "transferred_on"), (AppealDialog, "appealed_on")]
)
def test_event_before_the_request_is_refused_on_its_field(
    qtbot: Any, store: Any, july_case: int, dialog_class: type[EventDateDialog], field: str
) -> None:
    dialog = show(qtbot, dialog_class(store, request_id=july_case))
    type_date(qtbot, dialog.date, "30/06/2026")
    click_ok(qtbot, dialog)
    assert_refused(dialog, field, "cannot come before the request")
    assert getattr(the_request(store, july_case), field) is None
    type_date(qtbot, dialog.date, "31/02/2026")
    click_ok(qtbot, dialog)
    assert_refused(dialog, field, "is not a date")


# --- the case panel ------------------------------------------------------------------------


def state_of(panel: Any, rule: str) -> str:
    badge = panel.widget().findChild(QLabel, f"deadlineState-{rule}")
    assert badge is not None, rule
    return str(badge.text())


def panel_button(panel: Any, name: str) -> QPushButton | None:
    return panel.widget().findChild(QPushButton, name)


def test_panel_shows_the_running_clocks(
    qtbot: Any, store: Any, add_case: Callable[..., tuple[int, str]], data_dir: Path
) -> None:
    from amudesk.ui.casepanel import CasePanel

    received = dt.datetime.now() - dt.timedelta(days=40)
    request_id, _reference = add_case("Иванова", "Ольга", received_at=received)
    panel = CasePanel(store, data_dir=data_dir)
    qtbot.addWidget(panel)
    panel.show_case(request_id)
    text = panel.text()
    assert "Time limits" in text
    assert "CPAS decision on the request" in text
    assert state_of(panel, "decision") == "Overdue"
    assert "30 days counted from the next day" in text  # the explanation
    assert "to be done by: CPAS" in text
    explanation = next(
        label
        for label in panel.widget().findChildren(QLabel, "deadlineExplanation")
        if "30 days" in label.plain_text()
    )
    assert "Loi organique des CPAS" in explanation.toolTip()
    # A month has passed without a decision: the claimant may appeal; no transfer to record.
    assert panel_button(panel, "recordAppeal") is not None
    assert panel_button(panel, "recordTransfer") is None

    with store.transaction() as session:
        cases.record_decision(
            request_id,
            cases.DecisionData(kind="incompetent", decided_on=brussels_today()),
            session=session,
        )
    panel.show_case(request_id)
    assert state_of(panel, "decision") == "Done"
    assert state_of(panel, "appeal-no-decision") == "Done"
    assert "Decision taken on" in panel.text()
    assert panel_button(panel, "recordTransfer") is not None
    assert panel_button(panel, "recordAppeal") is not None  # a negative decision


def test_panel_follows_the_clock_setting(
    qtbot: Any, store: Any, add_case: Callable[..., tuple[int, str]], data_dir: Path
) -> None:
    """Received Friday 14 Aug 2026: the 30 days end on Sunday 13 Sep."""
    from amudesk.settings import save_settings
    from amudesk.ui.casepanel import CasePanel

    request_id, _reference = add_case("Dupont", "Marie", received_at=dt.datetime(2026, 8, 14, 9, 0))
    panel = CasePanel(store)  # the store's folder holds settings.json
    qtbot.addWidget(panel)
    panel.show_case(request_id)
    due = {d.rule: d.due for d in panel.deadlines()}
    assert due["decision"] == dt.date(2026, 9, 13)
    settings = load_settings(data_dir)
    settings.move_administrative_deadlines = True
    save_settings(settings, data_dir)
    panel.show_case(request_id)
    due = {d.rule: d.due for d in panel.deadlines()}
    assert due["decision"] == dt.date(2026, 9, 14)
    assert "Due Mon 14 Sept 2026" in panel.text()
    assert "moved to Mon 14 Sept 2026" in panel.text()


def test_panel_records_a_transfer_through_its_dialog(
    qtbot: Any,
    store: Any,
    add_case: Callable[..., tuple[int, str]],
    data_dir: Path,
    fake_dialog: Callable[[str, str, type], None],
) -> None:
    from amudesk.ui.casepanel import CasePanel

    request_id, _reference = add_case("Öztürk", "Ayşe", received_at=JULY_FIRST)
    with store.transaction() as session:
        cases.record_decision(
            request_id,
            cases.DecisionData(kind="incompetent", decided_on=dt.date(2026, 7, 3)),
            session=session,
        )
    opened: list[dict[str, Any]] = []

    class Transfer:
        def __init__(self, store: Any, **kwargs: Any) -> None:
            opened.append(kwargs)
            self.store = store

        def exec(self) -> int:
            with self.store.transaction() as session:
                clock.record_transfer(
                    opened[-1]["request_id"], dt.date(2026, 7, 5), session=session
                )
            return QDialog.DialogCode.Accepted

    fake_dialog("amudesk.ui.eventdialog", "TransferDialog", Transfer)
    panel = CasePanel(store, data_dir=data_dir)
    qtbot.addWidget(panel)
    panel.show_case(request_id)
    assert state_of(panel, "transfer") == "Overdue"
    button = panel_button(panel, "recordTransfer")
    assert button is not None
    with qtbot.waitSignal(panel.changed) as signal:
        button.click()
    assert signal.args == [request_id]
    assert opened[0]["request_id"] == request_id and opened[0]["data_dir"] == data_dir
    assert state_of(panel, "transfer") == "Done"
    assert "Transfer sent on Sun 5 Jul 2026." in panel.text()


# --- settings ----------------------------------------------------------------------------


def test_clock_settings_are_saved_and_announced(qtbot: Any, data_dir: Path) -> None:
    dialog = show(qtbot, SettingsDialog(data_dir))
    assert not dialog.move_administrative.isChecked()
    assert dialog.alert_within_days.value() == 7
    assert dialog.alert_interval.value() == 60
    assert dialog.alert_within_days.suffix() == " days"
    assert_named(dialog)
    dialog.move_administrative.setChecked(True)
    dialog.alert_within_days.setValue(1)
    assert dialog.alert_within_days.suffix() == " day"
    dialog.alert_interval.setValue(0)
    assert dialog.alert_interval.text() == "never (no alerts)"
    with qtbot.waitSignal(dialog.clock_settings_changed, timeout=1000):
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = json.loads(settings_path(data_dir).read_text(encoding="utf-8"))
    assert saved["move_administrative_deadlines"] is True
    assert saved["alert_within_days"] == 1
    assert saved["alert_interval_minutes"] == 0
    assert load_settings(data_dir).clock_settings() == clock.ClockSettings(
        move_administrative=True, alert_within_days=1
    )

    again = show(qtbot, SettingsDialog(data_dir))
    assert again.move_administrative.isChecked()
    assert (again.alert_within_days.value(), again.alert_interval.value()) == (1, 0)
    with qtbot.assertNotEmitted(again.clock_settings_changed):
        again.accept()


def test_clock_settings_keyboard_path(qtbot: Any, data_dir: Path) -> None:
    dialog = show(qtbot, SettingsDialog(data_dir))
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    chain = tab_chain(qtbot, dialog, dialog.data_folder, 6)
    assert chain == [
        dialog.data_folder,
        dialog.location_button,
        dialog.move_administrative,
        dialog.alert_within_days,
        dialog.alert_interval,
        dialog.lock_after,
        ok,
    ]
    dialog.alert_within_days.setFocus()
    qtbot.keyClick(dialog.alert_within_days, Qt.Key.Key_Up)
    assert dialog.alert_within_days.value() == 8
    assert dialog.width() <= 1366 and dialog.height() <= 700
