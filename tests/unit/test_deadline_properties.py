"""Properties of the legal clock over random dates, and holidays derived from the statute.

The expected holiday dates below are worked out by hand from the law (loi du 4 janvier
1974 relative aux jours fériés: 1 January, Easter Monday, 1 May, Ascension Day, Whit
Monday, 21 July, 15 August, 1 November, 11 November, 25 December) and the Gregorian
Easter dates; Ascension is the 40th day of Easter (Easter + 39 days), Whit Monday the
day after the 50th (Easter + 50 days). They are not copied from the code's output.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from amudesk.deadlines import (
    MENTIONS,
    RULES,
    Actor,
    CaseFacts,
    Deadline,
    DecisionFacts,
    Mark,
    State,
    add_days,
    add_months,
    compute_all,
    is_working_day,
    legal_holiday,
    next_working_day,
    registered_letter_effect,
)

D = dt.date
ONE_DAY = dt.timedelta(days=1)
FIRST, LAST = D(1990, 1, 1), D(2100, 12, 31)
RUNNING = (State.OVERDUE, State.DUE, State.UPCOMING)

days = st.dates(min_value=FIRST, max_value=LAST)
months = st.integers(min_value=1, max_value=24)


def naive_month_addition(day: D, n: int) -> D:
    """The same day ``n`` months later, clamped to the month's last day."""
    index = day.month - 1 + n
    year, month = day.year + index // 12, index % 12 + 1
    return D(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- counting ------------------------------------------------------------------------------


@given(days)
def test_a_moved_day_is_a_working_day_at_most_three_days_later(day: D) -> None:
    moved = next_working_day(day)
    assert is_working_day(moved)
    assert day <= moved <= day + dt.timedelta(days=3)
    assert (moved == day) == is_working_day(day)
    # Nothing in between is a working day: it is the *next* one.
    between = day
    while between < moved:
        assert not is_working_day(between)
        between += ONE_DAY


def test_the_longest_move_between_1990_and_2100_is_three_days() -> None:
    """Three non-working days in a row at most (Sat, Sun and Easter or Whit Monday; a Friday
    holiday and the weekend): Ascension on 30 April with 1 May on the Friday would make four,
    but needs Easter on 22 March, which next happens in 2285."""
    longest, day = 0, FIRST
    while day <= LAST:
        longest = max(longest, (next_working_day(day) - day).days)
        day += ONE_DAY
    assert longest == 3
    assert next_working_day(D(2027, 3, 27)) == D(2027, 3, 30)  # Sat before Easter Monday
    assert next_working_day(D(2026, 12, 25)) == D(2026, 12, 28)  # Fri holiday, weekend


@given(days, months)
def test_month_periods_never_end_before_naive_addition_nor_3_days_after(day: D, n: int) -> None:
    last = add_months(day, n)
    naive = naive_month_addition(day, n)
    assert naive <= last <= naive + dt.timedelta(days=3)
    assert last >= day + dt.timedelta(days=28 * n)


def de_quantieme_a_veille(event: D, n: int) -> D:
    """Art. 54 read literally: the period starts the day after the event; it ends the day
    before the same day of the month ``n`` months after that start; when that month has no
    such day, the period ends on the month's last day."""
    start = event + ONE_DAY
    index = start.month - 1 + n
    year, month = start.year + index // 12, index % 12 + 1
    last_of_month = calendar.monthrange(year, month)[1]
    if start.day > last_of_month:
        return D(year, month, last_of_month)
    return D(year, month, start.day) - ONE_DAY


@given(days, months)
@example(D(2026, 1, 30), 1)  # from 31 Jan: no 31 Feb → 28 Feb
@example(D(2026, 2, 28), 1)  # from 1 Mar → 31 Mar, three days after naive 28 Mar
@example(D(2027, 11, 30), 3)  # from 1 Dec → 29 Feb 2028
@example(D(2026, 12, 31), 2)  # across the year
def test_month_periods_follow_art_54_read_literally(day: D, n: int) -> None:
    assert add_months(day, n) == de_quantieme_a_veille(day, n)


@given(days)
@example(D(2027, 2, 28))  # from 1 Mar 2027 to the day before 1 Mar 2028: 29 Feb 2028
@example(D(2028, 2, 28))  # from 29 Feb 2028: no 29 Feb 2029 → 28 Feb 2029
@example(D(2028, 2, 29))  # from 1 Mar 2028 → 28 Feb 2029
@example(D(2026, 12, 31))  # from 1 Jan 2027 → 31 Dec 2027
def test_twelve_months_end_the_day_before_the_start_s_date_a_year_later(day: D) -> None:
    """From the next day to the day before the same date a year later (art. 54); when the
    start is 29 February, the next year has no such date and the period ends on the last
    day of February."""
    start = day + ONE_DAY
    if (start.month, start.day) == (2, 29):
        expected = D(start.year + 1, 2, 28)
    else:
        expected = start.replace(year=start.year + 1) - ONE_DAY
    assert add_months(day, 12) == expected


@pytest.mark.parametrize(
    ("event", "last"),
    [
        (D(2027, 2, 28), D(2028, 2, 29)),  # not 28 Feb 2028: the start was 1 March
        (D(2028, 2, 28), D(2029, 2, 28)),
        (D(2028, 2, 29), D(2029, 2, 28)),
        (D(2026, 3, 15), D(2027, 3, 15)),
        (D(2026, 12, 31), D(2027, 12, 31)),
    ],
)
def test_twelve_months_around_leap_days(event: D, last: D) -> None:
    assert add_months(event, 12) == last


@given(days, st.integers(min_value=0, max_value=400))
def test_day_periods_are_plain_calendar_days(day: D, n: int) -> None:
    assert add_days(day, n) - day == dt.timedelta(days=n)


@given(days)
def test_a_registered_letter_takes_effect_on_a_working_day_3_to_7_days_later(day: D) -> None:
    effect = registered_letter_effect(day)
    assert is_working_day(effect)
    assert 3 <= (effect - day).days <= 7
    working_between = 0
    between = day + ONE_DAY
    while between <= effect:
        working_between += is_working_day(between)
        between += ONE_DAY
    assert working_between == 3  # exactly the third working day after posting


def test_a_registered_letter_can_take_seven_days() -> None:
    # Easter 2035 is 25 March: Ascension on Thursday 3 May, two days after 1 May (Tuesday).
    # Posted Friday 27 April: Mon 30 (1st), Wed 2 May (2nd), Fri 4 May (3rd).
    assert registered_letter_effect(D(2035, 4, 27)) == D(2035, 5, 4)
    # An ordinary week: Monday to Thursday.
    assert registered_letter_effect(D(2026, 11, 23)) == D(2026, 11, 26)


# --- holidays from the statute ---------------------------------------------------------------

# (year, Easter Sunday, Easter Monday, Ascension, Whit Monday)
EASTER_LINKED = [
    (2024, D(2024, 3, 31), D(2024, 4, 1), D(2024, 5, 9), D(2024, 5, 20)),
    (2025, D(2025, 4, 20), D(2025, 4, 21), D(2025, 5, 29), D(2025, 6, 9)),
    (2026, D(2026, 4, 5), D(2026, 4, 6), D(2026, 5, 14), D(2026, 5, 25)),
    (2027, D(2027, 3, 28), D(2027, 3, 29), D(2027, 5, 6), D(2027, 5, 17)),
    (2028, D(2028, 4, 16), D(2028, 4, 17), D(2028, 5, 25), D(2028, 6, 5)),
    (2029, D(2029, 4, 1), D(2029, 4, 2), D(2029, 5, 10), D(2029, 5, 21)),
    (2030, D(2030, 4, 21), D(2030, 4, 22), D(2030, 5, 30), D(2030, 6, 10)),
    (2035, D(2035, 3, 25), D(2035, 3, 26), D(2035, 5, 3), D(2035, 5, 14)),
]


@pytest.mark.parametrize(("year", "easter", "monday", "ascension", "whit"), EASTER_LINKED)
def test_easter_linked_legal_holidays(
    year: int, easter: D, monday: D, ascension: D, whit: D
) -> None:
    assert easter.weekday() == 6 and monday.weekday() == 0
    assert ascension.weekday() == 3 and whit.weekday() == 0
    for holiday in (monday, ascension, whit):
        assert legal_holiday(holiday) is not None, holiday
        assert not is_working_day(holiday)
    # Good Friday and the days after each holiday are ordinary working days.
    assert is_working_day(easter - dt.timedelta(days=2))  # Good Friday is not a legal holiday
    assert is_working_day(monday + ONE_DAY)
    assert is_working_day(ascension + ONE_DAY)  # the "bridge" Friday is not a holiday
    assert is_working_day(whit + ONE_DAY)
    # The moves they cause.
    assert next_working_day(easter - ONE_DAY) == monday + ONE_DAY  # Sat → Tue
    assert next_working_day(ascension) == ascension + ONE_DAY  # Thu → Fri
    assert next_working_day(whit - dt.timedelta(days=2)) == whit + ONE_DAY  # Sat → Tue
    # Exactly ten weekday-or-weekend legal holidays in the year, the three above included.
    fixed = [
        D(year, m, d) for m, d in ((1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25))
    ]
    expected = set(fixed) | {monday, ascension, whit}
    found = {
        day
        for day in (D(year, 1, 1) + dt.timedelta(days=i) for i in range(366))
        if day.year == year and legal_holiday(day) is not None and day.weekday() != 6
    }
    assert found == {day for day in expected if day.weekday() != 6}


@pytest.mark.parametrize(
    ("holiday", "weekday", "next_working"),
    [
        (D(2026, 8, 15), "Sat", D(2026, 8, 17)),  # Assumption on a Saturday → Monday
        (D(2026, 11, 1), "Sun", D(2026, 11, 2)),  # All Saints on a Sunday; 2 Nov is no holiday
        (D(2027, 12, 25), "Sat", D(2027, 12, 27)),  # Christmas on a Saturday; 26 Dec a Sunday
        (D(2027, 5, 1), "Sat", D(2027, 5, 3)),  # Labour Day on a Saturday
        (D(2028, 1, 1), "Sat", D(2028, 1, 3)),  # New Year on a Saturday
        (D(2029, 7, 21), "Sat", D(2029, 7, 23)),  # National Day on a Saturday
        (D(2029, 11, 11), "Sun", D(2029, 11, 12)),  # Armistice on a Sunday
        (D(2027, 8, 15), "Sun", D(2027, 8, 16)),  # Assumption on a Sunday
    ],
)
def test_holidays_on_weekends_give_no_replacement_day(
    holiday: D, weekday: str, next_working: D
) -> None:
    """A holiday falling on a weekend is not carried over to a weekday for counting: the
    replacement day employers grant is not a legal holiday of the Code judiciaire."""
    assert holiday.strftime("%a") == weekday
    assert legal_holiday(holiday) is not None
    assert next_working_day(holiday) == next_working
    assert is_working_day(next_working) and legal_holiday(next_working) is None


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 11, 2),  # All Souls, a Monday
        D(2025, 12, 26),  # Boxing Day, a Friday
        D(2027, 9, 27),  # French Community day, a Monday
        D(2025, 7, 11),  # Flemish Community day, a Friday
        D(2027, 11, 15),  # King's feast day, a Monday
        D(2026, 12, 24),  # Christmas Eve, a Thursday
        D(2026, 12, 31),  # New Year's Eve, a Thursday
    ],
)
def test_bank_and_community_holidays_are_working_days(day: D) -> None:
    assert day.weekday() < 5
    assert legal_holiday(day) is None
    assert is_working_day(day)


