"""The main window, the case panel, the import dialog and the application shell."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton

from amudesk import i18n
from amudesk.dates import brussels_today
from amudesk.ui.casemodel import COLUMN_OF_KEY
from tests.ui.conftest import bulk_cases

REPO = Path(__file__).resolve().parents[2]
NAME = COLUMN_OF_KEY["name"]
STATUS = COLUMN_OF_KEY["status"]
Accepted = QDialog.DialogCode.Accepted
Rejected = QDialog.DialogCode.Rejected


def row_names(window: Any) -> list[str]:
    model = window.model
    return [model.data(model.index(row, NAME)) for row in range(model.rowCount())]


def cell_text(table: Any, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return str(item.text())


def panel_button(window: Any, object_name: str) -> QPushButton:
    content = window.panel.widget()
    assert content is not None
    button = content.findChild(QPushButton, object_name)
    assert button is not None, object_name
    return button


class FakeForm:
    """Stands in for a modal form: records how it was opened, runs ``on_exec``, accepts."""

    opened: list[dict[str, Any]]
    on_exec: Callable[[FakeForm], int] | None = None

    def __init__(self, store: Any, **kwargs: Any) -> None:
        self.store = store
        self.kwargs = kwargs
        type(self).opened.append(kwargs)
        self.person_id = kwargs.get("person_id")
        self.request_id = kwargs.get("request_id")

    def exec(self) -> int:
        action = type(self).on_exec
        return action(self) if action else Rejected


def fake_form(on_exec: Callable[[Any], int] | None = None) -> type[FakeForm]:
    return type(
        "Fake", (FakeForm,), {"opened": [], "on_exec": staticmethod(on_exec) if on_exec else None}
    )


# --- the window -----------------------------------------------------------------------


def test_empty_database_shows_the_friendly_hint(main_window: Any) -> None:
    window = main_window
    assert window.windowTitle() == "AMU Desk — Maison Médicale du Midi"
    assert window.stack.currentWidget().objectName() == "emptyState"
    assert "No requests yet" in window.empty_hint.text()
    assert window.count_label.text() == "0 cases"
    assert not window.panel.isVisible()
    assert str(window.data_dir) in window.folder_label.text()
    width, height = window.minimumSize().width(), window.minimumSize().height()
    assert width <= 1024 and height <= 640


def test_case_count_is_written_for_the_locale() -> None:
    from amudesk.ui.mainwindow import format_count

    assert format_count(1) == "1 case"
    assert format_count(1234) == "1,234 cases"
    i18n.set_locale("fr")
    assert format_count(1234).replace("\u202f", " ").replace("\xa0", " ").startswith("1 234 ")


def test_typing_filters_the_list(qtbot: Any, three_cases: dict[str, Any], main_window: Any) -> None:
    window = main_window
    assert window.stack.currentWidget() is window.table
    assert window.model.rowCount() == 3
    assert window.count_label.text() == "3 cases"
    qtbot.keyClicks(window.search, "nguyen")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert row_names(window) == ["NGUYỄN Văn An"]
    assert window.count_label.text() == "1 case"
    # The only match is shown in the panel.
    assert three_cases["nguyen"][1] in window.panel.text()
    window.search.clear()
    qtbot.keyClicks(window.search, "ozturk")
    qtbot.waitUntil(lambda: row_names(window) == ["ÖZTÜRK Ayşe"])
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == ""
    qtbot.waitUntil(lambda: window.model.rowCount() == 3)


def test_search_by_reference_and_no_match(
    qtbot: Any, three_cases: dict[str, Any], main_window: Any
) -> None:
    window = main_window
    window.search.setText(three_cases["dupont"][1])
    qtbot.waitUntil(lambda: row_names(window) == ["DUPONT Marie"])
    window.search.setText("zzzz")
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    # Not the empty-database hint: the database has cases, none matches.
    assert window.stack.currentWidget() is window.table
    assert window.count_label.text() == "0 cases"
    assert window.panel.request_id() is None


def test_status_filter(
    qtbot: Any, store: Any, three_cases: dict[str, Any], main_window: Any
) -> None:
    from amudesk.services.cases import DecisionData, record_decision

    with store.transaction() as session:
        record_decision(
            three_cases["ozturk"][0],
            DecisionData(kind="refusal", decided_on=dt.date(2026, 1, 20)),
            session=session,
        )
    window = main_window
    combo = window.status_filter
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "All",
        "Open",
        "Decided",
        "Refused",
        "Transferred",
        "Preparing (not filed yet)",
        "Overdue",
        "Due within 7 days",
        "Closed",
    ]
    combo.setCurrentIndex(combo.findData("refused"))
    assert row_names(window) == ["ÖZTÜRK Ayşe"]
    combo.setCurrentIndex(combo.findData("open"))
    assert sorted(row_names(window)) == ["DUPONT Marie", "NGUYỄN Văn An"]
    combo.setCurrentIndex(combo.findData("decided"))
    assert row_names(window) == []
    combo.setCurrentIndex(0)
    assert window.model.rowCount() == 3


def test_selecting_a_row_shows_the_case(three_cases: dict[str, Any], main_window: Any) -> None:
    window = main_window
    for key in ("ozturk", "nguyen"):
        request_id, reference = three_cases[key]
        window.table.selectRow(window.model.row_of(request_id))
        assert window.panel.request_id() == request_id
        assert reference in window.panel.text()
    assert "NGUYỄN Văn An" in window.panel.text()


def test_first_case_clocks_wait_for_the_calendar_off_the_ui_thread(
    qtbot: Any, three_cases: dict[str, Any], main_window: Any
) -> None:
    """Start-up does not wait for the holiday calendar: the panel says the time limits are
    being counted, reads the calendar in the background, then shows them."""
    from amudesk import deadlines

    window = main_window
    request_id, _reference = three_cases["ozturk"]
    deadlines._holidays.cache_clear()
    try:
        window.panel.show_case(request_id)  # the calendar is read in another thread
        assert "Counting the time limits…" in window.panel.text()
        assert window.panel.deadlines() == []
        with qtbot.waitSignal(window.panel.clocks_ready, timeout=10_000):
            pass
    finally:
        window.panel.wait_for_clocks()
    assert deadlines.holidays_loaded()
    assert "Counting the time limits…" not in window.panel.text()
    assert window.panel.request_id() == request_id
    assert {d.rule for d in window.panel.deadlines()} >= {"decision"}


def test_list_is_paged_in_the_window(
    qtbot: Any, store: Any, cpas_ids: list[int], office: Any, data_dir: Path
) -> None:
    from amudesk.ui.mainwindow import MainWindow

    bulk_cases(store, cpas_ids[0], 450)
    window = MainWindow(store, data_dir)
    qtbot.addWidget(window)
    window.show()
    assert window.count_label.text() == "450 cases"
    assert window.model.rowCount() == 200
    window.table.scrollToBottom()
    qtbot.waitUntil(lambda: window.model.rowCount() == 400)
    window.table.scrollToBottom()
    qtbot.waitUntil(lambda: window.model.rowCount() == 450)


def test_clicking_the_name_header_sorts_by_name(
    qtbot: Any, three_cases: dict[str, Any], main_window: Any
) -> None:
    window = main_window
    assert row_names(window) == ["DUPONT Marie", "ÖZTÜRK Ayşe", "NGUYỄN Văn An"]  # newest first
    header = window.table.horizontalHeader()
    where = QPoint(header.sectionViewportPosition(NAME) + 20, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert row_names(window) == ["DUPONT Marie", "NGUYỄN Văn An", "ÖZTÜRK Ayşe"]
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert row_names(window) == ["ÖZTÜRK Ayşe", "NGUYỄN Văn An", "DUPONT Marie"]


def test_keyboard_paths(qtbot: Any, three_cases: dict[str, Any], main_window: Any) -> None:
    window = main_window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.table.setFocus()
    window.find_action.trigger()
    assert window.search.hasFocus()
    assert window.find_action.shortcut().toString() == "Ctrl+F"
    # Down from the search field goes to the list; Tab from the list reaches the panel.
    qtbot.keyClick(window.search, Qt.Key.Key_Down)
    assert window.table.hasFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    assert window.table.currentIndex().row() == 1
    assert window.panel.request_id() == window.model.request_id_at(1)
    qtbot.keyClick(window.table, Qt.Key.Key_Tab)
    focused = QApplication.focusWidget()
    assert isinstance(focused, QPushButton)
    assert window.panel.isAncestorOf(focused)
    shortcuts = {
        window.new_person_action: "Ctrl+Shift+N",
        window.new_request_action: "Ctrl+N",
        window.import_action: "Ctrl+I",
        window.export_action: "Ctrl+E",
    }
    for action, keys in shortcuts.items():
        assert action.shortcut().toString() == keys


def test_new_request_selects_the_saved_case(
    qtbot: Any,
    store: Any,
    three_cases: dict[str, Any],
    main_window: Any,
    fake_dialog: Any,
    cpas_ids: list[int],
) -> None:
    from tests.ui.conftest import make_case

    def save(form: Any) -> int:
        with form.store.transaction() as session:
            form.request_id, _reference = make_case(
                session, cpas_ids[1], "Иванова", "Ольга", received_at=dt.datetime(2025, 6, 1)
            )
        return Accepted

    form = fake_form(save)
    fake_dialog("amudesk.ui.requestdialog", "RequestDialog", form)
    window = main_window
    window.new_request_action.trigger()
    assert form.opened == [{"parent": window}]
    assert window.model.rowCount() == 4
    selected = window.model.request_id_at(window.table.currentIndex().row())
    assert selected == window.panel.request_id()
    assert "ИВАНОВА Ольга" in window.panel.text()
    assert "saved" in window.statusBar().currentMessage()


def test_new_person_goes_on_to_their_request(
    qtbot: Any, store: Any, main_window: Any, fake_dialog: Any, cpas_ids: list[int]
) -> None:
    from amudesk.services.cases import RequestData, register_request
    from amudesk.services.people import PersonData, save_person

    def save_person_form(form: Any) -> int:
        with form.store.transaction() as session:
            form.person_id = save_person(
                PersonData(family_name="Öztürk", given_names="Ayşe"), session=session
            ).id
        return Accepted

    def save_request_form(form: Any) -> int:
        with form.store.transaction() as session:
            data = RequestData(
                person_id=form.kwargs["person_id"],
                cpas_id=cpas_ids[0],
                received_at=dt.datetime(2026, 1, 2),
            )
            form.request_id = register_request(data, session=session).id
        return Accepted

    person_form, request_form = fake_form(save_person_form), fake_form(save_request_form)
    fake_dialog("amudesk.ui.persondialog", "PersonDialog", person_form)
    fake_dialog("amudesk.ui.requestdialog", "RequestDialog", request_form)
    window = main_window
    assert window.stack.currentWidget().objectName() == "emptyState"
    window.new_person_action.trigger()
    assert len(person_form.opened) == 1
    assert request_form.opened[0]["person_id"] is not None
    assert window.stack.currentWidget() is window.table
    assert row_names(window) == ["ÖZTÜRK Ayşe"]
    assert window.panel.request_id() == window.model.request_id_at(0)
    assert window.statusBar().currentMessage() == "Request AMU-2026-0001 saved."


def test_enter_opens_the_request_for_editing(
    qtbot: Any, three_cases: dict[str, Any], main_window: Any, fake_dialog: Any
) -> None:
    form = fake_form(lambda f: Accepted)
    fake_dialog("amudesk.ui.requestdialog", "RequestDialog", form)
    window = main_window
    request_id = three_cases["ozturk"][0]
    window.table.setFocus()
    window.table.setCurrentIndex(window.model.index(window.model.row_of(request_id), 0))
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert [opened["request_id"] for opened in form.opened] == [request_id]
    assert window.panel.request_id() == request_id
    assert three_cases["ozturk"][1] in window.statusBar().currentMessage()


def test_panel_decision_updates_the_list(
    qtbot: Any, three_cases: dict[str, Any], main_window: Any, fake_dialog: Any
) -> None:
    from amudesk.services.cases import DecisionData, record_decision

    def decide(form: Any) -> int:
        with form.store.transaction() as session:
            record_decision(
                form.kwargs["request_id"],
                DecisionData(kind="refusal", decided_on=dt.date(2026, 1, 20)),
                session=session,
            )
        return Accepted

    form = fake_form(decide)
    fake_dialog("amudesk.ui.decisiondialog", "DecisionDialog", form)
    window = main_window
    request_id = three_cases["nguyen"][0]
    window.select_request(request_id)
    with qtbot.waitSignal(window.panel.changed):
        qtbot.mouseClick(panel_button(window, "recordDecision"), Qt.MouseButton.LeftButton)
    assert form.opened == [{"request_id": request_id, "decision_id": None, "parent": window.panel}]
    row = window.model.row_of(request_id)
    assert window.model.data(window.model.index(row, STATUS)) == "Refused"
    assert window.table.currentIndex().row() == row
    assert "Refusal, decided on" in window.panel.text()
    assert window.statusBar().currentMessage() == "Decision saved."


def test_other_request_of_the_person_can_be_shown(
    store: Any, cpas_ids: list[int], main_window: Any
) -> None:
    from amudesk.services.cases import RequestData, get_request, register_request
    from tests.ui.conftest import make_case

    with store.transaction() as session:
        first, reference = make_case(session, cpas_ids[0], "Nguyễn", "Văn An")
        person_id = get_request(first, session=session).person_id
        data = RequestData(
            person_id=person_id, cpas_id=cpas_ids[2], received_at=dt.datetime(2026, 2, 1)
        )
        second = register_request(data, session=session).id
    window = main_window
    window.refresh()
    window.select_request(second)
    assert reference in window.panel.text()
    panel_button(window, "otherRequest0").click()
    assert window.panel.request_id() == first
    assert window.model.request_id_at(window.table.currentIndex().row()) == first


def test_panel_shows_the_whole_case(
    qtbot: Any, store: Any, cpas_ids: list[int], office: Any, data_dir: Path
) -> None:
    from io import BytesIO

    from PIL import Image
    from PySide6.QtWidgets import QLabel

    from amudesk.services import cases, people
    from amudesk.ui.casepanel import CasePanel

    picture = BytesIO()
    Image.new("RGB", (300, 400), (120, 140, 160)).save(picture, "JPEG")
    with store.transaction() as session:
        adult = people.save_person(
            people.PersonData(
                family_name="Иванова",
                given_names="Ольга",
                sex="F",
                birth_date="1979-02",
                nationality="UA",
                languages=["uk", "ru"],
                no_fixed_abode=True,
                usual_place="Gare du Nord",
                photo=picture.getvalue(),
            ),
            session=session,
        )
        people.save_person(
            people.PersonData(
                family_name="Иванов",
                given_names="Миша",
                birth_date="2019-05-02",
                guardian_id=adult.id,
            ),
            session=session,
        )
        request = cases.register_request(
            cases.RequestData(
                person_id=adult.id, cpas_id=cpas_ids[0], received_at=dt.datetime(2026, 1, 5, 14, 5)
            ),
            session=session,
        )
        assert request.id is not None
        cases.record_aamu(
            request.id,
            cases.AamuData(
                issued_on=dt.date(2026, 1, 6),
                doctor_name="Dr Claire Dubois",
                care_categories=["gp"],
            ),
            session=session,
        )
        cases.record_decision(
            request.id,
            cases.DecisionData(kind="principle", decided_on=dt.date(2026, 1, 20)),
            session=session,
        )
    panel = CasePanel(store)
    qtbot.addWidget(panel)
    panel.show_case(request.id)
    text = panel.text()
    for expected in (
        "ИВАНОВА Ольга",
        request.reference,
        "February 1979",
        "Female",
        "Ukraine",
        "Ukrainian, Russian",
        "No fixed abode — usually at Gare du Nord",
        "ИВАНОВ Миша, born 2 May 2019",
        "5 January 2026 at 14:05",
        "Signed on 6 Jan 2026 by Dr Claire Dubois",
        "General practitioner",
        "Decision in principle, decided on 20 Jan 2026",
        "Not notified yet",
        "Urgent medical aid attestation signed by Dr Claire Dubois.",
    ):
        assert expected in text, expected
    content = panel.widget()
    assert content is not None
    photo = content.findChild(QLabel, "photo")
    assert photo is not None and not photo.pixmap().isNull()
    panel.show_case(None)
    assert "Select a request" in panel.text()
    assert panel.request_id() is None


def test_real_forms_open_with_the_arguments_they_expect(
    qtbot: Any, three_cases: dict[str, Any], main_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command builds the real form (closed at once), so signatures stay in step."""
    opened: list[str] = []

    def exec_(dialog: QDialog) -> int:
        opened.append(type(dialog).__name__)
        return Rejected

    monkeypatch.setattr(QDialog, "exec", exec_)
    window = main_window
    window.select_request(three_cases["nguyen"][0])
    window.new_person_action.trigger()
    window.new_request_action.trigger()
    window.commands.edit_request(three_cases["nguyen"][0])
    window.directory_action.trigger()
    window.office_action.trigger()
    window.settings_action.trigger()
    for name in ("editPerson", "addDependant", "editRequest", "newRequestForPerson"):
        panel_button(window, name).click()
    for name in ("recordAamu", "recordDecision"):
        panel_button(window, name).click()
    assert opened == [
        "PersonDialog",
        "RequestDialog",
        "RequestDialog",
        "DirectoryDialog",
        "OfficeDialog",
        "SettingsDialog",
        "PersonDialog",
        "PersonDialog",
        "RequestDialog",
        "RequestDialog",
        "AamuDialog",
        "DecisionDialog",
    ]


