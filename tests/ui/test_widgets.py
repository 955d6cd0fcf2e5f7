"""The reusable inputs of the case forms (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from amudesk import i18n
from amudesk.services import people
from amudesk.ui.persondialog import PersonDialog
from amudesk.ui.widgets import (
    CountryCombo,
    LanguagesEdit,
    OptionalDateEdit,
    PartialDateEdit,
    PersonPicker,
    split_date,
)

# --- PartialDateEdit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value", "shown"),
    [
        ("1984", "1984", "1984"),
        ("03/1984", "1984-03", "March 1984"),
        ("2/3/1984", "1984-03-02", "2 Mar 1984"),
        ("1984-03-02", "1984-03-02", "2 Mar 1984"),
        ("02.03.1984", "1984-03-02", "2 Mar 1984"),
        ("02031984", "1984-03-02", "2 Mar 1984"),
        ("?/3/1984", "1984-03", "March 1984"),
    ],
)
def test_partial_date_accepts_the_usual_forms(qtbot, typed: str, value: str, shown: str) -> None:
    edit = PartialDateEdit()
    qtbot.addWidget(edit)
    qtbot.keyClicks(edit.edit, typed)
    assert edit.value() == value
    assert edit.problem() is None
    assert edit.hint.text().startswith(shown)


def test_partial_date_rejects_31_february(qtbot) -> None:
    edit = PartialDateEdit()
    qtbot.addWidget(edit)
    qtbot.keyClicks(edit.edit, "31/02/1984")
    problem = edit.problem()
    assert problem is not None
    assert problem.startswith("Birth date:")
    assert "does not exist" in problem
    assert edit.hint.text() == problem


@pytest.mark.parametrize("typed", ["hello", "1/2/3/4", "31/1984x", "5/"])
def test_partial_date_rejects_text_that_is_no_date(qtbot, typed: str) -> None:
    edit = PartialDateEdit()
    qtbot.addWidget(edit)
    edit.edit.setText(typed)
    assert edit.problem() is not None


def test_partial_date_round_trip_and_tidy(qtbot) -> None:
    edit = PartialDateEdit()
    qtbot.addWidget(edit)
    edit.set_value("1984-03")
    assert edit.edit.text() == "03/1984"
    assert edit.value() == "1984-03"
    edit.set_value("")
    assert edit.value() == ""
    assert edit.problem() is None


def test_two_digit_years_are_read_as_the_most_recent_past_year() -> None:
    today = dt.date(2026, 5, 1)
    assert split_date("2/3/84", today=today) == (1984, 3, 2)
    assert split_date("2/3/19", today=today) == (2019, 3, 2)
    assert split_date("2/3/30", past=False, today=today) == (2030, 3, 2)


def test_partial_date_in_french(qtbot) -> None:
    i18n.set_locale("fr")
    edit = PartialDateEdit()
    qtbot.addWidget(edit)
    edit.edit.setText("3/1984")
    assert edit.hint.text().startswith("mars 1984")


# --- OptionalDateEdit --------------------------------------------------------------------


def test_optional_date_reads_day_first_and_iso(qtbot) -> None:
    edit = OptionalDateEdit(label="Care started on")
    qtbot.addWidget(edit)
    assert edit.value() is None
    assert edit.problem() is None
    qtbot.keyClicks(edit.edit, "2/3/2026")
    assert edit.value() == dt.date(2026, 3, 2)
    edit.edit.setText("2026-03-02")
    assert edit.value() == dt.date(2026, 3, 2)
    edit.edit.setText("31/02/2026")
    assert edit.value() is None
    assert edit.problem() is not None
    assert edit.problem().startswith("Care started on:")


def test_optional_date_shows_the_locale_format(qtbot) -> None:
    i18n.set_locale("nl")
    edit = OptionalDateEdit()
    qtbot.addWidget(edit)
    edit.set_value(dt.date(2026, 3, 2))
    assert edit.edit.text() == "02/03/2026"
    assert edit.reading.text() == i18n.format_date(dt.date(2026, 3, 2), "full")
    assert "maart" in edit.reading.text()
    edit.set_value(None)
    assert edit.edit.text() == ""
    assert edit.value() is None


# --- CountryCombo ------------------------------------------------------------------------


def test_country_combo_finds_belgique_typing_belg_in_french(qtbot) -> None:
    i18n.set_locale("fr")
    combo = CountryCombo()
    qtbot.addWidget(combo)
    combo.show()
    assert combo.value() == ""
    qtbot.keyClicks(combo.lineEdit(), "belg")
    model = combo.completer().model()
    assert model.rowCount() >= 1
    assert model.index(0, 0).data() == "Belgique"
    combo.resolve()
    assert combo.value() == "BE"
    assert combo.currentText() == "Belgique"


def test_country_combo_ignores_accents_and_knows_other_languages(qtbot) -> None:
    i18n.set_locale("nl")
    combo = CountryCombo()
    qtbot.addWidget(combo)
    combo.lineEdit().setText("cote d ivoire")
    assert combo.value() == "CI"
    combo.lineEdit().setText("belgique")  # the French name typed in the Dutch interface
    assert combo.value() == "BE"
    combo.lineEdit().setText("zzzz")
    assert combo.value() == ""
    assert "zzzz" in (combo.problem() or "")
    combo.set_value("vn")
    assert combo.value() == "VN"
    assert combo.problem() is None
    combo.set_value(None)
    assert combo.value() == ""


# --- LanguagesEdit -----------------------------------------------------------------------


def test_languages_are_added_with_enter_and_removed(qtbot) -> None:
    edit = LanguagesEdit()
    qtbot.addWidget(edit)
    edit.show()
    qtbot.keyClicks(edit.input, "vietn")
    qtbot.keyClick(edit.input, Qt.Key.Key_Return)
    qtbot.keyClicks(edit.input, "arab")
    qtbot.keyClick(edit.input, Qt.Key.Key_Return)
    assert edit.value() == ["vi", "ar"]
    assert edit.input.text() == ""
    qtbot.keyClick(edit.input, Qt.Key.Key_Backspace)
    assert edit.value() == ["vi"]
    edit.set_value(["fr", "xx", "FR", "ru"])
    assert edit.value() == ["fr", "ru"]
    edit.input.setText("klingonish")
    assert edit.problem() is not None


# --- PersonPicker ------------------------------------------------------------------------


def test_person_picker_finds_by_folded_name(qtbot, store) -> None:
    with store.transaction() as session:
        wanted = people.save_person(
            people.PersonData(family_name="Nguyễn", given_names="Văn An", birth_date="1984-03-02"),
            session=session,
        )
        people.save_person(
            people.PersonData(family_name="Иванов", given_names="Пётр"), session=session
        )
    picker = PersonPicker(store)
    qtbot.addWidget(picker)
    picker.show()
    qtbot.keyClicks(picker.search, "nguyen")
    qtbot.waitUntil(lambda: picker.results.count() == 1)
    assert picker.results.item(0).text() == "NGUYỄN Văn An — 2 Mar 1984"
    assert picker.value() is None
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.value() == wanted.id
    picker.search.clear()
    qtbot.keyClicks(picker.search, "ivanov")
    qtbot.waitUntil(lambda: picker.results.item(0).text().startswith("ИВАНОВ"))
    assert picker.results.count() == 1
    assert picker.value() is None  # the chosen person is no longer among the results
    picker.set_person(wanted.id)
    assert picker.value() == wanted.id


# --- keyboard order of the person form ---------------------------------------------------


def test_person_dialog_tab_order(qtbot, store) -> None:
    dialog = PersonDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.family_name.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.family_name)
    expected: list[QWidget] = [
        dialog.given_names,
        dialog.sex,
        dialog.birth_date.edit,
        dialog.niss,
        dialog.photo.choose_button,
        dialog.nationality,
        dialog.languages.input,
        dialog.phone,
        dialog.commune,
        dialog.no_fixed_abode,
    ]
    for widget in expected:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is widget


def test_every_input_of_the_person_dialog_has_an_accessible_name(qtbot, store) -> None:
    dialog = PersonDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    focusable = [
        widget
        for widget in dialog.findChildren(QWidget)
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible()
    ]
    assert len(focusable) >= 15
    unnamed = [type(w).__name__ for w in focusable if not w.accessibleName()]
    assert unnamed == []
