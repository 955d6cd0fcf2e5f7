"""The legal clock over the database: facts read in bulk, deadlines computed, marks kept.

``amudesk.deadlines`` counts; this module reads what it needs (two queries for any
number of cases), runs the count in chunks with a progress callback (:func:`count`,
the one clock the board, the alerts and every other caller use), remembers which
deadlines a user marked handled or snoozed, and writes the calendar file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlmodel import Session, col

from amudesk import outputs
from amudesk.dates import brussels_today
from amudesk.deadlines import (
    RULES,
    RUNNING_STATES,
    CaseFacts,
    Deadline,
    DecisionFacts,
    Mark,
    compute_all,
    paused_gc,
)
from amudesk.i18n import BRUSSELS, _
from amudesk.models import Cpas, DeadlineMark, Decision, Request
from amudesk.models.base import utcnow
from amudesk.services import FieldError, appeals, audit
from amudesk.services import validation as v
from amudesk.services.cases import (
    filed_at,
    get_request,
    local_date,
    request_to_edit,
    save_request,
)
from amudesk.settings import ClockSettings as ClockSettings  # still importable here
from amudesk.store import Store

MARK_KINDS = ("handled", "snoozed")
# Requests whose next time limit must be recounted before the session commits (read by
# amudesk.services.nextdue's hook, which also collects what the ORM flushed).
DIRTY_KEY = "amudesk.nextdue.dirty"
CHUNK = 5000  # requests counted between two calls of ``progress``

Progress = Callable[[int, int], None]


def today_in_brussels() -> dt.date:
    return brussels_today()


def case_facts(
    *, session: Session, request_ids: Sequence[int] | None = None, cpas_id: int | None = None
) -> list[CaseFacts]:
    """What the clock needs about the given requests (all of them when None), in two queries."""
    with paused_gc():
        if session.get_bind().dialect.name == "sqlite":
            return _sqlite_case_facts(session, request_ids, cpas_id)
        return _portable_case_facts(session, request_ids, cpas_id)


_DECISION_COLUMNS = (
    "d.request_id, d.kind, d.decided_on, d.notified_on, d.notification_method, d.posted_on, "
    "d.missing_mentions, d.valid_from, d.valid_to, d.encoded_on"
)
_REQUEST_COLUMNS = (
    "r.id, r.reference, r.received_at, r.care_started_on, r.care_kind, r.channel, "
    "r.transferred_on, r.appealed_on, r.cpas_id, r.closed_on, r.first_filed_on, "
    "r.previous_id, r.spp_referred_on, r.urgent"
)


def _sqlite_case_facts(
    session: Session, request_ids: Sequence[int] | None, cpas_id: int | None
) -> list[CaseFacts]:
    """The same facts read as plain text from SQLite and parsed with the C date parsers:
    about four times faster than going through the ORM's type processing for 100,000 rows."""
    where = ""
    params: tuple[int, ...] = ()
    if request_ids is not None:
        ids = sorted({int(i) for i in request_ids})
        where = f" WHERE r.id IN ({','.join(map(str, ids)) or 'NULL'})"
    elif cpas_id is not None:
        where, params = " WHERE r.cpas_id = ?", (int(cpas_id),)
    day = _iso_date
    connection = session.connection()
    by_request: dict[int, list[DecisionFacts]] = {}
    decisions = connection.exec_driver_sql(
        f"SELECT {_DECISION_COLUMNS} FROM decision d JOIN request r ON r.id = d.request_id"
        f"{where} ORDER BY d.request_id, d.decided_on, d.id",
        params,
    ).all()
    for row in decisions:
        by_request.setdefault(row[0], []).append(
            DecisionFacts(
                row[1],
                day(row[2]),  # type: ignore[arg-type]
                day(row[3]),
                row[4],
                day(row[5]),
                tuple(row[6].split(",")) if row[6] else (),
                day(row[7]),
                day(row[8]),
                day(row[9]),
            )
        )
    brussels = ZoneInfo(BRUSSELS)
    utc = dt.UTC
    parse = dt.datetime.fromisoformat
    facts = []
    requests = connection.exec_driver_sql(
        f"SELECT {_REQUEST_COLUMNS} FROM request r{where} ORDER BY r.id", params
    ).all()
    for row in requests:
        if row[2] is None:  # being prepared: no clock runs
            continue
        received = parse(row[2])
        if received.tzinfo is None:
            received = received.replace(tzinfo=utc)
        facts.append(
            CaseFacts(
                row[0],
                row[1],
                received.astimezone(brussels).date(),
                tuple(by_request.get(row[0], ())),
                day(row[3]),
                row[4],
                row[5],
                day(row[6]),
                day(row[7]),
                row[8],
                day(row[9]),
                day(row[10]),
                row[11] is not None,
                day(row[12]),
                bool(row[13]),
            )
        )
    return facts


