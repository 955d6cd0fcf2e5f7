"""Each case's next time limit, kept in the ``request`` table for the case list.

The clock (:mod:`amudesk.services.clock`) stays the one place deadlines are counted; this
module stores its answer for "what comes next on this case" in ``request.next_due``,
``next_rule`` and ``next_state``, so that the case list sorts and filters 100,000 cases by
it without counting them. The stored answer is kept true two ways:

- in the transaction of every change that can move it: a session that flushed a request,
  a decision or a deadline mark recounts those cases just before it commits (the hooks
  below, on every ``sqlmodel.Session``); bulk inserts (import, demo) call :func:`refresh`;
- once per day, setting and rule book: :func:`stamp_key` names them, and when the stored
  stamp differs :func:`refresh_all` recounts every case (in a worker, in the window).

The next limit of a case is the running one (overdue, due today or upcoming) with the
earliest due day that is neither marked handled nor snoozed and is not the care
provider's (theirs are information on the case, not work for the office).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import attributes
from sqlmodel import Session, col

from amudesk import __version__
from amudesk.deadlines import RUNNING_STATES, Actor, Deadline
from amudesk.models import AuditEntry, ClockStamp, DeadlineMark, Decision, Request
from amudesk.models.base import utcnow
from amudesk.services import clock
from amudesk.settings import ClockSettings, load_settings
from amudesk.store import Store

DIRTY_KEY = clock.DIRTY_KEY
touch = clock.touch  # for the bulk writers (import): have these ids recounted at commit
DATA_DIR_KEY = "data_dir"  # what Store.session() puts in a session's info
WRITE_BATCH = 2000


class Next(NamedTuple):
    due: dt.date | None
    rule: str | None
    state: str | None


NOTHING = Next(None, None, None)


def next_of(items: Iterable[Deadline], today: dt.date) -> Next:
    """The next limit among one case's ``items``, or NOTHING."""
    return _answer(next_deadline(items, today))


def next_deadline(items: Iterable[Deadline], today: dt.date) -> Deadline | None:
    """The deadline that is one case's next limit (the case panel says it), or None."""
    return next(iter(_best_by_request(items, today).values()), None)


def next_by_request(items: Iterable[Deadline], today: dt.date) -> dict[int, Next]:
    """The next limit of each request that has deadlines in ``items``."""
    return {
        request_id: _answer(best) for request_id, best in _best_by_request(items, today).items()
    }


def _best_by_request(items: Iterable[Deadline], today: dt.date) -> dict[int, Deadline | None]:
    """Each request's next deadline, in one pass (the clock gives each request's deadlines
    together): running, dated, not the provider's, neither handled nor snoozed, due first
    (the first in rule order among equals)."""
    result: dict[int, Deadline | None] = {}
    current = -1
    best: Deadline | None = None
    running = RUNNING_STATES
    provider = Actor.PROVIDER
    for deadline in items:
        request_id = deadline.case.request_id
        if request_id != current:
            if current != -1:
                result[current] = best
            current, best = request_id, None
        due = deadline.due
        if (
            due is None
            or deadline.state not in running
            or (best is not None and due >= best.due)  # type: ignore[operator]
            or deadline.actor == provider
            or (deadline.mark is not None and (deadline.handled or deadline.snoozed(today)))
        ):
            continue
        best = deadline
    if current != -1:
        result[current] = best
    return result


def _answer(best: Deadline | None) -> Next:
    return NOTHING if best is None else Next(best.due, best.rule, str(best.state))


def rulebook_key(settings: ClockSettings) -> str:
    """What the stored answers depend on beyond the cases and the day: the setting that
    moves administrative limits, this program's rules and the holiday tables."""
    try:
        holidays = metadata.version("holidays")
    except metadata.PackageNotFoundError:  # pragma: no cover - a frozen build without metadata
        holidays = "?"
    return f"move={int(settings.move_administrative)}|amudesk={__version__}|holidays={holidays}"


