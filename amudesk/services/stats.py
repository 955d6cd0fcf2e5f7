"""The statistics' rows read from the store: one :class:`amudesk.stats.CaseRow` per request.

A few plain SQL queries read what the figures need (read as text and parsed with the C
date parsers, as :mod:`amudesk.services.clock` does); the legal clock says when each
limit falls due. Nothing that names a person leaves this module: no name, NISS, birth
date (only an age band) or reference.

The window and the PDF report call :func:`collect` (rows and exclusions), then
:func:`amudesk.stats.figures`; the command line does the same, or writes
:func:`amudesk.stats.extract_bytes` of the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from amudesk.deadlines import CaseFacts, Clock, DecisionFacts, paused_gc
from amudesk.i18n import BRUSSELS
from amudesk.refusals import UNLAWFUL_KEYS
from amudesk.settings import ClockSettings
from amudesk.stats import (
    CaseRow,
    Report,
    Spread,
    band_between,
    birth_range,
    figures,
    group_order,
    monthly_medians,
    spread,
)

POSITIVE = frozenset({"principle", "guarantee"})
REGISTERED = "registered"
ONE_DAY = dt.timedelta(days=1)
AGE_CAP = 65  # every age from it on is in the last band
# Birthdays giving each age from 0 to AGE_CAP on 1 January 2000: the band of each age.
_BIRTHS_2000 = [dt.date(2000 - age, 1, 1) for age in range(AGE_CAP + 1)]


@dataclass
class Collected:
    """The rows of a period and what was left out."""

    rows: list[CaseRow]
    period_start: dt.date
    period_end: dt.date
    excluded_preparing: int  # requests being prepared (no filing, never counted)
    excluded_consent: int  # requests in the period of people who withdrew consent
    # The rows name a CPAS by its French name (a key every office's extract shares); its
    # Dutch name, for figures shown in Dutch.
    dutch_names: dict[str, str] = field(default_factory=dict)

    def report(self, *, by: str = "cpas", language: str = "en") -> Report:
        """:func:`amudesk.stats.figures` of these rows, with the period and exclusions; in
        Dutch, the CPAS groups take their Dutch names (and their order)."""
        report = figures(
            self.rows,
            by=by,
            language=language,
            period_start=self.period_start,
            period_end=self.period_end,
            excluded_preparing=self.excluded_preparing,
            excluded_consent=self.excluded_consent,
        )
        if by == "cpas" and language == "nl" and self.dutch_names:
            for group in report.groups:
                group.group = self.dutch_names.get(group.group, group.group)
            report.groups.sort(key=lambda group: group_order(group.group))
        return report


@dataclass
class Shown:
    """What the statistics window shows of a period's rows grouped one way, computed off
    the UI thread (a tenth to a quarter of a second for a year of 100,000 people): the
    report, and the monthly medians of days to decision, in all and per group (none when
    grouped by month)."""

    report: Report
    figures: list[dict[str, Any]]  # as_json of each group, then of the total
    spreads: dict[str, Spread | None]  # each group's box of days to decision
    medians: dict[str, Any]  # month → {"median", "decided"}
    medians_per_group: dict[str, dict[str, Any]]  # group → month → the same


def shown(collected: Collected, *, by: str, language: str) -> Shown:
    """:class:`Shown` of ``collected`` grouped ``by``, its notes and names in ``language``:
    every median, percentile and quartile is computed here (sorting every group's days),
    so that the window only draws."""
    report = collected.report(by=by, language=language)
    figures = [group.as_json(language) for group in [*report.groups, report.total]]
    spreads = {group.group: spread(group.days_to_decision) for group in report.groups}
    per_group = monthly_medians(collected.rows, by=by) if by != "month" else {}
    return Shown(report, figures, spreads, monthly_medians(collected.rows), per_group)


class DueDays:
    """The due days of the decision, notification and MediPrima limits as the legal clock
    counts them, asked of :class:`amudesk.deadlines.Clock` once per start day; days as
    ordinals (:meth:`datetime.date.toordinal`), for the arithmetic of 100,000 rows."""

    LIMITS = ("decision", "notification", "mediprima")

    def __init__(self, settings: ClockSettings, today: dt.date) -> None:
        self._clock = Clock(
            today=today, language="en", move_administrative=settings.move_administrative
        )
        self.known: dict[int, tuple[int, int, int]] = {}  # start day → due days

    def of(self, day: int) -> tuple[int, int, int]:
        """(decision, notification, MediPrima): the due day of each limit whose start
        event (request received, decision taken) is the day ``day``."""
        found = self.known.get(day)
        if found is None:
            start = dt.date.fromordinal(day)
            case = CaseFacts(0, "", start, (DecisionFacts("guarantee", start),))
            due = {
                deadline.rule: deadline.due
                for deadline in self._clock.deadlines(case)
                if deadline.rule in self.LIMITS and deadline.due is not None
            }
            decision, notification, mediprima = (due[rule] for rule in self.LIMITS)
            found = (decision.toordinal(), notification.toordinal(), mediprima.toordinal())
            self.known[day] = found
        return found


class _Ordinals(dict[str, int]):
    """'YYYY-MM-DD' → its day's ordinal, each text parsed once."""

    def __missing__(self, text: str) -> int:
        ordinal = self[text] = dt.date.fromisoformat(text[:10]).toordinal()
        return ordinal


def collect(
    *,
    session: Session,
    start: dt.date,
    end: dt.date,
    settings: ClockSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Collected:
    """The rows of the requests received from ``start`` to ``end`` (both included, days in
    Brussels), evaluated as of ``end``: an event after it is not seen. Requests being
    prepared and those of people who withdrew their consent to statistics are left out and
    counted. ``progress(done, total)`` is called now and then (it may raise to stop)."""
    settings = settings or ClockSettings()
    brussels = ZoneInfo(BRUSSELS)
    connection = session.connection()
    raw = connection.connection.cursor()  # the driver's own rows: a third of the time

    sqlite = connection.dialect.name == "sqlite"

    def query(sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        raw.execute(sql if sqlite else sql.replace("?", "%s"), params)
        return list(raw.fetchall())

    def t(column: str) -> str:
        """A date or moment read as ISO text, as SQLite stores it (PostgreSQL gives objects)."""
        return column if sqlite else f"CAST({column} AS TEXT)"

    # received_at is stored in UTC as text: a day of margin each side, then exact in Brussels.
    low = (start - ONE_DAY).isoformat()
    high = (end + 2 * ONE_DAY).isoformat()
    window = "r.received_at >= ? AND r.received_at < ?"
    with paused_gc():
        preparing = connection.exec_driver_sql(
            "SELECT COUNT(*) FROM request WHERE received_at IS NULL"
        ).scalar_one()
        withdrawn = _withdrawn_people(query)
        cpas_names: dict[int, str] = dict(
            connection.exec_driver_sql("SELECT id, name_fr FROM cpas").all()
        )
        requests = query(
            f"SELECT r.id, {t('r.received_at')}, r.channel, r.cpas_id, {t('r.transferred_on')}, "
            f"{t('r.appealed_on')}, {t('r.first_filed_on')}, r.previous_id, r.person_id "
            f"FROM request r WHERE {window} ORDER BY r.id",
            (low, high),
        )
        births = dict(query("SELECT id, birth_date FROM person"))
        decisions: dict[int, list[tuple[Any, ...]]] = {}
        wanted = {request[0] for request in requests}
        # The whole table, filtered here: quicker than the index for a year out of two.
        # The CPAS's act is the posting of a registered letter (as the clock counts it).
        notified = (
            f"CASE WHEN d.notification_method = '{REGISTERED}' AND d.posted_on IS NOT NULL "
            f"THEN {t('d.posted_on')} ELSE {t('d.notified_on')} END"
        )
        for row in query(
            f"SELECT d.request_id, d.id, d.kind, {t('d.decided_on')}, {notified}, "
            f"{t('d.valid_from')}, {t('d.valid_to')}, {t('d.encoded_on')} "
            "FROM decision d WHERE d.decided_on <= ?",
            (end.isoformat(),),
        ):
            if row[0] in wanted:
                decisions.setdefault(row[0], []).append(row)
        for found in decisions.values():
            if len(found) > 1:
                found.sort(key=lambda d: (d[3], d[1]))  # oldest first, as the clock reads them
        reasons: dict[int, list[str]] = {}
        # Every reason, those of other periods' decisions never asked for: a third of the
        # time of joining the period's requests to choose them.
        for decision_id, key in query(
            "SELECT x.decision_id, x.key FROM decision_reason x ORDER BY x.decision_id, x.id"
        ):
            reasons.setdefault(decision_id, []).append(key)
        appeals: dict[int, tuple[str, str | None, str | None]] = {}
        for request_id, filed_on, outcome, outcome_on in query(
            f"SELECT a.request_id, {t('a.filed_on')}, a.outcome, {t('a.outcome_on')} FROM appeal a "
            f"JOIN request r ON r.id = a.request_id WHERE {window} AND a.filed_on <= ? "
            "ORDER BY a.request_id, a.filed_on, a.id",
            (low, high, end.isoformat()),
        ):
            appeals.setdefault(request_id, (filed_on, outcome, outcome_on))
        rows = _rows(
            requests,
            decisions,
            reasons,
            appeals,
            cpas_names,
            withdrawn,
            births,
            start,
            end,
            DueDays(settings, end),
            brussels,
            progress,
        )
        # Freed before the collector runs again: it then looks at the rows alone, not at
        # every tuple read (a tenth of a second on a year of 100,000 people).
        del requests, births, decisions, wanted, reasons, appeals
    built, consent = rows
    dutch = {
        str(name_fr): str(name_nl)
        for name_fr, name_nl in query("SELECT name_fr, name_nl FROM cpas")
        if name_nl
    }
    return Collected(built, start, end, int(preparing), consent, dutch)


def _withdrawn_people(query: Callable[[str], list[tuple[Any, ...]]]) -> set[int]:
    """People whose consent to statistics is withdrawn (on whatever day: a withdrawal is
    honoured whenever the report is made) and not given again since."""
    withdrawn: dict[int, str] = {}
    current: dict[int, str] = {}
    for person_id, given_on, withdrawn_on, uses in query(
        "SELECT person_id, given_on, withdrawn_on, uses FROM consent WHERE person_id IN "
        "(SELECT person_id FROM consent WHERE withdrawn_on IS NOT NULL)"
    ):
        if "statistics" not in str(uses).split(","):
            continue
        if withdrawn_on is None:
            current[person_id] = max(current.get(person_id, ""), str(given_on))
        else:
            withdrawn[person_id] = max(withdrawn.get(person_id, ""), str(withdrawn_on))
    return {
        person
        for person, day in withdrawn.items()
        if person not in current or current[person] <= day  # given again after: counted
    }


def _rows(
    requests: Sequence[tuple[Any, ...]],
    decisions: dict[int, list[tuple[Any, ...]]],
    reasons: dict[int, list[str]],
    appeals: dict[int, tuple[str, str | None, str | None]],
    cpas_names: dict[int, str],
    withdrawn: set[int],
    birth_dates: dict[int, str | None],
    start: dt.date,
    end: dt.date,
    dues: DueDays,
    brussels: ZoneInfo,
    progress: Callable[[int, int], None] | None,
) -> tuple[list[CaseRow], int]:
    # Days are ordinals and dates stay text until needed: about 100,000 rows a year, so
    # every step of the loop counts (half the time of dates and timedeltas).
    parse = dt.datetime.fromisoformat
    utc = dt.UTC
    day = _Ordinals()
    first_day, last_day = start.toordinal(), end.toordinal()
    end_text = end.isoformat()
    rows: list[CaseRow] = []
    append = rows.append
    left_out = 0
    total = len(requests)
    filed_days: dict[str, int] = {}
    months: dict[int, tuple[str, int, int]] = {}  # filing day → (month, year, MMDD)
    births: dict[str | None, tuple[int, int, int, int] | None] = {}
    band_of_age = [band_between((born, born), dt.date(2000, 1, 1)) for born in _BIRTHS_2000]
    due_of = dues.known.get
    due_days = dues.of
    no_decision = None
    for number, request in enumerate(requests):
        if progress is not None and number % 10_000 == 0:
            progress(number, total)
        (
            rid,
            received_at,
            channel,
            cpas_id,
            transferred_on,
            appealed_on,
            first_filed_on,
            previous_id,
            person_id,
        ) = request
        hour = received_at[:13] + received_at[26:]  # Brussels days change on the hour
        filed = filed_days.get(hour)
        if filed is None:
            received = parse(received_at)
            if received.tzinfo is None:
                received = received.replace(tzinfo=utc)
            filed = filed_days[hour] = received.astimezone(brussels).date().toordinal()
        if filed < first_day or filed > last_day:
            continue
        if person_id in withdrawn:
            left_out += 1
            continue
        calendar = months.get(filed)
        if calendar is None:
            filed_date = dt.date.fromordinal(filed)
            calendar = months[filed] = (
                filed_date.isoformat()[:7],
                filed_date.year,
                filed_date.month * 100 + filed_date.day,
            )
        month, year, on = calendar
        birth_date = birth_dates.get(person_id)
        if birth_date in births:
            born = births[birth_date]
        else:
            span = birth_range(birth_date)
            born = births[birth_date] = (
                None
                if span is None
                else (
                    span[0].year,
                    span[0].month * 100 + span[0].day,
                    span[1].year,
                    span[1].month * 100 + span[1].day,
                )
            )
        if born is None:
            band = "unknown"
        else:  # ages from the earliest and the latest possible birthday: one band, or unknown
            oldest = year - born[0] - (on < born[1])
            youngest = year - born[2] - (on < born[3])
            if youngest < 0:
                band = "unknown"
            else:
                band = band_of_age[min(youngest, AGE_CAP)]
                if band != band_of_age[min(oldest, AGE_CAP)]:
                    band = "unknown"
        found = decisions.get(rid)
        if not found:
            decision_due = (due_of(filed) or due_days(filed))[0]
            append(
                CaseRow(  # positional, in the order of CaseRow's fields: the quickest
                    cpas_names.get(cpas_id, ""),
                    month,
                    channel or "",
                    band,
                    "",
                    no_decision,
                    False if last_day > decision_due else None,
                    None,
                    None,
                    None,
                    None,
                    (),
                    False,
                    transferred_on is not None and transferred_on <= end_text,
                    None if previous_id is None else _days_lost(first_filed_on, filed, day),
                    *_appeal(appeals.get(rid), appealed_on, end_text),
                    None,
                    (),
                    last_day - filed,
                )
            )
            continue
        first = found[0]
        kind = first[2]
        decided = day[first[3]]
        decision_due = (due_of(filed) or due_days(filed))[0]
        _, notification_due, mediprima_due = due_of(decided) or due_days(decided)
        days_to_notification = days_to_encoding = None
        notified_within = encoded_within = None
        notified_text = first[4]  # the posting day of a registered letter
        if notified_text is not None and notified_text <= end_text:
            notified = day[notified_text]
            days_to_notification = notified - decided
            notified_within = notified <= notification_due
        elif last_day > notification_due:
            notified_within = False
        first_reasons: tuple[str, ...] = ()
        if kind in POSITIVE:
            encoded_text = first[7]
            if encoded_text is not None and encoded_text <= end_text:
                encoded = day[encoded_text]
                days_to_encoding = encoded - decided
                encoded_within = encoded <= mediprima_due
            elif last_day > mediprima_due:
                encoded_within = False
        else:
            first_reasons = tuple(reasons.get(first[1], ()))
        days_to_care = None
        gaps: tuple[int, ...] = ()
        if len(found) == 1:
            if kind == "guarantee":
                days_to_care = decided - filed
        else:
            days_to_care, gaps = _coverage(found, filed, day)
        append(
            CaseRow(
                cpas_names.get(cpas_id, ""),
                month,
                channel or "",
                band,
                kind,
                decided - filed,
                decided <= decision_due,
                days_to_notification,
                notified_within,
                days_to_encoding,
                encoded_within,
                first_reasons,
                bool(first_reasons) and not UNLAWFUL_KEYS.isdisjoint(first_reasons),
                transferred_on is not None and transferred_on <= end_text,
                None if previous_id is None else _days_lost(first_filed_on, filed, day),
                *_appeal(appeals.get(rid), appealed_on, end_text),
                days_to_care,
                gaps,
                None,
            )
        )
    if progress is not None:
        progress(total, total)
    return rows, left_out


def _days_lost(first_filed_on: str | None, filed: int, day: _Ordinals) -> int | None:
    """A follow-on request: the days from its first filing to its receipt here."""
    if first_filed_on is None:
        return None
    return max(0, filed - day[first_filed_on])


def _appeal(
    appeal: tuple[str, str | None, str | None] | None, appealed_on: str | None, end_text: str
) -> tuple[bool, str]:
    """(appealed, outcome) by the period's end: the first appeal's outcome, "pending"
    while it has none, "" without an appeal."""
    if appeal is None and (appealed_on is None or appealed_on > end_text):
        return False, ""
    if appeal is not None and appeal[1] and appeal[2] and appeal[2] <= end_text:
        return True, appeal[1]
    return True, "pending"


def _coverage(
    found: Sequence[tuple[Any, ...]], filed: int, day: _Ordinals
) -> tuple[int | None, tuple[int, ...]]:
    """(days to care, renewal gaps) of a request's decisions, oldest first: the days from
    filing to the first coverage guarantee, and the uncovered days before each renewal."""
    days_to_care = None
    previous_to: int | None = None
    gaps: list[int] = []
    for decision in found:
        if decision[2] != "guarantee":
            continue
        if days_to_care is None:
            days_to_care = day[decision[3]] - filed
        valid_from = day[decision[5]] if decision[5] else None
        if previous_to is not None and valid_from is not None:
            gaps.append(max(0, valid_from - previous_to - 1))
        if decision[6]:
            previous_to = day[decision[6]]
    return days_to_care, tuple(gaps)
