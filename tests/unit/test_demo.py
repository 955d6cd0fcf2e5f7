"""The demo filler: fictional, diverse, valid, deterministic, fast enough."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter as Tally
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from amudesk.dates import brussels_today
from amudesk.identifiers import parse_inami, parse_niss
from amudesk.models import (
    URGENT_REASON_LABELS,
    Aamu,
    Appeal,
    Consent,
    Counter,
    Decision,
    DecisionReason,
    Office,
    Person,
    Request,
)
from amudesk.refusals import REASONED_KINDS, REASONS, UNLAWFUL_KEYS
from amudesk.services import appeals, cases, people
from amudesk.services.demo import DemoError, _Plan, _plan, add_months, bis_number, fill_demo
from amudesk.services.desk import open_desk
from amudesk.services.directory import list_cpas
from amudesk.services.exporting import export_file
from amudesk.store import integrity_problems
from amudesk.text import non_latin
from tests.keys import FAST_KDF, PASSPHRASE

pytestmark = pytest.mark.both_engines

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def demo_store(store):  # type: ignore[no-untyped-def]
    assert fill_demo(store=store, count=400, seed=11, today=TODAY) == 400
    return store


def test_bis_number_layout() -> None:
    assert bis_number("1985-07-30", "M", 1) == "85473000149"
    info = parse_niss(bis_number("2004-02-29", "F", 4))
    assert (info.kind, info.birth_date, info.sex) == ("bis", dt.date(2004, 2, 29), "F")
    info = parse_niss(bis_number("1970", "U", 7))
    assert (info.kind, info.birth_year, info.birth_month, info.sex) == ("bis", 1970, None, None)
    info = parse_niss(bis_number("2001-09", "X", 8))
    assert (info.birth_year, info.birth_month, info.sex) == (2001, 9, None)


def test_counts_people_minors_and_requests(demo_store) -> None:  # type: ignore[no-untyped-def]
    with demo_store.session() as session:
        persons = list(session.scalars(select(Person)))
        requests = list(session.scalars(select(Request)))
        assert len(persons) == 400
        minors = [p for p in persons if p.guardian_id is not None]
        assert len(minors) == 40
        by_id = {p.id: p for p in persons}
        for minor in minors:
            guardian = by_id[minor.guardian_id]
            assert guardian.guardian_id is None
            assert people.age_on(minor.birth_date, brussels_today()) < 18  # type: ignore[operator]
            assert people.age_on(guardian.birth_date, TODAY) >= 18  # type: ignore[operator]
        adults = {p.id for p in persons if p.guardian_id is None}
        # Each adult filed once or twice; follow-ons after a transfer and requests still
        # being prepared come on top.
        filed = [r for r in requests if r.previous_id is None and r.status != "preparing"]
        per_person = Tally(r.person_id for r in filed)
        assert set(per_person) == adults  # every adult has requests, minors none
        assert set(per_person.values()) == {1, 2}
        assert 360 < len(filed) < 720
        assert len({r.cpas_id for r in requests if r.cpas_id is not None}) == 19


def test_front_desk_cases_follow_the_rules(demo_store) -> None:  # type: ignore[no-untyped-def]
    with demo_store.session() as session:
        requests = {r.id: r for r in session.scalars(select(Request))}
        persons = list(session.scalars(select(Person)))
    preparing = [r for r in requests.values() if r.status == "preparing"]
    assert preparing and all(r.cpas_id is None and r.received_at is None for r in preparing)
    follow_ons = [r for r in requests.values() if r.previous_id is not None]
    assert follow_ons
    for request in follow_ons:
        first = requests[request.previous_id]  # type: ignore[index]
        assert request.cpas_id == first.transferred_to_id
        assert request.person_id == first.person_id
        assert request.first_filed_on == cases.local_date(first.received_at)  # type: ignore[arg-type]
        assert request.received_at is not None and first.transferred_on is not None
        assert cases.local_date(request.received_at) > first.transferred_on
    urgent = [r for r in requests.values() if r.urgent]
    assert urgent and all(r.urgent_reason in URGENT_REASON_LABELS for r in urgent)
    assert not any(r.urgent_reason for r in requests.values() if not r.urgent)
    cyrillic = [p for p in persons if non_latin(p.family_name)]
    assert cyrillic and all(p.latin_name and not non_latin(p.latin_name) for p in cyrillic)
    assert not any(p.latin_name for p in persons if not non_latin(p.full_name))


def test_every_stage_is_present(demo_store) -> None:  # type: ignore[no-untyped-def]
    with demo_store.session() as session:
        requests = list(session.scalars(select(Request)))
        statuses = Tally(r.status for r in requests)
        assert set(statuses) == {"open", "decided", "refused", "transferred", "preparing"}
        kinds = Tally(session.scalars(select(Decision.kind)))
        assert set(kinds) == {"principle", "guarantee", "refusal", "incompetent"}
        open_days = [
            (TODAY - cases.local_date(r.received_at)).days for r in requests if r.status == "open"
        ]
        assert any(d <= 30 for d in open_days) and any(
            d > 30 for d in open_days
        )  # recent and overdue
        assert any(r.care_started_on and r.care_kind for r in requests)
        assert session.scalar(
            select(func.count()).select_from(Decision).where(Decision.notified_on.is_not(None))
        )  # type: ignore[union-attr]
        for request in requests:
            latest = cases.latest_decision(request.id or 0, session=session)
            expected = cases.STATUS_OF_DECISION[latest.kind] if latest else "open"  # type: ignore[index]
            if request.received_at is None:
                expected = "preparing"
            assert request.status == expected


def test_dates_are_consistent_with_the_rules(demo_store) -> None:  # type: ignore[no-untyped-def]
    with demo_store.session() as session:
        received = {
            r.id: cases.local_date(r.received_at)
            for r in session.scalars(select(Request))
            if r.received_at is not None  # being prepared: no date yet
        }
        assert min(received.values()) >= TODAY - dt.timedelta(days=550)
        assert max(received.values()) < TODAY
        for decision in session.scalars(select(Decision)):
            data = cases.DecisionData(
                kind=decision.kind,
                decided_on=decision.decided_on,
                notified_on=decision.notified_on,
                valid_from=decision.valid_from,
                valid_to=decision.valid_to,
                court_ordered=decision.court_ordered,
                court_judgment_on=decision.court_judgment_on,
                court_name=decision.court_name,
            )
            cases.check_decision(
                data, received[decision.request_id], today=TODAY
            )  # raises when wrong
            if decision.kind == "guarantee" and decision.valid_from and decision.valid_to:
                assert decision.valid_to <= add_months(decision.valid_from, 12)
                if not decision.court_ordered:  # a judgment may reach further back
                    assert decision.valid_from >= decision.decided_on - dt.timedelta(days=60)
        aamus = list(session.scalars(select(Aamu)))
        assert aamus
        for aamu in aamus:
            assert aamu.issued_on <= TODAY
            if aamu.inami:
                assert parse_inami(aamu.inami) == aamu.inami
            assert aamu.category_list


def test_bis_numbers_are_valid_and_match_the_person(demo_store) -> None:  # type: ignore[no-untyped-def]
    with demo_store.session() as session:
        persons = list(session.scalars(select(Person)))
    numbered = [p for p in persons if p.niss]
    assert 0.55 < len(numbered) / len(persons) < 0.85
    assert len({p.niss for p in numbered}) == len(numbered)
    for person in numbered:
        info = parse_niss(person.niss or "")
        assert info.kind == "bis"
        assert info.birth_year == int((person.birth_date or "")[:4])
        if person.sex in ("F", "M"):
            assert info.sex == person.sex
        else:
            assert info.sex is None
    assert any(p.birth_date and len(p.birth_date) == 4 for p in persons)
    assert any(p.birth_date and len(p.birth_date) == 7 for p in persons)


def test_names_and_places_are_diverse(demo_store) -> None:  # type: ignore[no-untyped-def]
    with demo_store.session() as session:
        persons = list(session.scalars(select(Person)))
        office = session.scalar(select(Office))
    names = " ".join(f"{p.family_name} {p.given_names}" for p in persons)
    assert re.search("[А-Яа-яІіЇїЄє]", names)  # Cyrillic
    assert re.search("[ễạảệộốăđơưŞşİıÇçĞğŁłŚśŻżȘșȚțãõêç]", names)  # Latin with diacritics
    assert len({p.nationality for p in persons}) >= 15
    assert any(p.no_fixed_abode and p.usual_place and not p.commune for p in persons)
    assert any(p.phone for p in persons)
    assert all(
        p.search_text == people.search_text(p.family_name, p.given_names, p.niss) for p in persons
    )
    assert office is not None and office.kind == "association" and office.bce is None


def test_search_finds_folded_names(demo_store) -> None:  # type: ignore[no-untyped-def]
    with demo_store.session() as session:
        assert session.scalar(
            select(func.count()).select_from(Person).where(Person.family_name == "Nguyễn")
        )
        rows = cases.list_cases(session=session, query="nguyen")
        assert rows and all("nguyen" in people.search_text(r.family_name, "", None) for r in rows)
        assert any(r.family_name == "Nguyễn" for r in rows)
        assert cases.count_cases(session=session, query="nguyen") >= len(rows)
    assert integrity_problems(demo_store) == []


def test_counters_continue_after_the_demo(demo_store) -> None:  # type: ignore[no-untyped-def]
    with demo_store.transaction() as session:
        references = list(session.scalars(select(Request.reference)))
        highest: dict[int, int] = {}
        for reference in references:
            _, year, number = reference.split("-")
            highest[int(year)] = max(highest.get(int(year), 0), int(number))
        for year, number in highest.items():
            assert session.get(Counter, ("AMU", year)).last == number  # type: ignore[union-attr]
        request = session.scalar(
            select(Request).where(Request.cpas_id.is_not(None)).order_by(Request.id.desc())  # type: ignore[union-attr]
        )
        assert request is not None
        new = cases.register_request(
            cases.RequestData(
                person_id=request.person_id,
                cpas_id=request.cpas_id,
                received_at=dt.datetime(TODAY.year, 1, 2, 10),
            ),
            session=session,
        )
        assert new.reference == cases.make_reference(TODAY.year, highest[TODAY.year] + 1)
        # References follow the order of reception within a year (requests being prepared,
        # without a date, come after).
        ordered = [
            r.reference
            for r in session.scalars(select(Request).order_by(Request.received_at, Request.id))
            if r.id != new.id and r.received_at is not None
        ]
        assert ordered == sorted(ordered)


def test_refuses_a_folder_that_has_people(demo_store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DemoError, match="empty data folder only"):
        fill_demo(store=demo_store, count=5)
    with demo_store.session() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 400


def test_refuses_a_count_below_one(store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DemoError):
        fill_demo(store=store, count=0)


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    def export(folder: str, seed: int) -> bytes:
        store = open_desk(tmp_path / folder, passphrase=PASSPHRASE, kdf=FAST_KDF)
        try:
            fill_demo(store=store, count=120, seed=seed, today=TODAY)
            export_file(tmp_path / f"{folder}.csv", store=store)
        finally:
            store.close()
        return (tmp_path / f"{folder}.csv").read_bytes()

    first = export("a", 5)
    assert export("b", 5) == first
    assert export("c", 6) != first


def test_small_counts_and_progress(store) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[int, int]] = []
    assert fill_demo(store=store, count=1, progress=lambda d, t: seen.append((d, t))) == 1
    assert seen[-1] == (1, 1)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Request)) in (1, 2)


def test_progress_covers_generation_and_writing(store) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[int, int]] = []
    fill_demo(store=store, count=3000, progress=lambda d, t: seen.append((d, t)))
    done = [d for d, _t in seen]
    assert {t for _d, t in seen} == {3000}
    assert done == sorted(done) and done[-1] == 3000
    assert any(d < 750 for d in done)  # generation reports too
    assert 5 <= len(seen) <= 110  # at most about every 1 %


# --- the letters' facts ---------------------------------------------------------------------


def test_refusals_give_reasons_some_unlawful(demo_store) -> None:  # type: ignore[no-untyped-def]
    with demo_store.session() as session:
        kinds = {d.id: d.kind for d in session.scalars(select(Decision))}
        reasons = list(session.scalars(select(DecisionReason)))
    per_decision = Tally(reason.decision_id for reason in reasons)
    reasoned = {number for number, kind in kinds.items() if kind in REASONED_KINDS}
    assert set(per_decision) == reasoned  # every refusal and incompetence, nothing else
    assert set(per_decision.values()) == {1, 2}
    keys = Tally(reason.key for reason in reasons)
    assert keys.keys() & UNLAWFUL_KEYS and keys.keys() - UNLAWFUL_KEYS
    assert all(reason.key in REASONS for reason in reasons)
    assert all(reason.explanation for reason in reasons if reason.key == "other")
    assert any(reason.explanation for reason in reasons)


def test_every_appealed_request_has_its_appeal(demo_store) -> None:  # type: ignore[no-untyped-def]
    with demo_store.session() as session:
        requests = list(session.scalars(select(Request)))
        by_request: dict[int, list[Appeal]] = {}
        for appeal in session.scalars(select(Appeal).order_by(Appeal.filed_on, Appeal.id)):
            by_request.setdefault(appeal.request_id, []).append(appeal)
    appealed = {r.id: r for r in requests if r.appealed_on is not None}
    assert appealed and set(by_request) == set(appealed)
    for request_id, found in by_request.items():
        request = appealed[request_id]
        assert found[0].filed_on == request.appealed_on
        assert found[0].filed_on >= cases.local_date(request.received_at)
        assert found[0].filed_on <= TODAY
    every = [a for found in by_request.values() for a in found]
    assert {a.court for a in every} <= {
        "Tribunal du travail francophone de Bruxelles",
        "Nederlandstalige arbeidsrechtbank Brussel",
    }
    assert any(a.outcome for a in every) and any(a.outcome is None for a in every)
    for appeal in every:
        appeals.check_appeal(
            appeals.AppealData(
                filed_on=appeal.filed_on,
                filed_how=appeal.filed_how,
                court=appeal.court,
                role_number=appeal.role_number,
                hearing_dates=appeal.hearing_list,
                outcome=appeal.outcome,
                outcome_on=appeal.outcome_on,
            ),
            cases.local_date(appealed[appeal.request_id].received_at),
            today=TODAY,
        )


def test_some_guarantees_carry_out_a_judgment(tmp_path: Path) -> None:
    store = open_desk(tmp_path / "data", passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        fill_demo(store=store, count=3000, seed=3, today=TODAY)
        with store.session() as session:
            ordered = list(session.scalars(select(Decision).where(Decision.court_ordered)))
            assert ordered
            for decision in ordered:
                request = session.get(Request, decision.request_id)
                assert request is not None
                first = appeals.appeals_of(request.id or 0, session=session)[0]
                assert first.outcome == "granted"
                assert decision.court_judgment_on == first.outcome_on
                assert decision.court_name == first.court
                assert decision.kind == "guarantee"
                assert cases.latest_decision(request.id or 0, session=session) == decision
                assert request.status == "decided"
            # Back to the request's day, as judgments order, past the ordinary 60 days.
            assert all(
                d.valid_from == cases.local_date(session.get(Request, d.request_id).received_at)  # type: ignore[union-attr]
                for d in ordered
            )
            assert any(d.valid_from < d.decided_on - dt.timedelta(days=60) for d in ordered)  # type: ignore[operator]
    finally:
        store.close()


def test_most_adults_gave_their_consent(demo_store) -> None:  # type: ignore[no-untyped-def]
    with demo_store.session() as session:
        persons = {p.id: p for p in session.scalars(select(Person))}
        found = list(session.scalars(select(Consent)))
        first_day: dict[int, dt.date] = {}
        for request in session.scalars(select(Request)):
            if request.received_at is None:  # being prepared
                continue
            day = cases.local_date(request.received_at)
            first_day[request.person_id] = min(day, first_day.get(request.person_id, day))
    adults = [p for p in persons.values() if p.guardian_id is None]
    assert len({c.person_id for c in found}) == len(found)  # one each
    assert all(persons[c.person_id].guardian_id is None for c in found)
    assert 0.7 < len(found) / len(adults) < 0.95
    assert 0.3 < sum(c.mandate for c in found) / len(found) < 0.6
    assert any(c.withdrawn_on for c in found)
    assert sum(c.withdrawn_on is not None for c in found) < len(found) * 0.1
    for consent in found:
        assert "follow-up" in consent.use_list
        assert first_day[consent.person_id] <= consent.given_on <= TODAY
        if consent.withdrawn_on:
            assert consent.given_on < consent.withdrawn_on <= TODAY
        if consent.how == "oral":
            assert consent.note


def _rows(store, model) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return [
            {
                key: value
                for key, value in row.model_dump().items()
                if key not in ("created_at", "updated_at")
            }
            for row in session.scalars(select(model).order_by(model.id))
        ]


def test_the_same_seed_gives_the_same_rows(tmp_path: Path) -> None:
    tables = (Person, Request, Decision, DecisionReason, Appeal, Consent, Aamu)
    seen = []
    for folder in ("a", "b"):
        store = open_desk(tmp_path / folder, passphrase=PASSPHRASE, kdf=FAST_KDF)
        try:
            fill_demo(store=store, count=300, seed=9, today=TODAY)
            seen.append({model.__name__: _rows(store, model) for model in tables})
        finally:
            store.close()
    assert seen[0] == seen[1]
    assert all(seen[0][model.__name__] for model in tables)


def test_the_letters_stream_leaves_a_seeds_people_and_requests_alone(store) -> None:  # type: ignore[no-untyped-def]
    with store.session() as session:
        directory = sorted(
            (c for c in list_cpas(session=session) if c.commune_fr), key=lambda c: c.id or 0
        )

    def plan(letters: random.Random | None) -> _Plan:
        return _plan(
            random.Random(4),
            2000,
            TODAY,
            directory,
            lambda _done, _total: None,
            random.Random("amudesk-demo-clock-4"),
            random.Random("amudesk-demo-close-4"),
            letters,
        )

    def stable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in row.items() if k not in ("created_at", "updated_at", "status")}
            for row in rows
        ]

    without, with_letters = plan(None), plan(random.Random("amudesk-demo-letters-4"))
    assert stable(with_letters.adults) == stable(without.adults)
    assert stable(with_letters.minors) == stable(without.minors)
    assert stable(with_letters.requests) == stable(without.requests)
    assert stable([row for _i, row in with_letters.aamus]) == stable(
        [row for _i, row in without.aamus]
    )
    before = [(index, row) for index, row in without.decisions]
    assert [(i, stable([row])) for i, row in with_letters.decisions[: len(before)]] == [
        (i, stable([row])) for i, row in before
    ]
    added = with_letters.decisions[len(before) :]
    assert added and all(row["court_ordered"] for _index, row in added)
    changed = {
        index
        for index, (old, new) in enumerate(
            zip(without.requests, with_letters.requests, strict=True)
        )
        if old["status"] != new["status"]
    }
    assert changed <= {index for index, _row in added}
    assert with_letters.reasons and with_letters.appeals and with_letters.consents
    assert not (without.reasons or without.appeals or without.consents)
