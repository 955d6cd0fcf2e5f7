"""The decision form's reasons and court order, and what the case panel says of them
(pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from amudesk.refusals import REASONS, UNLAWFUL_KEYS
from amudesk.services import cases
from amudesk.ui.caseparts import SelectableLabel
from amudesk.ui.decisiondialog import DecisionDialog
from amudesk.ui.kit.fielderrors import INVALID_PROPERTY

RECEIVED = dt.datetime(2026, 1, 5, 10, 0)
DECIDED = dt.date(2026, 8, 10)


@pytest.fixture
def request_id(add_case: Callable[..., tuple[int, str]]) -> int:
    return add_case("Nguyễn", "Văn An", received_at=RECEIVED)[0]


def show(qtbot: Any, dialog: DecisionDialog) -> DecisionDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def new_dialog(qtbot: Any, store: Any, request_id: int, kind: str) -> DecisionDialog:
    dialog = show(qtbot, DecisionDialog(store, request_id=request_id))
    dialog.kinds[kind].setChecked(True)
    dialog.decided_on.edit.clear()
    qtbot.keyClicks(dialog.decided_on.edit, DECIDED.strftime("%d/%m/%Y"))
    return dialog


def tick(qtbot: Any, dialog: DecisionDialog, key: str, explanation: str = "") -> None:
    box = dialog.reasons.boxes[key]
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    assert box.isChecked()
    edit = dialog.reasons.explanations[key]
    assert edit.isEnabled()
    if explanation:
        qtbot.keyClicks(edit, explanation)


def click_ok(qtbot: Any, dialog: QDialog) -> None:
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]


def saved(dialog: DecisionDialog) -> None:
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()


def refused(dialog: DecisionDialog, field: str, widget: QWidget, text: str) -> None:
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert text in dialog.error_label.text()
    assert dialog.fields[field] is widget
    assert widget.property(INVALID_PROPERTY) is True


def decisions(store: Any, request_id: int) -> list[Any]:
    with store.session() as session:
        return cases.get_case(request_id, session=session).decisions


def reasons_of(store: Any, decision_id: int) -> list[tuple[str, str]]:
    with store.session() as session:
        return [(r.key, r.explanation) for r in cases.reasons_of(decision_id, session=session)]


# --- the form ------------------------------------------------------------------------------


def test_reasons_only_for_a_refusal_or_an_incompetence(
    qtbot: Any, store: Any, request_id: int
) -> None:
    dialog = show(qtbot, DecisionDialog(store, request_id=request_id))
    assert not dialog.reasons.isVisibleTo(dialog)  # no kind chosen yet
    for kind, reasoned in (
        ("refusal", True),
        ("principle", False),
        ("incompetent", True),
        ("guarantee", False),
    ):
        dialog.kinds[kind].setChecked(True)
        assert dialog.reasons.isVisibleTo(dialog) is reasoned, kind
        assert dialog.validity_box.isVisibleTo(dialog) is not reasoned, kind
    dialog.kinds["refusal"].setChecked(True)
    # One box per reason, in the table's order; an unlawful one says so.
    assert list(dialog.reasons.boxes) == list(REASONS)
    for key, box in dialog.reasons.boxes.items():
        marks = [
            label.text()
            for label in box.parentWidget().findChildren(QLabel)
            if label.objectName() == "unlawfulReason"
        ]
        assert marks == (["not allowed by law"] if key in UNLAWFUL_KEYS else []), key
        assert ("(not allowed by law)" in box.accessibleName()) is (key in UNLAWFUL_KEYS)
        assert not dialog.reasons.explanations[key].isEnabled()
        assert dialog.reasons.explanations[key].maxLength() == 500


def test_two_reasons_with_their_explanations_are_saved(
    qtbot: Any, store: Any, request_id: int
) -> None:
    dialog = new_dialog(qtbot, store, request_id, "refusal")
    tick(qtbot, dialog, "no-address", "Sleeps at the Gare du Midi")
    tick(qtbot, dialog, "competence", "Says Anderlecht is competent")
    tick(qtbot, dialog, "not-urgent")
    qtbot.mouseClick(dialog.reasons.boxes["not-urgent"], Qt.MouseButton.LeftButton)
    assert not dialog.reasons.explanations["not-urgent"].isEnabled()
    click_ok(qtbot, dialog)
    saved(dialog)
    [decision] = decisions(store, request_id)
    assert reasons_of(store, decision.id) == [
        ("competence", "Says Anderlecht is competent"),
        ("no-address", "Sleeps at the Gare du Midi"),
    ]


def test_reasons_of_a_kind_that_has_none_are_not_saved(
    qtbot: Any, store: Any, request_id: int
) -> None:
    dialog = new_dialog(qtbot, store, request_id, "refusal")
    tick(qtbot, dialog, "resources", "Counted the brother's wages")
    dialog.kinds["principle"].setChecked(True)
    click_ok(qtbot, dialog)
    saved(dialog)
    [decision] = decisions(store, request_id)
    assert reasons_of(store, decision.id) == []


def test_other_reason_without_explanation_is_refused(
    qtbot: Any, store: Any, request_id: int
) -> None:
    dialog = new_dialog(qtbot, store, request_id, "incompetent")
    tick(qtbot, dialog, "competence", "Anderlecht")
    tick(qtbot, dialog, "other")
    qtbot.keyClicks(dialog.reasons.explanations["other"], "   ")
    click_ok(qtbot, dialog)
    other = dialog.reasons.explanations["other"]
    refused(dialog, "reasons", other, "say what the other reason was")
    assert dialog.focusWidget() is other
    assert decisions(store, request_id) == []
    qtbot.keyClicks(other, "Asked for a bank statement")
    click_ok(qtbot, dialog)
    saved(dialog)
    assert other.property(INVALID_PROPERTY) is False
    [decision] = decisions(store, request_id)
    assert reasons_of(store, decision.id) == [
        ("competence", "Anderlecht"),
        ("other", "Asked for a bank statement"),
    ]


@pytest.mark.parametrize("hidden", ["\u202e", "\u2066", "\x07"])
def test_a_hidden_or_control_character_in_an_explanation_is_refused(
    qtbot: Any, store: Any, request_id: int, hidden: str
) -> None:
    dialog = new_dialog(qtbot, store, request_id, "refusal")
    tick(qtbot, dialog, "no-address", "Homeless")
    tick(qtbot, dialog, "no-identity-document")
    edit = dialog.reasons.explanations["no-identity-document"]
    edit.setText(f"Passport{hidden}expired")  # pasted: keyClicks types no control characters
    click_ok(qtbot, dialog)
    refused(dialog, "reasons", edit, "Reasons")
    assert decisions(store, request_id) == []


def test_a_court_ordered_decision_may_start_long_before(
    qtbot: Any, store: Any, request_id: int
) -> None:
    dialog = new_dialog(qtbot, store, request_id, "guarantee")
    assert not dialog.court_judgment_on.isVisibleTo(dialog)
    assert not dialog.court_name.isVisibleTo(dialog)
    dialog.valid_from.set_value(DECIDED - dt.timedelta(days=200))
    dialog.valid_to.set_value(DECIDED + dt.timedelta(days=100))
    click_ok(qtbot, dialog)
    refused(
        dialog, "valid_from", dialog.valid_from.edit, "at most 60 days before the decision date"
    )
    assert decisions(store, request_id) == []

    box = dialog.court_ordered
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    assert dialog.court_ordered.isChecked()
    assert dialog.court_judgment_on.isVisibleTo(dialog) and dialog.court_name.isVisibleTo(dialog)
    click_ok(qtbot, dialog)
    refused(dialog, "court_judgment_on", dialog.court_judgment_on.edit, "Judgment of")
    qtbot.keyClicks(dialog.court_judgment_on.edit, "02/07/2026")
    click_ok(qtbot, dialog)
    refused(dialog, "court_name", dialog.court_name, "Court")
    qtbot.keyClicks(dialog.court_name, "Tribunal du travail francophone de Bruxelles")
    click_ok(qtbot, dialog)
    saved(dialog)
    [decision] = decisions(store, request_id)
    assert decision.court_ordered
    assert decision.court_judgment_on == dt.date(2026, 7, 2)
    assert decision.court_name == "Tribunal du travail francophone de Bruxelles"
    assert decision.valid_from == DECIDED - dt.timedelta(days=200)


def test_unticking_the_court_order_forgets_the_judgment(
    qtbot: Any, store: Any, request_id: int
) -> None:
    dialog = new_dialog(qtbot, store, request_id, "refusal")
    dialog.court_ordered.setChecked(True)
    qtbot.keyClicks(dialog.court_judgment_on.edit, "not a date")
    dialog.court_ordered.setChecked(False)
    click_ok(qtbot, dialog)  # the hidden rows are neither checked nor saved
    saved(dialog)
    [decision] = decisions(store, request_id)
    assert not decision.court_ordered and decision.court_judgment_on is None


def test_editing_loads_the_reasons_and_the_court_back(
    qtbot: Any, store: Any, request_id: int
) -> None:
    with store.transaction() as session:
        decision = cases.record_decision(
            request_id,
            cases.DecisionData(
                kind="refusal",
                decided_on=DECIDED,
                reasons=[("three-months-proof", "Asked for 3 months of rent"), ("insured", "")],
                court_ordered=True,
                court_judgment_on=dt.date(2026, 7, 2),
                court_name="Arbeidsrechtbank Brussel",
            ),
            session=session,
        )
        decision_id = decision.id
    dialog = show(qtbot, DecisionDialog(store, request_id=request_id, decision_id=decision_id))
    assert dialog.reasons.isVisibleTo(dialog)
    assert dialog.reasons.value() == [
        ("insured", ""),
        ("three-months-proof", "Asked for 3 months of rent"),
    ]
    assert dialog.reasons.explanations["insured"].isEnabled()
    assert not dialog.reasons.explanations["no-address"].isEnabled()
    assert dialog.court_ordered.isChecked() and dialog.court_name.isVisibleTo(dialog)
    assert dialog.court_judgment_on.value() == dt.date(2026, 7, 2)
    assert dialog.court_name.text() == "Arbeidsrechtbank Brussel"
    # Untick one, change the other: what is saved is what is shown.
    dialog.reasons.boxes["insured"].setChecked(False)
    dialog.reasons.explanations["three-months-proof"].setText("Rent receipts")
    click_ok(qtbot, dialog)
    saved(dialog)
    assert reasons_of(store, decision_id) == [("three-months-proof", "Rent receipts")]


def test_the_form_fits_and_goes_by_keyboard(qtbot: Any, store: Any, request_id: int) -> None:
    dialog = new_dialog(qtbot, store, request_id, "refusal")
    assert dialog.height() <= 700 and dialog.width() <= 1366
    assert dialog.minimumSizeHint().width() <= 1366
    assert dialog.scroll_area is not None
    # Mnemonics of this form (Alt+letter) stay distinct.
    texts = [w.text() for w in dialog.findChildren(QLabel) if w.buddy() is not None]
    texts += [dialog.reasons.title(), dialog.court_ordered.text()]
    letters = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
    assert len(letters) == len(set(letters)), letters
    # Tab goes from the court's order down its rows, and from a reason to its explanation.
    dialog.court_ordered.setChecked(True)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.court_ordered.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.court_ordered)
    qtbot.keyClick(dialog.court_ordered, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.court_judgment_on.edit
    qtbot.keyClick(dialog.court_judgment_on.edit, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.court_name
    # Alt+G goes to the reasons.
    first = dialog.reasons.boxes["competence"]
    qtbot.keyClick(dialog.court_name, Qt.Key.Key_G, Qt.KeyboardModifier.AltModifier)
    assert dialog.focusWidget() is first
    qtbot.keyClick(first, Qt.Key.Key_Space)
    assert first.isChecked()
    qtbot.keyClick(first, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.reasons.explanations["competence"]
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.reasons.boxes["resources"]  # its box disabled: skipped
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.reasons.boxes["insured"]


# --- the case panel ----------------------------------------------------------------------


def test_the_panel_shows_the_reasons_and_the_judgment(
    qtbot: Any, store: Any, main_window: Any, request_id: int
) -> None:
    with store.transaction() as session:
        cases.record_decision(
            request_id,
            cases.DecisionData(
                kind="refusal",
                decided_on=DECIDED,
                reasons=[("no-address", "Sleeps at the station"), ("resources", "")],
            ),
            session=session,
        )
        cases.record_decision(
            request_id,
            cases.DecisionData(
                kind="guarantee",
                decided_on=DECIDED + dt.timedelta(days=30),
                valid_from=DECIDED - dt.timedelta(days=150),
                valid_to=DECIDED + dt.timedelta(days=150),
                court_ordered=True,
                court_judgment_on=DECIDED + dt.timedelta(days=20),
                court_name="Tribunal du travail francophone de Bruxelles",
            ),
            session=session,
        )
    panel = main_window.panel
    panel.show_case(request_id)
    texts = [label.plain_text() for label in panel.findChildren(SelectableLabel)]
    [refusal] = [t for t in texts if t.startswith("Refusal, decided on")]
    assert (
        "Reasons: Resources sufficient; "
        "No address, or homeless (not allowed by law) — Sleeps at the station"
    ) in refusal.splitlines()
    [guarantee] = [t for t in texts if t.startswith("Coverage guarantee, decided on")]
    assert (
        "Ordered by the judgment of 30 Aug 2026, Tribunal du travail francophone de Bruxelles"
        in guarantee.splitlines()
    )
    assert "Reasons" not in guarantee
    assert not any("Ordered by" in t for t in texts if t != guarantee)
