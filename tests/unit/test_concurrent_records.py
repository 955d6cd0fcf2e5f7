"""Two workers on the same request's records: an attestation, a decision, an appeal or an
event day saved over a newer version is refused, never silently overwritten (issue 16).

The second worker is the store opened again (its own connections), on SQLite and on a
real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import text

from amudesk.models import Aamu, Appeal, Decision, Request
from amudesk.services import NotFound, appeals, cases, clock, filing, people
from amudesk.services.appeals import AppealData
from amudesk.services.cases import AamuData, DecisionData, RequestData
from amudesk.services.editing import EditConflict
from amudesk.services.people import PersonData
from tests.unit.test_concurrent_edits import saved_at_once

pytestmark = pytest.mark.both_engines

RECEIVED = dt.datetime(2026, 10, 5, 9, 30, tzinfo=dt.UTC)
DAY = dt.date(2026, 10, 20)


def new_request(store: Any) -> int:
    with store.transaction() as session:
        person = people.save_person(
            PersonData(family_name="Diallo", given_names="Awa", birth_date="1990-04-02"),
            session=session,
        )
        cpas_id = session.execute(text("SELECT min(id) FROM cpas")).scalar_one()
        request = cases.register_request(
            RequestData(person_id=person.id or 0, cpas_id=cpas_id, received_at=RECEIVED),
            session=session,
        )
        assert request.id is not None
        return request.id


@pytest.fixture
def other(store: Any, open_same: Any) -> Iterator[Any]:
    """The second worker's desk, signed in as Bram."""
    opened = open_same()
    opened.account = "Bram"
    yield opened
    opened.close()


def refused_over(
    store: Any, other: Any, save: Callable[[Any, int | None], Any], version: int
) -> EditConflict:
    """Bram saves first over ``version``; then this worker's save over the same version
    must be refused, naming him. The conflict raised."""
    with other.transaction() as session:
        save(session, version)
    with (
        pytest.raises(EditConflict, match=r"Changed by Bram at \d{1,2}:\d{2}") as raised,
        store.transaction() as session,
    ):
        save(session, version)
    return raised.value


def test_an_attestation_saved_over_a_newer_version_is_refused(store: Any, other: Any) -> None:
    request_id = new_request(store)
    with store.transaction() as session:
        aamu = cases.record_aamu(
            request_id, AamuData(issued_on=DAY, doctor_name="Dr Peeters"), session=session
        )
        aamu_id, version = aamu.id, aamu.version

    def edit(doctor: str) -> Callable[[Any, int | None], Any]:
        def save(session: Any, shown: int | None) -> Any:
            data = AamuData(issued_on=DAY, doctor_name=doctor, version=shown)
            return cases.record_aamu(request_id, data, session=session, aamu_id=aamu_id)

        return save

    with other.transaction() as session:
        edit("Dr Janssens")(session, version)
    with pytest.raises(EditConflict, match="Bram"), store.transaction() as session:
        edit("Dr Dubois")(session, version)
    with store.session() as session:
        kept = session.get(Aamu, aamu_id)
        assert kept is not None
        assert (kept.doctor_name, kept.version, kept.updated_by) == ("Dr Janssens", 2, "Bram")
        assert kept.updated_at >= kept.created_at
    # With the version now shown, this worker's save lands.
    with store.transaction() as session:
        edit("Dr Dubois")(session, 2)
    with store.session() as session:
        kept = session.get(Aamu, aamu_id)
        assert kept is not None and (kept.doctor_name, kept.version) == ("Dr Dubois", 3)


def test_a_decision_saved_over_a_newer_version_is_refused(store: Any, other: Any) -> None:
    request_id = new_request(store)
    with store.transaction() as session:
        decision = cases.record_decision(
            request_id,
            DecisionData(kind="refusal", decided_on=DAY, reasons=[("resources", "")]),
            session=session,
        )
        decision_id, version = decision.id, decision.version

    def save(session: Any, shown: int | None) -> Any:
        data = DecisionData(
            kind="refusal", decided_on=DAY, reasons=[("competence", "")], version=shown
        )
        return cases.record_decision(request_id, data, session=session, decision_id=decision_id)

    conflict = refused_over(store, other, save, version)
    assert conflict.field == "version"
    with store.session() as session:
        kept = session.get(Decision, decision_id)
        assert kept is not None and (kept.version, kept.updated_by) == (version + 1, "Bram")