def _iso_date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _portable_case_facts(
    session: Session, request_ids: Sequence[int] | None, cpas_id: int | None
) -> list[CaseFacts]:
    requests = select(
        col(Request.id),
        col(Request.reference),
        col(Request.received_at),
        col(Request.care_started_on),
        col(Request.care_kind),
        col(Request.channel),
        col(Request.transferred_on),
        col(Request.appealed_on),
        col(Request.cpas_id),
        col(Request.closed_on),
        col(Request.first_filed_on),
        col(Request.previous_id),
        col(Request.spp_referred_on),
        col(Request.urgent),
    ).order_by(col(Request.id))
    decisions = select(
        col(Decision.request_id),
        col(Decision.kind),
        col(Decision.decided_on),
        col(Decision.notified_on),
        col(Decision.notification_method),
        col(Decision.posted_on),
        col(Decision.missing_mentions),
        col(Decision.valid_from),
        col(Decision.valid_to),
        col(Decision.encoded_on),
    ).order_by(col(Decision.request_id), col(Decision.decided_on), col(Decision.id))
    if request_ids is not None:
        requests = requests.where(col(Request.id).in_(request_ids))
        decisions = decisions.where(col(Decision.request_id).in_(request_ids))
    if cpas_id is not None:
        requests = requests.where(col(Request.cpas_id) == cpas_id)
        decisions = decisions.join(Request, col(Request.id) == col(Decision.request_id)).where(
            col(Request.cpas_id) == cpas_id
        )
    by_request: dict[int, list[DecisionFacts]] = {}
    for row in session.execute(decisions):
        by_request.setdefault(row[0], []).append(
            DecisionFacts(
                kind=row[1],
                decided_on=row[2],
                notified_on=row[3],
                notification_method=row[4],
                posted_on=row[5],
                missing_mentions=tuple(code for code in (row[6] or "").split(",") if code),
                valid_from=row[7],
                valid_to=row[8],
                encoded_on=row[9],
            )
        )
    brussels = ZoneInfo(BRUSSELS)
    facts = []
    for row in session.execute(requests):
        received: dt.datetime | None = row[2]
        if received is None:  # being prepared: no clock runs
            continue
        if received.tzinfo is None:
            received = received.replace(tzinfo=dt.UTC)
        facts.append(
            CaseFacts(
                request_id=row[0],
                reference=row[1],
                received_on=received.astimezone(brussels).date(),
                decisions=tuple(by_request.get(row[0], ())),
                care_started_on=row[3],
                care_kind=row[4],
                channel=row[5],
                transferred_on=row[6],
                appealed_on=row[7],
                cpas_id=row[8],
                closed_on=row[9],
                first_filed_on=row[10],
                follow_on=row[11] is not None,
                spp_referred_on=row[12],
                urgent=bool(row[13]),
            )
        )
    return facts


def marks(
    *, session: Session, request_ids: Sequence[int] | None = None
) -> dict[tuple[int, str], Mark]:
    statement = select(DeadlineMark)
    if request_ids is not None:
        statement = statement.where(col(DeadlineMark.request_id).in_(request_ids))
    return {
        (mark.request_id, mark.rule): Mark(kind=mark.kind, reason=mark.reason, until=mark.until)
        for mark in session.scalars(statement)
    }


def deadlines(
    *,
    session: Session,
    today: dt.date | None = None,
    language: str = "en",
    settings: ClockSettings | None = None,
    request_ids: Sequence[int] | None = None,
    cpas_id: int | None = None,
    progress: Progress | None = None,
) -> list[Deadline]:
    """Every deadline of the given requests (all when None), evaluated on ``today``;
    ``progress`` as for :func:`count`."""
    return count(
        case_facts(session=session, request_ids=request_ids, cpas_id=cpas_id),
        today=today,
        language=language,
        settings=settings,
        marks=marks(session=session, request_ids=request_ids),
        progress=progress,
    )


