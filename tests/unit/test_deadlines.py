"""The legal clock, case by case, from the wording of the Code judiciaire (art. 52–54, 53bis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from amudesk.deadlines import (
    CaseFacts,
    Clock,
    DecisionFacts,
    Mark,
    State,
    add_days,
    add_months,
    is_working_day,
    legal_holiday,
    next_working_day,
    registered_letter_effect,
)

D = dt.date


@pytest.mark.parametrize(
    ("event", "months", "last"),
    [
        (D(2026, 1, 15), 3, D(2026, 4, 15)),  # from 16 Jan to the day before 16 Apr
        (D(2026, 2, 28), 1, D(2026, 3, 31)),  # from 1 Mar to the day before 1 Apr: not 28 Mar
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # from 1 Feb to the day before 1 Mar
        (D(2026, 1, 30), 1, D(2026, 2, 28)),  # from 31 Jan: no 31 Feb, the month's last day
        (D(2027, 11, 30), 3, D(2028, 2, 29)),  # from 1 Dec to the day before 1 Mar, leap year
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 12, 31), 1, D(2027, 1, 31)),  # from 1 Jan to the day before 1 Feb
        (D(2026, 5, 31), 3, D(2026, 8, 31)),  # from 1 Jun to the day before 1 Sep
        (D(2026, 8, 30), 3, D(2026, 11, 30)),  # from 31 Aug: no 31 Nov, 30 Nov
        (D(2028, 2, 29), 12, D(2029, 2, 28)),  # from 1 Mar 2028 to the day before 1 Mar 2029
    ],
)
def test_months_run_from_a_date_to_the_day_before_the_same_date(event, months, last) -> None:  # type: ignore[no-untyped-def]
    assert add_months(event, months) == last


def test_days_run_from_the_next_day_and_include_the_last() -> None:
    assert add_days(D(2026, 10, 1), 30) == D(2026, 10, 31)
    assert add_days(D(2026, 12, 28), 8) == D(2027, 1, 5)


def test_legal_holidays_are_the_law_s_ten_not_bank_or_community_days() -> None:
    assert legal_holiday(D(2026, 8, 15)) is not None  # Assumption
    assert legal_holiday(D(2026, 4, 6)) is not None  # Easter Monday 2026
    assert legal_holiday(D(2027, 3, 29)) is not None  # Easter Monday 2027
    assert legal_holiday(D(2026, 5, 14)) is not None  # Ascension 2026
    assert legal_holiday(D(2026, 5, 25)) is not None  # Whit Monday 2026
    for not_legal in (D(2026, 11, 2), D(2026, 12, 26), D(2026, 9, 27), D(2026, 7, 11)):
        assert legal_holiday(not_legal) is None
    assert legal_holiday(D(2026, 8, 15), "fr") == "Assomption"


def test_next_working_day_skips_weekends_and_holidays() -> None:
    assert next_working_day(D(2026, 8, 15)) == D(2026, 8, 17)  # Sat + holiday → Mon
    assert next_working_day(D(2026, 12, 25)) == D(2026, 12, 28)  # Fri holiday → Mon
    assert next_working_day(D(2026, 11, 2)) == D(2026, 11, 2)  # not a legal holiday
    assert not is_working_day(D(2026, 11, 11)) and is_working_day(D(2026, 11, 12))


def test_registered_letter_takes_effect_on_the_third_working_day() -> None:
    assert registered_letter_effect(D(2026, 11, 23)) == D(2026, 11, 26)  # Mon → Thu
    assert registered_letter_effect(D(2026, 8, 13)) == D(2026, 8, 18)  # Thu → Fri, Mon, Tue
    assert registered_letter_effect(D(2026, 12, 23)) == D(2026, 12, 29)  # skips 25 Dec and weekend


def _case(**facts: object) -> CaseFacts:
    values: dict[str, object] = {
        "request_id": 1,
        "reference": "AMU-2026-0001",
        "received_on": D(2026, 7, 16),
    }
    values.update(facts)
    return CaseFacts(**values)  # type: ignore[arg-type]


TODAY = D(2026, 11, 23)


def _by_rule(case: CaseFacts, today: dt.date = TODAY, **clock: object) -> dict[str, Any]:
    return {d.rule: d for d in Clock(today=today, **clock).deadlines(case)}  # type: ignore[arg-type]


def test_an_open_request_runs_the_decision_and_no_decision_clocks() -> None:
    deadlines = _by_rule(_case())
    assert set(deadlines) == {"decision", "appeal-no-decision"}
    decision = deadlines["decision"]
    assert decision.last_day == D(2026, 8, 15) and decision.due == D(2026, 8, 15)  # administrative
    assert decision.state == State.OVERDUE
    assert "Assumption" in decision.explanation and "setting" in decision.explanation
    appeal = deadlines["appeal-no-decision"]
    # The month ends on 16 Aug; three months later, the day before 17 Nov.
    assert appeal.event_on == D(2026, 8, 16) and appeal.last_day == D(2026, 11, 16)
    assert appeal.actor == "claimant" and appeal.judicial


def test_moving_administrative_limits_is_a_setting_and_is_said() -> None:
    moved = _by_rule(_case(), move_administrative=True)["decision"]
    assert moved.due == D(2026, 8, 17) and moved.moved
    assert "17 Aug" in moved.explanation and "analogy" in moved.explanation


def test_the_appeal_moves_off_a_holiday_and_a_saturday() -> None:
    refusal = DecisionFacts("refusal", D(2026, 5, 10), notified_on=D(2026, 5, 15))
    appeal = _by_rule(_case(received_on=D(2026, 5, 1), decisions=(refusal,)))["appeal"]
    assert appeal.last_day == D(2026, 8, 15) and appeal.due == D(2026, 8, 17)
    assert appeal.state == State.LAPSED  # the claimant's window, passed: nobody can act on it
    text = appeal.explanation
    assert "Sat 15 Aug 2026" in text and "Mon 17 Aug 2026" in text and "art. 53" in text
    assert "no appeal is recorded" in text


def test_the_appeal_does_not_start_without_notification_or_with_missing_mentions() -> None:
    not_notified = DecisionFacts("refusal", D(2026, 8, 10))
    appeal = _by_rule(_case(decisions=(not_notified,)))["appeal"]
    assert appeal.state == State.NOT_STARTED and appeal.due is None
    lacking = DecisionFacts(
        "refusal", D(2026, 8, 10), notified_on=D(2026, 8, 12), missing_mentions=("court_address",)
    )
    appeal = _by_rule(_case(decisions=(lacking,)))["appeal"]
    assert appeal.state == State.NOT_STARTED
    assert "labour court's address" in appeal.explanation and "art. 14" in appeal.explanation


def test_a_registered_letter_is_explained_from_its_posting_day() -> None:
    posted = D(2026, 8, 13)
    refusal = DecisionFacts(
        "refusal",
        D(2026, 8, 12),
        notified_on=registered_letter_effect(posted),
        notification_method="registered",
        posted_on=posted,
    )
    deadlines = _by_rule(_case(decisions=(refusal,)))
    assert deadlines["notification"].state == State.DONE
    appeal = deadlines["appeal"]
    assert appeal.event_on == D(2026, 8, 18) and appeal.last_day == D(2026, 11, 18)
    assert "53bis" in appeal.explanation


def test_closing_events_stop_their_clocks() -> None:
    refusal = DecisionFacts("incompetent", D(2026, 7, 20), notified_on=D(2026, 7, 21))
    case = _case(decisions=(refusal,), transferred_on=D(2026, 7, 22), appealed_on=D(2026, 9, 1))
    deadlines = _by_rule(case)
    assert deadlines["decision"].state == State.DONE
    assert deadlines["appeal-no-decision"].state == State.DONE
    assert deadlines["transfer"].state == State.DONE and deadlines["transfer"].last_day == D(
        2026, 7, 21
    )
    assert deadlines["appeal"].state == State.DONE
    late = _by_rule(_case(decisions=(refusal,), transferred_on=D(2026, 7, 25)))["transfer"]
    assert late.state == State.DONE and "late" in late.explanation


def test_positive_decisions_run_encoding_reexamination_and_renewal() -> None:
    guarantee = DecisionFacts(
        "guarantee",
        D(2026, 8, 3),
        notified_on=D(2026, 8, 5),
        valid_from=D(2026, 7, 16),
        valid_to=D(2027, 1, 31),
    )
    deadlines = _by_rule(_case(decisions=(guarantee,)), today=D(2026, 8, 10))
    assert deadlines["mediprima"].last_day == D(2026, 8, 11)
    assert deadlines["mediprima"].state == State.UPCOMING
    # Coverage for irregular stay: 92 days, the start day included.
    assert deadlines["reexamination"].last_day == D(2026, 10, 15)
    assert deadlines["renewal"].last_day == D(2027, 1, 31)
    assert "appeal" not in deadlines


def test_care_before_a_decision_counts_60_or_45_days() -> None:
    for kind, days in (("mediprima", 60), ("other", 45), (None, 45)):
        case = _case(care_started_on=D(2026, 7, 1), care_kind=kind)
        care = _by_rule(case)["care-decision"]
        assert care.last_day == D(2026, 7, 1) + dt.timedelta(days=days)
    provider = _by_rule(_case(care_started_on=D(2026, 7, 1), channel="hospital"))["provider-notice"]
    assert provider.state == State.DONE and provider.last_day == D(2026, 7, 16)


def test_states_follow_the_evaluation_day_not_the_dates() -> None:
    case = _case()
    for today, state in (
        (D(2026, 8, 14), State.UPCOMING),
        (D(2026, 8, 15), State.DUE),
        (D(2026, 8, 16), State.OVERDUE),
    ):
        decision = _by_rule(case, today=today)["decision"]
        assert decision.state == state and decision.due == D(2026, 8, 15)


def test_marks_are_shown_and_snoozes_end() -> None:
    clock = Clock(today=D(2026, 8, 1))
    snoozed = clock.deadlines(
        _case(), {"decision": Mark("snoozed", "waiting for documents", D(2026, 8, 10))}
    )
    decision = next(d for d in snoozed if d.rule == "decision")
    assert decision.snoozed(D(2026, 8, 5)) and not decision.snoozed(D(2026, 8, 10))
    assert not decision.needs_attention(D(2026, 8, 5), 30)
    assert decision.needs_attention(D(2026, 8, 10), 7)
    assert "waiting for documents" in decision.explanation


def test_explanations_are_written_in_the_clock_s_language() -> None:
    case = _case()
    french = _by_rule(case, language="fr")["decision"].explanation
    dutch = _by_rule(case, language="nl")["decision"].explanation
    assert "août" in french and "Assomption" in french
    assert "aug" in dutch
    assert french != dutch


def test_a_registered_letter_known_by_its_posting_day_alone_starts_the_appeal() -> None:
    refusal = DecisionFacts(
        "refusal", D(2026, 8, 12), notification_method="registered", posted_on=D(2026, 8, 13)
    )
    appeal = _by_rule(_case(decisions=(refusal,)))["appeal"]
    assert appeal.event_on == D(2026, 8, 18)  # third working day after posting
    assert appeal.state == State.LAPSED and appeal.last_day == D(2026, 11, 18)


def test_evaluating_as_of_an_earlier_day_ignores_later_closing_events() -> None:
    decided = _case(decisions=(DecisionFacts("guarantee", D(2026, 8, 10)),))
    before = _by_rule(decided, today=D(2026, 8, 1))["decision"]
    assert before.state == State.UPCOMING and before.done_on is None
    after = _by_rule(decided, today=D(2026, 8, 20))["decision"]
    assert after.state == State.DONE and after.done_on == D(2026, 8, 10)
    assert before.due == after.due  # the dates never change


def test_a_passed_limit_lapses_when_nobody_at_the_desk_can_act_on_it() -> None:
    """Without a decision for a year, the CPAS's decision stays overdue (it must still
    decide) while the claimant's appeal window has closed: lapsed, and said once."""
    old = _case(received_on=D(2025, 6, 2), care_started_on=D(2025, 6, 2), care_kind="other")
    found = _by_rule(old)
    assert found["decision"].state == State.OVERDUE
    assert found["care-decision"].state == State.OVERDUE
    no_decision = found["appeal-no-decision"]
    assert no_decision.state == State.LAPSED and no_decision.due is not None
    assert no_decision.due < TODAY
    assert "no appeal is recorded" in no_decision.explanation
    assert not no_decision.needs_attention(TODAY, 7)
    provider = found["provider-notice"]
    assert provider.state == State.LAPSED
    assert "care provider" in provider.explanation
    assert not provider.needs_attention(TODAY, 7)


