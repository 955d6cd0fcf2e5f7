"""The office profile per language, and the CPAS directory's "Import contacts…"."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDialog, QFileDialog, QLabel, QMessageBox

from amudesk import i18n
from amudesk.services import directory, office
from amudesk.ui.directorydialog import DirectoryDialog
from amudesk.ui.officedialog import OfficeDialog
from tests.ui.test_admin_dialogs import (
    Answers,
    assert_accessible,
    assert_fits_screen,
    cpas_named,
    read_office,
    show,
    type_into,
)

Button = QMessageBox.StandardButton
# Messages this change added: until the catalogs hold them, French and Dutch show them in
# English, and their access keys cannot be checked.
NEW_MESSAGES = ("Labour &court (name and address)", "Impor&t contacts…")


@pytest.fixture(autouse=True)
def _no_real_message_boxes(monkeypatch: pytest.MonkeyPatch) -> Answers:
    """Message boxes answer at once and are recorded; a question nobody expected fails."""
    fake = Answers()
    monkeypatch.setattr(QMessageBox, "question", fake.question)
    monkeypatch.setattr(QMessageBox, "warning", fake.warning)
    return fake


def access_keys(dialog: QDialog) -> list[str]:
    """The Alt+letter keys of the dialog's labels (with a buddy) and buttons shown."""
    texts = [
        label.text()
        for label in dialog.findChildren(QLabel)
        if label.buddy() is not None and label.isVisibleTo(dialog)
    ]
    texts += [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisibleTo(dialog)]
    keys = []
    for text in texts:
        match = re.search(r"&([^&\s])", text.replace("&&", ""))
        if match:
            keys.append(match.group(1).lower())
    return keys


def needs_catalog(language: str) -> None:
    if language != "en" and any(i18n.translator(language).gettext(m) == m for m in NEW_MESSAGES):
        pytest.skip(f"the {language} catalog does not hold this change's messages yet")


# --- the office profile ------------------------------------------------------------------


def test_the_office_is_typed_per_language(qtbot: Any, store: Any) -> None:
    dialog = show(qtbot, OfficeDialog(store, first_run=True))
    assert dialog.focusWidget() is dialog.name
    type_into(qtbot, dialog.name, "CPAS de Bruxelles")
    type_into(qtbot, dialog.name_nl, "OCMW Brussel")
    type_into(qtbot, dialog.address_fr, "Rue Haute 298a\n1000 Bruxelles")
    type_into(qtbot, dialog.address_nl, "Hoogstraat 298a\n1000 Brussel")
    type_into(qtbot, dialog.signatory_title, "Assistante sociale")
    type_into(qtbot, dialog.signatory_title_nl, "Maatschappelijk werker")
    type_into(qtbot, dialog.labour_court_address_fr, "Tribunal du travail francophone")
    type_into(qtbot, dialog.labour_court_address_nl, "Nederlandstalige arbeidsrechtbank")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    saved = read_office(store)
    assert (saved.name, saved.name_fr, saved.name_nl) == ("CPAS de Bruxelles", "", "OCMW Brussel")
    assert saved.localised("name", "fr") == "CPAS de Bruxelles"
    assert saved.localised("name", "nl") == "OCMW Brussel"
    assert saved.address == "" and saved.address_fr == "Rue Haute 298a\n1000 Bruxelles"
    assert saved.localised("address", "nl") == "Hoogstraat 298a\n1000 Brussel"
    assert saved.localised("signatory_title", "nl") == "Maatschappelijk werker"
    assert saved.court_for("fr") == "Tribunal du travail francophone"
    assert saved.court_for("nl") == "Nederlandstalige arbeidsrechtbank"

    again = show(qtbot, OfficeDialog(store))
    assert again.name_nl.text() == "OCMW Brussel" and again.name_fr.text() == ""
    assert again.address_nl.toPlainText() == "Hoogstraat 298a\n1000 Brussel"
    assert again.labour_court_address_fr.toPlainText() == "Tribunal du travail francophone"
    assert again.values() == {
        **office.office_values(saved),
        "logo": None,
        "bce": "",
        "kind": "cpas",
    } | {"address": ""}


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("name_nl", "OCMW\u202eBrussel", "Name of the office (Dutch)"),
        ("address_fr", "Rue Haute\u200b 298a", "Address (French)"),
        ("signatory_title_nl", "T" * 150 + "\u2066", "Signatory's title (Dutch)"),
        ("labour_court_address_nl", "法院", "Labour court (Dutch)"),
    ],
)
def test_a_hostile_value_names_its_language_and_saves_nothing(
    qtbot: Any, store: Any, field: str, text: str, expected: str
) -> None:
    dialog = show(qtbot, OfficeDialog(store))
    type_into(qtbot, dialog.name, "CPAS de Bruxelles")
    type_into(qtbot, getattr(dialog, field), text)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert expected in dialog.error_label.text()
    assert getattr(dialog, field).property("invalid") is True
    assert dialog.focusWidget() is getattr(dialog, field)
    assert read_office(store) is None


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_the_office_dialog_keys_are_unique_and_it_fits(
    qtbot: Any, store: Any, language: str
) -> None:
    i18n.set_locale(language)
    needs_catalog(language)
    for first_run in (True, False):
        dialog = show(qtbot, OfficeDialog(store, first_run=first_run))
        keys = access_keys(dialog)
        assert len(keys) == len(set(keys)), keys
        assert_accessible(dialog)
        assert_fits_screen(dialog)
        dialog.reject()


