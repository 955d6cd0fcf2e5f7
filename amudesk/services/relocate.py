"""Moving a whole desk between engines: a laptop's store onto an office's PostgreSQL server
(``amudesk migrate-to URL``), and back into a new data folder.

The target must hold nothing yet: its schema is made by the same migrations, then every row
of every table is copied with its id, in one transaction, table after table in the order of
their references (a row pointing at a row of its own table, a guardian or a previous
request, gets that link once every row is in). Then the copy is checked before it is
committed: each table holds as many rows as the source, each archived document's PDF still
has the SHA-256 it was archived with (the same as the source's), and the audit trail's
chain checks out. Anything wrong and nothing is kept on the target.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Integer, Table, func, select, text, update
from sqlmodel import Session, SQLModel

import amudesk.models  # noqa: F401  (registers the tables)
from amudesk.i18n import _
from amudesk.services import audit
from amudesk.store import Store, open_store, refresh_statistics

BATCH = 1000
Progress = Callable[[int, int], None]


class RelocateError(Exception):
    """The copy cannot be made or did not check out; nothing was kept on the target."""


@dataclass
class Copied:
    """What was copied and checked: rows per table, documents compared."""

    rows: dict[str, int] = field(default_factory=dict)
    documents: int = 0
    audit_entries: int = 0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def tables() -> list[Table]:
    """Every table of the models, each after the tables it refers to."""
    return list(SQLModel.metadata.sorted_tables)


def check_empty(target: Store) -> None:
    """Raise RelocateError unless every table of ``target`` is empty."""
    with target.engine.connect() as connection:
        for table in tables():
            if connection.execute(select(func.count()).select_from(table)).scalar_one():
                raise RelocateError(
                    _("The target database is not empty (table {table} holds rows).").format(
                        table=table.name
                    )
                )


def copy_store(source: Store, target: Store, *, progress: Progress | None = None) -> Copied:
    """Copy every row of ``source`` into the empty ``target`` and check the copy (see the
    module's docstring); raises RelocateError, with nothing kept on the target."""
    check_empty(target)
    all_tables = tables()
    with source.engine.connect() as reader:
        counts = {
            table.name: int(reader.execute(select(func.count()).select_from(table)).scalar_one())
            for table in all_tables
        }
        total = sum(counts.values())
        done = 0
        copied = Copied()
        with target.engine.begin() as writer:
            for table in all_tables:
                done = _copy_table(reader, writer, table, done, total, progress)
            _reset_sequences(writer, all_tables)
            for table in all_tables:
                have = int(writer.execute(select(func.count()).select_from(table)).scalar_one())
                if have != counts[table.name]:
                    raise RelocateError(
                        _("Table {table}: {have} rows copied of {want}; nothing was kept.").format(
                            table=table.name, have=have, want=counts[table.name]
                        )
                    )
                copied.rows[table.name] = have
            copied.documents = _check_documents(reader, writer)
            with Session(bind=writer) as session:
                result = audit.verify(session=session)
            if not result.intact:
                raise RelocateError(
                    _("The audit trail does not check out on the copy: {reason}").format(
                        reason=result.reason
                    )
                )
            copied.audit_entries = result.checked
    refresh_statistics(target, copied.total)
    return copied


def _self_links(table: Table) -> list[str]:
    """The columns of ``table`` that refer to ``table`` itself."""
    return [
        column.name
        for column in table.columns
        if any(key.column.table is table for key in column.foreign_keys)
    ]


def _copy_table(
    reader: Connection,
    writer: Connection,
    table: Table,
    done: int,
    total: int,
    progress: Progress | None,
) -> int:
    links = _self_links(table)
    primary = list(table.primary_key.columns)
    pending_links: list[dict[str, Any]] = []
    result = reader.execution_options(stream_results=True).execute(select(table).order_by(*primary))
    while batch := result.fetchmany(BATCH):
        rows = [dict(row._mapping) for row in batch]
        for row in rows:
            if links and any(row[name] is not None for name in links):
                pending_links.append(
                    {**{f"k_{c.name}": row[c.name] for c in primary}, **{n: row[n] for n in links}}
                )
                for name in links:
                    row[name] = None
        writer.execute(table.insert(), rows)
        done += len(rows)
        if progress is not None:
            progress(done, total)
    for link in pending_links:
        condition = [column == link[f"k_{column.name}"] for column in primary]
        writer.execute(update(table).where(*condition).values({name: link[name] for name in links}))
    return done


def _reset_sequences(writer: Connection, all_tables: list[Table]) -> None:
    """On PostgreSQL, let each id sequence go on after the ids copied."""
    if writer.dialect.name != "postgresql":
        return
    for table in all_tables:
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(keys[0].type, Integer):
            column = keys[0]
            writer.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f"COALESCE((SELECT max({column.name}) FROM {table.name}), 0) + 1, false) "
                    "WHERE pg_get_serial_sequence(:table, :column) IS NOT NULL"
                ),
                {"table": table.name, "column": column.name},
            )


def _check_documents(reader: Connection, writer: Connection) -> int:
    """Every archived document's PDF on the target has the SHA-256 it was archived with,
    and the source's; returns how many were compared."""
    table = SQLModel.metadata.tables["document"]
    source_hashes = dict(reader.execute(select(table.c.id, table.c.sha256)).all())
    compared = 0
    for row in writer.execution_options(stream_results=True).execute(
        select(table.c.id, table.c.number, table.c.sha256, table.c.pdf)
    ):
        actual = hashlib.sha256(bytes(row.pdf)).hexdigest()
        if actual != row.sha256 or source_hashes.get(row.id) != row.sha256:
            raise RelocateError(
                _(
                    "Document {number}: its copy does not match the original; nothing was kept."
                ).format(number=row.number)
            )
        compared += 1
    return compared


def backup_shared(
    source: Store,
    folder: Path,
    passphrase: str,
    *,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> Path:
    """An encrypted backup of a shared database: a new data folder ``amudesk-shared-…`` in
    ``folder``, its store encrypted with ``passphrase`` (SQLCipher, as a laptop's), holding
    a checked copy of every row (:func:`copy_store`). It opens like any data folder, and
    goes back onto an empty server with ``amudesk --data-dir IT migrate-to URL``. On any
    failure the new folder is removed: no half backup is left."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = folder / f"amudesk-shared-{stamp}"
    if os.path.lexists(target):
        raise RelocateError(_("A backup named {name} already exists.").format(name=target.name))
    target.mkdir(mode=0o700)
    try:
        copy = open_store(target, passphrase=passphrase)
        try:
            copy_store(source, copy, progress=progress)
        finally:
            copy.close()
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target
