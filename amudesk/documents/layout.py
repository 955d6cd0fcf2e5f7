"""The shared page of every document: A4, the office's letterhead, page numbers, styles.

A document module builds a list of flowables with :func:`stylesheet` and the table helpers
here, and hands it to :func:`render`, which returns the PDF bytes. Every page carries the
office's logo (when it has one), name and contact line at the top, a few lines of the
document's own on the right (a reference, a date) and "page N of M" at the bottom.
Renderers get plain values: they never open the database.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from amudesk.documents.fonts import (
    FontNames,
    base_direction,
    escape_markup,
    has_right_to_left,
    joined,
    paragraph_text,
    register_fonts,
    visual,
    visual_line,
)
from amudesk.i18n import N_, gettext_for
from amudesk.identifiers import format_bce

MM = 72 / 25.4  # points per millimetre
PAGE_WIDTH = 210 * MM
PAGE_HEIGHT = 297 * MM
MARGIN = 18 * MM
HEADER_HEIGHT = 17 * MM  # between the top margin and the first line of the text
FOOTER_HEIGHT = 10 * MM
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
LABEL_WIDTH = 52 * MM
GRID_COLOUR = "#b8bec6"
LABEL_BACKGROUND = "#eef1f4"
HEADER_BACKGROUND = "#dfe4ea"
MUTED = "#4a5560"
LOGO_HEIGHT = 12 * MM  # the logo at the top left of every page; narrower ones keep it
LOGO_MAX_WIDTH = 35 * MM  # wider ones are made lower to keep their proportions
LOGO_GAP = 4 * MM  # between the logo and the office's name
_CELL_PADDING = 4  # left and right, in every table of :func:`_table_style`


# The languages a document is written in; a letterhead knows the office's words for each.
_LANGUAGES = ("fr", "nl", "en")


@dataclass(frozen=True)
class Letterhead:
    """Who issues the document: the office's name, how to reach it and its logo (image
    bytes, as the office dialog keeps them: a PNG; one that cannot be read is left out).
    ``wordings`` holds the office's name and address as a document in each language
    prints them, (language, name, address): see :meth:`in_language`."""

    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    bce: str | None = None
    logo: bytes | None = field(default=None, repr=False)
    wordings: tuple[tuple[str, str, str], ...] = field(default=(), repr=False)

    @classmethod
    def from_office(cls, office: Any, language: str | None = None) -> Letterhead:
        """From an ``amudesk.models.Office`` (or anything with the same attributes): its
        name and address in ``language`` (``Office.localised``), the plain columns when no
        language is given; the other languages' wordings go with it."""
        localised = getattr(office, "localised", None)
        wordings: tuple[tuple[str, str, str], ...] = ()
        if callable(localised):
            wordings = tuple(
                (code, str(localised("name", code)), str(localised("address", code) or ""))
                for code in _LANGUAGES
            )
        letterhead = cls(
            name=office.name,
            address=office.address or "",
            phone=office.phone or "",
            email=office.email or "",
            bce=office.bce or None,
            logo=getattr(office, "logo", None) or None,
            wordings=wordings,
        )
        return letterhead.in_language(language) if language else letterhead

    def in_language(self, language: str) -> Letterhead:
        """This letterhead with the office's name and address as a document in
        ``language`` prints them (itself when the office has no wording for it)."""
        for code, name, address in self.wordings:
            if code == language:
                if (name, address) == (self.name, self.address):
                    return self
                return dataclasses.replace(self, name=name or self.name, address=address)
        return self

    def contact_line(self, language: str) -> str:
        """Address, phone, e-mail and BCE number on one line, for the page header."""
        parts = [" ".join(self.address.split())] if self.address.strip() else []
        if self.phone:
            parts.append(self.phone)
        if self.email:
            parts.append(self.email)
        if self.bce:
            parts.append(
                gettext_for(language, N_("BCE {number}")).format(number=format_bce(self.bce))
            )
        return " · ".join(parts)


@dataclass(frozen=True)
class Styles:
    """Paragraph styles of the documents, all in the embedded Unicode font."""

    fonts: FontNames
    title: Any
    heading: Any
    subheading: Any
    body: Any
    note: Any
    caption: Any
    bullet: Any
    cell: Any
    cell_label: Any
    cell_header: Any


