"""The pictures of the statistics window, drawn with Qt Charts from a :class:`stats.Report`.

- ``distribution_chart``: days to decision per group, one box each (quartiles and median,
  whiskers at the 10th and 90th percentiles, so no single request's day count is drawn),
  with the 30-day limit as a line;
- ``medians_chart``: the monthly median of days to decision, per group and in total;
- ``reasons_chart``: refusals and incompetences by reason, as bars.

Nothing in a picture may single out a person: a group with fewer than ``stats.SMALL``
values is not drawn (its name is listed as "<5" under the chart), a month with fewer than
``stats.SMALL`` decisions has no point, and a reason given fewer than ``stats.SMALL`` times
has no bar (its label says "<5").
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from PySide6 import QtCharts
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from amudesk import stats
from amudesk.i18n import _, ngettext
from amudesk.refusals import REASONS
from amudesk.ui.kit.hints import hint_label

LIMIT_COLOUR = "#a4000f"
CATEGORY_WIDTH = 110  # pixels for a group's box and its name, with many groups
SLANT_FROM = 6  # more categories than this on a horizontal axis: labels slanted
MIN_POINTS = 2  # a group is drawn over time with two months at least
MAX_LINES = 6  # groups drawn over time besides the total: more is unreadable
ChartParts = tuple[QtCharts.QChart, QLabel]


class ChartPage(QWidget):
    """A chart and, under it, a line saying what it shows and what it leaves out."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = QtCharts.QChart()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QtCharts.QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setAccessibleName(name)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.caption = hint_label()
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Many groups: the chart grows wider than the window and scrolls, so that each
        # group's name is read under it rather than cut short.
        self.scroller = QScrollArea()
        self.scroller.setWidget(self.view)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.caption)

    def fit(self, categories: int) -> None:
        """Room for ``categories`` along the horizontal axis (scrolling when needed)."""
        self.view.setMinimumWidth(categories * CATEGORY_WIDTH if categories > SLANT_FROM else 0)

    def clear(self) -> None:
        self.view.setMinimumWidth(0)
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.chart.legend().show()
        self.caption.setText("")

    def say(self, lines: list[str]) -> None:
        self.caption.setText("\n".join(line for line in lines if line))
        self.view.setAccessibleDescription(self.caption.text())


def _value_axis(title: str, top: float) -> QtCharts.QValueAxis:
    axis = QtCharts.QValueAxis()
    axis.setTitleText(title)
    axis.setLabelFormat("%d")
    axis.setRange(0, max(top, 1.0) * 1.08)
    axis.applyNiceNumbers()
    return axis


def _category_axis(labels: list[str], *, slanted: bool = False) -> QtCharts.QBarCategoryAxis:
    """An axis of ``labels`` (Qt Charts reads them as rich text: "<5" is escaped); many
    labels of a horizontal axis are slanted so that they are read whole."""
    axis = QtCharts.QBarCategoryAxis()
    axis.append([html.escape(label, quote=False) for label in labels])
    if slanted and len(labels) > SLANT_FROM:
        axis.setLabelsAngle(-45)
    return axis


def draw_distribution(
    page: ChartPage,
    groups: list[Any],
    spreads: Mapping[str, stats.Spread | None],
    name: Callable[[str], str],
) -> None:
    """One box per group with at least ``stats.SMALL`` decisions (``spreads``: their
    :func:`amudesk.stats.spread`, computed off the UI thread), and the 30-day line."""
    page.clear()
    series = QtCharts.QBoxPlotSeries()
    series.setName(_("Days from filing to decision"))
    labels: list[str] = []
    small: list[str] = []
    top = float(stats.DECISION_LIMIT_DAYS)
    for group in groups:
        days = group.days_to_decision
        spread = spreads.get(group.group)
        if spread is None:
            if days:
                small.append(name(group.group))
            continue
        low, lower, middle, upper, high = spread
        series.append(QtCharts.QBoxSet(low, lower, middle, upper, high, name(group.group)))
        labels.append(name(group.group))
        top = max(top, high)
    page.chart.setTitle(_("Days from filing to decision, per group"))
    lines = [
        _(
            "Each box spans the middle half of the requests decided, the line in it is the "
            "median; the whiskers reach the 10th and the 90th percentiles. The red line is "
            "the legal limit of {days} days."
        ).format(days=stats.DECISION_LIMIT_DAYS)
    ]
    if small:
        lines.append(
            _("Not drawn, fewer than 5 decisions ({small}): {groups}.").format(
                small=stats.SUPPRESSED, groups=", ".join(small)
            )
        )
    if not labels:
        lines.insert(0, _("No group has 5 decisions or more: nothing to draw."))
        page.say(lines)
        return
    page.chart.addSeries(series)
    limit = QtCharts.QLineSeries()
    limit.setName(_("Limit: {days} days").format(days=stats.DECISION_LIMIT_DAYS))
    limit.append(-0.5, stats.DECISION_LIMIT_DAYS)
    limit.append(len(labels) - 0.5, stats.DECISION_LIMIT_DAYS)
    pen = QPen(QColor(LIMIT_COLOUR))
    pen.setWidth(2)
    pen.setStyle(Qt.PenStyle.DashLine)
    limit.setPen(pen)
    page.chart.addSeries(limit)
    x_axis = _category_axis(labels, slanted=True)
    page.fit(len(labels))
    y_axis = _value_axis(_("days"), top)
    page.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    page.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    for drawn in (series, limit):
        drawn.attachAxis(x_axis)
        drawn.attachAxis(y_axis)
    page.say(lines)


