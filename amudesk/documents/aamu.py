"""The urgent medical aid certificate (AAMU: attestation d'aide médicale urgente / attest
dringende medische hulp) that an office hands to a person for a doctor or dentist.

The CPAS grants urgent medical aid only when a doctor or dentist certifies that the care is
urgent (royal decree of 12 December 1996, art. 1). This one-page form comes with the
beneficiary's identity, the CPAS it is meant for and the case reference already printed;
the doctor or dentist fills in the rest by hand in drawn boxes: the date(s) of care, the
validity asked for (the suggested dates printed lightly beside the boxes), the care
categories as tick boxes, their name, address and INAMI/RIZIV number (eleven boxes, grouped
as the number is written), the place and date, a stamp and a signature. A framed line tells
them to write no diagnosis and no medical detail: the CPAS only needs to know that the care
is urgent medical aid.

The renderer is pure: it gets an :class:`AamuFacts` of plain values and returns the PDF
bytes. The page is drawn with fixed-height boxes, so it always fits one A4 page: a long
name wraps, then shrinks, inside its box. Every sentence is marked with ``N_`` and
translated at render time into ``facts.language``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from amudesk import i18n
from amudesk.documents.fonts import (
    FontNames,
    base_direction,
    one_line,
    paragraph_text,
    register_fonts,
    visual,
)
from amudesk.documents.layout import (
    GRID_COLOUR,
    HEADER_BACKGROUND,
    LABEL_BACKGROUND,
    MM,
    MUTED,
    TEXT_WIDTH,
    Letterhead,
    PageFrame,
    Styles,
    fit,
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
from amudesk.models.request import CARE_CATEGORIES

DATE_GROUPS = (2, 2, 4)  # DD/MM/YYYY
INAMI_GROUPS = (1, 5, 2, 3)  # 1-23456-78-901

# Boxes the doctor fills in are drawn darker than the pre-filled ones, so that they stand
# out on a grey-scale print.
INK = "#39424c"
PLACEHOLDER = "#b9c0c8"
WARNING_COLOUR = "#9b1c1c"
WARNING_BACKGROUND = "#fbeeee"

_DIGIT_WIDTH = 4.2 * MM
_DIGIT_HEIGHT = 5.8 * MM
_SEPARATOR_WIDTH = 2.6 * MM
_PAD = 1.6 * MM
_LABEL_SIZE = 6.8
_VALUE_SIZE = 10.0
_MIN_VALUE_SIZE = 5.0
# Below this size, the two names get a row each rather than sharing one.
_READABLE_SIZE = 8.0
_TICK = 3.6 * MM
_RIGHT_COLUMN = 62 * MM  # the INAMI boxes and the date boxes of part 3
_GAP = 2.2 * MM
# The stamp and signature boxes: at least as high as in _doctor_rows, and up to this height
# when the page has room.
_SIGNATURE_MAX = 40 * MM
# The width of the frame's text: the page's text width less the frame's padding (6 pt a side).
_FORM_WIDTH = TEXT_WIDTH - 12

Painter = Callable[[Any, float, float, float, float], None]  # canvas, x, y, width, height


@dataclass(frozen=True)
class AamuFacts:
    """Everything the certificate shows before the doctor fills it in, as plain values."""

    number: str  # "AM-2026-00007", printed small in the header
    issued_at: dt.datetime  # aware (UTC); the header shows its day in Brussels
    language: str  # "fr" | "nl" | "en"
    letterhead: Letterhead
    reference: str  # the case reference, "AMU-2026-0042"
    family_name: str
    given_names: str
    sex: str  # "F", "M", "X" or "U" (shown blank)
    birth_date: str  # "1985-07-30", "1985-07", "1985" or ""
    niss: str  # 11 digits or ""
    cpas_name: str
    cpas_address: str
    suggested_valid_from: dt.date | None  # usually the day of issue
    suggested_valid_to: dt.date | None  # usually one year later
    latin_name: str = ""  # the names in Latin letters, when they are written in another script
    cpas_phone: str = ""  # said in place of a NISS the person does not have
    mediprima_number: str = ""  # of a decision granting aid, when there is one


@dataclass(frozen=True)
class _Cell:
    """One box of a grid: a small label at the top and either a printed value or a
    painter that draws the box's content (digit boxes, tick boxes)."""

    share: float  # of the row's width; or, when ``width`` is set, ignored
    label: str
    value: str | Painter = ""
    width: float | None = None  # points, fixed