def test_settings_language_change_is_announced_after_the_dialog(
    qtbot: Any, main_window: Any, fake_dialog: Any
) -> None:
    from PySide6.QtCore import QObject, Signal

    class Settings(QObject):
        language_changed = Signal(str)
        clock_settings_changed = Signal()

        def __init__(self, data_dir: Any, parent: Any = None) -> None:
            super().__init__()

        def exec(self) -> int:
            self.language_changed.emit("nl")
            return Accepted

    fake_dialog("amudesk.ui.settingsdialog", "SettingsDialog", Settings)
    with qtbot.waitSignal(main_window.language_changed) as signal:
        main_window.settings_action.trigger()
    assert signal.args == ["nl"]


def test_layout_is_saved_on_close(
    qtbot: Any, store: Any, data_dir: Path, office: Any, three_cases: dict[str, Any]
) -> None:
    from amudesk.settings import load_settings
    from amudesk.ui.mainwindow import MainWindow

    window = MainWindow(store, data_dir)
    qtbot.addWidget(window)
    # The offscreen screen is 800 pixels wide: restoring clamps to the minimum width.
    window.resize(window.minimumWidth(), 650)
    window.show()
    window.splitter.setSizes([300, 700])
    size, sizes = window.size(), window.splitter.sizes()
    window.close()
    settings = load_settings(data_dir)
    assert settings.window_geometry and settings.splitter_state
    again = MainWindow(store, data_dir)
    qtbot.addWidget(again)
    again.show()
    assert again.size() == size
    assert again.splitter.sizes() == sizes
    assert sizes[0] < sizes[1]  # not the default proportions


