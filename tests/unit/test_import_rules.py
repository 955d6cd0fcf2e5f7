"""The import checks rows with the forms' own rules, knows a person by more than a NISS,
and adds nothing when the same file comes twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from amudesk.dates import brussels_today
from amudesk.models import AuditEntry, Decision, Person, Request
from amudesk.services import FieldError, cases, people
from amudesk.services.demo import bis_number
from amudesk.services.directory import list_cpas
from amudesk.services.importing import import_file
from tests.unit.test_spreadsheet import NISS_F, NISS_M, counts, row, write_csv

pytestmark = pytest.mark.both_engines

NISS_W = bis_number("1992-11-05", "F", 4)
NISS_UNKNOWN = bis_number("1970", "U", 5)  # BIS: no month, no day, no sex


def problems_of(
    store: Any, tmp_path: Path, rows: list[dict[str, str]]
) -> dict[int, tuple[str, str]]:
    report = import_file(write_csv(tmp_path / "rows.csv", rows), store=store)
    return {p.line: (p.field, p.message) for p in report.problems}


def register(
    store: Any,
    *,
    family_name: str = "Diallo",
    given_names: str = "Aminata",
    birth_date: str = "",
    niss: str = "",
    reference: str = "",
    received_at: dt.datetime = dt.datetime(2025, 3, 10, 9, 15),
) -> Request:
    with store.transaction() as session:
        person = people.save_person(
            people.PersonData(
                family_name=family_name, given_names=given_names, birth_date=birth_date, niss=niss
            ),
            session=session,
        )
        cpas = next(c for c in list_cpas(session=session) if c.commune_fr == "Saint-Gilles")
        return cases.register_request(
            cases.RequestData(
                person_id=person.id, cpas_id=cpas.id, received_at=received_at, reference=reference
            ),
            session=session,
        )


def form_request(session: Any, **changes: Any) -> FieldError:
    """The FieldError the request form's service raises for these values."""
    person = people.save_person(
        people.PersonData(
            family_name="Form", given_names="Test", birth_date=changes.pop("birth_date", "")
        ),
        session=session,
    )
    data = cases.RequestData(
        person_id=person.id,
        cpas_id=list_cpas(session=session)[0].id,
        received_at=dt.datetime(2025, 3, 10, 10, 0),
    )
    for name, value in changes.items():
        setattr(data, name, value)
    with pytest.raises(FieldError) as raised:
        cases.register_request(data, session=session)
    return raised.value


# --- references -----------------------------------------------------------------------


BAD_REFERENCES = ["=1+1", "A;B", "AMU 2025 1", "85.07.30-033.28", "../x", "A..B", "-X", "Ñ-1"]


@pytest.mark.parametrize("reference", BAD_REFERENCES)
def test_a_reference_follows_the_forms_rule(store: Any, tmp_path: Path, reference: str) -> None:
    found = problems_of(store, tmp_path, [row(reference=reference)])
    with store.session() as session:
        form = form_request(session, reference=reference)
    assert found == {2: ("reference", form.message.removeprefix("Reference: "))}
    assert counts(store) == (0, 0, 0)


@pytest.mark.parametrize("reference", ["amu-2025-0042", "OLD/17", "X_1.2-b"])
def test_good_references_pass_both_ways(store: Any, tmp_path: Path, reference: str) -> None:
    assert problems_of(store, tmp_path, [row(reference=reference)]) == {}
    with store.session() as session:
        assert session.scalar(select(Request.reference)) == reference.upper()


# --- dates ----------------------------------------------------------------------------