def draw_medians(
    page: ChartPage,
    total: dict[str, dict[str, Any]],
    per_group: dict[str, dict[str, dict[str, Any]]],
    name: Callable[[str], str],
    month_name: Callable[[str], str],
) -> None:
    """The monthly median of days to decision, in total and for the largest groups; a
    month with fewer than ``stats.SMALL`` decisions has no point."""
    page.clear()
    page.chart.setTitle(_("Median days from filing to decision, month by month"))
    months = sorted(total)
    lines = [
        _(
            "A point is drawn for a month with 5 decisions or more (by month of filing); the "
            "red line is the legal limit of {days} days."
        ).format(days=stats.DECISION_LIMIT_DAYS)
    ]
    if not months:
        lines.insert(0, _("No request decided in the period: nothing to draw."))
        page.say(lines)
        return
    position = {month: index for index, month in enumerate(months)}
    largest = sorted(
        per_group.items(), key=lambda item: (-sum(m["decided"] for m in item[1].values()), item[0])
    )
    drawn: list[QtCharts.QLineSeries] = []
    top = float(stats.DECISION_LIMIT_DAYS)
    left_out: list[str] = []
    too_few = 0
    for key, by_month in [("", total), *largest]:
        points = [
            (position[month], figures["median"])
            for month, figures in sorted(by_month.items())
            if figures["median"] is not None and figures["decided"] >= stats.SMALL
        ]
        if not points or (key and len(points) < MIN_POINTS):
            too_few += bool(key)
            continue
        if len(drawn) > MAX_LINES:
            left_out.append(name(key))
            continue
        line = QtCharts.QLineSeries()
        line.setName(name(key) if key else _("Total"))
        line.setPointsVisible(True)
        for x, y in points:
            line.append(x, y)
            top = max(top, y)
        if not key:
            pen = QPen(QColor("#202020"))
            pen.setWidth(3)
            line.setPen(pen)
        drawn.append(line)
    if too_few:
        lines.append(
            ngettext(
                "{n} group has fewer than two months of 5 decisions: not drawn on its own.",
                "{n} groups have fewer than two months of 5 decisions: not drawn on their own.",
                too_few,
            ).format(n=too_few)
        )
    if left_out:
        lines.append(
            _("Not drawn, to keep the chart readable: {groups}.").format(groups=", ".join(left_out))
        )
    if not drawn:
        lines.insert(0, _("No month has 5 decisions or more: nothing to draw."))
        page.say(lines)
        return
    limit = QtCharts.QLineSeries()
    limit.setName(_("Limit: {days} days").format(days=stats.DECISION_LIMIT_DAYS))
    limit.append(-0.5, stats.DECISION_LIMIT_DAYS)
    limit.append(len(months) - 0.5, stats.DECISION_LIMIT_DAYS)
    pen = QPen(QColor(LIMIT_COLOUR))
    pen.setWidth(2)
    pen.setStyle(Qt.PenStyle.DashLine)
    limit.setPen(pen)
    x_axis = _category_axis([month_name(month) for month in months], slanted=True)
    y_axis = _value_axis(_("days"), top)
    page.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    page.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    for series in [*drawn, limit]:
        page.chart.addSeries(series)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
    page.say(lines)


def reason_label(key: str) -> str:
    reason = REASONS.get(key)
    return _(reason.label) if reason is not None else key


def draw_reasons(page: ChartPage, total: Any) -> None:
    """Refusals and incompetences of the period by reason (all groups): a bar per reason
    given 5 times or more; a reason given fewer times is labelled "<5" without a bar."""
    page.clear()
    page.chart.setTitle(_("Refusals and incompetences by reason"))
    counter = total.refusals_by_reason
    lines = [
        _(
            "Reasons given by the first decision (one decision may give several). A reason "
            "given fewer than 5 times has no bar and says {small}."
        ).format(small=stats.SUPPRESSED)
    ]
    if not counter:
        lines.insert(0, _("No refusal or incompetence with a reason in the period."))
        page.say(lines)
        return
    keys = sorted(counter, key=lambda key: (counter[key], reason_label(key)))
    labels: list[str] = []
    bars = QtCharts.QBarSet(_("Decisions"))
    for key in keys:
        count = counter[key]
        if count < stats.SMALL:
            labels.append(f"{reason_label(key)} ({stats.SUPPRESSED})")
            bars.append(0)
        else:
            labels.append(f"{reason_label(key)} ({count})")
            bars.append(count)
    series = QtCharts.QHorizontalBarSeries()
    series.append(bars)
    page.chart.addSeries(series)
    y_axis = _category_axis(labels)
    x_axis = _value_axis(_("decisions"), float(max(counter.values())))
    page.chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    page.chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(y_axis)
    series.attachAxis(x_axis)
    page.chart.legend().hide()
    page.say(lines)