def all_deadlines(
    store: Store,
    *,
    today: dt.date | None = None,
    language: str = "en",
    settings: ClockSettings | None = None,
    progress: Progress | None = None,
) -> tuple[list[Deadline], int]:
    """Every deadline of every request, and the number of requests (for a worker: the
    session is closed before the counting starts). ``progress(0, 0)`` first, then as
    for :func:`count`."""
    if progress is not None:
        progress(0, 0)
    with store.session() as session:
        facts = case_facts(session=session)
        found = marks(session=session)
    return count(
        facts, today=today, language=language, settings=settings, marks=found, progress=progress
    ), len(facts)


def count(
    facts: Sequence[CaseFacts],
    *,
    today: dt.date | None = None,
    language: str = "en",
    settings: ClockSettings | None = None,
    marks: Mapping[tuple[int, str], Mark] | None = None,
    progress: Progress | None = None,
) -> list[Deadline]:
    """The clock: the deadlines of ``facts``, in their order, evaluated on ``today``.

    Counted :data:`CHUNK` requests at a time; after each chunk ``progress(done, total)``
    is called (requests counted, requests in all), and may raise to stop the count."""
    settings = settings or ClockSettings()
    today = today or today_in_brussels()
    marks = marks or {}
    result: list[Deadline] = []
    total = len(facts)
    with paused_gc():
        for start in range(0, total, CHUNK):
            chunk = facts[start : start + CHUNK]
            if start == 0 and len(chunk) == total:
                chunk_marks = marks
            else:
                ids = {case.request_id for case in chunk}
                chunk_marks = {key: mark for key, mark in marks.items() if key[0] in ids}
            result.extend(
                compute_all(
                    chunk,
                    today=today,
                    language=language,
                    move_administrative=settings.move_administrative,
                    marks=chunk_marks,
                )
            )
            if progress is not None:
                progress(min(start + CHUNK, total), total)
    return result


def mark_deadline(
    request_id: int,
    rule: str,
    *,
    session: Session,
    kind: str,
    reason: str = "",
    until: dt.date | None = None,
    today: dt.date | None = None,
) -> DeadlineMark:
    """Mark a deadline handled, or snooze it until a day; one mark per deadline, the last wins."""
    get_request(request_id, session=session)
    if rule not in RULES:
        raise FieldError("rule", _("Time limit: unknown rule {rule}.").format(rule=rule))
    if kind not in MARK_KINDS:
        raise FieldError("kind", _("Mark: choose handled or snoozed."))
    reason = v.note(reason, "reason", _("Reason"), max_length=300)
    if kind == "snoozed":
        if until is None:
            raise FieldError("until", _("Snooze until: give the day the reminder comes back."))
        if until <= (today or today_in_brussels()):
            raise FieldError("until", _("Snooze until: choose a day after today."))
        if not reason:
            raise FieldError("reason", _("Reason: say why the reminder is snoozed."))
    else:
        until = None
    mark = session.scalar(
        select(DeadlineMark).where(
            col(DeadlineMark.request_id) == request_id, col(DeadlineMark.rule) == rule
        )
    ) or DeadlineMark(request_id=request_id, rule=rule, kind=kind)
    mark.kind, mark.reason, mark.until, mark.created_at = kind, reason, until, utcnow()
    mark.actor = audit.current_actor(session)
    created, fields = mark.id is None, audit.changed_fields(mark)
    session.add(mark)
    session.flush()
    audit.record_saved(
        "deadline_mark",
        mark.id,
        session=session,
        created=created,
        fields=fields,
        reference=_reference_of(request_id, session),
    )
    return mark


def clear_mark(request_id: int, rule: str, *, session: Session) -> None:
    removed = session.execute(
        delete(DeadlineMark).where(
            col(DeadlineMark.request_id) == request_id, col(DeadlineMark.rule) == rule
        )
    )
    session.flush()
    touch([request_id], session=session)  # deleted without the ORM: the hook would not see it
    if getattr(removed, "rowcount", 0):
        audit.record(
            "delete",
            session=session,
            entity="deadline_mark",
            reference=_reference_of(request_id, session),
            detail=f"rule={rule}",
        )


def touch(request_ids: Iterable[int], *, session: Session) -> None:
    """Have the next limits of ``request_ids`` recounted before ``session`` commits: for
    rows written or deleted without the ORM (bulk inserts, deletes), which the hooks of
    :mod:`amudesk.services.nextdue` do not see."""
    session.info.setdefault(DIRTY_KEY, set()).update(int(i) for i in request_ids)


def _reference_of(request_id: int, session: Session) -> str:
    request = session.get(Request, request_id)
    return request.reference if request is not None else ""


