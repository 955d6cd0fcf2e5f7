"""The deadlines board's data: every deadline in its bucket, soonest first.

:func:`compute_board` runs in a worker: it counts the deadlines of every request
with the one clock (:func:`amudesk.services.clock.all_deadlines`, in chunks, with a
progress callback that may raise to cancel) and sorts them into buckets (overdue,
due today, due soon, later …). With many requests, those whose next limit comes first are counted
first (:func:`compute_preview`) so that the board has something to show meanwhile.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from amudesk.deadlines import Deadline, State, paused_gc
from amudesk.i18n import N_, _, ngettext
from amudesk.services import cases, clock, worklist
from amudesk.services.office import get_office
from amudesk.store import Store

PREVIEW_THRESHOLD = 10_000  # more requests than this: the first ones by next limit show first
PREVIEW_REQUESTS = 400  # a first screen needs a few dozen lines: these give hundreds

# --- buckets ---------------------------------------------------------------------------

OVERDUE, TODAY, SOON, LATER = "overdue", "today", "soon", "later"
SNOOZED, NOT_STARTED, HANDLED, DONE = "snoozed", "not-started", "handled", "done"
LAPSED, CLOSED = "lapsed", "closed"
BUCKETS: tuple[str, ...] = (
    OVERDUE,
    TODAY,
    SOON,
    LATER,
    SNOOZED,
    NOT_STARTED,
    HANDLED,
    LAPSED,
    DONE,
    CLOSED,
)
BUCKET_ORDER = {bucket: number for number, bucket in enumerate(BUCKETS)}
BUCKET_LABELS: dict[str, str] = {
    OVERDUE: N_("Overdue"),
    TODAY: N_("Due today"),
    SOON: "",  # "Due within {n} days", with the setting's number
    LATER: N_("Later"),
    SNOOZED: N_("Snoozed"),
    NOT_STARTED: N_("Not started"),
    HANDLED: N_("Handled"),
    LAPSED: N_("Lapsed"),
    CLOSED: N_("Closed"),
    DONE: N_("Done"),
}
RUNNING = (OVERDUE, TODAY, SOON, LATER)


def bucket_of(deadline: Deadline, today: dt.date, within_days: int) -> str:
    """Which group of the board ``deadline`` belongs in on ``today``."""
    state = deadline.state
    if state == State.DONE:
        return DONE
    if state == State.NOT_STARTED:
        return NOT_STARTED
    if state == State.LAPSED:
        return LAPSED
    if state == State.CLOSED:
        return CLOSED
    if deadline.handled:
        return HANDLED
    if deadline.snoozed(today):
        return SNOOZED
    if state == State.OVERDUE:
        return OVERDUE
    if state == State.DUE:
        return TODAY
    assert deadline.due is not None
    return SOON if (deadline.due - today).days <= within_days else LATER


def bucket_label(bucket: str, within_days: int) -> str:
    if bucket == SOON:
        return ngettext("Due within {n} day", "Due within {n} days", within_days).format(
            n=within_days
        )
    return _(BUCKET_LABELS[bucket])


def reference_key(deadline: Deadline) -> str:
    return deadline.case.reference


def due_key(deadline: Deadline) -> tuple[bool, dt.date]:
    """Urgent cases first (flagged at filing), then by due day."""
    return (not deadline.case.urgent, deadline.due or dt.date.max)


# --- the board's data ------------------------------------------------------------------


@dataclass
class BoardData:
    """Every deadline, in buckets, each bucket soonest first."""

    today: dt.date
    within_days: int
    language: str
    move_administrative: bool
    buckets: dict[str, list[Deadline]] = field(default_factory=dict)
    case_count: int = 0
    by_case: dict[int, list[Deadline]] = field(default_factory=dict)
    partial: bool = False  # the first requests by next limit only, while all are counted
    office_kind: str | None = None  # 'cpas' or 'association': what its worklist holds
    # request id → the person's full name, shown beside the reference (on the board only:
    # notifications, the calendar file and the JSON carry references alone).
    names: dict[int, str] = field(default_factory=dict)
    # The day each kind of letter was last issued, by request (the next action follows it).
    letters: dict[int, dict[str, dt.date]] = field(default_factory=dict)

    def bucket(self, deadline: Deadline) -> str:
        return bucket_of(deadline, self.today, self.within_days)

    def name_of(self, request_id: int) -> str:
        return self.names.get(request_id, "")

    def add(self, deadlines: Iterable[Deadline]) -> None:
        """Put each deadline in its bucket (at the end: sort the buckets afterwards)."""
        buckets, by_case = self.buckets, self.by_case
        today, within = self.today, self.within_days
        for deadline in deadlines:
            buckets[bucket_of(deadline, today, within)].append(deadline)
            by_case.setdefault(deadline.case.request_id, []).append(deadline)

    def sort(self) -> None:
        for name, items in self.buckets.items():
            if name == NOT_STARTED:
                items.sort(key=reference_key)
            else:
                items.sort(key=due_key)  # stable: requests stay in their order within a day

    def replace_case(self, request_id: int, deadlines: Sequence[Deadline]) -> None:
        """Put ``request_id``'s deadlines (computed again) in place of its old ones."""
        for old in self.by_case.pop(request_id, []):
            items = self.buckets[self.bucket(old)]
            position = self._position(items, old)
            if position is not None:
                del items[position]
        for deadline in deadlines:
            items = self.buckets[self.bucket(deadline)]
            key = reference_key if self.bucket(deadline) == NOT_STARTED else due_key
            items.insert(bisect.bisect_right(items, key(deadline), key=key), deadline)
        self.by_case[request_id] = list(deadlines)

    def _position(self, items: list[Deadline], deadline: Deadline) -> int | None:
        key = reference_key if self.bucket(deadline) == NOT_STARTED else due_key
        low = bisect.bisect_left(items, key(deadline), key=key)
        high = bisect.bisect_right(items, key(deadline), key=key)
        for position in range(low, high):
            if items[position] is deadline:
                return position
        return None


