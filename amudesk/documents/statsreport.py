"""The statistics report: delays and refusals per CPAS, month or channel, as a PDF.

The renderer is pure: it gets a :class:`StatsReportFacts` (the office's letterhead, an
:class:`amudesk.stats.Report` and the monthly medians of :func:`amudesk.stats.monthly_medians`)
and returns the PDF bytes; it never opens the database. It prints, in the document's own
language (fr, nl or en), on A4 pages with the office's letterhead:

- the title, the period, the grouping, how many requests were counted and how many were
  left out (being prepared; people who withdrew their consent to statistics), and the
  small-cell rule;
- the figures per group and the total, in four tables of a few columns each (a table
  split by theme rather than one too wide for the page; long CPAS names wrap);
- three charts drawn with reportlab's graphics: the days to decision per group as box
  plots (quartiles, median, whiskers from the 10th to the 90th percentile, the 30-day
  line), the monthly medians over time, and the refusals by reason as bars;
- how each figure was counted (the report's notes).

Nothing raw is printed: every number goes through the small-cell rule
(:func:`amudesk.stats.suppressed_count`, :func:`amudesk.stats.suppressed_value`, or the
report's own :meth:`~amudesk.stats.GroupFigures.as_json`): a count from 1 to 4 prints
"<5", a median or share over fewer than 5 values prints "<5"; a box over fewer than 5
values is not drawn, a bar under 5 is not drawn at its length. The rows hold no name, NISS
or reference, so none can be printed.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from babel.dates import format_skeleton
from babel.numbers import format_decimal, format_percent

from amudesk import i18n, stats
from amudesk.documents.fonts import paragraph_text, visual
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
    label_value_table,
    render,
    stylesheet,
    text,
)
from amudesk.i18n import N_, gettext_for
from amudesk.refusals import REASON_KEYS, REASONS, Lawful
from amudesk.stats import (
    APPEAL_OUTCOMES,
    DECISION_KINDS,
    DECISION_LIMIT_DAYS,
    SMALL,
    SMALL_CELL_RULE,
    SUPPRESSED,
    Cell,
    GroupFigures,
    Report,
    Spread,
    suppressed_count,
    suppressed_value,
)

NONE_SHOWN = "–"  # a figure that cannot be computed
BLUE = "#4f7fb8"
BLUE_LIGHT = "#c9d9ee"
RED = "#c0504d"
GREY = "#9aa3ad"
DARK = "#1f2a36"
CHART_FONT_SIZE = 7
BOX_ROW_HEIGHT = 17
BOX_ROWS_PER_CHART = 28  # more groups: the next chart, on the next page if need be
BAR_ROW_HEIGHT = 20
MONTHS_LABELLED = 24  # beyond, every other month's label (then every third…)


@dataclass(frozen=True)
class StatsReportFacts:
    """Everything the report shows, as plain values: the figures (raw, with their day
    lists for the box plots; the renderer applies the small-cell rule), the monthly medians
    (``{"2026-03": {"median": 34.0, "decided": 12}, …}``) and the labels the document's
    language gives to the groups (channels), decision kinds and appeal outcomes."""

    language: str  # "fr" | "nl" | "en"
    letterhead: Letterhead
    report: Report
    monthly: Mapping[str, Mapping[str, Any]]
    made_on: dt.date
    group_labels: Mapping[str, str] = field(default_factory=dict)  # group key → label
    kind_labels: Mapping[str, str] = field(default_factory=dict)  # decision kind → label
    outcome_labels: Mapping[str, str] = field(default_factory=dict)  # appeal outcome → label


# --- how values print ---------------------------------------------------------------------


class _Numbers:
    """Numbers as the document's language writes them (Babel): "30,5", "87 %"."""

    def __init__(self, language: str) -> None:
        self.locale = i18n.babel_locale(language)

    def cell(self, value: Cell, *, share: bool = False) -> str:
        """A figure as :meth:`GroupFigures.as_json` gives it (the small-cell rule applied)."""
        if value is None:
            return NONE_SHOWN
        if isinstance(value, str):
            return value  # "<5"
        if share:
            return str(format_percent(value, locale=self.locale))
        if isinstance(value, float):
            return str(format_decimal(round(value, 1), locale=self.locale))
        return str(format_decimal(value, locale=self.locale))


