"""The acknowledgement of receipt of an AMU request (accusé de réception / ontvangstbewijs).

Every request for urgent medical aid, even an oral one, must get an acknowledgement: it
proves the day from which the CPAS's time limits run. The document names the applicant,
the CPAS, what was asked (urgent medical aid, AR of 12 December 1996 and loi organique des
CPAS art. 57 §2), when and how the request came in, and tells in plain words what happens
next: the decision by a given day, its notification within 8 days, and the appeal to the
labour court when no decision comes (loi organique art. 71).

An association that accompanies the applicant does not acknowledge anything on the CPAS's
behalf: its document is a *proof of filing* that records when and where the request was
filed. Two copies are printed, each on its own page: the applicant's and the file's.

The renderer is pure: it gets a :class:`ReceiptFacts` of plain values and returns the PDF
bytes; it never opens the database. Every sentence is marked with ``N_`` and translated at
render time into ``facts.language``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from amudesk import i18n
from amudesk.documents.fonts import paragraph_text
from amudesk.documents.layout import (
    FOOTER_HEIGHT,
    GRID_COLOUR,
    HEADER_HEIGHT,
    LABEL_BACKGROUND,
    MARGIN,
    MM,
    PAGE_HEIGHT,
    TEXT_WIDTH,
    Letterhead,
    PageFrame,
    Styles,
    label_value_table,
    render,
    stylesheet,
    text,
)
from amudesk.i18n import N_, gettext_for, ngettext_for

# Dates for people to read, with the weekday: "jeudi 30 avril 2026", "donderdag 30 april 2026".
DATE_FORMAT = "EEEE d MMMM y"
TIME_FORMAT = "%H:%M"
OFFICE_KINDS = ("cpas", "association")

# The height a copy may take: the page's frame (reportlab's Frame pads 6 pt on each side).
_COPY_HEIGHT = PAGE_HEIGHT - 2 * MARGIN - HEADER_HEIGHT - FOOTER_HEIGHT - 12 - 2
_SIGNATURE_SPACE = 20 * MM


@dataclass(frozen=True)
class ReceiptFacts:
    """Everything the acknowledgement shows, as plain values."""

    number: str  # "AR-2026-00042"
    issued_at: dt.datetime  # aware (UTC); shown in Brussels time
    language: str  # "fr" | "nl" | "en"
    letterhead: Letterhead
    office_kind: str  # "cpas" or "association" (then: a proof of filing)
    signatory_name: str
    signatory_title: str
    labour_court_address: str  # may be ""
    reference: str  # the case reference, "AMU-2026-0042"
    family_name: str
    given_names: str
    birth_date: str  # "1985-07-30", "1985-07", "1985" or ""
    niss: str  # 11 digits or ""
    cpas_name: str
    cpas_address: str
    received_at: dt.datetime  # aware (UTC); shown in Brussels time, date and hour
    channel_label: str  # already translated ("En personne")
    accompanied_by: str
    aamu_handed_in: bool
    decision_due: dt.date | None  # last day for the CPAS's decision (30 days)
    notification_due_days: int  # 8
    appeal_from: dt.date | None  # appeal possible from this day when no decision came
    appeal_months: int  # 3

    @property
    def is_proof_of_filing(self) -> bool:
        """True for an association: it records the filing, it acknowledges nothing."""
        return self.office_kind == "association"


class _Words:
    """Translation and formatting in the document's language."""

    def __init__(self, language: str) -> None:
        self.language = language

    def t(self, message: str) -> str:
        return gettext_for(self.language, message)

    def _n(self, singular: str, plural: str, n: int) -> str:
        return ngettext_for(self.language, singular, plural, n)

    def date(self, value: dt.date | None) -> str:
        return i18n.format_date(value, DATE_FORMAT, locale=self.language) if value else ""

    def moment(self, value: dt.datetime) -> str:
        """Date and hour in Brussels time; a naive value is taken as UTC."""
        local = _brussels(value)
        return self.t(N_("{date} at {time}")).format(
            date=self.date(local.date()), time=local.strftime(TIME_FORMAT)
        )


def _brussels(value: dt.datetime) -> dt.datetime:
    """``value`` in Brussels time; a naive value is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(ZoneInfo(i18n.BRUSSELS))


def format_niss(value: str) -> str:
    """An 11-digit NISS or BIS number as YY.MM.DD-NNN.CC; anything else as it is."""
    digits = "".join(value.split())
    if len(digits) != 11 or not digits.isdigit():
        return value.strip()
    return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}-{digits[6:9]}.{digits[9:11]}"


def full_name(facts: ReceiptFacts) -> str:
    """FAMILY NAME Given names."""
    return f"{facts.family_name.strip().upper()} {facts.given_names.strip()}".strip()


def title_of(facts: ReceiptFacts) -> str:
    """The document's title in its language."""
    if facts.is_proof_of_filing:
        message = N_("Proof of filing of a request for urgent medical aid")
    else:
        message = N_("Acknowledgement of receipt of a request for urgent medical aid")
    return gettext_for(facts.language, message)


