"""The MediPrima information form (formulaire d'information relatif à l'aide médicale /
informatieformulier betreffende de medische hulp).

The CPAS hands this form to a person so that a doctor, a hospital or a pharmacist can find
them in MediPrima, where the CPAS registers its decisions on medical aid. It shows the
holder's photo, NISS or BIS number, names, sex and birth date, the same data (without
photo) for each minor who depends on them, and how a care provider reaches the CPAS. A minor
may get a separate form of their own, with their own photo: it names the adult they depend
on instead of listing dependants.

The form grants no right and proves no coverage: only the CPAS's decision registered in
MediPrima does (loi organique des CPAS of 8 July 1976, art. 57 §2; royal decree of
12 December 1996). It is tied to the NISS or BIS number printed on it: a new form is issued
when that number changes.

The renderer is pure: it gets an :class:`InfoFormFacts` of plain values and returns the PDF
bytes; it never opens the database. Every sentence is marked with ``N_`` and translated at
render time into ``facts.language``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from amudesk import i18n
from amudesk.documents.fonts import FontNames, paragraph_text, visual
from amudesk.documents.layout import (
    GRID_COLOUR,
    LABEL_BACKGROUND,
    MM,
    MUTED,
    TEXT_WIDTH,
    Letterhead,
    PageFrame,
    Styles,
    grid_table,
    photo_flowable,
    render,
    stylesheet,
    text,
)
from amudesk.documents.values import (
    format_birth_date,
    format_niss,
    latin_name,
    missing_niss,
    sex_label,
)
from amudesk.i18n import N_, gettext_for

# "30 avril 2026", "30 april 2026": the issue date under the title.
DATE_FORMAT = "d MMMM y"
PHOTO_WIDTH = 30 * MM
PHOTO_HEIGHT = PHOTO_WIDTH * 45 / 35  # an ID photo is 35 × 45 mm
_PHOTO_GAP = 5 * MM  # between the identity table and the photo
_IDENTITY_LABEL_WIDTH = 40 * MM
# The CPAS table: label, short value (phone, MediPrima number), label, long value (e-mail,
# contact person).
_CPAS_COLUMNS = (35 * MM, 32 * MM, 33 * MM, TEXT_WIDTH - 100 * MM)
# NISS, family name, given names, sex, birth date (mm, as shares of the text width): the
# NISS, "X (neither F nor M)" and "septembre 2018" each fit on one line.
_DEPENDANT_COLUMNS = (37, 40, 32, 31, 34)

_MIN_FONT_SIZE = 7.0
_BREAKS = re.compile(r"\s+|(?<=-)")


@dataclass(frozen=True)
class Holder:
    """One person on the form: the holder or a minor dependant."""

    family_name: str
    given_names: str
    sex: str  # "F", "M", "X" or "U" (amudesk.models.person.Sex)
    birth_date: str  # "1985-07-30", "1985-07", "1985" or ""
    niss: str  # 11 digits or ""
    photo: bytes | None = None  # JPEG, 35:45; only the holder's is shown
    latin_name: str = ""  # the names in Latin letters, when they are written in another script


@dataclass(frozen=True)
class InfoFormFacts:
    """Everything the information form shows, as plain values."""

    number: str  # "FI-2026-00003"
    issued_at: dt.datetime  # aware (UTC); shown in Brussels time
    language: str  # "fr" | "nl" | "en"
    letterhead: Letterhead
    reference: str  # the case reference, "AMU-2026-0042"
    holder: Holder  # the adult, or the minor on a minor's form
    dependants: tuple[Holder, ...]  # minor dependants (shown without photo)
    for_minor: bool  # the separate form of a minor: holder is the minor
    guardian_name: str  # on a minor's form, the adult the minor depends on
    cpas_name: str
    cpas_address: str
    cpas_phone: str
    cpas_email: str
    cpas_contact: str  # the CPAS's AMU contact person or service, may be ""
    mediprima_number: str  # may be ""


def title_of(facts: InfoFormFacts) -> str:
    """The document's title in its language."""
    return gettext_for(facts.language, N_("Information form on medical aid"))


