"""The legal clock: every AMU time limit, counted as the law counts it and explained.

Pure functions over plain data (no database, no Qt). The rule table is data; the
counting follows the Code judiciaire:

* art. 52: a time limit runs from the day after the event and includes every day;
* art. 53: the last day is included; when it is a Saturday, a Sunday or a legal
  holiday it moves to the next working day. That rule is written for procedural
  acts (the appeal). Whether the CPAS's administrative limits move too is a
  setting (off by default), and every explanation says which way it went;
* art. 53bis: a registered letter takes effect on the third working day after it
  was posted;
* art. 54: months run "de quantième à veille de quantième": from the day after the
  event, add the months, and the period ends the day before that date.

Legal holidays are the ten of the law (plus the Sundays they may fall on), from
``holidays`` (country BE, public category, no subdivision): bank and community
holidays (2 November, 26 December, 27 September, 11 July) are not among them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import holidays

from amudesk.i18n import N_, format_date, gettext_for, ngettext_for

ONE_DAY = dt.timedelta(days=1)
COVERAGE_MAX_DAYS = 92  # a coverage for people in irregular stay lasts at most 3 months
DECISION_MAX_MONTHS = 12


class Actor(StrEnum):
    CPAS = "cpas"
    CLAIMANT = "claimant"
    PROVIDER = "provider"


class State(StrEnum):
    OVERDUE = "overdue"
    DUE = "due"
    UPCOMING = "upcoming"
    DONE = "done"
    NOT_STARTED = "not-started"
    # Passed, and nobody at the desk can act on it any more: the claimant's appeal windows
    # and the care provider's limits. (A CPAS's own limit stays overdue: it must still act.)
    LAPSED = "lapsed"
    # The case was closed (care covered, person gone, request withdrawn…): nothing runs.
    CLOSED = "closed"


ACTOR_LABELS: dict[str, str] = {
    Actor.CPAS: N_("CPAS"),
    Actor.CLAIMANT: N_("Claimant"),
    Actor.PROVIDER: N_("Care provider"),
}
STATE_LABELS: dict[str, str] = {
    State.OVERDUE: N_("Overdue"),
    State.DUE: N_("Due today"),
    State.UPCOMING: N_("Upcoming"),
    State.DONE: N_("Done"),
    State.NOT_STARTED: N_("Not started"),
    State.LAPSED: N_("Lapsed"),
    State.CLOSED: N_("Closed"),
}
# Limits still running: the ones someone may act on.
RUNNING_STATES = frozenset({State.OVERDUE, State.DUE, State.UPCOMING})
# Whose limits lapse once passed, instead of staying overdue.
LAPSING_ACTORS = frozenset({Actor.CLAIMANT, Actor.PROVIDER})


@dataclass(frozen=True)
class Rule:
    """One time limit of the procedure, as the law sets it."""

    id: str
    title: str  # plain words, N_ (translated when shown)
    trigger: str  # the event it runs from, N_
    actor: Actor
    judicial: bool  # judicial limits always move off non-working days (art. 53)
    basis: str  # legal basis, N_
    days: int = 0
    months: int = 0
    # Counted in working days (Saturdays, Sundays and legal holidays left out).
    working_days: bool = False


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "transfer",
            N_("Send the request to the competent CPAS"),
            N_("request received by a CPAS that holds itself not competent"),
            Actor.CPAS,
            False,
            N_(
                "Loi organique des CPAS of 8 July 1976, art. 58 §3: a CPAS that holds itself not "
                "competent sends the request in writing to the CPAS it believes competent within "
                "5 calendar days and tells the applicant why."
            ),
            days=5,
        ),
        Rule(
            "spp-referral",
            N_("Refer the conflict of competence to the SPP IS"),
            N_("a CPAS that received the request by transfer also holds itself not competent"),
            Actor.CPAS,
            False,
            N_(
                "SPP Social Integration, MediPrima instructions, §3.2 (territorial competence): "
                "a CPAS that received a request by transfer and also holds itself not competent "
                "informs the SPP IS's conflict-of-competence service within 5 working days. It "
                "does not send the request on to a third CPAS."
            ),
            days=5,
            working_days=True,
        ),
        Rule(
            "decision",
            N_("CPAS decision on the request"),
            N_("request received"),
            Actor.CPAS,
            False,
            N_(
                "Loi organique des CPAS, art. 58 (the request is registered and acknowledged the "
                "day it is received) and the federal instructions on MediPrima: the CPAS decides "
                "within 30 days. Without a decision after one month, the claimant may appeal "
                "(art. 71, al. 2)."
            ),
            days=30,
        ),
        Rule(
            "notification",
            N_("Notify the decision"),
            N_("decision taken"),
            Actor.CPAS,
            False,
            N_(
                "Loi organique des CPAS, art. 62bis: the decision is notified by registered letter "
                "or by hand against a receipt, within 8 days of the decision."
            ),
            days=8,
        ),
        Rule(
            "mediprima",
            N_("Encode the decision in MediPrima"),
            N_("positive decision taken"),
            Actor.CPAS,
            False,
            N_(
                "Loi du 2 avril 1965, art. 9ter §3: the decision is encoded in MediPrima within "
                "8 days of the decision; otherwise the costs from day 9 until the encoding fall on "
                "the CPAS."
            ),
            days=8,
        ),
        Rule(
            "appeal",
            N_("Appeal to the labour court"),
            N_("notification of a negative decision"),
            Actor.CLAIMANT,
            True,
            N_(
                "Loi organique des CPAS, art. 71: appeal to the labour court within 3 months of "
                "the notification. Counted under Code judiciaire art. 52–54. The time limit does not "
                "start while the notification lacks a mandatory mention (Charte de l'assuré social, "
                "art. 14)."
            ),
            months=3,
        ),
        Rule(
            "appeal-no-decision",
            N_("Appeal when no decision came"),
            N_("request received, no decision"),
            Actor.CLAIMANT,
            True,
            N_(
                "Loi organique des CPAS, art. 71, al. 2: without a decision one month after the "
                "request, the claimant may appeal to the labour court within the 3 months that "
                "follow. Counted under Code judiciaire art. 52–54."
            ),
            months=3,
        ),
        Rule(
            "reexamination",
            N_("Re-examine the coverage"),
            N_("start of the coverage"),
            Actor.CPAS,
            False,
            N_(
                "Federal instructions on MediPrima: for a person in irregular stay a coverage lasts "
                "at most 3 months (92 days) and must then be re-examined."
            ),
            days=COVERAGE_MAX_DAYS,
        ),
        Rule(
            "renewal",
            N_("Renew the social enquiry"),
            N_("start of the decision's validity"),
            Actor.CPAS,
            False,
            N_(
                "Federal instructions on MediPrima: a decision is valid at most 12 months; the "
                "social enquiry is then renewed."
            ),
            months=DECISION_MAX_MONTHS,
        ),
        Rule(
            "care-decision",
            N_("Decide within the care time limit"),
            N_("start of care"),
            Actor.CPAS,
            False,
            N_(
                "Loi du 2 avril 1965, art. 9ter, as amended in 2018: for the State to repay the "
                "costs, the CPAS decision must come within 60 days of the start of care billed "
                "through MediPrima (hospitals, doctors) and within 45 days for other care. Older "
                "texts say 45 days for all care; the law in force is followed."
            ),
            days=60,
        ),
        Rule(
            "provider-notice",
            N_("Care provider informs the CPAS"),
            N_("start of care"),
            Actor.PROVIDER,
            False,
            N_(
                "Federal instructions on MediPrima: the care provider informs the CPAS within "
                "15 days of the start of care."
            ),
            days=15,
        ),
    )
}

OTHER_CARE_DAYS = 45
# The limits that run from the day the CPAS received the request.
FROM_RECEIPT_RULES = frozenset({"decision", "appeal-no-decision"})

# Mandatory mentions of a notification (Charte de l'assuré social, art. 14).
MENTIONS: dict[str, str] = {
    "reasons": N_("the reasons for the decision"),
    "appeal_right": N_("the right of appeal"),
    "court_address": N_("the labour court's address"),
    "appeal_limit": N_("the appeal time limit"),
    "reference": N_("the file reference"),
}


class NotificationMethod(StrEnum):
    HAND = "hand"
    REGISTERED = "registered"
    ORDINARY = "ordinary"


NOTIFICATION_LABELS: dict[str, str] = {
    NotificationMethod.HAND: N_("By hand, against a receipt"),
    NotificationMethod.REGISTERED: N_("Registered letter"),
    NotificationMethod.ORDINARY: N_("Ordinary letter"),
}

POSITIVE = ("principle", "guarantee")
NEGATIVE = ("refusal", "incompetent")


# --- calendar --------------------------------------------------------------------------


@functools.cache
def _holidays(year: int, language: str) -> Mapping[dt.date, str]:
    names = holidays.country_holidays(
        "BE", years=year, categories=("public",), language=_HOLIDAY_LANGUAGE.get(language, "en_US")
    )
    return dict(names.items())


_HOLIDAY_LANGUAGE = {"fr": "fr", "nl": "nl", "en": "en_US"}


def holidays_loaded() -> bool:
    """True once the holiday calendar was read (the first read imports ``holidays``,
    about a tenth of a second that start-up does not wait for)."""
    return _holidays.cache_info().currsize > 0


def load_holidays(today: dt.date, language: str = "en") -> None:
    """Read the calendar of the years around ``today`` (meant for a background thread)."""
    for year in (today.year - 1, today.year, today.year + 1):
        _holidays(year, language)


def legal_holiday(day: dt.date, language: str = "en") -> str | None:
    """The name of the Belgian legal holiday on ``day``, or None."""
    return _holidays(day.year, language).get(day)


def is_working_day(day: dt.date) -> bool:
    """Not a Saturday, a Sunday or a legal holiday."""
    return day.weekday() < 5 and legal_holiday(day) is None


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day``."""
    for _step in range(count):
        day = next_working_day(day + ONE_DAY)
    return day


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += ONE_DAY
    return day


