"""The case forms, driven by typing into their widgets (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt
import io
import random
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QWidget
from sqlmodel import select

from amudesk.dates import brussels_today
from amudesk.i18n import _
from amudesk.models import Aamu, Decision, Person
from amudesk.services import cases, people
from amudesk.ui.aamudialog import AamuDialog, one_year_from
from amudesk.ui.decisiondialog import DecisionDialog
from amudesk.ui.kit.fielderrors import INVALID_PROPERTY
from amudesk.ui.persondialog import PersonDialog
from amudesk.ui.requestdialog import RequestDialog


def make_niss(yymmdd: str, counter: str) -> str:
    base = yymmdd + counter
    return f"{base}{97 - int(base) % 97:02d}"


def make_inami(first6: str, qualification: str) -> str:
    return f"{first6}{97 - int(first6) % 97:02d}{qualification}"


def all_people(store) -> list[Person]:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return list(session.exec(select(Person)).all())


def click_ok(qtbot, dialog: QDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def open_dialog(qtbot, dialog: QDialog) -> QDialog:  # type: ignore[no-untyped-def]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def assert_refused(dialog: QDialog, field: str, text: str) -> None:
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error_label.isVisible()
    assert text in dialog.error_label.text()
    assert dialog.fields[field].property(INVALID_PROPERTY) is True


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text`` key by key; unlike QTest.keyClicks it takes any Unicode letter."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def type_person(dialog: PersonDialog, family: str, given: str) -> None:
    type_text(dialog.family_name, family)
    type_text(dialog.given_names, given)


def add_request(store, person_id: int, *, days_ago: int = 0) -> int:  # type: ignore[no-untyped-def]
    from amudesk.services.directory import list_cpas

    with store.transaction() as session:
        cpas = list_cpas(session=session)[0]
        request = cases.register_request(
            cases.RequestData(
                person_id=person_id,
                cpas_id=cpas.id,
                received_at=dt.datetime.now() - dt.timedelta(days=days_ago),
            ),
            session=session,
        )
        return int(request.id or 0)


def add_person(store, family: str = "Test", given: str = "Person") -> int:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        person = people.save_person(
            people.PersonData(family_name=family, given_names=given), session=session
        )
        return int(person.id or 0)


# --- the person form ---------------------------------------------------------------------


def test_person_created_by_typing(qtbot, store) -> None:
    dialog = open_dialog(qtbot, PersonDialog(store))
    assert dialog.windowTitle() == "New person"
    type_person(dialog, "Nguyễn", "Văn An")
    qtbot.keyClicks(dialog.birth_date.edit, "2/3/1984")
    qtbot.keyClicks(dialog.niss, make_niss("840302", "033"))
    qtbot.keyClicks(dialog.nationality.lineEdit(), "viet")
    qtbot.keyClicks(dialog.languages.input, "vietnam")
    qtbot.keyClick(dialog.languages.input, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.phone, "+32 470 12 34 56")
    qtbot.keyClicks(dialog.commune, "Saint-Gilles")
    qtbot.keyClicks(dialog.notes, "Comes on Tuesdays.")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    [person] = all_people(store)
    assert dialog.person_id == person.id
    assert (person.family_name, person.given_names) == ("Nguyễn", "Văn An")
    assert person.search_text.startswith("nguyen van an")
    assert person.birth_date == "1984-03-02"
    assert person.niss == make_niss("840302", "033")
    assert person.sex == "U"
    assert person.nationality == "VN"
    assert person.languages == "vi"
    assert person.commune == "Saint-Gilles"
    assert person.notes == "Comes on Tuesdays."


def test_wrong_niss_check_digit_keeps_the_dialog_open(qtbot, store) -> None:
    dialog = open_dialog(qtbot, PersonDialog(store))
    type_person(dialog, "Dupont", "Marie")
    good = make_niss("850730", "033")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    qtbot.keyClicks(dialog.niss, bad)
    message = _("NISS: the check digits do not match (wrong digit or typo?)")
    assert dialog.niss_hint.text() == message  # the live hint already says it
    click_ok(qtbot, dialog)
    assert_refused(dialog, "niss", "NISS")
    assert dialog.error_label.text() == message
    assert all_people(store) == []


def test_a_niss_that_contradicts_the_birth_date_or_the_sex_is_refused_in_the_form(
    qtbot, store
) -> None:
    """As the import does: a number and a birth date that disagree are nearly always a
    digit typed wrong; the form says which, on the NISS, and saves nothing until right."""
    dialog = open_dialog(qtbot, PersonDialog(store))
    type_person(dialog, "Dupont", "Marie")
    qtbot.keyClicks(dialog.birth_date.edit, "3/7/1985")  # day and month swapped
    qtbot.keyClicks(dialog.niss, make_niss("850730", "034"))
    click_ok(qtbot, dialog)
    assert_refused(dialog, "niss", "NISS")
    assert dialog.error_label.text() == (
        "NISS: the number is that of a person born 30 Jul 1985, but the birth date says "
        "3 Jul 1985; check the number and the birth date."
    )
    assert all_people(store) == []
    dialog.birth_date.edit.clear()
    qtbot.keyClicks(dialog.birth_date.edit, "30/7/1985")
    dialog.sex.setCurrentIndex(dialog.sex.findData("M"))  # the number's counter is even: F
    click_ok(qtbot, dialog)
    assert_refused(dialog, "niss", "NISS")
    assert "sex F, but the sex given is M" in dialog.error_label.text()
    dialog.sex.setCurrentIndex(dialog.sex.findData("F"))
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    [person] = all_people(store)
    assert (person.birth_date, person.sex) == ("1985-07-30", "F")


def test_use_birth_date_and_sex_from_the_number(qtbot, store) -> None:
    dialog = open_dialog(qtbot, PersonDialog(store))
    assert dialog.use_niss_button.isHidden()
    qtbot.keyClicks(dialog.birth_date.edit, "1985")
    qtbot.keyClicks(dialog.niss, make_niss("854730", "033"))  # BIS, sex known: male
    assert dialog.niss_hint.text() == "Valid BIS number — born 30 July 1985, male"
    assert not dialog.use_niss_button.isHidden()
    assert dialog.sex.currentData() == "U"  # offered, not forced
    qtbot.mouseClick(dialog.use_niss_button, Qt.MouseButton.LeftButton)
    assert dialog.birth_date.value() == "1985-07-30"
    assert dialog.sex.currentData() == "M"
    assert dialog.use_niss_button.isHidden()


def test_no_fixed_abode_needs_the_usual_place(qtbot, store) -> None:
    dialog = open_dialog(qtbot, PersonDialog(store))
    type_person(dialog, "Petrov", "Ivan")
    assert not dialog.usual_place.isEnabled()
    qtbot.keyClick(dialog.no_fixed_abode, Qt.Key.Key_Space)
    assert dialog.usual_place.isEnabled()
    assert not dialog.commune.isEnabled()
    click_ok(qtbot, dialog)
    assert_refused(dialog, "usual_place", "Where the person is usually found")
    assert all_people(store) == []
    qtbot.keyClicks(dialog.usual_place, "Gare du Midi")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    [person] = all_people(store)
    assert person.no_fixed_abode and person.usual_place == "Gare du Midi"


def test_required_names_and_unreadable_birth_date(qtbot, store) -> None:
    dialog = open_dialog(qtbot, PersonDialog(store))
    click_ok(qtbot, dialog)
    assert_refused(dialog, "family_name", "Family name")
    type_person(dialog, "Ivanova", "Anna")
    qtbot.keyClicks(dialog.birth_date.edit, "31/02/1984")
    click_ok(qtbot, dialog)
    assert_refused(dialog, "birth_date", "Birth date")
    assert all_people(store) == []


def noisy_jpeg(path: Path, size: tuple[int, int] = (800, 600)) -> Path:
    image = Image.frombytes("RGB", size, random.Random(3).randbytes(size[0] * size[1] * 3))
    image.save(path, "JPEG", quality=80)
    return path


def bomb_png(path: Path) -> Path:
    """A tiny PNG whose header claims 50000×50000 pixels (CRC fixed up)."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = struct.pack(">II", 50000, 50000)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path.write_bytes(bytes(data))
    return path