def _group_label(facts: StatsReportFacts, key: str, t: Callable[[str], str]) -> str:
    if key == "total":
        return t(N_("Total"))
    if facts.report.by == "month":
        return i18n.format_partial_date(key, locale=facts.language) or key
    if facts.report.by == "channel":
        return facts.group_labels.get(key, key)
    return key or t(N_("No CPAS"))


# --- the tables ---------------------------------------------------------------------------


HEADER_FONT_SIZE = 7.5
SMALLEST_HEADER_FONT_SIZE = 6.0
GROUP_COLUMN_LEAST = 30 * MM  # or the group's longest word: names wrap between words
GROUP_COLUMN_MOST = 60 * MM  # a longer word is broken
TABLE_START = 45 * MM  # a table's title starts a page unless this much room is left
_PADDING = 4


@functools.cache
def _header_style(size: float) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(
        f"stats_header_{size}",
        parent=stylesheet().cell_header,
        fontSize=size,
        leading=size + 1.5,
    )


def _column_widths(
    header: Sequence[str], lines: Sequence[Sequence[str]], styles: Styles
) -> tuple[list[float], float]:
    """The width of each column and the size of the header's font: each figure's column as
    wide as its longest header word or its widest cell, so that no word is cut (the header
    font is made smaller, down to 6 points, when they do not fit); the group column takes
    what is left, at least its longest word (up to 60 mm)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    bold, regular, size = styles.fonts.bold, styles.fonts.regular, styles.cell.fontSize
    group_words = max(
        (stringWidth(word, regular, size) for line in lines for word in line[0].split()),
        default=0,
    )
    group_least = min(max(GROUP_COLUMN_LEAST, group_words + 2 * _PADDING + 1), GROUP_COLUMN_MOST)
    room = TEXT_WIDTH - group_least
    header_size = HEADER_FONT_SIZE
    while True:
        widths = []
        for index, title in enumerate(header[1:], start=1):
            words = max((stringWidth(word, bold, header_size) for word in title.split()), default=0)
            cells = max((stringWidth(line[index], bold, size) for line in lines), default=0)
            widths.append(max(words, cells, 24) + 2 * _PADDING + 1)
        if sum(widths) <= room or header_size <= SMALLEST_HEADER_FONT_SIZE:
            break
        header_size = max(SMALLEST_HEADER_FONT_SIZE, header_size - 0.5)
    if sum(widths) > room:  # still too wide: every column gives a share
        widths = [width * room / sum(widths) for width in widths]
    else:  # the figures' columns share what the group does not need
        group_needs = max((stringWidth(line[0], regular, size) for line in lines), default=0)
        spare = TEXT_WIDTH - sum(widths) - max(group_needs + 2 * _PADDING + 1, group_least)
        if spare > 0:
            widths = [width + spare / len(widths) for width in widths]
    return [TEXT_WIDTH - sum(widths), *widths], header_size


def _table(header: Sequence[str], lines: Sequence[Sequence[str]], styles: Styles) -> Any:
    """A table: the group (wrapping) then right-aligned figures; the header repeats on each
    page, the last line (the total) is shaded and bold."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    widths, header_size = _column_widths(header, lines, styles)
    number_style = styles.cell
    data: list[list[Any]] = [[text(title, _header_style(header_size)) for title in header]]
    for group, *cells in lines:
        data.append([text(group, styles.cell), *cells])
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        *_grid(),
        ("FONT", (1, 1), (-1, -1), number_style.fontName, number_style.fontSize),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor(LABEL_BACKGROUND)),
        ("FONT", (1, -1), (-1, -1), styles.fonts.bold, number_style.fontSize),
        # No total alone at the top of a page, no header alone at the bottom of one.
        ("NOSPLIT", (0, -3), (-1, -1)),
        ("NOSPLIT", (0, 0), (-1, 2)),
    ]
    table.setStyle(TableStyle(commands))
    return table


def _grid() -> list[tuple[Any, ...]]:
    from reportlab.lib import colors

    return [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID_COLOUR)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PADDING),
        ("TOPPADDING", (0, 0), (-1, 0), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 3),
        ("TOPPADDING", (0, 1), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 2),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_BACKGROUND)),
    ]