def title_of(facts: AamuFacts) -> str:
    """The document's title in its language."""
    return gettext_for(facts.language, N_("Urgent medical aid certificate"))


def render_aamu(facts: AamuFacts) -> bytes:
    """The PDF (one A4 page) of the certificate, ready to be filled in by hand."""
    from reportlab.platypus import Spacer

    styles = stylesheet()
    language = facts.language
    # The office's name and address as the reader's language writes them, everywhere.
    facts = dataclasses.replace(facts, letterhead=facts.letterhead.in_language(language))
    t = functools.partial(gettext_for, language)
    fonts = styles.fonts
    if one_line(facts.cpas_name):
        lead = N_(
            "For the doctor or dentist: please fill in parts 2 and 3, then date and "
            "sign. The person then hands this certificate to the CPAS named in part 1."
        )
    else:  # not filed with a CPAS yet: part 1 names none
        lead = N_(
            "For the doctor or dentist: please fill in parts 2 and 3, then date and sign. "
            "The person then hands this certificate to the CPAS with their request."
        )
    story: list[Any] = [
        text(title_of(facts), styles.title),
        text(t(lead), styles.note),
        Spacer(1, 1 * MM),
        _band(
            t(N_("1. Beneficiary")),
            t(N_("Filled in by {office}")).format(office=facts.letterhead.name),
            fonts,
        ),
        _grid(_beneficiary_rows(facts, t, fonts), fonts, prefilled=True),
        Spacer(1, _GAP),
        _band(t(N_("2. Care")), t(N_("To be filled in by the doctor or dentist")), fonts),
        _statement(t, styles),
        _warning(t, styles),
        Spacer(1, 1.2 * MM),
        _grid(_care_rows(facts, t, fonts), fonts, prefilled=False),
        Spacer(1, _GAP),
        _band(
            t(N_("3. Doctor or dentist")), t(N_("To be filled in by the doctor or dentist")), fonts
        ),
        _grid(_doctor_rows(t, fonts), fonts, prefilled=False, stretch_last_to=_SIGNATURE_MAX),
    ]
    frame = PageFrame(
        letterhead=facts.letterhead,
        language=language,
        header_lines=(
            t(N_("No. {number}")).format(number=facts.number),
            t(N_("Reference {reference}")).format(reference=facts.reference),
            i18n.format_date(_brussels(facts.issued_at).date(), locale=language),
        ),
        footer=t(N_("Personal data: confidential (art. 9 GDPR)")),
    )
    return render(story, frame, title=title_of(facts), subject=facts.number)


# --- content --------------------------------------------------------------------------


def _beneficiary_rows(
    facts: AamuFacts, t: Callable[[str], str], fonts: FontNames
) -> list[tuple[float, list[_Cell]]]:
    cpas = ", ".join(
        part
        for part in (
            one_line(facts.cpas_name),
            ", ".join(one_line(line) for line in facts.cpas_address.splitlines() if line.strip()),
        )
        if part
    )
    niss = format_niss(facts.niss) or missing_niss(
        facts.language, mediprima_number=facts.mediprima_number, cpas_phone=facts.cpas_phone
    )
    latin = latin_name(facts.latin_name, facts.family_name, facts.given_names)
    family = _Cell(1, t(N_("Family name")), one_line(facts.family_name))
    given = _Cell(1, t(N_("Given names")), one_line(facts.given_names))
    names_height = 13 * MM
    half = _FORM_WIDTH / 2 - 2 * _PAD
    side_by_side = all(
        _fitted_lines(str(cell.value), fonts.regular, half, _value_height(names_height))[0]
        >= _READABLE_SIZE
        for cell in (family, given)
    )
    names = (
        [(names_height, [family, given])]
        if side_by_side
        else [
            (names_height, [family]),
            (names_height, [given]),
        ]
    )
    if latin:
        names.append((10 * MM, [_Cell(1, t(N_("Name in Latin letters")), latin)]))
    return [
        *names,
        (
            10 * MM,
            [
                _Cell(0.8, t(N_("Sex")), sex_label(facts.sex, facts.language)),
                _Cell(
                    1,
                    t(N_("Birth date")),
                    one_line(format_birth_date(facts.birth_date, facts.language)),
                ),
                _Cell(1.1, t(N_("NISS or BIS number")), niss),
                _Cell(1.1, t(N_("File reference")), one_line(facts.reference)),
            ],
        ),
        (10 * MM, [_Cell(1, t(N_("CPAS")), cpas)]),
    ]


