"""The legal clock over the database: facts read back, marks, closing events, calendar, migration."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter as Tally
from collections.abc import Callable
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select, text
from sqlmodel import Session, col

from amudesk import deadlines
from amudesk.dates import brussels_today
from amudesk.deadlines import RULES, State
from amudesk.identifiers import parse_niss
from amudesk.models import Decision, Person, Request
from amudesk.services import FieldError, NotFound, cases, clock, directory, people
from amudesk.services.cases import DecisionData, RequestData
from amudesk.services.demo import bis_number, fill_demo
from amudesk.services.desk import open_desk
from amudesk.services.people import PersonData
from amudesk.store import SCHEMA_REVISION, Store, current_revision, make_engine, migrate
from tests.keys import FAST_KDF, PASSPHRASE, keyed

pytestmark = pytest.mark.both_engines

D = dt.date
FAMILY = "Ștefănescu-Иванова"
GIVEN = "Zoë Олена"
NISS = bis_number("1985-07-30", "F", 2)
TODAY = D(2026, 11, 23)


def _person(session: Session, family: str = FAMILY, niss: str = NISS) -> Person:
    return people.save_person(
        PersonData(
            family_name=family, given_names=GIVEN, sex="F", birth_date="1985-07-30", niss=niss
        ),
        session=session,
    )


def _request(
    session: Session,
    person: Person,
    received: dt.datetime = dt.datetime(2026, 7, 16, 10, 0),
    commune: str = "Saint-Gilles",
    **facts: object,
) -> Request:
    cpas = directory.find_cpas(commune, session=session)
    assert cpas is not None
    return cases.register_request(
        RequestData(person_id=person.id, cpas_id=cpas.id, received_at=received, **facts),  # type: ignore[arg-type]
        session=session,
    )


def _decide(session: Session, request: Request, **facts: object) -> Decision:
    return cases.record_decision(request.id or 0, DecisionData(**facts), session=session)  # type: ignore[arg-type]


def _by_rule(
    session: Session, request: Request, **options: object
) -> dict[str, deadlines.Deadline]:
    found = clock.deadlines(session=session, request_ids=[request.id or 0], **options)  # type: ignore[arg-type]
    assert all(d.request_id == request.id for d in found)
    return {d.rule: d for d in found}


# --- facts read back ------------------------------------------------------------------


def test_case_facts_are_read_back_with_the_brussels_day_and_decisions_oldest_first(
    session: Session,
) -> None:
    person = _person(session)
    # 00:30 in Brussels on 1 August is still 31 July in UTC: the clock counts the local day.
    request = _request(
        session,
        person,
        dt.datetime(2026, 8, 1, 0, 30),
        care_started_on=D(2026, 7, 28),
        care_kind="other",
        channel="hospital",
    )
    other = _request(session, person, dt.datetime(2026, 9, 1, 9, 0), commune="Anderlecht")
    _decide(
        session,
        request,
        kind="guarantee",
        decided_on=D(2026, 8, 12),
        notification_method="registered",
        posted_on=D(2026, 8, 13),  # a Thursday: Fri 14, Mon 17, Tue 18 (art. 53bis)
        missing_mentions=["reference", "reasons"],
        valid_from=D(2026, 8, 1),
        valid_to=D(2026, 10, 31),
        encoded_on=D(2026, 8, 20),
    )
    _decide(session, request, kind="principle", decided_on=D(2026, 8, 5))  # recorded later
    session.commit()

    facts = {f.request_id: f for f in clock.case_facts(session=session)}
    assert set(facts) == {request.id, other.id}
    case = facts[request.id or 0]
    assert case.reference == request.reference and case.received_on == D(2026, 8, 1)
    assert (case.care_started_on, case.care_kind, case.channel) == (
        D(2026, 7, 28),
        "other",
        "hospital",
    )
    assert [d.kind for d in case.decisions] == ["principle", "guarantee"]  # by decision day
    guarantee = case.decisions[1]
    assert guarantee.notified_on == D(2026, 8, 18)  # filled from the posting day
    assert (guarantee.notification_method, guarantee.posted_on) == ("registered", D(2026, 8, 13))
    assert guarantee.missing_mentions == ("reasons", "reference")
    assert (guarantee.valid_from, guarantee.valid_to, guarantee.encoded_on) == (
        D(2026, 8, 1),
        D(2026, 10, 31),
        D(2026, 8, 20),
    )
    assert facts[other.id or 0].decisions == ()

    only = clock.case_facts(session=session, request_ids=[other.id or 0])
    assert [f.request_id for f in only] == [other.id]
    by_cpas = clock.case_facts(session=session, cpas_id=other.cpas_id)
    assert [f.request_id for f in by_cpas] == [other.id]
    assert by_cpas[0].cpas_id == other.cpas_id


def test_deadlines_follow_the_settings_and_the_evaluation_day(session: Session) -> None:
    request = _request(session, _person(session))  # received Thu 16 Jul 2026
    session.commit()
    plain = _by_rule(session, request, today=D(2026, 8, 14))
    # 30 days from 17 Jul: Sat 15 Aug, Assumption; administrative, it does not move by default.
    assert plain["decision"].last_day == D(2026, 8, 15) and plain["decision"].due == D(2026, 8, 15)
    assert plain["decision"].state == State.UPCOMING
    moved = _by_rule(
        session,
        request,
        today=D(2026, 8, 16),
        settings=clock.ClockSettings(move_administrative=True),
    )
    assert moved["decision"].due == D(2026, 8, 17) and moved["decision"].moved
    assert moved["decision"].state == State.UPCOMING
    french = _by_rule(session, request, today=D(2026, 8, 16), language="fr")
    assert "août" in french["decision"].explanation


# --- one clock, counted in chunks --------------------------------------------------------


def _requests(session: Session, count: int) -> list[int]:
    """``count`` requests, each of its own person, received on successive days."""
    ids = []
    for number in range(count):
        person = _person(
            session, family=f"{FAMILY} {number}", niss=bis_number("1985-07-30", "F", 2 * number + 2)
        )
        request = _request(session, person, received=dt.datetime(2026, 7, 1 + number, 10, 0))
        ids.append(request.id or 0)
    return ids


def test_the_clock_counts_in_chunks_and_reports_after_each(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _requests(session, 5)
    clock.mark_deadline(ids[3], "decision", session=session, kind="handled", today=TODAY)
    whole = clock.deadlines(session=session, today=TODAY)
    monkeypatch.setattr(clock, "CHUNK", 2)
    calls: list[tuple[int, int]] = []
    chunked = clock.deadlines(
        session=session, today=TODAY, progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(2, 5), (4, 5), (5, 5)]
    assert chunked == whole  # same deadlines, same order, the mark in its chunk
    assert [d.request_id for d in chunked] == sorted(d.request_id for d in chunked)
    marked = {(d.request_id, d.rule): d.mark for d in chunked if d.mark is not None}
    assert set(marked) == {(ids[3], "decision")}


def test_a_progress_callback_that_raises_stops_the_count(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _requests(session, 3)
    monkeypatch.setattr(clock, "CHUNK", 1)
    calls: list[tuple[int, int]] = []

    class Stop(Exception):
        pass

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done == 2:
            raise Stop()

    with pytest.raises(Stop):
        clock.deadlines(session=session, today=TODAY, progress=progress)
    assert calls == [(1, 3), (2, 3)]


def test_all_deadlines_reads_in_one_session_then_counts(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, int]] = []
    assert clock.all_deadlines(store, today=TODAY, progress=lambda *c: calls.append(c)) == ([], 0)
    assert calls == [(0, 0)]  # nothing to count: the busy indicator only
    with store.transaction() as session:
        _requests(session, 3)
    monkeypatch.setattr(clock, "CHUNK", 2)
    calls.clear()
    found, requests = clock.all_deadlines(
        store, today=TODAY, language="fr", progress=lambda *c: calls.append(c)
    )
    assert requests == 3 and calls == [(0, 0), (2, 3), (3, 3)]
    with store.session() as session:
        assert found == clock.deadlines(session=session, today=TODAY, language="fr")


# --- marks ------------------------------------------------------------------------------


def test_marks_handled_and_snoozed_are_kept_and_shown(session: Session) -> None:
    request = _request(session, _person(session))
    rid = request.id or 0
    today = D(2026, 8, 10)
    clock.mark_deadline(rid, "decision", session=session, kind="handled", today=today)
    clock.mark_deadline(
        rid,
        "appeal-no-decision",
        session=session,
        kind="snoozed",
        reason="waiting for the enquiry",
        until=D(2026, 8, 20),
        today=today,
    )
    session.commit()
    found = _by_rule(session, request, today=today)
    decision, appeal = found["decision"], found["appeal-no-decision"]
    assert decision.handled and decision.as_json()["handled"] is True
    assert "handled" in decision.explanation
    assert not decision.needs_attention(today, 30)
    assert appeal.snoozed(today) and not appeal.handled
    assert appeal.as_json()["snoozed_until"] == "2026-08-20"
    assert "waiting for the enquiry" in appeal.explanation
    assert clock.marks(session=session) == {
        (rid, "decision"): deadlines.Mark("handled", "", None),
        (rid, "appeal-no-decision"): deadlines.Mark(
            "snoozed", "waiting for the enquiry", D(2026, 8, 20)
        ),
    }

    # One mark per deadline: the last one wins; a handled mark keeps no day.
    clock.mark_deadline(
        rid,
        "decision",
        session=session,
        kind="snoozed",
        reason="r",
        until=D(2026, 9, 1),
        today=today,
    )
    clock.mark_deadline(
        rid, "appeal-no-decision", session=session, kind="handled", until=D(2026, 9, 1), today=today
    )
    session.commit()
    assert clock.marks(session=session) == {
        (rid, "decision"): deadlines.Mark("snoozed", "r", D(2026, 9, 1)),
        (rid, "appeal-no-decision"): deadlines.Mark("handled", "", None),
    }
    clock.clear_mark(rid, "decision", session=session)
    session.commit()
    assert set(clock.marks(session=session)) == {(rid, "appeal-no-decision")}
    assert _by_rule(session, request, today=today)["decision"].mark is None


@pytest.mark.parametrize(
    ("rule", "kind", "reason", "until", "field"),
    [
        ("decision", "snoozed", "", D(2026, 8, 20), "reason"),  # no reason
        ("decision", "snoozed", "   ", D(2026, 8, 20), "reason"),  # blank reason
        ("decision", "snoozed", "waiting", D(2026, 8, 9), "until"),  # in the past
        ("decision", "snoozed", "waiting", D(2026, 8, 10), "until"),  # today itself
        ("decision", "snoozed", "waiting", None, "until"),  # no day
        ("decision", "forgotten", "", None, "kind"),
        ("no-such-rule", "handled", "", None, "rule"),
        ("decision", "handled", "x" * 301, None, "reason"),
    ],
)
def test_bad_marks_are_refused_naming_the_field(
    session: Session, rule: str, kind: str, reason: str, until: D | None, field: str
) -> None:
    request = _request(session, _person(session))
    with pytest.raises(FieldError) as error:
        clock.mark_deadline(
            request.id or 0,
            rule,
            session=session,
            kind=kind,
            reason=reason,
            until=until,
            today=D(2026, 8, 10),
        )
    assert error.value.field == field and error.value.message
    assert clock.marks(session=session) == {}


def test_marks_on_a_missing_request_are_refused(session: Session) -> None:
    with pytest.raises(NotFound):
        clock.mark_deadline(999, "decision", session=session, kind="handled")


# --- closing events ----------------------------------------------------------------------


def test_recorded_transfer_and_appeal_stop_their_clocks(session: Session) -> None:
    person = _person(session)
    request = _request(session, person)
    _decide(
        session, request, kind="incompetent", decided_on=D(2026, 7, 18), notified_on=D(2026, 7, 20)
    )
    session.commit()
    running = _by_rule(session, request, today=D(2026, 7, 20))
    assert running["transfer"].state == State.UPCOMING
    assert running["transfer"].last_day == D(2026, 7, 21)  # 5 days from 17 Jul
    assert running["appeal"].state == State.UPCOMING

    clock.record_transfer(request.id or 0, D(2026, 7, 21), session=session)
    clock.record_appeal(request.id or 0, D(2026, 9, 1), session=session)
    session.commit()
    stopped = _by_rule(session, request, today=D(2026, 12, 31))
    assert stopped["transfer"].state == State.DONE and stopped["transfer"].done_on == D(2026, 7, 21)
    assert stopped["appeal"].state == State.DONE and stopped["appeal"].done_on == D(2026, 9, 1)
    assert "late" not in stopped["transfer"].explanation

    clock.record_transfer(request.id or 0, None, session=session)  # cleared: the clock runs again
    session.commit()
    assert _by_rule(session, request, today=D(2026, 7, 22))["transfer"].state == State.OVERDUE


def test_an_appeal_without_decision_stops_the_no_decision_clock(session: Session) -> None:
    request = _request(session, _person(session))
    session.commit()
    assert _by_rule(session, request, today=D(2026, 9, 1))["appeal-no-decision"].state == (
        State.UPCOMING
    )
    clock.record_appeal(request.id or 0, D(2026, 8, 20), session=session)
    session.commit()
    found = _by_rule(session, request, today=D(2026, 9, 1))
    assert found["appeal-no-decision"].state == State.DONE
    assert found["decision"].state == State.OVERDUE  # the CPAS still has to decide


@pytest.mark.parametrize("record", [clock.record_transfer, clock.record_appeal])
def test_transfer_and_appeal_days_are_checked(
    session: Session, record: Callable[..., Request]
) -> None:
    request = _request(session, _person(session))
    field = "transferred_on" if record is clock.record_transfer else "appealed_on"
    for bad in (D(2026, 7, 15), brussels_today() + dt.timedelta(days=1)):
        with pytest.raises(FieldError) as error:
            record(request.id or 0, bad, session=session)
        assert error.value.field == field
    with pytest.raises(NotFound):
        record(999, D(2026, 8, 1), session=session)
    assert getattr(session.get(Request, request.id), field) is None


# --- calendar ------------------------------------------------------------------------------


def _calendar_cases(session: Session) -> tuple[Request, Request]:
    first = _request(
        session, _person(session), care_started_on=D(2026, 7, 10), care_kind="mediprima"
    )
    second = _request(
        session,
        _person(session, family="Nguyễn Thị", niss=bis_number("1985-07-30", "F", 4)),
        dt.datetime(2026, 7, 20, 11, 0),
    )
    _decide(
        session,
        second,
        kind="guarantee",
        decided_on=D(2026, 7, 25),
        notified_on=D(2026, 7, 27),
        valid_from=D(2026, 7, 20),
        valid_to=D(2027, 1, 19),
    )
    session.commit()
    return first, second


def test_write_ics_has_references_rule_titles_and_reminders_and_no_personal_data(
    session: Session, tmp_path: Path
) -> None:
    first, second = _calendar_cases(session)
    today = D(2026, 8, 1)
    clock.mark_deadline(second.id or 0, "mediprima", session=session, kind="handled", today=today)
    session.commit()
    items = clock.deadlines(session=session, today=today)
    folder = tmp_path / "calendar"
    folder.mkdir()
    path = folder / "deadlines.ics"
    count = clock.write_ics(items, path, reminder_days=3)

    expected = {
        (d.reference, d.rule)
        for d in items
        if d.state in (State.OVERDUE, State.DUE, State.UPCOMING) and not d.handled
    }
    assert (second.reference, "mediprima") not in expected  # handled: left out
    assert (second.reference, "decision") not in expected  # done: left out
    lapsed = {(d.reference, d.rule) for d in items if d.state == State.LAPSED}
    assert (first.reference, "provider-notice") in lapsed  # passed, the provider's: left out
    assert count == len(expected) >= 5
    assert {reference for reference, _rule in expected} == {first.reference, second.reference}

    raw = path.read_bytes()
    calendar = Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == count
    seen = set()
    for event in events:
        summary = str(event["SUMMARY"])
        reference = summary.split(" ")[0]
        rule = next(
            r for r in RULES.values() if str(event["UID"]).startswith(f"{reference}-{r.id}@")
        )
        seen.add((reference, rule.id))
        assert reference in (first.reference, second.reference)
        assert rule.title in summary
        due = next(d.due for d in items if (d.reference, d.rule) == (reference, rule.id))
        assert event.decoded("DTSTART") == due
        alarms = event.walk("VALARM")
        assert len(alarms) == 1 and alarms[0].decoded("TRIGGER") == -dt.timedelta(days=3)
    assert seen == expected

    with session.no_autoflush:
        people_rows = list(session.scalars(select(Person)))
    unfolded = raw.replace(b"\r\n ", b"")  # a long line folded in two cannot hide a name
    assert len(people_rows) == 2
    for person in people_rows:
        words = (person.family_name, person.given_names, *person.given_names.split())
        for word in words:
            assert word.encode() not in unfolded
            assert word.encode("utf-16-be") not in unfolded
        assert person.niss
        for form in (person.niss, parse_niss(person.niss).formatted):
            assert form.encode() not in unfolded
    assert [p.name for p in folder.iterdir()] == ["deadlines.ics"]  # no temporary file left


def test_write_ics_of_nothing_is_a_valid_empty_calendar(tmp_path: Path) -> None:
    path = tmp_path / "none.ics"
    assert clock.write_ics([], path) == 0
    calendar = Calendar.from_ical(path.read_bytes())
    assert list(calendar.walk("VEVENT")) == []


# --- migration ------------------------------------------------------------------------------


def test_a_0001_database_is_upgraded_keeping_its_rows_and_a_copy(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    path = data_dir / "amudesk.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine, "0001")
    now = "2026-07-16 08:00:00.000000"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO cpas (id, name_fr, name_nl, commune_fr, commune_nl, address, phone, "
                "email, amu_contact) VALUES (1, 'CPAS de Saint-Gilles', 'OCMW Sint-Gillis', "
                "'Saint-Gilles', 'Sint-Gillis', '', '', '', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO person (id, family_name, given_names, sex, birth_date, niss, "
                "languages, phone, commune, no_fixed_abode, usual_place, notes, search_text, "
                "created_at, updated_at) VALUES (1, :family, :given, 'F', '1985-07-30', :niss, "
                "'', '', '', 0, '', '', 'x', :now, :now)"
            ),
            {"family": FAMILY, "given": GIVEN, "niss": NISS, "now": now},
        )
        connection.execute(
            text(
                "INSERT INTO request (id, reference, person_id, cpas_id, received_at, channel, "
                "accompanied_by, aamu_handed_in, status, created_at, updated_at) VALUES "
                "(1, 'AMU-2026-0001', 1, 1, :now, 'in_person', '', 0, 'refused', :now, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO decision (id, request_id, kind, decided_on, notified_on, "
                "mediprima_number, created_at) VALUES "
                "(1, 1, 'refusal', '2026-07-25', '2026-07-27', '', :now)"
            ),
            {"now": now},
        )
    assert current_revision(engine) == "0001"
    engine.dispose()

    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        assert current_revision(store.engine) == SCHEMA_REVISION
        with store.session() as session:
            person = session.get(Person, 1)
            assert person is not None and person.family_name == FAMILY
            decision = session.get(Decision, 1)
            assert decision is not None
            assert (decision.notified_on, decision.missing_mentions) == (D(2026, 7, 27), "")
            assert decision.notification_method is None and decision.encoded_on is None
            request = session.get(Request, 1)
            assert request is not None and request.transferred_on is None
            assert request.appealed_on is None
            found = {d.rule: d for d in clock.deadlines(session=session, today=D(2026, 8, 1))}
            assert found["appeal"].last_day == D(2026, 10, 27)  # 3 months from 28 Jul
            clock.mark_deadline(1, "appeal", session=session, kind="handled", today=D(2026, 8, 1))
            session.commit()
        with store.session() as session:
            assert session.scalar(select(col(Request.reference))) == "AMU-2026-0001"
    finally:
        store.close()
    copies = list((data_dir / "backups").glob("before-migration-0001-*.sqlite3"))
    assert len(copies) == 1
    with contextlib.closing(keyed(copies[0], data_dir)) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert copy.execute("SELECT family_name FROM person").fetchone() == (FAMILY,)
        columns = {row[1] for row in copy.execute("PRAGMA table_info(decision)")}
        assert "posted_on" not in columns


# --- demo data exercises the clock -----------------------------------------------------------

DemoFacts = tuple[list[Decision], dict[int, Request], list[deadlines.Deadline]]


@pytest.fixture
def demo_facts(store: Store) -> DemoFacts:
    fill_demo(store=store, count=800, seed=7, today=TODAY)
    with store.session() as session:
        decisions = list(session.scalars(select(Decision)))
        requests = {r.id or 0: r for r in session.scalars(select(Request))}
        items = clock.deadlines(session=session, today=TODAY)
    return decisions, requests, items


def test_demo_data_exercises_every_rule_and_state(demo_facts: DemoFacts) -> None:
    _decisions, _requests, items = demo_facts
    rules = Tally(d.rule for d in items)
    assert set(rules) == set(RULES)
    states = Tally(d.state for d in items)
    assert set(states) == set(State)
    by_rule_state = {(d.rule, d.state) for d in items}
    for rule in ("transfer", "notification", "mediprima"):
        assert (rule, State.DONE) in by_rule_state and (rule, State.OVERDUE) in by_rule_state
    for rule in ("appeal", "appeal-no-decision", "provider-notice"):
        # Passed, the claimant's or the provider's: lapsed, never overdue.
        assert (rule, State.DONE) in by_rule_state and (rule, State.LAPSED) in by_rule_state
        assert (rule, State.OVERDUE) not in by_rule_state
    not_started = [d for d in items if d.state == State.NOT_STARTED]
    assert {d.intro for d in not_started} == {"not-notified", "mentions"}
    care = [d for d in items if d.rule == "care-decision"]
    assert {d.case.care_kind for d in care} == {"mediprima", "other", None}
    late = [d for d in items if d.done_on and d.due and d.done_on > d.due]
    assert {d.rule for d in late} >= {"transfer", "notification", "mediprima"}
    for deadline in items[:: max(len(items) // 300, 1)]:
        assert deadline.explanation  # every kind of sentence can be written


def test_demo_decisions_are_valid_under_the_new_rules(demo_facts: DemoFacts) -> None:
    decisions, requests, _items = demo_facts
    methods = Tally(d.notification_method for d in decisions)
    assert set(methods) == {"hand", "registered", "ordinary", None}
    registered = [d for d in decisions if d.notification_method == "registered"]
    for decision in registered:
        assert decision.posted_on is not None
        effect = deadlines.registered_letter_effect(decision.posted_on)
        assert decision.notified_on == (effect if effect <= TODAY else None)
    assert all(d.posted_on is None for d in decisions if d.notification_method != "registered")
    lacking = [d for d in decisions if d.missing_mentions]
    assert lacking and all(d.notified_on for d in lacking)
    assert {d.kind for d in lacking} & {"refusal", "incompetent"}
    positive = [d for d in decisions if d.kind in ("principle", "guarantee")]
    delays = [(d.encoded_on - d.decided_on).days for d in positive if d.encoded_on]
    assert any(x <= 8 for x in delays) and any(x > 8 for x in delays)
    assert any(d.encoded_on is None for d in positive)
    assert all(d.encoded_on is None for d in decisions if d.kind in ("refusal", "incompetent"))
    for decision in decisions:
        request = requests[decision.request_id]
        data = DecisionData(
            kind=decision.kind,
            decided_on=decision.decided_on,
            notified_on=decision.notified_on,
            valid_from=decision.valid_from,
            valid_to=decision.valid_to,
            notification_method=decision.notification_method,
            posted_on=decision.posted_on,
            missing_mentions=decision.missing_mention_list,
            encoded_on=decision.encoded_on,
            court_ordered=decision.court_ordered,
            court_judgment_on=decision.court_judgment_on,
            court_name=decision.court_name,
        )
        cases.check_decision(data, cases.local_date(request.received_at), today=TODAY)
        if decision.valid_from and decision.valid_to:
            longest = deadlines.add_months(decision.valid_from - dt.timedelta(days=1), 12)
            assert decision.valid_to <= longest
    # Some decisions carry out a judgment, reaching back further than 60 days.
    ordered = [d for d in decisions if d.court_ordered]
    assert ordered and all(d.court_judgment_on and d.court_name for d in ordered)
    assert any(
        d.valid_from and d.valid_from < d.decided_on - dt.timedelta(days=60) for d in ordered
    )


def test_demo_transfers_and_appeals(demo_facts: DemoFacts) -> None:
    decisions, requests, _items = demo_facts
    incompetent = {d.request_id for d in decisions if d.kind == "incompetent"}
    transfers = [
        (sent - cases.local_date(requests[i].received_at)).days
        for i in incompetent
        if (sent := requests[i].transferred_on) is not None
    ]
    assert any(x <= 5 for x in transfers) and any(x > 5 for x in transfers)
    assert any(requests[i].transferred_on is None for i in incompetent)
    assert all(r.transferred_on is None for i, r in requests.items() if i not in incompetent)
    decided = {d.request_id for d in decisions}
    appealed = [r for r in requests.values() if r.appealed_on]
    assert any(r.id in decided for r in appealed) and any(r.id not in decided for r in appealed)
    for request in appealed:
        assert request.appealed_on is not None
        assert cases.local_date(request.received_at) <= request.appealed_on <= TODAY
    for request in requests.values():
        if request.transferred_on:
            assert cases.local_date(request.received_at) <= request.transferred_on <= TODAY