# --- the directory's contacts ------------------------------------------------------------


def choose(monkeypatch: pytest.MonkeyPatch, path: Path | None) -> list[str]:
    asked: list[str] = []

    def fake(*args: Any, **_kwargs: Any) -> tuple[str, str]:
        asked.append(str(args[1]))
        return (str(path) if path is not None else ""), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", fake)
    return asked


@pytest.fixture
def dialog(qtbot: Any, store: Any) -> DirectoryDialog:
    opened = DirectoryDialog(store)
    qtbot.addWidget(opened, before_close_func=lambda w: w.discard_changes())
    opened.show()
    qtbot.waitExposed(opened)
    return opened


def import_file(qtbot: Any, dialog: DirectoryDialog) -> None:
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.wait_for_task()


def contacts(store: Any) -> list[tuple[str, str, str, str]]:
    with store.session() as session:
        return [
            (c.address, c.phone, c.email, c.amu_contact)
            for c in directory.list_cpas(session=session)
        ]


def test_import_contacts_fills_in_the_directory(
    qtbot: Any, dialog: DirectoryDialog, store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jette = cpas_named(store, "CPAS de Jette")
    assert dialog.select_cpas(jette.id)
    path = tmp_path / "contacts.csv"
    path.write_text(
        "naam;telefoon;e-mail;contact_dmh\n"
        "Jette;02 423 57 11;dmh@ocmw-jette.example;Dienst DMH\n"
        "Sint-Gillis;02 600 54 11;;\n",
        encoding="utf-8",
    )
    asked = choose(monkeypatch, path)
    import_file(qtbot, dialog)
    assert len(asked) == 1
    assert dialog.import_status.text() == "2 CPAS updated, out of 2 in the file."
    assert dialog.import_button.isEnabled() and dialog.save_button.isEnabled()
    # The form shows what was imported for the entry on screen.
    assert dialog.phone.text() == "02 423 57 11"
    assert dialog.amu_contact.text() == "Dienst DMH"
    assert not dialog.is_dirty()
    assert cpas_named(store, "CPAS de Saint-Gilles").phone == "02 600 54 11"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "cpas;phone;email\n"
            "Jette;=cmd|' /C calc'!A0;\n"
            "Atlantis;02 600 54 11;\n"
            "Saint-Gilles;;amu@cpas.example\u202e\n"
            "Sint-Gillis;02 600 54 11;\n",
            ["line 2: phone:", "line 3: cpas:", "line 4: email:", "line 5: cpas:"],
        ),
        ("cpas;phone\nJette;" + "1" * 10_000 + "\n", ["line 2: phone:"]),
        ("Once upon a time\n", ["unknown columns"]),
    ],
)
def test_a_bad_file_of_contacts_lists_every_problem_and_writes_nothing(
    qtbot: Any,
    dialog: DirectoryDialog,
    store: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    _no_real_message_boxes: Answers,
    content: str,
    expected: list[str],
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(content, encoding="utf-8")
    choose(monkeypatch, path)
    before = contacts(store)
    import_file(qtbot, dialog)
    assert len(_no_real_message_boxes.warnings) == 1
    said = _no_real_message_boxes.warnings[0]
    for text in expected:
        assert text in said, said
    assert "\u202e" not in said
    assert dialog.import_status.text() == "Nothing was imported."
    assert contacts(store) == before


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("contacts.csv", "cpas;phone\nJette;02 423\n".encode("utf-16"), "UTF-8"),
        ("contacts.xlsx", b"PK\x03\x04", "choose a .csv file"),
        ("gone.csv", None, "File not found"),
    ],
)
def test_a_file_that_is_not_csv_is_refused(
    qtbot: Any,
    dialog: DirectoryDialog,
    store: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    _no_real_message_boxes: Answers,
    name: str,
    content: bytes | None,
    expected: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    choose(monkeypatch, path)
    before = contacts(store)
    import_file(qtbot, dialog)
    assert [expected in w for w in _no_real_message_boxes.warnings] == [True]
    assert contacts(store) == before


def test_no_file_chosen_does_nothing(
    qtbot: Any, dialog: DirectoryDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = choose(monkeypatch, None)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and not dialog.busy and dialog.import_status.isHidden()


def test_unsaved_edits_are_asked_about_before_importing(
    qtbot: Any,
    dialog: DirectoryDialog,
    store: Any,
    monkeypatch: pytest.MonkeyPatch,
    answers: Callable[..., Answers],
) -> None:
    type_into(qtbot, dialog.phone, "02 526 03 00")
    fake = answers(Button.Cancel)
    asked = choose(monkeypatch, None)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert len(fake.questions) == 1 and asked == []
    assert dialog.phone.text() == "02 526 03 00"


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Answers]:
    def install(*replies: Button) -> Answers:
        fake = Answers(*replies)
        monkeypatch.setattr(QMessageBox, "question", fake.question)
        monkeypatch.setattr(QMessageBox, "warning", fake.warning)
        return fake

    return install


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("phone", "02 600\u202e54 11", "U+202E"),
        ("phone", "=1+1", "formula"),
        ("phone", "call me", "not a phone number"),
        ("email", "@amu@cpas.example", "formula"),
        ("amu_contact", "Service\x1bAMU", "U+001B"),
    ],
)
def test_the_form_refuses_what_the_import_refuses(
    qtbot: Any, dialog: DirectoryDialog, store: Any, field: str, text: str, expected: str
) -> None:
    jette = cpas_named(store, "CPAS de Jette")
    dialog.select_cpas(jette.id)
    widget = getattr(dialog, field)
    type_into(qtbot, widget, "")
    widget.insert(text)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert expected in dialog.error_label.text()
    assert widget.property("invalid") is True
    assert getattr(cpas_named(store, "CPAS de Jette"), field) == ""


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_the_directory_keys_are_unique(qtbot: Any, store: Any, language: str) -> None:
    i18n.set_locale(language)
    needs_catalog(language)
    opened = show(qtbot, DirectoryDialog(store))
    keys = access_keys(opened)
    assert len(keys) == len(set(keys)), keys
    assert_accessible(opened)
    assert_fits_screen(opened)