def test_about_names_version_and_licence(main_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from amudesk import __version__

    shown: list[str] = []

    def exec_(box: QMessageBox) -> int:
        shown.append(box.text())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    main_window.about_action.trigger()
    assert __version__ in shown[0] and "EUPL" in shown[0]


# --- import and export ------------------------------------------------------------------


def test_import_shows_every_bad_row(
    qtbot: Any, store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk.services import importing, spreadsheet
    from amudesk.ui.importdialog import ImportDialog

    calls: list[dict[str, Any]] = []

    def import_file(path: Path, **kwargs: Any) -> Any:
        calls.append({"path": path, **kwargs})
        for done in range(1, 4):
            kwargs["progress"](done, 3)
        problems = [
            spreadsheet.RowProblem(3, "niss", "NISS: the check digits do not match"),
            spreadsheet.RowProblem(5, "filed_on", "the date is in the future"),
        ]
        return importing.ImportReport(imported=2, new_people=1, problems=problems, bad_lines=[3, 5])

    monkeypatch.setattr(importing, "import_file", import_file)
    source = tmp_path / "people.csv"
    source.write_text("family_name\n", encoding="utf-8")
    dialog = ImportDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.import_button.isEnabled()
    dialog.path_edit.setText(str(source))
    dialog.skip_invalid.setChecked(True)
    with qtbot.waitSignal(dialog.import_done, timeout=10_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert calls[0]["path"] == source and calls[0]["skip_invalid"] is True
    assert dialog.imported == 2
    assert dialog.summary.text() == "2 requests imported (1 new people), 2 rows skipped."
    table = dialog.problems
    assert table.rowCount() == 2
    assert [cell_text(table, 0, c) for c in range(3)] == [
        "3",
        "niss",
        "NISS: the check digits do not match",
    ]
    assert cell_text(table, 1, 0) == "5"
    assert not dialog.import_button.isEnabled()  # no second import of the same rows by mistake
    assert dialog.cancel_button.text() == "Close"


def test_import_without_skip_imports_nothing(
    qtbot: Any, store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk.services import importing, spreadsheet
    from amudesk.ui.importdialog import ImportDialog

    def import_file(path: Path, **kwargs: Any) -> Any:
        problem = spreadsheet.RowProblem(2, "family_name", "this field is required")
        return importing.ImportReport(imported=0, new_people=0, problems=[problem], bad_lines=[2])

    monkeypatch.setattr(importing, "import_file", import_file)
    source = tmp_path / "people.xlsx"
    source.write_bytes(b"x")
    dialog = ImportDialog(store)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(source))
    with qtbot.waitSignal(dialog.import_done, timeout=10_000):
        dialog.start()
    assert dialog.imported == 0
    assert dialog.summary.text().startswith("Nothing was imported: 1 row has a problem.")
    assert dialog.problems.rowCount() == 1
    assert dialog.import_button.isEnabled()


def test_import_can_be_cancelled(
    qtbot: Any, store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk.services import importing
    from amudesk.ui.importdialog import ImportDialog

    stop = threading.Event()

    def import_file(path: Path, **kwargs: Any) -> Any:
        kwargs["progress"](1, 1000)
        while not kwargs["cancelled"]():
            stop.wait(0.005)
        raise importing.ImportCancelled("cancelled")

    monkeypatch.setattr(importing, "import_file", import_file)
    source = tmp_path / "people.csv"
    source.write_text("x\n", encoding="utf-8")
    dialog = ImportDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path_edit.setText(str(source))
    dialog.start()
    assert dialog.is_running()
    assert not dialog.import_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.progress.maximum() == 1000, timeout=10_000)
    with qtbot.waitSignal(dialog.import_done, timeout=10_000):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.is_running()
    assert dialog.isVisible()
    assert "cancelled" in dialog.summary.text()
    assert dialog.imported == 0


def test_import_refuses_a_missing_file(qtbot: Any, store: Any, tmp_path: Path) -> None:
    from amudesk.ui.importdialog import ImportDialog

    dialog = ImportDialog(store)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "nowhere.csv"))
    dialog.start()
    assert not dialog.is_running()
    assert dialog.error.text() == "File: this file does not exist."


def test_export_writes_every_request(
    qtbot: Any,
    three_cases: dict[str, Any],
    main_window: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "out"
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *args, **kwargs: (str(target), "CSV spreadsheet (*.csv)")),
    )
    window = main_window
    with qtbot.waitSignal(window.export_finished, timeout=20_000) as signal:
        window.export_action.trigger()
    assert signal.args == [3]
    written = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    for _request_id, reference in three_cases.values():
        assert reference in written
    assert "out.csv" in window.statusBar().currentMessage()