def test_dates_out_of_bounds_are_refused_in_the_import(store: Any, tmp_path: Path) -> None:
    tomorrow = (brussels_today() + dt.timedelta(days=1)).isoformat()
    found = problems_of(
        store,
        tmp_path,
        [
            row(filed_on="1999-12-31"),  # 2
            row(filed_on="0001-01-01 00:00"),  # 3
            row(filed_on=tomorrow),  # 4
            row(birth_date="2025-03-11"),  # 5: born after the filing day
            row(birth_date="2025-04"),  # 6: born in a later month
            row(care_started_on="1989-12-31"),  # 7
            row(decision="refusal", decided_on="2025-03-09"),  # 8: before the request
            row(decision="refusal", decided_on="9999-12-31"),  # 9
            row(filed_on="2000-01-01 12:00", birth_date="2000"),  # 10: good
            row(birth_date="2025-03-10", care_started_on="1990-01-01"),  # 11: good
        ],
    )
    assert {line: field for line, (field, _m) in found.items()} == {
        2: "filed_on",
        3: "filed_on",
        4: "filed_on",
        5: "filed_on",
        6: "filed_on",
        7: "care_started_on",
        8: "decided_on",
        9: "decided_on",
    }
    assert found[2][1] == "the date is before 1 January 2000; check the year."
    assert found[4][1] == "the date is in the future."
    assert found[5][1] == (
        "the birth date (2025-03-11) comes after the day the request was received "
        "(2025-03-10); check both dates."
    )
    assert found[7][1] == "the date is before 1 January 1990; check the year."


def test_the_forms_refuse_the_same_dates(session: Any) -> None:
    assert form_request(session, received_at=dt.datetime(1999, 12, 31, 10)).field == "received_at"
    error = form_request(session, birth_date="2025-03-11")
    assert error.message.startswith("Received on: the birth date (2025-03-11) comes after")
    error = form_request(session, care_started_on=dt.date(1989, 12, 31))
    assert error.message == "Care started on: the date is before 1 January 1990; check the year."


# --- names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("\u200b\u200b", "the name holds only invisible characters (U+200B); type the name again."),
        ("\u3164", "the name holds only invisible characters (U+3164); type the name again."),
        ("\u202e\u2066", "the name holds only invisible characters (U+202E, U+2066)"),
        ("Dia\u202ello", "the invisible character U+202E is not allowed in a name"),
        ("\u2067Diallo\u2069", "the invisible character U+2067 is not allowed in a name"),
        ("Dia\u200bllo", "the invisible character U+200B is not allowed in a name"),
        ("Dia\x1bllo", "the invisible character U+001B is not allowed in a name"),
        ("Dia\x00llo", "the invisible character U+0000 is not allowed in a name"),
        ("Dia\x85llo", None),  # NEL is a line break: folded to a space
        ("Dia\u200cllo", None),  # the zero-width non-joiner of Persian names
    ],
)
def test_names_refuse_invisible_and_control_characters(
    store: Any, tmp_path: Path, name: str, message: str | None
) -> None:
    found = problems_of(store, tmp_path, [row(family_name=name), row(given_names=name)])
    if message is None:
        assert found == {}
        return
    assert found[2][0] == "family_name" and found[2][1].startswith(message)
    assert found[3][0] == "given_names" and found[3][1].startswith(message)
    for data in (
        people.PersonData(family_name=name, given_names="X"),
        people.PersonData(family_name="X", given_names=name, guardian_id=None),
    ):
        with pytest.raises(FieldError) as raised:
            people.checked_values(data)
        assert message.split(" (")[0].split(" U+")[0] in raised.value.message


def test_names_are_stored_composed(store: Any, tmp_path: Path) -> None:
    assert problems_of(store, tmp_path, [row(family_name="Nguye\u0302\u0303n")]) == {}
    with store.session() as session:
        assert session.scalar(select(Person.family_name)) == "Nguyễn"


# --- a NISS is not enough to be someone -----------------------------------------------------