def _brussels(value: dt.datetime) -> dt.datetime:
    """``value`` in Brussels time; a naive value is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(ZoneInfo(i18n.BRUSSELS))


def _fitting(value: str, style: Any, width: float) -> Any:
    """``style``, or a smaller copy of it (down to _MIN_FONT_SIZE) when a word of ``value``
    (a name: hyphens break it too) is wider than ``width``; what still does not fit wraps."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth

    parts = _BREAKS.split(visual(value))
    widest = max((stringWidth(part, style.fontName, style.fontSize) for part in parts), default=0)
    if widest <= width:
        return style
    size = max(_MIN_FONT_SIZE, math.floor(style.fontSize * width / widest * 4) / 4)
    return ParagraphStyle(
        f"{style.name}_{size}",
        parent=style,
        fontSize=size,
        leading=size * style.leading / style.fontSize,
    )


def _name(value: str, style: Any, cell_width: float) -> Any:
    """A name in a table cell ``cell_width`` wide (4 pt padding each side), shrunk when a
    word would not fit."""
    value = value.strip()
    return text(value, _fitting(value, style, cell_width - 8))


def _with_name(sentence: str, placeholder: str, name: str) -> str:
    """Paragraph markup of a translated ``sentence`` with ``name`` in bold in place of
    ``{placeholder}``; both escaped."""
    before, marker, after = sentence.partition("{" + placeholder + "}")
    if not marker:
        return paragraph_text(sentence)
    return f"{paragraph_text(before)}<b>{paragraph_text(name)}</b>{paragraph_text(after)}"


@functools.cache
def _placeholder_class() -> Any:
    """The class of the empty, framed photo box (built once, reportlab loaded lazily)."""
    from reportlab.lib import colors
    from reportlab.platypus import Flowable

    class PhotoPlaceholder(Flowable):  # type: ignore[misc, unused-ignore]
        def __init__(self, width: float, height: float, label: str, font: str) -> None:
            super().__init__()
            self.width = width
            self.height = height
            self.label = label
            self.font = font

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            canvas = self.canv
            canvas.saveState()
            canvas.setStrokeColor(colors.HexColor(GRID_COLOUR))
            canvas.setDash(3, 2)
            canvas.setLineWidth(0.8)
            canvas.rect(0, 0, self.width, self.height)
            canvas.setFillColor(colors.HexColor(MUTED))
            canvas.setFont(self.font, 9)
            canvas.drawCentredString(self.width / 2, self.height / 2 - 3, visual(self.label))
            canvas.restoreState()

    return PhotoPlaceholder


def _photo(holder: Holder, language: str, fonts: FontNames) -> Any:
    """The holder's photo, PHOTO_WIDTH wide (narrower when the image is unusually tall);
    a framed empty box labelled "Photo" when there is none or it cannot be read."""
    image = photo_flowable(holder.photo, PHOTO_WIDTH)
    if image is not None and image.drawHeight > PHOTO_HEIGHT * 1.15:
        image = photo_flowable(holder.photo, PHOTO_WIDTH * PHOTO_HEIGHT / image.drawHeight)
    if image is not None:
        return image
    label = gettext_for(language, N_("Photo"))
    return _placeholder_class()(PHOTO_WIDTH, PHOTO_HEIGHT, label, fonts.regular)