# --- the application shell ------------------------------------------------------------


def run_amudesk(*args: str, window: bool = False) -> subprocess.CompletedProcess[str]:
    """Python with ``args`` (``-m amudesk …`` or ``-c CODE …``) in a process of its own, on
    this checkout; ``window``: offscreen, quitting once the window is ready."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    if window:
        env.update(QT_QPA_PLATFORM="offscreen", AMUDESK_QUIT_WHEN_READY="1")
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


def test_quit_when_ready_prints_ready(store: Any, office: Any, data_dir: Path) -> None:
    store.close()
    done = run_amudesk("-m", "amudesk", "--data-dir", str(data_dir), "--lang", "en", window=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ready ")
    seconds = float(done.stdout.split()[1])
    assert 0 < seconds < 60
    assert (data_dir / "logs" / "amudesk.log").exists()


WATCHED = ("amudesk.cli", "amudesk.services.importing", "amudesk.ui.persondialog", "PySide6")
REPORT_MODULES = (
    "import atexit, gc, runpy, sys\n"
    f"watched = {WATCHED!r}\n"
    "atexit.register(lambda: print('loaded', *[m for m in watched if m in sys.modules],"
    " 'gc', gc.isenabled()))\n"
    "sys.argv = ['amudesk', *sys.argv[1:]]\n"
    "runpy.run_module('amudesk', run_name='__main__')\n"
)


def test_start_up_loads_the_window_not_the_commands_nor_the_forms(
    store: Any, office: Any, data_dir: Path
) -> None:
    """``amudesk`` alone: the main window, without the command line's services or the forms
    behind the menus (they load when first opened); collection is back on at the end."""
    store.close()
    done = run_amudesk(
        "-c", REPORT_MODULES, "--data-dir", str(data_dir), "--lang", "en", window=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "loaded PySide6 gc True"


def test_a_command_loads_neither_qt_nor_the_window(data_dir: Path) -> None:
    """A command: its services, not Qt; collection back on once the imports are set aside."""
    done = run_amudesk("-c", REPORT_MODULES, "--lang", "en", "niss", "85073003328")
    assert done.stdout.splitlines()[-1] == (
        "loaded amudesk.cli amudesk.services.importing gc True"
    ), done.stderr


def test_run_stops_when_the_database_cannot_be_opened(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A data folder whose database file was emptied: a message, exit 2, the file untouched."""
    from amudesk.services.desk import open_desk
    from amudesk.ui.app import run
    from tests.keys import FAST_KDF, PASSPHRASE

    data_dir = tmp_path / "data"
    open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    (data_dir / "amudesk.sqlite3").write_bytes(b"")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *a: shown.append(a[2])))
    assert run(data_dir) == 2
    assert "cannot be opened" in shown[0] and "empty (0 bytes)" in shown[0]
    assert (data_dir / "amudesk.sqlite3").read_bytes() == b""


