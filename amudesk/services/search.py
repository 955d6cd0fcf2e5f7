"""Finding people and cases as the user types.

Names are folded (case, accents and script ignored) into ``person.search_text``;
on SQLite a full-text index over it (FTS5 with prefix indexes) finds the people
whose words start with what was typed. How the case list then uses it depends
on how many people match, which the index tells in a fraction of a millisecond:
a few thousand or fewer, and the list is built from them; more (one common
letter matches a quarter of everyone), and the list walks the cases in their
display order and tests each person's folded names, stopping once a page is
full. Either way a keystroke costs a few milliseconds over 100,000 people.
PostgreSQL answers the same condition ("some word starts with …") from a trigram index
over the folded names (migration 0011), and walks the list the same way.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, and_, func, literal_column, select, text
from sqlmodel import Session, col

from amudesk.models import Person, Request
from amudesk.text import fold_tokens

_NUMBER = re.compile(r"^[\d\s./-]+$")
MAX_TOKENS = 6
# Sorts after every character a reference or a NISS holds: 'X' <= value < 'X~' is a prefix test
# that can use the column's index (SQLite's LIKE cannot, as it ignores case).
_AFTER = "~"
_YEAR_FIRST = re.compile(r"^\d{4}-\d*$")
# Above this many matching people, walking the list beats building it from the index.
DENSE = 3000
# The same on PostgreSQL (measured over 100,000 people: 1,000, 2,000, 4,000, 6,000 and
# 12,000 were no better; walking checks each request's person, slower than SQLite's walk).
DENSE_POSTGRES = 3000


def niss_prefix(query: str) -> str | None:
    """The digits of a query typed as a (part of a) NISS: '85.07.30-0' → '8507300'."""
    if not _NUMBER.match(query.strip()):
        return None
    digits = re.sub(r"\D", "", query)
    return digits if len(digits) >= 3 else None


def fts_expression(tokens: list[str]) -> str:
    """An FTS5 query asking for every word as a prefix: ['van', 'ngu'] → '"van"* "ngu"*'."""
    return " ".join(f'"{token}"*' for token in tokens)


def _word_starts(token: str) -> ColumnElement[bool]:
    """Some word of the folded names starts with ``token``. The space is written into the
    statement (not bound): PostgreSQL's trigram index is on this very expression."""
    return (literal_column("' '") + col(Person.search_text)).like(f"% {token}%")


def _matches_in_index(expression: str, session: Session, cap: int) -> int:
    statement = text(
        "SELECT count(*) FROM (SELECT rowid FROM person_fts WHERE person_fts MATCH :fts LIMIT :cap)"
    )
    return int(session.execute(statement, {"fts": expression, "cap": cap}).scalar_one())


def _matches_by_trigrams(condition: ColumnElement[bool], session: Session, cap: int) -> int:
    """How many people ``condition`` finds, counting up to ``cap`` (the trigram index)."""
    found = select(col(Person.id)).where(condition).limit(cap).subquery()
    return int(session.execute(select(func.count()).select_from(found)).scalar_one())


def person_condition(query: str, session: Session) -> ColumnElement[bool] | None:
    """A condition on the Person table for people matching ``query``; None for an empty query."""
    digits = niss_prefix(query)
    if digits is not None:
        return and_(col(Person.niss) >= digits, col(Person.niss) < digits + _AFTER)
    tokens = fold_tokens(query)[:MAX_TOKENS]
    if not tokens:
        return None
    return _searched(tuple(tokens), session)[0]


def _searched(tokens: tuple[str, ...], session: Session) -> tuple[ColumnElement[bool], bool]:
    """The condition of the folded ``tokens``, and whether it was built from the few
    people the index found. The list counts, then reads its page, in one session: the
    index is asked once."""
    known: dict[tuple[str, ...], tuple[ColumnElement[bool], bool]]
    known = session.info.setdefault("searched", {})
    if tokens not in known:
        known[tokens] = _names_condition(list(tokens), session)
    return known[tokens]


def few_matches(query: str, session: Session) -> bool:
    """Whether the people matching ``query`` were found first by the index and are few
    (fewer than DENSE): the list is then built from them, all at once."""
    tokens = tuple(fold_tokens(query)[:MAX_TOKENS])
    if not tokens or niss_prefix(query) is not None or reference_prefix(query) is not None:
        return False
    return _searched(tokens, session)[1]


def _names_condition(tokens: list[str], session: Session) -> tuple[ColumnElement[bool], bool]:
    condition = and_(*[_word_starts(token) for token in tokens])
    if session.get_bind().dialect.name == "sqlite":
        expression = fts_expression(tokens)
        if _matches_in_index(expression, session, DENSE) < DENSE:
            matching = (
                select(text("rowid"))
                .select_from(text("person_fts"))
                .where(text("person_fts MATCH :fts").bindparams(fts=expression))
            )
            return col(Person.id).in_(matching), True
    elif _matches_by_trigrams(condition, session, DENSE_POSTGRES) < DENSE_POSTGRES:
        # PostgreSQL: the people found first by the trigram index, kept apart (MATERIALIZED),
        # so that the planner builds the list from them instead of walking every request
        # in display order (15 ms instead of 120 over 100,000 people).
        people = select(col(Person.id)).where(condition).cte("matching").prefix_with("MATERIALIZED")
        return col(Person.id).in_(select(people.c.id)), True
    return condition, False


def reference_prefix(query: str) -> str | None:
    """'amu-2026-00' → 'AMU-2026-00'; '2026-0042' → 'AMU-2026-0042'; None for names and NISS."""
    query = query.strip().upper()
    if _YEAR_FIRST.match(query):
        return "AMU-" + query
    if any(c.isdigit() for c in query) and any(c.isalpha() for c in query):
        return query
    return None


def case_condition(query: str, session: Session) -> ColumnElement[bool] | None:
    """Cases (Request joined with Person) matching ``query``: by reference, NISS or names."""
    reference = reference_prefix(query)
    if reference is not None:
        return and_(
            col(Request.reference) >= reference, col(Request.reference) < reference + _AFTER
        )
    return person_condition(query, session)


def person_ids_matching(query: str, *, session: Session, limit: int | None = None) -> list[int]:
    condition = person_condition(query, session)
    if condition is None:
        return []
    statement = select(col(Person.id)).where(condition).order_by(col(Person.family_name))
    if limit:
        statement = statement.limit(limit)
    return [row[0] for row in session.execute(statement)]