@functools.cache
def _table_title() -> Any:
    """The subheading above a table, not kept with it: a long table starts under it on the
    same page (:data:`TABLE_START` keeps a few of its lines with it)."""
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle("stats_table_title", parent=stylesheet().subheading, keepWithNext=0)


def _figure_tables(facts: StatsReportFacts, styles: Styles, t: Callable[[str], str]) -> list[Any]:
    from reportlab.platypus import CondPageBreak

    numbers = _Numbers(facts.language)
    report = facts.report
    groups = [*report.groups, report.total]
    shown = [(_group_label(facts, g.group, t), g.as_json(facts.language)) for g in groups]
    group_title = t(_GROUP_TITLES.get(report.by, N_("Group")))
    story: list[Any] = []

    def section(
        title: str, header: list[str], cells: Callable[[dict[str, Any]], list[str]]
    ) -> None:
        table = _table(
            [group_title, *header], [[label, *cells(data)] for label, data in shown], styles
        )
        story.extend([CondPageBreak(TABLE_START), text(title, _table_title()), table])

    c = numbers.cell
    section(
        t(N_("Requests and days to decision")),
        [
            t(N_("Filed")),
            t(N_("With a decision")),
            t(N_("Waiting")),
            t(N_("Longest wait (days)")),
            t(N_("Median days to decision")),
            t(N_("90th percentile (days)")),
            t(N_("Decided within 30 days")),
        ],
        lambda d: [
            c(d["filed"]),
            c(d["decided"]),
            c(d["waiting"]),
            c(d["oldest_wait"]),
            c(d["median_days_to_decision"]),
            c(d["p90_days_to_decision"]),
            c(d["share_decided_within_30"], share=True),
        ],
    )
    section(
        t(N_("Notification, MediPrima and care")),
        [
            t(N_("Median days to notification")),
            t(N_("Notified within 8 days")),
            t(N_("Encoded in MediPrima within 8 days")),
            t(N_("Median days to care")),
            t(N_("Renewals")),
            t(N_("Renewals with a gap")),
            t(N_("Median gap (days)")),
        ],
        lambda d: [
            c(d["median_days_to_notification"]),
            c(d["share_notified_within_8"], share=True),
            c(d["share_encoded_within_8"], share=True),
            c(d["median_days_to_care"]),
            c(d["renewals"]),
            c(d["renewals_with_gap"]),
            c(d["median_renewal_gap"]),
        ],
    )
    section(
        t(N_("Decisions and transfers")),
        [
            *(facts.kind_labels.get(kind, kind) for kind in DECISION_KINDS),
            t(N_("Reason not allowed by law")),
            t(N_("Transfers")),
            t(N_("Median days lost to a transfer")),
        ],
        lambda d: [
            *(c(d["decisions_by_kind"].get(kind, 0)) for kind in DECISION_KINDS),
            c(d["not_allowed_by_law"]),
            c(d["transfers"]),
            c(d["median_days_lost_to_transfer"]),
        ],
    )
    section(
        t(N_("Appeals to the labour court and their outcome")),
        [
            t(N_("Appeals")),
            *(
                facts.outcome_labels.get(key, t(N_("Pending")) if key == "pending" else key)
                for key in APPEAL_OUTCOMES
            ),
        ],
        lambda d: [
            c(d["appeals"]),
            *(c(d["appeal_outcomes"].get(key, 0)) for key in APPEAL_OUTCOMES),
        ],
    )
    # Refusals by reason: one line per group and reason given (a reason as a column would
    # make fourteen of them).
    reason_lines: list[tuple[str, list[str]]] = []
    for label, data in shown:
        given = [key for key in REASON_KEYS if data["refusals_by_reason"].get(key, 0) != 0]
        for number, key in enumerate(given):
            reason_lines.append(
                (
                    label if number == 0 else "",
                    [t(REASONS[key].label), c(data["refusals_by_reason"][key])],
                )
            )
    story.append(CondPageBreak(TABLE_START))
    story.append(text(t(N_("Refusals and incompetences by reason")), _table_title()))
    if reason_lines:
        table = _reason_table(
            [group_title, t(N_("Reason")), t(N_("Decisions"))], reason_lines, styles
        )
        story.append(table)
    else:
        story.append(
            text(t(N_("No refusal or incompetence gave a reason in the period.")), styles.body)
        )
    return story