def test_run_reports_a_window_that_cannot_be_built(
    qtbot: Any, store: Any, office: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import amudesk.ui.mainwindow
    from amudesk.ui.app import run

    def broken(*args: Any) -> Any:
        raise RuntimeError("no window today")

    shown: list[str] = []
    monkeypatch.setattr(amudesk.ui.mainwindow, "MainWindow", broken)
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *a: shown.append(a[2])))
    assert run(data_dir) == 1
    assert "Something went wrong" in shown[0]


def test_first_run_without_office_profile_closes_cleanly(
    qtbot: Any, store: Any, data_dir: Path, fake_dialog: Any
) -> None:
    from amudesk.ui.app import run

    form = fake_form(lambda f: Rejected)
    fake_dialog("amudesk.ui.officedialog", "OfficeDialog", form)
    hook, thread_hook = sys.excepthook, threading.excepthook
    assert run(data_dir) == 0
    assert form.opened == [{"first_run": True, "parent": None}]
    # The error hooks are put back as they were.
    assert (sys.excepthook, threading.excepthook) == (hook, thread_hook)


def test_excepthook_shows_a_dialog_and_logs_no_personal_data(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk.ui.app import ErrorReporter, close_logging, setup_logging

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *a: shown.append(a[2])))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    log_path = setup_logging(tmp_path)
    assert log_path == tmp_path / "logs" / "amudesk.log"
    reporter = ErrorReporter(log_path)
    reporter.install()
    try:
        try:
            try:
                raise KeyError("85.07.30-033.28")
            except KeyError as inner:
                raise ValueError("Nguyễn Văn An, born 1985") from inner
        except ValueError:
            sys.excepthook(*sys.exc_info())
        assert len(shown) == 1
        assert "Your data is safe" in shown[0] and str(log_path) in shown[0]

        def crash() -> None:
            raise RuntimeError("Иванова Ольга")

        worker = threading.Thread(target=crash)
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: len(shown) == 2)
        # The office's server gone: said as such, not as something that went wrong here.
        import psycopg
        from sqlalchemy.exc import OperationalError

        try:
            raise OperationalError("SELECT 1", {}, psycopg.OperationalError("refused"))
        except OperationalError:
            sys.excepthook(*sys.exc_info())
        assert "The office's server cannot be reached" in shown[2]
        assert str(log_path) not in shown[2]
        try:
            raise ValueError("anything else")
        except ValueError:
            sys.excepthook(*sys.exc_info())
        assert "Your data is safe" in shown[3]
    finally:
        reporter.uninstall()
        for handler in logging.getLogger().handlers:
            handler.flush()
        close_logging()
    text = log_path.read_text(encoding="utf-8")
    assert "builtins.ValueError" in text and "builtins.KeyError" in text
    assert "builtins.RuntimeError" in text and "test_mainwindow.py" in text
    for secret in ("Nguy", "Văn", "1985", "85.07.30", "Иванова"):
        assert secret not in text