def _care_rows(
    facts: AamuFacts, t: Callable[[str], str], fonts: FontNames
) -> list[tuple[float, list[_Cell]]]:
    placeholders = _date_placeholders(t(N_("DD/MM/YYYY")))
    date_width = _digits_width(DATE_GROUPS)

    def care_dates(canvas: Any, x: float, y: float, width: float, height: float) -> None:
        count = 4
        gap = (width - count * date_width) / (count - 1)
        for index in range(count):
            _draw_digits(canvas, x + index * (date_width + gap), y, DATE_GROUPS, "/", placeholders)

    def validity(suggested: dt.date | None) -> Painter:
        def paint(canvas: Any, x: float, y: float, width: float, height: float) -> None:
            _draw_digits(canvas, x, y, DATE_GROUPS, "/", placeholders)
            if suggested is None:
                return
            shown = t(N_("Suggested: {date}")).format(
                date=i18n.format_date(suggested, locale=facts.language)
            )
            left = x + date_width + 3 * MM
            _draw_fitted(
                canvas,
                shown,
                fonts.italic,
                left,
                y + (_DIGIT_HEIGHT - 7.5) / 2 + 1,
                x + width - left,
                7.5,
                colour=MUTED,
            )

        return paint

    labels = [t(label) for label in CARE_CATEGORIES.values()]

    def categories(canvas: Any, x: float, y: float, width: float, height: float) -> None:
        columns = 4
        rows = (len(labels) + columns - 1) // columns
        column_width = width / columns
        pitch = height / rows
        for index, label in enumerate(labels):
            row, column = divmod(index, columns)
            box_y = y + height - (row + 1) * pitch + (pitch - _TICK) / 2
            _draw_tick(
                canvas, x + column * column_width, box_y, column_width - 2 * MM, label, fonts
            )

    return [
        (12 * MM, [_Cell(1, t(N_("Date(s) of care")), care_dates)]),
        (
            12 * MM,
            [
                _Cell(1, t(N_("Validity requested from")), validity(facts.suggested_valid_from)),
                _Cell(1, t(N_("Validity requested until")), validity(facts.suggested_valid_to)),
            ],
        ),
        (
            18 * MM,
            [
                _Cell(
                    1, " · ".join((t(N_("Care categories")), t(N_("tick one or more")))), categories
                )
            ],
        ),
    ]


def _doctor_rows(t: Callable[[str], str], fonts: FontNames) -> list[tuple[float, list[_Cell]]]:
    placeholders = _date_placeholders(t(N_("DD/MM/YYYY")))

    def inami(canvas: Any, x: float, y: float, width: float, height: float) -> None:
        _draw_digits(canvas, x, y, INAMI_GROUPS, "-", None)

    def date(canvas: Any, x: float, y: float, width: float, height: float) -> None:
        _draw_digits(canvas, x, y, DATE_GROUPS, "/", placeholders)

    professions = [t(N_("Doctor")), t(N_("Dentist"))]

    def profession(canvas: Any, x: float, y: float, width: float, height: float) -> None:
        half = width / 2
        for index, label in enumerate(professions):
            _draw_tick(canvas, x + index * half, y + 0.5 * MM, half - 2 * MM, label, fonts)

    return [
        (
            12 * MM,
            [
                _Cell(1, t(N_("Name"))),
                _Cell(0, t(N_("INAMI number")), inami, width=_RIGHT_COLUMN),
            ],
        ),
        (
            12 * MM,
            [
                _Cell(1, t(N_("Address"))),
                _Cell(0, t(N_("Profession")), profession, width=_RIGHT_COLUMN),
            ],
        ),
        (
            12 * MM,
            [
                _Cell(1, t(N_("Place"))),
                _Cell(0, t(N_("Date")), date, width=_RIGHT_COLUMN),
            ],
        ),
        (26 * MM, [_Cell(1, t(N_("Stamp"))), _Cell(1, t(N_("Signature")))]),
    ]


