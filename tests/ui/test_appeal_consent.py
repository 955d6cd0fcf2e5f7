"""The appeal form (filing, court, role number, hearings, outcome), the consent form and its
withdrawal, and how the case panel shows them (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QWidget,
)

from amudesk import i18n
from amudesk.dates import brussels_today
from amudesk.deadlines import State
from amudesk.services import appeals, cases, clock, consents
from amudesk.services.appeals import AppealData
from amudesk.services.consents import ConsentData
from amudesk.ui.appealdialog import AppealDialog
from amudesk.ui.consentdialog import ConsentDialog, WithdrawConsentDialog
from amudesk.ui.kit.fielderrors import INVALID_PROPERTY

COURT = "Tribunal du travail francophone de Bruxelles"
DECIDED = dt.date(2026, 1, 20)


# --- helpers ---------------------------------------------------------------------------


def show(qtbot: Any, dialog: QDialog) -> Any:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_date(qtbot: Any, edit: Any, text: str) -> None:
    edit.edit.clear()
    qtbot.keyClicks(edit.edit, text)


def type_text(qtbot: Any, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def choose(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def click_ok(qtbot: Any, dialog: Any) -> None:
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def assert_refused(dialog: Any, field: str, text: str) -> None:
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert text in dialog.error_label.text()
    assert dialog.fields[field].property(INVALID_PROPERTY) is True


def assert_named(dialog: QDialog) -> None:
    inputs = (QLineEdit, QComboBox, QAbstractButton, QListWidget)
    unnamed = [
        type(w).__name__
        for w in dialog.findChildren(QWidget)
        if isinstance(w, inputs)
        and w.isVisibleTo(dialog)
        and not w.accessibleName()
        and type(w).__name__ != "QToolButton"
    ]
    assert unnamed == []
    for label in dialog.findChildren(QLabel):
        if label.buddy() is not None:
            assert "&" in label.text(), label.text()


def mnemonics(dialog: QDialog) -> list[str]:
    """The Alt+letter keys of the dialog's labels and buttons."""
    texts = [label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    texts += [button.text() for button in dialog.findChildren(QAbstractButton)]
    found = []
    for text in texts:
        match = re.search(r"&([^&\s])", text.replace("&&", ""))
        if match:
            found.append(match.group(1).lower())
    return found


def deadline_of(store: Any, request_id: int, rule: str) -> Any:
    with store.session() as session:
        found = clock.deadlines(session=session, request_ids=[request_id])
    return next((d for d in found if d.rule == rule), None)


def appeals_of(store: Any, request_id: int) -> list[Any]:
    with store.session() as session:
        return appeals.appeals_of(request_id, session=session)


def consents_of(store: Any, person_id: int) -> list[Any]:
    with store.session() as session:
        return consents.consents_of(person_id, session=session)


def person_of(store: Any, request_id: int) -> int:
    with store.session() as session:
        return cases.get_request(request_id, session=session).person_id


@pytest.fixture
def refused(store: Any, add_case: Callable[..., tuple[int, str]]) -> int:
    """A request refused on 20 Jan 2026, notified the next day: the appeal clock runs."""
    request_id, _reference = add_case("Kowalska", "Zofia")
    with store.transaction() as session:
        cases.record_decision(
            request_id,
            cases.DecisionData(
                kind="refusal", decided_on=DECIDED, notified_on=dt.date(2026, 1, 21)
            ),
            session=session,
        )
    return request_id


def full_appeal(store: Any, request_id: int) -> int:
    data = AppealData(
        filed_on=dt.date(2026, 2, 10),
        filed_how="registry",
        court=COURT,
        role_number="26/123/A",
        hearing_dates=[dt.date(2026, 3, 17)],
    )
    with store.transaction() as session:
        return appeals.record_appeal(request_id, data, session=session).id or 0


# --- the appeal form -------------------------------------------------------------------


def test_the_appeal_form_saves_a_full_appeal_and_the_clock_stops(
    qtbot: Any, store: Any, refused: int
) -> None:
    assert deadline_of(store, refused, "appeal").state != State.DONE
    dialog = show(qtbot, AppealDialog(store, request_id=refused))
    assert_named(dialog)
    assert dialog.windowTitle() == "Record an appeal"
    assert dialog.filed_how.currentData() == "registered-letter"  # the usual way
    type_date(qtbot, dialog.filed_on, "10/02/2026")
    choose(dialog.filed_how, "registry")
    type_text(qtbot, dialog.court, COURT)
    type_text(qtbot, dialog.role_number, "26/123/A")
    # A hearing typed then Enter is added, and the form stays open.
    type_date(qtbot, dialog.hearings.new_day, "14/04/2026")
    qtbot.keyClick(dialog.hearings.new_day.edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.hearings.days() == [dt.date(2026, 4, 14)]
    assert dialog.hearings.new_day.edit.text() == ""
    type_date(qtbot, dialog.hearings.new_day, "17/03/2026")
    qtbot.mouseClick(dialog.hearings.add_button, Qt.MouseButton.LeftButton)
    assert dialog.hearings.list.count() == 2
    assert dialog.hearings.days() == [dt.date(2026, 3, 17), dt.date(2026, 4, 14)]
    choose(dialog.outcome, "granted")
    type_date(qtbot, dialog.outcome_on, "05/05/2026")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    [appeal] = appeals_of(store, refused)
    assert dialog.appeal_id == appeal.id
    assert (appeal.filed_on, appeal.filed_how, appeal.court, appeal.role_number) == (
        dt.date(2026, 2, 10),
        "registry",
        COURT,
        "26/123/A",
    )
    assert appeal.hearing_list == [dt.date(2026, 3, 17), dt.date(2026, 4, 14)]
    assert (appeal.outcome, appeal.outcome_on) == ("granted", dt.date(2026, 5, 5))
    stopped = deadline_of(store, refused, "appeal")
    assert stopped.state == State.DONE
    assert stopped.done_on == dt.date(2026, 2, 10)


def test_a_hearing_typed_but_not_added_is_saved_too(qtbot: Any, store: Any, refused: int) -> None:
    dialog = show(qtbot, AppealDialog(store, request_id=refused))
    type_date(qtbot, dialog.filed_on, "10/02/2026")
    type_date(qtbot, dialog.hearings.new_day, "17/03/2026")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    [appeal] = appeals_of(store, refused)
    assert appeal.hearing_list == [dt.date(2026, 3, 17)]


def test_an_outcome_without_its_day_is_refused(qtbot: Any, store: Any, refused: int) -> None:
    dialog = show(qtbot, AppealDialog(store, request_id=refused))
    type_date(qtbot, dialog.filed_on, "10/02/2026")
    choose(dialog.outcome, "rejected")
    click_ok(qtbot, dialog)
    assert_refused(dialog, "outcome_on", "give the day of the outcome")
    assert appeals_of(store, refused) == []
    assert deadline_of(store, refused, "appeal").state != State.DONE


def test_a_hearing_before_the_filing_is_refused(qtbot: Any, store: Any, refused: int) -> None:
    dialog = show(qtbot, AppealDialog(store, request_id=refused))
    type_date(qtbot, dialog.filed_on, "10/02/2026")
    type_date(qtbot, dialog.hearings.new_day, "09/02/2026")
    qtbot.keyClick(dialog.hearings.new_day.edit, Qt.Key.Key_Return)
    click_ok(qtbot, dialog)
    assert_refused(dialog, "hearing_dates", "cannot come before the filing")
    assert appeals_of(store, refused) == []
    # Removed with the keyboard, the appeal saves.
    dialog.hearings.list.setCurrentRow(0)
    qtbot.keyClick(dialog.hearings.list, Qt.Key.Key_Delete)
    assert dialog.hearings.days() == []
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert len(appeals_of(store, refused)) == 1


def test_an_unreadable_hearing_day_is_refused(qtbot: Any, store: Any, refused: int) -> None:
    dialog = show(qtbot, AppealDialog(store, request_id=refused))
    type_date(qtbot, dialog.hearings.new_day, "31/02/2026")
    click_ok(qtbot, dialog)
    assert_refused(dialog, "hearing_dates", "is not a date")
    assert appeals_of(store, refused) == []


def test_editing_an_appeal_loads_its_values(qtbot: Any, store: Any, refused: int) -> None:
    appeal_id = full_appeal(store, refused)
    dialog = show(qtbot, AppealDialog(store, request_id=refused, appeal_id=appeal_id))
    assert dialog.windowTitle() == "Edit the appeal"
    assert dialog.filed_on.value() == dt.date(2026, 2, 10)
    assert dialog.filed_how.currentData() == "registry"
    assert dialog.court.text() == COURT
    assert dialog.role_number.text() == "26/123/A"
    assert dialog.hearings.days() == [dt.date(2026, 3, 17)]
    assert dialog.outcome.currentData() is None
    assert dialog.outcome.currentText() == "— none yet —"
    choose(dialog.outcome, "revised")
    type_date(qtbot, dialog.outcome_on, "01/04/2026")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    [appeal] = appeals_of(store, refused)
    assert appeal.id == appeal_id
    assert (appeal.outcome, appeal.outcome_on) == ("revised", dt.date(2026, 4, 1))
    assert appeal.court == COURT


def test_a_new_appeal_names_the_office_s_court(qtbot: Any, store: Any, refused: int) -> None:
    from amudesk.services.office import save_office

    with store.transaction() as session:
        save_office(
            session=session,
            kind="association",
            name="Maison Médicale du Midi",
            labour_court_address=f"{COURT}\nBoulevard de Waterloo 70\n1000 Bruxelles",
        )
    dialog = show(qtbot, AppealDialog(store, request_id=refused))
    assert dialog.court.text() == COURT


def test_the_appeal_form_by_keyboard(qtbot: Any, store: Any, refused: int) -> None:
    dialog = show(qtbot, AppealDialog(store, request_id=refused))
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.filed_on.edit)
    expected = [
        dialog.filed_how,
        dialog.court,
        dialog.role_number,
        dialog.hearings.list,
        dialog.hearings.new_day.edit,  # Remove is off while no hearing is listed
        dialog.hearings.add_button,
        dialog.outcome,
        dialog.outcome_on.edit,
        dialog.ok_button,
    ]
    for widget in expected:
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        assert dialog.focusWidget() is widget, widget.objectName()


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_no_mnemonic_is_used_twice(
    qtbot: Any, store: Any, refused: int, language: str, data_dir: Path
) -> None:
    i18n.set_locale(language)
    person_id = person_of(store, refused)
    with store.transaction() as session:
        consent = consents.record_consent(
            person_id, ConsentData(given_on=DECIDED, uses=["letters"]), session=session
        )
    for dialog in (
        AppealDialog(store, request_id=refused),
        ConsentDialog(store, person_id=person_id),
        WithdrawConsentDialog(store, person_id=person_id, consent_id=consent.id or 0),
    ):
        show(qtbot, dialog)
        assert_named(dialog)
        keys = mnemonics(dialog)
        assert len(keys) == len(set(keys)), (type(dialog).__name__, keys)
        # The form fits a 1366×768 screen.
        assert dialog.height() <= 700 and dialog.width() <= 1366


# --- consent ---------------------------------------------------------------------------


def test_the_consent_form_saves_the_uses(qtbot: Any, store: Any, refused: int) -> None:
    person_id = person_of(store, refused)
    dialog = show(qtbot, ConsentDialog(store, person_id=person_id))
    assert_named(dialog)
    type_date(qtbot, dialog.given_on, "05/01/2026")
    choose(dialog.how, "signed")
    # By keyboard: Tab to a box, Space ticks it.
    for key in ("follow-up", "letters"):
        box = dialog.uses[key]
        box.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.keyClick(box, Qt.Key.Key_Space)
        assert box.isChecked()
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    [consent] = consents_of(store, person_id)
    assert dialog.consent_id == consent.id
    assert consent.use_list == ["follow-up", "letters"]
    assert (consent.given_on, consent.how) == (dt.date(2026, 1, 5), "signed")
    with store.session() as session:
        assert consents.has_mandate(person_id, session=session)


def test_no_use_ticked_is_refused(qtbot: Any, store: Any, refused: int) -> None:
    person_id = person_of(store, refused)
    dialog = show(qtbot, ConsentDialog(store, person_id=person_id))
    click_ok(qtbot, dialog)
    assert_refused(dialog, "uses", "tick at least one")
    assert consents_of(store, person_id) == []


def test_an_oral_consent_without_its_witness_is_refused(
    qtbot: Any, store: Any, refused: int
) -> None:
    person_id = person_of(store, refused)
    dialog = show(qtbot, ConsentDialog(store, person_id=person_id))
    choose(dialog.how, "oral")
    dialog.uses["follow-up"].setChecked(True)
    click_ok(qtbot, dialog)
    assert_refused(dialog, "note", "name the witness")
    assert consents_of(store, person_id) == []
    type_text(qtbot, dialog.note, "Witness: Jan Peeters")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    [consent] = consents_of(store, person_id)
    assert (consent.how, consent.note) == ("oral", "Witness: Jan Peeters")


def test_withdrawing_sets_the_day_and_ends_the_mandate(
    qtbot: Any, store: Any, refused: int
) -> None:
    person_id = person_of(store, refused)
    with store.transaction() as session:
        consent = consents.record_consent(
            person_id,
            ConsentData(given_on=dt.date(2026, 1, 5), uses=["follow-up", "letters"]),
            session=session,
        )
        assert consents.has_mandate(person_id, session=session)
    dialog = show(
        qtbot, WithdrawConsentDialog(store, person_id=person_id, consent_id=consent.id or 0)
    )
    assert_named(dialog)
    assert dialog.withdrawn_on.value() == brussels_today()
    # Before the consent: refused, nothing changes.
    type_date(qtbot, dialog.withdrawn_on, "04/01/2026")
    click_ok(qtbot, dialog)
    assert_refused(dialog, "withdrawn_on", "cannot come before the consent")
    dialog.withdrawn_on.edit.clear()
    click_ok(qtbot, dialog)
    assert_refused(dialog, "withdrawn_on", "required")
    type_date(qtbot, dialog.withdrawn_on, "01/02/2026")
    qtbot.keyClick(dialog.withdrawn_on.edit, Qt.Key.Key_Return)  # Enter saves
    assert dialog.result() == QDialog.DialogCode.Accepted
    [saved] = consents_of(store, person_id)
    assert saved.withdrawn_on == dt.date(2026, 2, 1)
    with store.session() as session:
        assert not consents.has_mandate(person_id, session=session)


# --- the case panel --------------------------------------------------------------------


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
        ("amudesk.ui.appealdialog", "AppealDialog"),
        ("amudesk.ui.consentdialog", "ConsentDialog"),
        ("amudesk.ui.consentdialog", "WithdrawConsentDialog"),
    ):
        fake_dialog(module, name, type(name, (FakeForm,), {"opened": opened}))
    return opened


