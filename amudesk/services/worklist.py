"""Working the deadlines board's list: who each case is, several time limits marked at once,
and the next thing to do about a time limit.

The names are for the board, a local window of an unlocked desk: notifications, the
calendar file and the command line's JSON carry references only and never read them.
:func:`next_action` is a pure function of a deadline (and its case's other deadlines),
the office's kind and the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from amudesk import i18n, letters
from amudesk.deadlines import RULES, RUNNING_STATES, Actor, Deadline, State
from amudesk.i18n import _, ngettext
from amudesk.models import DeadlineMark, Document, Person, Request
from amudesk.models.person import display_name
from amudesk.services import FieldError, clock
from amudesk.services import validation as v
from amudesk.services.cases import local_date

HANDLED, SNOOZED = clock.MARK_KINDS
LETTER_KINDS = letters.KINDS
NAMES_CHUNK = 10_000  # request ids per query: far below SQLite's limit on parameters

# --- who each case is --------------------------------------------------------------------


def same_person_requests(request_id: int, *, session: Session) -> list[int]:
    """Every request of the person of ``request_id`` (that one included), oldest first: a
    saved person form changes the name on each of them."""
    person = select(col(Request.person_id)).where(col(Request.id) == request_id)
    found = session.scalars(
        select(col(Request.id))
        .where(col(Request.person_id) == person.scalar_subquery())
        .order_by(col(Request.id))
    )
    return [int(i) for i in found if i is not None] or [request_id]


def request_names(*, session: Session, request_ids: Iterable[int] | None = None) -> dict[int, str]:
    """The full name of the person of each request (of every request when None), in one
    query (one per :data:`NAMES_CHUNK` ids when given very many)."""
    statement = select(col(Request.id), col(Person.family_name), col(Person.given_names)).join(
        Person, col(Person.id) == col(Request.person_id)
    )
    if request_ids is None:
        statements = [statement]
    else:
        ids = sorted({int(i) for i in request_ids})
        statements = [
            statement.where(col(Request.id).in_(ids[start : start + NAMES_CHUNK]))
            for start in range(0, len(ids), NAMES_CHUNK)
        ]
    names: dict[int, str] = {}
    for each in statements:
        for request_id, family_name, given_names in session.execute(each):
            names[request_id] = display_name(family_name or "", given_names or "")
    return names


# --- several marks at once ---------------------------------------------------------------


def can_mark(deadline: Deadline, kind: str) -> bool:
    """Whether ``deadline`` may be marked ``kind``: a done or closed limit is not marked
    handled; only a running one (overdue, due, upcoming) is snoozed."""
    if kind == SNOOZED:
        return deadline.state in RUNNING_STATES
    return deadline.state not in (State.DONE, State.CLOSED)


def check_mark(
    *, kind: str, reason: str = "", until: dt.date | None = None, today: dt.date | None = None
) -> str:
    """The checks of :func:`clock.mark_deadline` that do not depend on the deadline, made
    before anything is written; returns the reason cleaned."""
    if kind not in clock.MARK_KINDS:
        raise FieldError("kind", _("Mark: choose handled or snoozed."))
    reason = v.note(reason, "reason", _("Reason"), max_length=300)
    if kind == SNOOZED:
        if until is None:
            raise FieldError("until", _("Snooze until: give the day the reminder comes back."))
        if until <= (today or clock.today_in_brussels()):
            raise FieldError("until", _("Snooze until: choose a day after today."))
        if not reason:
            raise FieldError("reason", _("Reason: say why the reminder is snoozed."))
    return reason


def mark_deadlines(
    items: Sequence[tuple[int, str]],
    *,
    session: Session,
    kind: str,
    reason: str = "",
    until: dt.date | None = None,
    today: dt.date | None = None,
) -> list[DeadlineMark]:
    """Mark every (request id, rule) of ``items`` the same way, with one reason, in the
    caller's transaction: the kind, reason and day are checked once, before anything is
    written; each mark is then kept (and audited) by :func:`clock.mark_deadline`."""
    reason = check_mark(kind=kind, reason=reason, until=until, today=today)
    unique = list(dict.fromkeys((int(request_id), rule) for request_id, rule in items))
    for _request_id, rule in unique:
        if rule not in RULES:
            raise FieldError("rule", _("Time limit: unknown rule {rule}.").format(rule=rule))
    return [
        clock.mark_deadline(
            request_id,
            rule,
            session=session,
            kind=kind,
            reason=reason,
            until=until,
            today=today,
        )
        for request_id, rule in unique
    ]


def letters_sent(
    *, session: Session, request_ids: Iterable[int] | None = None
) -> dict[int, dict[str, dt.date]]:
    """For each request, the Brussels day each kind of letter was last issued."""
    statement = select(col(Document.request_id), col(Document.kind), col(Document.issued_at)).where(
        col(Document.kind).in_(LETTER_KINDS)
    )
    if request_ids is not None:
        statement = statement.where(col(Document.request_id).in_(sorted(set(request_ids))))
    found: dict[int, dict[str, dt.date]] = {}
    for request_id, kind, issued_at in session.execute(statement):
        if request_id is None:
            continue
        day = local_date(issued_at)
        kinds = found.setdefault(request_id, {})
        if day > kinds.get(kind, dt.date.min):
            kinds[kind] = day
    return found


# --- the next action ---------------------------------------------------------------------

# What the button of a next action does (NextAction.key).
NOTHING = ""  # nothing is left to do: no button
OPEN_CASE = "open"  # open the case (where the letters will be issued)
REMIND, FORMAL_NOTICE, LABOUR_COURT = "remind", "formal-notice", "labour-court"  # CPAS late
RECORD_DECISION = "record-decision"  # a new decision
UPDATE_DECISION = "update-decision"  # the latest decision: its notification, its encoding
RECORD_TRANSFER = "record-transfer"
RECORD_APPEAL = "record-appeal"
# Until letters exist, a late CPAS is written to from the case.
LETTER_ACTIONS = frozenset({REMIND, FORMAL_NOTICE, LABOUR_COURT})
EVENT_ACTIONS = frozenset({RECORD_DECISION, UPDATE_DECISION, RECORD_TRANSFER, RECORD_APPEAL})

REMINDER_DAYS = 14  # late by this many days at most: a reminder; later, a formal notice
ANSWER_DAYS = 8  # the time a reminder or a formal notice gives the CPAS to answer
APPEAL_SOON_DAYS = 21  # an appeal limit this near: the appeal, whatever was sent
CPAS_LIMITS = frozenset(rule.id for rule in RULES.values() if rule.actor == Actor.CPAS)
DECISION_RULES = frozenset({"decision", "care-decision", "reexamination", "renewal"})
LATEST_DECISION_RULES = frozenset({"notification", "mediprima"})
APPEAL_RULES = frozenset({"appeal", "appeal-no-decision"})


@dataclass(frozen=True)
class NextAction:
    """What to do next about a time limit: ``key`` says what the button does (one of the
    constants above; ``NOTHING``: no button), ``text`` says it in one sentence."""

    key: str
    text: str


def next_action(
    deadline: Deadline,
    office_kind: str | None,
    today: dt.date,
    *,
    case_deadlines: Sequence[Deadline] | None = None,
    sent: Mapping[str, dt.date] | None = None,
) -> NextAction:
    """The next thing this office does about ``deadline`` on ``today``; ``sent`` is the
    day each kind of letter was last issued for its case (letters_sent).

    ``case_deadlines`` are the other deadlines of its case (counted again from its facts
    when not given): a running appeal window turns a late CPAS into a case for the
    labour court.
    """
    state = deadline.state
    if state == State.DONE:
        return NextAction(NOTHING, _("Nothing is left to do: what stops this clock is recorded."))
    if state == State.CLOSED:
        return NextAction(NOTHING, _("Nothing is left to do: the case is closed."))
    if state == State.LAPSED:
        return NextAction(NOTHING, _("Nothing is left to do: this time limit has lapsed."))
    if deadline.actor == Actor.PROVIDER:
        return NextAction(
            NOTHING, _("Nothing is left to do here: this time limit is the care provider's.")
        )
    if state == State.NOT_STARTED or deadline.due is None:
        return NextAction(NOTHING, _("Nothing to do yet: this time limit has not started."))
    if deadline.handled:
        return NextAction(NOTHING, _("Nothing is left to do: the time limit is marked handled."))
    if office_kind == "association" and deadline.actor == Actor.CPAS:
        if state != State.OVERDUE:
            return NextAction(
                NOTHING,
                _("Nothing to do yet: the CPAS has until {date}.").format(date=_day(deadline.due)),
            )
        return _cpas_late(deadline, today, case_deadlines, sent)
    return _stopping_event(deadline, today)


def _cpas_late(
    deadline: Deadline,
    today: dt.date,
    case_deadlines: Sequence[Deadline] | None,
    sent: Mapping[str, dt.date] | None = None,
) -> NextAction:
    """An association and a CPAS past its last day: a reminder, then (no answer within
    ANSWER_DAYS) a formal notice, then (its time up) the appeal — or the appeal at once
    when its limit is near; never an appeal once its limit has passed. ``sent``: the day
    each kind of letter was last issued for the case."""
    assert deadline.due is not None
    late = (today - deadline.due).days
    sent = sent or {}
    if case_deadlines is None:
        case_deadlines = deadline.clock.deadlines(deadline.case)
    window = next(
        (
            d
            for d in case_deadlines
            if d.rule in ("appeal-no-decision", "appeal")
            and d.state in RUNNING_STATES
            and d.event_on is not None
            and d.event_on < today
            and d.due is not None
        ),
        None,
    )
    appeal_until = window.due if window is not None else None
    if "appeal" in sent:
        return NextAction(
            RECORD_APPEAL,
            _("Appeal written on {date}: record it once it is filed at the court.").format(
                date=_day(sent["appeal"])
            ),
        )
    if "formal-notice" in sent:
        answer_by = sent["formal-notice"] + dt.timedelta(days=ANSWER_DAYS)
        if today <= answer_by:
            return NextAction(
                NOTHING,
                _("Formal notice sent on {date}: the CPAS has until {until} to answer.").format(
                    date=_day(sent["formal-notice"]), until=_day(answer_by)
                ),
            )
        if appeal_until is not None:
            return NextAction(
                LABOUR_COURT,
                _(
                    "Formal notice sent on {date}, no answer: appeal to the labour court, by "
                    "{until} at the latest."
                ).format(date=_day(sent["formal-notice"]), until=_day(appeal_until)),
            )
    if appeal_until is not None and (appeal_until - today).days <= APPEAL_SOON_DAYS:
        return NextAction(
            LABOUR_COURT,
            _(
                "CPAS late: appeal to the labour court — no decision came, and the claimant "
                "may appeal until {date}; write the appeal with them."
            ).format(date=_day(appeal_until)),
        )
    if "reminder" in sent and "formal-notice" not in sent:
        answer_by = sent["reminder"] + dt.timedelta(days=ANSWER_DAYS)
        if today <= answer_by:
            return NextAction(
                NOTHING,
                _("Reminder sent on {date}: the CPAS has until {until} to answer.").format(
                    date=_day(sent["reminder"]), until=_day(answer_by)
                ),
            )
        return NextAction(
            FORMAL_NOTICE,
            _("Reminder sent on {date}, no answer: send a formal notice.").format(
                date=_day(sent["reminder"])
            ),
        )
    if late <= REMINDER_DAYS and not sent:
        return NextAction(
            REMIND,
            ngettext(
                "CPAS late: send a reminder — {n} day past the last day; write the CPAS a "
                "reminder letter.",
                "CPAS late: send a reminder — {n} days past the last day; write the CPAS a "
                "reminder letter.",
                late,
            ).format(n=late),
        )
    return NextAction(
        FORMAL_NOTICE,
        ngettext(
            "CPAS late: send a formal notice — {n} day past the last day; write the CPAS a "
            "formal notice to act.",
            "CPAS late: send a formal notice — {n} days past the last day; write the CPAS a "
            "formal notice to act.",
            late,
        ).format(n=late),
    )


def _stopping_event(deadline: Deadline, today: dt.date) -> NextAction:
    """A running limit of this office (or the claimant's): record what stops its clock."""
    assert deadline.due is not None
    rule, due = deadline.rule, _day(deadline.due)
    if rule in ("reexamination", "renewal"):
        return NextAction(
            RECORD_DECISION,
            _("Re-examine the case by {date}, then record the new decision.").format(date=due),
        )
    if rule in DECISION_RULES:
        return NextAction(
            RECORD_DECISION,
            _("Record the decision once it is taken (by {date}): that stops this clock.").format(
                date=due
            ),
        )
    if rule == "notification":
        return NextAction(
            UPDATE_DECISION,
            _("Record in the decision the day it was notified (by {date}).").format(date=due),
        )
    if rule == "mediprima":
        return NextAction(
            UPDATE_DECISION,
            _("Record in the decision the day it was encoded in MediPrima (by {date}).").format(
                date=due
            ),
        )
    if rule == "transfer":
        return NextAction(
            RECORD_TRANSFER,
            _("Send the request to the competent CPAS by {date}, then record the transfer.").format(
                date=due
            ),
        )
    if (
        rule == "appeal-no-decision"
        and deadline.event_on is not None
        and deadline.event_on >= today
    ):
        return NextAction(
            NOTHING,
            _("Nothing to do yet: without a decision by {start}, the claimant may appeal.").format(
                start=_day(deadline.event_on)
            ),
        )
    if rule in APPEAL_RULES:
        return NextAction(
            RECORD_APPEAL,
            _(
                "The claimant may appeal to the labour court until {date}: once they have, "
                "record the appeal."
            ).format(date=due),
        )
    return NextAction(OPEN_CASE, _("Open the case to act on it by {date}.").format(date=due))


def _day(day: dt.date) -> str:
    return i18n.format_date(day, "EEE d MMM y")