def test_a_change_of_reasons_alone_is_an_edit_of_the_decision(store: Any) -> None:
    """The reasons live in rows of their own: changing only them still raises the
    decision's version, or a worker could overwrite another's reasons unseen."""
    request_id = new_request(store)
    with store.transaction() as session:
        decision = cases.record_decision(
            request_id,
            DecisionData(kind="refusal", decided_on=DAY, reasons=[("resources", "")]),
            session=session,
        )
        decision_id, version = decision.id, decision.version
    with store.transaction() as session:
        cases.record_decision(
            request_id,
            DecisionData(
                kind="refusal", decided_on=DAY, reasons=[("competence", "")], version=version
            ),
            session=session,
            decision_id=decision_id,
        )
    with store.session() as session:
        kept = session.get(Decision, decision_id)
        assert kept is not None and kept.version == version + 1
        assert [r.key for r in cases.reasons_of(decision_id or 0, session=session)] == [
            "competence"
        ]
    # Saving the same again changes nothing, and raises nothing.
    with store.transaction() as session:
        cases.record_decision(
            request_id,
            DecisionData(
                kind="refusal",
                decided_on=DAY,
                reasons=[("competence", "")],
                version=version + 1,
            ),
            session=session,
            decision_id=decision_id,
        )
    with store.session() as session:
        kept = session.get(Decision, decision_id)
        assert kept is not None and kept.version == version + 1


def test_an_appeal_saved_over_a_newer_version_is_refused(store: Any, other: Any) -> None:
    request_id = new_request(store)
    with store.transaction() as session:
        appeal = appeals.record_appeal(request_id, AppealData(filed_on=DAY), session=session)
        appeal_id, version = appeal.id, appeal.version

    def save(session: Any, shown: int | None) -> Any:
        data = AppealData(filed_on=DAY, role_number="26/1234/A", version=shown)
        return appeals.record_appeal(request_id, data, session=session, appeal_id=appeal_id)

    refused_over(store, other, save, version)
    with store.session() as session:
        kept = session.get(Appeal, appeal_id)
        assert kept is not None and (kept.version, kept.updated_by) == (version + 1, "Bram")


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(lambda rid, s, v: clock.record_transfer(rid, DAY, session=s, version=v)),
        pytest.param(lambda rid, s, v: filing.record_spp_referral(rid, DAY, session=s, version=v)),
        pytest.param(lambda rid, s, v: clock.record_appeal(rid, DAY, session=s, version=v)),
    ],
    ids=["transfer", "spp-referral", "appeal-day"],
)
def test_an_event_day_saved_over_a_newer_request_is_refused(
    store: Any, other: Any, record: Callable[[int, Any, int | None], Request]
) -> None:
    """The transfer, referral and appeal days are the request's: the form checks its version."""
    request_id = new_request(store)
    with store.session() as session:
        version = cases.get_request(request_id, session=session).version
    refused_over(store, other, lambda session, shown: record(request_id, session, shown), version)
    with store.session() as session:
        kept = cases.get_request(request_id, session=session)
        assert (kept.version, kept.updated_by) == (version + 1, "Bram")


def test_a_record_of_another_request_is_not_found(store: Any) -> None:
    first, second = new_request(store), new_request(store)
    with store.transaction() as session:
        aamu = cases.record_aamu(
            first, AamuData(issued_on=DAY, doctor_name="Dr Peeters"), session=session
        )
        decision = cases.record_decision(
            first, DecisionData(kind="principle", decided_on=DAY), session=session
        )
        aamu_id, decision_id = aamu.id, decision.id
    with pytest.raises(NotFound), store.transaction() as session:
        cases.record_aamu(
            second,
            AamuData(issued_on=DAY, doctor_name="Dr X"),
            session=session,
            aamu_id=aamu_id,
        )
    with pytest.raises(NotFound), store.transaction() as session:
        cases.record_decision(
            second,
            DecisionData(kind="refusal", decided_on=DAY, reasons=[("resources", "")]),
            session=session,
            decision_id=decision_id,
        )
    with store.session() as session:
        assert session.get(Aamu, aamu_id).doctor_name == "Dr Peeters"  # type: ignore[union-attr]
        assert session.get(Decision, decision_id).kind == "principle"  # type: ignore[union-attr]


def test_two_workers_saving_a_decision_at_once_one_wins(store: Any, open_same: Any) -> None:
    """Both read version 1 and save at the same moment: exactly one save lands."""
    request_id = new_request(store)
    with store.transaction() as session:
        decision = cases.record_decision(
            request_id, DecisionData(kind="principle", decided_on=DAY), session=session
        )
        decision_id, version = decision.id, decision.version

    def save(index: int, session: Any) -> None:
        data = DecisionData(
            kind="principle", decided_on=DAY, mediprima_number=f"MP-{index}", version=version
        )
        cases.record_decision(request_id, data, session=session, decision_id=decision_id)

    outcomes = saved_at_once(store, open_same, save)
    assert sorted(outcomes) == ["refused", "saved"]
    with store.session() as session:
        kept = session.get(Decision, decision_id)
        assert kept is not None and kept.version == version + 1
        assert kept.mediprima_number in {"MP-0", "MP-1"}
