"""A letter before it is issued: who it goes to and its subject (fixed, drafted from the
case), and its text, which the user may edit; "Issue the letter" numbers, renders and
archives it as shown. Paragraphs are separated by an empty line."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from amudesk.i18n import _
from amudesk.letters import KIND_LABELS, MAX_PARAGRAPH_LENGTH, MAX_PARAGRAPHS, Draft
from amudesk.models.document import Document
from amudesk.services import letters as letter_service
from amudesk.store import Store
from amudesk.ui.kit.formdialog import FormDialog
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import hint_label

MAX_TEXT = MAX_PARAGRAPHS * (MAX_PARAGRAPH_LENGTH + 2)


def paragraphs_of(text: str) -> list[str]:
    """The paragraphs of the edited text: blocks separated by empty lines, each folded."""
    blocks: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return blocks


class LetterDialog(FormDialog):
    """Shows ``draft`` (already checked: the case has every fact the letter needs)."""

    def __init__(
        self,
        store: Store,
        *,
        request_id: int,
        kind: str,
        language: str,
        draft: Draft,
        clock_settings: Any = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(store, parent)
        self.setObjectName("letterDialog")
        self.setWindowTitle(_(KIND_LABELS[kind]))
        self.request_id, self.kind, self.language = request_id, kind, language
        self.clock_settings = clock_settings
        self.issued: Document | None = None
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for title, value, name in (
            (_("To:"), "\n".join(draft.recipient), "letterRecipient"),
            (_("Subject:"), draft.subject, "letterSubject"),
        ):
            shown = QLabel(value)
            shown.setObjectName(name)
            shown.setTextFormat(Qt.TextFormat.PlainText)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(title, shown)
        self.text = QPlainTextEdit("\n\n".join(draft.body))
        self.text.setObjectName("letterText")
        self.text.setTabChangesFocus(True)
        add_row(form, _("&Text:"), self.text, name=_("Text of the letter"))
        layout.addLayout(form, 1)
        hint = _(
            "Edit the text as needed; an empty line starts a new paragraph. The parties, the "
            "dates, the reference and the signature are printed as drafted."
        )
        if draft.annexes:
            hint += " " + _("Annexes: {annexes}.").format(annexes="; ".join(draft.annexes))
        layout.addWidget(hint_label(hint))
        self.finish_layout(body)
        self.fields = {"body": self.text}
        self.ok_button.setText(_("Issue the letter"))
        self.ok_button.setAccessibleName(_("Issue the letter"))
        QWidget.setTabOrder(self.text, self.ok_button)
        QWidget.setTabOrder(self.ok_button, self.cancel_button)
        self.fit_to_screen(760, 640)
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)

    def body(self) -> list[str]:
        return paragraphs_of(self.text.toPlainText()[: MAX_TEXT + 1])

    def save(self, session: Any) -> int | None:
        self.issued = letter_service.issue_letter(
            self.request_id,
            self.kind,
            session=session,
            language=self.language,
            body=self.body(),
            clock_settings=self.clock_settings,
        )
        return self.issued.id
