"""A letter on the office's letterhead: sender and recipient, the date and the references,
the subject, the paragraphs (as drafted by ``amudesk.letters``, perhaps edited), the
signature block and the annexes.

The renderer is pure: it gets a :class:`LetterPage` of plain values and returns the PDF
bytes. A short paragraph without a final stop (the appeal's "The facts", "The grounds" …)
is set as a heading; every other one as a paragraph of text, exactly as typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from amudesk import i18n
from amudesk.documents.layout import (
    MM,
    TEXT_WIDTH,
    Letterhead,
    PageFrame,
    render,
    stylesheet,
    text,
)
from amudesk.i18n import N_, gettext_for

DATE_FORMAT = "d MMMM y"
HEADING_LENGTH = 60
_END_MARKS = (".", ":", ",", ";", "!", "?", ")", "»", "”")


@dataclass(frozen=True)
class LetterPage:
    """Everything a letter shows, as plain values in its language."""

    kind: str
    title: str  # the kind's name, for the PDF's metadata
    number: str  # "LR-2026-00003"
    issued_at: dt.datetime  # aware
    language: str
    letterhead: Letterhead
    sender: tuple[str, ...]  # the office (or the claimant's) lines
    recipient: tuple[str, ...]
    reference: str
    subject: str
    body: tuple[str, ...]
    signatory_name: str
    signatory_title: str
    signs_for: str  # "" or a line under the signature ("for DIALLO Awa, by mandate")
    annexes: tuple[str, ...]


def is_heading(paragraph: str) -> bool:
    """A paragraph set as a heading: short, one line, no final punctuation."""
    shown = paragraph.strip()
    return 0 < len(shown) <= HEADING_LENGTH and "\n" not in shown and not shown.endswith(_END_MARKS)


def render_letter(page: LetterPage) -> bytes:
    """The PDF (A4) of the letter."""
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    styles = stylesheet()

    def t(message: str) -> str:
        return gettext_for(page.language, message)

    day = page.issued_at.astimezone(ZoneInfo(i18n.BRUSSELS)).date()
    half = TEXT_WIDTH / 2
    addresses = Table(
        [
            [
                [text(line, styles.body) for line in page.sender],
                [text(line, styles.body) for line in page.recipient],
            ]
        ],
        colWidths=[half, half],
        hAlign="LEFT",
    )
    addresses.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story: list[Any] = [
        addresses,
        Spacer(1, 8 * MM),
        text(
            t(N_("Date: {date}")).format(
                date=i18n.format_date(day, DATE_FORMAT, locale=page.language)
            ),
            styles.body,
        ),
        text(
            t(N_("Our reference: {reference} · letter {number}")).format(
                reference=page.reference, number=page.number
            ),
            styles.body,
        ),
        Spacer(1, 4 * MM),
        text(t(N_("Subject: {subject}")).format(subject=page.subject), styles.subheading),
        Spacer(1, 2 * MM),
    ]
    for paragraph in page.body:
        story.append(text(paragraph, styles.subheading if is_heading(paragraph) else styles.body))
    signature = [Spacer(1, 14 * MM)]
    for line in (page.signatory_name, page.signatory_title, page.signs_for):
        if line:
            signature.append(text(line, styles.body))
    story.append(KeepTogether(signature))
    if page.annexes:
        story.append(Spacer(1, 6 * MM))
        story.append(text(t(N_("Annexes")), styles.caption))
        story += [text(f"– {annex}", styles.body) for annex in page.annexes]
    frame = PageFrame(
        letterhead=page.letterhead,
        language=page.language,
        header_lines=(t(N_("Letter {number}")).format(number=page.number),),
        footer=t(N_("Personal data: confidential (art. 9 GDPR)")),
    )
    return render(story, frame, title=page.title, subject=page.number)
