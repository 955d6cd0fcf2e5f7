"""Finding people and cases as the user types.

Names are folded (case, accents and script ignored) into ``person.search_text``;
on SQLite a full-text index over it (FTS5, prefix indexes) answers in a few
milliseconds over 100,000 people. Other databases fall back to LIKE.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, or_, text
from sqlmodel import Session, col

from amudesk.models import Person, Request
from amudesk.text import fold_tokens

_NUMBER = re.compile(r"^[\d\s./-]+$")
MAX_TOKENS = 6


def niss_prefix(query: str) -> str | None:
    """The digits of a query typed as a (part of a) NISS: '85.07.30-0' → '8507300'."""
    if not _NUMBER.match(query.strip()):
        return None
    digits = re.sub(r"\D", "", query)
    return digits if len(digits) >= 3 else None


def fts_expression(query: str) -> str | None:
    """An FTS5 query asking for every typed word as a prefix: 'van ngu' → '"van"* "ngu"*'."""
    tokens = fold_tokens(query)[:MAX_TOKENS]
    if not tokens:
        return None
    return " ".join(f'"{token}"*' for token in tokens)


def person_filter(
    query: str, session: Session, person_id_column: Any = None
) -> ColumnElement[bool] | None:
    """A condition on ``person_id_column`` (default Person.id) for people matching ``query``."""
    column = person_id_column if person_id_column is not None else col(Person.id)
    digits = niss_prefix(query)
    if digits is not None:
        from sqlalchemy import select

        return column.in_(select(col(Person.id)).where(col(Person.niss).startswith(digits)))
    expression = fts_expression(query)
    if expression is None:
        return None
    if session.get_bind().dialect.name == "sqlite":
        from sqlalchemy import select

        subquery = (
            select(text("rowid"))
            .select_from(text("person_fts"))
            .where(text("person_fts MATCH :fts").bindparams(fts=expression))
        )
        return column.in_(subquery)
    from sqlalchemy import and_, select

    words = fold_tokens(query)[:MAX_TOKENS]
    conditions = [
        or_(col(Person.search_text).startswith(w), col(Person.search_text).contains(" " + w))
        for w in words
    ]
    return column.in_(select(col(Person.id)).where(and_(*conditions)))


def case_filter(query: str, session: Session) -> ColumnElement[bool] | None:
    """Cases whose person matches ``query`` or whose reference starts with it."""
    query = query.strip()
    if not query:
        return None
    people = person_filter(query, session, col(Request.person_id))
    reference = (
        col(Request.reference).startswith(query.upper())
        if any(c.isdigit() for c in query)
        else None
    )
    parts = [p for p in (people, reference) if p is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else or_(*parts)


def person_ids_matching(query: str, *, session: Session, limit: int | None = None) -> list[int]:
    from sqlalchemy import select

    condition = person_filter(query, session)
    if condition is None:
        return []
    statement = select(col(Person.id)).where(condition).order_by(Person.family_name)
    if limit:
        statement = statement.limit(limit)
    return [row[0] for row in session.execute(statement)]
