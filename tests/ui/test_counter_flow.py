"""Fewer clicks at the counter: a new request offers its receipt, Ctrl+P issues the document
the case most likely needs next, and the documents are one click from the top of the case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton

from amudesk import i18n
from amudesk.services import cases, documents
from tests.ui.test_cardbatch import ready_for_a_card

Accepted = int(QDialog.DialogCode.Accepted)


def issued_kinds(store: Any, request_id: int) -> list[str]:
    with store.session() as session:
        return [d.kind for d in documents.documents_of_request(request_id, session=session)]


def panel_button(window: Any, name: str) -> QPushButton:
    button = window.panel.widget().findChild(QPushButton, name)
    assert button is not None, name
    return button


def new_request_form(cpas_id: int, person_id: int, *, preparing: bool = False) -> type:
    """The request form, filled in and saved (the form itself is tested elsewhere)."""

    class Form:
        def __init__(self, store: Any, **kwargs: Any) -> None:
            self.store = store
            self.request_id: int | None = None

        def exec(self) -> int:
            data = cases.RequestData(
                person_id=person_id,
                cpas_id=cpas_id,
                received_at=None if preparing else dt.datetime(2026, 1, 8, 10, 0),
                preparing=preparing,
            )
            with self.store.transaction() as session:
                self.request_id = cases.register_request(data, session=session).id
            return Accepted

    return Form


@pytest.fixture
def counter(main_window: Any, add_case: Callable[..., tuple[int, str]]) -> Any:
    """The window with one case shown; previews print nowhere and save nothing."""
    request_id, _reference = add_case("Dupont", "Marie")
    main_window.refresh(request_id)
    docs = main_window.panel.documents
    docs.choose_pdf_path = lambda _number: None
    return main_window


def person_of(store: Any, request_id: int) -> int:
    with store.session() as session:
        return cases.get_request(request_id, session=session).person_id or 0


def the_question(window: Any) -> QMessageBox:
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


# --- the receipt after a new request ------------------------------------------------------


def test_a_new_request_offers_its_receipt_and_enter_prints_it(
    qtbot: Any, store: Any, counter: Any, cpas_ids: list[int], fake_dialog: Any
) -> None:
    window = counter
    person_id = person_of(store, window.panel.request_id())
    form = new_request_form(cpas_ids[0], person_id)
    fake_dialog("amudesk.ui.requestdialog", "RequestDialog", form)
    window.new_request_action.trigger()
    new_id = window.panel.request_id()
    assert issued_kinds(store, new_id) == []
    box = the_question(window)
    assert box.text() == "Print the acknowledgement of receipt now?"
    assert box.defaultButton().text() == "Print the receipt"
    assert [b.text() for b in box.buttons()] == ["Print the receipt", "Later"]
    with qtbot.waitSignal(window.panel.changed, timeout=10_000):
        qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter prints
    assert issued_kinds(store, new_id) == ["receipt"]
    assert window.panel.documents.last_preview is not None  # shown to print
    assert "issued" in window.statusBar().currentMessage()


def test_later_issues_nothing(
    qtbot: Any, store: Any, counter: Any, cpas_ids: list[int], fake_dialog: Any
) -> None:
    window = counter
    person_id = person_of(store, window.panel.request_id())
    fake_dialog(
        "amudesk.ui.requestdialog", "RequestDialog", new_request_form(cpas_ids[0], person_id)
    )
    qtbot.mouseClick(panel_button(window, "newRequestForPerson"), Qt.MouseButton.LeftButton)
    new_id = window.panel.request_id()
    box = the_question(window)
    later = next(b for b in box.buttons() if b.text() == "Later")
    qtbot.mouseClick(later, Qt.MouseButton.LeftButton)
    assert not box.isVisible()
    assert issued_kinds(store, new_id) == []


def test_a_request_being_prepared_is_not_offered_a_receipt(
    qtbot: Any, store: Any, counter: Any, cpas_ids: list[int], fake_dialog: Any
) -> None:
    window = counter
    person_id = person_of(store, window.panel.request_id())
    fake_dialog(
        "amudesk.ui.requestdialog",
        "RequestDialog",
        new_request_form(cpas_ids[0], person_id, preparing=True),
    )
    window.new_request_action.trigger()
    assert not any(box.isVisible() for box in window.findChildren(QMessageBox))
    # Its next document is the AAMU form, for the doctor.
    assert window.panel.documents.next_kind() == "aamu"


# --- Ctrl+P --------------------------------------------------------------------------------


def test_ctrl_p_is_in_the_file_menu(counter: Any) -> None:
    action = counter.next_document_action
    assert action in counter.file_menu.actions()
    assert action.shortcut() == QKeySequence("Ctrl+P")
    assert "Ctrl+P" in action.toolTip()


def test_ctrl_p_issues_the_receipt_then_the_card_then_the_receipt_again(
    qtbot: Any, store: Any, counter: Any
) -> None:
    window = counter
    request_id = window.panel.request_id()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert "Acknowledgement of receipt" in panel_button(window, "issueNextDocument").text()
    with qtbot.waitSignal(window.panel.changed, timeout=10_000):
        qtbot.keyClick(window.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert issued_kinds(store, request_id) == ["receipt"]
    window.panel.documents.last_preview.close()
    ready_for_a_card(store, request_id)  # a decision granting aid, with its period
    window.panel.show_case(request_id)
    assert window.panel.documents.next_kind() == "card"
    assert "Medical card" in panel_button(window, "issueNextDocument").text()
    with qtbot.waitSignal(window.panel.changed, timeout=10_000):
        window.next_document_action.trigger()
    assert sorted(issued_kinds(store, request_id)) == ["card", "receipt"]
    window.panel.documents.last_preview.close()
    window.panel.show_case(request_id)
    assert window.panel.documents.next_kind() == "receipt"  # a duplicate


def test_ctrl_p_without_a_case_says_so(qtbot: Any, main_window: Any) -> None:
    main_window.next_document_action.trigger()
    assert "Select a request first." in main_window.statusBar().currentMessage()


# --- the documents, one click from the top ---------------------------------------------------


def test_the_documents_button_goes_down_to_the_section(qtbot: Any, counter: Any) -> None:
    window = counter
    panel = window.panel
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert panel.verticalScrollBar().value() == 0
    qtbot.mouseClick(panel_button(window, "showDocuments"), Qt.MouseButton.LeftButton)
    kind = panel.documents.document_kind
    qtbot.waitUntil(lambda: QApplication.focusWidget() is kind)
    top = kind.mapTo(panel.viewport(), kind.rect().topLeft()).y()
    assert 0 <= top < panel.viewport().height() - kind.height()
    assert panel.verticalScrollBar().value() > 0


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_panel_at_1366_by_768(
    qtbot: Any,
    store: Any,
    data_dir: Path,
    office: Any,
    add_case: Callable[..., tuple[int, str]],
    language: str,
    tmp_path: Path,
) -> None:
    """The top of the case holds the next document and the way to the documents, seen
    without scrolling on a 1366×768 laptop (the pictures are kept to look at)."""
    from amudesk.ui.mainwindow import MainWindow

    i18n.set_locale(language)
    request_id, _reference = add_case("Nguyễn", "Văn An")
    window = MainWindow(store, data_dir)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.select_request(request_id)
    panel = window.panel
    for name in ("issueNextDocument", "showDocuments"):
        button = panel_button(window, name)
        where = button.mapTo(panel.viewport(), button.rect().bottomRight())
        assert where.y() < panel.viewport().height(), name  # seen without scrolling
        assert where.x() <= panel.viewport().width(), name
    assert window.grab().save(str(tmp_path / f"window_{language}.png"))
    assert panel.grab().save(str(tmp_path / f"panel_{language}.png"))