def test_language_switch_rebuilds_the_window(
    qtbot: Any,
    store: Any,
    data_dir: Path,
    office: Any,
    three_cases: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from amudesk.ui.app import Shell, install_qt_translator

    catalog = tmp_path / "translations" / "fr" / "LC_MESSAGES"
    catalog.mkdir(parents=True)
    (catalog / "amudesk.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "&File"\nmsgstr "&Fichier"\n\n'
        'msgid "Status"\nmsgstr "Statut"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", tmp_path / "translations")
    i18n.translator.cache_clear()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    shell = Shell(app, store, data_dir)
    try:
        old = shell.show_main()
        qtbot.addWidget(old)
        assert old.file_menu.title() == "&File"
        old.search.setText("ozturk")
        old.apply_filter()
        with qtbot.waitSignal(shell.window_replaced):
            old.language_changed.emit("fr")
        new = shell.window
        qtbot.addWidget(new)
        assert new is not old
        assert i18n.get_locale() == "fr"
        assert new.file_menu.title() == "&Fichier"
        assert new.model.headerData(STATUS, Qt.Orientation.Horizontal) == "Statut"
        assert new.search.text() == "ozturk"
        assert row_names(new) == ["ÖZTÜRK Ayşe"]
        assert new.panel.request_id() == three_cases["ozturk"][0]
        assert new.isVisible() and not old.isVisible()
        assert shell.qt_translator is not None  # Qt's own buttons in French too
    finally:
        install_qt_translator(app, "en", shell.qt_translator)
        i18n.translator.cache_clear()


def test_a_wrong_passphrase_from_the_environment_is_reported_without_a_backup_offer(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk.backups import make_backup
    from amudesk.services.desk import open_desk
    from amudesk.ui.app import run
    from tests.keys import FAST_KDF, PASSPHRASE

    data_dir = tmp_path / "data"
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    make_backup(store)
    store.close()
    monkeypatch.setenv("AMUDESK_PASSPHRASE", "not the passphrase")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda *a: shown.append(a[2])))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a: pytest.fail("asked")))
    assert run(data_dir) == 2
    assert "Wrong passphrase" in shown[0]