@functools.cache
def stylesheet() -> Styles:
    """The styles, with the fonts registered (on first use); made once, shared by every
    document: derive a new ParagraphStyle (``parent=``) rather than change one."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    fonts = register_fonts()
    body = ParagraphStyle("body", fontName=fonts.regular, fontSize=9.5, leading=12.5, spaceAfter=4)

    def bold(name: str, size: float, leading: float, before: float, after: float, keep: int) -> Any:
        return ParagraphStyle(
            name,
            parent=body,
            fontName=fonts.bold,
            fontSize=size,
            leading=leading,
            spaceBefore=before,
            spaceAfter=after,
            keepWithNext=keep,
        )

    return Styles(
        fonts=fonts,
        title=bold("title", 16, 20, 0, 8, keep=0),
        heading=bold("heading", 12.5, 16, 12, 5, keep=1),
        subheading=bold("subheading", 10.5, 13.5, 8, 3, keep=1),
        body=body,
        note=ParagraphStyle(
            "note", parent=body, fontSize=8.5, leading=11, textColor=colors.HexColor(MUTED)
        ),
        caption=bold("caption", 9, 11.5, 5, 2, keep=1),
        bullet=ParagraphStyle(
            "bullet",
            parent=body,
            leftIndent=12,
            bulletIndent=2,
            bulletFontName=fonts.regular,
            bulletFontSize=9.5,
            spaceAfter=2.5,
        ),
        cell=ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5, spaceAfter=0),
        cell_label=ParagraphStyle(
            "cell_label",
            parent=body,
            fontSize=8.5,
            leading=11,
            spaceAfter=0,
            textColor=colors.HexColor(MUTED),
        ),
        cell_header=ParagraphStyle(
            "cell_header", parent=body, fontName=fonts.bold, fontSize=8.5, leading=11, spaceAfter=0
        ),
    )


def text(value: object, style: Any) -> Any:
    """A Paragraph of user text (escaped: shown exactly as typed). A line holding Arabic or
    Hebrew is broken into lines in reading order first, then each line is put in visual
    order: a long name that wraps reads from its first line down."""
    from reportlab.platypus import Paragraph

    if value is not None:
        shown = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
        if has_right_to_left(shown) and "\n" not in shown:
            return _bidi_paragraph_class()(
                escape_markup(joined(shown)), style, base=base_direction(shown)
            )
    return Paragraph(paragraph_text(value), style)


@functools.lru_cache(maxsize=1)
def _bidi_paragraph_class() -> Any:
    """A Paragraph that orders each of its lines for display once they are broken (built
    once: reportlab is loaded lazily)."""
    from reportlab.platypus import Paragraph

    class BidiParagraph(Paragraph):  # type: ignore[misc, unused-ignore]
        def __init__(self, markup: str, style: Any, *, base: str) -> None:
            self._base = base
            super().__init__(markup, style)

        def split(self, available_width: Any, available_height: Any) -> list[Any]:
            # Its lines are already in visual order: it moves whole rather than split
            # (a name or an address line is a few lines at most).
            return []

        def breakLines(self, width: Any) -> Any:  # noqa: N802 (reportlab's name)
            result = super().breakLines(width)
            if getattr(result, "kind", None) == 0:  # plain text: lines of words
                result.lines = [
                    (extra, visual_line(" ".join(words), self._base).split(" "))
                    for extra, words in result.lines
                ]
            return result

    return BidiParagraph


def label_value_table(
    rows: Sequence[tuple[str, object]], styles: Styles, width: float = TEXT_WIDTH
) -> Any:
    """Two columns: a grey label and its value (user text, shown as typed; or a flowable).
    Rows whose value is '' or None are left out."""
    from reportlab.platypus import Flowable, Table

    label_room = LABEL_WIDTH - 2 * _CELL_PADDING
    value_room = width - LABEL_WIDTH - 2 * _CELL_PADDING
    data = []
    for label, value in rows:
        if value is None or value == "":
            continue
        shown = value if isinstance(value, Flowable) else _cell(value, styles.cell, value_room)
        data.append([_cell(label, styles.cell_label, label_room), shown])
    table = Table(data, colWidths=[LABEL_WIDTH, width - LABEL_WIDTH], hAlign="LEFT")
    table.setStyle(_table_style(header=False, label_column=True))
    table.setStyle(_cell_font((0, 0), (0, -1), styles.cell_label))
    table.setStyle(_cell_font((1, 0), (1, -1), styles.cell))
    return table


def _cell(value: object, style: Any, room: float) -> Any:
    """A table cell of text in ``style``: the text itself when it is one line that fits in
    ``room`` points as it is (the table draws it exactly where the Paragraph would put it,
    in the same font and colour, at a fraction of the cost: see :func:`_cell_font`), else a
    Paragraph (:func:`text`), which wraps it, joins runs of spaces, shapes right-to-left
    scripts and shows markup characters as typed."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    shown = str(value)
    if (
        not shown
        or shown != shown.strip()
        or "  " in shown
        or any(char != " " and unicodedata.category(char)[0] in "CZ" for char in shown)
        or visual(shown) != shown
        or stringWidth(shown, style.fontName, style.fontSize) > room - 0.5
    ):
        return text(value, style)
    return shown


