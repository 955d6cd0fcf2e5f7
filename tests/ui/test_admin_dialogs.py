"""The administration dialogs: CPAS directory, office profile and settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTableWidget,
    QWidget,
)

from amudesk import i18n
from amudesk.services import directory, office
from amudesk.settings import load_settings
from amudesk.ui.directorydialog import DirectoryDialog
from amudesk.ui.officedialog import OfficeDialog
from amudesk.ui.settingsdialog import SettingsDialog

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCREEN = (1366, 768)
Button = QMessageBox.StandardButton


def valid_bce(first8: str) -> str:
    """A BCE/KBO number with correct check digits: 97 - (first 8 digits mod 97)."""
    assert len(first8) == 8 and first8[0] in "01"
    return f"{first8}{97 - int(first8) % 97:02d}"


def invalid_bce(first8: str) -> str:
    good = valid_bce(first8)
    return good[:-2] + f"{(int(good[-2:]) % 97) + 1:02d}"


class Answers:
    """Stands in for QMessageBox.question / warning and records what was asked."""

    def __init__(self, *answers: Button) -> None:
        self.answers = list(answers)
        self.questions: list[str] = []
        self.warnings: list[str] = []

    def question(self, _parent: Any, _title: str, text: str, *_args: Any) -> Button:
        self.questions.append(text)
        return self.answers.pop(0)

    def warning(self, _parent: Any, _title: str, text: str, *_args: Any) -> Button:
        self.warnings.append(text)
        return Button.Ok


@pytest.fixture(autouse=True)
def _no_real_message_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected question fails the test instead of waiting forever for a click."""
    unexpected = Answers()
    monkeypatch.setattr(QMessageBox, "question", unexpected.question)
    monkeypatch.setattr(QMessageBox, "warning", unexpected.warning)


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Answers]:
    def install(*replies: Button) -> Answers:
        fake = Answers(*replies)
        monkeypatch.setattr(QMessageBox, "question", fake.question)
        monkeypatch.setattr(QMessageBox, "warning", fake.warning)
        return fake

    return install


def cpas_named(store: Any, name_fr: str) -> Any:
    with store.session() as session:
        return next(c for c in directory.list_cpas(session=session) if c.name_fr == name_fr)


def read_cpas(store: Any, cpas_id: int) -> Any:
    with store.session() as session:
        return directory.get_cpas(cpas_id, session=session)


def read_office(store: Any) -> Any:
    with store.session() as session:
        return office.get_office(session=session)


def show(qtbot: Any, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_into(qtbot: Any, widget: QLineEdit | QPlainTextEdit, text: str) -> None:
    """Replace the field's text as a user would (QTest cannot type a newline: press Return)."""
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    for number, line in enumerate(text.split("\n")):
        if number:
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        if line and line.isascii():
            qtbot.keyClicks(widget, line)
        elif line:  # QTest types ASCII only; paste the rest as an input method would
            if isinstance(widget, QLineEdit):
                widget.insert(line)
            else:
                widget.insertPlainText(line)


def tab_chain(qtbot: Any, dialog: QDialog, start: QWidget, steps: int) -> list[QWidget]:
    """The widgets Tab visits from ``start``, pressing the real key."""
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


def assert_accessible(dialog: QDialog) -> None:
    """Every input and button is named; every label with a buddy has a mnemonic."""
    inputs = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractButton, QTableWidget)
    unnamed = [
        type(w).__name__
        for w in dialog.findChildren(QWidget)
        if isinstance(w, inputs)
        and w.isVisibleTo(dialog)
        and not w.accessibleName()
        and type(w).__name__ != "QToolButton"  # the line edits' own clear buttons
    ]
    assert unnamed == []
    for label in dialog.findChildren(QLabel):
        if label.buddy() is not None:
            assert "&" in label.text(), label.text()


def assert_fits_screen(dialog: QDialog) -> None:
    assert dialog.width() <= SCREEN[0] and dialog.height() <= SCREEN[1] - 68
    hint = dialog.minimumSizeHint()
    assert hint.width() <= SCREEN[0] and hint.height() <= SCREEN[1] - 68


# --- CPAS directory -------------------------------------------------------------


