"""The statistics window: figures per group and in total, small cells, grouping and period,
cancel, the CSV export, the charts, access keys."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from amudesk import i18n
from amudesk.services import cases
from amudesk.services import stats as stats_service
from amudesk.services.directory import list_cpas
from tests.ui.test_access_keys import clashes_of

TODAY = dt.date(2026, 6, 30)  # "this year": 1 January to 30 June 2026
FILED = dt.datetime(2026, 1, 5, 10, 0)  # UTC: 5 January in Brussels
DAYS_A = (10, 20, 30, 40, 50, 60)  # CPAS A: six decisions, median 35
DAYS_B = (5,)  # CPAS B: one decision and one request waiting


@pytest.fixture
def figures(store: Any, office: Any, add_case: Callable[..., tuple[int, str]]) -> dict[str, str]:
    """Eight requests filed on 5 January 2026: six decided at CPAS A, at CPAS B one decided
    and one waiting. Returns the two CPAS names (as the figures name them)."""
    with store.session() as session:
        directory = [c for c in list_cpas(session=session) if c.id is not None]
    first, second = directory[0], directory[1]

    def decide(request_id: int, days: int, kind: str = "guarantee") -> None:
        decided = FILED.date() + dt.timedelta(days=days)
        with store.transaction() as session:
            cases.record_decision(
                request_id,
                cases.DecisionData(
                    kind=kind, decided_on=decided, notified_on=decided + dt.timedelta(days=2)
                ),
                session=session,
            )

    for number, days in enumerate(DAYS_A):
        request_id, _reference = add_case(
            f"Alpha{number}", "Ann", cpas_id=first.id, received_at=FILED
        )
        decide(request_id, days, "refusal" if number < 2 else "guarantee")
    for number, days in enumerate(DAYS_B):
        request_id, _reference = add_case(
            f"Beta{number}", "Bo", cpas_id=second.id, received_at=FILED
        )
        decide(request_id, days)
    add_case("Waiting", "Wim", cpas_id=second.id, received_at=FILED)
    return {"a": first.name_fr, "b": second.name_fr}


@pytest.fixture
def english() -> Iterator[None]:
    previous = i18n.get_locale()
    i18n.set_locale("en")
    yield
    i18n.set_locale(previous)


def open_dialog(qtbot: Any, store: Any) -> Any:
    from amudesk.ui.statsdialog import StatisticsDialog

    dialog = StatisticsDialog(store, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.report is not None and not dialog.busy, timeout=20_000)
    return dialog


def test_the_table_shows_the_figures_of_a_group_and_the_total(
    qtbot: Any, store: Any, figures: dict[str, str], english: None
) -> None:
    dialog = open_dialog(qtbot, store)
    assert dialog.period() == (dt.date(2026, 1, 1), TODAY)
    assert dialog.grouping() == "cpas"
    a, b = figures["a"], figures["b"]
    assert dialog.table.cell(a, "filed") == "6"
    assert dialog.table.cell(a, "decided") == "6"
    assert dialog.table.cell(a, "waiting") == "0"
    assert dialog.table.cell(a, "median_days_to_decision") == "35"
    assert dialog.table.cell(a, "p90_days_to_decision") == "55"
    assert dialog.table.cell(a, "share_decided_within_30") == "50%"  # 10, 20, 30 of six
    assert dialog.table.cell(a, "median_days_to_notification") == "2"
    assert dialog.table.cell(a, "refusals") == "<5"  # two refusals: a small cell
    # CPAS B: two requests, every figure of it a small cell.
    assert dialog.table.cell(b, "filed") == "<5"
    assert dialog.table.cell(b, "median_days_to_decision") == "<5"
    assert dialog.table.cell(b, "oldest_wait") == "<5"
    assert dialog.table.cell("Total", "filed") == "8"
    assert dialog.table.cell("Total", "decided") == "7"
    assert dialog.table.cell("Total", "waiting") == "<5"
    assert dialog.table.cell("Total", "median_days_to_decision") == "30"  # 5, 10 … 60
    assert dialog.table.rowCount() == 3
    notes = dialog.notes.toPlainText()
    assert "requests still being prepared" in notes
    assert "<5" in notes  # the small-cell rule


def test_grouping_and_period_recompute(
    qtbot: Any, store: Any, figures: dict[str, str], english: None
) -> None:
    dialog = open_dialog(qtbot, store)
    dialog.group_combo.setCurrentIndex(dialog.group_combo.findData("month"))
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.by == "month")
    assert dialog.table.rowCount() == 2  # January 2026 and the total
    assert dialog.table.cell("January 2026", "filed") == "8"
    assert dialog.table.cell("Total", "filed") == "8"
    # A period without any request filed: only the total, of nothing.
    before = dialog.report
    dialog.set_dates(dt.date(2026, 2, 1), dt.date(2026, 3, 31))
    assert dialog.period_combo.currentData() == "custom"
    qtbot.waitUntil(lambda: dialog.report is not before and not dialog.busy, timeout=20_000)
    assert dialog.table.rowCount() == 1
    assert dialog.table.cell("Total", "filed") == "0"
    # Back to "this year" by the list.
    before = dialog.report
    dialog.period_combo.setCurrentIndex(dialog.period_combo.findData("year"))
    qtbot.waitUntil(lambda: dialog.report is not before and not dialog.busy, timeout=20_000)
    assert dialog.table.cell("Total", "filed") == "8"


def test_cancel_stops_a_long_computation(
    qtbot: Any,
    store: Any,
    figures: dict[str, str],
    english: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog(qtbot, store)
    shown = dialog.report
    stopped = threading.Event()
    finished: list[bool] = []
    real_collect = stats_service.collect

    def slow(**kwargs: Any) -> Any:
        progress = kwargs["progress"]
        try:
            for done in range(100_000):
                progress(done, 100_000)
                stopped.wait(0.002)  # a slow store, not a sleeping test
        except BaseException:
            stopped.set()
            raise
        finished.append(True)
        return real_collect(**kwargs)

    monkeypatch.setattr(stats_service, "collect", slow)
    with qtbot.waitSignal(dialog.bar.valueChanged, timeout=10_000):
        dialog.recompute()
    assert dialog.busy
    assert dialog.cancel_button.isVisible()
    assert not dialog.csv_button.isEnabled()
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert stopped.is_set() and not finished
    assert dialog.report is shown  # the previous figures stay
    assert "Cancelled" in dialog.status.text()
    assert dialog.csv_button.isEnabled()


def test_the_csv_export_writes_the_figures(
    qtbot: Any,
    store: Any,
    figures: dict[str, str],
    english: None,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog(qtbot, store)
    target = tmp_path_factory.mktemp("out") / "figures.csv"
    monkeypatch.setattr(dialog, "ask_path", lambda *_args: target)
    dialog.csv_button.click()
    assert target.exists(), dialog.status.text()
    text = target.read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("group,filed,decided")
    assert any(line.startswith(f"{figures['a']},6,6,0") for line in lines)
    assert any(line.startswith(f"{figures['b']},<5,<5,<5") for line in lines)
    assert any(line.startswith("total,8,7,<5") for line in lines)
    assert str(target) in dialog.status.text()


def test_the_extract_is_written_off_the_ui_thread(
    qtbot: Any,
    store: Any,
    figures: dict[str, str],
    english: None,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog(qtbot, store)
    target = tmp_path_factory.mktemp("out") / "extract.csv"
    monkeypatch.setattr(dialog, "ask_path", lambda *_args: target)
    dialog.extract_button.click()
    assert dialog.wait_for_task()
    text = target.read_text(encoding="utf-8-sig")
    assert text.startswith("format,version,")
    assert len(text.splitlines()) == 9  # the header and eight requests
    for name in ("Alpha0", "Beta0", "Waiting"):
        assert name not in text
    assert str(target) in dialog.status.text()


def test_a_failed_export_says_why(
    qtbot: Any,
    store: Any,
    figures: dict[str, str],
    english: None,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from amudesk.ui import statsdialog

    dialog = open_dialog(qtbot, store)
    missing = tmp_path_factory.mktemp("out") / "nowhere" / "figures.csv"
    monkeypatch.setattr(dialog, "ask_path", lambda *_args: missing)
    warned: list[str] = []
    monkeypatch.setattr(
        statsdialog.QMessageBox, "warning", lambda _parent, _title, text: warned.append(text)
    )
    dialog.csv_button.click()
    assert warned and "does not exist" in warned[0]
    assert not missing.exists()


def test_the_charts(qtbot: Any, store: Any, figures: dict[str, str], english: None) -> None:
    from PySide6 import QtCharts

    dialog = open_dialog(qtbot, store)
    series = dialog.distribution.chart.series()
    assert len(series) == 2  # the boxes and the 30-day line
    boxes = series[0]
    assert isinstance(boxes, QtCharts.QBoxPlotSeries)
    assert boxes.count() == 1  # CPAS A only: B has fewer than 5 decisions
    assert boxes.boxSets()[0].at(QtCharts.QBoxSet.ValuePositions.Median) == 35
    assert dialog.short_name(figures["b"]) in dialog.distribution.caption.text()
    assert "<5" in dialog.distribution.caption.text()
    axis = dialog.distribution.chart.axes()[0]
    assert isinstance(axis, QtCharts.QBarCategoryAxis)
    assert axis.categories() == [dialog.short_name(figures["a"])]
    assert dialog.short_name("CPAS d’Ixelles") == "Ixelles"
    # Over time: the total (January: 7 decisions); A has one month only, B too few.
    lines = dialog.medians.chart.series()
    assert [line.name() for line in lines] == ["Total", "Limit: 30 days"]
    assert lines[0].count() == 1 and lines[0].at(0).y() == 30
    assert "2 groups have fewer than two months" in dialog.medians.caption.text()
    # Refusals without any reason recorded: nothing to draw, said so.
    assert dialog.reasons.chart.series() == []
    assert "No refusal" in dialog.reasons.caption.text()


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_access_keys_are_unique(
    qtbot: Any, store: Any, figures: dict[str, str], language: str
) -> None:
    previous = i18n.get_locale()
    i18n.set_locale(language)
    try:
        dialog = open_dialog(qtbot, store)
        assert clashes_of("StatisticsDialog", dialog) == []
    finally:
        i18n.set_locale(previous)


def test_the_pdf_report_is_written(
    qtbot: Any,
    store: Any,
    figures: dict[str, str],
    english: None,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("amudesk.services.statsreport")
    dialog = open_dialog(qtbot, store)
    target = tmp_path_factory.mktemp("out") / "report.pdf"
    monkeypatch.setattr(dialog, "ask_path", lambda *_args: target)
    dialog.pdf_button.click()
    assert dialog.wait_for_task()
    assert target.read_bytes().startswith(b"%PDF"), dialog.status.text()
    assert str(target) in dialog.status.text()


def test_the_figures_are_counted_off_the_ui_thread_and_follow_the_grouping_chosen_meanwhile(
    qtbot: Any,
    store: Any,
    figures: dict[str, str],
    english: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Grouping a year of 100,000 people took a quarter of a second on the UI thread; the
    medians, percentiles and quartiles are now all computed in the task, the window only
    draws. A grouping chosen while the task runs is shown once it is over."""
    counted_in: list[bool] = []
    real = stats_service.shown
    release = threading.Event()

    def shown(collected: Any, *, by: str, language: str) -> Any:
        counted_in.append(threading.current_thread() is threading.main_thread())
        if by == "channel":
            release.wait(10)  # still counting when the grouping changes again
        return real(collected, by=by, language=language)

    monkeypatch.setattr(stats_service, "shown", shown)
    dialog = open_dialog(qtbot, store)
    dialog.group_combo.setCurrentIndex(dialog.group_combo.findData("channel"))
    assert dialog.busy
    dialog.group_combo.setCurrentIndex(dialog.group_combo.findData("month"))  # meanwhile
    release.set()
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.by == "month")
    assert not dialog.busy and dialog.table.cell("January 2026", "filed") == "8"
    assert counted_in == [False, False, False]  # the first reading, channel, then month


def test_a_grouping_chosen_while_a_file_is_written_is_shown_afterwards(
    qtbot: Any,
    store: Any,
    figures: dict[str, str],
    english: None,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_dialog(qtbot, store)
    target = tmp_path_factory.mktemp("out") / "extract.csv"
    monkeypatch.setattr(dialog, "ask_path", lambda *_args: target)
    dialog.extract_button.click()
    assert dialog.busy
    dialog.group_combo.setCurrentIndex(dialog.group_combo.findData("month"))
    assert dialog.report is not None and dialog.report.by == "cpas"  # not yet: writing
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.by == "month")
    assert target.exists() and dialog.table.cell("Total", "filed") == "8"
