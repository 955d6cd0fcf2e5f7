"""Printing the medical cards of several requests at once.

The cards are gathered off the UI thread (for each request: the applicant's card waiting
to be printed, else a new one; a case that cannot have a card is listed with the reason),
then rendered in memory as one PDF: A4 sheets of 10 with cut marks and mirrored backs, or
card-size pages for a card printer. The preview prints it; only a print that went through
marks the cards *printed*. The window stays responsive throughout, with progress and Cancel.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from amudesk.dates import brussels_today
from amudesk.i18n import _, ngettext
from amudesk.services import documents
from amudesk.store import Store
from amudesk.ui.kit.languagecombo import fill_language_combo
from amudesk.ui.kit.taskdialog import TaskDialog, progress_bar, show_progress

log = logging.getLogger(__name__)

# While drawing, the background task pauses this long every few cards (see prepare_cards).
YIELD_EVERY = 2
YIELD_SECONDS = 0.001


@dataclass(frozen=True)
class PreparedCards:
    card_ids: list[int]
    skipped: list[tuple[str, str]]
    pdf: bytes | None
    cancelled: bool


def prepare_cards(
    store: Store,
    request_ids: Sequence[int],
    *,
    sheet: bool,
    language: str | None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PreparedCards:
    """Gather (or make) the cards, then render them as one PDF, in memory. Runs in a
    background task; ``progress`` counts the requests, then the cards drawn."""
    requests = len(request_ids)

    def gathered(done: int, _total: int) -> None:
        if progress is not None:
            progress(done, requests * 2)

    batch = documents.gather_cards(
        request_ids, store=store, language=language, progress=gathered, cancelled=cancelled
    )
    if batch.cancelled or not batch.card_ids:
        return PreparedCards(batch.card_ids, batch.skipped, None, batch.cancelled)
    cards = len(batch.card_ids)

    def drawn(number: int) -> None:
        if progress is not None:
            progress(requests + round(number * requests / cards), requests * 2)
        if number % YIELD_EVERY == 0:
            # Drawing releases and takes back the interpreter lock so often (image digests,
            # compression) that the window's thread could wait for it a tenth of a second:
            # a real pause gives it its turn.
            time.sleep(YIELD_SECONDS)

    with store.session() as session:
        pdf = documents.card_pdf(batch.card_ids, session=session, sheet=sheet, on_card=drawn)
    return PreparedCards(batch.card_ids, batch.skipped, pdf, False)


class CardBatchDialog(TaskDialog):
    """Cards for the selected requests: layout, language, Prepare; then the preview."""

    printed = Signal(list)  # the ids of the cards that were printed

    def __init__(
        self,
        store: Store,
        request_ids: Sequence[int],
        parent: QWidget | None = None,
        *,
        language: str = "fr",
        choose_path: Callable[[str], Path | None] | None = None,
        printer_factory: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._request_ids = list(request_ids)
        self._choose_path = choose_path
        self._printer_factory = printer_factory
        self.result_cards: PreparedCards | None = None
        self.preview: Any = None
        self.setWindowTitle(_("Print medical cards"))
        self.setMinimumWidth(520)
        count = len(self._request_ids)
        intro = self.intro = QLabel(
            ngettext(
                "Cards for {n} selected request. A card waiting to be printed is used; "
                "otherwise a new card is made from the latest decision.",
                "Cards for {n} selected requests. A card waiting to be printed is used; "
                "otherwise a new card is made from the latest decision.",
                count,
            ).format(n=count)
        )
        intro.setWordWrap(True)
        self.sheet_button = QRadioButton(
            _("&A4 sheets of 10 cards (cut marks, backs mirrored for two-sided printing)")
        )
        self.sheet_hint = QLabel(
            _(
                "Print at actual size (100 %), on both sides, turning on the long edge: each "
                "back then falls behind its front. Cut along the marks, then laminate."
            )
        )
        self.sheet_hint.setWordWrap(True)
        self.sheet_hint.setObjectName("hint")
        self.sheet_hint.setContentsMargins(24, 0, 0, 0)
        self.card_printer_button = QRadioButton(_("Card &printer: one card per page"))
        self.sheet_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.sheet_button)
        group.addButton(self.card_printer_button)
        self.sheet_button.toggled.connect(self.sheet_hint.setVisible)
        self.language = QComboBox()
        self.language.setAccessibleName(_("Language of the cards"))
        fill_language_combo(self.language, language)
        form = QFormLayout()
        language_label = QLabel(_("&Language"))
        language_label.setBuddy(self.language)
        form.addRow(language_label, self.language)
        self.progress = progress_bar(_("Progress"))
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.skipped = QListWidget()
        self.skipped.setAccessibleName(_("Requests without a card"))
        self.skipped.hide()
        self.prepare_button = QPushButton(_("P&repare the cards"))
        self.prepare_button.setDefault(True)
        self.prepare_button.clicked.connect(self.prepare)
        self.cancel_button = QPushButton(_("Close"))
        self.cancel_button.clicked.connect(self.cancel_or_close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.prepare_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.sheet_button)
        layout.addWidget(self.sheet_hint)
        layout.addWidget(self.card_printer_button)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.skipped, 1)
        layout.addLayout(buttons)
        self.prepare_button.setEnabled(count > 0)

    def is_running(self) -> bool:
        return self.busy

    def prepare(self) -> None:
        """Gather and render the cards in the background."""
        if self.busy or not self._request_ids:
            return
        store, request_ids = self._store, list(self._request_ids)
        sheet = self.sheet_button.isChecked()
        language = self.language.currentData()

        def work(progress: Any, cancelled: Any) -> PreparedCards:
            return prepare_cards(
                store,
                request_ids,
                sheet=sheet,
                language=language,
                progress=progress,
                cancelled=cancelled,
            )

        self.skipped.clear()
        self.skipped.hide()
        self.progress.setRange(0, len(request_ids) * 2)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(_("Preparing the cards…"))
        self.prepare_button.setEnabled(False)
        self.cancel_button.setText(_("Cancel"))
        self.tasks.start(
            work,
            finished=self._finished,
            failed=self._failed,
            progress=lambda done, total: show_progress(
                self.progress, done, total, busy_when_unknown=True
            ),
        )

    def cancel(self) -> None:
        if self.tasks.cancel():
            self.cancel_button.setEnabled(False)
            self.status.setText(_("Cancelling…"))

    def stop(self) -> None:
        """Cancel a running batch and wait for its thread (the store is about to close);
        the dialog then closes without showing a preview."""
        self._close_when_done = True
        super().stop()

    def _idle(self) -> None:
        self.progress.hide()
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(_("Close"))
        self.prepare_button.setEnabled(True)
        self.close_if_asked()

    def _failed(self, error: object) -> None:
        log.error("card batch failed: %s", type(error).__name__)
        self._idle()
        self.status.setText(_("The cards could not be prepared ({detail}).").format(detail=error))

    def _finished(self, result: PreparedCards) -> None:
        self._idle()
        self.result_cards = result
        for reference, message in result.skipped:
            self.skipped.addItem(
                _("{reference}: {message}").format(reference=reference, message=message)
            )
        self.skipped.setVisible(bool(result.skipped))
        ready = len(result.card_ids)
        if result.cancelled:
            self.status.setText(
                _("Cancelled. Cards already made wait, unprinted, for the next batch.")
            )
            return
        if result.pdf is None:
            self.status.setText(_("No card can be printed for these requests."))
            return
        self.status.setText(
            ngettext("{n} card is ready.", "{n} cards are ready.", ready).format(n=ready)
        )
        if not self._close_when_done:
            self.show_preview(result)

    def show_preview(self, result: PreparedCards) -> Any:
        from amudesk.ui.documentview import DocumentPreviewDialog

        assert result.pdf is not None
        name = _("medical-cards-{date}.pdf").format(date=brussels_today().isoformat())
        dialog = DocumentPreviewDialog(
            result.pdf,
            title=_("Medical cards"),
            suggested_name=name,
            parent=self,
            choose_path=self._choose_path,
            printer_factory=self._printer_factory,
        )
        dialog.printed.connect(lambda _pages: self._printed(result.card_ids))
        self.preview = dialog
        dialog.open()
        return dialog

    def _printed(self, card_ids: list[int]) -> None:
        with self._store.transaction() as session:
            documents.mark_cards_printed(card_ids, session=session)
        self.status.setText(
            ngettext("{n} card printed.", "{n} cards printed.", len(card_ids)).format(
                n=len(card_ids)
            )
        )
        self.printed.emit(card_ids)