def test_a_window_is_due_on_its_last_day_and_lapses_the_day_after() -> None:
    refusal = DecisionFacts("refusal", D(2026, 5, 10), notified_on=D(2026, 5, 15))
    case = _case(received_on=D(2026, 5, 1), decisions=(refusal,))
    assert _by_rule(case, D(2026, 8, 17))["appeal"].state == State.DUE  # moved off Sat 15
    assert _by_rule(case, D(2026, 8, 18))["appeal"].state == State.LAPSED
    appealed = _case(received_on=D(2026, 5, 1), decisions=(refusal,), appealed_on=D(2026, 8, 3))
    assert _by_rule(appealed, D(2026, 8, 18))["appeal"].state == State.DONE


def test_a_lapsed_limit_has_its_own_group_on_the_board() -> None:
    from amudesk.services.board import LAPSED, OVERDUE, bucket_of

    found = _by_rule(_case(received_on=D(2025, 6, 2)))
    assert bucket_of(found["appeal-no-decision"], TODAY, 7) == LAPSED
    assert bucket_of(found["decision"], TODAY, 7) == OVERDUE


@pytest.mark.parametrize(
    ("case_today", "rule", "cpas", "association", "nobody"),
    [
        # (received days before TODAY, the rule): who can act on it
        (10, "decision", True, False, True),  # the CPAS's, running: its own
        (40, "decision", True, True, True),  # the CPAS's, overdue: an association reminds it
        (40, "appeal-no-decision", False, True, True),  # the claimant's, running: the appeal
        (10, "provider-notice", False, False, False),  # the provider's: information only
        (400, "appeal-no-decision", False, False, False),  # lapsed: nobody any more
    ],
)
def test_what_each_kind_of_office_can_act_on(
    case_today: int, rule: str, cpas: bool, association: bool, nobody: bool
) -> None:
    received = TODAY - dt.timedelta(days=case_today)
    case = _case(received_on=received, care_started_on=received, care_kind="other")
    deadline = _by_rule(case)[rule]
    assert deadline.actionable("cpas") is cpas
    assert deadline.actionable("association") is association
    assert deadline.actionable(None) is nobody
    assert deadline.as_json("association")["actionable"] is association


