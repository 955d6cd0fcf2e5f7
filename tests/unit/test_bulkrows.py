"""Rows written at once (import, demo) are the rows the session's INSERT gives, on both
engines: the same values and defaults, ids in order, and the signed-in role checked even
where the rows do not go through the session (COPY on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from sqlalchemy import Table, func, insert, select

from amudesk.dates import brussels_today
from amudesk.models import Decision, Person, Request
from amudesk.models.account import Role
from amudesk.services import bulkrows, cases, people
from amudesk.services.accounts import Denied
from amudesk.services.demo import fill_demo
from tests.unit.test_accounts import signed_in_as

pytestmark = pytest.mark.both_engines

PERSON = cast(Table, Person.__table__)  # type: ignore[attr-defined]
MOMENT = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
HOSTILE = [
    "Nguyễn\tThị",  # a tab: COPY's own separator
    "O'Brien \\ back\\slash",  # COPY's escape character
    "line\nbreak",
    '=HYPERLINK("x")',
    "Иванова",
    "",
]


def rows_of(names: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "family_name": name,
            "given_names": f"Given {number}",
            "search_text": people.search_text(name, f"Given {number}", None),
            "created_at": MOMENT,
            "updated_at": MOMENT,
        }
        for number, name in enumerate(names)
    ]


def stored(store: Any, ids: list[int]) -> list[dict[str, Any]]:
    with store.session() as session:
        found = {
            row["id"]: dict(row)
            for row in session.execute(select(PERSON).where(PERSON.c.id.in_(ids))).mappings()
        }
    return [found[row_id] for row_id in ids]


def test_rows_and_defaults_are_those_of_the_sessions_insert(store: Any) -> None:
    with store.transaction() as session:
        bulk_ids = bulkrows.insert_returning_ids(session, PERSON, rows_of(HOSTILE))
    with store.transaction() as session:
        result = session.execute(
            insert(PERSON).returning(PERSON.c.id, sort_by_parameter_order=True), rows_of(HOSTILE)
        )
        plain_ids = [int(row[0]) for row in result]
    assert len(set(bulk_ids)) == len(HOSTILE) and bulk_ids == sorted(bulk_ids)
    assert not set(bulk_ids) & set(plain_ids)
    for bulk, plain in zip(stored(store, bulk_ids), stored(store, plain_ids), strict=True):
        assert {**bulk, "id": 0} == {**plain, "id": 0}
    first = stored(store, bulk_ids)[0]
    assert first["family_name"] == HOSTILE[0]
    assert (first["version"], first["no_fixed_abode"], first["updated_by"]) == (1, False, "")
    assert first["created_at"].replace(tzinfo=dt.UTC) == MOMENT
    # The session's own writes after them take the next ids.
    with store.transaction() as session:
        later = people.save_person(
            people.PersonData(family_name="Later", given_names="Ann"), session=session
        )
    assert later.id is not None and later.id > max(bulk_ids + plain_ids)


def test_no_rows_write_nothing(store: Any) -> None:
    with store.transaction() as session:
        assert bulkrows.insert_returning_ids(session, PERSON, []) == []
        bulkrows.insert_rows(session, PERSON, [])
        assert session.scalar(select(func.count()).select_from(PERSON)) == 0


def test_a_readers_session_writes_no_rows_by_any_way(store: Any) -> None:
    signed_in_as(store, Role.READER)
    ways = {
        "bulk with ids": lambda s: bulkrows.insert_returning_ids(s, PERSON, rows_of(["A"])),
        "bulk": lambda s: bulkrows.insert_rows(s, PERSON, rows_of(["B"])),
        "statement": lambda s: s.execute(insert(PERSON), rows_of(["C"])),
    }
    for way, write in ways.items():
        with pytest.raises(Denied, match="A reader may not"), store.transaction() as session:
            write(session)
        with store.session() as session:
            assert session.scalar(select(func.count()).select_from(PERSON)) == 0, way


def test_a_failed_bulk_write_leaves_nothing(store: Any) -> None:
    """A row refused by the database (a NISS twice) takes the whole write back with it."""
    rows = rows_of(["A", "B"])
    rows[0]["niss"] = rows[1]["niss"] = "85073003328"
    with pytest.raises(Exception, match="(?i)unique|duplicate"), store.transaction() as session:
        bulkrows.insert_returning_ids(session, PERSON, rows)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(PERSON)) == 0


def test_after_the_demo_the_forms_writes_get_ids_of_their_own(store: Any) -> None:
    """The demo gives its decisions' ids itself: on PostgreSQL they come from the sequence,
    or the next decision recorded in a form would take an id the demo had used."""
    fill_demo(store=store, count=30, seed=5)
    with store.session() as session:
        request_id = session.scalar(
            select(func.min(Request.id)).where(Request.received_at.is_not(None))
        )  # type: ignore[union-attr]
        before = session.scalar(select(func.max(Decision.id))) or 0
    with store.transaction() as session:
        decision = cases.record_decision(
            request_id or 0,
            cases.DecisionData(kind="principle", decided_on=brussels_today()),
            session=session,
        )
    assert decision.id is not None and decision.id > before
