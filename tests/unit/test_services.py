"""People, requests, AAMU and decisions through the services (no Qt)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from amudesk.models import CaseStatus, Person
from amudesk.services import FieldError, cases, directory, people
from amudesk.services.cases import AamuData, DecisionData, RequestData
from amudesk.services.people import PersonData

pytestmark = pytest.mark.both_engines


def _niss(yymmdd: str, counter: str = "001", born_2000: bool = False) -> str:
    base = int(("2" if born_2000 else "") + yymmdd + counter)
    return f"{yymmdd}{counter}{97 - base % 97:02d}"


def _person(session, **overrides) -> Person:  # type: ignore[no-untyped-def]
    data = PersonData(family_name="Nguyễn", given_names="Văn An", birth_date="1990-03")
    for key, value in overrides.items():
        setattr(data, key, value)
    return people.save_person(data, session=session)


def _request(session, person: Person, when: dt.datetime | None = None):  # type: ignore[no-untyped-def]
    cpas = directory.find_cpas("Saint-Gilles", session=session)
    assert cpas is not None
    return cases.register_request(
        RequestData(
            person_id=person.id,
            cpas_id=cpas.id,
            received_at=when or dt.datetime(2026, 10, 1, 10, 30),
        ),
        session=session,
    )


def test_person_is_saved_with_folded_search_text(session) -> None:  # type: ignore[no-untyped-def]
    person = _person(session, niss=_niss("900315", "123"))
    assert person.id is not None
    assert person.search_text.startswith("nguyen van an")
    assert person.niss == _niss("900315", "123")


@pytest.mark.parametrize(
    ("field", "value", "expected_field"),
    [
        ("family_name", "  ", "family_name"),
        ("given_names", "", "given_names"),
        ("sex", "Q", "sex"),
        ("birth_date", "1990-13", "birth_date"),
        ("birth_date", "1990-02-30", "birth_date"),
        ("birth_date", "2999", "birth_date"),
        ("birth_date", "03/1990", "birth_date"),
        ("niss", "85073003327", "niss"),
        ("nationality", "XY", "nationality"),
        ("languages", ["fr", "zz"], "languages"),
    ],
)
def test_bad_person_fields_are_refused_and_named(session, field, value, expected_field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FieldError) as caught:
        _person(session, **{field: value})
    assert caught.value.field == expected_field
    assert caught.value.message
    assert session.exec(select(func.count()).select_from(Person)).one() == 0


def test_no_fixed_abode_needs_a_usual_place(session) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FieldError) as caught:
        _person(session, no_fixed_abode=True)
    assert caught.value.field == "usual_place"
    person = _person(session, no_fixed_abode=True, usual_place="Gare du Midi")
    assert person.usual_place == "Gare du Midi"


def test_niss_is_unique(session) -> None:  # type: ignore[no-untyped-def]
    number = _niss("900315", "033")
    _person(session, niss=number)
    with pytest.raises(FieldError) as caught:
        _person(session, family_name="Other", niss=number)
    assert caught.value.field == "niss"


def test_dependants_are_minors_attached_to_an_adult(session) -> None:  # type: ignore[no-untyped-def]
    adult = _person(session)
    minor = _person(
        session,
        family_name="Nguyễn",
        given_names="Bảo",
        birth_date="2019-05-02",
        guardian_id=adult.id,
    )
    assert [p.id for p in people.dependants(adult.id, session=session)] == [minor.id]
    with pytest.raises(FieldError) as caught:
        _person(session, given_names="Grown", birth_date="1980", guardian_id=adult.id)
    assert caught.value.field == "birth_date"
    with pytest.raises(FieldError):
        people.attach_dependant(
            adult.id, minor.id, session=session
        )  # a minor cannot be responsible
    people.detach_dependant(minor.id, session=session)
    assert people.dependants(adult.id, session=session) == []


def test_request_gets_yearly_reference_and_open_status(session) -> None:  # type: ignore[no-untyped-def]
    person = _person(session)
    first = _request(session, person)
    second = _request(session, person, dt.datetime(2026, 10, 2, 9, 0))
    old = _request(session, person, dt.datetime(2025, 12, 31, 23, 30))
    assert (first.reference, second.reference) == ("AMU-2026-0001", "AMU-2026-0002")
    assert old.reference == "AMU-2025-0001"
    assert first.status == CaseStatus.OPEN
    # Stored in UTC, shown as the Brussels day.
    assert cases.local_date(old.received_at) == dt.date(2025, 12, 31)


def test_request_refuses_missing_person_cpas_and_future(session) -> None:  # type: ignore[no-untyped-def]
    person = _person(session)
    with pytest.raises(FieldError) as caught:
        cases.register_request(
            RequestData(person_id=None, cpas_id=1, received_at=dt.datetime(2026, 1, 1)),
            session=session,
        )
    assert caught.value.field == "person_id"
    with pytest.raises(FieldError) as caught:
        cases.register_request(
            RequestData(person_id=person.id, cpas_id=999, received_at=dt.datetime(2026, 1, 1)),
            session=session,
        )
    assert caught.value.field == "cpas_id"
    future = dt.datetime.now() + dt.timedelta(days=2)
    with pytest.raises(FieldError) as caught:
        cases.register_request(
            RequestData(person_id=person.id, cpas_id=1, received_at=future), session=session
        )
    assert caught.value.field == "received_at"


def test_aamu_checks_inami_and_keeps_categories_only(session) -> None:  # type: ignore[no-untyped-def]
    request = _request(session, _person(session))
    first6 = 123456
    inami = f"{first6}{97 - first6 % 97:02d}001"
    aamu = cases.record_aamu(
        request.id,
        AamuData(
            issued_on=dt.date(2026, 10, 1),
            doctor_name="Dr Janssens",
            inami=inami,
            care_categories=["gp", "pharmacy"],
        ),
        session=session,
    )
    assert aamu.category_list == ["gp", "pharmacy"]
    assert request.aamu_handed_in
    with pytest.raises(FieldError) as caught:
        cases.record_aamu(
            request.id,
            AamuData(issued_on=dt.date(2026, 10, 1), doctor_name="Dr X", inami="12345678001"),
            session=session,
        )
    assert caught.value.field == "inami"
    with pytest.raises(FieldError) as caught:
        cases.record_aamu(
            request.id,
            AamuData(
                issued_on=dt.date(2026, 10, 1), doctor_name="Dr X", care_categories=["cancer"]
            ),
            session=session,
        )
    assert caught.value.field == "care_categories"


def test_decisions_set_the_status_and_respect_the_rules(session) -> None:  # type: ignore[no-untyped-def]
    request = _request(session, _person(session))
    with pytest.raises(FieldError) as caught:
        cases.record_decision(
            request.id,
            DecisionData(kind="guarantee", decided_on=dt.date(2026, 9, 1)),
            session=session,
        )
    assert caught.value.field == "decided_on"  # before the request
    with pytest.raises(FieldError) as caught:
        cases.record_decision(
            request.id,
            DecisionData(
                kind="guarantee", decided_on=dt.date(2026, 10, 20), valid_from=dt.date(2026, 8, 1)
            ),
            session=session,
        )
    assert caught.value.field == "valid_from"  # more than 60 days back
    with pytest.raises(FieldError) as caught:
        cases.record_decision(
            request.id,
            DecisionData(
                kind="principle",
                decided_on=dt.date(2026, 10, 20),
                valid_from=dt.date(2026, 10, 1),
                valid_to=dt.date(2027, 10, 2),
            ),
            session=session,
        )
    assert caught.value.field == "valid_to"  # longer than 12 months
    with pytest.raises(FieldError) as caught:
        cases.record_decision(
            request.id,
            DecisionData(
                kind="refusal", decided_on=dt.date(2026, 10, 20), valid_from=dt.date(2026, 10, 1)
            ),
            session=session,
        )
    assert caught.value.field == "valid_from"
    assert request.status == CaseStatus.OPEN
    cases.record_decision(
        request.id,
        DecisionData(
            kind="refusal", decided_on=dt.date(2026, 10, 20), notified_on=dt.date(2026, 10, 22)
        ),
        session=session,
    )
    assert request.status == CaseStatus.REFUSED
    cases.record_decision(
        request.id,
        DecisionData(
            kind="guarantee",
            decided_on=dt.date(2026, 11, 2),
            valid_from=dt.date(2026, 10, 1),
            valid_to=dt.date(2026, 12, 31),
        ),
        session=session,
    )
    assert request.status == CaseStatus.DECIDED
    kinds = [event.kind for event in cases.get_case(request.id, session=session).timeline]
    assert kinds == ["received", "decision", "notification", "decision"]


def test_case_list_search_ignores_accents_case_and_script(session) -> None:  # type: ignore[no-untyped-def]
    names = [("Nguyễn", "Văn An"), ("Öztürk", "Ayşe"), ("Иванова", "Мария"), ("Peeters", "Jan")]
    for family, given in names:
        _request(session, _person(session, family_name=family, given_names=given))
    session.commit()

    def found(query: str) -> list[str]:
        return [row.family_name for row in cases.list_cases(session=session, query=query)]

    assert found("nguyen") == ["Nguyễn"]
    assert found("NGUY") == ["Nguyễn"]
    assert found("ozturk") == ["Öztürk"]
    assert found("ayse ozt") == ["Öztürk"]
    assert found("ivanova") == ["Иванова"]
    assert found("Иван") == ["Иванова"]
    assert found("zzz") == []
    assert found("AMU-2026-0003") == ["Иванова"]
    assert cases.count_cases(session=session, query="") == 4
    assert cases.count_cases(session=session, status=CaseStatus.REFUSED) == 0


def test_case_list_finds_by_niss_prefix_and_pages(session) -> None:  # type: ignore[no-untyped-def]
    number = _niss("900315", "033")
    _request(session, _person(session, niss=number))
    for index in range(25):
        _request(
            session,
            _person(session, family_name=f"Person{index:02d}"),
            dt.datetime(2026, 1, 1 + index),
        )
    session.commit()
    assert [r.family_name for r in cases.list_cases(session=session, query="90.03.15-03")] == [
        "Nguyễn"
    ]
    page1 = cases.list_cases(session=session, limit=10, sort="name", descending=False)
    page2 = cases.list_cases(session=session, offset=10, limit=10, sort="name", descending=False)
    assert len(page1) == len(page2) == 10
    assert not {r.request_id for r in page1} & {r.request_id for r in page2}
    assert [r.family_name for r in page1] == sorted(r.family_name for r in page1)


def test_cpas_names_match_in_every_form(session) -> None:  # type: ignore[no-untyped-def]
    names = [
        "Saint-Gilles",
        "cpas de saint-gilles",
        "OCMW Sint-Gillis",
        "SINT GILLIS",
        "CPAS de Saint-Gilles",
    ]
    found = {directory.find_cpas(name, session=session).id for name in names}  # type: ignore[union-attr]
    assert len(found) == 1
    assert directory.find_cpas("CPAS d'Ixelles", session=session).commune_nl == "Elsene"  # type: ignore[union-attr]
    assert directory.find_cpas("Ville de Liège", session=session) is None


def test_directory_edit_checks_bce_and_refuses_deleting_a_used_cpas(session) -> None:  # type: ignore[no-untyped-def]
    cpas = directory.find_cpas("Forest", session=session)
    assert cpas is not None
    with pytest.raises(FieldError) as caught:
        directory.save_cpas(
            session=session,
            cpas_id=cpas.id,
            name_fr=cpas.name_fr,
            name_nl=cpas.name_nl,
            bce="0123.456.789",
        )
    assert caught.value.field == "bce"
    saved = directory.save_cpas(
        session=session,
        cpas_id=cpas.id,
        name_fr=cpas.name_fr,
        name_nl=cpas.name_nl,
        phone="02 000 00 00",
    )
    assert saved.phone == "02 000 00 00"
    person = _person(session)
    cases.register_request(
        RequestData(person_id=person.id, cpas_id=cpas.id, received_at=dt.datetime(2026, 10, 1)),
        session=session,
    )
    with pytest.raises(FieldError):
        directory.delete_cpas(cpas.id, session=session)


def test_office_profile_is_validated(session) -> None:  # type: ignore[no-untyped-def]
    from amudesk.services.office import get_office, save_office

    assert get_office(session=session) is None
    with pytest.raises(FieldError) as caught:
        save_office(session=session, kind="cpas", name="")
    assert caught.value.field == "name"
    with pytest.raises(FieldError) as caught:
        save_office(session=session, kind="cpas", name="CPAS", email="not-an-address")
    assert caught.value.field == "email"
    office = save_office(
        session=session, kind="association", name="Permanence", document_language="nl"
    )
    assert get_office(session=session) is office


def test_cpas_abbreviations_and_unique_prefixes_match(session) -> None:  # type: ignore[no-untyped-def]
    matcher = directory.CpasMatcher(directory.list_cpas(session=session))
    saint_gilles = matcher.find("Saint-Gilles")
    assert saint_gilles is not None
    assert matcher.find("St-Gilles") is saint_gilles
    assert matcher.find("OCMW St-Gillis") is saint_gilles
    assert matcher.find("Molenbeek").commune_fr == "Molenbeek-Saint-Jean"  # type: ignore[union-attr]
    assert matcher.find("Woluwe-St-Lambert").commune_nl == "Sint-Lambrechts-Woluwe"  # type: ignore[union-attr]
    assert matcher.find("Woluwe") is None  # two communes start so
    assert matcher.find("") is None


@pytest.mark.parametrize("dense", [1, 10_000])
def test_search_gives_the_same_cases_whichever_way_it_walks(session, monkeypatch, dense) -> None:  # type: ignore[no-untyped-def]
    from amudesk.services import search

    monkeypatch.setattr(search, "DENSE", dense)
    for family, given in [("Nguyễn", "An"), ("Nguyen", "Bao"), ("Ngo", "Lan"), ("Öztürk", "Ayşe")]:
        _request(session, _person(session, family_name=family, given_names=given))
    session.commit()

    def found(query: str) -> list[str]:
        rows = cases.list_cases(session=session, query=query, sort="name", descending=False)
        return [f"{row.family_name} {row.given_names}" for row in rows]

    assert found("nguy") == ["Nguyễn An", "Nguyen Bao"]
    assert found("n") == ["Ngo Lan", "Nguyễn An", "Nguyen Bao"]
    assert found("a o") == ["Öztürk Ayşe"]
    assert cases.count_cases(session=session, query="ng", limit=2) == 2
    assert cases.count_cases(session=session, query="ng") == 3
    assert found("2026-0004") == ["Öztürk Ayşe"]
    assert found("amu-2026-000") == ["Ngo Lan", "Nguyễn An", "Nguyen Bao", "Öztürk Ayşe"]


def test_addresses_keep_their_lines(session) -> None:  # type: ignore[no-untyped-def]
    from amudesk.services.office import save_office

    office = save_office(
        session=session,
        kind="cpas",
        name="CPAS   de  Forest",
        address=" Rue  de l'Exemple 1 \n\n 1190  Forest ",
        labour_court_address="Tribunal du travail\nBoulevard de Waterloo 70\n1000 Bruxelles",
    )
    assert office.name == "CPAS de Forest"
    assert office.address == "Rue de l'Exemple 1\n1190 Forest"
    assert office.labour_court_address.count("\n") == 2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("../../etc/passwd", "Reference: use letters, digits and the signs - _ . / only."),
        ("AMU 2026 1", "Reference: use letters, digits and the signs - _ . / only."),
        ("85073003328", "Reference: this looks like a NISS number"),
        ("X" * 31, "Reference: at most 30 characters."),
    ],
)
def test_a_reference_that_could_leak_or_escape_is_refused(
    session: Any, typed: str, message: str
) -> None:
    from amudesk.services import FieldError
    from amudesk.services.cases import RequestData, register_request
    from amudesk.services.directory import list_cpas
    from amudesk.services.people import PersonData, save_person

    person = save_person(PersonData(family_name="Ref", given_names="Test"), session=session)
    cpas = list_cpas(session=session)[0]
    with pytest.raises(FieldError) as raised:
        register_request(
            RequestData(
                person_id=person.id,
                cpas_id=cpas.id,
                received_at=dt.datetime(2026, 1, 5, 10),
                reference=typed,
            ),
            session=session,
        )
    assert str(raised.value).startswith(message)
