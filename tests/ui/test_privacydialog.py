"""The privacy dialog: access export, erasure with its confirmation, retention list, and the
record of processing; keyboard paths and a laptop screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlmodel import select

from amudesk.dates import brussels_today
from amudesk.models import AuditEntry, Person, Request
from amudesk.services import privacy
from amudesk.ui.privacydialog import PrivacyDialog
from tests.ui.test_admin_dialogs import assert_accessible, assert_fits_screen, tab_chain

TIMEOUT = 15_000
Case = Callable[..., tuple[int, str]]


@pytest.fixture
def dialog(qtbot: Any, store: Any, office: Any) -> Iterator[PrivacyDialog]:
    opened = PrivacyDialog(store, language="en")
    qtbot.addWidget(opened, before_close_func=lambda d: d.wait_for_task())
    opened.show()
    qtbot.waitExposed(opened)
    yield opened
    opened.wait_for_task()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _person_of(store: Any, reference: str) -> int:
    with store.session() as session:
        return privacy.request_for_reference(reference, session=session).person_id


def _type(qtbot: Any, edit: Any, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


# --- export ------------------------------------------------------------------------------


def test_export_writes_the_files_into_the_chosen_folder(
    qtbot: Any, dialog: PrivacyDialog, add_case: Case, store: Any, out: Path
) -> None:
    _request_id, reference = add_case("Кузнецова", "Анна")
    chosen: list[bool] = []

    def choose() -> Path:
        chosen.append(True)
        return out

    dialog.export_page.choose_folder = choose  # type: ignore[method-assign]
    _type(qtbot, dialog.export_page.export_reference, reference.lower())
    with qtbot.waitSignal(dialog.exported, timeout=TIMEOUT) as blocker:
        qtbot.keyClick(dialog.export_page.export_reference, Qt.Key.Key_Return)
    assert blocker.args == [reference]
    assert chosen == [True]
    assert sorted(p.name for p in out.iterdir()) == [
        f"{reference}-access.json",
        f"{reference}-access.pdf",
    ]
    assert dialog.export_page.folder_edit.text() == str(out)
    assert str(out / f"{reference}-access.pdf") in dialog.export_page.export_status.text()
    assert dialog.export_page.export_error.isHidden()
    with store.session() as session:
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "export")).one()

    # The folder is remembered: a second export asks for none.
    dialog.export_page.export_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)
    assert chosen == [True]


def test_export_of_an_unknown_reference_says_so_and_writes_nothing(
    qtbot: Any, dialog: PrivacyDialog, out: Path
) -> None:
    dialog.export_page.choose_folder = lambda: out  # type: ignore[method-assign]
    _type(qtbot, dialog.export_page.export_reference, "AMU-2099-0001")
    dialog.export_page.export_button.click()
    qtbot.waitUntil(lambda: dialog.export_page.export_error.isVisible(), timeout=TIMEOUT)
    assert "AMU-2099-0001" in dialog.export_page.export_error.text()
    assert list(out.iterdir()) == []


def test_export_without_a_reference_asks_for_one_first(qtbot: Any, dialog: PrivacyDialog) -> None:
    def never() -> Path:
        raise AssertionError("no folder is asked for before a reference is typed")

    dialog.export_page.choose_folder = never  # type: ignore[method-assign]
    dialog.export_page.export_button.click()
    assert dialog.export_page.export_error.isVisible()
    assert dialog.focusWidget() is dialog.export_page.export_reference
    assert not dialog.busy


def test_closing_the_folder_chooser_exports_nothing(
    qtbot: Any, dialog: PrivacyDialog, add_case: Case
) -> None:
    _request_id, reference = add_case("Dupont", "Marie")
    dialog.export_page.choose_folder = lambda: None  # type: ignore[method-assign]
    _type(qtbot, dialog.export_page.export_reference, reference)
    dialog.export_page.export_button.click()
    assert not dialog.busy
    assert dialog.export_page.export_status.isHidden()


# --- erasure -----------------------------------------------------------------------------


def test_erasure_needs_the_reference_typed_again(
    qtbot: Any, dialog: PrivacyDialog, add_case: Case, store: Any
) -> None:
    _request_id, reference = add_case("Öztürk", "Ayşe")
    _other_id, other_reference = add_case("Dupont", "Marie")
    person_id = _person_of(store, reference)
    dialog.tabs.setCurrentIndex(dialog.ERASE_TAB)
    assert "5 weeks" in dialog.erase_page.backup_warning.text()
    _type(qtbot, dialog.erase_page.erase_reference, reference.lower())
    assert not dialog.erase_page.confirm_edit.isEnabled()
    # Enter shows what will be erased.
    qtbot.keyClick(dialog.erase_page.erase_reference, Qt.Key.Key_Return)

    preview = dialog.erase_page.preview_label.text()
    assert "ÖZTÜRK Ayşe" in preview
    assert "1 person" in preview and "1 request" in preview
    assert dialog.erase_page.preview_warning.isVisible()  # the request is still open
    assert "still open" in dialog.erase_page.preview_warning.text()
    assert dialog.focusWidget() is dialog.erase_page.confirm_edit
    assert not dialog.erase_page.erase_button.isEnabled()

    qtbot.keyClicks(dialog.erase_page.confirm_edit, other_reference)
    assert not dialog.erase_page.erase_button.isEnabled()
    qtbot.keyClick(dialog.erase_page.confirm_edit, Qt.Key.Key_Return)  # refused: says what to type
    assert reference in dialog.erase_page.erase_error.text()
    with store.session() as session:
        assert session.get(Person, person_id) is not None

    _type(qtbot, dialog.erase_page.confirm_edit, reference.lower())
    assert dialog.erase_page.erase_button.isEnabled()
    with qtbot.waitSignal(dialog.erased, timeout=TIMEOUT) as blocker:
        dialog.erase_page.erase_button.click()
    assert blocker.args == [person_id]
    qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)
    assert "erased" in dialog.erase_page.erase_status.text()
    assert dialog.erase_page.erase_error.isHidden()
    assert (
        dialog.erase_page.erase_reference.text() == ""
        and not dialog.erase_page.confirm_edit.isEnabled()
    )
    with store.session() as session:
        assert session.get(Person, person_id) is None
        references = set(session.exec(select(Request.reference)).all())
    assert references == {other_reference}


def test_changing_the_reference_drops_the_confirmation(
    qtbot: Any, dialog: PrivacyDialog, add_case: Case
) -> None:
    _request_id, reference = add_case("Nguyễn", "Văn An")
    dialog.tabs.setCurrentIndex(dialog.ERASE_TAB)
    _type(qtbot, dialog.erase_page.erase_reference, reference)
    dialog.erase_page.preview_button.click()
    qtbot.keyClicks(dialog.erase_page.confirm_edit, reference)
    assert dialog.erase_page.erase_button.isEnabled()
    dialog.erase_page.erase_reference.setFocus()
    qtbot.keyClick(dialog.erase_page.erase_reference, Qt.Key.Key_Backspace)
    assert not dialog.erase_page.erase_button.isEnabled()
    assert dialog.erase_page.confirm_edit.text() == ""
    assert dialog.erase_page.preview_label.isHidden()


def test_an_unknown_reference_cannot_be_erased(qtbot: Any, dialog: PrivacyDialog) -> None:
    dialog.tabs.setCurrentIndex(dialog.ERASE_TAB)
    _type(qtbot, dialog.erase_page.erase_reference, "AMU-2099-0001")
    dialog.erase_page.preview_button.click()
    assert "AMU-2099-0001" in dialog.erase_page.erase_error.text()
    assert not dialog.erase_page.confirm_edit.isEnabled()
    assert dialog.focusWidget() is dialog.erase_page.erase_reference


# --- retention ---------------------------------------------------------------------------


def _closed_case(store: Any, cpas_id: int, name: str, decided: dt.date) -> str:
    from amudesk.services.cases import DecisionData, record_decision
    from tests.ui.conftest import make_case

    with store.transaction() as session:
        request_id, reference = make_case(
            session, cpas_id, name, "Test", received_at=dt.datetime.combine(decided, dt.time(9))
        )
        record_decision(
            request_id,
            DecisionData(kind="refusal", decided_on=decided, notified_on=decided),
            session=session,
        )
    return reference


def test_retention_lists_old_closed_cases_and_sends_one_to_erasure(
    qtbot: Any, dialog: PrivacyDialog, store: Any, cpas_ids: list[int], add_case: Case
) -> None:
    long_ago = privacy.years_before(brussels_today(), 7)
    old = _closed_case(store, cpas_ids[0], "Ancien", long_ago)
    _closed_case(store, cpas_ids[0], "Récent", brussels_today() - dt.timedelta(days=30))
    add_case("Ouvert", "Test", received_at=dt.datetime.combine(long_ago, dt.time(9)))

    def listed() -> list[tuple[str, str]]:
        qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)
        return dialog.retention_page.candidates()

    dialog.tabs.setCurrentIndex(dialog.RETENTION_TAB)
    assert dialog.retention_page.years_spin.value() == 5
    assert listed() == [(old, long_ago.isoformat())]
    assert dialog.retention_page.empty_label.isHidden()
    assert "1 person is due" in dialog.retention_page.retention_status.text()
    assert dialog.retention_page.candidate_table.item(0, 3).text() == "ANCIEN Test"

    dialog.retention_page.years_spin.setValue(8)
    assert listed() == []
    assert dialog.retention_page.empty_label.isVisible()
    assert not dialog.retention_page.to_erase_button.isEnabled()

    dialog.retention_page.years_spin.setValue(5)
    assert listed() == [(old, long_ago.isoformat())]
    assert dialog.retention_page.to_erase_button.isEnabled()  # the first row is selected
    dialog.retention_page.to_erase_button.click()
    assert dialog.tabs.currentIndex() == dialog.ERASE_TAB
    assert dialog.erase_page.erase_reference.text() == old
    assert "ANCIEN Test" in dialog.erase_page.preview_label.text()
    assert dialog.focusWidget() is dialog.erase_page.confirm_edit

    qtbot.keyClicks(dialog.erase_page.confirm_edit, old)
    with qtbot.waitSignal(dialog.erased, timeout=TIMEOUT):
        qtbot.keyClick(dialog.erase_page.confirm_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)
    dialog.tabs.setCurrentIndex(dialog.RETENTION_TAB)
    assert listed() == []


def test_a_long_retention_list_shows_the_oldest_first(
    qtbot: Any,
    dialog: PrivacyDialog,
    store: Any,
    cpas_ids: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import amudesk.ui.privacyretention as module

    monkeypatch.setattr(module, "MAX_LISTED", 1)
    oldest = privacy.years_before(brussels_today(), 9)
    first = _closed_case(store, cpas_ids[0], "Premier", oldest)
    _closed_case(store, cpas_ids[0], "Second", oldest + dt.timedelta(days=100))
    dialog.tabs.setCurrentIndex(dialog.RETENTION_TAB)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)
    assert dialog.retention_page.candidates() == [(first, oldest.isoformat())]
    assert "1 oldest of 2" in dialog.retention_page.retention_status.text()


# --- record of processing ----------------------------------------------------------------


def test_record_of_processing_is_written_where_chosen(
    qtbot: Any, dialog: PrivacyDialog, out: Path
) -> None:
    target = out / "art30.pdf"
    dialog.choose_record_path = lambda: target  # type: ignore[method-assign]
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("fr"))
    dialog.record_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)
    assert target.read_bytes().startswith(b"%PDF")
    assert str(target) in dialog.record_status.text()
    assert dialog.record_error.isHidden()


def test_document_language_follows_the_office_profile(qtbot: Any, store: Any, office: Any) -> None:
    from amudesk.services.office import save_office

    with store.transaction() as session:
        save_office(session=session, kind="cpas", name="OCMW Gent", document_language="nl")
    opened = PrivacyDialog(store)
    qtbot.addWidget(opened)
    assert opened.language() == "nl"


# --- keyboard and screen -----------------------------------------------------------------


def test_dialog_is_named_keyboard_usable_and_fits_a_laptop(
    qtbot: Any, dialog: PrivacyDialog
) -> None:
    assert_fits_screen(dialog)
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=TIMEOUT)
        assert_accessible(dialog)
    dialog.tabs.setCurrentIndex(dialog.EXPORT_TAB)
    visited = tab_chain(qtbot, dialog, dialog.export_page.export_reference, 4)
    assert visited[1:4] == [
        dialog.export_page.folder_button,
        dialog.export_page.export_button,
        dialog.record_button,
    ]
    # Ctrl+Tab reaches the other tabs.
    qtbot.keyClick(dialog.tabs, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert dialog.tabs.currentIndex() == dialog.ERASE_TAB