def panel_button(panel: Any, name: str) -> QPushButton:
    button = panel.widget().findChild(QPushButton, name)
    assert button is not None, name
    return button


def test_the_panel_shows_the_appeals_and_the_consent(
    qtbot: Any, store: Any, refused: int, data_dir: Path, forms: list[Any]
) -> None:
    from amudesk.ui.casepanel import CasePanel

    panel = CasePanel(store, data_dir=data_dir)
    qtbot.addWidget(panel)
    panel.show_case(refused)
    text = panel.text()
    assert "No consent recorded." in text
    assert "Edit appeal…" not in text
    qtbot.mouseClick(panel_button(panel, "recordAppeal"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel_button(panel, "recordConsent"), Qt.MouseButton.LeftButton)
    person_id = person_of(store, refused)
    assert forms == [
        ("AppealDialog", {"request_id": refused, "appeal_id": None, "parent": panel}),
        ("ConsentDialog", {"person_id": person_id, "parent": forms[1][1]["parent"]}),
    ]
    forms.clear()

    appeal_id = full_appeal(store, refused)
    with store.transaction() as session:
        consent = consents.record_consent(
            person_id,
            ConsentData(given_on=dt.date(2026, 1, 5), uses=["follow-up", "letters", "statistics"]),
            session=session,
        )
        old = consents.record_consent(
            person_id,
            ConsentData(given_on=dt.date(2026, 1, 6), uses=["statistics"]),
            session=session,
        )
        consents.withdraw_consent(old.id or 0, session=session, day=dt.date(2026, 1, 9))
    panel.show_case(refused)
    text = panel.text()
    assert "Appeal filed on 10 Feb 2026 — Filed at the court's registry" in text
    assert f"{COURT}, role number 26/123/A" in text
    assert "Hearings: 17 Mar 2026" in text
    assert "No outcome yet." in text
    assert (
        "Consent: follow-up, letters (mandate), statistics — given on 5 Jan 2026 (signed)" in text
    )
    assert "Consent: statistics — given on 6 Jan 2026 (signed), withdrawn on 9 Jan 2026" in text
    assert "No consent recorded." not in text
    # The timeline holds the appeal's events.
    assert f"Appeal filed at {COURT} (handed in at the registry). Role number 26/123/A." in text
    assert f"Hearing at {COURT}." in text
    # Only the consent in force can be withdrawn.
    assert panel.widget().findChild(QPushButton, "withdrawConsent1") is None
    edit = panel_button(panel, "editAppeal0")
    assert edit.accessibleName() == "Edit the appeal filed on 10 Feb 2026"
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel_button(panel, "withdrawConsent0"), Qt.MouseButton.LeftButton)
    assert [
        (name, kwargs.get("appeal_id"), kwargs.get("consent_id")) for name, kwargs in forms
    ] == [
        ("AppealDialog", appeal_id, None),
        ("WithdrawConsentDialog", None, consent.id),
    ]


def test_the_panel_follows_a_saved_consent(
    qtbot: Any, store: Any, refused: int, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the form saved, the panel shows the case again and says so."""
    from amudesk.ui import consentdialog
    from amudesk.ui.casepanel import CasePanel

    person_id = person_of(store, refused)

    class Saving:
        def __init__(self, store: Any, **kwargs: Any) -> None:
            self.store = store

        def exec(self) -> int:
            with self.store.transaction() as session:
                consents.record_consent(
                    person_id, ConsentData(given_on=DECIDED, uses=["letters"]), session=session
                )
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(consentdialog, "ConsentDialog", Saving)
    panel = CasePanel(store, data_dir=data_dir)
    qtbot.addWidget(panel)
    panel.show_case(refused)
    with qtbot.waitSignal(panel.message) as said:
        qtbot.mouseClick(panel_button(panel, "recordConsent"), Qt.MouseButton.LeftButton)
    assert said.args == ["Consent saved."]
    assert "Consent: letters (mandate) — given on 20 Jan 2026 (signed)" in panel.text()