@pytest.fixture
def directory_dialog(qtbot: Any, store: Any) -> DirectoryDialog:
    dialog = DirectoryDialog(store)
    # Tests may leave edits behind: drop them so closing at teardown asks nothing.
    qtbot.addWidget(dialog, before_close_func=lambda w: w.discard_changes())
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_directory_shows_the_19_brussels_cpas(directory_dialog: DirectoryDialog) -> None:
    assert len(directory_dialog.visible_ids()) == 19
    assert directory_dialog.table.rowCount() == 19
    texts = {
        directory_dialog.table.item(row, 1).text()
        for row in range(directory_dialog.table.rowCount())
    }
    assert "OCMW Sint-Gillis" in texts
    # The first entry (by commune) is open in the form and selected in the list.
    assert directory_dialog.name_fr.text() == "CPAS d'Anderlecht"
    assert directory_dialog.table.currentRow() == 0
    assert directory_dialog.table.item(0, 0).text() == "CPAS d'Anderlecht"


@pytest.mark.parametrize("query", ["sint gillis", "saint-gilles", "SAINT GILLES"])
def test_directory_filter_ignores_accents_case_and_dashes(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any, query: str
) -> None:
    qtbot.keyClicks(directory_dialog.filter_edit, query)
    assert directory_dialog.visible_ids() == [cpas_named(store, "CPAS de Saint-Gilles").id]
    directory_dialog.filter_edit.clear()
    assert len(directory_dialog.visible_ids()) == 19


def test_directory_filter_matches_accented_names_typed_plainly(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any
) -> None:
    with store.transaction() as session:
        directory.save_cpas(
            session=session, name_fr="CPAS d'Écaussinnes", name_nl="OCMW Écaussinnes"
        )
    directory_dialog._reload()
    qtbot.keyClicks(directory_dialog.filter_edit, "ecaussinnes")
    assert len(directory_dialog.visible_ids()) == 1


def test_directory_edit_phone_and_save_persists(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any
) -> None:
    target = cpas_named(store, "CPAS de Saint-Gilles")
    assert directory_dialog.select_cpas(target.id)
    assert directory_dialog.name_fr.text() == "CPAS de Saint-Gilles"
    type_into(qtbot, directory_dialog.phone, "02 600 54 11")
    assert directory_dialog.is_dirty()
    qtbot.mouseClick(directory_dialog.save_button, Qt.MouseButton.LeftButton)
    assert read_cpas(store, target.id).phone == "02 600 54 11"
    assert not directory_dialog.is_dirty()
    assert not directory_dialog.error_label.isVisible()


