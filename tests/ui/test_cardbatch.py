"""Printing the cards of several requests at once, off the UI thread."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from sqlmodel import select

from amudesk.dates import brussels_today
from amudesk.models import Card, CardStatus, Person, Request
from amudesk.services.cases import DecisionData, record_decision
from amudesk.ui.cardbatch import CardBatchDialog, prepare_cards
from amudesk.ui.documentview import DocumentPreviewDialog


def ready_for_a_card(store: Any, request_id: int, *, photo: bool = True) -> None:
    with store.transaction() as session:
        request = session.get(Request, request_id)
        person = session.get(Person, request.person_id)
        if photo:
            buffer = io.BytesIO()
            Image.new("RGB", (350, 450), (90, 120, 160)).save(buffer, "JPEG")
            person.photo = buffer.getvalue()
        record_decision(
            request_id,
            DecisionData(
                kind="principle",
                decided_on=brussels_today() - dt.timedelta(days=5),
                valid_from=brussels_today() - dt.timedelta(days=10),
                valid_to=brussels_today() + dt.timedelta(days=80),
                mediprima_number="MP-1",
            ),
            session=session,
        )


def test_cards_are_prepared_in_the_background_and_marked_printed_once_printed(
    qtbot: Any,
    store: Any,
    office: Any,
    three_cases: dict[str, Any],
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    ids = [three_cases[name][0] for name in ("nguyen", "ozturk", "dupont")]
    ready_for_a_card(store, ids[0])
    ready_for_a_card(store, ids[1])
    ready_for_a_card(store, ids[2], photo=False)
    printed_to = tmp_path / "printer.pdf"

    def printer() -> QPrinter:
        made = QPrinter(QPrinter.PrinterMode.HighResolution)
        made.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        made.setOutputFileName(str(printed_to))
        return made

    monkeypatch.setattr(DocumentPreviewDialog, "ask_print_settings", lambda self, p: True)
    dialog = CardBatchDialog(store, ids, language="nl", printer_factory=printer)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.sheet_button.isChecked()
    dialog.prepare_button.click()
    assert dialog.is_running()
    qtbot.waitUntil(lambda: dialog.result_cards is not None, timeout=30_000)
    result = dialog.result_cards
    assert len(result.card_ids) == 2 and not result.cancelled
    assert dialog.skipped.count() == 1
    dupont = three_cases["dupont"][1]
    assert dupont in dialog.skipped.item(0).text() and "photo" in dialog.skipped.item(0).text()
    preview = dialog.preview
    assert preview is not None and preview.page_count == 2  # a sheet and its backs
    with qtbot.waitSignal(dialog.printed):
        assert preview.print_document() == 2
    pages = PdfReader(str(printed_to)).pages
    assert len(pages) == 2 and abs(float(pages[0].mediabox.width) - 595.3) < 1
    with store.session() as session:
        cards = session.exec(select(Card)).all()
    assert sorted((c.request_id, c.status, c.prints) for c in cards) == [
        (ids[0], CardStatus.PRINTED, 1),
        (ids[1], CardStatus.PRINTED, 1),
    ]
    preview.close()
    # A second batch makes no new cards for requests whose card is already printed...
    # ...but cards still waiting are reused: none is waiting now, so two new ones are made.
    again = prepare_cards(store, ids[:2], sheet=False, language="fr")
    assert len(again.card_ids) == 2 and set(again.card_ids).isdisjoint(result.card_ids)
    assert len(PdfReader(io.BytesIO(again.pdf)).pages) == 4  # card printer: front, back ×2
    reused = prepare_cards(store, ids[:2], sheet=False, language="fr")
    assert reused.card_ids == again.card_ids


def test_a_cancelled_batch_stops_and_renders_nothing(
    store: Any, office: Any, three_cases: dict[str, Any]
) -> None:
    ids = [three_cases[name][0] for name in ("nguyen", "ozturk")]
    for request_id in ids:
        ready_for_a_card(store, request_id)
    seen: list[tuple[int, int]] = []
    result = prepare_cards(
        store,
        ids,
        sheet=True,
        language="fr",
        progress=lambda done, total: seen.append((done, total)),
        cancelled=lambda: len(seen) >= 1,
    )
    assert result.cancelled and result.pdf is None
    assert seen == [(1, 4)] and len(result.card_ids) == 1


def test_the_main_window_prints_the_cards_of_the_selected_rows(
    qtbot: Any, three_cases: dict[str, Any], main_window: Any
) -> None:
    from PySide6.QtCore import QItemSelectionModel

    window = main_window
    selection = window.table.selectionModel()
    for row in (0, 2):
        selection.select(
            window.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    chosen = window.stack.selected_request_ids()
    assert len(chosen) == 2
    assert set(chosen) <= {value[0] for value in three_cases.values()}
    window.cards_action.trigger()
    dialog = window.card_batch
    assert (
        dialog.isVisible()
        and "2 selected requests" in dialog.findChildren(type(dialog.status))[0].text()
    )
    dialog.reject()


@pytest.fixture(autouse=True)
def _no_real_print_dialog(monkeypatch: Any) -> None:
    monkeypatch.setattr(DocumentPreviewDialog, "ask_print_settings", lambda self, p: True)


def test_stopping_a_running_batch_waits_for_it_and_shows_no_preview(
    qtbot: Any, store: Any, office: Any, three_cases: dict[str, Any]
) -> None:
    ids = [three_cases[name][0] for name in ("nguyen", "ozturk", "dupont")]
    for request_id in ids:
        ready_for_a_card(store, request_id)
    dialog = CardBatchDialog(store, ids)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.prepare_button.click()
    dialog.stop()  # what locking does before the database closes
    task = dialog.tasks.task
    assert task is None or not task._thread.isRunning()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.preview is None