def stamp_key(today: dt.date, settings: ClockSettings) -> str:
    return f"{today.isoformat()}|{rulebook_key(settings)}"


def stored_stamp(*, session: Session) -> str:
    return session.scalar(select(col(ClockStamp.key)).order_by(col(ClockStamp.id))) or ""


def is_stale(*, session: Session, today: dt.date, settings: ClockSettings) -> bool:
    return stored_stamp(session=session) != stamp_key(today, settings)


def _write_stamp(key: str, *, session: Session) -> None:
    stamp = session.scalar(select(ClockStamp).order_by(col(ClockStamp.id)))
    if stamp is None:
        stamp = ClockStamp(id=1, key=key)
    stamp.key = key
    session.add(stamp)


def _stamp_day(stamp: str, settings: ClockSettings) -> dt.date | None:
    """The day of a stamp written under the same rule book, else None."""
    day, _bar, rulebook = stamp.partition("|")
    if rulebook != rulebook_key(settings):
        return None
    try:
        return dt.date.fromisoformat(day)
    except ValueError:
        return None


def refresh(
    request_ids: Iterable[int],
    *,
    session: Session,
    today: dt.date | None = None,
    settings: ClockSettings | None = None,
) -> None:
    """Recount the next limit of ``request_ids`` and store it, in the session's transaction."""
    ids = sorted({int(i) for i in request_ids})
    if not ids:
        return
    today = today or clock.today_in_brussels()
    for start in range(0, len(ids), clock.CHUNK):
        chunk = ids[start : start + clock.CHUNK]
        found = next_by_request(
            clock.deadlines(session=session, today=today, settings=settings, request_ids=chunk),
            today,
        )
        _store(session, {request_id: found.get(request_id, NOTHING) for request_id in chunk})


def refresh_all(
    store: Store,
    *,
    today: dt.date | None = None,
    settings: ClockSettings | None = None,
    progress: clock.Progress | None = None,
) -> int:
    """Recount every case's next limit and store what changed, with the stamp, in one
    transaction; the number of cases whose answer changed. ``progress`` as for
    :func:`amudesk.services.clock.count` (it may raise to cancel: nothing is written)."""
    today = today or clock.today_in_brussels()
    settings = settings or ClockSettings()
    started = utcnow()
    items, _count = clock.all_deadlines(store, today=today, settings=settings, progress=progress)
    fresh = next_by_request(items, today)
    with store.transaction() as session:
        # A case changed while the count ran had its answer written by its own commit:
        # the count's may be older. Every change is audited with its case's reference.
        references = set(
            session.scalars(
                select(col(AuditEntry.reference)).where(
                    col(AuditEntry.at) >= started, col(AuditEntry.reference) != ""
                )
            )
        )
        moved = (
            set(
                session.scalars(
                    select(col(Request.id)).where(col(Request.reference).in_(references))
                )
            )
            if references
            else set()
        )
        stored = {
            row[0]: Next(row[1], row[2], row[3])
            for row in session.execute(
                select(
                    col(Request.id),
                    col(Request.next_due),
                    col(Request.next_rule),
                    col(Request.next_state),
                )
            )
        }
        # Cases added meanwhile were not counted: their own commit counted them.
        changed = {
            request_id: fresh[request_id]
            for request_id, before in stored.items()
            if request_id in fresh and request_id not in moved and fresh[request_id] != before
        }
        _store(session, changed)
        _write_stamp(stamp_key(today, settings), session=session)
        session.info.pop(DIRTY_KEY, None)
    return len(changed)


