"""A refusal's reasons, court-ordered decisions, appeals and consent, through the services:
what is kept, what is refused (naming the field), what the clock and erasure make of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session, col

from amudesk.models import Appeal, AuditEntry, Consent, DecisionReason, Request
from amudesk.refusals import REASONS, UNLAWFUL_KEYS, Lawful
from amudesk.services import FieldError, appeals, cases, clock, consents, privacy
from amudesk.services.appeals import AppealData
from amudesk.services.cases import DecisionData
from amudesk.services.consents import ConsentData
from amudesk.services.desk import open_desk
from amudesk.store import SCHEMA_REVISION, current_revision, make_engine, migrate
from tests.keys import FAST_KDF, PASSPHRASE
from tests.unit.test_clock_service import _person, _request

pytestmark = pytest.mark.both_engines

D = dt.date
RECEIVED = dt.datetime(2026, 7, 16, 10, 0, tzinfo=dt.UTC)


def _case(session: Session) -> Request:
    return _request(session, _person(session), RECEIVED)


def test_the_reason_table_marks_what_the_law_does_not_allow() -> None:
    assert {"no-address", "three-months-proof", "no-identity-document"} <= UNLAWFUL_KEYS
    assert REASONS["competence"].lawful == Lawful.YES
    assert list(REASONS)[-1] == "other"
    for reason in REASONS.values():
        if reason.key != "other":
            assert reason.answer and reason.basis, reason.key


def test_a_refusal_keeps_its_reasons_in_the_table_order(session: Session) -> None:
    request = _case(session)
    decision = cases.record_decision(
        request.id or 0,
        DecisionData(
            kind="refusal",
            decided_on=D(2026, 7, 30),
            reasons=[
                ("other", "  Pas de  preuve de domicile  "),
                ("no-address", "Sans abri, dort à la gare"),
                ("no-address", "doublon"),
            ],
        ),
        session=session,
    )
    kept = [(r.key, r.explanation) for r in cases.reasons_of(decision.id or 0, session=session)]
    assert kept == [("no-address", "doublon"), ("other", "Pas de preuve de domicile")]
    cases.record_decision(
        request.id or 0,
        DecisionData(kind="refusal", decided_on=D(2026, 7, 30), reasons=[("competence", "")]),
        session=session,
        decision_id=decision.id,
    )
    assert [r.key for r in cases.reasons_of(decision.id or 0, session=session)] == ["competence"]
    edits = session.scalars(
        select(col(AuditEntry.detail)).where(
            col(AuditEntry.entity) == "decision", col(AuditEntry.action) == "edit"
        )
    ).all()
    assert edits == ["fields=reasons"]


@pytest.mark.parametrize(
    ("kind", "reasons", "message"),
    [
        ("guarantee", [("no-address", "")], "only a refusal"),
        ("refusal", [("lost", "")], "not a reason listed"),
        ("refusal", [("=cmd|'/c calc'!A0", "")], "not a reason listed"),
        ("refusal", [("other", "")], "say what the other reason was"),
        ("refusal", [("no-address", "a\u202eb")], "U+202E"),
        ("refusal", [("no-address", "x" * 501)], "at most 500"),
    ],
)
def test_bad_reasons_are_refused_and_nothing_is_kept(
    session: Session, kind: str, reasons: list[tuple[str, str]], message: str
) -> None:
    request = _case(session)
    with pytest.raises(FieldError) as error:
        cases.record_decision(
            request.id or 0,
            DecisionData(kind=kind, decided_on=D(2026, 7, 30), reasons=reasons),
            session=session,
        )
    assert error.value.field == "reasons" and message in error.value.message
    assert session.scalar(select(func.count()).select_from(DecisionReason)) == 0


def test_a_court_ordered_decision_may_reach_further_back(session: Session) -> None:
    request = _case(session)
    late = DecisionData(
        kind="guarantee",
        decided_on=D(2026, 11, 20),
        valid_from=D(2026, 7, 16),
        valid_to=D(2026, 10, 15),
    )
    with pytest.raises(FieldError) as error:
        cases.record_decision(request.id or 0, late, session=session)
    assert error.value.field == "valid_from"
    late.court_ordered, late.court_judgment_on = True, D(2026, 11, 10)
    with pytest.raises(FieldError) as error:
        cases.record_decision(request.id or 0, late, session=session)
    assert error.value.field == "court_name"
    late.court_name = "Tribunal du travail francophone de Bruxelles"
    decision = cases.record_decision(request.id or 0, late, session=session)
    assert decision.court_ordered and decision.court_judgment_on == D(2026, 11, 10)
    late.court_judgment_on = D(2026, 11, 25)
    with pytest.raises(FieldError) as error:
        cases.record_decision(request.id or 0, late, session=session, decision_id=decision.id)
    assert error.value.field == "court_judgment_on"
    # Unticked, the judgment's facts are dropped, not kept half.
    plain = DecisionData(kind="refusal", decided_on=D(2026, 7, 30), court_judgment_on=D(2026, 7, 1))
    kept = cases.record_decision(request.id or 0, plain, session=session)
    assert (kept.court_ordered, kept.court_judgment_on, kept.court_name) == (False, None, "")


def test_appeals_stop_the_clock_from_the_first_filing(session: Session) -> None:
    request = _case(session)
    cases.record_decision(
        request.id or 0,
        DecisionData(
            kind="refusal",
            decided_on=D(2026, 7, 30),
            notified_on=D(2026, 8, 3),
            notification_method="hand",
        ),
        session=session,
    )
    second = appeals.record_appeal(
        request.id or 0,
        AppealData(
            filed_on=D(2026, 9, 14),
            filed_how="registry",
            court="Tribunal du travail francophone de Bruxelles",
            role_number="26/1234/A",
            hearing_dates=[D(2026, 11, 3), D(2026, 10, 6), D(2026, 10, 6)],
            outcome="granted",
            outcome_on=D(2026, 11, 17),
        ),
        session=session,
    )
    assert second.hearing_list == [D(2026, 10, 6), D(2026, 11, 3)]
    assert request.appealed_on == D(2026, 9, 14)
    first = appeals.record_appeal(
        request.id or 0, AppealData(filed_on=D(2026, 9, 1)), session=session
    )
    assert request.appealed_on == D(2026, 9, 1)
    found = {d.rule: d for d in clock.deadlines(session=session, request_ids=[request.id or 0])}
    assert found["appeal"].done_on == D(2026, 9, 1)
    appeals.delete_appeal(first.id or 0, session=session)
    assert request.appealed_on == D(2026, 9, 14)
    # The short form: clearing the day removes every appeal recorded.
    clock.record_appeal(request.id or 0, None, session=session)
    assert request.appealed_on is None
    assert appeals.appeals_of(request.id or 0, session=session) == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (AppealData(), "filed_on"),
        (AppealData(filed_on=D(2026, 7, 1)), "filed_on"),
        (AppealData(filed_on=D(2099, 1, 1)), "filed_on"),
        (AppealData(filed_on=D(2026, 9, 1), filed_how="fax"), "filed_how"),
        (AppealData(filed_on=D(2026, 9, 1), hearing_dates=[D(2026, 8, 1)]), "hearing_dates"),
        (AppealData(filed_on=D(2026, 9, 1), outcome="granted"), "outcome_on"),
        (AppealData(filed_on=D(2026, 9, 1), outcome="won", outcome_on=D(2026, 10, 1)), "outcome"),
        (AppealData(filed_on=D(2026, 9, 1), outcome_on=D(2026, 10, 1)), "outcome"),
        (
            AppealData(filed_on=D(2026, 9, 1), outcome="rejected", outcome_on=D(2026, 8, 1)),
            "outcome_on",
        ),
        (AppealData(filed_on=D(2026, 9, 1), court="Tribunal\x00"), "court"),
        (AppealData(filed_on=D(2026, 9, 1), role_number="\u202e26/1"), "role_number"),
    ],
)
def test_bad_appeals_name_the_field_and_keep_nothing(
    session: Session, data: AppealData, field: str
) -> None:
    request = _case(session)
    with pytest.raises(FieldError) as error:
        appeals.record_appeal(request.id or 0, data, session=session)
    assert error.value.field == field
    assert session.scalar(select(func.count()).select_from(Appeal)) == 0
    assert request.appealed_on is None


def test_consent_is_kept_withdrawn_and_shown_by_day(session: Session) -> None:
    person = _person(session)
    given = consents.record_consent(
        person.id or 0,
        ConsentData(given_on=D(2026, 3, 2), how="signed", uses=["statistics", "letters"]),
        session=session,
    )
    assert given.uses == "letters,statistics" and given.mandate
    assert consents.has_mandate(person.id or 0, session=session, on=D(2026, 3, 2))
    assert not consents.has_mandate(person.id or 0, session=session, on=D(2026, 3, 1))
    consents.withdraw_consent(
        given.id or 0, session=session, day=D(2026, 6, 1), today=D(2026, 7, 1)
    )
    assert consents.current_uses(person.id or 0, session=session, on=D(2026, 6, 1)) == set()
    assert consents.has_mandate(person.id or 0, session=session, on=D(2026, 5, 31))
    with pytest.raises(FieldError, match="already withdrawn"):
        consents.withdraw_consent(given.id or 0, session=session)
    entries = session.scalars(
        select(col(AuditEntry.detail)).where(col(AuditEntry.entity) == "consent")
    ).all()
    assert entries == [
        f"person={person.id};uses=letters,statistics",
        f"person={person.id};fields=withdrawn_on",
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (ConsentData(uses=["letters"]), "given_on"),
        (ConsentData(given_on=D(2099, 1, 1), uses=["letters"]), "given_on"),
        (ConsentData(given_on=D(2026, 3, 2), how="telepathy", uses=["letters"]), "how"),
        (ConsentData(given_on=D(2026, 3, 2), uses=[]), "uses"),
        (ConsentData(given_on=D(2026, 3, 2), uses=["letters", "marketing"]), "uses"),
        (ConsentData(given_on=D(2026, 3, 2), how="oral", uses=["letters"]), "note"),
        (
            ConsentData(given_on=D(2026, 3, 2), uses=["letters"], note="témoin\u202e"),
            "note",
        ),
    ],
)
def test_bad_consents_name_the_field(session: Session, data: ConsentData, field: str) -> None:
    person = _person(session)
    with pytest.raises(FieldError) as error:
        consents.record_consent(person.id or 0, data, session=session)
    assert error.value.field == field
    assert session.scalar(select(func.count()).select_from(Consent)) == 0


def test_erasure_takes_reasons_appeals_and_consents_too(store) -> None:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        request = _case(session)
        cases.record_decision(
            request.id or 0,
            DecisionData(kind="refusal", decided_on=D(2026, 7, 30), reasons=[("no-address", "")]),
            session=session,
        )
        appeals.record_appeal(request.id or 0, AppealData(filed_on=D(2026, 9, 1)), session=session)
        consents.record_consent(
            request.person_id,
            ConsentData(given_on=D(2026, 7, 16), uses=["letters"]),
            session=session,
        )
        record = privacy.person_record(request.person_id, session=session)
        person_id = request.person_id
    assert record["consents"][0]["uses"] == "letters"
    assert record["requests"][0]["appeals"][0]["filed_on"] == "2026-09-01"
    assert record["requests"][0]["decisions"][0]["reasons"][0]["key"] == "no-address"
    audited = {(e["action"], e["entity"]) for e in record["audit_trail"]}
    assert {("create", "appeal"), ("create", "consent")} <= audited
    with store.transaction() as session:
        privacy.erase_person(person_id, session=session)
    with store.session() as session:
        for model in (DecisionReason, Appeal, Consent):
            assert session.scalar(select(func.count()).select_from(model)) == 0


def test_a_0006_database_keeps_its_appeals_as_appeal_records(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    path = data_dir / "amudesk.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine, "0006")
    now = "2026-07-16 08:00:00.000000"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO cpas (id, name_fr, name_nl, commune_fr, commune_nl, address, phone, "
                "email, amu_contact) VALUES (1, 'CPAS de Forest', 'OCMW Vorst', 'Forest', "
                "'Vorst', '', '', '', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO person (id, family_name, given_names, sex, languages, phone, "
                "commune, no_fixed_abode, usual_place, notes, search_text, created_at, "
                "updated_at) VALUES (1, 'Diallo', 'Awa', 'F', '', '', '', 0, '', '', 'x', :now, :now)"
            ),
            {"now": now},
        )
        for number, appealed in ((1, "'2026-09-01'"), (2, "NULL")):
            connection.execute(
                text(
                    "INSERT INTO request (id, reference, person_id, cpas_id, received_at, "
                    "channel, accompanied_by, aamu_handed_in, status, appealed_on, closed_note, "
                    f"created_at, updated_at) VALUES ({number}, 'AMU-2026-000{number}', 1, 1, "
                    f":now, 'in_person', '', 0, 'refused', {appealed}, '', :now, :now)"
                ),
                {"now": now},
            )
    engine.dispose()
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        assert current_revision(store.engine) == SCHEMA_REVISION
        with store.session() as session:
            kept = session.scalars(select(Appeal)).all()
            assert [(a.request_id, a.filed_on, a.filed_how) for a in kept] == [
                (1, D(2026, 9, 1), "registered-letter")
            ]
    finally:
        store.close()
