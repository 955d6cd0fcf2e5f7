"""The reusable inputs of the case forms (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from amudesk import i18n
from amudesk.i18n import _
from amudesk.photos import process_photo
from amudesk.services import people
from amudesk.ui.kit import cameras
from amudesk.ui.kit.combos import CountryCombo
from amudesk.ui.kit.dates import OptionalDateEdit, PartialDateEdit
from amudesk.ui.kit.languages import LanguagesEdit
from amudesk.ui.kit.personpicker import PersonPicker
from amudesk.ui.kit.photofield import PhotoField
from amudesk.ui.persondialog import PersonDialog
from amudesk.ui.photocapture import PhotoCropDialog, PhotoDialog

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
        dialog.latin_name,
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


# --- PhotoField --------------------------------------------------------------------------


def photo_file(path: Path, size: tuple[int, int] = (800, 600)) -> Path:
    image = Image.new("RGB", size, (255, 255, 255))
    image.paste((220, 30, 30), (0, 0, size[0] // 2, size[1] // 2))
    image.save(path, "PNG")
    return path


def shown_field(qtbot) -> PhotoField:  # type: ignore[no-untyped-def]
    field = PhotoField()
    qtbot.addWidget(field)
    field.show()
    qtbot.waitExposed(field)
    return field


def test_take_photo_says_when_there_is_no_camera(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(cameras, "camera_available", lambda: False)
    field = shown_field(qtbot)
    assert not field.take_button.isEnabled()
    assert field.take_button.text() == _("No camera found")
    explanation = _("No camera is connected: connect one, or choose a photo file.")
    assert field.take_button.toolTip() == explanation
    assert field.take_button.accessibleDescription() == explanation
    assert field.take_button.accessibleName() == _("Take photo")
    field.take_photo()  # does nothing
    assert field.dialog is None


def test_take_photo_follows_the_real_cameras(qtbot) -> None:
    field = shown_field(qtbot)
    assert field.take_button.isEnabled() == cameras.camera_available()


class FakeCameraDialog(PhotoDialog):
    opened: list[FakeCameraDialog] = []

    def open(self) -> None:
        FakeCameraDialog.opened.append(self)
        super().open()

    def take(self, photo: bytes) -> None:
        self._photo = photo
        self.accept()


def test_take_photo_opens_the_camera_dialog_and_keeps_its_photo(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(cameras, "camera_available", lambda: True)
    FakeCameraDialog.opened = []
    field = shown_field(qtbot)
    field.camera_dialog_factory = FakeCameraDialog
    assert field.take_button.isEnabled()
    assert field.take_button.text() == _("Ta&ke photo…")
    assert "&h" not in field.take_button.text().lower()  # C&hoose keeps Alt+H
    changes: list[bool] = []
    field.changed.connect(lambda: changes.append(True))
    qtbot.mouseClick(field.take_button, Qt.MouseButton.LeftButton)
    [dialog] = FakeCameraDialog.opened
    assert dialog.isVisible() and field.dialog is dialog
    dialog.reject()  # Cancel: nothing changes
    assert field.value() is None and changes == []
    qtbot.mouseClick(field.take_button, Qt.MouseButton.LeftButton)
    photo = process_photo(photo_file_bytes())
    FakeCameraDialog.opened[-1].take(photo)
    assert field.value() == photo and changes == [True]
    assert field.remove_button.isEnabled()
    assert field.dialog is None


def photo_file_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (700, 900), (10, 120, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def choose_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *args, **kwargs: (str(path), ""))
    )


def test_a_chosen_file_is_framed_in_the_crop_dialog(qtbot, monkeypatch, tmp_path) -> None:
    path = photo_file(tmp_path / "photo.png")
    choose_file(monkeypatch, path)
    field = shown_field(qtbot)
    qtbot.mouseClick(field.choose_button, Qt.MouseButton.LeftButton)
    dialog = field.dialog
    assert isinstance(dialog, PhotoCropDialog)
    assert field.value() == process_photo(path.read_bytes())  # the default crop meanwhile
    qtbot.waitExposed(dialog)
    for _step in range(8):
        qtbot.keyClick(dialog.view, Qt.Key.Key_Minus)
    for _step in range(30):
        qtbot.keyClick(dialog.view, Qt.Key.Key_Left)
        qtbot.keyClick(dialog.view, Qt.Key.Key_Up)
    crop = dialog.crop()
    qtbot.keyClick(dialog.view, Qt.Key.Key_Return)
    assert field.value() == process_photo(path.read_bytes(), crop=crop)
    assert field.dialog is None
    # Cancel in the crop dialog of another file: the framed photo stays
    kept = field.value()
    choose_file(monkeypatch, photo_file(tmp_path / "other.png", (900, 900)))
    qtbot.mouseClick(field.choose_button, Qt.MouseButton.LeftButton)
    assert field.value() != kept
    assert isinstance(field.dialog, PhotoCropDialog)
    qtbot.keyClick(field.dialog.view, Qt.Key.Key_Escape)
    assert field.value() == kept


def test_load_file_still_takes_the_default_crop_without_a_dialog(qtbot, tmp_path) -> None:
    path = photo_file(tmp_path / "photo.png")
    field = shown_field(qtbot)
    assert field.load_file(str(path))
    assert field.value() == process_photo(path.read_bytes())
    assert field.dialog is None
    assert field.findChildren(PhotoDialog) == []


def test_take_photo_comes_after_choose_photo_in_the_person_form(qtbot, store, monkeypatch) -> None:
    monkeypatch.setattr(cameras, "camera_available", lambda: True)
    dialog = PersonDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.photo.choose_button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.photo.choose_button)
    for widget in (dialog.photo.take_button, dialog.nationality):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is widget
