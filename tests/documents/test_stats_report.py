"""The statistics report (PDF): the figures, the small-cell rule, the charts, the languages,
and no name, NISS or reference of the data."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from amudesk import i18n, stats
from amudesk.documents.layout import Letterhead
from amudesk.documents.statsreport import (
    StatsReportFacts,
    _box_plots,
    _monthly_chart,
    _reason_bars,
    render_stats_report,
)
from amudesk.services import stats as stats_service
from amudesk.services.statsreport import stats_report_pdf
from amudesk.stats import CaseRow
from amudesk.store import Store
from tests.documents.catalogs import translation_problems
from tests.documents.test_issue import make_request

pytestmark = pytest.mark.both_engines

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "amudesk" / "documents" / "statsreport.py"
A4 = (595.0, 842.0)
START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
LETTERHEAD = Letterhead(name="Service social Exemple", address="Rue 1, 1000 Bruxelles")

FIVE = "CPAS de Cinq"  # 5 requests: its counts print
FOUR = "CPAS de Quatre"  # 4 requests: every count prints "<5"
REFUSER = "CPAS de Saint-Josse-ten-Noode avec un nom très long qui doit passer à la ligne"


def row(cpas: str, month: str = "2026-03", **values: object) -> CaseRow:
    base: dict[str, object] = {"month": month, "channel": "in_person", "age_band": "30-44"}
    base.update(values)
    return CaseRow(cpas=cpas, **base)  # type: ignore[arg-type]


def rows() -> list[CaseRow]:
    found = [
        # Five decided in 10, 20, 30, 40, 50 days: median 30, 90th percentile 46, 3 of 5 within.
        row(FIVE, decision_kind="principle", days_to_decision=days, decided_within=days <= 30)
        for days in (10, 20, 30, 40, 50)
    ]
    found += [
        row(FOUR, decision_kind="guarantee", days_to_decision=days, decided_within=True)
        for days in (5, 6, 7, 8)
    ]
    # Seven refusals, in April: "another CPAS is competent" seven times, "no address" three.
    found += [
        row(
            REFUSER,
            month="2026-04",
            decision_kind="refusal",
            days_to_decision=60 + number,
            decided_within=False,
            reasons=("competence", "no-address") if number < 3 else ("competence",),
            unlawful=number < 3,
        )
        for number in range(7)
    ]
    return found


def facts(language: str = "fr", **changes: object) -> StatsReportFacts:
    data = rows()
    report = stats.figures(
        data,
        by="cpas",
        language=language,
        period_start=START,
        period_end=END,
        excluded_preparing=12,
        excluded_consent=6,
    )
    values: dict[str, object] = {
        "language": language,
        "letterhead": LETTERHEAD,
        "report": report,
        "monthly": stats.monthly_medians(data),
        "made_on": dt.date(2026, 7, 2),
        "kind_labels": {"refusal": "Refus"},
    }
    values.update(changes)
    return StatsReportFacts(**values)  # type: ignore[arg-type]


def pdf_lines(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]


def cells_after(lines: list[str], section: str, label: str, count: int) -> list[str]:
    """The ``count`` cells of the line of ``label`` in the table under ``section``."""
    start = lines.index(section)
    at = lines.index(label, start)
    return lines[at + 1 : at + 1 + count]


@pytest.mark.parametrize(
    ("language", "section", "dates"),
    [
        ("fr", "Requests and days to decision", ("1er janvier 2026", "30 juin 2026")),
        ("nl", "Requests and days to decision", ("1 januari 2026", "30 juni 2026")),
        ("en", "Requests and days to decision", ("1 January 2026", "30 June 2026")),
    ],
)
def test_the_figures_the_period_and_the_exclusions_print_in_each_language(
    language: str, section: str, dates: tuple[str, str]
) -> None:
    data = render_stats_report(facts(language))
    reader = PdfReader(io.BytesIO(data))
    assert all(
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) == A4
        for p in reader.pages
    )
    lines = pdf_lines(data)
    whole = "\n".join(lines)
    section = i18n.gettext_for(language, section)
    assert all(day in whole for day in dates)
    assert LETTERHEAD.name in whole
    # The exclusions: 12 requests being prepared, 6 of people who withdrew consent.
    prepared = i18n.gettext_for(language, "Left out: being prepared")
    withdrawn = i18n.gettext_for(language, "Left out: consent to statistics withdrawn")
    spaced = " ".join(lines)
    assert re.search(re.escape(prepared) + r" (\S+)", spaced).group(1) == "12"  # type: ignore[union-attr]
    assert re.search(re.escape(withdrawn) + r" (\S+)", spaced).group(1) == "6"  # type: ignore[union-attr]
    # Filed, decided, waiting, longest wait, median, 90th percentile, within 30 days.
    percent = {"fr": "60 %", "nl": "60%", "en": "60%"}[language]
    assert cells_after(lines, section, FIVE, 7) == ["5", "5", "0", "–", "30", "46", percent]
    assert cells_after(lines, section, FOUR, 7) == ["<5", "<5", "0", "–", "<5", "<5", "<5"]
    total = i18n.gettext_for(language, "Total")
    assert cells_after(lines, section, total, 3) == ["16", "16", "0"]
    # The small-cell rule is stated, and the notes say how each figure was counted.
    assert i18n.gettext_for(language, stats.SMALL_CELL_RULE)[:40] in whole.replace("\n", " ")
    assert i18n.gettext_for(language, "How each figure was counted") in whole


def test_refusals_by_reason_under_five_print_five_or_more_print_their_count() -> None:
    lines = pdf_lines(render_stats_report(facts("en")))
    section = "Refusals and incompetences by reason"
    start = lines.index(section)
    competent = lines.index("Another CPAS is competent", start)
    assert lines[competent + 1] == "7"
    no_address = lines.index("No address, or homeless", start)
    assert lines[no_address + 1] == "<5"
    # The long CPAS name wraps in the tables, every word printed.
    assert REFUSER.replace(" ", "") in "".join(lines).replace(" ", "")
    assert "3" not in lines[start:]  # the three "no address" never print as such


def strings(drawing: object) -> list[str]:
    from reportlab.graphics.shapes import String

    return [s.text for s in drawing.getContents() if isinstance(s, String)]  # type: ignore[attr-defined]


def shapes(drawing: object, kind: str) -> list[object]:
    return [s for s in drawing.getContents() if type(s).__name__ == kind]  # type: ignore[attr-defined]


def test_box_plots_draw_groups_of_five_and_label_smaller_ones() -> None:
    from amudesk.documents.layout import stylesheet

    given = facts("en")
    (drawing,) = _box_plots(given, lambda message: message, stylesheet().fonts)
    texts = strings(drawing)
    # Four rows (three groups and the total): the total, FIVE and REFUSER get a box; FOUR
    # none, "<5" in its place and as its median.
    assert texts.count("<5") == 2
    boxes = [r for r in shapes(drawing, "Rect") if r.fillColor.hexval() == "0xc9d9ee"]  # type: ignore[attr-defined]
    assert len(boxes) == 3
    assert "30 days" in texts
    assert "30" in texts  # FIVE's median, as in the table
    assert "6.5" not in texts  # FOUR's median (6.5) never prints


def test_monthly_medians_plot_months_of_five_and_label_smaller_ones() -> None:
    from amudesk.documents.layout import stylesheet

    data = [row("A", month="2026-01", days_to_decision=d) for d in (10, 12, 14, 16, 18)]
    data += [row("A", month="2026-02", days_to_decision=d) for d in (40, 41)]
    data += [row("A", month="2026-03", days_to_decision=d) for d in (20, 21, 22, 23, 24, 25)]
    given = facts("fr", monthly=stats.monthly_medians(data))
    drawing = _monthly_chart(given, lambda message: message, stylesheet().fonts)
    texts = strings(drawing)
    assert "14" in texts and "22,5" in texts  # January's and March's medians
    assert "<5" in texts and "40,5" not in texts  # February: 2 decisions
    assert len(shapes(drawing, "Circle")) == 2
    assert len(shapes(drawing, "PolyLine")) == 0  # a gap in February: no line across it


def test_reason_bars_have_no_bar_under_five() -> None:
    from amudesk.documents.layout import stylesheet

    drawing = _reason_bars(facts("en"), lambda message: message, stylesheet().fonts)
    texts = strings(drawing)
    assert "7" in texts and "<5" in texts and "3" not in texts
    assert "Another CPAS is competent" in texts
    legend = 3
    assert len(shapes(drawing, "Rect")) == 1 + legend  # one bar: "competent", 7


def test_a_report_of_the_store_prints_no_name_niss_or_reference(store: Store) -> None:
    request_ids = [
        make_request(store, family="Zyx-Ünique", given="Wévelyn", niss="85073003328"),
        make_request(store, family="Qorbanali", given="Ørnulf", niss="90020212372"),
    ]
    from amudesk.models import Request

    with store.session() as session:
        references = [session.get(Request, rid).reference for rid in request_ids]  # type: ignore[union-attr]
        collected = stats_service.collect(
            session=session, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
        )
        assert len(collected.rows) == 2
        for language in ("fr", "nl", "en"):
            data = stats_report_pdf(collected, by="cpas", language=language, session=session)
            whole = "\n".join(pdf_lines(data))
            assert "CPAS de Test" in whole  # the office's letterhead
            for secret in (
                "Zyx",
                "Ünique",
                "Wévelyn",
                "Qorbanali",
                "Ørnulf",
                "85073003328",
                "85.07.30",
                "90020212372",
                "90.02.02",
                *references,
            ):
                assert secret not in whole
                assert secret.encode() not in data
            assert "<5" in whole  # two requests


def test_the_report_by_month_and_by_channel(store: Store) -> None:
    make_request(store)
    with store.session() as session:
        collected = stats_service.collect(
            session=session, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
        )
        by_month = "\n".join(
            pdf_lines(stats_report_pdf(collected, by="month", language="fr", session=session))
        )
        by_channel = "\n".join(
            pdf_lines(stats_report_pdf(collected, by="channel", language="nl", session=session))
        )
    assert "mars 2026" in by_month  # the month of filing, as Babel writes it
    assert i18n.gettext_for("nl", "In person") in by_channel


def test_an_empty_period_renders() -> None:
    report = stats.figures([], period_start=START, period_end=END, language="en")
    data = render_stats_report(facts("en", report=report, monthly={}))
    whole = "\n".join(pdf_lines(data))
    assert "No request was decided in the period." in whole
    assert "No refusal or incompetence gave a reason in the period." in whole


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_message_is_translated(language: str) -> None:
    """Each message of the renderer is in the language's catalog, placeholders intact."""
    missing, bad_placeholders = translation_problems(SOURCE, language, {"CPAS", "Total"})
    assert missing == []
    assert bad_placeholders == []