def refresh_day(
    store: Store, *, since: dt.date, today: dt.date, settings: ClockSettings | None = None
) -> int:
    """Bring answers counted on ``since`` to ``today`` (a later day, same rule book), in
    one transaction with the stamp; the number of cases recounted.

    With the facts unchanged, a case's next limit can only change once its day has come:
    a limit leaves the running ones only when a claimant's passes (it lapses), and any
    running limit is due no earlier than the next one. So the cases to recount are those
    whose next limit is due by ``today`` and not already overdue (a CPAS's overdue limit
    stays overdue and next), and those with a snooze that ended since ``since``."""
    settings = settings or ClockSettings()
    with store.transaction() as session:
        due_by_now = select(col(Request.id)).where(
            col(Request.next_due) <= today, col(Request.next_state) != "overdue"
        )
        woken = select(col(DeadlineMark.request_id)).where(
            col(DeadlineMark.kind) == "snoozed",
            col(DeadlineMark.until) > since,
            col(DeadlineMark.until) <= today,
        )
        ids = {int(i) for i in (*session.scalars(due_by_now), *session.scalars(woken)) if i}
        refresh(ids, session=session, today=today, settings=settings)
        _write_stamp(stamp_key(today, settings), session=session)
    return len(ids)


def refresh_if_stale(
    store: Store,
    *,
    today: dt.date | None = None,
    settings: ClockSettings | None = None,
    progress: clock.Progress | None = None,
) -> str:
    """Bring the stored answers to ``today``: "fresh" when they were, "day" when a new day
    only needed the cases whose limit came (:func:`refresh_day`), "all" when the rule book
    changed (or the stamp is missing or later than today) and every case was recounted."""
    today = today or clock.today_in_brussels()
    settings = settings or ClockSettings()
    with store.session() as session:
        stamp = stored_stamp(session=session)
    if stamp == stamp_key(today, settings):
        return "fresh"
    since = _stamp_day(stamp, settings)
    if since is not None and since < today:
        refresh_day(store, since=since, today=today, settings=settings)
        return "day"
    refresh_all(store, today=today, settings=settings, progress=progress)
    return "all"


def _store(session: Session, answers: dict[int, Next]) -> None:
    """Write ``answers`` (request id → Next) with one UPDATE statement per batch, and set
    them on the requests this session holds, so they do not look changed."""
    if not answers:
        return
    rows = [
        {"b_id": request_id, "b_due": due, "b_rule": rule, "b_state": state}
        for request_id, (due, rule, state) in answers.items()
    ]
    statement = (
        update(Request)
        .where(col(Request.id) == bindparam("b_id"))
        .values(
            next_due=bindparam("b_due"),
            next_rule=bindparam("b_rule"),
            next_state=bindparam("b_state"),
        )
    )
    connection = session.connection()
    for start in range(0, len(rows), WRITE_BATCH):
        connection.execute(statement, rows[start : start + WRITE_BATCH])
    for request_id, answer in answers.items():
        held = session.identity_map.get(session.identity_key(Request, request_id))
        if held is not None:
            attributes.set_committed_value(held, "next_due", answer.due)
            attributes.set_committed_value(held, "next_rule", answer.rule)
            attributes.set_committed_value(held, "next_state", answer.state)


# --- keeping the answers in step, in the transaction of each change -----------------------


def _touched(instances: Iterable[object]) -> set[int]:
    ids: set[int] = set()
    for instance in instances:
        if isinstance(instance, Request):
            if instance.id is not None:
                ids.add(instance.id)
        elif isinstance(instance, (Decision, DeadlineMark)):
            ids.add(instance.request_id)
    return ids


def _after_flush(session: Session, _context: Any) -> None:
    touched = _touched([*session.new, *session.dirty, *session.deleted])
    if touched:
        session.info.setdefault(DIRTY_KEY, set()).update(touched)


def _before_commit(session: Session) -> None:
    session.flush()
    ids: set[int] | None = session.info.pop(DIRTY_KEY, None)
    if not ids:
        return
    data_dir = session.info.get(DATA_DIR_KEY)
    settings = load_settings(data_dir).clock_settings() if isinstance(data_dir, Path) else None
    refresh(ids, session=session, settings=settings)
    session.info.pop(DIRTY_KEY, None)


def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(DIRTY_KEY, None)


def install() -> None:
    """Keep the next limits in step for every session of this process (idempotent)."""
    for name, function in (
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_soft_rollback", _after_rollback),
    ):
        if not event.contains(Session, name, function):
            event.listen(Session, name, function)
