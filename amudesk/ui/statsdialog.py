"""Statistics: delays and refusals, measured, for a period, per CPAS, month or channel.

The window asks :func:`amudesk.services.stats.collect` for the rows of the period off the
UI thread (progress, Cancel), then shows :meth:`Collected.report`: a table of the figures
per group and the total, small cells as "<5" (``GroupFigures.as_json``), the notes saying
how each figure was counted; the pictures (``statscharts``) in tabs beside the table. A
change of grouping reuses the rows; a change of period reads them again.

Exports go through :mod:`amudesk.outputs`: the figures as CSV or XLSX, the anonymised
case-level extract (written off the UI thread) and the PDF report
(``amudesk.services.statsreport``, loaded when asked for).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal, format_percent
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n, outputs, stats
from amudesk.dates import brussels_today
from amudesk.i18n import N_, _
from amudesk.models import CHANNEL_LABELS
from amudesk.services import stats as stats_service
from amudesk.settings import load_settings
from amudesk.store import Store
from amudesk.ui.kit.buttons import action_button
from amudesk.ui.kit.dates import OptionalDateEdit
from amudesk.ui.kit.taborder import chain_tab_order
from amudesk.ui.kit.taskdialog import (
    TaskDialog,
    failure_message,
    fitted_size,
    progress_bar,
    show_progress,
    status_label,
)
from amudesk.ui.statscharts import ChartPage, draw_distribution, draw_medians, draw_reasons
from amudesk.ui.workers import Cancelled

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1280, 720)
MINIMUM_SIZE = (900, 560)
RESTART_DELAY_MS = 300
# "CPAS d'", "OCMW van ": left out of a CPAS's name under a chart, where room is short.
CPAS_PREFIX = re.compile(r"^(CPAS|OCMW)\s+(de la |de l'|de l’|de |d'|d’|du |des |van )?", re.I)

THIS_MONTH, THIS_QUARTER, THIS_YEAR, LAST_YEAR, CUSTOM = (
    "month",
    "quarter",
    "year",
    "last_year",
    "custom",
)
PERIODS: tuple[tuple[str, str], ...] = (
    (THIS_MONTH, N_("This month")),
    (THIS_QUARTER, N_("This quarter")),
    (THIS_YEAR, N_("This year")),
    (LAST_YEAR, N_("Last year")),
    (CUSTOM, N_("Custom dates")),
)
GROUPINGS: tuple[tuple[str, str], ...] = (
    ("cpas", N_("CPAS")),
    ("month", N_("Month of filing")),
    ("channel", N_("Channel")),
)
# The columns of the table: the key of GroupFigures.as_json, the header, its tooltip.
SHARE_KEYS = frozenset(
    {"share_decided_within_30", "share_notified_within_8", "share_encoded_within_8"}
)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("filed", N_("Filed"), N_("Requests received by the CPAS in the period")),
    ("decided", N_("With a decision"), N_("Requests with a first decision by the period's end")),
    ("waiting", N_("Waiting"), N_("Requests without a decision at the period's end")),
    ("oldest_wait", N_("Oldest wait"), N_("Days the longest-waiting request had waited")),
    ("median_days_to_decision", N_("Median days"), N_("Median days from filing to decision")),
    ("p90_days_to_decision", N_("90th pct."), N_("90th percentile of days to decision")),
    ("share_decided_within_30", N_("≤ 30 days"), N_("Share decided within the 30-day limit")),
    (
        "median_days_to_notification",
        N_("Days to notify"),
        N_("Median days from decision to notification"),
    ),
    ("share_notified_within_8", N_("Notified ≤ 8"), N_("Share notified within 8 days")),
    ("share_encoded_within_8", N_("Encoded ≤ 8"), N_("Share encoded in MediPrima within 8 days")),
    ("refusals", N_("Refusals"), N_("Refusals and territorial incompetences")),
    ("not_allowed_by_law", N_("Unlawful"), N_("Decisions giving a reason the law does not allow")),
    ("transfers", N_("Transfers"), N_("Requests sent on to another CPAS")),
    (
        "median_days_lost_to_transfer",
        N_("Days lost"),
        N_("Median days lost to a transfer"),
    ),
    ("appeals", N_("Appeals"), N_("Requests appealed to the labour court")),
    ("median_days_to_care", N_("Days to care"), N_("Median days from filing to a guarantee")),
    ("renewals_with_gap", N_("Gaps"), N_("Renewals leaving days without coverage")),
)


def period_of(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the period ``kind`` around ``today``."""
    if kind == THIS_MONTH:
        return today.replace(day=1), today
    if kind == THIS_QUARTER:
        first = (today.month - 1) // 3 * 3 + 1
        return today.replace(month=first, day=1), today
    if kind == LAST_YEAR:
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return dt.date(today.year, 1, 1), today


