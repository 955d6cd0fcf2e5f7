"""Working the board's list: names beside references, several marks in one transaction, the
next action of a time limit, and the setting's sentence kept apart as a footnote."""

from __future__ import annotations

import datetime as dt

import pytest

from amudesk.deadlines import CaseFacts, Clock, Deadline, DecisionFacts, State
from amudesk.services import FieldError, cases, clock, directory, people, worklist
from amudesk.services.cases import RequestData
from amudesk.services.people import PersonData
from amudesk.store import Store

pytestmark = pytest.mark.both_engines

D = dt.date
RECEIVED = D(2026, 1, 5)  # a Monday: the decision's last day, 4 Feb, is a working day


def _request(store: Store, family_name: str, given_names: str) -> int:
    with store.transaction() as session:
        cpas = directory.find_cpas("Saint-Gilles", session=session)
        assert cpas is not None and cpas.id is not None
        person = people.save_person(
            PersonData(family_name=family_name, given_names=given_names), session=session
        )
        assert person.id is not None
        request = cases.register_request(
            RequestData(
                person_id=person.id, cpas_id=cpas.id, received_at=dt.datetime(2026, 1, 5, 10)
            ),
            session=session,
        )
        assert request.id is not None
        return request.id


# --- names -------------------------------------------------------------------------------


def test_names_are_read_for_the_requests_asked_for_in_one_go(store: Store) -> None:
    lan = _request(store, "Nguyễn", "Thị Lan")
    ayse = _request(store, "Öztürk", "Ayşe")
    with store.session() as session:
        assert worklist.request_names(session=session, request_ids=[lan]) == {lan: "NGUYỄN Thị Lan"}
        assert worklist.request_names(session=session) == {
            lan: "NGUYỄN Thị Lan",
            ayse: "ÖZTÜRK Ayşe",
        }
        assert worklist.request_names(session=session, request_ids=[]) == {}


# --- several marks -----------------------------------------------------------------------


def test_three_time_limits_are_marked_in_one_transaction(store: Store) -> None:
    first, second = _request(store, "Dupont", "Marie"), _request(store, "Diallo", "Awa")
    items = [(first, "decision"), (first, "appeal-no-decision"), (second, "decision")]
    with store.transaction() as session:
        marks = worklist.mark_deadlines(
            items, session=session, kind="handled", reason="Asked by phone"
        )
    assert len(marks) == 3
    with store.session() as session:
        stored = clock.marks(session=session)
    assert set(stored) == set(items)
    assert {(m.kind, m.reason) for m in stored.values()} == {("handled", "Asked by phone")}


def test_a_bad_snooze_is_refused_before_anything_is_written(store: Store) -> None:
    first = _request(store, "Dupont", "Marie")
    items = [(first, "decision"), (first, "appeal-no-decision")]
    today = D(2026, 2, 10)
    for kind, reason, until in (
        ("snoozed", "", today + dt.timedelta(days=3)),  # no reason
        ("snoozed", "Waiting", today),  # not after today
        ("forgotten", "Waiting", None),
    ):
        with pytest.raises(FieldError), store.transaction() as session:
            worklist.mark_deadlines(
                items, session=session, kind=kind, reason=reason, until=until, today=today
            )
    with pytest.raises(FieldError), store.transaction() as session:
        worklist.mark_deadlines([*items, (first, "no-such-rule")], session=session, kind="handled")
    with store.session() as session:
        assert clock.marks(session=session) == {}


# --- the next action ---------------------------------------------------------------------


def deadlines_of(case: CaseFacts, today: dt.date) -> dict[str, Deadline]:
    return {d.rule: d for d in Clock(today=today).deadlines(case)}


def no_decision(**facts: object) -> CaseFacts:
    return CaseFacts(request_id=1, reference="AMU-2026-0001", received_on=RECEIVED, **facts)  # type: ignore[arg-type]


def incompetent(**facts: object) -> CaseFacts:
    """Received on Wednesday 7 Jan, held not competent on the 8th: the transfer was due on
    Monday 12 Jan, the decision's notification on Friday 16 Jan."""
    return CaseFacts(
        request_id=2,
        reference="AMU-2026-0002",
        received_on=D(2026, 1, 7),
        decisions=(DecisionFacts(kind="incompetent", decided_on=D(2026, 1, 8)),),
        **facts,  # type: ignore[arg-type]
    )