def test_a_niss_of_someone_else_is_reported(store: Any, tmp_path: Path) -> None:
    request = register(
        store, family_name="Benali", given_names="Karim", birth_date="1985-07", niss=NISS_M
    )
    found = problems_of(
        store,
        tmp_path,
        [
            row(family_name="Peeters", given_names="Jan", niss=NISS_M),  # 2: someone else
            row(family_name="Benali", given_names="Karima", niss=NISS_M),  # 3: other given name
            row(family_name="Sow", given_names="Awa", niss=NISS_F),  # 4
            row(family_name="Ba", given_names="Awa", niss=NISS_F, filed_on="2025-03-11"),  # 5
        ],
    )
    assert found == {
        2: (
            "niss",
            f"this number belongs to another person already registered (reference "
            f"{request.reference}); check the number or the names.",
        ),
        3: found[3],
        5: (
            "niss",
            "this number is given on line 4 for another person; check the number or the names.",
        ),
    }
    assert found[3][0] == "niss"
    assert counts(store) == (1, 1, 0)


def test_a_niss_with_the_same_person_written_otherwise_attaches(store: Any, tmp_path: Path) -> None:
    request = register(
        store, family_name="Benali", given_names="Karim", birth_date="1985-07", niss=NISS_M
    )
    report = import_file(
        write_csv(
            tmp_path / "r.csv",
            [
                row(
                    family_name="BEN ALI",
                    given_names="karim",
                    niss=NISS_M,
                    birth_date="1985",
                    filed_on="2025-03-12",
                ),
                row(
                    family_name="Bénali",
                    given_names="Karím",
                    niss=NISS_M,
                    birth_date="1985-07-30",
                    filed_on="2025-03-13",
                ),
            ],
        ),
        store=store,
    )
    assert report.problems == []
    assert (report.imported, report.new_people) == (2, 0)
    with store.session() as session:
        owners = set(session.scalars(select(Request.person_id)))
        assert owners == {request.person_id}


def test_a_niss_that_contradicts_the_birth_date_or_the_sex_is_reported(
    store: Any, tmp_path: Path
) -> None:
    found = problems_of(
        store,
        tmp_path,
        [
            row(niss=NISS_M, birth_date="1986"),  # 2: NISS says 1985-07-30
            row(niss=NISS_M, birth_date="1985-08"),  # 3
            row(niss=NISS_M, birth_date="1985-07-31"),  # 4
            row(niss=NISS_W, sex="M"),  # 5: a woman's number
            row(niss=NISS_W, sex="X", birth_date="1992-11", given_names="B"),  # 6: good
            row(niss=NISS_UNKNOWN, sex="M", birth_date="1970-05-06", given_names="C"),  # 7: good
            row(niss=NISS_UNKNOWN, birth_date="1971", given_names="D"),  # 8
            row(niss=NISS_F, birth_date="1990-02-14", sex="F", given_names="E"),  # 9: good
        ],
    )
    assert {line: field for line, (field, _m) in found.items()} == {
        2: "niss",
        3: "niss",
        4: "niss",
        5: "niss",
        8: "niss",
    }
    assert found[2][1] == (
        "the number is that of a person born 30 Jul 1985, but the birth date says 1986; "
        "check the number and the birth date."
    )
    assert found[5][1] == (
        "the number is that of a person of sex F, but the sex given is M; "
        "check the number and the sex."
    )
    assert found[8][1].startswith("the number is that of a person born 1970,")


# --- the same file twice ------------------------------------------------------------------