def test_the_case_panel_issues_a_receipt_and_saves_archived_copies(
    qtbot: Any, three_cases: dict[str, Any], main_window: Any, tmp_path: Path
) -> None:
    from sqlmodel import select

    from amudesk.models import AuditEntry, Document

    window = main_window
    request_id, reference = three_cases["ozturk"]
    window.select_request(request_id)
    panel = window.panel
    assert "No document yet." in panel.text()
    saved: list[Path] = []

    def choose(number: str) -> Path:
        saved.append(tmp_path / f"{number}.pdf")
        return saved[-1]

    panel.documents.choose_pdf_path = choose
    panel.documents.document_language.setCurrentIndex(
        panel.documents.document_language.findData("nl")
    )
    assert panel.documents.document_kind.currentData() == "receipt"
    panel_button(window, "issueDocument").click()
    with window.store.session() as session:
        (document,) = session.exec(select(Document)).all()
    assert (document.number, document.language, document.request_id) == (
        "AR-2026-00001",
        "nl",
        request_id,
    )
    preview = panel.documents.last_preview
    assert preview is not None and preview.page_count == 2
    assert not any(path.suffix == ".pdf" for path in tmp_path.rglob("*"))  # memory only
    preview.save_pdf()
    assert saved[-1].read_bytes() == document.pdf
    preview.close()
    assert "AR-2026-00001 · Acknowledgement of receipt · NL" in panel.text()
    assert document.actor and f"· {document.actor}" in panel.text()
    saved[-1].unlink()
    panel_button(window, f"openDocument-{document.id}").click()
    panel.documents.last_preview.save_pdf()
    assert saved[-1].read_bytes() == document.pdf
    with window.store.session() as session:
        last = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.action, last.entity_id, last.reference) == ("reprint", document.id, reference)
    panel.documents.last_preview.close()


