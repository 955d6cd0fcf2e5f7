"""The case panel's "Documents handed out": what was issued for the request shown and
the row that issues the next.

Each document handed out is listed with a button that reopens its archived copy, exactly
as issued, to print or save it again (each again is written in the audit trail); each
medical card with its status, a button to print it (again) and, once printed, one to mark
it handed over. Below, the document to issue (the applicant's or a minor's), its language
and "Issue and preview…", which numbers, renders and archives it, then shows it.

The panel keeps one ``CaseDocuments`` for as long as it lives and places it in the content
it builds for each case (``show_documents``), so that what is set on it (the printer, the
last preview, where a PDF is saved) outlives the case shown. After a document was issued
or a card changed, ``saved(request_id, text)`` asks the panel to show the case again and
say ``text``; ``message(text)`` only says something (a PDF saved).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n, letters
from amudesk.i18n import _, ngettext
from amudesk.models.card import CARD_STATUS_LABELS, CardStatus
from amudesk.models.document import DOCUMENT_KINDS, Document
from amudesk.services import FieldError, NotFound, cases, documents
from amudesk.services import letters as letter_service
from amudesk.services.accounts import PRINTED, allowed, refusal
from amudesk.services.office import get_office
from amudesk.settings import load_settings
from amudesk.store import Store
from amudesk.ui import missingcontacts
from amudesk.ui.caseparts import SPACING, item_row, plain_label, section
from amudesk.ui.kit.buttons import action_button
from amudesk.ui.kit.labels import person_display_name
from amudesk.ui.kit.languagecombo import fill_language_combo
from amudesk.ui.kit.pdffiles import ask_pdf_path, ensure_pdf_support, write_pdf

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandedOut:
    """The documents and cards of the case shown, and the language to issue the next in
    (the person's when the documents have it, else the office's)."""

    issued: Sequence[Any]
    cards: Sequence[Any]
    language: str


def read_handed_out(detail: cases.CaseDetail, session: Any) -> HandedOut:
    """What the documents section shows, read with the case (one session)."""
    request_id = detail.request.id or 0
    language = next(
        (
            code.strip()
            for code in (detail.person.languages or "").split(",")
            if code.strip() in documents.LANGUAGES
        ),
        None,
    )
    if language is None:  # not one of the documents' languages: the office's
        language = documents.document_language(None, get_office(session=session))
    return HandedOut(
        issued=documents.documents_of_request(request_id, session=session),
        cards=documents.cards_of_request(request_id, session=session),
        language=language,
    )


def document_choices(detail: cases.CaseDetail) -> list[tuple[str, str, int | None]]:
    """(label, kind, dependant) of each document this case can issue."""
    choices: list[tuple[str, str, int | None]] = [
        (_(DOCUMENT_KINDS["receipt"]), "receipt", None),
        (_(DOCUMENT_KINDS["aamu"]), "aamu", None),
        (_(DOCUMENT_KINDS["info-form"]), "info-form", None),
    ]
    for number, minor in enumerate(detail.dependants, start=1):
        choices.append(
            (
                _("Information form of {name} (minor)").format(
                    name=person_display_name(minor.family_name, minor.given_names)
                ),
                "info-form",
                number,
            )
        )
    choices.append((_(DOCUMENT_KINDS["card"]), "card", None))
    choices += [(_(DOCUMENT_KINDS[kind]), kind, None) for kind in letters.KINDS]
    for number, minor in enumerate(detail.dependants, start=1):
        choices.append(
            (
                _("Medical card of {name} (minor)").format(
                    name=person_display_name(minor.family_name, minor.given_names)
                ),
                "card",
                number,
            )
        )
    return choices


def next_document(detail: cases.CaseDetail, handed_out: HandedOut) -> str | None:
    """The kind of document the case most likely needs next, at the counter (Ctrl+P):

    1. a request not filed with a CPAS yet (preparing) → the AAMU form, for the doctor;
    2. no acknowledgement of receipt yet → the receipt;
    3. a decision granting aid and no medical card yet → the card, or the information form
       when the decision has no validity period (a card needs one);
    4. otherwise → the receipt again (a duplicate, the document most asked for again).
    """
    if detail.request.received_at is None:
        return "aamu"
    if not any(document.kind == "receipt" for document in handed_out.issued):
        return "receipt"
    positive = [d for d in detail.decisions if cases.positive_decision(d.kind)]
    if positive and not handed_out.cards:
        latest = positive[-1]
        if latest.valid_from is not None and latest.valid_to is not None:
            return "card"
        return "info-form"
    return "receipt"


class CaseDocuments(QWidget):
    """The documents and cards of one request (``show_documents``); ``clear`` empties it."""

    saved = Signal(object, str)  # the request changed (its id), and what to say
    message = Signal(str)

    document_kind: QComboBox
    document_language: QComboBox

    def __init__(
        self, store: Store, parent: QWidget | None = None, *, data_dir: Path | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._data_dir = data_dir  # where settings.json lives (the receipt's time limits)
        self._request_id: int | None = None
        # The printer a preview prints on (None: the system's default); tests replace it.
        self.printer_factory: Callable[[], Any] | None = None
        self.last_preview: Any = None
        self._body: QWidget | None = None  # the widgets of the case shown
        self._language = "fr"  # the language to issue in, for the case shown
        self._next: str | None = None  # the document it most likely needs next
        self._filed = False  # its request was filed with a CPAS (not "preparing")
        self.setObjectName("caseDocuments")
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    def show_documents(self, detail: cases.CaseDetail, handed_out: HandedOut) -> None:
        """Lay out the section for the case ``detail``."""
        self.clear()
        self._request_id = detail.request.id
        self._language = handed_out.language
        self._next = next_document(detail, handed_out)
        self._filed = detail.request.received_at is not None
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        self._build(layout, detail, handed_out)
        self._body = body
        outer = self.layout()
        assert outer is not None
        outer.addWidget(body)

    def clear(self) -> None:
        """Drop the widgets of the case shown, as the panel drops the rest of its content:
        at once, and the keyboard focus with them (the panel puts it back by name)."""
        self._request_id = None
        self._next = None
        body, self._body = self._body, None
        if body is None:
            return
        focus = QApplication.focusWidget()
        if focus is not None and body.isAncestorOf(focus):
            focus.clearFocus()
        body.setParent(None)
        body.deleteLater()

    def _build(self, layout: QVBoxLayout, detail: cases.CaseDetail, handed_out: HandedOut) -> None:
        """The documents handed out for this request (each reopened exactly as issued), the
        medical cards with their status, and the row that issues a new document."""
        section(layout, _("Documents handed out"))
        issued, cards = handed_out.issued, handed_out.cards
        if not issued:
            layout.addWidget(plain_label(_("No document yet."), object_name="hint"))
        for document in issued:
            text = _("{number} · {kind} · {language} · {when} · {who}").format(
                number=document.number,
                kind=_(DOCUMENT_KINDS.get(document.kind, document.kind)),
                language=document.language.upper(),
                when=i18n.format_datetime(document.issued_at, "short"),
                who=document.actor,
            )
            layout.addLayout(
                item_row(
                    text,
                    partial(self.open_document, document.id, document.number),
                    object_name=f"openDocument-{document.id}",
                    name=_("Open {number}").format(number=document.number),
                    needs="read",
                    button=_("Open…"),
                )
            )
        for card in cards:
            layout.addLayout(self._card_row(card))
        row = QHBoxLayout()
        self.document_kind = QComboBox()
        self.document_kind.setObjectName("documentKind")
        self.document_kind.setAccessibleName(_("Document to issue"))
        role = self._store.role
        for label, kind, dependant in document_choices(detail):
            if role is not None and kind not in PRINTED and not allowed(role, "documents"):
                continue  # a reader issues receipts and cards only
            # "card" for the applicant's, "card:2" for the second minor's.
            self.document_kind.addItem(label, kind if dependant is None else f"{kind}:{dependant}")
        self.document_language = QComboBox()
        self.document_language.setObjectName("documentLanguage")
        self.document_language.setAccessibleName(_("Language of the document"))
        fill_language_combo(self.document_language, handed_out.language)
        # The combo never widens the panel: long names (a minor's form) are cut in the box
        # and shown whole in the open list.
        self.document_kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.document_kind.setMinimumContentsLength(16)
        layout.addWidget(self.document_kind)
        row.addWidget(self.document_language)
        row.addWidget(
            action_button(
                _("&Issue and preview…"),
                self.issue_document,
                object_name="issueDocument",
                needs="print",  # the kinds offered are those the role may issue
            )
        )
        row.addStretch(1)
        layout.addLayout(row)

    def _card_row(self, card: Any) -> QHBoxLayout:
        """A card's number, holder, validity and status, with Print (again) and, once
        printed, Mark as handed over."""
        text = _("{number} · {name} · valid {start} to {end} · {status}").format(
            number=card.number,
            name=card.person_name,
            start=i18n.format_date(card.valid_from, "short"),
            end=i18n.format_date(card.valid_to, "short"),
            status=_(CARD_STATUS_LABELS.get(card.status, card.status)),
        )
        if card.prints > 1:
            text += " · " + ngettext("printed {n} time", "printed {n} times", card.prints).format(
                n=card.prints
            )
        row = QHBoxLayout()
        row.addWidget(plain_label(text), 1)
        row.addWidget(
            action_button(
                _("Print again…") if card.prints else _("Print…"),
                partial(self.print_card, card.id, card.number),
                object_name=f"printCard-{card.id}",
                name=_("Print card {number}").format(number=card.number),
                needs="print",
            ),
            0,
            Qt.AlignmentFlag.AlignTop,
        )
        if card.status == CardStatus.PRINTED:
            row.addWidget(
                action_button(
                    _("Mark as handed over"),
                    partial(self.hand_over_card, card.id, card.number),
                    object_name=f"handOverCard-{card.id}",
                    name=_("Card {number} handed over").format(number=card.number),
                    needs="print",
                ),
                0,
                Qt.AlignmentFlag.AlignTop,
            )
        return row

    # --- actions -------------------------------------------------------------------

    def issue_document(self) -> None:
        """Number, render and archive the chosen document, then show it to print or save."""
        kind, _sep, minor = str(self.document_kind.currentData()).partition(":")
        self.issue(kind, self.document_language.currentData(), int(minor) if minor else None)

    def issue(self, kind: str, language: str | None = None, dependant: int | None = None) -> Any:
        """Issue a ``kind`` of document for the case shown (a letter opens its draft first),
        then preview it; the language is the section's when not given. Returns the preview
        (None when nothing was issued or there is no preview)."""
        if self._request_id is None:
            return None
        request_id = self._request_id
        if language is None:
            language = self._language
        if kind in letters.KINDS:
            self.write_letter(kind, language)
            return None
        if not missingcontacts.ready_to_issue(self, self._store, kind, request_id, language):
            return None
        card_id: int | None = None
        try:
            with self._store.transaction() as session:
                if kind == "receipt":
                    issued = documents.issue_receipt(
                        request_id,
                        session=session,
                        language=language,
                        clock_settings=load_settings(self._data_dir).clock_settings(),
                    )
                elif kind == "aamu":
                    issued = documents.issue_aamu_form(
                        request_id, session=session, language=language
                    )
                elif kind == "info-form":
                    issued = documents.issue_info_form(
                        request_id, session=session, language=language, dependant=dependant
                    )
                else:
                    card = documents.issue_card(
                        request_id, session=session, language=language, dependant=dependant
                    )
                    card_id = card.id
                    archived = session.get(Document, card.document_id)
                    assert archived is not None  # issue_card archives the card's PDF
                    issued = archived
                number, pdf = issued.number, issued.pdf
        except (FieldError, NotFound) as exc:
            QMessageBox.warning(self, _(DOCUMENT_KINDS.get(kind, kind)), str(exc))
            return None
        self.saved.emit(
            request_id,
            _("{document} {number} issued.").format(
                document=_(DOCUMENT_KINDS.get(kind, kind)), number=number
            ),
        )
        on_printed = None
        if card_id is not None:
            on_printed = partial(self._cards_printed, request_id, [card_id])
        return self.preview(pdf, number, on_printed=on_printed)

    def next_kind(self) -> str | None:
        """The document the case shown most likely needs next (``next_document``)."""
        return self._next

    def issue_next(self) -> Any:
        """Issue the document the case most likely needs next (Ctrl+P); for a role that
        may not issue it (a reader and a letter), say so instead."""
        if self._next is None:
            return None
        role, needs = self._store.role, "print" if self._next in PRINTED else "documents"
        if role is not None and not allowed(role, needs):
            self.message.emit(refusal(role, needs))
            return None
        return self.issue(self._next)

    def offer_receipt(self, request_id: int) -> QMessageBox | None:
        """After a new request was saved and shown: "Print the acknowledgement of receipt
        now?", Enter prints it (as the section's receipt does), "Later" or Esc does nothing.
        Not asked for a request not filed yet (preparing: no receipt to give). The question
        is window-modal and does not block (returned, None when not asked)."""
        if request_id != self._request_id or not self._filed:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Acknowledgement of receipt"),
            _("Print the acknowledgement of receipt now?"),
            parent=self.window(),
        )
        box.setWindowModality(Qt.WindowModality.WindowModal)
        print_button = box.addButton(_("Print the receipt"), QMessageBox.ButtonRole.AcceptRole)
        later = box.addButton(_("Later"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(print_button)
        box.setEscapeButton(later)

        def answered(button: object) -> None:
            if button is print_button and self._request_id == request_id:
                self.issue("receipt")

        box.buttonClicked.connect(answered)
        box.finished.connect(lambda _result: box.deleteLater())
        box.open()
        return box

    def write_letter(self, kind: str, language: str | None = None) -> None:
        """Draft a letter from the case; show it to edit, then issue and preview it. When the
        case lacks a fact the letter needs, say which and issue nothing."""
        from amudesk.ui.letterdialog import LetterDialog

        if self._request_id is None:
            return
        request_id = self._request_id
        if not missingcontacts.ready_to_issue(self, self._store, kind, request_id, language):
            return
        settings = load_settings(self._data_dir).clock_settings()
        try:
            with self._store.session() as session:
                draft = letter_service.draft_letter(
                    request_id, kind, session=session, language=language, clock_settings=settings
                )
                chosen = documents.document_language(language, get_office(session=session))
        except (FieldError, NotFound) as exc:
            QMessageBox.warning(self, _(DOCUMENT_KINDS.get(kind, kind)), str(exc))
            return
        dialog = LetterDialog(
            self._store,
            request_id=request_id,
            kind=kind,
            language=chosen,
            draft=draft,
            clock_settings=settings,
            parent=self,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.issued is None:
            return
        issued = dialog.issued
        self.saved.emit(
            request_id,
            _("{document} {number} issued.").format(
                document=_(DOCUMENT_KINDS.get(kind, kind)), number=issued.number
            ),
        )
        self.preview(issued.pdf, issued.number)

    def open_document(self, document_id: int, number: str) -> None:
        """Show the archived copy of a document, exactly as it was handed out, to print or
        save it again (each again is written in the audit trail)."""
        try:
            with self._store.session() as session:
                pdf = documents.archived_pdf(document_id, session=session)
        except (FieldError, NotFound) as exc:
            QMessageBox.warning(self, _("Documents handed out"), str(exc))
            return
        self.preview(
            pdf,
            number,
            on_printed=partial(self._reprinted, document_id, "print"),
            on_saved=partial(self._reprinted, document_id, "save"),
        )

    def print_card(self, card_id: int, number: str) -> None:
        """Show a card (front and back, card size) as it is now, to print it."""
        request_id = self._request_id
        try:
            with self._store.session() as session:
                pdf = documents.card_pdf([card_id], session=session, sheet=False)
        except (FieldError, NotFound) as exc:
            QMessageBox.warning(self, _("Medical card"), str(exc))
            return
        self.preview(pdf, number, on_printed=partial(self._cards_printed, request_id, [card_id]))

    def hand_over_card(self, card_id: int, number: str) -> None:
        try:
            with self._store.transaction() as session:
                documents.hand_over_card(card_id, session=session)
        except (FieldError, NotFound) as exc:
            QMessageBox.warning(self, _("Medical card"), str(exc))
            return
        self.saved.emit(self._request_id, _("Card {number} handed over.").format(number=number))

    def _cards_printed(self, request_id: int | None, card_ids: list[int], _pages: int) -> None:
        with self._store.transaction() as session:
            documents.mark_cards_printed(card_ids, session=session)
        if request_id is not None and request_id == self._request_id:
            self.saved.emit(request_id, _("Card printed."))

    def _reprinted(self, document_id: int, how: str, *_args: object) -> None:
        with self._store.transaction() as session:
            documents.record_reprint(document_id, session=session, how=how)

    def preview(
        self,
        pdf: bytes,
        number: str,
        *,
        on_printed: Callable[[int], None] | None = None,
        on_saved: Callable[[str], None] | None = None,
    ) -> Any:
        """Show ``pdf`` (held in memory only) to print or save; without Qt PDF support,
        offer to save it. Returns the preview dialog (None in the fallback)."""
        from amudesk.ui.documentview import DocumentPreviewDialog

        problem = ensure_pdf_support()
        if problem is not None:
            log.warning("no PDF preview: %s", problem)
            path = self._write_pdf(number, pdf)
            if path is not None and on_saved is not None:
                on_saved(str(path))
            return None
        if self.last_preview is not None:
            # One preview at a time: the one before goes, with its copy of the PDF.
            self.last_preview.close()
            self.last_preview.deleteLater()
        dialog = DocumentPreviewDialog(
            pdf,
            title=number,
            suggested_name=f"{number}.pdf",
            parent=self.window(),
            choose_path=lambda _name: self.choose_pdf_path(number),
            printer_factory=self.printer_factory,
        )
        if on_printed is not None:
            dialog.printed.connect(on_printed)
        if on_saved is not None:
            dialog.saved.connect(on_saved)
        self.last_preview = dialog
        dialog.open()
        return dialog

    def choose_pdf_path(self, number: str) -> Path | None:
        """Where to save ``number``'s PDF (None: not saved). Tests replace this."""
        return ask_pdf_path(self, f"{number}.pdf")

    def _write_pdf(self, number: str, pdf: bytes) -> Path | None:
        chosen = self.choose_pdf_path(number)
        path = write_pdf(self, chosen, pdf) if chosen is not None else None
        if path is not None:
            self.message.emit(_("{number} saved to {path}").format(number=number, path=path))
        return path