def _identity(facts: InfoFormFacts, styles: Styles) -> Any:
    """The holder's identity table, the photo on its right."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Table, TableStyle

    language = facts.language
    holder = facts.holder

    def t(message: str) -> str:
        return gettext_for(language, message)

    niss_style = ParagraphStyle(
        "niss", parent=styles.cell, fontName=styles.fonts.bold, fontSize=11, leading=13.5
    )
    name_style = ParagraphStyle(
        "name", parent=styles.cell, fontName=styles.fonts.bold, fontSize=10, leading=12.5
    )
    photo_column = PHOTO_WIDTH + _PHOTO_GAP
    value_width = TEXT_WIDTH - _IDENTITY_LABEL_WIDTH - photo_column
    niss = format_niss(holder.niss)
    latin = latin_name(holder.latin_name, holder.family_name, holder.given_names)
    rows: list[tuple[str, Any]] = [
        (
            t(N_("NISS or BIS number")),
            text(niss, niss_style) if niss else text(_missing_niss(facts), name_style),
        ),
        (t(N_("Family name")), _name(holder.family_name, name_style, value_width)),
        (t(N_("Given names")), _name(holder.given_names, name_style, value_width)),
    ]
    if latin:
        rows.append((t(N_("Name in Latin letters")), _name(latin, styles.cell, value_width)))
    rows += [
        (t(N_("Sex")), text(sex_label(holder.sex, language), styles.cell)),
        (t(N_("Birth date")), text(format_birth_date(holder.birth_date, language), styles.cell)),
    ]
    photo = _photo(holder, language, styles.fonts)
    data = [[text(label, styles.cell_label), value, ""] for label, value in rows]
    data[0][2] = photo
    table = Table(data, colWidths=[_IDENTITY_LABEL_WIDTH, value_width, photo_column], hAlign="LEFT")
    grid = colors.HexColor(GRID_COLOUR)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (1, -1), 0.5, grid),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor(LABEL_BACKGROUND)),
                ("VALIGN", (0, 0), (1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (1, -1), 4),
                ("RIGHTPADDING", (0, 0), (1, -1), 4),
                ("TOPPADDING", (0, 0), (1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (1, -1), 4),
                ("SPAN", (2, 0), (2, -1)),
                ("VALIGN", (2, 0), (2, -1), "TOP"),
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                ("LEFTPADDING", (2, 0), (2, -1), _PHOTO_GAP),
                ("RIGHTPADDING", (2, 0), (2, -1), 0),
                ("TOPPADDING", (2, 0), (2, -1), 0),
                ("BOTTOMPADDING", (2, 0), (2, -1), 0),
            ]
        )
    )
    return table


def _dependants(facts: InfoFormFacts, styles: Styles) -> list[Any]:
    """The minor dependants (no photo), or on a minor's form the adult they depend on."""
    from reportlab.platypus import Paragraph, Spacer, TableStyle

    language = facts.language

    def t(message: str) -> str:
        return gettext_for(language, message)

    if facts.for_minor:
        guardian = facts.guardian_name.strip()
        if guardian:
            sentence = t(N_("This is the separate form of a minor who depends on {name}."))
            markup = _with_name(sentence, "name", guardian)
        else:
            markup = paragraph_text(t(N_("This is the separate form of a minor.")))
        return [Spacer(1, 3 * MM), Paragraph(markup, styles.body)]
    story: list[Any] = [text(t(N_("Dependants (minors)")), styles.heading)]
    if not facts.dependants:
        story.append(text(t(N_("No dependants.")), styles.body))
        return story
    header = [
        t(N_("NISS or BIS number")),
        t(N_("Family name")),
        t(N_("Given names")),
        t(N_("Sex")),
        t(N_("Birth date")),
    ]
    name_width = TEXT_WIDTH * _DEPENDANT_COLUMNS[1] / sum(_DEPENDANT_COLUMNS)
    rows = [
        [
            format_niss(person.niss) or _missing_niss(facts),
            _name(_with_latin(person), styles.cell, name_width),
            _name(person.given_names, styles.cell, name_width),
            sex_label(person.sex, language),
            format_birth_date(person.birth_date, language),
        ]
        for person in facts.dependants
    ]
    table = grid_table(header, rows, styles, widths=_DEPENDANT_COLUMNS)
    table.setStyle(
        TableStyle([("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)])
    )
    story.append(table)
    story.append(Spacer(1, 1 * MM))
    story.append(
        text(
            t(N_("Without photo. A minor can also get a separate form with their own photo.")),
            styles.note,
        )
    )
    return story


def _missing_niss(facts: InfoFormFacts) -> str:
    """What the form says in place of a NISS or BIS number a person does not have."""
    return missing_niss(
        facts.language, mediprima_number=facts.mediprima_number, cpas_phone=facts.cpas_phone
    )


def _with_latin(person: Holder) -> str:
    """The family name, and under it the names in Latin letters when they differ."""
    latin = latin_name(person.latin_name, person.family_name, person.given_names)
    return f"{person.family_name.strip()}\n({latin})" if latin else person.family_name


def _cpas(facts: InfoFormFacts, styles: Styles) -> list[Any]:
    """How a care provider reaches the CPAS: a compact table, two facts a row."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    language = facts.language

    def t(message: str) -> str:
        return gettext_for(language, message)

    story: list[Any] = [text(t(N_("How to reach the CPAS")), styles.heading)]
    name = facts.cpas_name.strip()
    address = ", ".join(line.strip() for line in facts.cpas_address.splitlines() if line.strip())
    lines = [f"<b>{paragraph_text(name)}</b>" if name else "", paragraph_text(address)]
    data: list[list[Any]] = []
    spans: list[int] = []
    if name or address:
        spans.append(len(data))
        data.append(
            [
                text(t(N_("CPAS")), styles.cell_label),
                Paragraph("<br/>".join(line for line in lines if line), styles.cell),
                "",
                "",
            ]
        )
    pairs = [
        ((N_("Phone"), facts.cpas_phone), (N_("E-mail"), facts.cpas_email)),
        (
            (N_("MediPrima number"), facts.mediprima_number),
            (N_("AMU contact person"), facts.cpas_contact),
        ),
    ]
    for (left_label, left), (right_label, right) in pairs:
        if not left.strip() and not right.strip():
            continue
        # A fact the CPAS directory lacks goes without its label: nothing points to it.
        data.append(
            [
                text(t(left_label) if left.strip() else "", styles.cell_label),
                text(left.strip(), styles.cell),
                text(t(right_label) if right.strip() else "", styles.cell_label),
                text(right.strip(), styles.cell),
            ]
        )
    if not data:
        return []
    table = Table(data, colWidths=list(_CPAS_COLUMNS), hAlign="LEFT")
    label_background = colors.HexColor(LABEL_BACKGROUND)
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID_COLOUR)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("BACKGROUND", (0, 0), (0, -1), label_background),
    ]
    for row in range(len(data)):
        if row in spans:
            commands.append(("SPAN", (1, row), (3, row)))
        else:
            commands.append(("BACKGROUND", (2, row), (2, row), label_background))
    table.setStyle(TableStyle(commands))
    story.append(table)
    return story


def _for_providers(facts: InfoFormFacts, styles: Styles) -> list[Any]:
    from reportlab.platypus import Paragraph

    language = facts.language

    def t(message: str) -> str:
        return gettext_for(language, message)

    if format_niss(facts.holder.niss):
        first = N_(
            "Before giving care, look the person up in MediPrima with the NISS or BIS number "
            "above, and compare the photo with the person. MediPrima shows whether a decision "
            "of the CPAS covers the care, for which period and which kind of care."
        )
    elif facts.mediprima_number.strip():
        first = N_(
            "Before giving care, find the person in MediPrima: they have no NISS or BIS "
            "number, so use the MediPrima number above or ask the CPAS. Compare the photo "
            "with the person. MediPrima shows whether a decision of the CPAS covers the "
            "care, for which period and which kind of care."
        )
    else:
        first = N_(
            "Before giving care, find the person in MediPrima: they have no NISS or BIS "
            "number, so ask the CPAS how to find them. Compare the photo with the person. "
            "MediPrima shows whether a decision of the CPAS covers the care, for which "
            "period and which kind of care."
        )
    steps = [
        t(first),
        t(N_("No decision in MediPrima for this care, or a question? Contact the CPAS above.")),
    ]
    return [
        text(t(N_("For the care provider")), styles.heading),
        *(Paragraph(paragraph_text(step), styles.bullet, bulletText="•") for step in steps),
    ]


def _warning(facts: InfoFormFacts, styles: Styles) -> Any:
    """The boxed statement: no right, no proof of coverage; a new form for a new number."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Table, TableStyle

    language = facts.language

    def t(message: str) -> str:
        return gettext_for(language, message)

    strong = ParagraphStyle(
        "warning", parent=styles.body, fontName=styles.fonts.bold, fontSize=9.5, leading=12.5
    )
    paragraphs = [
        text(
            t(
                N_(
                    "This form grants no right and is not proof of coverage: only the CPAS's "
                    "decision registered in MediPrima is (loi organique des CPAS of 8 July 1976, "
                    "art. 57 §2; royal decree of 12 December 1996)."
                )
            ),
            strong,
        ),
        text(
            t(
                N_(
                    "The form is tied to the NISS or BIS number printed on it: when that number "
                    "changes, the form is no longer valid and the CPAS issues a new one."
                )
            ),
            styles.body,
        ),
    ]
    box = Table([[paragraphs]], colWidths=[TEXT_WIDTH], hAlign="LEFT")
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.4, colors.black),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(LABEL_BACKGROUND)),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return box


def _styles() -> Styles:
    """The shared styles with tighter headings: the form should fit one page."""
    from reportlab.lib.styles import ParagraphStyle

    styles = stylesheet()
    heading = ParagraphStyle(
        "form_heading",
        parent=styles.heading,
        fontSize=11.5,
        leading=14,
        spaceBefore=8,
        spaceAfter=4,
    )
    # The line under the title: no space above, the title has some below.
    subheading = ParagraphStyle("form_subheading", parent=styles.subheading, spaceBefore=0)
    # A compound name too long for its cell breaks after one of its hyphens, not anywhere.
    cell = ParagraphStyle("form_cell", parent=styles.cell, embeddedHyphenation=1)
    return dataclasses.replace(styles, heading=heading, subheading=subheading, cell=cell)


def render_info_form(facts: InfoFormFacts) -> bytes:
    """The PDF (A4, normally one page) of the information form."""
    from reportlab.platypus import KeepTogether, Spacer

    styles = _styles()
    language = facts.language
    # The office's name and address as the reader's language writes them, everywhere.
    facts = dataclasses.replace(facts, letterhead=facts.letterhead.in_language(language))

    def t(message: str) -> str:
        return gettext_for(language, message)

    issued = _brussels(facts.issued_at).date()
    holder_heading = (
        N_("Holder of the form (minor)") if facts.for_minor else N_("Holder of the form")
    )
    story: list[Any] = [
        text(title_of(facts), styles.title),
        text(
            t(N_("No. {number} · issued on {date}")).format(
                number=facts.number,
                date=i18n.format_date(issued, DATE_FORMAT, locale=language),
            ),
            styles.subheading,
        ),
        text(
            t(
                N_(
                    "With this form, care providers can find the person below in MediPrima, "
                    "where the CPAS registers its decisions on medical aid."
                )
            ),
            styles.body,
        ),
        text(t(holder_heading), styles.heading),
        _identity(facts, styles),
        *_dependants(facts, styles),
        *_cpas(facts, styles),
        # Should the page be full, the advice and the statement go over together.
        KeepTogether([*_for_providers(facts, styles), Spacer(1, 2 * MM), _warning(facts, styles)]),
    ]
    frame = PageFrame(
        letterhead=facts.letterhead,
        language=language,
        header_lines=(
            t(N_("No. {number}")).format(number=facts.number),
            t(N_("Reference {reference}")).format(reference=facts.reference),
            i18n.format_date(issued, locale=language),
        ),
        footer=t(N_("Personal data: confidential (art. 9 GDPR)")),
    )
    return render(story, frame, title=title_of(facts), subject=facts.number)