def choose_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *args, **kwargs: (str(path), ""))
    )


def test_photo_is_cropped_to_35_45_and_stored(qtbot, store, tmp_path, monkeypatch) -> None:
    dialog = open_dialog(qtbot, PersonDialog(store))
    type_person(dialog, "Nguyễn", "Lan")
    choose_file(monkeypatch, noisy_jpeg(tmp_path / "photo.jpg"))
    qtbot.mouseClick(dialog.photo.choose_button, Qt.MouseButton.LeftButton)
    assert dialog.photo.value() is not None
    assert dialog.photo.remove_button.isEnabled()
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    [person] = all_people(store)
    assert person.photo is not None
    stored = Image.open(io.BytesIO(person.photo))
    assert stored.format == "JPEG"
    assert stored.width * 45 == pytest.approx(stored.height * 35, rel=0.01)


def truncated_jpeg(folder: Path) -> Path:
    path = folder / "cut.jpg"
    path.write_bytes(noisy_jpeg(folder / "whole.jpg").read_bytes()[:5000])
    return path


def bomb_in(folder: Path) -> Path:
    return bomb_png(folder / "bomb.png")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (truncated_jpeg, "Photo: the image file is damaged or incomplete"),
        (bomb_in, "Photo: the image is too large (at most 40 million pixels)"),
    ],
    ids=["truncated-jpeg", "decompression-bomb"],
)
def test_bad_photos_are_refused(qtbot, store, tmp_path, monkeypatch, make, message) -> None:
    dialog = open_dialog(qtbot, PersonDialog(store))
    type_person(dialog, "Nguyễn", "Lan")
    choose_file(monkeypatch, make(tmp_path))
    qtbot.mouseClick(dialog.photo.choose_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text() == _(message)
    assert dialog.photo.choose_button.property(INVALID_PROPERTY) is True
    assert dialog.photo.value() is None
    assert dialog.isVisible()
    click_ok(qtbot, dialog)
    [person] = all_people(store)
    assert person.photo is None


def test_dependant_minor_and_detach(qtbot, store) -> None:
    adult = add_person(store, "Nguyễn", "Văn An")
    dialog = open_dialog(qtbot, PersonDialog(store, guardian_id=adult))
    assert dialog.guardian_label.text() == "Dependant of: NGUYỄN Văn An"
    type_person(dialog, "Nguyễn", "Bảo")
    qtbot.keyClicks(dialog.birth_date.edit, "2019")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    minor = dialog.person_id
    editor = open_dialog(qtbot, PersonDialog(store, person_id=adult))
    assert editor.windowTitle() == "Edit person — NGUYỄN Văn An"
    assert editor.dependants.count() == 1
    assert editor.dependants.item(0).text().startswith("NGUYỄN Bảo — 2019")
    editor.dependants.setCurrentRow(0)
    qtbot.mouseClick(editor.detach_button, Qt.MouseButton.LeftButton)
    with store.session() as session:
        assert people.get_person(minor, session=session).guardian_id is None


# --- the whole path: person, request, search ---------------------------------------------


def test_person_then_request_then_found_in_the_case_list(qtbot, store) -> None:
    person_dialog = open_dialog(qtbot, PersonDialog(store))
    type_person(person_dialog, "Nguyễn", "Văn An")
    qtbot.keyClicks(person_dialog.birth_date.edit, "1984")
    qtbot.keyClick(person_dialog.given_names, Qt.Key.Key_Return)  # Enter saves
    assert person_dialog.result() == QDialog.DialogCode.Accepted, (
        person_dialog.error_label.text(),
        person_dialog.isVisible(),
    )

    dialog = open_dialog(qtbot, RequestDialog(store))
    assert dialog.reference.text() == "assigned on save"
    qtbot.keyClicks(dialog.picker.search, "nguyen")
    qtbot.waitUntil(lambda: dialog.picker.results.count() == 1)
    qtbot.keyClick(dialog.picker.search, Qt.Key.Key_Down)
    assert dialog.picker.value() == person_dialog.person_id
    qtbot.keyClicks(dialog.cpas.lineEdit(), "ixel")
    dialog.cpas.resolve()
    assert dialog.cpas.currentText() == "CPAS d'Ixelles"
    type_text(dialog.accompanied_by, "Médecins du Monde")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()

    with store.session() as session:
        found = cases.list_cases(session=session, query="nguyen")
        request = cases.get_request(dialog.request_id, session=session)
    assert [row.request_id for row in found] == [dialog.request_id]
    assert found[0].reference.startswith(f"AMU-{brussels_today().year}-")
    assert request.accompanied_by == "Médecins du Monde"
    assert request.channel == "in_person"


def test_request_needs_a_person_and_a_kind_of_care(qtbot, store) -> None:
    person = add_person(store)
    dialog = open_dialog(qtbot, RequestDialog(store))
    click_ok(qtbot, dialog)
    assert_refused(dialog, "person_id", "Person")
    dialog.picker.set_person(person)
    dialog.cpas.set_key(dialog.cpas.itemData(0))
    qtbot.keyClicks(dialog.care_started_on.edit, "1/1/2026")
    click_ok(qtbot, dialog)
    assert_refused(dialog, "care_kind", "Kind of care")
    dialog.care_kind.setCurrentIndex(dialog.care_kind.findData("mediprima"))
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with store.session() as session:
        request = cases.get_request(dialog.request_id, session=session)
    assert (request.care_started_on, request.care_kind) == (dt.date(2026, 1, 1), "mediprima")


def test_editing_a_request_shows_its_reference(qtbot, store) -> None:
    person = add_person(store, "Иванов", "Пётр")
    request_id = add_request(store, person)
    dialog = open_dialog(qtbot, RequestDialog(store, request_id=request_id))
    assert dialog.reference.text().startswith("AMU-")
    assert dialog.person_label.text().startswith("ИВАНОВ Пётр")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.request_id == request_id


# --- attestation and decision ------------------------------------------------------------


def test_aamu_with_bad_inami_is_refused(qtbot, store) -> None:
    request_id = add_request(store, add_person(store))
    dialog = open_dialog(qtbot, AamuDialog(store, request_id=request_id))
    qtbot.keyClicks(dialog.doctor_name, "Dr Janssens")
    good = make_inami("123456", "004")
    qtbot.keyClicks(dialog.inami, good[:7] + str((int(good[7]) + 1) % 10) + good[8:])
    click_ok(qtbot, dialog)
    assert_refused(dialog, "inami", "INAMI")
    dialog.inami.clear()
    qtbot.keyClicks(dialog.inami, good)
    assert dialog.inami_hint.text() == f"Valid INAMI number: 1-23456-{good[6:8]}-004"
    dialog.categories["gp"].setChecked(True)
    dialog.categories["pharmacy"].setChecked(True)
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with store.session() as session:
        [aamu] = session.exec(select(Aamu)).all()
    assert aamu.inami == good
    assert aamu.category_list == ["gp", "pharmacy"]


def test_aamu_one_year_suggestion(qtbot, store) -> None:
    request_id = add_request(store, add_person(store))
    dialog = open_dialog(qtbot, AamuDialog(store, request_id=request_id))
    dialog.issued_on.edit.clear()
    qtbot.keyClicks(dialog.issued_on.edit, "15/01/2026")
    qtbot.mouseClick(dialog.suggest_button, Qt.MouseButton.LeftButton)
    assert dialog.valid_from.value() == dt.date(2026, 1, 15)
    assert dialog.valid_to.value() == dt.date(2027, 1, 14)
    assert one_year_from(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)


def test_decision_validity_only_for_positive_kinds(qtbot, store) -> None:
    request_id = add_request(store, add_person(store), days_ago=100)
    dialog = open_dialog(qtbot, DecisionDialog(store, request_id=request_id))
    assert "received" in dialog.heading.text()
    dialog.kinds["refusal"].setChecked(True)
    assert not dialog.valid_from.isEnabled()
    assert not dialog.valid_to.isEnabled()
    assert not dialog.mediprima_number.isEnabled()
    dialog.kinds["guarantee"].setChecked(True)
    assert dialog.valid_from.isEnabled() and dialog.mediprima_number.isEnabled()
    dialog.kinds["refusal"].setChecked(True)
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with store.session() as session:
        [decision] = session.exec(select(Decision)).all()
        assert cases.get_request(request_id, session=session).status == "refused"
    assert decision.valid_from is None


def test_decision_starting_more_than_60_days_before_is_refused(qtbot, store) -> None:
    request_id = add_request(store, add_person(store), days_ago=100)
    dialog = open_dialog(qtbot, DecisionDialog(store, request_id=request_id))
    click_ok(qtbot, dialog)
    assert_refused(dialog, "kind", "Kind of decision")
    dialog.kinds["principle"].setChecked(True)
    today = brussels_today()
    dialog.valid_from.set_value(today - dt.timedelta(days=61))
    dialog.valid_to.set_value(today + dt.timedelta(days=200))
    click_ok(qtbot, dialog)
    assert_refused(dialog, "valid_from", "at most 60 days before")
    with store.session() as session:
        assert session.exec(select(Decision)).all() == []
    dialog.valid_from.set_value(today - dt.timedelta(days=60))
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_ctrl_enter_saves_from_the_notes_and_escape_cancels(qtbot, store) -> None:
    dialog = open_dialog(qtbot, PersonDialog(store))
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    type_person(dialog, "Иванов", "Пётр")
    dialog.notes.setFocus()
    qtbot.keyClicks(dialog.notes, "line one")
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Return)  # a new line, not a save
    assert dialog.isVisible()
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    [person] = all_people(store)
    assert person.search_text.startswith("ivanov")
    assert person.notes == "line one"

    other = open_dialog(qtbot, PersonDialog(store, person_id=person.id))
    other.family_name.clear()
    type_text(other.family_name, "Changed")
    qtbot.keyClick(other.family_name, Qt.Key.Key_Escape)
    assert other.result() == QDialog.DialogCode.Rejected
    assert not other.isVisible()
    assert [p.family_name for p in all_people(store)] == ["Иванов"]


