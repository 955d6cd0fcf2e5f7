"""Closing and reopening a case, and each case's next time limit kept in step with the clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlmodel import Session, col

from amudesk.deadlines import Actor, State
from amudesk.models import AuditEntry, Request
from amudesk.services import FieldError, NotFound, cases, clock, closing, nextdue
from amudesk.services.cases import DecisionData
from amudesk.services.demo import fill_demo
from amudesk.services.office import get_office, save_office
from amudesk.settings import ClockSettings
from amudesk.store import Store
from tests.unit.test_clock_service import _decide, _person, _request

pytestmark = pytest.mark.both_engines

D = dt.date
TODAY = clock.today_in_brussels()


def _stored(session: Session, request_id: int) -> nextdue.Next:
    request = session.get(Request, request_id)
    assert request is not None
    session.refresh(request)
    return nextdue.Next(request.next_due, request.next_rule, request.next_state)


def _fresh(session: Session, request_id: int, today: dt.date = TODAY) -> nextdue.Next:
    items = clock.deadlines(session=session, today=today, request_ids=[request_id])
    return nextdue.next_of(items, today)


def _open_request(store: Store, received: dt.datetime | None = None) -> int:
    with store.transaction() as session:
        person = _person(session)
        request = _request(
            session,
            person,
            received
            or dt.datetime.combine(TODAY - dt.timedelta(days=10), dt.time(10), tzinfo=dt.UTC),
        )
        return request.id or 0


# --- closing ------------------------------------------------------------------------------


def test_a_closed_case_runs_no_limit_and_reopening_restores_them(store: Store) -> None:
    request_id = _open_request(store)
    with store.session() as session:
        before = clock.deadlines(session=session, request_ids=[request_id])
        assert any(d.on_worklist("association", TODAY) for d in before)
        assert _stored(session, request_id).rule == "decision"
    with store.transaction() as session:
        closing.close_case(request_id, session=session, reason="withdrawn")
    with store.session() as session:
        closed = clock.deadlines(session=session, request_ids=[request_id])
        assert {d.state for d in closed} == {State.CLOSED}
        assert not any(d.on_worklist(kind, TODAY) for d in closed for kind in ("cpas", None))
        assert "was closed on" in closed[0].explanation
        assert _stored(session, request_id) == nextdue.NOTHING
        request = session.get(Request, request_id)
        assert request is not None and request.closed_reason == "withdrawn"
    with store.transaction() as session:
        closing.reopen_case(request_id, session=session)
    with store.session() as session:
        again = clock.deadlines(session=session, request_ids=[request_id])
        assert [(d.rule, d.state) for d in again] == [(d.rule, d.state) for d in before]
        assert _stored(session, request_id) == _fresh(session, request_id) != nextdue.NOTHING
        trail = session.scalars(
            select(AuditEntry).where(col(AuditEntry.action).in_(["close", "reopen"]))
        ).all()
    assert [(e.action, e.detail, e.entity_id) for e in trail] == [
        ("close", "reason=withdrawn", request_id),
        ("reopen", "was=withdrawn", request_id),
    ]


def test_a_done_limit_stays_done_on_a_closed_case(store: Store) -> None:
    request_id = _open_request(store)
    with store.transaction() as session:
        request = session.get(Request, request_id)
        assert request is not None
        _decide(session, request, kind="guarantee", decided_on=TODAY - dt.timedelta(days=1))
        closing.close_case(request_id, session=session, reason="covered")
    with store.session() as session:
        states = {
            d.rule: d.state for d in clock.deadlines(session=session, request_ids=[request_id])
        }
    assert states["decision"] == State.DONE
    assert set(states.values()) == {State.DONE, State.CLOSED}


@pytest.mark.parametrize(
    ("reason", "note", "field"),
    [
        ("", "", "reason"),
        ("forgotten", "", "reason"),
        ("=cmd|' /C calc'!A0", "", "reason"),
        ("other", "", "note"),
        ("other", "   ", "note"),
        ("other", "x" * 301, "note"),
        ("other", "moved\x00away", "note"),
        ("covered", "\u202eevil", "note"),
    ],
)
def test_bad_closings_name_the_field_and_change_nothing(
    store: Store, reason: str, note: str, field: str
) -> None:
    request_id = _open_request(store)
    with store.session() as session, pytest.raises(FieldError) as error:
        closing.close_case(request_id, session=session, reason=reason, note=note)
    assert error.value.field == field
    with store.session() as session:
        request = session.get(Request, request_id)
        assert request is not None and request.closed_on is None
        assert session.scalar(select(AuditEntry).where(col(AuditEntry.action) == "close")) is None


def test_closing_twice_or_reopening_an_open_case_is_refused(store: Store) -> None:
    request_id = _open_request(store)
    with store.transaction() as session, pytest.raises(FieldError, match="not closed"):
        closing.reopen_case(request_id, session=session)
    with store.transaction() as session:
        closing.close_case(request_id, session=session, reason="other", note="Parti à Liège")
    with store.transaction() as session, pytest.raises(FieldError, match="already closed"):
        closing.close_case(request_id, session=session, reason="left")
    with store.session() as session, pytest.raises(NotFound):
        closing.close_case(999_999, session=session, reason="left")
    with store.session() as session:
        entry = session.scalar(select(AuditEntry).where(col(AuditEntry.action) == "close"))
    assert entry is not None and "Liège" not in entry.detail  # the note stays out of the trail


def test_idle_cases_with_nothing_running_are_offered_for_closing(store: Store) -> None:
    old = dt.datetime(2024, 3, 4, 9, 0, tzinfo=dt.UTC)
    with store.transaction() as session:
        person = _person(session)
        quiet = _request(session, person, old)
        _decide(
            session,
            quiet,
            kind="guarantee",
            decided_on=D(2024, 3, 20),
            notified_on=D(2024, 3, 22),
            notification_method="hand",
            encoded_on=D(2024, 3, 21),
            valid_from=D(2024, 3, 4),
            valid_to=D(2024, 6, 3),
        )
        waiting = _request(session, person, old, commune="Ixelles")  # the CPAS never decided
        recent = _request(session, person, dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC))
        for request in (quiet, waiting):
            request.updated_at = old
            session.add(request)
    with store.session() as session:
        offered = closing.closing_candidates(session=session, months=12)
        assert waiting.id and recent.id
        states = {
            d.rule: d.state for d in clock.deadlines(session=session, request_ids=[quiet.id or 0])
        }
    # The coverage's re-examination has been overdue since 2024, the other case's decision
    # too: history, not work. The recent case is still running.
    assert states["reexamination"] == State.OVERDUE
    assert [c.reference for c in offered] == [quiet.reference, waiting.reference]
    assert offered[0].updated_on == D(2024, 3, 4)
    with store.transaction() as session:
        clock.mark_deadline(
            recent.id or 0, "decision", session=session, kind="handled", reason="vu"
        )
        assert (
            closing.close_many([quiet.id or 0, quiet.id or 0], session=session, reason="covered")
            == 1
        )
    with store.session() as session:
        assert [c.reference for c in closing.closing_candidates(session=session, months=12)] == [
            waiting.reference
        ]
        with pytest.raises(FieldError) as error:
            closing.closing_candidates(session=session, months=0)
    assert error.value.field == "months"


def _open_requests(store: Store, count: int) -> list[int]:
    """``count`` open requests of one person, received ten days ago."""
    received = dt.datetime.combine(TODAY - dt.timedelta(days=10), dt.time(10), tzinfo=dt.UTC)
    with store.transaction() as session:
        person = _person(session)
        return [_request(session, person, received).id or 0 for _ in range(count)]


def _closed(store: Store, ids: list[int]) -> list[bool]:
    with store.session() as session:
        found = dict(
            session.execute(
                select(col(Request.id), col(Request.closed_on)).where(col(Request.id).in_(ids))
            ).all()
        )
    return [found[i] is not None for i in ids]


def test_many_cases_close_a_batch_a_transaction_and_a_stop_keeps_what_is_done(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(closing, "CLOSE_BATCH", 2)
    ids = _open_requests(store, 5)
    told: list[tuple[int, int]] = []
    # Asked to stop once the first batch was committed: the next one never starts.
    closed = closing.close_in_batches(
        store,
        ids,
        reason="left",
        progress=lambda done, total: told.append((done, total)),
        cancelled=lambda: bool(told),
    )
    assert closed == 2 and told == [(2, 5)]
    assert _closed(store, ids) == [True, True, False, False, False]
    told.clear()
    assert closing.close_in_batches(store, ids, reason="left", progress=lambda *p: told.append(p))
    assert told == [(2, 5), (4, 5), (5, 5)]  # the two already closed are not counted again
    assert _closed(store, ids) == [True] * 5


def test_a_bad_reason_closes_nothing_and_a_failed_batch_keeps_the_ones_before(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(closing, "CLOSE_BATCH", 2)
    ids = _open_requests(store, 4)
    with pytest.raises(FieldError) as error:
        closing.close_in_batches(store, ids, reason="other", note="")  # "other" needs a note
    assert error.value.field == "note" and _closed(store, ids) == [False] * 4
    real = closing.close_many
    calls: list[int] = []

    def fails_the_second(request_ids: list[int], **kwargs: object) -> int:
        calls.append(len(request_ids))
        if len(calls) == 2:
            real(request_ids[:1], **kwargs)  # type: ignore[arg-type]  # half of it, then
            raise OSError(28, "No space left on device")
        return real(request_ids, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(closing, "close_many", fails_the_second)
    with pytest.raises(OSError):
        closing.close_in_batches(store, ids, reason="left")
    # The first batch was committed; the failed one was rolled back whole.
    assert _closed(store, ids) == [True, True, False, False]


# --- the next limit kept in step --------------------------------------------------------


def test_every_change_recounts_the_next_limit_in_its_transaction(store: Store) -> None:
    request_id = _open_request(store)
    with store.session() as session:
        first = _stored(session, request_id)
    assert first.rule == "decision" and first.state == "upcoming"
    with store.transaction() as session:
        cases.record_decision(
            request_id,
            DecisionData(kind="refusal", decided_on=TODAY - dt.timedelta(days=1)),
            session=session,
        )
    with store.session() as session:
        second = _stored(session, request_id)
        assert second == _fresh(session, request_id)
    assert second.rule == "notification"
    with store.transaction() as session:
        clock.mark_deadline(
            request_id, "notification", session=session, kind="handled", reason="vu"
        )
    with store.session() as session:
        third = _stored(session, request_id)
        assert third == _fresh(session, request_id) and third.rule != "notification"
    # A failed transaction leaves the stored answer as it was.
    with pytest.raises(RuntimeError), store.transaction() as session:
        clock.clear_mark(request_id, "notification", session=session)
        raise RuntimeError("power cut")
    with store.session() as session:
        assert _stored(session, request_id) == third


def test_a_new_day_or_setting_recounts_every_case_once(store: Store) -> None:
    fill_demo(store=store, count=150, seed=11, today=TODAY)
    with store.session() as session:
        assert not nextdue.is_stale(session=session, today=TODAY, settings=ClockSettings())
        ids = list(session.scalars(select(col(Request.id))))
        for request_id in ids:
            assert _stored(session, request_id) == _fresh(session, request_id), request_id
    later = TODAY + dt.timedelta(days=40)
    moved = ClockSettings(move_administrative=True)
    with store.session() as session:
        assert nextdue.is_stale(session=session, today=later, settings=moved)
    changed = nextdue.refresh_all(store, today=later, settings=moved)
    assert changed > 0
    assert nextdue.refresh_if_stale(store, today=later, settings=moved) == "fresh"
    with store.session() as session:
        fresh = nextdue.next_by_request(
            clock.deadlines(session=session, today=later, settings=moved), later
        )
        for request_id in ids:
            assert _stored(session, request_id) == fresh.get(request_id, nextdue.NOTHING)


def test_each_new_day_recounts_only_what_came_and_agrees_with_a_full_count(
    store: Store,
) -> None:
    """The day's recount (cases whose next limit came, snoozes that ended) leaves every case
    as a full count would: tested over a run of days, short and long jumps, with snoozes."""
    fill_demo(store=store, count=200, seed=23, today=TODAY)
    with store.transaction() as session:
        running = [
            d
            for d in clock.deadlines(session=session, today=TODAY)
            if d.state in (State.UPCOMING, State.OVERDUE) and d.actor != Actor.PROVIDER
        ]
        for number, deadline in enumerate(running[:60]):
            clock.mark_deadline(
                deadline.request_id,
                deadline.rule,
                session=session,
                kind="snoozed",
                reason="rappel",
                until=TODAY + dt.timedelta(days=1 + number % 9),
                today=TODAY,
            )
    nextdue.refresh_all(store, today=TODAY)
    day = TODAY
    for step in (1, 1, 2, 3, 7, 30, 95, 400):
        day += dt.timedelta(days=step)
        assert nextdue.refresh_if_stale(store, today=day) == "day"
        with store.session() as session:
            fresh = nextdue.next_by_request(clock.deadlines(session=session, today=day), day)
            stored = {
                r.id: nextdue.Next(r.next_due, r.next_rule, r.next_state)
                for r in session.scalars(select(Request))
            }
        assert stored == {i: fresh.get(i or 0, nextdue.NOTHING) for i in stored}, day
    # A different rule book (here the setting) recounts everything.
    assert nextdue.refresh_if_stale(store, today=day, settings=ClockSettings(True)) == "all"
    # So does a day earlier than the stamp's (the computer's clock was wrong).
    assert nextdue.refresh_if_stale(store, today=TODAY, settings=ClockSettings(True)) == "all"


def test_a_cancelled_recount_writes_nothing(store: Store) -> None:
    fill_demo(store=store, count=40, seed=3, today=TODAY)

    def stop(done: int, total: int) -> None:
        if total:
            raise KeyboardInterrupt

    later = TODAY + dt.timedelta(days=400)
    with pytest.raises(KeyboardInterrupt):
        nextdue.refresh_all(store, today=later, progress=stop)
    with store.session() as session:
        assert nextdue.is_stale(session=session, today=later, settings=ClockSettings())
        assert not nextdue.is_stale(session=session, today=TODAY, settings=ClockSettings())


def test_the_demo_worklists_hold_no_provider_lapsed_or_closed_item(store: Store) -> None:
    fill_demo(store=store, count=300, seed=5, today=TODAY)
    with store.session() as session:
        items = clock.deadlines(session=session, today=TODAY)
        closed_ids = set(
            session.scalars(select(col(Request.id)).where(col(Request.closed_on).is_not(None)))
        )
    assert closed_ids and any(d.state == State.LAPSED for d in items)
    for kind in ("cpas", "association"):
        listed = [d for d in items if d.on_worklist(kind, TODAY)]
        assert listed
        assert not any(d.actor == Actor.PROVIDER for d in listed)
        assert not any(d.state in (State.LAPSED, State.CLOSED) for d in listed)
        assert not {d.request_id for d in listed} & closed_ids


def test_the_office_kind_does_not_move_the_next_limit(store: Store) -> None:
    request_id = _open_request(store)
    with store.session() as session:
        before = _stored(session, request_id)
    for kind in ("association", "cpas"):
        with store.transaction() as session:
            save_office(session=session, kind=kind, name="Vivre ensemble")
        with store.session() as session:
            assert get_office(session=session).kind == kind  # type: ignore[union-attr]
            assert _stored(session, request_id) == _fresh(session, request_id) == before


events = st.fixed_dictionaries(
    {
        "received": st.dates(D(2024, 1, 1), TODAY),
        "decide_after": st.none() | st.integers(0, 90),
        "kind": st.sampled_from(["principle", "guarantee", "refusal", "incompetent"]),
        "notify_after": st.none() | st.integers(0, 40),
        "appeal_after": st.none() | st.integers(1, 120),
        "mark": st.sampled_from([None, "handled", "snoozed"]),
        "closed_after": st.none() | st.integers(0, 300),
    }
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(events, min_size=1, max_size=4))
@example(  # received today: before 10:00 UTC, a case received "at 10:00" was in the future
    [
        {
            "received": TODAY,
            "decide_after": None,
            "kind": "principle",
            "notify_after": None,
            "appeal_after": None,
            "mark": None,
            "closed_after": None,
        }
    ]
)
def test_stored_next_limits_equal_the_fresh_count(
    store: Store, plans: list[dict[str, object]]
) -> None:
    """Whatever is recorded, through the services as the forms do, the stored next limit
    of each case is what the clock counts afresh."""
    ids: list[int] = []
    with store.transaction() as session:
        person = _person(session, niss=None)  # type: ignore[arg-type]  # examples share the store
        for plan in plans:
            received: D = plan["received"]  # type: ignore[assignment]
            # At 10:00 UTC, or now when that is later today: never in the future, whatever
            # the hour the tests run (a Brussels day starts at 22:00 or 23:00 UTC).
            moment = dt.datetime.combine(received, dt.time(10), tzinfo=dt.UTC)
            request = _request(session, person, min(moment, dt.datetime.now(dt.UTC)))
            ids.append(request.id or 0)
            if plan["decide_after"] is not None:
                decided = min(received + dt.timedelta(days=plan["decide_after"]), TODAY)  # type: ignore[arg-type]
                notified = (
                    None
                    if plan["notify_after"] is None
                    else min(decided + dt.timedelta(days=plan["notify_after"]), TODAY)  # type: ignore[arg-type]
                )
                _decide(
                    session,
                    request,
                    kind=plan["kind"],
                    decided_on=decided,
                    notified_on=notified,
                    notification_method="hand" if notified else None,
                )
            if plan["appeal_after"] is not None:
                appealed = min(received + dt.timedelta(days=plan["appeal_after"]), TODAY)  # type: ignore[arg-type]
                clock.record_appeal(request.id or 0, appealed, session=session)
    with store.transaction() as session:
        for request_id, plan in zip(ids, plans, strict=True):
            items = clock.deadlines(session=session, request_ids=[request_id])
            running = [d for d in items if d.state in (State.OVERDUE, State.DUE, State.UPCOMING)]
            if plan["mark"] and running:
                until = TODAY + dt.timedelta(days=3) if plan["mark"] == "snoozed" else None
                clock.mark_deadline(
                    request_id,
                    running[0].rule,
                    session=session,
                    kind=plan["mark"],
                    reason="r",
                    until=until,  # type: ignore[arg-type]
                )
            if plan["closed_after"] is not None:
                closing.close_case(request_id, session=session, reason="covered")
    with store.session() as session:
        for request_id in ids:
            assert _stored(session, request_id) == _fresh(session, request_id)


def test_the_case_list_filters_and_sorts_by_the_next_limit(store: Store) -> None:
    fill_demo(store=store, count=300, seed=31, today=TODAY)
    with store.session() as session:
        everything = cases.list_cases(
            session=session, limit=10_000, sort="next_due", descending=False
        )
        dated = [row.next_due for row in everything if row.next_due is not None]
        assert dated == sorted(dated) and dated
        # Cases with nothing running come last, in both directions.
        assert everything[-1].next_due is None
        backwards = cases.list_cases(
            session=session, limit=10_000, sort="next_due", descending=True
        )
        assert [r.next_due for r in backwards if r.next_due] == sorted(dated, reverse=True)
        assert backwards[-1].next_due is None

        def listed(status: str) -> list[cases.CaseRow]:
            rows = cases.list_cases(session=session, status=status, limit=10_000, today=TODAY)
            assert cases.count_cases(session=session, status=status, today=TODAY) == len(rows)
            return rows

        overdue, soon, closed = listed("overdue"), listed("soon"), listed("closed")
        assert overdue and soon and closed
        assert all(r.next_state == "overdue" and r.closed_on is None for r in overdue)
        assert all(TODAY <= r.next_due <= TODAY + dt.timedelta(days=7) for r in soon)  # type: ignore[operator]
        assert all(r.closed_on is not None and r.next_due is None for r in closed)
        opened = listed("open")
        assert all(r.status == "open" and r.closed_on is None for r in opened)
        assert {r.request_id for r in closed}.isdisjoint(
            r.request_id
            for status in ("open", "decided", "refused", "transferred")
            for r in listed(status)
        )
        assert len(everything) == cases.count_cases(session=session)


def test_imported_requests_get_their_next_limit_in_the_import_transaction(
    store: Store, tmp_path: Path
) -> None:
    from amudesk.services.importing import import_file
    from tests.unit.test_spreadsheet import row, write_csv

    rows = [
        row(family_name="Diallo", filed_on=(TODAY - dt.timedelta(days=5)).isoformat()),
        row(family_name="Nguyễn", filed_on="2025-03-10"),
    ]
    report = import_file(write_csv(tmp_path / "rows.csv", rows), store=store)
    assert report.imported == 2
    with store.session() as session:
        ids = list(session.scalars(select(col(Request.id))))
        answers = [_stored(session, request_id) for request_id in ids]
        assert answers == [_fresh(session, request_id) for request_id in ids]
    assert {answer.state for answer in answers} == {"upcoming", "overdue"}


def test_clearing_a_mark_recounts_the_next_limit(store: Store) -> None:
    request_id = _open_request(store)
    with store.session() as session:
        first = _stored(session, request_id)
    with store.transaction() as session:
        clock.mark_deadline(request_id, first.rule or "", session=session, kind="handled")
    with store.session() as session:
        assert _stored(session, request_id) != first
    with store.transaction() as session:  # a delete the ORM does not see
        clock.clear_mark(request_id, first.rule or "", session=session)
    with store.session() as session:
        assert _stored(session, request_id) == _fresh(session, request_id) == first


def test_a_full_recount_keeps_a_change_saved_while_it_counted(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window saves a decision while the background recount runs: the recount, counted
    before that save, does not write its older answer over the save's."""
    request_id = _open_request(store)
    real = clock.all_deadlines

    def count_then_save(*args: object, **kwargs: object) -> object:
        counted = real(*args, **kwargs)  # type: ignore[arg-type]
        with store.transaction() as session:
            cases.record_decision(
                request_id,
                DecisionData(kind="refusal", decided_on=TODAY - dt.timedelta(days=1)),
                session=session,
            )
        return counted

    monkeypatch.setattr(clock, "all_deadlines", count_then_save)
    nextdue.refresh_all(store, settings=ClockSettings(move_administrative=True))
    with store.session() as session:
        stored = _stored(session, request_id)
        assert stored.rule == "notification"
        moved = nextdue.next_of(
            clock.deadlines(
                session=session,
                request_ids=[request_id],
                settings=ClockSettings(move_administrative=True),
            ),
            TODAY,
        )
    assert stored.rule == moved.rule