def _statement(t: Callable[[str], str], styles: Styles) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    style = ParagraphStyle("aamu_statement", parent=styles.cell, spaceBefore=5, spaceAfter=4)
    return text(
        t(
            N_(
                "I, the undersigned doctor or dentist, certify that the care given or "
                "prescribed to the person named in part 1 on the date(s) below is urgent "
                "medical aid: aid of an exclusively medical nature whose urgency I attest "
                "(royal decree of 12 December 1996, art. 1). It may be preventive or "
                "curative, ambulatory or given in a care institution."
            )
        ),
        style,
    )


def _warning(t: Callable[[str], str], styles: Styles) -> Any:
    """The framed reminder: no diagnosis, no medical detail."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    style = ParagraphStyle(
        "aamu_warning", parent=styles.cell, alignment=1, textColor=colors.HexColor(WARNING_COLOUR)
    )
    lead = t(N_("Write no diagnosis and no medical details on this form."))
    reason = t(
        N_("Medical secrecy: the CPAS only needs to know that the care is urgent medical aid.")
    )
    paragraph = Paragraph(
        f"<b>{paragraph_text(lead)}</b><br/>{paragraph_text(reason)}",
        style,
    )
    table = Table([[paragraph]], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, colors.HexColor(WARNING_COLOUR)),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(WARNING_BACKGROUND)),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


# --- values ---------------------------------------------------------------------------


def _brussels(value: dt.datetime) -> dt.datetime:
    """``value`` in Brussels time; a naive value is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(ZoneInfo(i18n.BRUSSELS))


def _date_placeholders(pattern: str) -> str | None:
    """The letters printed faintly in the date boxes ("JJMMAAAA" for "JJ/MM/AAAA"), or
    None when the translated pattern does not have the DD/MM/YYYY shape."""
    groups = pattern.split("/")
    if tuple(len(group) for group in groups) != DATE_GROUPS:
        return None
    return "".join(groups)


# --- drawing --------------------------------------------------------------------------


@functools.cache
def _painting_class() -> Any:
    """A flowable of fixed height that the given function paints (built once, so that
    reportlab is imported only when a document is rendered)."""
    from reportlab.platypus import Flowable

    class Painting(Flowable):  # type: ignore[misc, unused-ignore]
        def __init__(
            self,
            height: float | Callable[[float], float],
            paint: Callable[[Any, float, float], None],
        ) -> None:
            super().__init__()
            self._height = height
            self._paint = paint

        def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
            self.width = available_width
            self.height = self._height(available_height) if callable(self._height) else self._height
            return available_width, self.height

        def draw(self) -> None:
            self._paint(self.canv, self.width, self.height)

    return Painting


def _band(title: str, caption: str, fonts: FontNames) -> Any:
    """A part's heading: a grey band, its title on the left, who fills it in on the right."""
    from reportlab.lib import colors

    height = 6.2 * MM

    def paint(canvas: Any, width: float, _height: float) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.HexColor(HEADER_BACKGROUND))
        canvas.rect(0, 0, width, height, stroke=0, fill=1)
        baseline = (height - 9.5) / 2 + 2
        title_width = width * 0.55
        _draw_fitted(canvas, title, fonts.bold, _PAD, baseline, title_width, 10, colour="#000000")
        _draw_fitted(
            canvas,
            caption,
            fonts.italic,
            title_width,
            baseline + 0.5,
            width - title_width - _PAD,
            7.5,
            colour=MUTED,
            align="right",
        )
        canvas.restoreState()

    return _painting_class()(height, paint)