# --- computing (in a worker) -----------------------------------------------------------


def compute_board(
    store: Store,
    *,
    today: dt.date,
    language: str,
    settings: clock.ClockSettings,
    progress: clock.Progress | None = None,
    preview: Callable[[BoardData], None] | None = None,
) -> BoardData:
    """What the board shows, ready to display: runs in a worker.

    ``progress(done, total)`` moves as the requests are counted (it may raise to
    cancel). With many requests, ``preview`` first receives the deadlines of the most
    recent ones (counted in a fraction of a second), so that the board has something
    to show while every request is counted.
    """
    if preview is not None:
        early = compute_preview(store, today=today, language=language, settings=settings)
        if early is not None:
            preview(early)
    deadlines, case_count = clock.all_deadlines(
        store, today=today, language=language, settings=settings, progress=progress
    )
    data = _board(deadlines, case_count, today, language, settings)
    data.office_kind, data.names, data.letters = _office_and_names(store, None)
    return data


def _office_and_names(
    store: Store, request_ids: Sequence[int] | None
) -> tuple[str | None, dict[int, str], dict[int, dict[str, dt.date]]]:
    """The office's kind, and the names of the requests shown (all when None) and the
    letters issued for them, one query each."""
    with store.session() as session:
        office = get_office(session=session)
        names = worklist.request_names(session=session, request_ids=request_ids)
        sent = worklist.letters_sent(session=session, request_ids=request_ids)
    return (str(office.kind) if office is not None else None), names, sent


def compute_preview(
    store: Store,
    *,
    today: dt.date,
    language: str,
    settings: clock.ClockSettings,
    requests: int | None = None,
    threshold: int | None = None,
) -> BoardData | None:
    """The deadlines of the ``requests`` requests whose stored next limit comes first (the
    overdue ones longest overdue: what the board's first screen shows), when there are more
    than ``threshold`` in all (else None: counting them all is quick enough)."""
    requests = PREVIEW_REQUESTS if requests is None else requests
    threshold = PREVIEW_THRESHOLD if threshold is None else threshold

    with store.session() as session:
        if cases.count_cases(session=session, limit=threshold + 1) <= threshold:
            return None
        ids = [
            row.request_id
            for row in cases.list_cases(
                session=session, limit=requests, sort="next_due", descending=False
            )
        ]
        facts = clock.case_facts(session=session, request_ids=ids)
        marks = clock.marks(session=session, request_ids=ids)
    deadlines = clock.count(facts, today=today, language=language, settings=settings, marks=marks)
    data = _board(deadlines, len(facts), today, language, settings)
    data.partial = True
    data.office_kind, data.names, data.letters = _office_and_names(store, ids)
    return data


def _board(
    deadlines: list[Deadline],
    case_count: int,
    today: dt.date,
    language: str,
    settings: clock.ClockSettings,
) -> BoardData:
    data = BoardData(
        today=today,
        within_days=settings.alert_within_days,
        language=language,
        move_administrative=settings.move_administrative,
        buckets={bucket: [] for bucket in BUCKETS},
        case_count=case_count,
    )
    with paused_gc():
        data.add(deadlines)
        data.sort()
    return data
