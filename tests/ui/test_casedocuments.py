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


def test_issuing_a_card_without_a_cpas_phone_asks_first_and_fills_in_now(
    qtbot: Any,
    store: Any,
    office: Any,
    add_case: Callable[..., tuple[int, str]],
    monkeypatch: Any,
    missing_contacts_asked: list[tuple[str, list[Any]]],
) -> None:
    """The receipt would print without the office's address and phone: asked first. "Fill
    in now" opens the forms; once filled, the question is not asked again."""
    from amudesk.services.office import update_office
    from amudesk.ui import missingcontacts
    from amudesk.ui.casepanel import CasePanel

    request_id, _reference = add_case("Dupont", "Marie")
    panel = CasePanel(store)
    qtbot.addWidget(panel)
    panel.show()
    panel.documents.choose_pdf_path = lambda number: None
    panel.show_case(request_id)
    answers = iter([missingcontacts.FILL, missingcontacts.CANCEL])
    asked: list[list[str]] = []

    def choose(_parent: Any, _kind: str, missing: Any) -> str:
        asked.append([item.field for item in missing])
        return next(answers)

    def fill_in(_parent: Any, the_store: Any, missing: Any) -> None:
        assert {item.owner for item in missing} == {"office"}
        with the_store.transaction() as session:
            update_office(session=session, address="Rue Haute 1, 1000 Bruxelles")

    monkeypatch.setattr(missingcontacts, "choose", choose)
    monkeypatch.setattr(missingcontacts, "fill_in", fill_in)
    assert panel.documents.issue("receipt") is None  # filled the address, then cancelled
    assert "address" in asked[0] and "address" not in asked[1]
    assert "No document yet." in panel.text()
    answers = iter([missingcontacts.ISSUE])
    assert panel.documents.issue("receipt") is not None  # issued as it is
    assert len(asked) == 3 and "phone" in asked[2]


def test_fill_in_opens_the_profile_then_the_directory_at_the_cpas(
    qtbot: Any, store: Any, fake_dialog: Any, cpas_ids: list[int]
) -> None:
    from PySide6.QtWidgets import QLineEdit, QWidget

    from amudesk.services.documents import Missing
    from amudesk.ui import missingcontacts

    opened: list[tuple[str, object]] = []

    class FakeOffice:
        def __init__(self, _store: Any, *, parent: Any = None) -> None:
            self.fields = {"address": QLineEdit()}

        def exec(self) -> int:
            opened.append(("office", self.fields["address"]))
            return 0

    class FakeDirectory:
        def __init__(self, _store: Any, parent: Any = None) -> None:
            self.phone = QLineEdit()
            self.selected: int | None = None

        def select_cpas(self, cpas_id: int) -> bool:
            self.selected = cpas_id
            return True

        def exec(self) -> int:
            opened.append(("directory", self.selected))
            return 0

    fake_dialog("amudesk.ui.officedialog", "OfficeDialog", FakeOffice)
    fake_dialog("amudesk.ui.directorydialog", "DirectoryDialog", FakeDirectory)
    parent = QWidget()
    qtbot.addWidget(parent)
    missingcontacts.fill_in(
        parent,
        store,
        [
            Missing("cpas", "phone", "the CPAS's phone number", cpas_ids[3]),
            Missing("office", "address", "the office's address"),
        ],
    )
    assert [kind for kind, _ in opened] == ["office", "directory"]
    assert opened[1][1] == cpas_ids[3]
