"""The search finds the same people on SQLite (FTS5) and on PostgreSQL (trigrams): both
are held to one reference, every word of the query starting a word of the folded names
(issue 16)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from amudesk.models import Person
from amudesk.services import search
from amudesk.services.demo import fill_demo
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