def add_days(event: dt.date, days: int) -> dt.date:
    """Last day of a period of ``days`` days counted from the day after ``event`` (art. 52–53)."""
    return event + dt.timedelta(days=days)


def add_months(event: dt.date, months: int) -> dt.date:
    """Last day of a period of ``months`` months after ``event``, "de quantième à veille de quantième".

    The count starts the day after the event (art. 52). The same date ``months`` months
    later is the quantième; the period ends the day before it (art. 54). When that month has
    no such date (31 April), the quantième is the first day of the next month, so the
    period ends on the last day of the month.
    """
    start = event + ONE_DAY
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if start.day <= _days_in_month(year, month):
        quantieme = dt.date(year, month, start.day)
    else:
        quantieme = dt.date(year + month // 12, month % 12 + 1, 1)
    return quantieme - ONE_DAY


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def registered_letter_effect(posted_on: dt.date) -> dt.date:
    """The third working day after posting: when a registered letter takes effect (art. 53bis)."""
    day = posted_on
    for _ in range(3):
        day = next_working_day(day + ONE_DAY)
    return day


# --- plain facts about a case ----------------------------------------------------------


# Plain, slotted (not frozen) records: a board reads 100,000 of them and frozen dataclasses
# cost several times more to build. Nothing here changes them after they are made.
@dataclass(slots=True)
class DecisionFacts:
    kind: str
    decided_on: dt.date
    notified_on: dt.date | None = None
    notification_method: str | None = None
    posted_on: dt.date | None = None
    missing_mentions: tuple[str, ...] = ()
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    encoded_on: dt.date | None = None

    @property
    def effective_notified_on(self) -> dt.date | None:
        """The recorded effect day, or for a registered letter known by its posting day alone,
        the third working day after posting (art. 53bis)."""
        if self.notified_on is not None:
            return self.notified_on
        if self.notification_method == NotificationMethod.REGISTERED and self.posted_on:
            return registered_letter_effect(self.posted_on)
        return None


@dataclass(slots=True)
class CaseFacts:
    """What the clock needs to know about one request; read from the database by a service."""

    request_id: int
    reference: str
    received_on: dt.date
    decisions: tuple[DecisionFacts, ...] = ()  # oldest first
    care_started_on: dt.date | None = None
    care_kind: str | None = None
    channel: str | None = None
    transferred_on: dt.date | None = None
    appealed_on: dt.date | None = None
    cpas_id: int | None = None
    # The day the office closed the case; from then on none of its limits runs.
    closed_on: dt.date | None = None
    # A follow-on request, received by the CPAS a transfer went to: the day the claimant
    # first filed elsewhere (this CPAS's own limits run from received_on all the same).
    first_filed_on: dt.date | None = None
    follow_on: bool = False
    spp_referred_on: dt.date | None = None
    # Flagged urgent at filing: first on the worklist.
    urgent: bool = False

    @property
    def found_incompetent_on(self) -> dt.date | None:
        """The day of the first decision of territorial incompetence, or None."""
        days = [d.decided_on for d in self.decisions if d.kind == "incompetent"]
        return min(days) if days else None

    @property
    def latest(self) -> DecisionFacts | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def first_decided_on(self) -> dt.date | None:
        decisions = self.decisions
        if not decisions:
            return None
        if len(decisions) == 1:
            return decisions[0].decided_on
        return min(d.decided_on for d in decisions)


@dataclass(frozen=True)
class Mark:
    """A user's note on a deadline: handled, or snoozed until a day, with a reason."""

    kind: str  # 'handled' or 'snoozed'
    reason: str = ""
    until: dt.date | None = None


# --- the result ------------------------------------------------------------------------


@dataclass(slots=True)
class Deadline:
    """One time limit of one case.

    Dates and state are computed at once; the sentences that explain them are written
    only when asked for (a board of 100,000 cases shows a few dozen), from the case's
    facts and the words kept here.
    """

    case: CaseFacts
    rule: str
    event_on: dt.date | None  # the day the period runs from; None when it has not started
    last_day: dt.date | None  # before any move
    due: dt.date | None  # after any move
    state: State
    clock: Clock = field(repr=False, compare=False)
    done_on: dt.date | None = None
    mark: Mark | None = None
    # What the explanation is made of (message ids and kinds, never text).
    event: str = ""
    count: str = "days"  # days, months, coverage-end, coverage-cap, validity-end, validity-cap
    span: int = 0
    note: str = ""
    done_text: str = ""
    intro: str = ""  # "", no-decision, registered, not-notified, mentions

    @property
    def request_id(self) -> int:
        return self.case.request_id

    @property
    def reference(self) -> str:
        return self.case.reference

    @property
    def cpas_id(self) -> int | None:
        return self.case.cpas_id

    @property
    def actor(self) -> Actor:
        return RULES[self.rule].actor

    @property
    def judicial(self) -> bool:
        return RULES[self.rule].judicial

    @property
    def moved(self) -> bool:
        return self.due is not None and self.due != self.last_day

    @property
    def explanation(self) -> str:
        """One paragraph: the event, the count, the raw last day, whether and why it moved."""
        return self.clock.explain(self)

    def explanation_parts(self) -> tuple[str, str]:
        """The explanation without the sentence on the administrative-limits setting, and that
        sentence apart ("" when it has none): a list of limits shows it once, as a footnote."""
        return self.clock.explain_parts(self)

    @property
    def basis(self) -> str:
        return self.clock._(RULES[self.rule].basis)

    @property
    def title(self) -> str:
        return self.clock._(RULES[self.rule].title)

    @property
    def handled(self) -> bool:
        return self.mark is not None and self.mark.kind == "handled"

    def snoozed(self, today: dt.date) -> bool:
        return (
            self.mark is not None
            and self.mark.kind == "snoozed"
            and self.mark.until is not None
            and today < self.mark.until
        )

    def needs_attention(self, today: dt.date, within_days: int) -> bool:
        """Open, not handled or snoozed, and overdue or due within ``within_days`` days."""
        if self.due is None or self.state not in RUNNING_STATES:
            return False
        if self.handled or self.snoozed(today):
            return False
        return self.due <= today + dt.timedelta(days=within_days)

    def actionable(self, office_kind: str | None) -> bool:
        """Whether an office of ``office_kind`` ('cpas', 'association', None when no profile
        says) can act on this limit now (:func:`actionable_test`)."""
        return actionable_test(office_kind)(self)

    def on_worklist(self, office_kind: str | None, today: dt.date) -> bool:
        """Actionable by this office, and neither marked handled nor snoozed."""
        return self.actionable(office_kind) and not self.handled and not self.snoozed(today)

    def as_json(self, office_kind: str | None = None) -> dict[str, object]:
        return {
            "reference": self.reference,
            "rule": self.rule,
            "due": self.due.isoformat() if self.due else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "moved": self.moved,
            "actor": str(self.actor),
            "state": str(self.state),
            "actionable": self.actionable(office_kind),
            "explanation": self.explanation,
            "handled": self.handled,
            "snoozed_until": (
                self.mark.until.isoformat()
                if self.mark and self.mark.kind == "snoozed" and self.mark.until
                else None
            ),
        }


class Clock:
    """Computes deadlines for one evaluation day, in one language, with one setting."""

    def __init__(
        self, *, today: dt.date, language: str = "en", move_administrative: bool = False
    ) -> None:
        self.today = today
        self.language = language
        self.move_administrative = move_administrative
        self._date = functools.lru_cache(maxsize=4096)(self._format_date)
        # Many cases share dates: a month count and a move are worked out once per date.
        self._month_ends: dict[tuple[dt.date, int], dt.date] = {}
        self._moved: dict[dt.date, dt.date] = {}

    # --- words in the clock's language ---------------------------------------------------

    def _(self, message: str) -> str:
        return gettext_for(self.language, message)

    def _n(self, singular: str, plural: str, n: int) -> str:
        return ngettext_for(self.language, singular, plural, n)

    def _format_date(self, day: dt.date) -> str:
        return format_date(day, "EEE d MMM y", locale=self.language)

    # --- the whole case --------------------------------------------------------------

    def deadlines(self, case: CaseFacts, marks: Mapping[str, Mark] | None = None) -> list[Deadline]:
        """Every deadline of ``case`` that has a trigger, in rule order."""
        found = [
            self._transfer(case),
            self._spp_referral(case),
            self._decision(case),
            self._appeal_no_decision(case),
            self._notification(case),
            self._mediprima(case),
            self._appeal(case),
            self._reexamination(case),
            self._renewal(case),
            self._care_decision(case),
            self._provider_notice(case),
        ]
        result = [deadline for deadline in found if deadline is not None]
        if case.closed_on is not None and case.closed_on <= self.today:
            for deadline in result:
                if deadline.state != State.DONE:
                    deadline.state = State.CLOSED
        if marks:
            for deadline in result:
                deadline.mark = marks.get(deadline.rule)
        return result

    # --- rules -----------------------------------------------------------------------

    def _transfer(self, case: CaseFacts) -> Deadline | None:
        if case.transferred_on is None:
            if case.follow_on:  # found not competent, it goes to the SPP IS, not further on
                return None
            for decision in case.decisions:
                if decision.kind == "incompetent":
                    break
            else:
                return None
        return self._period(
            case,
            "transfer",
            case.received_on,
            N_("Request received"),
            done_on=case.transferred_on,
            done_text=N_("Transfer sent on {date}."),
        )

    def _spp_referral(self, case: CaseFacts) -> Deadline | None:
        if not case.follow_on:
            return None
        found_on = case.found_incompetent_on
        if found_on is None:
            return None
        return self._period(
            case,
            "spp-referral",
            found_on,
            N_("This CPAS, which received the request by transfer, held itself not competent"),
            done_on=case.spp_referred_on,
            done_text=N_("Referred to the SPP IS on {date}."),
        )

    def _decision(self, case: CaseFacts) -> Deadline:
        return self._period(
            case,
            "decision",
            case.received_on,
            N_("Request received"),
            done_on=case.first_decided_on,
            done_text=N_("Decision taken on {date}."),
        )

    def _appeal_no_decision(self, case: CaseFacts) -> Deadline:
        stopped_on = case.first_decided_on
        text = N_("A decision was taken on {date}: this clock stopped.")
        if case.appealed_on and (stopped_on is None or case.appealed_on < stopped_on):
            stopped_on, text = case.appealed_on, N_("Appeal lodged on {date}.")
        return self._period(
            case,
            "appeal-no-decision",
            self._month_end(case.received_on, 1),
            N_("End of the one-month decision period"),
            done_on=stopped_on,
            done_text=text,
            intro="no-decision",
        )

    def _notification(self, case: CaseFacts) -> Deadline | None:
        decision = case.latest
        if decision is None:
            return None
        done_on: dt.date | None = decision.notified_on
        text = N_("Notified on {date}.")
        if decision.notification_method == NotificationMethod.REGISTERED and decision.posted_on:
            done_on, text = decision.posted_on, N_("Registered letter posted on {date}.")
        return self._period(
            case,
            "notification",
            decision.decided_on,
            N_("Decision taken"),
            done_on=done_on,
            done_text=text,
        )

    def _mediprima(self, case: CaseFacts) -> Deadline | None:
        decision = case.latest
        if decision is None or decision.kind not in POSITIVE:
            return None
        return self._period(
            case,
            "mediprima",
            decision.decided_on,
            N_("Positive decision taken"),
            done_on=decision.encoded_on,
            done_text=N_("Encoded in MediPrima on {date}."),
        )

    def _appeal(self, case: CaseFacts) -> Deadline | None:
        decision = case.latest
        if decision is None or decision.kind not in NEGATIVE:
            return None
        notified_on = decision.effective_notified_on
        if notified_on is None:
            return Deadline(
                case, "appeal", None, None, None, State.NOT_STARTED, self, intro="not-notified"
            )
        if any(m in MENTIONS for m in decision.missing_mentions):
            return Deadline(
                case, "appeal", None, None, None, State.NOT_STARTED, self, intro="mentions"
            )
        registered = decision.notification_method == NotificationMethod.REGISTERED
        return self._period(
            case,
            "appeal",
            notified_on,
            N_("Decision notified"),
            done_on=case.appealed_on,
            done_text=N_("Appeal lodged on {date}."),
            intro="registered" if registered and decision.posted_on else "",
        )

    def _reexamination(self, case: CaseFacts) -> Deadline | None:
        decision = case.latest
        if decision is None or decision.kind != "guarantee" or decision.valid_from is None:
            return None
        cap = decision.valid_from + dt.timedelta(days=COVERAGE_MAX_DAYS - 1)
        if decision.valid_to is not None and decision.valid_to <= cap:
            last, count = decision.valid_to, "coverage-end"
        else:
            last, count = cap, "coverage-cap"
        return self._ending(
            case, "reexamination", decision.valid_from, N_("Coverage starts"), last, count
        )

    def _renewal(self, case: CaseFacts) -> Deadline | None:
        decision = case.latest
        if decision is None or decision.kind not in POSITIVE or decision.valid_from is None:
            return None
        cap = add_months(decision.valid_from - ONE_DAY, DECISION_MAX_MONTHS)
        if decision.valid_to is not None and decision.valid_to <= cap:
            last, count = decision.valid_to, "validity-end"
        else:
            last, count = cap, "validity-cap"
        return self._ending(
            case, "renewal", decision.valid_from, N_("Validity starts"), last, count
        )

    def _care_decision(self, case: CaseFacts) -> Deadline | None:
        if case.care_started_on is None:
            return None
        if case.care_kind == "mediprima":
            days, note = RULES["care-decision"].days, N_("care billed through MediPrima: 60 days")
        elif case.care_kind == "other":
            days, note = OTHER_CARE_DAYS, N_("care not billed through MediPrima: 45 days")
        else:
            days = OTHER_CARE_DAYS
            note = N_("kind of care not recorded: the shorter limit, 45 days, is counted")
        return self._period(
            case,
            "care-decision",
            case.care_started_on,
            N_("Care started"),
            days=days,
            note=note,
            done_on=case.first_decided_on,
            done_text=N_("Decision taken on {date}."),
        )

    def _provider_notice(self, case: CaseFacts) -> Deadline | None:
        if case.care_started_on is None:
            return None
        return self._period(
            case,
            "provider-notice",
            case.care_started_on,
            N_("Care started"),
            done_on=case.received_on if case.channel == "hospital" else None,
            done_text=N_("The hospital's social service filed the request on {date}."),
        )

    # --- counting ----------------------------------------------------------------------

    def _period(
        self,
        case: CaseFacts,
        rule_id: str,
        event_on: dt.date,
        event: str,
        *,
        done_on: dt.date | None = None,
        done_text: str = "",
        intro: str = "",
        days: int | None = None,
        note: str = "",
    ) -> Deadline:
        """A period counted from the day after ``event_on`` (art. 52)."""
        rule = RULES[rule_id]
        if rule.months:
            last, count, span = self._month_end(event_on, rule.months), "months", rule.months
        elif rule.working_days:
            span = rule.days
            last, count = add_working_days(event_on, span), "working-days"
        else:
            span = rule.days if days is None else days
            last, count = event_on + dt.timedelta(days=span), "days"
        return self._deadline(
            case,
            rule,
            event_on,
            last,
            done_on,
            event=event,
            count=count,
            span=span,
            note=note,
            done_text=done_text,
            intro=intro,
        )

    def _ending(
        self,
        case: CaseFacts,
        rule_id: str,
        event_on: dt.date,
        event: str,
        last: dt.date,
        count: str,
    ) -> Deadline:
        """A period whose last day is the end of a validity."""
        return self._deadline(case, RULES[rule_id], event_on, last, None, event=event, count=count)

    def _deadline(
        self,
        case: CaseFacts,
        rule: Rule,
        event_on: dt.date,
        last: dt.date,
        done_on: dt.date | None,
        **words: Any,
    ) -> Deadline:
        due = last
        if rule.judicial or self.move_administrative:
            moved = self._moved.get(last)
            if moved is None:
                moved = self._moved[last] = next_working_day(last)
            due = moved
        if done_on is not None and done_on > self.today:
            done_on = None  # evaluated as of an earlier day: the closing event had not happened
        if done_on is not None:
            state = State.DONE
        elif self.today > due:
            state = State.LAPSED if rule.actor in LAPSING_ACTORS else State.OVERDUE
        elif self.today == due:
            state = State.DUE
        else:
            state = State.UPCOMING
        return Deadline(case, rule.id, event_on, last, due, state, self, done_on, None, **words)

    def _month_end(self, event_on: dt.date, months: int) -> dt.date:
        """``add_months``, remembered per date."""
        key = (event_on, months)
        last = self._month_ends.get(key)
        if last is None:
            last = self._month_ends[key] = add_months(event_on, months)
        return last

    # --- explaining --------------------------------------------------------------------

    def explain_parts(self, deadline: Deadline) -> tuple[str, str]:
        """``explain`` without the sentence that says how the setting treats administrative
        limits (the same for every such limit), and that sentence apart."""
        footnotes: list[str] = []
        return self.explain(deadline, footnotes), " ".join(footnotes)

    def explain(self, deadline: Deadline, footnotes: list[str] | None = None) -> str:
        """The paragraph that tells how ``deadline`` was computed. Given ``footnotes``, the
        setting's general sentence goes there instead of into the paragraph."""
        rule = RULES[deadline.rule]
        if deadline.event_on is None:  # not started (and perhaps closed since)
            return " ".join(
                part
                for part in (self._not_started_text(deadline), self._closed_text(deadline))
                if part
            )
        assert deadline.event_on is not None and deadline.last_day is not None
        assert deadline.due is not None
        parts = [
            self._intro_text(deadline),
            self._("{event} on {date}; {count}; last day {last}.").format(
                event=self._(deadline.event),
                date=self._date(deadline.event_on),
                count=self._count_text(deadline),
                last=self._date(deadline.last_day),
            ),
            self._move_sentence(rule, deadline.last_day, deadline.due, footnotes),
        ]
        if deadline.done_on is not None:
            done = self._(deadline.done_text).format(date=self._date(deadline.done_on))
            if deadline.done_on > deadline.due:
                done += " " + self._("That was late: the last day was {due}.").format(
                    due=self._date(deadline.due)
                )
            parts.append(done)
        if deadline.state == State.LAPSED:
            parts.append(self._lapsed_text(deadline))
        parts.append(self._closed_text(deadline))
        if deadline.mark is not None:
            parts.append(self._mark_text(deadline.mark))
        return " ".join(part for part in parts if part)

    def _closed_text(self, deadline: Deadline) -> str:
        closed_on = deadline.case.closed_on
        if deadline.state != State.CLOSED or closed_on is None:
            return ""
        return self._("The case was closed on {date}: this limit no longer runs.").format(
            date=self._date(closed_on)
        )

    def _lapsed_text(self, deadline: Deadline) -> str:
        if deadline.actor == Actor.CLAIMANT:
            return self._(
                "The last day has passed and no appeal is recorded: this window is closed, "
                "and it no longer counts among the time limits to watch."
            )
        return self._(
            "The last day has passed: it was the care provider's to meet, and it no longer "
            "counts among the time limits to watch."
        )

    def _count_text(self, deadline: Deadline) -> str:
        n, last = deadline.span, deadline.last_day
        assert last is not None
        if deadline.count == "months":
            text = self._n(
                "{n} month counted from the next day, from a date to the day before the same "
                "date (Code judiciaire art. 54)",
                "{n} months counted from the next day, from a date to the day before the same "
                "date (Code judiciaire art. 54)",
                n,
            ).format(n=n)
        elif deadline.count == "days":
            text = self._n(
                "{n} day counted from the next day", "{n} days counted from the next day", n
            ).format(n=n)
        elif deadline.count == "working-days":
            text = self._n(
                "{n} working day counted from the next day (Saturdays, Sundays and legal "
                "holidays are not counted)",
                "{n} working days counted from the next day (Saturdays, Sundays and legal "
                "holidays are not counted)",
                n,
            ).format(n=n)
        elif deadline.count == "coverage-end":
            text = self._("the coverage ends on {end}").format(end=self._date(last))
        elif deadline.count == "coverage-cap":
            text = self._("a coverage lasts at most 92 days, the start day included")
        elif deadline.count == "validity-end":
            text = self._("the decision's validity ends on {end}").format(end=self._date(last))
        else:
            text = self._(
                "a decision is valid at most 12 months, until the day before the same date"
            )
        return f"{text} ({self._(deadline.note)})" if deadline.note else text

    def _intro_text(self, deadline: Deadline) -> str:
        case = deadline.case
        follow_on = ""
        if case.follow_on and deadline.rule in FROM_RECEIPT_RULES:
            follow_on = self._(
                "The request came by transfer: this CPAS received it on {received}, and its "
                "own limits run from that day (it cannot be blamed for a late transfer)."
            ).format(received=self._date(case.received_on))
            if case.first_filed_on is not None:
                follow_on += " " + self._(
                    "The claimant first filed it on {filed}, with another CPAS."
                ).format(filed=self._date(case.first_filed_on))
        if deadline.intro == "no-decision":
            return " ".join(
                part
                for part in (
                    follow_on,
                    self._(
                        "Request received on {received}: the CPAS had one month to decide "
                        "(loi organique des CPAS, art. 71, al. 2)."
                    ).format(received=self._date(case.received_on)),
                )
                if part
            )
        if deadline.intro == "registered" and case.latest and case.latest.posted_on:
            decision = case.latest
            effect = decision.effective_notified_on
            assert decision.posted_on is not None and effect is not None
            return self._(
                "Registered letter posted on {posted}: it takes effect on the third working "
                "day after posting, {effect} (Code judiciaire art. 53bis)."
            ).format(posted=self._date(decision.posted_on), effect=self._date(effect))
        return follow_on

    def _not_started_text(self, deadline: Deadline) -> str:
        decision = deadline.case.latest
        assert decision is not None
        if deadline.intro == "not-notified":
            return self._(
                "The decision of {date} has not been notified yet: the appeal time limit "
                "starts only with the notification."
            ).format(date=self._date(decision.decided_on))
        missing = [self._(MENTIONS[m]) for m in decision.missing_mentions if m in MENTIONS]
        return self._(
            "The notification lacks {mentions}: the appeal time limit has not started "
            "(Charte de l'assuré social, art. 14)."
        ).format(mentions=self._join(missing))

    def _mark_text(self, mark: Mark) -> str:
        if mark.kind == "handled":
            text = self._("Marked as handled.")
        elif mark.until is not None:
            text = self._("Snoozed until {date}.").format(date=self._date(mark.until))
        else:
            text = self._("Snoozed.")
        if not mark.reason:
            return text
        return text + " " + self._("Reason: {reason}").format(reason=mark.reason)

    def _move_sentence(
        self, rule: Rule, last: dt.date, due: dt.date, footnotes: list[str] | None = None
    ) -> str:
        """Whether and why the last day moved, and which setting decided it (the setting's
        general sentence into ``footnotes`` when given)."""
        reasons = self._why_not_working(last)
        if not reasons:
            if rule.judicial:
                return ""
            if footnotes is not None:
                footnotes.append(self._setting_sentence())
                return ""
            return self._setting_sentence()
        if due == last:
            return self._(
                "{day} is {reasons}, but an administrative time limit does not move to the next "
                "working day (setting)."
            ).format(day=self._date(last), reasons=reasons)
        sentence = self._("{day} is {reasons} → moved to {due} (Code judiciaire art. 53).").format(
            day=self._date(last), reasons=reasons, due=self._date(due)
        )
        if not rule.judicial:
            analogy = self._("Administrative time limits move too, by analogy (setting).")
            if footnotes is not None:
                footnotes.append(analogy)
            else:
                sentence += " " + analogy
        return sentence

    def _setting_sentence(self) -> str:
        if self.move_administrative:
            return self._(
                "Administrative time limit: it would move off a non-working day, by analogy "
                "(setting)."
            )
        return self._(
            "Administrative time limit: it does not move off a non-working day (setting)."
        )

    def _why_not_working(self, day: dt.date) -> str:
        reasons = []
        holiday = legal_holiday(day, self.language)
        if holiday:
            reasons.append(self._("a legal holiday ({name})").format(name=holiday))
        if day.weekday() == 5:
            reasons.append(self._("a Saturday"))
        elif day.weekday() == 6:
            reasons.append(self._("a Sunday"))
        return self._join(reasons)

    def _join(self, items: Sequence[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return self._("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def compute_all(
    cases: Iterable[CaseFacts],
    *,
    today: dt.date,
    language: str = "en",
    move_administrative: bool = False,
    marks: Mapping[tuple[int, str], Mark] | None = None,
) -> list[Deadline]:
    """Every deadline of every case.

    The cyclic garbage collector is paused meanwhile: hundreds of thousands of small
    objects are made and none of them forms a cycle, and its passes would otherwise
    cost more than the counting itself.
    """
    clock = Clock(today=today, language=language, move_administrative=move_administrative)
    by_case: dict[int, dict[str, Mark]] = {}
    for (request_id, rule), mark in (marks or {}).items():
        by_case.setdefault(request_id, {})[rule] = mark
    result: list[Deadline] = []
    with paused_gc():
        for case in cases:
            result.extend(clock.deadlines(case, by_case.get(case.request_id)))
    return result


@functools.cache
def actionable_test(office_kind: str | None) -> Callable[[Deadline], bool]:
    """Whether an office of ``office_kind`` ('cpas', 'association', None when no profile
    says) can act on a limit now, as one quick test for a worklist of 100,000 cases. The
    limit must be running (overdue, due or upcoming) and not the care provider's. A CPAS
    acts on its own limits; an association on the claimant's (the appeal) and on the
    CPAS's once they are overdue (a reminder, a formal notice, an appeal); without a
    profile, every such limit counts."""
    running = RUNNING_STATES
    overdue = State.OVERDUE

    def of(*actors: Actor) -> frozenset[str]:
        return frozenset(key for key, rule in RULES.items() if rule.actor in actors)

    if office_kind == "cpas":
        own = of(Actor.CPAS)
        return lambda d: d.rule in own and d.state in running
    not_provider = of(*(actor for actor in Actor if actor != Actor.PROVIDER))
    if office_kind == "association":
        claimant = of(Actor.CLAIMANT)
        return lambda d: (
            d.rule in not_provider
            and d.state in running
            and (d.rule in claimant or d.state == overdue)
        )
    return lambda d: d.rule in not_provider and d.state in running


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small, acyclic objects are made."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