def action(
    case: CaseFacts,
    rule: str,
    office: str | None,
    today: dt.date,
    sent: dict[str, dt.date] | None = None,
) -> worklist.NextAction:
    found = deadlines_of(case, today)
    return worklist.next_action(
        found[rule], office, today, case_deadlines=list(found.values()), sent=sent
    )


@pytest.mark.parametrize(
    ("today", "key", "start"),
    [
        (D(2026, 1, 17), worklist.REMIND, "CPAS late: send a reminder"),  # 5 days late
        (D(2026, 1, 26), worklist.REMIND, "CPAS late: send a reminder"),  # 14 days late
        (D(2026, 1, 27), worklist.FORMAL_NOTICE, "CPAS late: send a formal notice"),  # 15
        (D(2026, 3, 30), worklist.FORMAL_NOTICE, "CPAS late: send a formal notice"),
    ],
)
def test_an_association_reminds_a_late_cpas_then_gives_formal_notice(
    today: dt.date, key: str, start: str
) -> None:
    found = action(incompetent(), "transfer", "association", today)
    assert found.key == key and found.text.startswith(start)
    assert str((today - D(2026, 1, 12)).days) in found.text
    assert found.key in worklist.LETTER_ACTIONS  # written from the case, until letters exist


def test_an_association_reminds_then_gives_notice_then_appeals_never_too_late() -> None:
    # Late, nothing sent yet: a reminder.
    assert action(no_decision(), "decision", "association", D(2026, 2, 5)).key == worklist.REMIND
    assert action(no_decision(), "decision", "association", D(2026, 2, 10)).key == worklist.REMIND
    # The appeal window (until Tuesday 5 May) nears its end: the appeal, whatever was sent.
    court = action(no_decision(), "decision", "association", D(2026, 4, 20))
    assert court.key == worklist.LABOUR_COURT
    assert court.text.startswith("CPAS late: appeal to the labour court")
    assert "Tue 5 May 2026" in court.text
    # The window has lapsed: no appeal is proposed any more, a formal notice is.
    late = action(no_decision(), "decision", "association", D(2026, 6, 1))
    assert late.key == worklist.FORMAL_NOTICE and "117 days" in late.text


def test_the_next_step_follows_the_letters_sent() -> None:
    reminded = {"reminder": D(2026, 2, 10)}
    wait = action(no_decision(), "decision", "association", D(2026, 2, 15), sent=reminded)
    assert wait.key == worklist.NOTHING
    assert (
        wait.text
        == "Reminder sent on Tue 10 Feb 2026: the CPAS has until Wed 18 Feb 2026 to answer."
    )
    notice = action(no_decision(), "decision", "association", D(2026, 2, 20), sent=reminded)
    assert notice.key == worklist.FORMAL_NOTICE and "no answer" in notice.text
    noticed = {**reminded, "formal-notice": D(2026, 2, 20)}
    assert action(no_decision(), "decision", "association", D(2026, 2, 25), sent=noticed).key == (
        worklist.NOTHING
    )
    court = action(no_decision(), "decision", "association", D(2026, 3, 2), sent=noticed)
    assert court.key == worklist.LABOUR_COURT and "Tue 5 May 2026" in court.text
    written = {**noticed, "appeal": D(2026, 3, 3)}
    recorded = action(no_decision(), "decision", "association", D(2026, 3, 4), sent=written)
    assert recorded.key == worklist.RECORD_APPEAL and "3 Mar 2026" in recorded.text


def test_an_association_waits_for_a_cpas_still_in_time() -> None:
    waiting = action(no_decision(), "decision", "association", D(2026, 1, 20))
    assert waiting.key == worklist.NOTHING
    assert waiting.text.startswith("Nothing to do yet: the CPAS has until Wed 4 Feb 2026")