def _cell_font(start: tuple[int, int], stop: tuple[int, int], style: Any) -> Any:
    """The table style that draws a plain-text cell as a one-line Paragraph in ``style``."""
    from reportlab.platypus import TableStyle

    return TableStyle(
        [
            ("FONT", start, stop, style.fontName, style.fontSize, style.leading),
            ("TEXTCOLOR", start, stop, style.textColor),
        ]
    )


def grid_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    styles: Styles,
    widths: Sequence[float],
) -> Any:
    """A table with a header row repeated on every page; ``widths`` are fractions of the
    text width. Cells are user text (escaped) or flowables."""
    from reportlab.platypus import Flowable, Table

    data: list[list[Any]] = [[text(title, styles.cell_header) for title in header]]
    for row in rows:
        data.append(
            [cell if isinstance(cell, Flowable) else text(cell, styles.cell) for cell in row]
        )
    total = sum(widths)
    table = Table(
        data,
        colWidths=[TEXT_WIDTH * share / total for share in widths],
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(_table_style(header=True, label_column=False))
    return table


def _table_style(*, header: bool, label_column: bool) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID_COLOUR)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_BACKGROUND)))
    if label_column:
        commands.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor(LABEL_BACKGROUND)))
    return TableStyle(commands)


def photo_flowable(data: bytes | None, width: float = 30 * MM) -> Any | None:
    """The ID photo (35:45) as a flowable ``width`` wide; None when there is none or it
    cannot be read (a damaged image never stops a document)."""
    if not data:
        return None
    from reportlab.lib.utils import ImageReader
    from reportlab.platypus import Image

    try:
        reader = ImageReader(io.BytesIO(data))
        pixels_wide, pixels_high = reader.getSize()
    except Exception:  # reportlab and Pillow raise many kinds on a damaged image
        return None
    if pixels_wide <= 0 or pixels_high <= 0:
        return None
    return Image(io.BytesIO(data), width=width, height=width * pixels_high / pixels_wide)


# --- pages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PageFrame:
    """What every page shows besides the text: the letterhead, a few lines on the right of
    the header (a reference, a date), a line on the left of the footer."""

    letterhead: Letterhead
    language: str
    header_lines: tuple[str, ...] = ()
    footer: str = ""


def render(
    story: list[Any],
    frame: PageFrame,
    *,
    title: str,
    subject: str = "",
) -> bytes:
    """The PDF of ``story`` on A4 pages framed by ``frame``."""
    from reportlab.platypus import SimpleDocTemplate

    styles = stylesheet()
    # The office's name and address in the document's language, on every page.
    frame = dataclasses.replace(frame, letterhead=frame.letterhead.in_language(frame.language))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_HEIGHT,
        bottomMargin=MARGIN + FOOTER_HEIGHT,
        title=title,
        author=frame.letterhead.name,
        subject=subject,
        creator="AMU Desk",
        lang=frame.language,
    )

    logo = _read_logo(frame.letterhead.logo)

    def draw(canvas: Any, page: int, pages: int) -> None:
        _draw_frame(canvas, frame, styles.fonts, page, pages, logo)

    document.build(story, canvasmaker=_numbered_canvas(draw))
    return buffer.getvalue()


def _numbered_canvas(draw: Callable[[Any, int, int], None]) -> Any:
    """A canvas class that keeps every page until the end, so that each can say
    "page N of M" once M is known."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):  # type: ignore[misc, unused-ignore]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                draw(self, self._pageNumber, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def fit(value: str, font: str, size: float, width: float) -> str:
    """``value`` cut with an ellipsis so that it fits ``width`` points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(value, font, size) <= width:
        return value
    while value and stringWidth(value + "…", font, size) > width:
        value = value[:-1]
    return value.rstrip() + "…"


