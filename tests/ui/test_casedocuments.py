"""The case panel's documents section: one widget for the panel's lifetime, placed in the
content built for each case, and rebuilt safely from the slots of its own buttons."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QPushButton


def buttons(panel: Any, name: str) -> list[QPushButton]:
    content = panel.widget()
    return [b for b in content.findChildren(QPushButton) if b.objectName() == name]


def test_the_documents_section_outlives_the_case_shown(
    qtbot: Any, store: Any, office: Any, add_case: Callable[..., tuple[int, str]]
) -> None:
    from amudesk.ui.casepanel import CasePanel

    request_id, _reference = add_case("Dupont", "Marie")
    panel = CasePanel(store)
    qtbot.addWidget(panel)
    panel.resize(600, 700)
    panel.show()
    documents = panel.documents
    printer = object()
    documents.printer_factory = lambda: printer
    panel.show_case(request_id)
    assert panel.widget().isAncestorOf(documents) and documents.isVisible()
    assert "No document yet." in panel.text()
    panel.show_case(None)
    assert not panel.widget().isAncestorOf(documents) and documents.isHidden()
    assert "No document yet." not in panel.text()
    assert documents.findChildren(QPushButton) == []
    panel.show_case(request_id)
    assert panel.documents is documents and documents.isVisible()
    assert documents.printer_factory() is printer
    assert len(buttons(panel, "issueDocument")) == 1
    assert panel.widget().findChild(QComboBox, "documentKind") is documents.document_kind


def test_a_rebuild_puts_the_focus_back_on_the_same_document_button(
    qtbot: Any, store: Any, office: Any, add_case: Callable[..., tuple[int, str]]
) -> None:
    from amudesk.ui.casepanel import CasePanel

    request_id, _reference = add_case("Dupont", "Marie")
    panel = CasePanel(store)
    qtbot.addWidget(panel)
    panel.show()
    panel.show_case(request_id)
    (before,) = buttons(panel, "issueDocument")
    before.setFocus()
    panel.show_case(request_id)
    (after,) = buttons(panel, "issueDocument")
    assert after is not before
    assert panel.focusWidget() is after


def test_documents_issued_and_reopened_from_its_buttons_again_and_again(
    qtbot: Any, store: Any, office: Any, add_case: Callable[..., tuple[int, str]]
) -> None:
    """Each click rebuilds the panel (and the section) from the slot of the button clicked;
    nothing of the case before may linger, nor crash when collected."""
    from amudesk.ui.casepanel import CasePanel

    request_id, _reference = add_case("Dupont", "Marie")
    other_id, _other = add_case("Nguyễn", "Văn An")
    panel = CasePanel(store)
    qtbot.addWidget(panel)
    panel.show()
    panel.documents.choose_pdf_path = lambda number: None
    panel.show_case(request_id)
    for round_number in range(12):
        kind = panel.documents.document_kind
        kind.setCurrentIndex(kind.findData("aamu" if round_number % 2 else "receipt"))
        (issue,) = buttons(panel, "issueDocument")
        issue.setFocus()
        issue.click()
        assert panel.documents.last_preview is not None
        panel.documents.last_preview.close()
        opened = [
            b for b in panel.widget().findChildren(QPushButton) if "openDocument-" in b.objectName()
        ]
        assert len(opened) == round_number + 1
        opened[round_number % len(opened)].click()
        if round_number % 3 == 0:
            panel.show_case(other_id)
            panel.show_case(None)
            panel.show_case(request_id)
        gc.collect()
        assert panel.text().count("Issue and preview") == 1
