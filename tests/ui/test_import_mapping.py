"""The import dialog asks which column each unknown header is, remembers the answer for
files with the same headers, and proposes it the next time."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from amudesk import i18n
from amudesk.models import Person
from amudesk.services.spreadsheet import IGNORE
from amudesk.settings import load_settings
from amudesk.ui.importdialog import ImportDialog

HEADERS = ["Achternaam van de patiënt", "Roepnaam", "Zorgverlener", "ocmw", "datum aanvraag"]


def write_file(path: Path, headers: list[str] = HEADERS) -> Path:
    values = {
        "Achternaam van de patiënt": "Diallo",
        "Roepnaam": "Aminata",
        "Zorgverlener": "Dr Who",
        "ocmw": "Evere",
        "datum aanvraag": "2025-01-02",
    }
    with path.open("w", encoding="utf-8", newline="") as handle:
        values = {name.upper(): value for name, value in values.items()} | values
        csv.writer(handle).writerows([headers, [values[h] for h in headers]])
    return path


def people(store: Any) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(Person)) or 0)


def dialog_for(qtbot: Any, store: Any, path: Path) -> ImportDialog:
    dialog = ImportDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path_edit.setText(str(path))
    return dialog


def run(qtbot: Any, dialog: ImportDialog) -> None:
    with qtbot.waitSignal(dialog.import_done, timeout=20_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)


def choose(dialog: ImportDialog, header: str, column: str) -> None:
    panel = dialog.header_mapping
    combo = panel.combos[panel.unknown.index(header)]
    combo.setCurrentIndex(combo.findData(column))


def test_unknown_headers_are_asked_about_then_imported_and_remembered(
    qtbot: Any, store: Any, tmp_path: Path
) -> None:
    dialog = dialog_for(qtbot, store, write_file(tmp_path / "a.csv"))
    assert dialog.header_mapping.isHidden()
    run(qtbot, dialog)
    panel = dialog.header_mapping
    assert panel.isVisible() and dialog.imported == 0
    assert panel.unknown == ["Achternaam van de patiënt", "Roepnaam", "Zorgverlener"]
    assert panel.table.rowCount() == 3
    assert panel.table.item(0, 0).text() == "Achternaam van de patiënt"
    assert [combo.currentData() for combo in panel.combos] == [None, None, None]
    assert dialog.error.text() == ""
    assert dialog.import_button.isEnabled()

    # A header left without a choice is named, and nothing starts.
    choose(dialog, "Achternaam van de patiënt", "family_name")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert not dialog.is_running()
    assert "“Roepnaam”" in dialog.error.text()

    # Two headers for one column are refused, naming the header.
    choose(dialog, "Roepnaam", "family_name")
    choose(dialog, "Zorgverlener", IGNORE)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert not dialog.is_running()
    assert "“Roepnaam”" in dialog.error.text() and "family_name" in dialog.error.text()

    choose(dialog, "Roepnaam", "given_names")
    run(qtbot, dialog)
    assert dialog.imported == 1 and people(store) == 1
    assert load_settings(store.data_dir).extra["import_mappings"]

    # Another file with the same headers (another order, another case): the same choices.
    other = write_file(tmp_path / "b.csv", [h.upper() for h in reversed(HEADERS)])
    again = dialog_for(qtbot, store, other)
    run(qtbot, again)
    panel = again.header_mapping
    assert panel.unknown == ["ZORGVERLENER", "ROEPNAAM", "ACHTERNAAM VAN DE PATIËNT"]
    assert [combo.currentData() for combo in panel.combos] == [
        IGNORE,
        "given_names",
        "family_name",
    ]
    # Choosing another file forgets the headers of this one.
    again.path_edit.setText(str(tmp_path / "c.csv"))
    assert again.header_mapping.isHidden() and again.header_mapping.unknown == []


def test_the_columns_read_in_french_and_dutch_need_no_question(
    qtbot: Any, store: Any, tmp_path: Path
) -> None:
    path = tmp_path / "fr.csv"
    path.write_text(
        "Nom;Prénom;CPAS;Date de la demande;Urgence;Motif de l'urgence\n"
        "Diallo;Awa;Evere;2025-01-02;oui;hospital\n",
        encoding="utf-8",
    )
    dialog = dialog_for(qtbot, store, path)
    run(qtbot, dialog)
    assert dialog.header_mapping.isHidden()
    assert dialog.imported == 1


def test_a_header_with_a_bidi_control_is_refused_without_a_table(
    qtbot: Any, store: Any, tmp_path: Path
) -> None:
    path = tmp_path / "b.csv"
    path.write_text("nom\u202e,prénom,cpas,filed_on\nA,B,Evere,2025-01-02\n", encoding="utf-8")
    dialog = dialog_for(qtbot, store, path)
    run(qtbot, dialog)
    assert dialog.header_mapping.isHidden()
    assert "U+202E" in dialog.error.text() and "\u202e" not in dialog.error.text()


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_mapping_reads_in_french_and_dutch(
    qtbot: Any, store: Any, tmp_path: Path, language: str
) -> None:
    i18n.set_locale(language)
    dialog = dialog_for(qtbot, store, write_file(tmp_path / "a.csv"))
    dialog.resize(820, 640)
    run(qtbot, dialog)
    combo = dialog.header_mapping.combos[0]
    labels = [combo.itemText(i) for i in range(combo.count())]
    expected = {"fr": "Nom de famille (family_name)", "nl": "Familienaam (family_name)"}
    assert expected[language] in labels
    image = dialog.header_mapping.grab()
    assert not image.isNull()
    image.save(str(tmp_path / f"import_{language}.png"))