def shown_figure(key: str, cell: Any) -> str:
    """A cell of ``GroupFigures.as_json`` for people: "<5" as it is, shares as percents,
    "–" for a figure that cannot be computed."""
    locale = i18n.babel_locale()
    if cell is None:
        return "–"
    if isinstance(cell, str):
        return cell
    if key in SHARE_KEYS:
        return str(format_percent(cell, locale=locale))
    return str(format_decimal(cell, format="#,##0.#", locale=locale))


def refusals_cell(group: Any) -> Any:
    """Refusals and incompetences of a group, as they leave the desk."""
    return stats.suppressed_count(
        group.decisions_by_kind.get("refusal", 0) + group.decisions_by_kind.get("incompetent", 0)
    )


class FiguresTable(QTableWidget):
    """The figures per group and the total, read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsTable")
        self.setAccessibleName(_("Figures per group"))
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setHorizontalScrollMode(QTableWidget.ScrollMode.ScrollPerPixel)

    def show_figures(
        self, report: stats.Report, figures: list[dict[str, Any]], name: Callable[[str], str]
    ) -> None:
        """One line per group and the total (in bold), small cells as the report gives them;
        ``figures``: the groups' and the total's ``as_json``, computed off the UI thread."""
        groups = [*report.groups, report.total]
        headers = [_("Group"), *(_(header) for _key, header, _tip in COLUMNS)]
        self.clear()
        self.setColumnCount(len(headers))
        self.setRowCount(len(groups))
        self.setHorizontalHeaderLabels(headers)
        for column, (_key, _header, tip) in enumerate(COLUMNS, start=1):
            item = self.horizontalHeaderItem(column)
            if item is not None:
                item.setToolTip(_(tip))
        bold = QFont(self.font())
        bold.setBold(True)
        for row, (group, computed) in enumerate(zip(groups, figures, strict=True)):
            data = {**computed, "refusals": refusals_cell(group)}
            cells = [QTableWidgetItem(name(group.group))]
            for key, _header, _tip in COLUMNS:
                item = QTableWidgetItem(shown_figure(key, data[key]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                cells.append(item)
            for column, item in enumerate(cells):
                if group is report.total:
                    item.setFont(bold)
                self.setItem(row, column, item)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.resizeColumnToContents(0)
        self.setColumnWidth(0, min(self.columnWidth(0), 260))

    def cell(self, group: str, key: str) -> str:
        """The text shown for figure ``key`` of ``group`` (its name as shown) (tests)."""
        column = 1 + [k for k, _h, _t in COLUMNS].index(key)
        for row in range(self.rowCount()):
            item = self.item(row, 0)
            if item is not None and item.text() == group:
                value = self.item(row, column)
                return value.text() if value is not None else ""
        raise KeyError(group)


class StatisticsDialog(TaskDialog):
    """The figures of a period per CPAS (month, channel), with their pictures and exports."""

    def __init__(
        self,
        store: Store,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.today = today or brussels_today()
        self.collected: Any = None  # services.stats.Collected of the period shown
        self.report: stats.Report | None = None
        self._restart = False
        self._writing = False  # the task running writes a file (not cancelled by a new period)
        self._setting_period = False
        self.setWindowTitle(_("Statistics"))
        self.setObjectName("statisticsDialog")
        self.resize(*fitted_size(DEFAULT_SIZE, MINIMUM_SIZE, height_share=0.9))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RESTART_DELAY_MS)
        self._timer.timeout.connect(self.recompute)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_choices())
        layout.addLayout(self._build_progress())
        self.tabs = QTabWidget()
        self.tabs.setObjectName("statisticsTabs")
        layout.addWidget(self.tabs, 1)
        self._build_tabs()
        layout.addLayout(self._build_buttons())
        chain_tab_order(
            [
                self.period_combo,
                self.from_edit,
                self.to_edit,
                self.group_combo,
                self.tabs,
                self.table,
                self.notes,
                self.csv_button,
                self.xlsx_button,
                self.extract_button,
                self.pdf_button,
                self.close_button,
            ]
        )
        self.set_period(THIS_YEAR)
        self.period_combo.setFocus()
        self.recompute()

    # --- building ------------------------------------------------------------------

    def _build_choices(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.period_combo = QComboBox()
        self.period_combo.setObjectName("statsPeriod")
        for key, label in PERIODS:
            self.period_combo.addItem(_(label), key)
        self.period_combo.setAccessibleName(_("Period"))
        self.from_edit = OptionalDateEdit(label=_("From"))
        self.from_edit.setObjectName("statsFrom")
        self.from_edit.setAccessibleName(_("From"))
        self.to_edit = OptionalDateEdit(label=_("To"))
        self.to_edit.setObjectName("statsTo")
        self.to_edit.setAccessibleName(_("To"))
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("statsGrouping")
        for key, label in GROUPINGS:
            self.group_combo.addItem(_(label), key)
        self.group_combo.setAccessibleName(_("Group by"))
        for text, field in (
            (_("&Period:"), self.period_combo),
            (_("Fr&om:"), self.from_edit),
            (_("&To:"), self.to_edit),
            (_("&Group by:"), self.group_combo),
        ):
            caption = QLabel(text)
            caption.setBuddy(field.edit if isinstance(field, OptionalDateEdit) else field)
            if field is self.group_combo:
                row.addStretch(1)
            row.addWidget(caption)
            row.addWidget(field)
        self.period_combo.currentIndexChanged.connect(self._period_chosen)
        self.from_edit.edit.textChanged.connect(self._dates_edited)
        self.to_edit.edit.textChanged.connect(self._dates_edited)
        self.group_combo.currentIndexChanged.connect(self._grouping_chosen)
        return row

    def _build_progress(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.bar = progress_bar(_("Progress of the computation"), object_name="statsProgress")
        self.bar.hide()
        self.cancel_button = action_button(_("Cancel"), self.cancel, object_name="statsCancel")
        self.cancel_button.hide()
        self.status = status_label("statsStatus")
        self.status.setWordWrap(True)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.status, 2)
        return row

    def _build_tabs(self) -> None:
        self.table = FiguresTable()
        self.notes = QTextBrowser()
        self.notes.setObjectName("statsNotes")
        self.notes.setAccessibleName(_("How the figures were counted"))
        self.notes.setOpenLinks(False)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.notes)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        self.tabs.addTab(split, _("&Figures"))
        self.distribution = ChartPage(_("Days to decision per group"))
        self.medians = ChartPage(_("Monthly medians"))
        self.reasons = ChartPage(_("Refusals by reason"))
        self.tabs.addTab(self.distribution, _("Days to &decision"))
        self.tabs.addTab(self.medians, _("&Monthly medians"))
        self.tabs.addTab(self.reasons, _("Refusals by r&eason"))

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.csv_button = action_button(
            _("Save figures as &CSV…"), self.save_csv, object_name="statsCsv"
        )
        self.xlsx_button = action_button(
            _("Save figures as spreadsheet (.&xlsx)…"), self.save_xlsx, object_name="statsXlsx"
        )
        self.extract_button = action_button(
            _("&Anonymised extract…"), self.save_extract, object_name="statsExtract"
        )
        self.extract_button.setToolTip(
            _("One line per request, without any name, for a federation (small groups merged)")
        )
        self.pdf_button = action_button(_("PDF &report…"), self.save_pdf, object_name="statsPdf")
        self.close_button = QPushButton(_("Close"))
        self.close_button.setObjectName("statsClose")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        for button in (self.csv_button, self.xlsx_button, self.extract_button, self.pdf_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        self._set_exports_enabled()
        return row

    # --- choosing ----------------------------------------------------------------------

    def set_period(self, kind: str) -> None:
        """Choose a period of the list; its dates fill the From and To fields."""
        index = self.period_combo.findData(kind)
        self._setting_period = True
        try:
            self.period_combo.setCurrentIndex(index)
            if kind != CUSTOM:
                start, end = period_of(kind, self.today)
                self.from_edit.set_value(start)
                self.to_edit.set_value(end)
        finally:
            self._setting_period = False

    def set_dates(self, start: dt.date, end: dt.date) -> None:
        """Custom dates (tests, and what typing them does)."""
        self.from_edit.set_value(start)
        self.to_edit.set_value(end)
        self._dates_edited()

    def grouping(self) -> str:
        return str(self.group_combo.currentData())

    def period(self) -> tuple[dt.date, dt.date] | None:
        """The period chosen, None while its dates are missing or wrong."""
        start, end = self.from_edit.value(), self.to_edit.value()
        if start is None or end is None or start > end:
            return None
        return start, end

    def _period_chosen(self, _index: int) -> None:
        if self._setting_period:
            return
        kind = str(self.period_combo.currentData())
        if kind != CUSTOM:
            self.set_period(kind)
            self._timer.start()
        else:
            self.from_edit.setFocus()

    def _dates_edited(self, *_args: object) -> None:
        if self._setting_period:
            return
        if self.period_combo.currentData() != CUSTOM:
            self._setting_period = True
            self.period_combo.setCurrentIndex(self.period_combo.findData(CUSTOM))
            self._setting_period = False
        self._timer.start()

    def _grouping_chosen(self, _index: int) -> None:
        """The rows read are grouped again, off the UI thread (once the work under way is
        over: it then sees the grouping changed)."""
        if self.collected is not None and not self.busy:
            self._regroup()

    # --- computing -------------------------------------------------------------------

    def recompute(self) -> None:
        """Read the rows of the period off the UI thread (a running reading is cancelled
        first, and this one starts once it stopped)."""
        self._timer.stop()
        chosen = self.period()
        if chosen is None:
            self._say(_("Choose a start and an end date, the start before the end."))
            return
        if self.busy:  # a reading is cancelled; a file being written is let finish
            self._restart = True
            if not self._writing:
                self.tasks.cancel()
            return
        self._restart = False
        start, end = chosen
        store = self.store
        settings = load_settings(getattr(store, "data_dir", None)).clock_settings()
        by, language = self.grouping(), i18n.get_locale()

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Any:
            def report(done: int, total: int) -> None:
                if cancelled():
                    raise Cancelled()
                progress(done, total)

            with store.session() as session:
                collected = stats_service.collect(
                    session=session, start=start, end=end, settings=settings, progress=report
                )
            return collected, stats_service.shown(collected, by=by, language=language)

        self.bar.setRange(0, 0)
        self.bar.show()
        self.cancel_button.show()
        self._say(
            _("Counting the requests filed from {start} to {end}…").format(
                start=i18n.format_date(start), end=i18n.format_date(end)
            )
        )
        self.tasks.start(
            work, finished=self._collected, failed=self._failed, progress=self._progress
        )
        self._set_exports_enabled()

    def _progress(self, done: int, total: int) -> None:
        show_progress(self.bar, done, total, busy_when_unknown=True)

    def _end_work(self) -> None:
        self.bar.hide()
        self.cancel_button.hide()
        self._set_exports_enabled()

    def _collected(self, result: Any) -> None:
        """The rows read and their figures, or the same rows grouped again."""
        self._end_work()
        if self.close_if_asked():
            return
        if self._restart:
            self.recompute()
            return
        self.collected, shown = result
        self._set_exports_enabled()
        self._show(shown)

    def _regroup(self) -> None:
        """Group the rows read as now chosen, off the UI thread, then show them."""
        collected, by, language = self.collected, self.grouping(), i18n.get_locale()

        def work(progress: object = None, cancelled: object = None) -> Any:
            return collected, stats_service.shown(collected, by=by, language=language)

        self.tasks.start(work, finished=self._collected, failed=self._failed)
        self._set_exports_enabled()

    def _catch_up(self) -> None:
        """After writing a file: what was chosen meanwhile (a period, a grouping)."""
        if self._restart:
            self._timer.start()
        elif self.report is not None and self.report.by != self.grouping():
            self._regroup()

    def _failed(self, error: object) -> None:
        self._end_work()
        if self.close_if_asked():
            return
        if self._restart:
            self.recompute()
            return
        if isinstance(error, Cancelled):
            self._say(_("Cancelled: the figures shown are those of the previous computation."))
            return
        log.warning("statistics not computed: %s", error.__class__.__name__)
        self._say(failure_message(error))

    def cancel(self) -> None:
        if self.tasks.cancel():
            self._restart = False
            self._say(_("Cancelling…"))

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _set_exports_enabled(self) -> None:
        ready = self.collected is not None and not self.busy
        for button in (self.csv_button, self.xlsx_button, self.extract_button, self.pdf_button):
            button.setEnabled(ready)

    # --- showing ---------------------------------------------------------------------

    def group_name(self, key: str) -> str:
        """A group's name for people: the CPAS, the month, the channel."""
        by = self.report.by if self.report is not None else self.grouping()
        if key == stats.TOTAL:
            return _("Total")
        if by == "month" and len(key) == 7:
            return month_name(key)
        if by == "channel":
            return _(CHANNEL_LABELS[key]) if key in CHANNEL_LABELS else _("Unknown")
        return key or _("Unknown")

    def short_name(self, key: str) -> str:
        """A group's name under a chart: "Anderlecht" for "CPAS d'Anderlecht", "Mar 2026"."""
        by = self.report.by if self.report is not None else self.grouping()
        if by == "month" and len(key) == 7:
            return short_month(key)
        if by == "cpas":
            return CPAS_PREFIX.sub("", key) or self.group_name(key)
        return self.group_name(key)

    def _show(self, shown: stats_service.Shown) -> None:
        """The figures computed, grouped as chosen: the table, the notes, the charts (the
        grouping changed while they were computed: grouped again first)."""
        collected = self.collected
        if shown.report.by != self.grouping():
            self._regroup()
            return
        self.report = report = shown.report
        self.table.show_figures(report, shown.figures, self.group_name)
        self.notes.setHtml(notes_html(report))
        draw_distribution(self.distribution, report.groups, shown.spreads, self.short_name)
        draw_medians(
            self.medians, shown.medians, shown.medians_per_group, self.group_name, short_month
        )
        draw_reasons(self.reasons, report.total)
        self._say(
            _("Requests filed from {start} to {end}, as of {end}.").format(
                start=i18n.format_date(collected.period_start),
                end=i18n.format_date(collected.period_end),
            )
        )

    # --- exports ---------------------------------------------------------------------

    def ask_path(self, title: str, name: str, kinds: str, suffix: str) -> Path | None:
        """Where to save a file (``suffix`` added when missing); None when not chosen."""
        chosen, _filter = QFileDialog.getSaveFileName(self, title, str(Path.home() / name), kinds)
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)

    def _file_name(self, stem: str, suffix: str) -> str:
        collected = self.collected
        return f"{stem}-{collected.period_start.isoformat()}-{collected.period_end.isoformat()}{suffix}"

    def save_csv(self) -> None:
        self._save_figures(
            _("Save the figures as CSV"), ".csv", _("CSV files (*.csv)"), stats.table_csv
        )

    def save_xlsx(self) -> None:
        self._save_figures(
            _("Save the figures as a spreadsheet"),
            ".xlsx",
            _("Excel workbook (*.xlsx)"),
            stats.table_xlsx,
        )

    def _save_figures(
        self, title: str, suffix: str, kinds: str, render: Callable[[stats.Report], bytes]
    ) -> None:
        report = self.report
        if report is None or self.busy:
            return
        path = self.ask_path(title, self._file_name(_("amu-statistics"), suffix), kinds, suffix)
        if path is None:
            return
        try:
            outputs.write_files({path: render(report)}, label=title)
        except outputs.OutputError as exc:
            self._write_failed(title, exc)
            return
        self._written(path)

    def save_extract(self) -> None:
        """The anonymised case-level extract, written off the UI thread."""
        collected = self.collected
        if collected is None or self.busy:
            return
        title = _("Save the anonymised extract")
        path = self.ask_path(
            title,
            self._file_name(_("amu-extract"), ".csv"),
            _("CSV files (*.csv)"),
            ".csv",
        )
        if path is None:
            return

        def work(progress: object = None, cancelled: object = None) -> Path:
            outputs.write_files({path: stats.extract_bytes(collected.rows)}, label=title)
            return path

        self._run_write(work, title, _("Writing the anonymised extract…"))

    def save_pdf(self) -> None:
        """The PDF report (``amudesk.services.statsreport``), made and written off the UI
        thread."""
        collected = self.collected
        if collected is None or self.busy:
            return
        from amudesk.services.statsreport import stats_report_pdf  # reportlab: when asked

        title = _("Save the PDF report")
        path = self.ask_path(
            title,
            self._file_name(_("amu-statistics"), ".pdf"),
            _("PDF documents (*.pdf)"),
            ".pdf",
        )
        if path is None:
            return
        by, language, store = self.grouping(), i18n.get_locale(), self.store

        def work(progress: object = None, cancelled: object = None) -> Path:
            with store.session() as session:
                pdf = stats_report_pdf(collected, by=by, language=language, session=session)
            outputs.write_files({path: pdf}, label=title)
            return path

        self._run_write(work, title, _("Making the PDF report…"))

    def _run_write(self, work: Callable[..., Path], title: str, doing: str) -> None:
        def failed(error: object) -> None:
            self._writing = False
            self._end_work()
            if self.close_if_asked():
                return
            self._catch_up()
            if isinstance(error, Cancelled):
                self._say(_("Cancelled; no file was written."))
            elif isinstance(error, outputs.OutputError):
                self._write_failed(title, error)
            else:
                log.warning("statistics file not written: %s", error.__class__.__name__)
                self._write_failed(title, failure_message(error))

        def finished(path: object) -> None:
            self._writing = False
            self._end_work()
            if self.close_if_asked():
                return
            self._catch_up()
            if isinstance(path, Path):
                self._written(path)

        self.bar.setRange(0, 0)
        self.bar.show()
        self._writing = True
        self._say(doing)
        self.tasks.start(work, finished=finished, failed=failed)
        self._set_exports_enabled()

    def _written(self, path: Path) -> None:
        self._say(_("Saved: {file}").format(file=str(path)))

    def _write_failed(self, title: str, error: object) -> None:
        message = str(error)
        self._say(message)
        QMessageBox.warning(self, title, message)


def notes_html(report: stats.Report) -> str:
    """How the figures were counted, as the notes' page shows it."""
    items = "".join(f"<li>{html.escape(note)}</li>" for note in report.notes)
    return f"<p><b>{html.escape(_('How the figures were counted'))}</b></p><ul>{items}</ul>"


def month_name(month: str, *, short: bool = False) -> str:
    """ "2026-03" as "March 2026" in the interface's language ("2026" stays)."""
    try:
        day = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        return month
    return i18n.format_date(day, "LLL y" if short else "LLLL y")


def short_month(month: str) -> str:
    """ "2026-03" as "Mar 2026"."""
    return month_name(month, short=True)
