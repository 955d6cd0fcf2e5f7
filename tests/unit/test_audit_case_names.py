"""The audit trail names a case by its reference: a request's entries by the request's
reference, a person's by the reference of their latest request; never a name, a NISS or an
internal number. A page's references are read in one statement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from amudesk.models import AuditEntry, Person, Request
from amudesk.services import audit

pytestmark = pytest.mark.both_engines

DAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def person(session: Any, family: str = "Nguyễn", niss: str | None = None) -> int:
    made = Person(family_name=family, given_names="Lan", niss=niss)
    session.add(made)
    session.flush()
    assert made.id is not None
    return made.id


def request(
    session: Any, person_id: int, reference: str, received: dt.datetime | None = None
) -> int:
    made = Request(reference=reference, person_id=person_id, received_at=received)
    session.add(made)
    session.flush()
    assert made.id is not None
    return made.id


def entry(session: Any, entity: str, entity_id: int | None, reference: str = "") -> AuditEntry:
    return audit.record(
        "edit",
        session=session,
        entity=entity,
        entity_id=entity_id,
        reference=reference,
        detail="fields=phone",
        actor="desk",
    )


@contextmanager
def statements(store: Any) -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", note)


def names_of(store: Any) -> dict[int, audit.CaseName]:
    with store.session() as session:
        return audit.case_names(audit.entries(session=session, limit=1000), session=session)


def test_a_request_entry_shows_the_request_reference(store: Any) -> None:
    with store.transaction() as session:
        someone = person(session)
        asked = request(session, someone, "AMU-2026-0042", DAY)
        bare = entry(session, "request", asked).id
        written = entry(session, "request", asked, reference="AMU-2026-0007").id
        gone = entry(session, "request", 999_999).id
    names = names_of(store)
    assert names[bare] == audit.CaseName(reference="AMU-2026-0042")
    # What the entry wrote stays: the case it was about when it was written.
    assert names[written] == audit.CaseName(reference="AMU-2026-0007")
    # An erased request leaves nothing to show (and no internal number).
    assert names[gone] == audit.CaseName()


def test_a_person_entry_shows_their_latest_request(store: Any) -> None:
    with store.transaction() as session:
        someone = person(session)
        # Recorded last but received first: the latest request is the one received last.
        request(session, someone, "AMU-2026-0050", DAY + dt.timedelta(days=40))
        request(session, someone, "AMU-2026-0051", DAY)
        alone = person(session, "Öztürk")
        undated = person(session, "Иванова")
        request(session, undated, "AMU-2026-0060")  # preparing: not received yet
        request(session, undated, "AMU-2026-0061")  # the same moment unknown: the newest
        about_someone = entry(session, "person", someone).id
        about_alone = entry(session, "person", alone).id
        about_undated = entry(session, "person", undated).id
        export = entry(session, "person", someone, reference="AMU-2026-0051").id
        erased = entry(session, "person", 999_999).id
        nobody = entry(session, "person", None).id
    names = names_of(store)
    assert names[about_someone] == audit.CaseName("AMU-2026-0050", latest_of_person=True)
    assert names[about_alone] == audit.CaseName(no_request=True)
    assert names[about_undated] == audit.CaseName("AMU-2026-0061", latest_of_person=True)
    assert names[export] == audit.CaseName("AMU-2026-0051")
    assert names[erased] == audit.CaseName()
    assert names[nobody] == audit.CaseName()


def test_other_entries_keep_what_they_wrote(store: Any) -> None:
    with store.transaction() as session:
        decision = entry(session, "decision", 3, reference="AMU-2026-0009").id
        cpas = entry(session, "cpas", 3).id
        unlock = audit.record("unlock", session=session).id
    names = names_of(store)
    assert names[decision] == audit.CaseName("AMU-2026-0009")
    assert names[cpas] == names[unlock] == audit.CaseName()


def test_no_name_or_niss_reaches_the_names(store: Any) -> None:
    with store.transaction() as session:
        someone = person(session, "Konstantinopolskaya", niss="85073003328")
        request(session, someone, "AMU-2026-0001", DAY)
        entry(session, "person", someone)
    shown = repr(names_of(store))
    assert "Konstantinopolskaya" not in shown and "85073003328" not in shown
    assert "AMU-2026-0001" in shown


def test_a_page_reads_its_references_in_one_statement(store: Any) -> None:
    with store.transaction() as session:
        for number in range(1, 151):
            someone = person(session, f"P{number}")
            asked = request(session, someone, f"AMU-2026-{number:04d}", DAY)
            entry(session, "person", someone)
            entry(session, "request", asked)
            entry(session, "decision", number, reference=f"AMU-2026-{number:04d}")
    with store.session() as session:
        page = audit.entries(session=session, limit=200)
        with statements(store) as seen:
            names = audit.case_names(page, session=session)
        assert len(seen) == 1
        assert all(name.reference for name in names.values())
        # A page that needs no look-up runs none.
        decisions = [e for e in page if e.entity == "decision"]
        with statements(store) as seen:
            audit.case_names(decisions, session=session)
        assert seen == []


def test_the_reference_filter_finds_a_persons_entries(store: Any) -> None:
    with store.transaction() as session:
        someone = person(session)
        request(session, someone, "AMU-2026-0041", DAY)
        latest = request(session, someone, "AMU-2026-0042", DAY + dt.timedelta(days=1))
        other = person(session, "Öztürk")
        request(session, other, "AMU-2026-0043", DAY)
        wanted = {
            entry(session, "person", someone).id,
            entry(session, "request", latest).id,
            entry(session, "decision", 1, reference="AMU-2026-0042").id,
        }
        entry(session, "person", other)
        entry(session, "person", someone, reference="AMU-2026-0041")
    with store.session() as session:
        found = audit.entries(session=session, reference="amu-2026-0042")
        assert {e.id for e in found} == wanted
        assert audit.count(session=session, reference="0042") == 3
        newest = max(e.id for e in found if e.id is not None)
        assert audit.position(newest, session=session, reference="0042") == 0
        # The person's older request: only the entry that wrote it, not the person's others.
        older = audit.entries(session=session, reference="0041")
        assert [e.reference for e in older] == ["AMU-2026-0041"]
