"""The search finds the same people on SQLite (FTS5) and on PostgreSQL (trigrams): both
are held to one reference, every word of the query starting a word of the folded names
(issue 16)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from amudesk.models import Person
from amudesk.services import cases, search
from amudesk.services.demo import fill_demo
from amudesk.store import BULK_ROWS, refresh_statistics
from amudesk.text import fold_tokens

pytestmark = pytest.mark.both_engines

QUERIES = [
    "ngu",
    "NGUYEN",
    "nguyên",
    "d",
    "di",
    "el idr",
    "Иван",
    "ivan",
    "ozt",
    "öztürk",
    "a b",
    "lukasiewicz",
    "zzz",
    "o'b",
    "van de",
]


def reference(rows: list[tuple[int, str]], query: str) -> list[int]:
    """The people whose folded names have a word starting with each word of ``query``."""
    tokens = fold_tokens(query)[: search.MAX_TOKENS]
    return sorted(
        person_id
        for person_id, text in rows
        if all(any(word.startswith(token) for word in text.split()) for token in tokens)
    )


def test_every_query_finds_the_reference_people(store: Any) -> None:
    fill_demo(store=store, count=400, seed=7)
    with store.session() as session:
        rows = [(p.id, p.search_text) for p in session.scalars(select(Person))]
        for query in QUERIES:
            found = sorted(search.person_ids_matching(query, session=session))
            assert found == reference(rows, query), query
    assert any(reference(rows, query) for query in QUERIES)  # the data holds matches


@pytest.mark.parametrize("dense", [False, True], ids=["few-people", "many-people"])
def test_the_first_page_read_with_its_count_is_the_list_s(
    store: Any, dense: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case list's first page and count, read in one statement when the index found
    few people, are the ones the separate count and page give; past the cap, the cap."""
    if dense:  # every query then walks the list: the page is read on its own
        monkeypatch.setattr(search, "DENSE", 2)
        monkeypatch.setattr(search, "DENSE_POSTGRES", 2)
    fill_demo(store=store, count=400, seed=7)
    read_together: set[str] = set()
    for query in [*QUERIES, "2026-0", "", "d e"]:
        for status, count_limit, limit in ((None, None, 200), ("open", 4, 3)):
            with store.session() as session:
                total, rows = cases.first_page(
                    session=session,
                    query=query,
                    status=status,
                    count_limit=count_limit,
                    limit=limit,
                    sort="name",
                    descending=False,
                )
            with store.session() as session:
                expected = cases.count_cases(
                    session=session, query=query, status=status, limit=count_limit
                )
                page = cases.list_cases(
                    session=session,
                    query=query,
                    status=status,
                    limit=limit,
                    sort="name",
                    descending=False,
                )
            assert total == expected, (query, status)
            if rows is not None:
                read_together.add(query)
                assert rows == page, (query, status)
    # "d" matches many people: read together only while that is "few"; never the
    # reference prefix (no index) nor the empty query (every case).
    assert ("d" in read_together) is not dense
    assert not read_together & {"2026-0", ""}
    if not dense:
        assert read_together >= set(QUERIES)


def test_after_a_bulk_load_the_tables_are_vacuumed_and_analysed(store: Any) -> None:
    """On PostgreSQL a bulk load (demo, import, copy) is followed by VACUUM ANALYZE, run
    outside any transaction; SQLite has nothing to do. Fewer rows than BULK_ROWS: nothing."""
    fill_demo(store=store, count=20, seed=3)
    refresh_statistics(store, BULK_ROWS - 1)
    if store.is_sqlite:
        refresh_statistics(store, BULK_ROWS)  # nothing to do, nothing raised
        return

    def vacuumed() -> bool:
        with store.session() as session:
            return bool(
                session.execute(
                    text(
                        "SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL "
                        "FROM pg_stat_user_tables WHERE relname = 'person'"
                    )
                ).scalar_one()
            )

    assert not vacuumed()
    refresh_statistics(store, BULK_ROWS)
    assert vacuumed()
