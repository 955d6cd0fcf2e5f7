"""Writing a letter from a case: the draft shown with its fixed parts, the edited text
issued as shown, a missing fact said before anything is numbered, the board's "CPAS late"
action opening the right letter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox

from amudesk import letters
from amudesk.services import cases, documents
from amudesk.services import letters as letter_service
from amudesk.ui import maincommands
from amudesk.ui.letterdialog import LetterDialog, paragraphs_of
from tests.documents.test_letters import make_case, words


def test_paragraphs_are_blocks_between_empty_lines() -> None:
    text = "Madame,\n\n  Première ligne\nsuite  \n\n\n\nFin.  \n"
    assert paragraphs_of(text) == ["Madame,", "Première ligne suite", "Fin."]
    assert paragraphs_of("   \n\n ") == []


def test_the_dialog_issues_the_text_as_edited(qtbot: Any, store: Any) -> None:
    request_id = make_case(store)
    with store.session() as session:
        draft = letter_service.draft_letter(
            request_id, letters.REMINDER, session=session, language="en"
        )
    dialog = LetterDialog(
        store, request_id=request_id, kind=letters.REMINDER, language="en", draft=draft
    )
    qtbot.addWidget(dialog)
    dialog.show()
    recipient = dialog.findChild(QLabel, "letterRecipient")
    assert recipient is not None and "Rue Fernand Bernier 40" in recipient.text()
    assert "Madam, Sir," in dialog.text.toPlainText()
    dialog.text.setPlainText("Madame, Monsieur,\n\nVotre décision se fait attendre.\n")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.issued is not None
    text = words(dialog.issued.pdf)
    assert "Votre décision se fait attendre." in text and "thirty days" not in text


def test_an_emptied_text_is_refused_and_nothing_is_numbered(qtbot: Any, store: Any) -> None:
    request_id = make_case(store)
    with store.session() as session:
        draft = letter_service.draft_letter(
            request_id, letters.REMINDER, session=session, language="en"
        )
    dialog = LetterDialog(
        store, request_id=request_id, kind=letters.REMINDER, language="en", draft=draft
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.text.setPlainText("   \n\n")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "Text of the letter" in dialog.error_label.text()
    with store.session() as session:
        assert documents.documents_of_request(request_id, session=session) == []


def test_a_missing_mandate_is_said_before_the_letter_opens(
    qtbot: Any,
    store: Any,
    main_window: Any,
    monkeypatch: pytest.MonkeyPatch,
    fake_dialog: Callable[[str, str, type], None],
) -> None:
    request_id = make_case(store, mandate=False)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    opened: list[str] = []

    class Letter:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            opened.append(kwargs["kind"])

    fake_dialog("amudesk.ui.letterdialog", "LetterDialog", Letter)
    window = main_window
    window.apply_filter(force=True)
    window.select_request(request_id)
    window.panel.documents.write_letter(letters.REMINDER, "en")
    assert opened == [] and len(warned) == 1 and "mandate" in warned[0]


def test_the_board_s_cpas_late_action_writes_the_letter_that_fits(
    qtbot: Any, store: Any, main_window: Any, fake_dialog: Callable[[str, str, type], None]
) -> None:
    request_id = make_case(store)
    opened: list[tuple[str, int]] = []

    class Letter:
        def __init__(self, store: Any, *, request_id: int, kind: str, **kwargs: Any) -> None:
            opened.append((kind, request_id))
            self.issued = None

        def exec(self) -> int:
            return QDialog.DialogCode.Rejected

    fake_dialog("amudesk.ui.letterdialog", "LetterDialog", Letter)
    window = main_window
    window.apply_filter(force=True)
    window.select_request(request_id)
    for action, kind in maincommands.LETTER_OF_ACTION.items():
        window.commands.deadline_action(request_id, action)
        assert opened[-1] == (kind, request_id)
    assert [kind for kind, _ in opened] == [letters.REMINDER, letters.FORMAL_NOTICE, letters.APPEAL]


def test_the_transfer_form_records_where_the_request_went(qtbot: Any, store: Any) -> None:
    import datetime as dt

    from amudesk.services import directory
    from amudesk.ui.eventdialog import TransferDialog

    request_id = make_case(store)
    with store.transaction() as session:
        cases.record_decision(
            request_id,
            cases.DecisionData(kind="incompetent", decided_on=dt.date(2026, 9, 3)),
            session=session,
        )
        ixelles = directory.find_cpas("Ixelles", session=session)
        own = cases.get_request(request_id, session=session).cpas_id
    assert ixelles is not None
    dialog = TransferDialog(store, request_id=request_id)
    qtbot.addWidget(dialog)
    dialog.show()
    keys = [dialog.target.itemData(i) for i in range(dialog.target.count())]
    assert own not in keys and ixelles.id in keys  # not the CPAS that received it
    dialog.date.set_value(dt.date(2026, 9, 5))
    dialog.target.set_key(ixelles.id)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with store.session() as session:
        request = cases.get_request(request_id, session=session)
        assert (request.transferred_on, request.transferred_to_id) == (
            dt.date(2026, 9, 5),
            ixelles.id,
        )