@pytest.mark.parametrize("office", ["cpas", None, "association"])
def test_nothing_is_left_to_do_on_lapsed_closed_done_and_provider_limits(
    office: str | None,
) -> None:
    today = D(2026, 6, 1)
    lapsed = action(no_decision(), "appeal-no-decision", office, today)
    assert lapsed.key == worklist.NOTHING and "lapsed" in lapsed.text
    closed = action(no_decision(closed_on=D(2026, 3, 1)), "decision", office, today)
    assert closed.key == worklist.NOTHING and "closed" in closed.text
    done = action(incompetent(transferred_on=D(2026, 1, 9)), "transfer", office, today)
    assert done.key == worklist.NOTHING and done.text.startswith("Nothing is left to do")
    care = no_decision(care_started_on=D(2026, 5, 25))
    provider = action(care, "provider-notice", office, D(2026, 5, 26))
    assert provider.key == worklist.NOTHING and "care provider" in provider.text


def test_a_cpas_records_the_event_that_stops_each_clock() -> None:
    today = D(2026, 1, 20)
    assert action(no_decision(), "decision", "cpas", today).key == worklist.RECORD_DECISION
    assert action(incompetent(), "transfer", "cpas", today).key == worklist.RECORD_TRANSFER
    assert action(incompetent(), "notification", "cpas", today).key == worklist.UPDATE_DECISION
    refused = CaseFacts(
        request_id=3,
        reference="AMU-2026-0003",
        received_on=RECEIVED,
        decisions=(
            DecisionFacts(
                kind="refusal",
                decided_on=D(2026, 1, 10),
                notified_on=D(2026, 1, 12),
                notification_method="hand",
            ),
        ),
    )
    appeal = action(refused, "appeal", "association", today)
    assert appeal.key == worklist.RECORD_APPEAL and "labour court until" in appeal.text


def test_the_other_deadlines_of_the_case_are_counted_when_not_given() -> None:
    today = D(2026, 4, 20)
    decision = deadlines_of(no_decision(), today)["decision"]
    found = worklist.next_action(decision, "association", today)
    assert found.key == worklist.LABOUR_COURT


def test_only_running_limits_are_snoozed_and_done_or_closed_ones_not_marked() -> None:
    today = D(2026, 6, 1)
    found = deadlines_of(incompetent(transferred_on=D(2026, 1, 9)), today)
    assert found["transfer"].state == State.DONE
    assert not worklist.can_mark(found["transfer"], "handled")
    assert worklist.can_mark(found["notification"], "handled")
    assert worklist.can_mark(found["notification"], "snoozed")
    closed = deadlines_of(no_decision(closed_on=D(2026, 3, 1)), today)["decision"]
    assert closed.state == State.CLOSED and not worklist.can_mark(closed, "handled")


# --- the footnote ------------------------------------------------------------------------


def test_the_setting_s_sentence_is_kept_apart_for_a_footnote() -> None:
    sentence = "Administrative time limit: it does not move off a non-working day (setting)."
    found = deadlines_of(no_decision(), D(2026, 1, 20))
    decision = found["decision"]
    body, footnote = decision.explanation_parts()
    assert footnote == sentence
    assert sentence in decision.explanation and sentence not in body
    assert decision.explanation == decision.clock.explain(decision)  # unchanged for the others
    assert body.replace("  ", " ") == decision.explanation.replace(" " + sentence, "")
    # A judicial limit has no such sentence; nor has one whose last day fell on a weekend.
    assert found["appeal-no-decision"].explanation_parts()[1] == ""
    sunday = CaseFacts(
        request_id=4,
        reference="AMU-2026-0004",
        received_on=D(2026, 1, 6),
        decisions=(DecisionFacts(kind="incompetent", decided_on=D(2026, 1, 7)),),
    )
    transfer = deadlines_of(sunday, D(2026, 1, 9))["transfer"]
    assert transfer.last_day == D(2026, 1, 11)
    body, footnote = transfer.explanation_parts()
    assert footnote == "" and "a Sunday, but an administrative time limit" in body
    assert body == transfer.explanation
    moving = Clock(today=D(2026, 1, 20), move_administrative=True).deadlines(no_decision())[0]
    assert moving.explanation_parts()[1].startswith("Administrative time limit: it would move")
