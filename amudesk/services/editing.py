"""Edits that cannot overwrite each other, and who made each change.

On a shared database two workers may open the same person or request, or the same
attestation, decision or appeal of a request. Each of those rows carries a ``version``, raised by one at every change of what it records (the next time
limit kept in step by :mod:`amudesk.services.nextdue` and the moment of the change do not
count), and ``updated_by``, the account (or, on a laptop, the system user) that made it.
A form remembers the version it showed; saving checks it against the row, locked for the
rest of the transaction (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite has one writer at a
time), and refuses with :class:`EditConflict` when someone else saved meanwhile: "changed
by X at HH:MM". The form then reloads their version and puts the user's own changes back
on top (:func:`reapplied`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import event, inspect
from sqlmodel import Session

from amudesk.i18n import _, format_moment
from amudesk.models import Aamu, Appeal, Decision, Person, Request
from amudesk.models.base import utcnow
from amudesk.services import FieldError, NotFound
from amudesk.services.audit import current_actor, hold_sqlite_write_lock

VERSIONED = (Person, Request, Aamu, Decision, Appeal)
Versioned = Person | Request | Aamu | Decision | Appeal
# The records of a request whose last change's moment is kept here (people and requests
# keep theirs in their services, which also mean other things by it).
STAMPED = (Aamu, Decision, Appeal)
RowT = TypeVar("RowT", Person, Request, Aamu, Decision, Appeal)
# Columns whose change is not an edit: kept in step by the desk itself.
NOT_EDITS = frozenset(
    {"version", "updated_at", "updated_by", "next_due", "next_rule", "next_state", "search_text"}
)


class EditConflict(FieldError):
    """Someone else saved the row since the form was opened; nothing was written."""

    def __init__(self, by: str, at: dt.datetime | None) -> None:
        when = format_moment(at) if at is not None else "?"
        super().__init__(
            "version",
            _(
                "Changed by {name} at {time} since you opened it: nothing was saved. "
                "Reload their version; your changes are put back on top, to check and save."
            ).format(name=by or _("someone else"), time=when),
        )
        self.by = by
        self.at = at


def lock_for_edit(session: Session) -> None:
    """On SQLite, take the database's write lock now (until the transaction ends), so that
    the row read next is the one the save overwrites: no other writer comes in between.
    PostgreSQL locks the row itself (``SELECT … FOR UPDATE``), other rows staying free."""
    if session.get_bind().dialect.name == "sqlite":
        hold_sqlite_write_lock(session)


def locked(model: type[RowT], row_id: int, session: Session) -> RowT | None:
    """The row ``row_id`` of ``model``, read again and locked until the transaction ends,
    to be changed (None when it is not in the database)."""
    lock_for_edit(session)
    return session.get(model, row_id, with_for_update=True, populate_existing=True)


def fetched(
    model: type[RowT], row_id: int | None, session: Session, *, for_update: bool, missing: str
) -> RowT:
    """The row ``row_id`` of ``model`` (with ``for_update``, :func:`locked`); NotFound saying
    ``missing`` when there is none."""
    if row_id is None:
        row = None
    elif for_update:
        row = locked(model, row_id, session)
    else:
        row = session.get(model, row_id)
    if row is None:
        raise NotFound(missing)
    return row


def bump(row: Versioned, session: Session) -> None:
    """Count a change the row's own columns do not show (a decision's reasons live in
    rows of their own) as an edit of ``row``."""
    row.version = (row.version or 0) + 1
    row.updated_by = current_actor(session)
    if isinstance(row, STAMPED):
        row.updated_at = utcnow()
    session.add(row)


def check_version(row: Versioned, expected: int | None) -> None:
    """Raise EditConflict when ``row`` is no longer at the version the form showed
    (``expected``; None when the caller did not read it first: an import, a new row)."""
    if expected is not None and row.version != expected:
        raise EditConflict(row.updated_by, row.updated_at)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    actor = current_actor(session)
    for obj in session.new:
        if isinstance(obj, VERSIONED):
            obj.updated_by = actor
    for obj in session.dirty:
        if not isinstance(obj, VERSIONED):
            continue
        state = inspect(obj)
        if any(attr.key not in NOT_EDITS and attr.history.has_changes() for attr in state.attrs):
            obj.version = (obj.version or 0) + 1
            obj.updated_by = actor
            if isinstance(obj, STAMPED):
                obj.updated_at = utcnow()


def install() -> None:
    """Raise versions and name the editor in every session of this process (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)


def reapplied(
    original: Mapping[str, Any], typed: Mapping[str, Any], fresh: Mapping[str, Any]
) -> dict[str, Any]:
    """The values a form shows after a conflict: ``fresh`` (the row as saved by the other
    worker), with each field the user changed (``typed`` differs from ``original``, what
    the form first showed) put back as the user typed it."""
    values = dict(fresh)
    for key, value in typed.items():
        if original.get(key) != value:
            values[key] = value
    return values