class _Logo:
    """The office's logo, read once per document, and the size it is drawn at on every
    page. reportlab embeds the image once in the PDF (it recognises the same pixels on each
    page); ``damaged`` is set when it could not be drawn after all, so that no later page
    tries again."""

    def __init__(self, image: Any, width: float, height: float) -> None:
        self.image = image  # a reportlab ImageReader, already decoded
        self.width = width
        self.height = height
        self.damaged = False


def _read_logo(data: bytes | None) -> _Logo | None:
    """The logo ready to draw, LOGO_HEIGHT high (lower when it would be wider than
    LOGO_MAX_WIDTH); None when there is none or it cannot be read: a damaged logo never
    stops a document, it is left out."""
    if not data:
        return None
    from reportlab.lib.utils import ImageReader

    try:
        image = ImageReader(io.BytesIO(data))
        pixels_wide, pixels_high = image.getSize()
        image.getRGBData()  # decoded here, once: a damaged image fails now, not on a page
    except Exception:  # reportlab and Pillow raise many kinds on a damaged image
        return None
    if pixels_wide <= 0 or pixels_high <= 0:
        return None
    width = LOGO_HEIGHT * pixels_wide / pixels_high
    if width <= LOGO_MAX_WIDTH:
        return _Logo(image, width, LOGO_HEIGHT)
    return _Logo(image, LOGO_MAX_WIDTH, LOGO_MAX_WIDTH * pixels_high / pixels_wide)


def _draw_logo(canvas: Any, logo: _Logo, top: float) -> bool:
    """The logo at the top left, in the middle of a band LOGO_HEIGHT high; False when it
    cannot be drawn (then the page goes without it)."""
    if logo.damaged:
        return False
    bottom = top - LOGO_HEIGHT + (LOGO_HEIGHT - logo.height) / 2
    try:
        canvas.drawImage(logo.image, MARGIN, bottom, logo.width, logo.height, mask="auto")
    except Exception:  # an image Pillow decoded but reportlab cannot embed
        logo.damaged = True
        return False
    return True


def _draw_frame(
    canvas: Any,
    frame: PageFrame,
    fonts: FontNames,
    page: int,
    pages: int,
    logo: _Logo | None = None,
) -> None:
    from reportlab.lib import colors

    muted = colors.HexColor(MUTED)
    top = PAGE_HEIGHT - MARGIN
    right = PAGE_WIDTH - MARGIN
    right_width = 55 * MM
    left = MARGIN
    if logo is not None and _draw_logo(canvas, logo, top):
        left += logo.width + LOGO_GAP
    left_width = TEXT_WIDTH - right_width - 6 * MM - (left - MARGIN)
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.setFont(fonts.bold, 11)
    canvas.drawString(left, top - 11, fit(frame.letterhead.name, fonts.bold, 11, left_width))
    canvas.setFont(fonts.regular, 7.5)
    canvas.setFillColor(muted)
    contact = frame.letterhead.contact_line(frame.language)
    for number, line in enumerate(_wrap(contact, fonts.regular, 7.5, left_width, 2)):
        canvas.drawString(left, top - 23 - number * 9.5, line)
    for number, line in enumerate(frame.header_lines[:3]):
        canvas.drawRightString(
            right, top - 9 - number * 9.5, fit(line, fonts.regular, 7.5, right_width)
        )
    canvas.setStrokeColor(colors.HexColor(GRID_COLOUR))
    canvas.setLineWidth(0.6)
    rule = top - HEADER_HEIGHT + 4 * MM
    canvas.line(MARGIN, rule, right, rule)
    bottom = MARGIN
    canvas.line(MARGIN, bottom + FOOTER_HEIGHT - 3 * MM, right, bottom + FOOTER_HEIGHT - 3 * MM)
    canvas.setFont(fonts.regular, 7.5)
    page_text = gettext_for(frame.language, N_("Page {page} of {pages}")).format(
        page=page, pages=pages
    )
    canvas.drawRightString(right, bottom + 2 * MM, page_text)
    if frame.footer:
        canvas.drawString(
            MARGIN, bottom + 2 * MM, fit(frame.footer, fonts.regular, 7.5, TEXT_WIDTH - 30 * MM)
        )
    canvas.restoreState()


def _wrap(value: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """``value`` broken into at most ``max_lines`` lines of ``width`` points (the last one
    cut with an ellipsis)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for word in value.split():
        candidate = f"{current} {word}".strip()
        if stringWidth(candidate, font, size) <= width or not current:
            current = candidate
            continue
        lines.append(current)
        current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    return [fit(line, font, size, width) for line in lines]