def _birth_date(facts: ReceiptFacts) -> str:
    try:
        return i18n.format_partial_date(facts.birth_date.strip(), locale=facts.language)
    except ValueError:  # a malformed value is shown as typed, never stops the document
        return facts.birth_date


def _copy_banner(label: str, styles: Styles) -> Any:
    """ "Applicant's copy" / "File copy" in a grey box on the right."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Table, TableStyle

    style = ParagraphStyle("copy", parent=styles.cell_header, fontSize=9.5, leading=12, alignment=1)
    shown = label.upper()
    width = stringWidth(shown, style.fontName, style.fontSize) + 14
    width = min(max(width, 50 * MM), TEXT_WIDTH)
    banner = Table([[text(shown, style)]], colWidths=[width], hAlign="RIGHT")
    banner.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor(GRID_COLOUR)),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(LABEL_BACKGROUND)),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return banner


def _intro(facts: ReceiptFacts, words: _Words) -> str:
    received = words.moment(facts.received_at)
    if facts.is_proof_of_filing:
        return words.t(
            N_(
                "{office} certifies that the request for urgent medical aid described below "
                "was filed with {cpas} on {received}. This document is not an acknowledgement "
                "by the CPAS: it records when and where the request was filed."
            )
        ).format(office=facts.letterhead.name, cpas=facts.cpas_name, received=received)
    return words.t(
        N_(
            "{office} acknowledges that it received, on {received}, the request for urgent "
            "medical aid described below."
        )
    ).format(office=facts.letterhead.name, received=received)


def _applicant(facts: ReceiptFacts, words: _Words, styles: Styles) -> Any:
    t = words.t
    rows: list[tuple[str, object]] = [
        (t(N_("Family name")), facts.family_name),
        (t(N_("Given names")), facts.given_names),
        (t(N_("Birth date")), _birth_date(facts)),
        (t(N_("NISS or BIS number")), format_niss(facts.niss)),
        (t(N_("File reference")), facts.reference),
    ]
    return label_value_table(rows, styles)


def _request(facts: ReceiptFacts, words: _Words, styles: Styles) -> Any:
    t = words.t
    cpas = "\n".join(part for part in (facts.cpas_name, facts.cpas_address.strip()) if part)
    aamu = (
        t(N_("Medical attestation of urgent medical aid (AAMU): yes"))
        if facts.aamu_handed_in
        else t(N_("Medical attestation of urgent medical aid (AAMU): no"))
    )
    rows: list[tuple[str, object]] = [
        (t(N_("CPAS")), cpas),
        (
            t(N_("Object of the request")),
            t(
                N_(
                    "Urgent medical aid for a person staying in Belgium without a residence "
                    "permit (royal decree of 12 December 1996; loi organique des CPAS of "
                    "8 July 1976, art. 57 §2)"
                )
            ),
        ),
        (t(N_("Received on")), words.moment(facts.received_at)),
        (t(N_("Channel")), facts.channel_label),
        (t(N_("Accompanied by")), facts.accompanied_by),
        (t(N_("Documents handed in")), aamu),
    ]
    return label_value_table(rows, styles)


def _next_steps(facts: ReceiptFacts, words: _Words, styles: Styles) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer

    t = words.t
    days = facts.notification_due_days
    months = facts.appeal_months
    steps: list[tuple[str, str]] = []
    if facts.decision_due is not None:
        decision = t(
            N_(
                "The CPAS must decide on the request within 30 days, that is by {date} at the latest."
            )
        ).format(date=words.date(facts.decision_due))
    else:
        decision = t(N_("The CPAS must decide on the request within 30 days."))
    steps.append((t(N_("Decision.")), decision))
    steps.append(
        (
            t(N_("Notification.")),
            words._n(
                "The CPAS must send its decision to the applicant within {n} day of taking it, "
                "by registered letter or by hand against a receipt. The decision gives its "
                "reasons and says how to appeal.",
                "The CPAS must send its decision to the applicant within {n} days of taking it, "
                "by registered letter or by hand against a receipt. The decision gives its "
                "reasons and says how to appeal.",
                days,
            ).format(n=days),
        )
    )
    if facts.appeal_from is not None:
        no_decision = words._n(
            "If no decision has come by then, the applicant may appeal to the labour court "
            "from {date}, within {n} month (loi organique des CPAS, art. 71).",
            "If no decision has come by then, the applicant may appeal to the labour court "
            "from {date}, within {n} months (loi organique des CPAS, art. 71).",
            months,
        ).format(n=months, date=words.date(facts.appeal_from))
    else:
        no_decision = words._n(
            "If no decision comes within one month of the request, the applicant may appeal "
            "to the labour court within the {n} month that follows (loi organique des CPAS, "
            "art. 71).",
            "If no decision comes within one month of the request, the applicant may appeal "
            "to the labour court within the {n} months that follow (loi organique des CPAS, "
            "art. 71).",
            months,
        ).format(n=months)
    steps.append((t(N_("No decision?")), no_decision))
    steps.append(
        (
            t(N_("Refusal?")),
            words._n(
                "The applicant may also appeal against a decision within {n} month of its "
                "notification. A written request handed in at the court's registry or sent to it "
                "by registered letter is enough; a lawyer is not required.",
                "The applicant may also appeal against a decision within {n} months of its "
                "notification. A written request handed in at the court's registry or sent to it "
                "by registered letter is enough; a lawyer is not required.",
                months,
            ).format(n=months),
        )
    )
    story: list[Any] = [
        Paragraph(
            f"<b>{paragraph_text(lead)}</b> {paragraph_text(body)}",
            styles.bullet,
            bulletText="•",
        )
        for lead, body in steps
    ]
    court = facts.labour_court_address.strip()
    if court:
        story.append(Spacer(1, 1.5 * MM))
        story.append(label_value_table([(t(N_("Labour court")), court)], styles))
    story.append(Spacer(1, 1.5 * MM))
    story.append(
        text(
            t(
                N_(
                    "Keep this document: it proves the day of the request, from which these "
                    "time limits run. Days are counted from the day after the request "
                    "(Code judiciaire art. 52–54)."
                )
            ),
            styles.note,
        )
    )
    return story


def _signatures(facts: ReceiptFacts, words: _Words, styles: Styles) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Spacer, Table, TableStyle

    t = words.t
    office_lines = [
        text(t(N_("For {office}")).format(office=facts.letterhead.name), styles.cell_label),
        Spacer(1, _SIGNATURE_SPACE),
        text(facts.signatory_name, styles.cell),
        text(facts.signatory_title, styles.cell_label),
    ]
    applicant_lines = [
        text(t(N_("The applicant")), styles.cell_label),
        Spacer(1, _SIGNATURE_SPACE),
        text(full_name(facts), styles.cell),
    ]
    half = TEXT_WIDTH / 2
    table = Table([[office_lines, applicant_lines]], colWidths=[half, half], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (0, 0), 0.5, colors.HexColor(GRID_COLOUR)),
                ("BOX", (1, 0), (1, 0), 0.5, colors.HexColor(GRID_COLOUR)),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def _copy(facts: ReceiptFacts, words: _Words, styles: Styles, copy_label: str) -> list[Any]:
    """One copy: everything on one page (shrunk in the rare case it would not fit)."""
    from reportlab.platypus import KeepInFrame, Spacer

    t = words.t
    content: list[Any] = [
        _copy_banner(copy_label, styles),
        Spacer(1, 2 * MM),
        text(title_of(facts), styles.title),
        text(
            t(N_("No. {number} · issued on {date}")).format(
                number=facts.number, date=words.moment(facts.issued_at)
            ),
            styles.subheading,
        ),
        text(_intro(facts, words), styles.body),
        text(t(N_("The applicant")), styles.heading),
        _applicant(facts, words, styles),
        text(t(N_("The request")), styles.heading),
        _request(facts, words, styles),
        text(t(N_("What happens next")), styles.heading),
        *_next_steps(facts, words, styles),
        Spacer(1, 4 * MM),
        _signatures(facts, words, styles),
    ]
    return [KeepInFrame(TEXT_WIDTH, _COPY_HEIGHT, content, mode="shrink")]


def render_receipt(facts: ReceiptFacts) -> bytes:
    """The PDF (A4) of the acknowledgement: the applicant's copy, then the file copy, each
    on its own page."""
    from reportlab.platypus import PageBreak

    styles = stylesheet()
    words = _Words(facts.language)
    t = words.t
    title = title_of(facts)
    story: list[Any] = [
        *_copy(facts, words, styles, t(N_("Applicant's copy"))),
        PageBreak(),
        *_copy(facts, words, styles, t(N_("File copy"))),
    ]
    frame = PageFrame(
        letterhead=facts.letterhead,
        language=facts.language,
        header_lines=(
            t(N_("No. {number}")).format(number=facts.number),
            t(N_("Reference {reference}")).format(reference=facts.reference),
            i18n.format_date(_brussels(facts.issued_at).date(), locale=facts.language),
        ),
        footer=t(N_("Personal data: confidential (art. 9 GDPR)")),
    )
    return render(story, frame, title=title, subject=facts.number)
