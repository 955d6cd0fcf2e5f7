"""The paged case model: pages of 200, filters, sorting, formatting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QTableView

from amudesk import i18n
from amudesk.ui.casemodel import COLUMN_OF_KEY, PAGE_SIZE, CaseTableModel
from tests.ui.conftest import bulk_cases

NAME = COLUMN_OF_KEY["name"]
STATUS = COLUMN_OF_KEY["status"]
CPAS = COLUMN_OF_KEY["cpas"]
DATE = COLUMN_OF_KEY["received_at"]


def loaded(store: Any, query: str = "", status: str | None = None) -> CaseTableModel:
    model = CaseTableModel(store)
    model.set_filter(query, status)
    return model


def names(model: CaseTableModel) -> list[str]:
    return [model.data(model.index(row, NAME)) for row in range(model.rowCount())]


def test_pages_are_fetched_one_at_a_time(store: Any, cpas_ids: list[int]) -> None:
    bulk_cases(store, cpas_ids[0], 450)
    model = loaded(store)
    assert model.total == 450
    assert model.rowCount() == PAGE_SIZE == 200
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 400
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450
    assert not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450
    ids = [model.request_id_at(row) for row in range(450)]
    assert len(set(ids)) == 450


def test_the_view_fetches_more_when_scrolled(qtbot: Any, store: Any, cpas_ids: list[int]) -> None:
    bulk_cases(store, cpas_ids[0], 450)
    model = loaded(store)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(800, 400)
    view.show()
    qtbot.waitExposed(view)
    assert model.rowCount() == 200
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 400)
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 450)


def test_rows_are_formatted_once_for_display(
    store: Any, add_case: Any, cpas_ids: list[int]
) -> None:
    request_id, reference = add_case(
        "Nguyễn", "Văn An", received_at=dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)
    )
    model = loaded(store)
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == reference
    assert model.data(model.index(0, NAME)) == "NGUYỄN Văn An"
    # 23:30 UTC on 2 March is already 3 March in Brussels.
    assert model.data(model.index(0, DATE)) == i18n.format_date(dt.date(2026, 3, 3))
    assert model.data(model.index(0, STATUS)) == "Open"
    assert "Open" in model.data(model.index(0, STATUS), Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.UserRole) == request_id
    assert model.headerData(NAME, Qt.Orientation.Horizontal) == "Name"
    assert model.request_id_at(0) == request_id
    assert model.row_of(request_id) == 0
    assert model.row_of(request_id + 1000) is None
    assert model.request_id_at(5) is None


def test_cpas_commune_follows_the_interface_language(store: Any, add_case: Any) -> None:
    from amudesk.services.directory import find_cpas

    with store.session() as session:
        saint_gilles = find_cpas("Saint-Gilles", session=session)
    assert saint_gilles is not None
    add_case("Dupont", "Marie", cpas_id=saint_gilles.id)
    i18n.set_locale("nl")
    model = loaded(store)
    dutch = model.data(model.index(0, CPAS))
    i18n.set_locale("fr")
    model.reload()
    french = model.data(model.index(0, CPAS))
    # The commune alone, in the interface's language: every line is a CPAS.
    assert (dutch, french) == ("Sint-Gillis", "Saint-Gilles")


def test_filter_by_words_and_status(store: Any, three_cases: dict[str, Any]) -> None:
    from amudesk.services.cases import DecisionData, record_decision

    model = loaded(store, "nguyen")
    assert names(model) == ["NGUYỄN Văn An"]
    model.set_filter("ozturk", None)
    assert names(model) == ["ÖZTÜRK Ayşe"]
    model.set_filter(three_cases["dupont"][1], None)
    assert names(model) == ["DUPONT Marie"]
    with store.transaction() as session:
        record_decision(
            three_cases["ozturk"][0],
            DecisionData(kind="refusal", decided_on=dt.date(2026, 1, 20)),
            session=session,
        )
    model.set_filter("", "refused")
    assert names(model) == ["ÖZTÜRK Ayşe"]
    assert model.data(model.index(0, STATUS)) == "Refused"
    model.set_filter("", "open")
    assert sorted(names(model)) == ["DUPONT Marie", "NGUYỄN Văn An"]
    assert model.total == 2


@pytest.mark.parametrize(
    ("column", "order", "expected"),
    [
        (NAME, Qt.SortOrder.AscendingOrder, ["DUPONT Marie", "NGUYỄN Văn An", "ÖZTÜRK Ayşe"]),
        (NAME, Qt.SortOrder.DescendingOrder, ["ÖZTÜRK Ayşe", "NGUYỄN Văn An", "DUPONT Marie"]),
        (DATE, Qt.SortOrder.AscendingOrder, ["NGUYỄN Văn An", "ÖZTÜRK Ayşe", "DUPONT Marie"]),
        (DATE, Qt.SortOrder.DescendingOrder, ["DUPONT Marie", "ÖZTÜRK Ayşe", "NGUYỄN Văn An"]),
    ],
)
def test_sorting_is_done_by_the_service(
    store: Any, three_cases: dict[str, Any], column: int, order: Qt.SortOrder, expected: list[str]
) -> None:
    model = loaded(store)
    model.sort(column, order)
    assert names(model) == expected


def test_sorting_resets_paging(store: Any, cpas_ids: list[int]) -> None:
    bulk_cases(store, cpas_ids[0], 250)
    model = loaded(store)
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 250
    model.sort(NAME, Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == 200
    assert model.data(model.index(0, NAME)) == "PERSON0000 Test"


def test_a_broad_search_counts_up_to_the_cap_and_still_pages_to_the_end(
    store: Any, cpas_ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk.ui import casemodel
    from amudesk.ui.mainwindow import format_count

    monkeypatch.setattr(casemodel, "COUNT_CAP", 250)
    bulk_cases(store, cpas_ids[0], 450)
    model = loaded(store, query="p")  # every bulk person's name starts with P
    assert model.total_is_capped
    assert "250" in format_count(model.total, capped=True)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 450
    unfiltered = loaded(store)
    assert not unfiltered.total_is_capped and unfiltered.total == 450
