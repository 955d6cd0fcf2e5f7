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

import dataclasses
import datetime as dt
import functools
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
from amudesk.documents.values import format_birth_date, latin_name
from amudesk.documents.values import format_niss as format_niss  # still importable here
from amudesk.i18n import N_, gettext_for, ngettext_for

# Dates for people to read, with the weekday: "jeudi 30 avril 2026", "donderdag 30 april 2026".
DATE_FORMAT = "EEEE d MMMM y"
TIME_FORMAT = "%H:%M"

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
    latin_name: str = ""  # the names in Latin letters, when they are written in another script
    # A request received by transfer: the day the claimant first filed it, with another CPAS
    # (their proof of when they asked); None otherwise.
    first_filed_on: dt.date | None = None

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
        (
            t(N_("Name in Latin letters")),
            latin_name(facts.latin_name, facts.family_name, facts.given_names),
        ),
        (t(N_("Birth date")), format_birth_date(facts.birth_date, facts.language)),
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
        *(
            [
                (
                    t(N_("First filed on")),
                    t(N_("{date}, with another CPAS, which sent it on to this one")).format(
                        date=words.date(facts.first_filed_on)
                    ),
                )
            ]
            if facts.first_filed_on is not None
            else []
        ),
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
    latin = latin_name(facts.latin_name, facts.family_name, facts.given_names)
    if latin:
        applicant_lines.append(text(latin, styles.cell_label))
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


