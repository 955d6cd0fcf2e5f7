"""The statistics report as a PDF: the office's letterhead, the figures of a period and
their charts (:mod:`amudesk.documents.statsreport` renders it, without the database)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from amudesk import stats
from amudesk.documents.layout import Letterhead
from amudesk.i18n import BRUSSELS, gettext_for
from amudesk.models import APPEAL_OUTCOME_LABELS, CHANNEL_LABELS, DECISION_LABELS
from amudesk.services.office import get_office
from amudesk.services.stats import Collected


def stats_report_pdf(collected: Collected, *, by: str, language: str, session: Session) -> bytes:
    """The PDF report of ``collected`` grouped ``by`` ("cpas", "month" or "channel") in
    ``language`` ("fr", "nl" or "en"), on the office's letterhead (its name alone, "AMU
    Desk", before the office profile is filled in). Every number printed follows the
    small-cell rule; the rows hold no name, NISS or reference."""
    from amudesk.documents.statsreport import StatsReportFacts, render_stats_report

    office = get_office(session=session)
    letterhead = (
        Letterhead.from_office(office, language) if office is not None else Letterhead("AMU Desk")
    )

    def translated(labels: dict[Any, str]) -> dict[str, str]:
        return {str(key): gettext_for(language, label) for key, label in labels.items()}

    facts = StatsReportFacts(
        language=language,
        letterhead=letterhead,
        report=collected.report(by=by, language=language),
        monthly=stats.monthly_medians(collected.rows),
        made_on=dt.datetime.now(ZoneInfo(BRUSSELS)).date(),
        group_labels=translated(CHANNEL_LABELS),
        kind_labels=translated(DECISION_LABELS),
        outcome_labels=translated(APPEAL_OUTCOME_LABELS),
    )
    return render_stats_report(facts)