def _grid(
    rows: Sequence[tuple[float, Sequence[_Cell]]],
    fonts: FontNames,
    *,
    prefilled: bool,
    stretch_last_to: float | None = None,
) -> Any:
    """Rows of boxes, each with its label; pre-filled boxes are shaded, the ones to fill in
    by hand are white with a darker frame. With ``stretch_last_to``, the last row grows
    into the room left on the page, up to that height."""
    from reportlab.lib import colors

    fixed = sum(height for height, _cells in rows)
    heights = [height for height, _cells in rows]

    def height_in(available: float) -> float:
        if stretch_last_to is not None:
            last = rows[-1][0]
            heights[-1] = min(max(last, available - (fixed - last) - 1), stretch_last_to)
        return sum(heights)

    def paint(canvas: Any, width: float, total: float) -> None:
        canvas.saveState()
        top = total
        for height, (_height, cells) in zip(heights, rows, strict=True):
            bottom = top - height
            fixed = sum(cell.width for cell in cells if cell.width is not None)
            shares = sum(cell.share for cell in cells if cell.width is None)
            x = 0.0
            for cell in cells:
                cell_width = (
                    cell.width if cell.width is not None else (width - fixed) * cell.share / shares
                )
                if prefilled:
                    canvas.setFillColor(colors.HexColor(LABEL_BACKGROUND))
                    canvas.setStrokeColor(colors.HexColor(GRID_COLOUR))
                    canvas.setLineWidth(0.6)
                else:
                    canvas.setStrokeColor(colors.HexColor(INK))
                    canvas.setLineWidth(0.7)
                canvas.rect(x, bottom, cell_width, height, stroke=1, fill=1 if prefilled else 0)
                _draw_cell(canvas, cell, x, bottom, cell_width, height, fonts)
                x += cell_width
            top = bottom
        canvas.restoreState()

    return _painting_class()(height_in, paint)


def _draw_cell(
    canvas: Any, cell: _Cell, x: float, y: float, width: float, height: float, fonts: FontNames
) -> None:
    inner = width - 2 * _PAD
    label_top = y + height - _PAD
    _draw_fitted(
        canvas, cell.label, fonts.regular, x + _PAD, label_top - _LABEL_SIZE, inner, _LABEL_SIZE
    )
    area_top = label_top - _LABEL_SIZE - 1.2
    area_height = _value_height(height)
    if callable(cell.value):
        cell.value(canvas, x + _PAD, y + _PAD * 0.9, inner, area_height)
    elif cell.value:
        _draw_block(canvas, cell.value, fonts.regular, x + _PAD, area_top, inner, area_height)


def _value_height(height: float) -> float:
    """The height left for the value in a box ``height`` high, under its label."""
    return height - _PAD - _LABEL_SIZE - 1.2 - _PAD * 0.7


def _draw_block(
    canvas: Any, value: str, font: str, x: float, top: float, width: float, height: float
) -> None:
    """``value`` in as many lines as fit ``height``: on one line at the full size when it
    can, else wrapped, else smaller and smaller; cut with an ellipsis only when it would
    not fit even at the smallest size."""
    size, lines = _fitted_lines(value, font, width, height)
    leading = size * 1.18
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(font, size)
    baseline = top - size * 0.95
    if len(lines) == 1:  # a single line sits in the middle of the area
        baseline = top - (height - size) / 2 - size * 0.8
    # Arabic or Hebrew first: the text reads from the right, and is aligned there.
    right_to_left = base_direction(value) == "R"
    for line in lines:
        if right_to_left:
            canvas.drawRightString(x + width, baseline, visual(line))
        else:
            canvas.drawString(x, baseline, visual(line))
        baseline -= leading