def audit_actions(store: Any) -> list[tuple[str, str, str]]:
    with store.session() as session:
        return [
            (e.action, e.entity, e.detail)
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


@pytest.mark.parametrize("with_references", [True, False])
def test_the_same_file_twice_adds_nothing(
    store: Any, tmp_path: Path, with_references: bool
) -> None:
    rows = [
        row(given_names="A", niss=NISS_M, filed_on="2025-03-10 09:00"),
        row(given_names="B", birth_date="1980", decision="refusal", decided_on="2025-03-12"),
        row(given_names="C", cpas="Ixelles", filed_on="2025-05-01"),
    ]
    if with_references:
        for number, values in enumerate(rows, start=1):
            values["reference"] = f"OLD-{number}"
    path = write_csv(tmp_path / "r.csv", rows)
    first = import_file(path, store=store)
    assert (first.imported, first.duplicates) == (3, [])
    before = counts(store)
    second = import_file(path, store=store)
    assert (second.imported, second.new_people, second.updated, second.problems) == (0, 0, 0, [])
    assert second.duplicate_lines == [2, 3, 4]
    assert counts(store) == before
    reference = "OLD-1" if with_references else "AMU-2025-0001"
    assert second.duplicates[0].describe() == (
        f"line 2: reference: already registered as {reference}; this row was not imported."
    )
    assert audit_actions(store)[-1][0] == "import"  # only the first import wrote anything
    assert len([a for a in audit_actions(store) if a[0] == "import"]) == 1


def test_duplicates_do_not_block_the_other_rows(store: Any, tmp_path: Path) -> None:
    import_file(write_csv(tmp_path / "a.csv", [row()]), store=store)
    report = import_file(
        write_csv(
            tmp_path / "b.csv",
            [
                row(filed_on="2025-03-10 17:45"),  # 2: the same person, CPAS and day
                row(family_name="DIALLO", given_names="Aminatà"),  # 3: the same, written otherwise
                row(cpas="Ixelles"),  # 4: another CPAS: a new request
                row(filed_on="2025-03-11"),  # 5: another day: a new request
                row(filed_on="2025-03-11 16:00"),  # 6: the same as line 5
                row(birth_date="1980"),  # 7: a birth date the first did not give: new person
            ],
        ),
        store=store,
    )
    assert report.problems == []
    assert report.duplicate_lines == [2, 3, 6]
    assert report.duplicates[2].message == "the same request as line 5; this row was not imported."
    assert report.imported == 3


def test_update_corrects_the_request_and_its_person(store: Any, tmp_path: Path) -> None:
    rows = [
        row(reference="OLD-1", niss=NISS_M, birth_date="1985", sex="M", language="fr"),
        row(reference="OLD-2", given_names="Awa"),
    ]
    import_file(write_csv(tmp_path / "a.csv", rows), store=store)
    with store.transaction() as session:
        person = session.scalar(select(Person).where(Person.niss == NISS_M))
        assert person is not None
        person.phone = "+32 470 00 00 00"  # not in the file: kept
        session.add(person)
    start = len(audit_actions(store))
    rows[0].update(
        family_name="Diallo-Bah",
        birth_date="1985-07-30",
        language="fr, wo",
        cpas="Ixelles",
        decision="principle",
        decided_on="2025-03-20",
        care_started_on="2025-03-01",
    )
    path = write_csv(tmp_path / "b.csv", rows)
    report = import_file(path, store=store, update=True)
    assert report.problems == []
    assert (report.imported, report.updated, report.duplicate_lines) == (0, 1, [3])
    assert report.duplicates[0].message == "already registered as OLD-2, with the same values."
    with store.session() as session:
        request = session.scalar(select(Request).where(Request.reference == "OLD-1"))
        assert request is not None
        person = session.get(Person, request.person_id)
        assert person is not None
        assert (person.family_name, person.birth_date, person.languages, person.phone) == (
            "Diallo-Bah",
            "1985-07-30",
            "fr,wo",
            "+32 470 00 00 00",
        )
        assert person.search_text == "diallo bah aminata " + NISS_M
        assert (request.status, request.care_started_on) == ("decided", dt.date(2025, 3, 1))
        assert session.scalar(select(func.count()).select_from(Decision)) == 1
    entries = audit_actions(store)[start:]
    assert [(action, entity) for action, entity, _d in entries] == [
        ("edit", "person"),
        ("edit", "request"),
        ("create", "decision"),
        ("import", "request"),
    ]
    assert entries[0][2] == "fields=birth_date,family_name,languages"
    assert entries[1][2] == "fields=care_started_on,cpas_id"
    assert entries[3][2].endswith(";duplicates=1;updated=1")
    # Once more: nothing left to change.
    again = import_file(path, store=store, update=True)
    assert (again.imported, again.updated, again.duplicate_lines) == (0, 0, [2, 3])
    assert len(audit_actions(store)) == start + len(entries) + 1  # the import entry alone


def test_update_adds_a_later_decision_and_corrects_the_latest(store: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        [row(reference="R-1", decision="principle", decided_on="2025-03-20")],
    )
    import_file(path, store=store)
    with store.transaction() as session:
        decision = session.scalar(select(Decision))
        assert decision is not None
        decision.mediprima_number = "MP-1"
        session.add(decision)
    later = [
        row(
            reference="R-1",
            decision="guarantee",
            decided_on="2025-04-02",
            valid_from="2025-04-01",
            valid_to="2025-06-30",
        )
    ]
    report = import_file(write_csv(tmp_path / "b.csv", later), store=store, update=True)
    assert (report.updated, report.problems) == (1, [])
    corrected = [
        row(
            reference="R-1",
            decision="guarantee",
            decided_on="2025-04-02",
            valid_from="2025-04-01",
            valid_to="2025-05-31",
            notified_on="2025-04-03",
        )
    ]
    report = import_file(write_csv(tmp_path / "c.csv", corrected), store=store, update=True)
    assert (report.updated, report.problems) == (1, [])
    with store.session() as session:
        decisions = session.scalars(select(Decision).order_by(Decision.decided_on)).all()
        assert [(d.kind, d.valid_to, d.notified_on) for d in decisions] == [
            ("principle", None, None),
            ("guarantee", dt.date(2025, 5, 31), dt.date(2025, 4, 3)),
        ]
        assert decisions[0].mediprima_number == "MP-1"


def test_update_refuses_a_row_for_someone_else(store: Any, tmp_path: Path) -> None:
    register(store, niss=NISS_M, birth_date="1985", reference="R-1")
    register(store, family_name="Sow", given_names="Awa", niss=NISS_F, reference="R-2")
    found = import_file(
        write_csv(
            tmp_path / "b.csv",
            [
                row(reference="R-1", niss=NISS_W),  # 2: the request is for another NISS
                row(reference="R-2", niss=""),  # 3: fine: the NISS is taken away
                row(reference="R-2", family_name="Sow"),  # 4: the same reference twice
            ],
        ),
        store=store,
        update=True,
    ).problems
    assert [(p.line, p.field) for p in found] == [(2, "niss"), (4, "reference")]
    assert found[0].message == (
        "the request R-1 is for a person with another NISS; check the reference and the number."
    )


def test_what_the_forms_save_after_an_import_gets_ids_of_its_own(
    store: Any, tmp_path: Path
) -> None:
    """The import takes its rows' ids from the tables' own numbering (on PostgreSQL, the
    sequences, read ahead): a person, request and decision saved after it never collide
    with an imported one, and every imported request points at its imported person."""
    rows = [
        row(given_names="A", niss=NISS_M, filed_on="2025-03-10 09:00"),
        row(given_names="B", birth_date="1980", decision="refusal", decided_on="2025-03-12"),
    ]
    report = import_file(write_csv(tmp_path / "r.csv", rows), store=store)
    assert report.imported == 2
    later = register(store, given_names="After", received_at=dt.datetime(2025, 6, 2, 10, 0))
    with store.transaction() as session:
        cases.record_decision(
            later.id or 0,
            cases.DecisionData(kind="principle", decided_on=dt.date(2025, 6, 20)),
            session=session,
        )
    with store.session() as session:
        person_ids = list(session.scalars(select(Person.id)))
        request_pairs = list(session.execute(select(Request.id, Request.person_id)))
        decision_ids = list(session.scalars(select(Decision.id)))
        names = {p.id: p.given_names for p in session.scalars(select(Person))}
    assert len(person_ids) == len(set(person_ids)) == 3
    assert len(request_pairs) == len({rid for rid, _pid in request_pairs}) == 3
    assert len(decision_ids) == len(set(decision_ids)) == 2
    assert sorted(names[pid] for _rid, pid in request_pairs) == ["A", "After", "B"]