# --- the whole clock on random facts -----------------------------------------------------------

decision_kinds = st.sampled_from(["principle", "guarantee", "refusal", "incompetent"])
maybe_day = st.none() | days


@st.composite
def decision_facts(draw: st.DrawFn) -> DecisionFacts:
    method = draw(st.sampled_from([None, "hand", "registered", "ordinary"]))
    return DecisionFacts(
        kind=draw(decision_kinds),
        decided_on=draw(days),
        notified_on=draw(maybe_day),
        notification_method=method,
        posted_on=draw(maybe_day),
        missing_mentions=tuple(
            draw(st.lists(st.sampled_from([*MENTIONS, "unknown"]), max_size=3, unique=True))
        ),
        valid_from=draw(maybe_day),
        valid_to=draw(maybe_day),
        encoded_on=draw(maybe_day),
    )


@st.composite
def case_facts(draw: st.DrawFn, request_id: int = 1) -> CaseFacts:
    decisions = sorted(draw(st.lists(decision_facts(), max_size=3)), key=lambda d: d.decided_on)
    return CaseFacts(
        request_id=request_id,
        reference=f"AMU-2026-{request_id:04d}",
        received_on=draw(days),
        decisions=tuple(decisions),
        care_started_on=draw(maybe_day),
        care_kind=draw(st.sampled_from([None, "mediprima", "other"])),
        channel=draw(st.sampled_from([None, "in_person", "service", "hospital", "online"])),
        transferred_on=draw(maybe_day),
        appealed_on=draw(maybe_day),
        cpas_id=draw(st.none() | st.integers(1, 19)),
    )