def test_new_person_from_the_request_form_is_chosen(qtbot, store, monkeypatch) -> None:
    def fill_and_save(self: PersonDialog) -> int:
        type_person(self, "Öztürk", "Ayşe")
        self.submit()
        return int(self.result())

    monkeypatch.setattr(PersonDialog, "exec", fill_and_save)
    dialog = open_dialog(qtbot, RequestDialog(store))
    qtbot.mouseClick(dialog.new_person_button, Qt.MouseButton.LeftButton)
    [person] = all_people(store)
    assert dialog.picker.value() == person.id
    assert dialog.picker.chosen_text() == "ÖZTÜRK Ayşe"


def test_add_dependant_from_the_adult_form(qtbot, store, monkeypatch) -> None:
    adult = add_person(store, "Nguyễn", "Văn An")

    def fill_and_save(self: PersonDialog) -> int:
        assert self.guardian_id == adult
        type_person(self, "Nguyễn", "Minh")
        type_text(self.birth_date.edit, "2020")
        self.submit()
        return int(self.result())

    monkeypatch.setattr(PersonDialog, "exec", fill_and_save)
    editor = open_dialog(qtbot, PersonDialog(store, person_id=adult))
    assert editor.dependants.item(0).text() == "No dependants."
    assert not editor.detach_button.isEnabled()
    qtbot.mouseClick(editor.add_dependant_button, Qt.MouseButton.LeftButton)
    assert editor.dependants.count() == 1
    assert editor.dependants.item(0).text() == "NGUYỄN Minh — 2020"
