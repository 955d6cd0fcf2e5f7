"""Two workers on the same database: an edit never silently overwrites another's (issue 16).

Each test opens the store a second time (its own connections, as a second worker's
desk would), on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import text

from amudesk.models import Person, Request
from amudesk.services import cases, editing, people
from amudesk.services.cases import RequestData
from amudesk.services.editing import EditConflict
from amudesk.services.people import PersonData

pytestmark = pytest.mark.both_engines

RECEIVED = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)


def person_data(person: Person, **changes: Any) -> PersonData:
    """What a form shows for ``person``, with ``changes`` typed over it."""
    values = {
        "family_name": person.family_name,
        "given_names": person.given_names,
        "sex": person.sex,
        "birth_date": person.birth_date or "",
        "version": person.version,
    }
    return PersonData(**{**values, **changes})


def new_person(store: Any) -> int:
    with store.transaction() as session:
        person = people.save_person(
            PersonData(family_name="Diallo", given_names="Awa", birth_date="1990-04-02"),
            session=session,
        )
        assert person.id is not None
        return person.id


def test_a_lost_update_is_refused_naming_who_changed_it_and_when(
    store: Any, open_same: Any
) -> None:
    person_id = new_person(store)
    other = open_same()
    other.account = "Bram"  # the second worker, signed in
    try:
        with store.session() as session:
            shown_here = people.get_person(person_id, session=session)  # the form opens
        with other.session() as session:
            shown_there = people.get_person(person_id, session=session)
        with other.transaction() as session:
            people.save_person(
                person_data(shown_there, given_names="Awa Mariam"),
                session=session,
                person_id=person_id,
            )
        with (
            pytest.raises(EditConflict, match=r"Changed by Bram at \d{1,2}:\d{2}") as raised,
            store.transaction() as session,
        ):
            people.save_person(
                person_data(shown_here, family_name="Dialo"), session=session, person_id=person_id
            )
        assert raised.value.field == "version" and raised.value.by == "Bram"
        with store.session() as session:
            kept = people.get_person(person_id, session=session)
            assert (kept.family_name, kept.given_names) == ("Diallo", "Awa Mariam")
            assert (kept.version, kept.updated_by) == (shown_here.version + 1, "Bram")
            # Reload and reapply: their change kept, this worker's typed over it.
            typed = {"family_name": "Dialo", "given_names": "Awa"}
            original = {"family_name": "Diallo", "given_names": "Awa"}
            fresh = {"family_name": kept.family_name, "given_names": kept.given_names}
            values = editing.reapplied(original, typed, fresh)
            assert values == {"family_name": "Dialo", "given_names": "Awa Mariam"}
        with store.transaction() as session:
            people.save_person(person_data(kept, **values), session=session, person_id=person_id)
        with store.session() as session:
            final = people.get_person(person_id, session=session)
            assert (final.family_name, final.given_names) == ("Dialo", "Awa Mariam")
            assert final.version == kept.version + 1
    finally:
        other.close()


def test_a_request_edit_over_a_newer_version_is_refused(store: Any, open_same: Any) -> None:
    person_id = new_person(store)
    with store.transaction() as session:
        cpas_id = session.execute(text("SELECT min(id) FROM cpas")).scalar_one()
        request = cases.register_request(
            RequestData(person_id=person_id, cpas_id=cpas_id, received_at=RECEIVED),
            session=session,
        )
        request_id, version = request.id, request.version
    data = RequestData(
        person_id=person_id,
        cpas_id=cpas_id,
        received_at=RECEIVED,
        accompanied_by="Médecins du Monde",
        version=version,
    )
    other = open_same()
    try:
        with other.transaction() as session:
            cases.register_request(
                RequestData(
                    person_id=person_id,
                    cpas_id=cpas_id,
                    received_at=RECEIVED,
                    channel="hospital",
                    version=version,
                ),
                session=session,
                request_id=request_id,
            )
    finally:
        other.close()
    with pytest.raises(EditConflict), store.transaction() as session:
        cases.register_request(data, session=session, request_id=request_id)
    with store.session() as session:
        kept = session.get(Request, request_id)
        assert kept is not None and (kept.channel, kept.accompanied_by) == ("hospital", "")


def test_the_desks_own_bookkeeping_is_not_an_edit(store: Any) -> None:
    person_id = new_person(store)
    with store.transaction() as session:
        cpas_id = session.execute(text("SELECT min(id) FROM cpas")).scalar_one()
        request = cases.register_request(
            RequestData(person_id=person_id, cpas_id=cpas_id, received_at=RECEIVED),
            session=session,
        )
        request_id, version = request.id, request.version
    with store.transaction() as session:
        row = session.get(Request, request_id)
        assert row is not None
        row.next_due = dt.date(2030, 1, 1)  # the next limit kept in step: not someone's edit
        row.next_rule = "decision"
    with store.session() as session:
        row = session.get(Request, request_id)
        assert row is not None and row.version == version


def test_two_workers_saving_at_once_one_wins_and_the_other_is_told(
    store: Any, open_same: Any
) -> None:
    """Both read version 1, both save at the same moment: exactly one save lands."""
    person_id = new_person(store)
    with store.session() as session:
        shown = people.get_person(person_id, session=session)

    def save(index: int, session: Any) -> None:
        people.save_person(
            person_data(shown, given_names=f"Awa {index}"), session=session, person_id=person_id
        )

    outcomes = saved_at_once(store, open_same, save)
    assert sorted(outcomes) == ["refused", "saved"]
    with store.session() as session:
        assert people.get_person(person_id, session=session).version == shown.version + 1


def saved_at_once(store: Any, open_same: Any, save: Any) -> list[str]:
    """Two desks (the store opened twice) run ``save(index, session)`` at the same moment,
    each in its transaction: what became of each ("saved", "refused", or the error)."""
    stores = [open_same(), open_same()]
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def run(index: int) -> None:
        try:
            start.wait()
            with stores[index].transaction() as session:
                save(index, session)
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("refused")
        except BaseException as exc:  # reported by the caller's assertion
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for opened in stores:
            opened.close()
    if store.is_sqlite and any("locked" in outcome for outcome in outcomes):
        pytest.fail(f"SQLite gave up waiting: {outcomes}")
    return outcomes
