"""Many rows written at once (an import, the demo): the quickest way each engine offers.

On SQLite an ``INSERT`` run for the whole list (``RETURNING`` the new ids when they are
needed), which the driver executes row after row inside SQLite itself. On PostgreSQL the
ids come first from the table's sequence, in one statement, then the rows go in with
``COPY``: one stream instead of a statement a row (or, with ``RETURNING``, statements of
hundreds of values that the driver parses placeholder by placeholder), 10,000 requests in
a fraction of a second instead of two.

``COPY`` does not go through the session, so the signed-in role is checked here first, as
:mod:`amudesk.services.accounts` checks every statement; and the columns a row leaves out
take the models' own defaults, as an ``INSERT`` of the session would give them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlmodel import Session

from amudesk.services import accounts


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` (column → value) into ``table``, in the session's transaction."""
    if not rows:
        return
    if is_postgres(session):
        _copy(session, table, rows)
    else:
        session.execute(insert(table), rows)


def insert_returning_ids(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Write ``rows`` into ``table``; their new ids, in the rows' order."""
    if not rows:
        return []
    if not is_postgres(session):
        result = session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        )
        return [int(row[0]) for row in result]
    ids = next_ids(session, table, len(rows))
    _copy(session, table, [dict(row, id=row_id) for row, row_id in zip(rows, ids, strict=True)])
    return ids


def next_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new ids of ``table``, for rows the caller writes with their id given. On
    PostgreSQL they are taken from the table's sequence (whatever writes next gets the
    ones after); on SQLite they follow the largest id, which holds while this transaction
    has the database's write lock (take it first: write something, or flush)."""
    if count <= 0:
        return []
    if is_postgres(session):
        return [
            int(value)
            for value in session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"table": table.name, "n": count},
            )
        ]
    first = int(session.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(first, first + count))


def _copy(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    from psycopg import sql  # only with a shared database (see pyproject's TID253)

    accounts.check_statement(session, table.name)
    session.flush()  # what the session holds goes first, in order
    given = set().union(*(row.keys() for row in rows))
    defaults: dict[str, Callable[[], Any]] = {
        column.key: default for column in table.columns if (default := _default(column)) is not None
    }
    names = [
        column.key for column in table.columns if column.key in given or column.key in defaults
    ]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    connection = session.connection().connection.driver_connection
    assert connection is not None
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [row[name] if name in row else _missing(defaults, name) for name in names]
            )


def _missing(defaults: dict[str, Callable[[], Any]], name: str) -> Any:
    default = defaults.get(name)
    return None if default is None else default()


def _default(column: Any) -> Callable[[], Any] | None:
    """The value an INSERT of the session gives ``column`` when a row leaves it out: the
    model's default (a value, or a function called for each row); None without one."""
    default = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        return None
    if default.is_scalar:
        value = default.arg
        return lambda: value
    function = default.arg
    return lambda: function(None)  # SQLAlchemy's wrapper takes the execution context
