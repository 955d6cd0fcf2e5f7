"""The statistics read from the store (the clock's "within", exclusions), the anonymised
extract (name-free, generalised, re-read) and the merge of extracts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from amudesk import stats
from amudesk.models import (
    Appeal,
    Consent,
    Cpas,
    Decision,
    DecisionReason,
    Person,
    Request,
)
from amudesk.services import stats as stats_service
from amudesk.services.demo import fill_demo
from amudesk.settings import ClockSettings
from amudesk.store import Store

pytestmark = pytest.mark.both_engines

START, END = dt.date(2026, 1, 1), dt.date(2026, 11, 30)


def _cpas(session: Session, name: str = "CPAS de Test") -> Cpas:
    cpas = Cpas(name_fr=name, name_nl=name.replace("CPAS de", "OCMW"))
    session.add(cpas)
    session.flush()
    return cpas


def _person(session: Session, number: int, birth: str | None = "1990-05-05") -> Person:
    person = Person(family_name=f"Family{number}", given_names="Given", birth_date=birth)
    session.add(person)
    session.flush()
    return person


def _request(
    session: Session,
    cpas: Cpas | None,
    person: Person,
    received: dt.datetime | None,
    **values: object,
) -> Request:
    request = Request(
        reference=f"REF-{person.id}-{len(values)}-{received}",
        person_id=person.id or 0,
        cpas_id=cpas.id if cpas is not None and received is not None else None,
        received_at=received.replace(tzinfo=dt.UTC) if received is not None else None,
        status="open" if received is not None else "preparing",
        **values,  # type: ignore[arg-type]
    )
    session.add(request)
    session.flush()
    return request


def _decision(
    session: Session, request: Request, kind: str, day: dt.date, **values: object
) -> Decision:
    decision = Decision(request_id=request.id or 0, kind=kind, decided_on=day, **values)  # type: ignore[arg-type]
    session.add(decision)
    session.flush()
    return decision


def test_decided_within_30_is_the_clocks_answer_with_the_weekend_setting(store: Store) -> None:
    # Received Thursday 16 July 2026: day 30 is Saturday 15 August (a holiday too); with the
    # setting on, the limit moves to Monday 17 August.
    with store.transaction() as session:
        cpas = _cpas(session)
        late = _request(session, cpas, _person(session, 1), dt.datetime(2026, 7, 16, 10))
        _decision(session, late, "principle", dt.date(2026, 8, 17))
        on_time = _request(session, cpas, _person(session, 2), dt.datetime(2026, 7, 16, 10))
        _decision(session, on_time, "principle", dt.date(2026, 8, 15))
    with store.session() as session:
        plain = stats_service.collect(session=session, start=START, end=END)
        moved = stats_service.collect(
            session=session, start=START, end=END, settings=ClockSettings(move_administrative=True)
        )
    assert [r.decided_within for r in plain.rows] == [False, True]
    assert [r.days_to_decision for r in plain.rows] == [32, 30]
    assert [r.decided_within for r in moved.rows] == [True, True]


def test_the_row_of_a_request_from_the_store(store: Store) -> None:
    with store.transaction() as session:
        cpas = _cpas(session)
        other = _cpas(session, "CPAS d'Ailleurs")
        person = _person(session, 1, birth="1950")
        # 23:30 UTC on 31 January is 1 February in Brussels.
        request = _request(
            session,
            cpas,
            person,
            dt.datetime(2026, 1, 31, 23, 30),
            channel="post",
            previous_id=None,
            transferred_on=dt.date(2026, 2, 3),
            transferred_to_id=other.id,
        )
        refusal = _decision(
            session,
            request,
            "refusal",
            dt.date(2026, 2, 11),
            notification_method="registered",
            posted_on=dt.date(2026, 2, 20),
            notified_on=dt.date(2026, 2, 23),
        )
        for key in ("no-address", "resources"):
            session.add(DecisionReason(decision_id=refusal.id or 0, key=key))
        session.add(
            Appeal(
                request_id=request.id or 0,
                filed_on=dt.date(2026, 3, 1),
                outcome="granted",
                outcome_on=dt.date(2026, 6, 1),
            )
        )
        guarantee = _decision(
            session,
            request,
            "guarantee",
            dt.date(2026, 6, 10),
            valid_from=dt.date(2026, 6, 1),
            valid_to=dt.date(2026, 6, 30),
        )
        _decision(
            session,
            request,
            "guarantee",
            dt.date(2026, 7, 10),
            valid_from=dt.date(2026, 7, 5),
            valid_to=dt.date(2026, 8, 30),
        )
        assert guarantee.id
        follow_on = _request(
            session,
            other,
            _person(session, 2),
            dt.datetime(2026, 2, 10, 9),
            previous_id=request.id,
            first_filed_on=dt.date(2026, 2, 1),
        )
        assert follow_on.id
    with store.session() as session:
        (first, second) = stats_service.collect(session=session, start=START, end=END).rows
        until_may = stats_service.collect(
            session=session, start=START, end=dt.date(2026, 5, 31)
        ).rows[0]
    assert first == stats.CaseRow(
        cpas="CPAS de Test",
        month="2026-02",
        channel="post",
        age_band="65+",
        decision_kind="refusal",
        days_to_decision=10,
        decided_within=True,
        days_to_notification=9,  # to the posting of the registered letter
        notified_within=False,
        reasons=("no-address", "resources"),
        unlawful=True,
        transferred=True,
        appealed=True,
        appeal_outcome="granted",
        days_to_care=129,
        renewal_gaps=(4,),  # 1 to 4 July covered by neither
    )
    assert second.days_lost_to_transfer == 9 and second.cpas == "CPAS d'Ailleurs"
    assert second.days_waiting == (END - dt.date(2026, 2, 10)).days
    # As of 31 May: the outcome of 1 June and the guarantees are not seen yet.
    assert until_may.appeal_outcome == "pending" and until_may.days_to_care is None


def test_preparing_requests_and_withdrawn_consents_are_left_out_and_counted(
    store: Store,
) -> None:
    with store.transaction() as session:
        cpas = _cpas(session)
        _request(session, None, _person(session, 1), None)
        _request(session, None, _person(session, 2), None)
        kept = _person(session, 3)
        _request(session, cpas, kept, dt.datetime(2026, 3, 2, 9))
        gone = _person(session, 4)
        _request(session, cpas, gone, dt.datetime(2026, 3, 2, 9))
        session.add(
            Consent(
                person_id=gone.id or 0,
                given_on=dt.date(2026, 1, 1),
                uses="follow-up,statistics",
                withdrawn_on=dt.date(2026, 12, 1),  # after the period: honoured all the same
            )
        )
        again = _person(session, 5)
        _request(session, cpas, again, dt.datetime(2026, 3, 2, 9))
        session.add(
            Consent(
                person_id=again.id or 0,
                given_on=dt.date(2026, 1, 1),
                uses="statistics",
                withdrawn_on=dt.date(2026, 2, 1),
            )
        )
        session.add(
            Consent(person_id=again.id or 0, given_on=dt.date(2026, 2, 5), uses="statistics")
        )
        letters_only = _person(session, 6)
        _request(session, cpas, letters_only, dt.datetime(2026, 3, 2, 9))
        session.add(
            Consent(
                person_id=letters_only.id or 0,
                given_on=dt.date(2026, 1, 1),
                uses="letters",
                withdrawn_on=dt.date(2026, 2, 1),
            )
        )
        outside = _person(session, 7)
        _request(session, cpas, outside, dt.datetime(2025, 12, 31, 22, 30))  # 31 Dec in Brussels
    with store.session() as session:
        collected = stats_service.collect(session=session, start=START, end=END)
    assert len(collected.rows) == 3
    assert (collected.excluded_preparing, collected.excluded_consent) == (2, 1)
    report = collected.report(by="cpas").as_json()
    assert report["excluded"] == {"preparing": "<5", "consent_withdrawn": "<5"}
    assert report["total"]["filed"] == "<5"


@pytest.fixture
def demo_rows(store: Store) -> tuple[Store, list[stats.CaseRow]]:
    assert fill_demo(store=store, count=300, seed=5, today=dt.date(2026, 11, 23)) == 300
    with store.session() as session:
        rows = stats_service.collect(
            session=session, start=dt.date(2025, 1, 1), end=dt.date(2026, 11, 23)
        ).rows
    return store, rows


def test_the_extract_names_no_one(
    demo_rows: tuple[Store, list[stats.CaseRow]], tmp_path: Path
) -> None:
    store, rows = demo_rows
    assert len(rows) > 200
    text = stats.extract_bytes(rows).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].split(",") == list(stats.EXTRACT_COLUMNS)
    assert all(line.startswith("amudesk-stats-extract,1,") for line in lines[1:])
    assert len(lines) == len(rows) + 1
    with store.session() as session:
        people = session.execute(
            select(Person.family_name, Person.given_names, Person.niss, Person.birth_date)
        ).all()
        references = session.scalars(select(Request.reference)).all()
    secrets: set[str] = set()
    for family, given, niss, birth in people:
        secrets.update(part for part in (family, given, niss, birth) if part and len(part) > 3)
    secrets.update(references)
    assert len(secrets) > 500
    # The CPAS column holds directory names ("Woluwe-Saint-Lambert" is also a family
    # name): it is checked against the directory, every other cell against the secrets.
    with store.session() as session:
        directory = set(session.scalars(select(Cpas.name_fr)).all())
    cells = [line.split(",") for line in lines[1:]]
    assert {row[2] for row in cells} <= directory | {"<5"}
    rest = "\n".join(",".join(row[:2] + row[3:]) for row in cells).casefold()
    found = [secret for secret in secrets if secret.casefold() in rest]
    assert found == []
    # No day of any month: only YYYY-MM or YYYY.
    for cells in (line.split(",") for line in lines[1:]):
        assert len(cells[3]) in (4, 7)
    # Every combination of CPAS, month, channel and age band holds 5 rows or more, or is
    # generalised down to a CPAS-less year.
    back = stats.read_extract(tmp_path / "x.csv", text.encode("utf-8-sig"))
    combos: dict[tuple[str, str, str, str], int] = {}
    for r in back:
        key = (r.cpas, r.month, r.channel, r.age_band)
        combos[key] = combos.get(key, 0) + 1
    assert all(n >= 5 or key[0] == "<5" for key, n in combos.items())


def test_merging_two_extracts_gives_the_figures_of_their_union(
    demo_rows: tuple[Store, list[stats.CaseRow]], tmp_path: Path
) -> None:
    _store, rows = demo_rows
    half = len(rows) // 2
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_bytes(stats.extract_bytes(rows[:half]))
    second.write_bytes(stats.extract_bytes(rows[half:]))
    merged = stats.read_extract(first) + stats.read_extract(second)
    union = stats.anonymised(rows[:half]) + stats.anonymised(rows[half:])
    assert merged == union
    for by in ("cpas", "month", "channel"):
        assert stats.figures(merged, by=by).as_json() == stats.figures(union, by=by).as_json()
    # What the extract generalises (age band, channel, month) leaves the day counts alone:
    # the total is the same as the desk's own.
    assert stats.figures(merged).as_json()["total"] == stats.figures(rows).as_json()["total"]


def _extract(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    good = stats.CaseRow("CPAS de Test", "2026-03", "post", "18-29", "refusal", 12, True)
    lines = stats.extract_lines([good] * 5)
    header = lines[0]
    for column, value in changes:
        lines[3][header.index(column)] = value
    path = tmp_path / "hostile.csv"
    path.write_text("\r\n".join(",".join(line) for line in lines) + "\r\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("version", "2", "version 2, this desk reads version 1"),
        ("format", "other-format", "not amudesk-stats-extract"),
        ("cpas", "=HYPERLINK(1)", "a formula"),
        ("cpas", "CPAS \u202eevil", "a control or bidi character"),
        ("days_to_decision", "99999999", "not a number of days"),
        ("days_to_decision", "-3", "a formula"),
        ("channel", "pigeon", "not one of"),
        ("reasons", "resources|made-up", "an unknown reason key"),
        ("month", "2026-13", "not a month"),
        ("decided_within", "maybe", "not yes, no or empty"),
    ],
)
def test_hostile_extracts_are_refused_naming_file_line_and_column(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    path = _extract(tmp_path, (column, value))
    with pytest.raises(stats.ExtractError) as raised:
        stats.read_extract(path)
    assert raised.value.problems[0].startswith(f"{path}: line 4: {column}: ")
    assert message in raised.value.problems[0]
    assert len(raised.value.problems) == 1


def test_a_missing_column_or_a_short_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    lines = stats.extract_lines([stats.CaseRow("CPAS de Test", "2026-03", "post", "18-29")])
    path.write_text(",".join(lines[0][:-1]) + "\n" + ",".join(lines[1][:-1]) + "\n")
    with pytest.raises(stats.ExtractError) as raised:
        stats.read_extract(path)
    assert raised.value.problems == [f"{path}: line 1: days_waiting: not the columns of an extract"]
    path.write_text(",".join(lines[0]) + "\n" + ",".join(lines[1][:-1]) + "\n")
    with pytest.raises(stats.ExtractError) as raised:
        stats.read_extract(path)
    assert raised.value.problems == [f"{path}: line 2: -: 21 cells, 22 expected"]
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(stats.ExtractError) as raised:
        stats.read_extract(path)
    assert raised.value.problems == [f"{path}: line 1: -: not UTF-8 text"]