def record_transfer(
    request_id: int,
    day: dt.date | None,
    *,
    session: Session,
    to_cpas_id: int | None = None,
    version: int | None = None,
) -> Request:
    """The day the request was sent on to the competent CPAS, and to which (``to_cpas_id``,
    None when not known); a day of None clears both. ``version``: the request's, as the
    form showed it (amudesk.services.editing)."""
    request = request_to_edit(request_id, version, session=session)
    if day is not None:  # the day first: nothing is set on the request before it is checked
        v.not_in_future(day, "transferred_on", _("Transferred on"))
        if day < local_date(filed_at(request)):
            raise FieldError(
                "transferred_on", _("Transferred on: the transfer cannot come before the request.")
            )
    if day is not None and to_cpas_id is not None:
        if to_cpas_id == request.cpas_id:
            raise FieldError(
                "transferred_to_id",
                _("Sent to: choose another CPAS than the one that received the request."),
            )
        if session.get(Cpas, to_cpas_id) is None:
            raise FieldError("transferred_to_id", _("Sent to: this CPAS is not in the directory."))
    request.transferred_to_id = to_cpas_id if day is not None else None
    return _record_event_day(
        request_id,
        day,
        "transferred_on",
        _("Transferred on"),
        _("Transferred on: the transfer cannot come before the request."),
        session=session,
    )


def record_appeal(
    request_id: int, day: dt.date | None, *, session: Session, version: int | None = None
) -> Request:
    """The day the claimant appealed to the labour court (None to clear): the first appeal
    recorded (``services.appeals``, which keeps the request's ``appealed_on``).
    ``version``: the request's, as the form showed it."""
    request = request_to_edit(request_id, version, session=session)
    if day is not None:
        v.not_in_future(day, "appealed_on", _("Appealed on"))
        if day < local_date(filed_at(request)):
            raise FieldError(
                "appealed_on", _("Appealed on: the appeal cannot come before the request.")
            )
    appeals.set_first_filing(request_id, day, session=session)
    return request


def _record_event_day(
    request_id: int,
    day: dt.date | None,
    field: str,
    label: str,
    too_early: str,
    *,
    session: Session,
) -> Request:
    """Set (or clear) the day of an event of the request in ``field``: not in the future,
    not before the request; audited as a change of the request."""
    request = get_request(request_id, session=session)
    if day is not None:
        v.not_in_future(day, field, label)
        if day < local_date(filed_at(request)):
            raise FieldError(field, too_early)
    setattr(request, field, day)
    save_request(request, session=session)
    return request


def open_items(items: Iterable[Deadline]) -> list[Deadline]:
    """Deadlines still running (overdue, due or upcoming), soonest first."""
    return sorted(
        (d for d in items if d.state in RUNNING_STATES and d.due is not None),
        key=lambda d: (d.due, d.reference, d.rule),
    )


def ics_bytes(items: Iterable[Deadline], *, reminder_days: int = 2) -> tuple[bytes, int]:
    """An iCalendar file of the running deadlines, with references and rule names only,
    and how many it holds.

    Calendars are synced to servers: no name, NISS or CPAS decision detail goes in,
    only the case reference, the rule and the due day."""
    from icalendar import Alarm, Calendar, Event  # 0.05 s, for this file only

    calendar = Calendar()
    calendar.add("prodid", "-//AMU Desk//deadlines//EN")
    calendar.add("version", "2.0")
    count = 0
    stamp = utcnow()
    for deadline in open_items(items):
        if deadline.handled:
            continue
        assert deadline.due is not None
        event = Event()
        event.add("uid", f"{deadline.reference}-{deadline.rule}@amudesk")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.due)
        event.add("dtend", deadline.due + dt.timedelta(days=1))
        event.add("summary", f"{deadline.reference} — {deadline.title}")
        event.add("description", f"{deadline.reference}: {deadline.title} ({deadline.rule})")
        event.add("categories", ["AMU"])
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{deadline.reference} — {deadline.title}")
        alarm.add("trigger", dt.timedelta(days=-reminder_days))
        event.add_component(alarm)
        calendar.add_component(event)
        count += 1
    return calendar.to_ical(), count


def write_ics(items: Iterable[Deadline], path: Path, *, reminder_days: int = 2) -> int:
    """Write :func:`ics_bytes` at ``path``, whole or not at all (``outputs.replacing``:
    never in the data folder, never over a file that is no calendar); returns the count."""
    content, count = ics_bytes(items, reminder_days=reminder_days)
    with outputs.replacing(Path(path), "ics", label="--ics") as handle:
        handle.write(content)
    return count