marks = st.none() | st.builds(
    Mark,
    kind=st.sampled_from(["handled", "snoozed"]),
    reason=st.text(max_size=20),
    until=maybe_day,
)


def _check_state(deadline: Deadline, today: D) -> None:
    if deadline.due is None:
        assert deadline.state == State.NOT_STARTED
        assert deadline.last_day is None and deadline.rule == "appeal"
        return
    assert deadline.last_day is not None and deadline.due >= deadline.last_day
    if deadline.moved:
        assert is_working_day(deadline.due)
        assert deadline.due == next_working_day(deadline.last_day)
    if RULES[deadline.rule].judicial:
        assert deadline.due == next_working_day(deadline.last_day)
    if deadline.done_on is not None:
        assert deadline.state == State.DONE
        assert deadline.done_on <= today  # a later closing event had not happened yet
    elif today > deadline.due:
        # Passed: the CPAS must still act; the claimant's and the provider's windows lapse.
        lapses = RULES[deadline.rule].actor in (Actor.CLAIMANT, Actor.PROVIDER)
        assert deadline.state == (State.LAPSED if lapses else State.OVERDUE)
    elif today == deadline.due:
        assert deadline.state == State.DUE
    else:
        assert deadline.state == State.UPCOMING


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(case_facts(), min_size=1, max_size=4),
    days,
    days,
    st.sampled_from(["fr", "nl", "en"]),
    st.booleans(),
    marks,
)
def test_compute_all_never_raises_and_states_follow_the_evaluation_day(
    cases: list[CaseFacts],
    today: D,
    other_day: D,
    language: str,
    move: bool,
    mark: Mark | None,
) -> None:
    cases = [
        dataclasses.replace(case, request_id=i, reference=f"AMU-2026-{i:04d}")
        for i, case in enumerate(cases, start=1)
    ]
    given_marks = {(1, rule): mark for rule in RULES} if mark else None
    first = compute_all(
        cases, today=today, language=language, move_administrative=move, marks=given_marks
    )
    second = compute_all(
        cases, today=other_day, language=language, move_administrative=move, marks=given_marks
    )
    assert len(first) == len(second)
    for one, two in zip(first, second, strict=True):
        # The evaluation day changes states, never dates.
        assert (one.reference, one.rule, one.due, one.last_day, one.moved) == (
            two.reference,
            two.rule,
            two.due,
            two.last_day,
            two.moved,
        )
        _check_state(one, today)
        _check_state(two, other_day)
        if not move and not RULES[one.rule].judicial:
            assert one.due == one.last_day  # administrative limits stay put by default
        if mark is not None and one.request_id == 1:
            assert one.mark == mark
        assert one.explanation and one.basis and one.title
        record = one.as_json()
        assert set(record) == {
            "reference",
            "rule",
            "due",
            "last_day",
            "moved",
            "actor",
            "state",
            "actionable",
            "explanation",
            "handled",
            "snoozed_until",
        }
        for kind in ("cpas", "association", None):
            if one.actionable(kind):  # only what runs, and never the provider's
                assert one.state in RUNNING and one.actor != Actor.PROVIDER
        assert one.actionable("cpas") == (one.state in RUNNING and one.actor == Actor.CPAS)
        assert one.needs_attention(today, 7) == (
            one.state in RUNNING
            and not one.handled
            and not one.snoozed(today)
            and one.due is not None
            and one.due <= today + dt.timedelta(days=7)
        )
    # Every case has at least its decision clocks.
    for case in cases:
        rules = {d.rule for d in first if d.request_id == case.request_id}
        assert {"decision", "appeal-no-decision"} <= rules


@settings(max_examples=200, deadline=None)
@given(days, days)
def test_an_open_request_s_clocks_are_counted_from_the_day_after_it(received: D, today: D) -> None:
    case = CaseFacts(request_id=1, reference="AMU-2026-0001", received_on=received)
    found = {d.rule: d for d in compute_all([case], today=today)}
    assert found["decision"].last_day == received + dt.timedelta(days=30)
    month_end = add_months(received, 1)
    assert found["appeal-no-decision"].last_day == add_months(month_end, 3)
    assert found["decision"].state in RUNNING
    appeal = found["appeal-no-decision"]
    assert appeal.state in RUNNING or (appeal.state == State.LAPSED and today > appeal.due)
    assert set(found) == {"decision", "appeal-no-decision"}