def test_the_case_panel_makes_prints_and_hands_over_a_medical_card(
    qtbot: Any, three_cases: dict[str, Any], main_window: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    import io

    from PIL import Image
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter
    from sqlmodel import select

    from amudesk.models import Card, CardStatus, Person, Request
    from amudesk.services.cases import DecisionData, record_decision
    from amudesk.ui.documentview import DocumentPreviewDialog

    window = main_window
    request_id, _reference = three_cases["dupont"]
    with window.store.transaction() as session:
        request = session.get(Request, request_id)
        person = session.get(Person, request.person_id)
        photo = io.BytesIO()
        Image.new("RGB", (350, 450), (90, 120, 160)).save(photo, "JPEG")
        person.photo = photo.getvalue()
        record_decision(
            request_id,
            DecisionData(
                kind="principle",
                decided_on=brussels_today() - dt.timedelta(days=5),
                valid_from=brussels_today() - dt.timedelta(days=10),
                valid_to=brussels_today() + dt.timedelta(days=80),
                mediprima_number="MP-1234",
                ticket_moderateur=True,
            ),
            session=session,
        )
    window.select_request(request_id)
    panel = window.panel
    printed_to = tmp_path / "printer.pdf"

    def printer() -> QPrinter:
        made = QPrinter(QPrinter.PrinterMode.HighResolution)
        made.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        made.setOutputFileName(str(printed_to))
        return made

    panel.documents.printer_factory = printer
    monkeypatch.setattr(DocumentPreviewDialog, "ask_print_settings", lambda self, p: True)
    panel.documents.document_kind.setCurrentIndex(panel.documents.document_kind.findData("card"))
    panel_button(window, "issueDocument").click()
    with window.store.session() as session:
        (card,) = session.exec(select(Card)).all()
    assert card.status == CardStatus.NEW
    assert panel.documents.last_preview.print_document() == 2
    pages = PdfReader(str(printed_to)).pages
    assert len(pages) == 2 and abs(float(pages[0].mediabox.width) - 242.65) < 1
    panel.documents.last_preview.close()
    with window.store.session() as session:
        card = session.get(Card, card.id)
    assert (card.status, card.prints) == (CardStatus.PRINTED, 1)
    assert f"{card.number} · DUPONT Marie" in panel.text()
    panel_button(window, f"handOverCard-{card.id}").click()
    with window.store.session() as session:
        card = session.get(Card, card.id)
    assert card.status == CardStatus.HANDED_OVER
    panel_button(window, f"printCard-{card.id}").click()
    assert panel.documents.last_preview.print_document() == 2
    panel.documents.last_preview.close()
    with window.store.session() as session:
        card = session.get(Card, card.id)
    assert (card.status, card.prints) == (CardStatus.HANDED_OVER, 2)
    assert "printed 2 times" in panel.text()
