"""The deadlines board's data: buckets, the full count with progress, the early preview."""

from __future__ import annotations

import datetime as dt

import pytest

from amudesk.deadlines import State
from amudesk.services import board, cases, clock, directory, people
from amudesk.services.cases import DecisionData, RequestData
from amudesk.services.demo import bis_number
from amudesk.services.people import PersonData
from amudesk.store import Store

pytestmark = pytest.mark.both_engines

TODAY = dt.date(2026, 11, 23)
SETTINGS = clock.ClockSettings(alert_within_days=7)


def _cases(store: Store, count: int) -> list[int]:
    """``count`` requests received on successive days, the first one refused (done)."""
    ids = []
    with store.transaction() as session:
        cpas = directory.find_cpas("Saint-Gilles", session=session)
        assert cpas is not None
        for number in range(count):
            person = people.save_person(
                PersonData(
                    family_name=f"Ștefănescu {number}",
                    given_names="Zoë",
                    sex="F",
                    birth_date="1985-07-30",
                    niss=bis_number("1985-07-30", "F", 2 * number + 2),
                ),
                session=session,
            )
            request = cases.register_request(
                RequestData(
                    person_id=person.id,  # type: ignore[arg-type]
                    cpas_id=cpas.id,  # type: ignore[arg-type]
                    received_at=dt.datetime(2026, 11, 1 + number, 10, 0),
                ),
                session=session,
            )
            ids.append(request.id or 0)
        cases.record_decision(
            ids[0],
            DecisionData(
                kind="refusal",
                decided_on=dt.date(2026, 11, 10),
                notified_on=dt.date(2026, 11, 12),
                notification_method="hand",
            ),
            session=session,
        )
    return ids


def test_every_deadline_lands_in_one_bucket_soonest_first(store: Store) -> None:
    _cases(store, 4)
    calls: list[tuple[int, int]] = []
    data = board.compute_board(
        store,
        today=TODAY,
        language="en",
        settings=SETTINGS,
        progress=lambda *call: calls.append(call),
    )
    assert calls == [(0, 0), (4, 4)]
    assert data.case_count == 4 and not data.partial
    assert list(data.buckets) == list(board.BUCKETS)
    with store.session() as session:
        every = clock.deadlines(session=session, today=TODAY, settings=SETTINGS)
    assert sorted(map(id, (d for items in data.buckets.values() for d in items))) == sorted(
        map(id, (d for items in data.by_case.values() for d in items))
    )
    assert sum(len(items) for items in data.buckets.values()) == len(every)
    for name, items in data.buckets.items():
        assert all(data.bucket(d) == name for d in items)
        if name != board.NOT_STARTED:
            assert [board.due_key(d) for d in items] == sorted(board.due_key(d) for d in items)
    assert any(d.state == State.DONE for d in data.buckets[board.DONE])
    assert board.bucket_label(board.SOON, 7) == "Due within 7 days"
    assert board.bucket_label(board.OVERDUE, 7) == "Overdue"


def test_a_case_counted_again_takes_the_place_of_its_old_deadlines(store: Store) -> None:
    ids = _cases(store, 3)
    data = board.compute_board(store, today=TODAY, language="en", settings=SETTINGS)
    before = sum(len(items) for items in data.buckets.values())
    with store.transaction() as session:
        clock.mark_deadline(ids[1], "decision", session=session, kind="handled", today=TODAY)
        fresh = clock.deadlines(session=session, today=TODAY, request_ids=[ids[1]])
    data.replace_case(ids[1], fresh)
    assert sum(len(items) for items in data.buckets.values()) == before
    handled = data.buckets[board.HANDLED]
    assert [(d.request_id, d.rule) for d in handled] == [(ids[1], "decision")]


def test_many_requests_give_a_preview_of_those_due_first(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _cases(store, 3)
    options = {"today": TODAY, "language": "en", "settings": SETTINGS}
    assert board.compute_preview(store, **options, requests=1, threshold=3) is None  # type: ignore[arg-type]
    early = board.compute_preview(store, **options, requests=1, threshold=2)  # type: ignore[arg-type]
    assert early is not None and early.partial and early.case_count == 1
    # The request whose stored next limit comes first: the second one's decision (the
    # first one was refused: its next limit, the notification, comes later).
    with store.session() as session:
        firsts = cases.list_cases(session=session, sort="next_due", descending=False)
    assert firsts[0].request_id == ids[1] and firsts[0].next_rule == "decision"
    assert {d.request_id for items in early.buckets.values() for d in items} == {ids[1]}
    monkeypatch.setattr(board, "PREVIEW_THRESHOLD", 2)
    monkeypatch.setattr(board, "PREVIEW_REQUESTS", 2)
    previews: list[board.BoardData] = []
    data = board.compute_board(store, **options, preview=previews.append)  # type: ignore[arg-type]
    assert [(p.partial, p.case_count) for p in previews] == [(True, 2)]
    assert not data.partial and data.case_count == 3
