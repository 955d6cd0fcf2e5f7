"""The association's order of things and the transfer's follow-on: a request prepared
before filing runs no clock and is filed later; a transfer creates the request the second
CPAS received, whose own limits run from its receipt; a second finding of incompetence
starts the five-working-day referral to the SPP IS; an urgent case comes first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from amudesk import deadlines
from amudesk.deadlines import CaseFacts, Clock, DecisionFacts, State
from amudesk.models import CaseStatus, Person, Request
from amudesk.services import FieldError, board, cases, clock, directory, documents, filing, office
from amudesk.services.cases import RequestData
from amudesk.services.demo import bis_number
from amudesk.store import Store
from tests.unit.test_cli import run
from tests.unit.test_clock_service import _decide, _person, _request

pytestmark = pytest.mark.both_engines

D = dt.date
BRUSSELS_10H = dt.timezone(dt.timedelta(hours=2))


def _prepared(session: Session, person: Person | None = None, **facts: object) -> Request:
    person = person or _person(session)
    return cases.register_request(
        RequestData(person_id=person.id, preparing=True, **facts),  # type: ignore[arg-type]
        session=session,
    )


def test_a_prepared_request_has_no_date_no_clock_and_shows_in_the_list(session: Session) -> None:
    request = _prepared(session)
    assert request.status == CaseStatus.PREPARING
    assert request.received_at is None and request.cpas_id is None
    assert request.reference.startswith("AMU-")
    assert clock.deadlines(session=session, request_ids=[request.id or 0]) == []
    assert clock.case_facts(session=session) == []
    rows = cases.list_cases(session=session, status=CaseStatus.PREPARING)
    assert [(r.reference, r.received_at, r.cpas_name_fr) for r in rows] == [
        (request.reference, None, None)
    ]
    detail = cases.get_case(request.id or 0, session=session)
    assert detail.cpas is None and detail.timeline == []


def test_a_prepared_request_refuses_a_date_and_what_needs_a_filing(session: Session) -> None:
    person = _person(session)
    with pytest.raises(FieldError) as caught:
        cases.register_request(
            RequestData(
                person_id=person.id, preparing=True, received_at=dt.datetime(2026, 7, 1, 9, 0)
            ),
            session=session,
        )
    assert caught.value.field == "received_at"
    request = _prepared(session, person)
    with pytest.raises(FieldError, match="not been filed"):
        _decide(session, request, kind="refusal", decided_on=D(2026, 7, 20))
    with pytest.raises(FieldError, match="not been filed"):
        clock.record_transfer(request.id or 0, D(2026, 7, 20), session=session)


def test_filing_sets_the_cpas_and_the_date_and_starts_the_clocks(session: Session) -> None:
    request = _prepared(session, urgent=True, urgent_reason="pregnancy")
    cpas = directory.find_cpas("Forest", session=session)
    assert cpas is not None
    with pytest.raises(FieldError) as caught:
        filing.file_request(request.id or 0, cpas_id=cpas.id, received_at=None, session=session)
    assert caught.value.field == "received_at"
    assert request.status == CaseStatus.PREPARING
    filed = filing.file_request(
        request.id or 0,
        cpas_id=cpas.id,
        received_at=dt.datetime(2026, 7, 16, 10, 0, tzinfo=BRUSSELS_10H),
        session=session,
    )
    assert filed.id == request.id and filed.status == CaseStatus.OPEN
    assert filed.urgent and filed.urgent_reason == "pregnancy"
    found = {d.rule: d for d in clock.deadlines(session=session, request_ids=[filed.id or 0])}
    assert found["decision"].event_on == D(2026, 7, 16)
    with pytest.raises(FieldError, match="already filed"):
        filing.file_request(filed.id or 0, cpas_id=cpas.id, received_at=None, session=session)
    with pytest.raises(FieldError) as caught:
        cases.register_request(
            RequestData(person_id=filed.person_id, preparing=True),
            session=session,
            request_id=filed.id,
        )
    assert caught.value.field == "status"


def test_urgency_needs_a_category(session: Session) -> None:
    with pytest.raises(FieldError) as caught:
        _prepared(session, urgent=True, urgent_reason="a broken leg")
    assert caught.value.field == "urgent_reason"


def _transferred(session: Session) -> Request:
    request = _request(session, _person(session), dt.datetime(2026, 7, 1, 10, 0))
    _decide(session, request, kind="incompetent", decided_on=D(2026, 7, 3))
    forest = directory.find_cpas("Forest", session=session)
    assert forest is not None
    clock.record_transfer(request.id or 0, D(2026, 7, 6), session=session, to_cpas_id=forest.id)
    return request


def test_a_transfer_creates_the_follow_on_request_with_both_dates(session: Session) -> None:
    first = _transferred(session)
    with pytest.raises(FieldError) as caught:  # before it was sent on
        filing.follow_on(
            first.id or 0, dt.datetime(2026, 7, 5, 9, 0, tzinfo=dt.UTC), session=session
        )
    assert caught.value.field == "received_at"
    second = filing.follow_on(
        first.id or 0, dt.datetime(2026, 7, 20, 9, 0, tzinfo=dt.UTC), session=session
    )
    assert second.previous_id == first.id and second.cpas_id == first.transferred_to_id
    assert second.first_filed_on == D(2026, 7, 1)
    again = filing.follow_on(
        first.id or 0, dt.datetime(2026, 7, 21, 9, 0, tzinfo=dt.UTC), session=session
    )
    assert again.id == second.id  # one follow-on per transfer
    found = {d.rule: d for d in clock.deadlines(session=session, request_ids=[second.id or 0])}
    decision = found["decision"]
    assert decision.event_on == D(2026, 7, 20)  # its own receipt, not the first filing
    assert "transfer" not in found
    explanation = decision.explanation
    assert "20 Jul 2026" in explanation and "1 Jul 2026" in explanation
    assert "cannot be blamed for a late transfer" in explanation


def test_without_a_recorded_target_there_is_no_follow_on(session: Session) -> None:
    request = _request(session, _person(session), dt.datetime(2026, 7, 1, 10, 0))
    with pytest.raises(FieldError) as caught:
        filing.follow_on(request.id or 0, dt.datetime(2026, 7, 9, tzinfo=dt.UTC), session=session)
    assert caught.value.field == "transferred_to_id"


def test_a_second_incompetence_starts_five_working_days_to_the_spp_is(session: Session) -> None:
    first = _transferred(session)
    second = filing.follow_on(
        first.id or 0, dt.datetime(2026, 7, 8, 9, 0, tzinfo=dt.UTC), session=session
    )
    # Found not competent on Friday 10 July 2026: Mon 13, Tue 14, Wed 15, Thu 16, Fri 17;
    # no legal holiday in between (21 July is the next).
    _decide(session, second, kind="incompetent", decided_on=D(2026, 7, 10))
    found = {
        d.rule: d
        for d in clock.deadlines(
            session=session, request_ids=[second.id or 0], today=D(2026, 7, 14)
        )
    }
    referral = found["spp-referral"]
    assert referral.last_day == D(2026, 7, 17) and referral.state == State.UPCOMING
    assert referral.actor == deadlines.Actor.CPAS
    assert "working days" in referral.explanation and referral.basis
    assert "transfer" not in found  # not sent on to a third CPAS
    filing.record_spp_referral(second.id or 0, D(2026, 7, 16), session=session)
    done = {
        d.rule: d
        for d in clock.deadlines(
            session=session, request_ids=[second.id or 0], today=D(2026, 7, 20)
        )
    }
    assert done["spp-referral"].state == State.DONE
    with pytest.raises(FieldError) as caught:
        filing.record_spp_referral(second.id or 0, D(2026, 7, 1), session=session)
    assert caught.value.field == "spp_referred_on"


def test_working_days_skip_weekends_and_legal_holidays() -> None:
    case = CaseFacts(
        1,
        "AMU-2026-0001",
        D(2026, 7, 1),
        (DecisionFacts("incompetent", D(2026, 7, 17)),),
        follow_on=True,
    )
    referral = {d.rule: d for d in Clock(today=D(2026, 7, 20)).deadlines(case)}["spp-referral"]
    # Fri 17 July: Mon 20, (Tue 21 July is the national holiday), Wed 22, Thu 23, Fri 24, Mon 27.
    assert referral.last_day == D(2026, 7, 27)


def test_an_urgent_case_comes_first_on_the_worklist(session: Session) -> None:
    plain = _request(session, _person(session), dt.datetime(2026, 7, 1, 10, 0))
    other = _person(session, family="Urgent", niss=bis_number("1985-07-30", "F", 8))
    urgent = _request(
        session, other, dt.datetime(2026, 7, 10, 10, 0), urgent=True, urgent_reason="hospital"
    )
    data = board.BoardData(
        today=D(2026, 9, 1), within_days=7, language="en", move_administrative=False
    )
    data.buckets = {name: [] for name in board.BUCKET_ORDER}
    data.add(clock.deadlines(session=session, today=D(2026, 9, 1)))
    data.sort()
    overdue = [d.case.request_id for d in data.buckets[board.OVERDUE]]
    assert overdue[0] == urgent.id and plain.id in overdue
    assert session.scalar(select(Request.urgent).where(Request.id == urgent.id)) is True


def test_a_prepared_request_gets_its_aamu_form_but_no_receipt(store: Store) -> None:
    with store.transaction() as session:
        office.save_office(session=session, kind="association", name="Maison Médicale du Midi")
        request = _prepared(session)
        request_id = request.id or 0
    with store.transaction() as session:
        form = documents.issue_aamu_form(request_id, session=session, language="fr")
        assert form.number.startswith("AM-") and form.pdf.startswith(b"%PDF")
    with store.transaction() as session, pytest.raises(FieldError, match="not been filed"):
        documents.issue_receipt(request_id, session=session, language="fr")
    with store.session() as session:  # the receipt took no number
        assert documents.missing_contacts("aamu", request_id, session=session) != []


@pytest.mark.usefixtures("command_line_account")
def test_the_command_line_says_what_a_document_printed_without(
    store: Store, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with store.transaction() as session:
        office.save_office(session=session, kind="association", name="Maison Médicale du Midi")
        request = _request(session, _person(session), dt.datetime(2026, 7, 16, 10, 0))
        reference = request.reference
    store.close()
    code, out, err = run(
        capsys,
        data_dir,
        "document",
        "receipt",
        "--reference",
        reference,
        "-o",
        str(data_dir.parent / "AR.pdf"),
    )
    assert code == 0 and "written to" in out
    assert err.count("\n") == 1 and "printed without" in err and "address" in err
    assert "Diallo" not in err.upper() and "DIALLO" not in err