def _reason_table(
    header: Sequence[str], lines: Sequence[tuple[str, list[str]]], styles: Styles
) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    widths = [TEXT_WIDTH * 0.36, TEXT_WIDTH * 0.49, TEXT_WIDTH * 0.15]
    data: list[list[Any]] = [[text(title, styles.cell_header) for title in header]]
    for group, (reason, count) in lines:
        data.append([text(group, styles.cell) if group else "", text(reason, styles.cell), count])
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    starts = [i for i, (group, _cells) in enumerate(lines, start=1) if group]
    last_group = starts[-1]
    # A group's reasons stay on one page, under its name.
    keep = [
        ("NOSPLIT", (0, first), (-1, following - 1))
        for first, following in zip(starts, [*starts[1:], len(lines) + 1], strict=True)
        if following - 1 > first
    ]
    table.setStyle(
        TableStyle(
            [
                *_grid(),
                ("FONT", (2, 1), (2, -1), styles.cell.fontName, styles.cell.fontSize),
                ("ALIGN", (2, 1), (2, -1), "RIGHT"),
                ("BACKGROUND", (0, last_group), (-1, -1), colors.HexColor(LABEL_BACKGROUND)),
                *keep,
            ]
        )
    )
    return table


_GROUP_TITLES = {"cpas": N_("CPAS"), "month": N_("Month of filing"), "channel": N_("Channel")}
_GROUPING = {
    "cpas": N_("per CPAS"),
    "month": N_("per month of filing"),
    "channel": N_("per channel (how the request came in)"),
}


# --- the charts ---------------------------------------------------------------------------