def _body(facts: ReceiptFacts, words: _Words, styles: Styles) -> list[Any]:
    """What both copies show under their banner. The two copies draw the same flowables:
    each copy wraps them again before drawing them (see :func:`_one_page`)."""
    from reportlab.platypus import Spacer

    t = words.t
    return [
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


def render_receipt(facts: ReceiptFacts) -> bytes:
    """The PDF (A4) of the acknowledgement: the applicant's copy, then the file copy, each
    on its own page."""
    from reportlab.platypus import PageBreak

    styles = stylesheet()
    # The office's name and address as the reader's language writes them, everywhere.
    facts = dataclasses.replace(facts, letterhead=facts.letterhead.in_language(facts.language))
    words = _Words(facts.language)
    t = words.t
    title = title_of(facts)
    body = _body(facts, words, styles)
    one_page = _one_page()
    applicant_copy = one_page([_copy_banner(t(N_("Applicant's copy")), styles), *body])
    file_copy = one_page([_copy_banner(t(N_("File copy")), styles), *body], like=applicant_copy)
    story: list[Any] = [applicant_copy, PageBreak(), file_copy]
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


@functools.cache
def _one_page() -> Any:
    """The class of a copy: its flowables kept on one page, shrunk as a whole when they do
    not fit, exactly as reportlab's ``KeepInFrame(mode="shrink")`` would (same scale, found
    the same way), but with less work: a table of fixed column widths is measured once, not
    at every width tried; the copy is drawn as it was last measured, not measured again; and
    the second copy (``like``), which only differs by its banner, first tries the scale the
    first one found and keeps it when its content measures the same at that scale."""
    from reportlab.platypus import KeepInFrame, Table

    fuzz = 1e-6  # reportlab's rl_config._FUZZ

    class OnePage(KeepInFrame):  # type: ignore[misc, unused-ignore]
        def __init__(self, content: list[Any], like: Any = None) -> None:
            super().__init__(TEXT_WIDTH, _COPY_HEIGHT, content, mode="shrink")
            self._like = like
            self._tables: dict[int, tuple[float, float]] = {}
            self._measured: tuple[float, list[tuple[float, float]]] | None = None
            # (max width, max height, scale, content width, content height) once wrapped
            self.fitted: tuple[float, float, float, float, float] | None = None

        def _measure(self, canv: Any, width: float) -> tuple[float, float]:
            """reportlab's ``_listWrapOn`` (merged spaces, "fake" width), remembering the
            size of each flowable for :meth:`drawOn`."""
            dims: list[tuple[float, float]] = []
            widest = height = space = 0.0
            at_top = True
            for flowable in self._content:
                w, h = self._wrap_one(canv, flowable, width)
                dims.append((w, h))
                if h <= fuzz:
                    continue
                widest = max(widest, min(w, width))
                height += h
                if not at_top:
                    before = flowable.getSpaceBefore()
                    if getattr(flowable, "_SPACETRANSFER", False):
                        before = space
                    height += max(before - space, 0)
                else:
                    at_top = False
                after = flowable.getSpaceAfter()
                if getattr(flowable, "_SPACETRANSFER", False):
                    after = space
                space = after
                height += space
            self._measured = (width, dims)
            return widest, height - space

        def _wrap_one(self, canv: Any, flowable: Any, width: float) -> tuple[float, float]:
            # A table whose columns all have a width in points is the same at any width.
            fixed = isinstance(flowable, Table) and all(
                isinstance(column, int | float) for column in flowable._argW
            )
            if fixed and id(flowable) in self._tables:
                return self._tables[id(flowable)]
            size: tuple[float, float] = flowable.wrapOn(canv, width, 0xFFFFFFF)
            if fixed:
                self._tables[id(flowable)] = size
            return size

        def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
            from reportlab.platypus.flowables import _hmodel, _qsolve

            self._tables = {}
            max_width = float(min(self.maxWidth or availWidth, availWidth))
            max_height = float(min(self.maxHeight or availHeight, availHeight))
            like = self._like.fitted if self._like is not None else None
            if like is not None and like[:2] == (max_width, max_height):
                scale = like[2]
                content_width, content_height = self._measure(self.canv, scale * max_width)
                size = (content_width / scale, content_height / scale)
                if size == like[3:]:
                    return self._fit(max_width, max_height, scale, *size)

            def measure(scale: float) -> tuple[float, float]:
                content_width, content_height = self._measure(self.canv, scale * max_width)
                return content_width / scale, content_height / scale

            # KeepInFrame's search, step by step (its W, H, H0, H1 are w, h, h0, h1 here).
            w, h = measure(1.0)
            if w <= max_width + fuzz and h <= max_height + fuzz:
                return self._fit(max_width, max_height, 1.0, w, h)
            h0, s0 = h, 1.0
            if w > max_width + fuzz:
                s1 = w / max_width
                w, h = measure(s1)
                if h <= max_height + fuzz:
                    return self._fit(max_width, max_height, s1, w, h)
                s0, h0 = s1, h
            s1 = h / max_height
            w, h = measure(s1)
            found = (s1, w, h)
            if h < min(0.95 * max_height, max_height - 10) or h >= max_height + fuzz:
                h1 = h
                for share in 0, 0.01, 0.05, 0.10, 0.15:
                    s = _qsolve(max_height * (1 - share), _hmodel(s0, s1, h0, h1))
                    if s is None:  # no root: KeepInFrame would fail here
                        continue
                    w, h = measure(s)
                    if h <= max_height + fuzz and w <= max_width + fuzz:
                        found = (s, w, h)
                        break
            return self._fit(max_width, max_height, *found)

        def _fit(
            self, max_width: float, max_height: float, scale: float, width: float, height: float
        ) -> tuple[float, float]:
            self._scale = scale
            self.width = width - fuzz
            self.height = height - fuzz
            self.fitted = (max_width, max_height, scale, width, height)
            return self.width, self.height

        def drawOn(self, canv: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803
            """reportlab's ``_Container.drawOn`` for a copy that holds only flowables, without
            wrapping them again when they were last wrapped at the width they are drawn at."""
            scale = self._scale
            if scale != 1.0:
                canv.saveState()
                canv.translate(x, y)
                x = y = 0
                canv.scale(1.0 / scale, 1.0 / scale)
            width = self.width * scale
            measured = self._measured
            if measured is not None and abs(measured[0] - width) <= 0.01:
                dims = measured[1]
            else:
                dims = [self._wrap_one(canv, flowable, width) for flowable in self._content]
            x = self._hAlignAdjust(x, _sW * scale)
            y += self.height * scale
            top = y
            space = 0.0
            last = self._content[-1] if self._content else None
            frame = getattr(self, "_frame", None)
            for flowable, (w, h) in zip(self._content, dims, strict=True):
                if h < fuzz and not getattr(flowable, "_ZEROSIZE", None):
                    continue
                transfer = getattr(flowable, "_SPACETRANSFER", False)
                if top != y and not transfer:
                    h += max(flowable.getSpaceBefore() - space, 0)
                y -= h
                space = space if transfer else flowable.getSpaceAfter()
                flowable._frame = frame
                flowable.drawOn(canv, x, y, _sW=width - w)
                if flowable is not last and not transfer:
                    y -= space
                del flowable._frame
            if scale != 1.0:
                canv.restoreState()

    return OnePage