def test_directory_keeps_an_address_in_dutch_beside_the_address(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any
) -> None:
    target = cpas_named(store, "CPAS de Saint-Gilles")
    assert directory_dialog.select_cpas(target.id)
    directory_dialog.address.setPlainText("Rue Fernand Bernier 40\n1060 Saint-Gilles")
    directory_dialog.address_nl.setPlainText("  Fernand Bernierstraat 40\n1060 Sint-Gillis  ")
    qtbot.mouseClick(directory_dialog.save_button, Qt.MouseButton.LeftButton)
    saved = read_cpas(store, target.id)
    assert saved.address_nl == "Fernand Bernierstraat 40\n1060 Sint-Gillis"
    assert saved.address_in("nl") == saved.address_nl
    assert saved.address_in("fr") == saved.address_in("en") == saved.address
    directory_dialog.address_nl.setPlainText('=HYPERLINK("x")')
    qtbot.mouseClick(directory_dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Address in Dutch" in directory_dialog.error_label.text()  # named, not saved
    assert read_cpas(store, target.id).address_nl == "Fernand Bernierstraat 40\n1060 Sint-Gillis"


def test_directory_enter_in_a_field_saves_and_keeps_the_dialog_open(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any
) -> None:
    target = cpas_named(store, "CPAS de Jette")
    directory_dialog.select_cpas(target.id)
    type_into(qtbot, directory_dialog.email, "amu@cpas-jette.example")
    qtbot.keyClick(directory_dialog.email, Qt.Key.Key_Return)
    assert directory_dialog.isVisible()
    assert read_cpas(store, target.id).email == "amu@cpas-jette.example"


def test_directory_enter_in_the_filter_goes_to_the_list(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any
) -> None:
    qtbot.keyClicks(directory_dialog.filter_edit, "jette")
    qtbot.keyClick(directory_dialog.filter_edit, Qt.Key.Key_Return)
    assert directory_dialog.isVisible()
    assert directory_dialog.name_fr.text() == "CPAS de Jette"


def test_directory_invalid_bce_is_refused_and_nothing_changes(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any
) -> None:
    target = cpas_named(store, "CPAS d'Ixelles")
    directory_dialog.select_cpas(target.id)
    type_into(qtbot, directory_dialog.phone, "02 641 54 11")
    type_into(qtbot, directory_dialog.bce, invalid_bce("02123456"))
    assert "BCE" in directory_dialog.bce.status.text()  # checked while typing
    qtbot.mouseClick(directory_dialog.save_button, Qt.MouseButton.LeftButton)
    assert directory_dialog.error_label.isVisible()
    assert "BCE" in directory_dialog.error_label.text()
    assert directory_dialog.bce.property("invalid") is True
    stored = read_cpas(store, target.id)
    assert stored.bce is None
    assert stored.phone == ""


def test_directory_valid_bce_is_shown_formatted_and_stored_compact(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any
) -> None:
    number = valid_bce("02123456")
    target = cpas_named(store, "CPAS d'Evere")
    directory_dialog.select_cpas(target.id)
    type_into(qtbot, directory_dialog.bce, number)
    qtbot.keyClick(directory_dialog.bce, Qt.Key.Key_Tab)
    assert directory_dialog.bce.text() == f"{number[:4]}.{number[4:7]}.{number[7:]}"
    qtbot.mouseClick(directory_dialog.save_button, Qt.MouseButton.LeftButton)
    assert read_cpas(store, target.id).bce == number


def test_directory_new_entry_is_created(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any
) -> None:
    qtbot.mouseClick(directory_dialog.new_button, Qt.MouseButton.LeftButton)
    assert directory_dialog.name_fr.text() == ""
    assert not directory_dialog.delete_button.isEnabled()
    type_into(qtbot, directory_dialog.name_fr, "CPAS de Wavre")
    type_into(qtbot, directory_dialog.name_nl, "OCMW Waver")
    type_into(qtbot, directory_dialog.commune_fr, "Wavre")
    type_into(qtbot, directory_dialog.address, "Place Henri Berger 1\n1300 Wavre")
    qtbot.mouseClick(directory_dialog.save_button, Qt.MouseButton.LeftButton)
    created = cpas_named(store, "CPAS de Wavre")
    assert created.name_nl == "OCMW Waver"
    assert "1300 Wavre" in created.address
    assert len(directory_dialog.visible_ids()) == 20
    assert created.id in directory_dialog.visible_ids()
    assert directory_dialog.name_fr.text() == "CPAS de Wavre"


def test_directory_new_entry_without_dutch_name_is_refused(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any
) -> None:
    qtbot.mouseClick(directory_dialog.new_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, directory_dialog.name_fr, "CPAS de Wavre")
    qtbot.mouseClick(directory_dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Dutch name" in directory_dialog.error_label.text()
    with store.session() as session:
        assert len(directory.list_cpas(session=session)) == 19


def test_directory_delete_without_requests_after_confirmation(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any, answers: Callable[..., Answers]
) -> None:
    target = cpas_named(store, "CPAS de Koekelberg")
    directory_dialog.select_cpas(target.id)
    fake = answers(Button.No, Button.Yes)
    qtbot.mouseClick(directory_dialog.delete_button, Qt.MouseButton.LeftButton)
    assert read_cpas(store, target.id).name_fr == "CPAS de Koekelberg"  # "No" keeps it
    qtbot.mouseClick(directory_dialog.delete_button, Qt.MouseButton.LeftButton)
    assert len(fake.questions) == 2 and "Koekelberg" in fake.questions[1]
    with store.session() as session:
        names = [c.name_fr for c in directory.list_cpas(session=session)]
    assert "CPAS de Koekelberg" not in names and len(names) == 18
    assert target.id not in directory_dialog.visible_ids()
    assert len(directory_dialog.visible_ids()) == 18
    assert fake.warnings == []


def test_directory_delete_of_a_cpas_with_requests_is_refused(
    qtbot: Any,
    directory_dialog: DirectoryDialog,
    store: Any,
    answers: Callable[..., Answers],
    add_case: Callable[..., tuple[int, str]],
) -> None:
    target = cpas_named(store, "CPAS de Forest")
    add_case("Nguyễn", "Văn An", cpas_id=target.id)
    directory_dialog.select_cpas(target.id)
    fake = answers(Button.Yes)
    qtbot.mouseClick(directory_dialog.delete_button, Qt.MouseButton.LeftButton)
    assert len(fake.warnings) == 1 and "requests" in fake.warnings[0]
    assert read_cpas(store, target.id).name_fr == "CPAS de Forest"
    assert target.id in directory_dialog.visible_ids()


def test_directory_switching_with_unsaved_changes_asks(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any, answers: Callable[..., Answers]
) -> None:
    first = cpas_named(store, "CPAS d'Uccle")
    second = cpas_named(store, "CPAS d'Evere")
    directory_dialog.select_cpas(first.id)
    type_into(qtbot, directory_dialog.phone, "02 370 75 11")
    fake = answers(Button.Cancel, Button.Discard)
    assert not directory_dialog.select_cpas(second.id)  # Cancel: stay, edits kept
    assert directory_dialog.phone.text() == "02 370 75 11"
    qtbot.waitUntil(lambda: directory_dialog.table.currentRow() >= 0)
    current = directory_dialog.table.item(directory_dialog.table.currentRow(), 0)
    assert current.text() == "CPAS d'Uccle"
    assert directory_dialog.select_cpas(second.id)  # Discard: move on, nothing saved
    assert fake.questions == ["Save changes?", "Save changes?"]
    assert read_cpas(store, first.id).phone == ""
    assert directory_dialog.name_fr.text() == "CPAS d'Evere"


def test_directory_switching_can_save_the_changes(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any, answers: Callable[..., Answers]
) -> None:
    first = cpas_named(store, "CPAS d'Uccle")
    second = cpas_named(store, "CPAS d'Evere")
    directory_dialog.select_cpas(first.id)
    type_into(qtbot, directory_dialog.amu_contact, "Mme Ŝoŭĉo")
    answers(Button.Save)
    assert directory_dialog.select_cpas(second.id)
    assert read_cpas(store, first.id).amu_contact == "Mme Ŝoŭĉo"


def test_directory_closing_with_unsaved_changes_asks(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any, answers: Callable[..., Answers]
) -> None:
    directory_dialog.select_cpas(cpas_named(store, "CPAS de Jette").id)
    type_into(qtbot, directory_dialog.phone, "02 422 46 11")
    fake = answers(Button.Cancel, Button.Discard)
    qtbot.mouseClick(directory_dialog.close_button, Qt.MouseButton.LeftButton)
    assert directory_dialog.isVisible()
    qtbot.keyClick(directory_dialog.phone, Qt.Key.Key_Escape)
    assert not directory_dialog.isVisible()
    assert len(fake.questions) == 2
    assert cpas_named(store, "CPAS de Jette").phone == ""


def test_directory_keyboard_and_screen(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any
) -> None:
    d = directory_dialog
    d.select_cpas(cpas_named(store, "CPAS de Jette").id)
    expected = [
        d.filter_edit, d.table, d.name_fr, d.name_nl, d.commune_fr, d.commune_nl, d.address,
        d.address_nl,
        d.phone, d.email, d.bce, d.amu_contact, d.new_button, d.delete_button, d.save_button,
        d.import_button, d.close_button,
    ]  # fmt: skip
    assert tab_chain(qtbot, d, d.filter_edit, len(expected) - 1) == expected
    assert d.save_button.isDefault() and not d.close_button.isDefault()
    assert_accessible(d)
    assert_fits_screen(d)


# --- office profile -------------------------------------------------------------


def office_dialog(qtbot: Any, store: Any, **kwargs: Any) -> OfficeDialog:
    dialog = OfficeDialog(store, **kwargs)
    show(qtbot, dialog)
    return dialog


def test_office_first_run_refuses_an_empty_name(qtbot: Any, store: Any) -> None:
    dialog = office_dialog(qtbot, store, first_run=True)
    assert "Welcome to AMU Desk" in dialog.welcome.text()
    assert dialog.cancel_button.text().replace("&", "") == "Quit"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "Name" in dialog.error_label.text()
    assert dialog.name.property("invalid") is True
    assert read_office(store) is None


def test_office_first_run_quit_rejects(qtbot: Any, store: Any) -> None:
    dialog = office_dialog(qtbot, store, first_run=True)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert read_office(store) is None


def test_office_valid_profile_is_saved_and_loaded_again(qtbot: Any, store: Any) -> None:
    number = valid_bce("08765432")
    dialog = office_dialog(qtbot, store, first_run=True)
    qtbot.mouseClick(dialog.kind_association, Qt.MouseButton.LeftButton)
    type_into(qtbot, dialog.name, "Médecins du Monde — Антенна Брюссель")
    type_into(qtbot, dialog.bce, number)
    type_into(qtbot, dialog.signatory_name, "Zoë Van den Bossche")
    dialog.document_language.setCurrentIndex(dialog.document_language.findText("Nederlands"))
    type_into(qtbot, dialog.labour_court_address, "Tribunal du travail francophone de Bruxelles")
    type_into(qtbot, dialog.labour_court_address_nl, "Nederlandstalige arbeidsrechtbank Brussel")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    saved = read_office(store)
    assert saved.kind == "association"
    assert saved.name == "Médecins du Monde — Антенна Брюссель"
    assert saved.bce == number
    assert saved.document_language == "nl"
    assert saved.signatory_name == "Zoë Van den Bossche"
    assert saved.labour_court_address == "Tribunal du travail francophone de Bruxelles"
    assert saved.labour_court_address_nl == "Nederlandstalige arbeidsrechtbank Brussel"
    assert saved.court_for("nl") == saved.labour_court_address_nl
    assert saved.court_for("fr") == saved.labour_court_address
    # English documents print the main language's words: Dutch here.
    assert saved.court_for("en") == saved.labour_court_address_nl

    again = office_dialog(qtbot, store)
    assert again.kind_association.isChecked() and not again.kind_cpas.isChecked()
    assert again.name.text() == saved.name
    assert again.bce.text() == f"{number[:4]}.{number[4:7]}.{number[7:]}"
    assert again.document_language.currentData() == "nl"
    assert again.labour_court_address_nl.toPlainText() == saved.labour_court_address_nl
    assert again.cancel_button.text() == "Cancel"
    assert not hasattr(again, "welcome")


def test_office_enter_in_a_field_saves(qtbot: Any, store: Any) -> None:
    dialog = office_dialog(qtbot, store)
    type_into(qtbot, dialog.name, "Maison Médicale du Midi")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert read_office(store).name == "Maison Médicale du Midi"


def test_office_invalid_bce_is_refused(qtbot: Any, store: Any) -> None:
    dialog = office_dialog(qtbot, store)
    type_into(qtbot, dialog.name, "Maison Médicale du Midi")
    type_into(qtbot, dialog.bce, invalid_bce("08765432"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "BCE" in dialog.error_label.text()
    assert read_office(store) is None


def test_office_language_names_are_written_in_their_own_language(qtbot: Any, store: Any) -> None:
    i18n.set_locale("nl")
    dialog = office_dialog(qtbot, store)
    names = [dialog.document_language.itemText(i) for i in range(dialog.document_language.count())]
    assert names == ["Français", "Nederlands", "English"]
    assert dialog.document_language.currentData() == "nl"  # a new profile follows the interface


def write_png(path: Path, width: int, height: int) -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(20, 90, 160))
    image.setText("Author", "Secret Person")
    assert image.save(str(path), "PNG")
    assert b"Secret Person" in path.read_bytes()
    return path


def choose_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    asked: list[str] = []

    def fake(*args: Any, **_kwargs: Any) -> tuple[str, str]:
        asked.append(str(args[1]) if len(args) > 1 else "")
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", fake)
    return asked


def test_office_logo_is_stored_as_small_png_without_metadata(
    qtbot: Any, store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = choose_file(monkeypatch, write_png(tmp_path / "logo.png", 1200, 400))
    dialog = office_dialog(qtbot, store)
    type_into(qtbot, dialog.name, "CPAS de Saint-Gilles")
    qtbot.mouseClick(dialog.logo_choose, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    assert dialog.logo_preview.pixmap() is not None and not dialog.logo_preview.pixmap().isNull()
    assert dialog.logo_remove.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    logo = read_office(store).logo
    assert logo is not None and logo.startswith(PNG_SIGNATURE)
    assert b"Secret Person" not in logo
    image = QImage()
    assert image.loadFromData(logo)
    assert (image.width(), image.height()) == (600, 200)


def test_office_logo_can_be_removed(
    qtbot: Any, store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose_file(monkeypatch, write_png(tmp_path / "logo.png", 120, 60))
    dialog = office_dialog(qtbot, store)
    type_into(qtbot, dialog.name, "CPAS de Saint-Gilles")
    qtbot.mouseClick(dialog.logo_choose, Qt.MouseButton.LeftButton)
    assert dialog.logo() is not None
    qtbot.mouseClick(dialog.logo_remove, Qt.MouseButton.LeftButton)
    assert dialog.logo() is None and not dialog.logo_remove.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert read_office(store).logo is None


def test_office_text_file_posing_as_image_is_refused(
    qtbot: Any, store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_png = tmp_path / "logo.png"
    fake_png.write_text("this is not an image", encoding="utf-8")
    choose_file(monkeypatch, fake_png)
    dialog = office_dialog(qtbot, store)
    type_into(qtbot, dialog.name, "CPAS de Saint-Gilles")
    qtbot.mouseClick(dialog.logo_choose, Qt.MouseButton.LeftButton)
    assert dialog.error_label.isVisible()
    assert "Logo" in dialog.error_label.text() and "not an image" in dialog.error_label.text()
    assert dialog.logo() is None
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert read_office(store).logo is None


def test_office_logo_over_2_mb_is_refused(
    qtbot: Any, store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(write_png(tmp_path / "small.png", 10, 10).read_bytes() + b"\0" * (2 << 20))
    choose_file(monkeypatch, big)
    dialog = office_dialog(qtbot, store)
    qtbot.mouseClick(dialog.logo_choose, Qt.MouseButton.LeftButton)
    assert "2 MB" in dialog.error_label.text()
    assert dialog.logo() is None


def test_office_keyboard_and_screen(qtbot: Any, store: Any) -> None:
    d = office_dialog(qtbot, store, first_run=True)
    expected = [
        d.kind_cpas, d.kind_association, d.phone, d.email, d.bce, d.logo_choose,
        d.signatory_name, d.document_language,
        d.name, d.name_fr, d.name_nl, d.address, d.address_fr, d.address_nl,
        d.signatory_title, d.signatory_title_fr, d.signatory_title_nl,
        d.labour_court_address, d.labour_court_address_fr, d.labour_court_address_nl,
        d.save_button, d.cancel_button,
    ]  # fmt: skip
    assert tab_chain(qtbot, d, d.kind_cpas, len(expected) - 1) == expected
    assert d.save_button.isDefault() and not d.cancel_button.isDefault()
    assert_accessible(d)
    assert_fits_screen(d)


# --- settings -------------------------------------------------------------------


def test_settings_language_is_saved_applied_and_announced(qtbot: Any, data_dir: Path) -> None:
    dialog = SettingsDialog(data_dir)
    show(qtbot, dialog)
    assert dialog.language.currentData() == "en"
    dialog.language.setCurrentIndex(dialog.language.findText("Nederlands"))
    with qtbot.waitSignal(dialog.language_changed, timeout=1000) as signal:
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    assert signal.args == ["nl"]
    assert load_settings(data_dir).language == "nl"
    assert i18n.get_locale() == "nl"
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_settings_same_language_is_saved_without_signal(qtbot: Any, data_dir: Path) -> None:
    dialog = SettingsDialog(data_dir)
    show(qtbot, dialog)
    with qtbot.assertNotEmitted(dialog.language_changed):
        dialog.accept()
    assert load_settings(data_dir).language == "en"


def test_settings_cancel_saves_nothing(qtbot: Any, data_dir: Path) -> None:
    dialog = SettingsDialog(data_dir)
    show(qtbot, dialog)
    dialog.language.setCurrentIndex(dialog.language.findData("fr"))
    with qtbot.assertNotEmitted(dialog.language_changed):
        qtbot.keyClick(dialog.language, Qt.Key.Key_Escape)
    assert load_settings(data_dir).language is None
    assert i18n.get_locale() == "en"


def test_settings_shows_the_data_folder_read_only(qtbot: Any, data_dir: Path) -> None:
    dialog = SettingsDialog(data_dir)
    show(qtbot, dialog)
    assert dialog.data_folder.text() == str(data_dir)
    assert dialog.data_folder.isReadOnly()
    assert_accessible(dialog)
    assert_fits_screen(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    expected = [
        dialog.language,
        dialog.data_folder,
        dialog.location_button,
        dialog.move_administrative,
        dialog.alert_within_days,
        dialog.alert_interval,
        dialog.lock_after,
        ok,
        cancel,
    ]
    assert tab_chain(qtbot, dialog, dialog.language, 8) == expected


def test_settings_lock_delay_is_saved(qtbot: Any, data_dir: Path) -> None:
    dialog = SettingsDialog(data_dir)
    show(qtbot, dialog)
    assert dialog.lock_after.value() == 5
    assert dialog.lock_after.suffix() == " minutes"
    assert dialog.lock_after.accessibleName() == "Lock after this many minutes without use"
    assert dialog.security_box.title() == "Security"
    label = next(
        label for label in dialog.findChildren(QLabel) if label.buddy() is dialog.lock_after
    )
    assert label.text() == "Loc&k after"
    assert (dialog.lock_after.minimum(), dialog.lock_after.maximum()) == (1, 240)
    dialog.lock_after.setValue(1000)
    assert dialog.lock_after.value() == 240
    dialog.lock_after.setFocus()
    qtbot.keyClick(dialog.lock_after, Qt.Key.Key_Down)
    assert dialog.lock_after.value() == 239
    dialog.lock_after.setValue(1)
    assert dialog.lock_after.suffix() == " minute"
    with qtbot.assertNotEmitted(dialog.clock_settings_changed):
        dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert load_settings(data_dir).lock_after_minutes == 1
    again = SettingsDialog(data_dir)
    show(qtbot, again)
    assert again.lock_after.value() == 1
    again.lock_after.setValue(30)
    qtbot.keyClick(again.language, Qt.Key.Key_Escape)
    assert load_settings(data_dir).lock_after_minutes == 1


@pytest.mark.parametrize(
    ("stored", "loaded"), [(0, 1), (-5, 1), (241, 240), (15, 15), ("x", 5), (True, 5)]
)
def test_settings_lock_delay_is_clamped_on_load(
    data_dir: Path, stored: object, loaded: int
) -> None:
    import json

    from amudesk.settings import settings_path

    data_dir.mkdir(parents=True, exist_ok=True)
    settings_path(data_dir).write_text(json.dumps({"lock_after_minutes": stored}), encoding="utf-8")
    assert load_settings(data_dir).lock_after_minutes == loaded


@pytest.mark.parametrize(
    "hostile",
    [
        "Sint-Joostplein 13\u202e31 nalpstsooJ",  # a bidi override
        "Sint-Joostplein\x0713",  # a control character
        "Sint-Joostplein 13\u200b",  # an invisible character
        "Sint-Joostplein " + "13 " * 300,  # far beyond the column
        "+32 Sint-Joostplein",  # a leading plus, as a spreadsheet reads a formula
    ],
)
def test_a_hostile_address_in_dutch_is_refused_naming_the_field(
    qtbot: Any, directory_dialog: DirectoryDialog, store: Any, hostile: str
) -> None:
    target = cpas_named(store, "CPAS de Saint-Josse-ten-Noode")
    assert directory_dialog.select_cpas(target.id)
    before = read_cpas(store, target.id)
    directory_dialog.address_nl.setPlainText(hostile)
    qtbot.mouseClick(directory_dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Address in Dutch" in directory_dialog.error_label.text()
    assert read_cpas(store, target.id) == before  # nothing saved