def _nice_step(top: float, ticks: int = 6) -> float:
    """A round step (1, 2 or 5 × a power of ten) giving about ``ticks`` ticks up to ``top``."""
    raw = max(top, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if multiple * magnitude >= raw:
            return float(multiple * magnitude)
    return float(10 * magnitude)  # pragma: no cover - 10 always suffices


def _wrapped(value: str, font: str, size: float, width: float, lines: int) -> list[str]:
    """``value`` in at most ``lines`` lines of ``width`` points, the last one cut with "…"."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    found: list[str] = []
    current = ""
    for word in value.split():
        candidate = f"{current} {word}".strip()
        if not current or stringWidth(candidate, font, size) <= width:
            current = candidate
        else:
            found.append(current)
            current = word
    if current:
        found.append(current)
    if len(found) > lines:
        found = [*found[: lines - 1], " ".join(found[lines - 1 :])]
    return [fit(line, font, size, width) for line in found] or [""]


def _string(
    x: float,
    y: float,
    value: str,
    font: str,
    *,
    size: float = CHART_FONT_SIZE,
    anchor: str = "start",
    colour: str = DARK,
) -> Any:
    from reportlab.graphics.shapes import String
    from reportlab.lib import colors

    return String(
        x,
        y,
        visual(value),
        fontName=font,
        fontSize=size,
        textAnchor=anchor,
        fillColor=colors.HexColor(colour),
    )


def _x_axis(
    drawing: Any, left: float, right: float, y: float, top_value: float, font: str, title: str
) -> Callable[[float], float]:
    """A horizontal axis of days from 0 to ``top_value`` with round ticks; returns the
    function placing a value."""
    from reportlab.graphics.shapes import Line
    from reportlab.lib import colors

    step = _nice_step(top_value)
    end = step * math.ceil(top_value / step)

    def place(value: float) -> float:
        return left + (right - left) * min(value, end) / end

    drawing.add(Line(left, y, right, y, strokeColor=colors.HexColor(MUTED), strokeWidth=0.6))
    tick = 0.0
    while tick <= end + 1e-9:
        x = place(tick)
        drawing.add(Line(x, y, x, y - 3, strokeColor=colors.HexColor(MUTED), strokeWidth=0.6))
        drawing.add(_string(x, y - 11, f"{tick:g}", font, anchor="middle", colour=MUTED))
        tick += step
    drawing.add(_string((left + right) / 2, y - 22, title, font, anchor="middle", colour=MUTED))
    return place


def _limit_line(drawing: Any, x: float, bottom: float, top: float, label: str, font: str) -> None:
    from reportlab.graphics.shapes import Line
    from reportlab.lib import colors

    drawing.add(
        Line(
            x,
            bottom,
            x,
            top,
            strokeColor=colors.HexColor(RED),
            strokeWidth=0.9,
            strokeDashArray=[3, 2],
        )
    )
    drawing.add(_string(x, top + 3, label, font, anchor="middle", colour=RED))


def _box_plots(facts: StatsReportFacts, t: Callable[[str], str], fonts: Any) -> list[Any]:
    """The days to decision of each group (and the total) as horizontal box plots: the box
    from the first to the third quartile, the median in it, whiskers from the 10th to the
    90th percentile; a group with fewer than 5 decisions is not drawn ("<5")."""
    from reportlab.graphics.shapes import Drawing, Line, Rect
    from reportlab.lib import colors

    numbers = _Numbers(facts.language)
    report = facts.report
    entries: list[tuple[str, GroupFigures, Spread | None]] = []
    for group in [*report.groups, report.total]:
        entries.append(
            (_group_label(facts, group.group, t), group, stats.spread(group.days_to_decision))
        )
    top_value = max(
        [DECISION_LIMIT_DAYS * 1.15, *(spread[4] * 1.05 for _l, _g, spread in entries if spread)]
    )
    drawings: list[Any] = []
    label_width = 58 * MM
    value_width = 16 * MM
    left = label_width
    right = TEXT_WIDTH - value_width - 4
    axis_title = t(N_("days from filing to the first decision"))
    for start in range(0, len(entries), BOX_ROWS_PER_CHART):
        chunk = entries[start : start + BOX_ROWS_PER_CHART]
        plot_height = len(chunk) * BOX_ROW_HEIGHT
        bottom_room = 30
        drawing = Drawing(TEXT_WIDTH, plot_height + bottom_room + 16)
        top = bottom_room + plot_height
        place = _x_axis(drawing, left, right, bottom_room, top_value, fonts.regular, axis_title)
        # light grid at each tick is left out: the 30-day line is the one that matters
        drawing.add(
            _string(TEXT_WIDTH, top + 3, t(N_("median")), fonts.bold, anchor="end", colour=MUTED)
        )
        for number, (label, group, spread) in enumerate(chunk):
            middle = top - (number + 0.5) * BOX_ROW_HEIGHT
            font = fonts.bold if group is report.total else fonts.regular
            lines = _wrapped(label, font, CHART_FONT_SIZE, label_width - 6, 2)
            first = middle + (len(lines) - 1) * 4 - 2.5
            for index, line in enumerate(lines):
                drawing.add(_string(label_width - 6, first - index * 8, line, font, anchor="end"))
            if number % 2 == 0:
                drawing.add(
                    Rect(
                        left,
                        middle - BOX_ROW_HEIGHT / 2,
                        right - left,
                        BOX_ROW_HEIGHT,
                        fillColor=colors.HexColor("#f4f6f8"),
                        strokeColor=None,
                    )
                )
            shown = numbers.cell(
                suppressed_value(group.median_days_to_decision, len(group.days_to_decision))
            )
            drawing.add(_string(TEXT_WIDTH, middle - 2.5, shown, font, anchor="end"))
            if spread is None:
                drawing.add(
                    _string(
                        left + 4,
                        middle - 2.5,
                        SUPPRESSED if group.days_to_decision else NONE_SHOWN,
                        fonts.regular,
                        colour=MUTED,
                    )
                )
                continue
            low, q1, med, q3, high = (place(value) for value in spread)
            stroke = colors.HexColor(DARK)
            half = BOX_ROW_HEIGHT * 0.3
            drawing.add(Line(low, middle, q1, middle, strokeColor=stroke, strokeWidth=0.7))
            drawing.add(Line(q3, middle, high, middle, strokeColor=stroke, strokeWidth=0.7))
            for x in (low, high):
                drawing.add(
                    Line(
                        x,
                        middle - half / 2,
                        x,
                        middle + half / 2,
                        strokeColor=stroke,
                        strokeWidth=0.7,
                    )
                )
            drawing.add(
                Rect(
                    q1,
                    middle - half,
                    max(q3 - q1, 0.8),
                    2 * half,
                    fillColor=colors.HexColor(BLUE_LIGHT),
                    strokeColor=colors.HexColor(BLUE),
                    strokeWidth=0.7,
                )
            )
            drawing.add(
                Line(med, middle - half, med, middle + half, strokeColor=stroke, strokeWidth=1.8)
            )
        limit = place(DECISION_LIMIT_DAYS)
        _limit_line(drawing, limit, bottom_room, top, t(N_("30 days")), fonts.regular)
        drawings.append(drawing)
    return drawings


def _monthly_chart(facts: StatsReportFacts, t: Callable[[str], str], fonts: Any) -> Any | None:
    """The median days to decision of the requests filed each month, as a line; a month with
    fewer than 5 decisions is not plotted and prints "<5" under the line."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine
    from reportlab.lib import colors

    months = sorted(facts.monthly)
    if not months:
        return None
    numbers = _Numbers(facts.language)
    values: list[Cell] = [
        suppressed_value(facts.monthly[m].get("median"), int(facts.monthly[m].get("decided", 0)))
        for m in months
    ]
    plotted = [float(v) for v in values if isinstance(v, int | float)]
    top_value = max([DECISION_LIMIT_DAYS * 1.15, *(v * 1.1 for v in plotted)])
    step = _nice_step(top_value, 5)
    end = step * math.ceil(top_value / step)
    height = 150.0
    bottom, top = 34.0, height - 14
    left, right = 30.0, TEXT_WIDTH - 36  # the 30-day line's label on its right
    drawing = Drawing(TEXT_WIDTH, height)
    muted = colors.HexColor(MUTED)

    def y_of(value: float) -> float:
        return bottom + (top - bottom) * value / end

    slot = (right - left) / len(months)

    def x_of(index: int) -> float:
        return left + slot * (index + 0.5)

    tick = 0.0
    while tick <= end + 1e-9:
        y = y_of(tick)
        drawing.add(
            Line(left, y, right, y, strokeColor=colors.HexColor("#e3e7eb"), strokeWidth=0.5)
        )
        drawing.add(
            _string(left - 4, y - 2.5, f"{tick:g}", fonts.regular, anchor="end", colour=MUTED)
        )
        tick += step
    drawing.add(Line(left, bottom, right, bottom, strokeColor=muted, strokeWidth=0.6))
    limit = y_of(DECISION_LIMIT_DAYS)
    drawing.add(
        Line(
            left,
            limit,
            right,
            limit,
            strokeColor=colors.HexColor(RED),
            strokeWidth=0.9,
            strokeDashArray=[3, 2],
        )
    )
    drawing.add(_string(right + 3, limit - 2.5, t(N_("30 days")), fonts.regular, colour=RED))
    every = 1 + (len(months) - 1) // MONTHS_LABELLED
    locale = i18n.babel_locale(facts.language)
    segment: list[float] = []
    segments: list[list[float]] = []
    for index, (month, value) in enumerate(zip(months, values, strict=True)):
        x = x_of(index)
        parts = month.split("-")
        if len(parts) == 2 and index % every == 0:
            day = dt.date(int(parts[0]), int(parts[1]), 1)
            drawing.add(
                _string(
                    x,
                    bottom - 10,
                    str(format_skeleton("MMM", day, locale=locale)),
                    fonts.regular,
                    anchor="middle",
                    colour=MUTED,
                )
            )
            if index == 0 or day.month == 1:
                drawing.add(
                    _string(
                        x, bottom - 19, str(day.year), fonts.bold, anchor="middle", colour=MUTED
                    )
                )
        if isinstance(value, int | float):
            y = y_of(float(value))
            segment.extend((x, y))
            drawing.add(
                _string(x, y + 4, numbers.cell(value), fonts.regular, anchor="middle", size=6.5)
            )
        else:
            if len(segment) >= 2:
                segments.append(segment)
            segment = []
            drawing.add(
                _string(
                    x,
                    bottom + 3,
                    value if isinstance(value, str) else NONE_SHOWN,
                    fonts.regular,
                    anchor="middle",
                    colour=MUTED,
                    size=6.5,
                )
            )
    if segment:
        segments.append(segment)
    for points in segments:
        if len(points) >= 4:
            drawing.add(PolyLine(points, strokeColor=colors.HexColor(BLUE), strokeWidth=1.4))
        for i in range(0, len(points), 2):
            drawing.add(
                Circle(
                    points[i], points[i + 1], 1.8, fillColor=colors.HexColor(BLUE), strokeColor=None
                )
            )
    drawing.add(
        _string(
            left,
            height - 8,
            t(N_("median days to decision, by month of filing")),
            fonts.regular,
            colour=MUTED,
        )
    )
    return drawing


def _reason_bars(facts: StatsReportFacts, t: Callable[[str], str], fonts: Any) -> Any | None:
    """The refusals and incompetences of the period by reason (all groups): a bar per
    reason given, coloured by whether the law allows it; under 5, no bar but "<5"."""
    from reportlab.graphics.shapes import Drawing, Rect
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth

    counts = facts.report.total.refusals_by_reason
    keys = [key for key in REASON_KEYS if counts.get(key, 0) > 0]
    if not keys:
        return None
    numbers = _Numbers(facts.language)
    label_width = 78 * MM
    left, right = label_width, TEXT_WIDTH - 14 * MM
    legend: list[tuple[Lawful, str]] = [
        (Lawful.YES, t(N_("allowed by law, when its facts are right"))),
        (Lawful.NO, t(N_("not allowed by law"))),
        (Lawful.DEPENDS, t(N_("depends on the facts, or another reason"))),
    ]
    legend_width = sum(
        11 + stringWidth(visual(label), fonts.regular, CHART_FONT_SIZE) + 12 for _l, label in legend
    )
    legend_room = 22 if legend_width <= TEXT_WIDTH else 33
    height = len(keys) * BAR_ROW_HEIGHT + legend_room + 4
    drawing = Drawing(TEXT_WIDTH, height)
    shown = [counts[key] for key in keys if counts[key] >= SMALL]
    most = max(shown, default=SMALL)
    colour = {Lawful.YES: BLUE, Lawful.NO: RED, Lawful.DEPENDS: GREY, Lawful.OPEN: GREY}
    top = height
    for number, key in enumerate(keys):
        middle = top - (number + 0.5) * BAR_ROW_HEIGHT
        lines = _wrapped(t(REASONS[key].label), fonts.regular, CHART_FONT_SIZE, label_width - 6, 2)
        first = middle + (len(lines) - 1) * 4 - 2.5
        for index, line in enumerate(lines):
            drawing.add(
                _string(label_width - 6, first - index * 8, line, fonts.regular, anchor="end")
            )
        count = counts[key]
        value = suppressed_count(count)
        if count >= SMALL:
            width = (right - left) * count / most
            drawing.add(
                Rect(
                    left,
                    middle - 5.5,
                    width,
                    11,
                    fillColor=colors.HexColor(colour[REASONS[key].lawful]),
                    strokeColor=None,
                )
            )
            drawing.add(_string(left + width + 3, middle - 2.5, numbers.cell(value), fonts.regular))
        else:
            drawing.add(
                _string(left + 3, middle - 2.5, numbers.cell(value), fonts.regular, colour=MUTED)
            )
    x, y = 0.0, legend_room - 10
    for lawful, label in legend:
        width = 11 + stringWidth(visual(label), fonts.regular, CHART_FONT_SIZE) + 12
        if x > 0 and x + width > TEXT_WIDTH:
            x, y = 0.0, y - 11
        drawing.add(
            Rect(x, y - 1.5, 8, 8, fillColor=colors.HexColor(colour[lawful]), strokeColor=None)
        )
        drawing.add(_string(x + 11, y, label, fonts.regular, colour=MUTED))
        x += width
    return drawing


# --- the document -------------------------------------------------------------------------


def render_stats_report(facts: StatsReportFacts) -> bytes:
    """The PDF of the report."""
    from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer

    styles = stylesheet()
    language = facts.language
    t = functools.partial(gettext_for, language)
    report = facts.report
    title = t(N_("Urgent medical aid: delays and refusals"))
    period = t(N_("{start} to {end}")).format(
        start=i18n.format_date(report.period_start, "long", locale=language),
        end=i18n.format_date(report.period_end, "long", locale=language),
    )
    numbers = _Numbers(language)
    story: list[Any] = [
        text(title, styles.title),
        text(
            t(
                N_(
                    "Figures counted by AMU Desk from this office's own records of urgent medical "
                    "aid requests. The report holds no name, national number, birth date or "
                    "case reference."
                )
            ),
            styles.body,
        ),
        label_value_table(
            [
                (t(N_("Period (requests received)")), period),
                (t(N_("Grouping")), t(_GROUPING.get(report.by, N_("per CPAS")))),
                (t(N_("Requests counted")), numbers.cell(suppressed_count(report.total.filed))),
                (
                    t(N_("Left out: being prepared")),
                    numbers.cell(suppressed_count(report.excluded_preparing)),
                ),
                (
                    t(N_("Left out: consent to statistics withdrawn")),
                    numbers.cell(suppressed_count(report.excluded_consent)),
                ),
                (t(N_("Made on")), i18n.format_date(facts.made_on, "long", locale=language)),
            ],
            styles,
        ),
        Spacer(1, 2 * MM),
        text(t(SMALL_CELL_RULE), styles.note),
        text(
            t(
                N_(
                    "Requests still being prepared have not been filed with a CPAS: no time limit "
                    "runs for them. People who withdrew their consent to statistics are left out "
                    "of every figure."
                )
            ),
            styles.note,
        ),
        CondPageBreak(TABLE_START + 30),
        text(t(N_("Figures per group")), styles.heading),
    ]
    story.extend(_figure_tables(facts, styles, t))
    boxes = _box_plots(facts, t, styles.fonts)
    story.append(
        KeepTogether(
            [
                text(t(N_("Charts")), styles.heading),
                text(t(N_("Days from filing to decision")), styles.subheading),
                text(
                    t(
                        N_(
                            "The box holds the middle half of the decisions (first to third "
                            "quartile), the thick line is the median, the whiskers run from the "
                            "10th to the 90th percentile; the dashed line is the legal limit of "
                            "30 days. A group with fewer than 5 decisions is not drawn (<5)."
                        )
                    ),
                    styles.note,
                ),
                boxes[0],
            ]
        )
    )
    story.extend(boxes[1:])
    monthly = _monthly_chart(facts, t, styles.fonts)
    block: list[Any] = [text(t(N_("Median days to decision over time")), styles.subheading)]
    if monthly is None:
        block.append(text(t(N_("No request was decided in the period.")), styles.body))
    else:
        block += [
            text(
                t(
                    N_(
                        "Each point is the median of the requests received that month and "
                        "decided by the period's last day; a month with fewer than 5 decisions "
                        "is not plotted (<5)."
                    )
                ),
                styles.note,
            ),
            monthly,
        ]
    story.append(KeepTogether(block))
    bars = _reason_bars(facts, t, styles.fonts)
    block = [text(t(N_("Refusals and incompetences by reason")), styles.subheading)]
    if bars is None:
        block.append(
            text(t(N_("No refusal or incompetence gave a reason in the period.")), styles.body)
        )
    else:
        block += [
            text(
                t(
                    N_(
                        "All groups together; one decision may give several reasons. A reason "
                        "given fewer than 5 times has no bar (<5)."
                    )
                ),
                styles.note,
            ),
            bars,
        ]
    story.append(KeepTogether(block))
    notes: list[Any] = [text(t(N_("How each figure was counted")), styles.heading)]
    notes.extend(Paragraph(_escaped(note), styles.bullet, bulletText="•") for note in report.notes)
    notes.append(
        Paragraph(
            _escaped(t(N_("–: the figure cannot be computed (no request to count)."))),
            styles.bullet,
            bulletText="•",
        )
    )
    story.extend(notes)
    frame = PageFrame(
        letterhead=facts.letterhead,
        language=language,
        header_lines=(
            t(N_("Statistics")),
            period,
            t(N_("Made on {date}")).format(date=i18n.format_date(facts.made_on, locale=language)),
        ),
        footer=title,
    )
    return render(story, frame, title=title, subject=period)


def _escaped(value: str) -> str:
    return paragraph_text(value)
