"""Closing a case, and reopening it.

A closed case keeps everything recorded about it, but none of its time limits runs any
more (the clock says ``closed``): it leaves the worklist, the alerts and the "open" filter.
Closing and reopening are audited with the reason's code, never the note's words (the note
may name the person)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from amudesk.deadlines import RUNNING_STATES, State
from amudesk.i18n import _
from amudesk.models import CLOSE_REASON_LABELS, CloseReason, Request
from amudesk.models.base import utcnow
from amudesk.services import FieldError, audit
from amudesk.services import validation as v
from amudesk.services.cases import get_request, local_date
from amudesk.services.clock import deadlines, today_in_brussels
from amudesk.settings import ClockSettings
from amudesk.store import Store

NOTE_LENGTH = 300
DEFAULT_IDLE_MONTHS = 12
CLOSE_REASONS = tuple(str(reason) for reason in CloseReason)


def check_reason(reason: str | None, note: str) -> tuple[str, str]:
    """The reason's key and the cleaned note, or FieldError naming the field."""
    key = (reason or "").strip().lower()
    if key not in CLOSE_REASON_LABELS:
        raise FieldError(
            "reason",
            _("Reason for closing: choose one of {keys}.").format(keys=", ".join(CLOSE_REASONS)),
        )
    note = v.note(note, "note", _("Note"), max_length=NOTE_LENGTH)
    if key == CloseReason.OTHER and not note:
        raise FieldError("note", _("Note: say why the case is closed (the reason is “other”)."))
    return key, note


def close_case(
    request_id: int,
    *,
    session: Session,
    reason: str,
    note: str = "",
    today: dt.date | None = None,
) -> Request:
    """Close the case: its limits stop running; audited with the reason's key."""
    key, note = check_reason(reason, note)
    # Locked and read again: of two workers closing the case at once, the second is told.
    request = get_request(request_id, session=session, for_update=True)
    if request.closed_on is not None:
        raise FieldError(
            "reference",
            _("Case {reference}: already closed.").format(reference=request.reference),
        )
    today = today or today_in_brussels()
    received = request.received_at
    request.closed_on = today if received is None else max(today, local_date(received))
    request.closed_reason = key
    request.closed_note = note
    request.updated_at = utcnow()
    session.add(request)
    session.flush()
    audit.record(
        "close",
        session=session,
        entity="request",
        entity_id=request.id,
        reference=request.reference,
        detail=f"reason={key}",
    )
    return request


def reopen_case(request_id: int, *, session: Session) -> Request:
    """Reopen a closed case: its limits run again as the clock counts them; audited."""
    request = get_request(request_id, session=session, for_update=True)
    if request.closed_on is None:
        raise FieldError(
            "reference",
            _("Case {reference}: it is not closed.").format(reference=request.reference),
        )
    reason = request.closed_reason or ""
    request.closed_on = None
    request.closed_reason = None
    request.closed_note = ""
    request.updated_at = utcnow()
    session.add(request)
    session.flush()
    audit.record(
        "reopen",
        session=session,
        entity="request",
        entity_id=request.id,
        reference=request.reference,
        detail=f"was={reason}" if reason else "",
    )
    return request


@dataclass(frozen=True)
class Candidate:
    """A case offered for closing: untouched since ``updated_on``, nothing running."""

    request_id: int
    reference: str
    updated_on: dt.date


def idle_since(today: dt.date, months: int) -> dt.date:
    """The day ``months`` months before ``today`` (the last day of a shorter month)."""
    if months < 1 or months > 120:
        raise FieldError("months", _("Untouched for: give a number of months from 1 to 120."))
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    day = min(today.day, _month_length(year, month))
    return dt.date(year, month, day)


def _month_length(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


def closing_candidates(
    *,
    session: Session,
    months: int = DEFAULT_IDLE_MONTHS,
    today: dt.date | None = None,
    settings: ClockSettings | None = None,
) -> list[Candidate]:
    """Open cases not changed for ``months`` months on which nothing runs any more, oldest
    first: every limit is done, lapsed or handled, or overdue since before that time (a
    coverage that ended two years ago and was never re-examined is history, not work)."""
    today = today or today_in_brussels()
    since = idle_since(today, months)
    cutoff = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    rows = session.execute(
        select(col(Request.id), col(Request.reference), col(Request.updated_at))
        .where(
            col(Request.closed_on).is_(None),
            col(Request.updated_at) < cutoff,
            # A stored next limit due since then is running: that case is busy, and need
            # not be counted again (the clock counts only the others).
            or_(col(Request.next_due).is_(None), col(Request.next_due) < since),
        )
        .order_by(col(Request.updated_at), col(Request.id))
    ).all()
    if not rows:
        return []
    busy = {
        deadline.request_id
        for deadline in deadlines(
            session=session, today=today, settings=settings, request_ids=[row[0] for row in rows]
        )
        if deadline.state in RUNNING_STATES
        and not deadline.handled
        and (deadline.state != State.OVERDUE or (deadline.due or since) >= since)
    }
    return [Candidate(row[0], row[1], local_date(row[2])) for row in rows if row[0] not in busy]


def close_many(
    request_ids: Sequence[int],
    *,
    session: Session,
    reason: str,
    note: str = "",
    today: dt.date | None = None,
) -> int:
    """Close every case of ``request_ids`` that is still open, in the caller's transaction;
    the number closed."""
    check_reason(reason, note)
    closed = 0
    for request_id in request_ids:
        request = get_request(request_id, session=session)
        if request.closed_on is None:
            close_case(request_id, session=session, reason=reason, note=note, today=today)
            closed += 1
    return closed


CLOSE_BATCH = 200  # cases closed in one transaction by close_in_batches


def close_in_batches(
    store: Store,
    request_ids: Sequence[int],
    *,
    reason: str,
    note: str = "",
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int:
    """Close the cases of ``request_ids`` (many: tens of thousands on a large desk), a
    batch of :data:`CLOSE_BATCH` a transaction, so that the database is never held long
    and a stop keeps what is done: ``cancelled()`` is asked between batches, and
    ``progress(done, total)`` called after each one is committed. The number closed (a
    case closed meanwhile elsewhere is not counted again)."""
    check_reason(reason, note)  # before anything is written
    ids = list(request_ids)
    closed = 0
    for start in range(0, len(ids), CLOSE_BATCH):
        if cancelled is not None and cancelled():
            break
        with store.transaction() as session:
            closed += close_many(
                ids[start : start + CLOSE_BATCH],
                session=session,
                reason=reason,
                note=note,
                today=today,
            )
        if progress is not None:
            progress(min(start + CLOSE_BATCH, len(ids)), len(ids))
    return closed


LONG_OVERDUE_DAYS = 182


def long_overdue(
    *, session: Session, today: dt.date | None = None, days: int = LONG_OVERDUE_DAYS
) -> int:
    """Open cases whose next time limit has been overdue for more than ``days`` days (read
    from the stored next limits: one indexed count)."""
    today = today or today_in_brussels()
    statement = select(func.count()).where(
        col(Request.closed_on).is_(None),
        col(Request.next_state) == "overdue",
        col(Request.next_due) < today - dt.timedelta(days=days),
    )
    return int(session.scalar(statement) or 0)