def test_done_and_marked_limits_leave_the_worklist() -> None:
    decided = DecisionFacts("refusal", TODAY - dt.timedelta(days=5))
    case = _case(received_on=TODAY - dt.timedelta(days=10), decisions=(decided,))
    found = {d.rule: d for d in Clock(today=TODAY).deadlines(case)}
    assert found["decision"].state == State.DONE and not found["decision"].actionable("cpas")
    notification = found["notification"]
    assert notification.on_worklist("cpas", TODAY)
    notification.mark = Mark("handled", "phoned")
    assert notification.actionable("cpas") and not notification.on_worklist("cpas", TODAY)
    notification.mark = Mark("snoozed", "waiting", until=TODAY + dt.timedelta(days=2))
    assert not notification.on_worklist("cpas", TODAY)
    assert notification.on_worklist("cpas", TODAY + dt.timedelta(days=2))


def test_the_quick_worklist_test_answers_as_the_rule_says_for_every_rule_and_state() -> None:
    """The board filters 100,000 cases' limits with one quick test per office kind; for
    each rule, state and kind it must say what the rule says in words."""
    from types import SimpleNamespace

    from amudesk.deadlines import RULES, RUNNING_STATES, Actor, State, actionable_test

    def in_words(actor: Actor, state: State, kind: str | None) -> bool:
        if state not in RUNNING_STATES or actor == Actor.PROVIDER:
            return False
        if kind == "cpas":
            return actor == Actor.CPAS
        if kind == "association":
            return actor == Actor.CLAIMANT or state == State.OVERDUE
        return True

    for key, rule in RULES.items():
        for state in State:
            for kind in ("cpas", "association", None):
                limit = SimpleNamespace(rule=key, state=state)
                assert actionable_test(kind)(limit) is in_words(rule.actor, state, kind), (
                    key,
                    state,
                    kind,
                )