def _fitted_lines(value: str, font: str, width: float, height: float) -> tuple[float, list[str]]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    one_line_sizes = [_VALUE_SIZE - step * 0.5 for step in range(5)]  # 10 down to 8
    for size in one_line_sizes:
        if stringWidth(value, font, size) <= width:
            return size, [value]
    size = _VALUE_SIZE
    lines = [value]
    while size >= _MIN_VALUE_SIZE:
        max_lines = max(1, int(height // (size * 1.18)))
        lines = _wrap(value, font, size, width)
        if len(lines) <= max_lines:
            return size, lines
        size -= 0.5
    size = _MIN_VALUE_SIZE
    max_lines = max(1, int(height // (size * 1.18)))
    lines = _wrap(value, font, size, width)
    kept = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    return size, [*kept[:-1], fit(kept[-1], font, size, width)]


def _wrap(value: str, font: str, size: float, width: float) -> list[str]:
    """``value`` in lines of at most ``width`` points, broken between words, and inside a
    word too long for a line."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for word in value.split():
        candidate = f"{current} {word}" if current else word
        if stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while stringWidth(word, font, size) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and stringWidth(word[:cut], font, size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def _draw_fitted(
    canvas: Any,
    value: str,
    font: str,
    x: float,
    baseline: float,
    width: float,
    size: float,
    *,
    colour: str = MUTED,
    align: str = "left",
    min_size: float = 5.5,
) -> None:
    """One line of ``value`` at ``size``, smaller when it is too wide (cut with an
    ellipsis only below ``min_size``)."""
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if not value or width <= 0:
        return
    shown_size = size
    while shown_size > min_size and stringWidth(value, font, shown_size) > width:
        shown_size -= 0.25
    shown = visual(fit(value, font, shown_size, width))
    canvas.setFillColor(colors.HexColor(colour))
    canvas.setFont(font, shown_size)
    if align == "right":
        canvas.drawRightString(x + width, baseline, shown)
    else:
        canvas.drawString(x, baseline, shown)


def _digits_width(groups: Sequence[int]) -> float:
    return sum(groups) * _DIGIT_WIDTH + (len(groups) - 1) * _SEPARATOR_WIDTH


def _draw_digits(
    canvas: Any,
    x: float,
    y: float,
    groups: Sequence[int],
    separator: str,
    placeholders: str | None,
) -> None:
    """Boxes for one character each, in groups separated by ``separator`` (a date as
    DD/MM/YYYY, an INAMI number as 1-23456-78-901); ``placeholders`` are printed faintly
    in the boxes, one letter each."""
    from reportlab.lib import colors

    fonts = register_fonts()
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor(INK))
    canvas.setLineWidth(0.7)
    index = 0
    for number, count in enumerate(groups):
        if number:
            canvas.setFillColor(colors.HexColor(INK))
            canvas.setFont(fonts.regular, 9)
            canvas.drawCentredString(x + _SEPARATOR_WIDTH / 2, y + 1.5 * MM, separator)
            x += _SEPARATOR_WIDTH
        for _ in range(count):
            canvas.rect(x, y, _DIGIT_WIDTH, _DIGIT_HEIGHT, stroke=1, fill=0)
            if placeholders:
                canvas.setFillColor(colors.HexColor(PLACEHOLDER))
                canvas.setFont(fonts.regular, 6.5)
                canvas.drawCentredString(
                    x + _DIGIT_WIDTH / 2, y + 1.9 * MM, visual(placeholders[index])
                )
            index += 1
            x += _DIGIT_WIDTH
    canvas.restoreState()


def _draw_tick(canvas: Any, x: float, y: float, width: float, label: str, fonts: FontNames) -> None:
    """A square to tick and its label on the right."""
    from reportlab.lib import colors

    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor(INK))
    canvas.setLineWidth(0.8)
    canvas.rect(x, y, _TICK, _TICK, stroke=1, fill=0)
    left = x + _TICK + 1.6 * MM
    _draw_fitted(
        canvas, label, fonts.regular, left, y + 0.8, width - (left - x), 8.5, colour="#000000"
    )
    canvas.restoreState()
