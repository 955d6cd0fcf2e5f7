"""The audit trail: append an entry for each action, browse the trail, check its chain.

Each entry's ``hash`` is the SHA-256 (hex) of the UTF-8 bytes of this JSON array, written
with no spaces (``separators=(",", ":")``) and non-ASCII characters kept as they are::

    [prev_hash, at, actor, action, entity, entity_id, reference, detail]

where ``at`` is the UTC moment in ISO 8601 with microseconds
(``2026-11-24T09:15:02.123456+00:00``), ``entity_id`` a number or ``null``, and
``prev_hash`` the hash of the entry before (64 zeros for the first one). Changing an entry
afterwards changes its hash; removing, inserting or moving one breaks the link of the next.
Anyone can check a copy of the table with these few lines, without AMU Desk.

What the chain cannot show is entries cut off at the end: keep the ``head`` that
:func:`verify` reports (on paper, in a backup log) to notice that.

Appending is safe when several processes (the window, the command line, a second
desk on the same file) write at once: :func:`record` takes the database's write lock
*before* it reads the latest hash, inside the caller's transaction, and keeps it until
that transaction commits. SQLite has one writer at a time, so a second process waits
(busy timeout) until the first has committed, then reads the hash just written. The
``prev_hash`` column is also unique: should two entries ever follow the same one, the
database refuses the second instead of forking the chain.

Entries hold codes, ids, references and names of changed fields, never a claimant's name,
NISS or health data; :func:`record` refuses a detail that holds what looks like a NISS.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    String,
    and_,
    exists,
    func,
    inspect,
    literal,
    or_,
    select,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select
from sqlmodel import Session, col

from amudesk.i18n import _, ngettext
from amudesk.models import GENESIS_HASH, AuditEntry, Person, Request
from amudesk.models.audit import ACTIONS as ACTIONS  # still read here by the window
from amudesk.models.audit import ENTITIES as ENTITIES
from amudesk.models.base import utcnow

ACTOR_FALLBACK = "user"
VERIFY_BATCH = 2000

_ACTION_CODE = re.compile(r"[a-z][a-z0-9_-]{0,29}")
_ENTITY_CODE = re.compile(r"[a-z][a-z0-9_]{0,29}")
# Eleven digits in the layouts a NISS or BIS number is written in (85073003328,
# 85.07.30-033.28, 850730 033 28 …), not part of a longer number or word.
_NISS_LIKE = re.compile(
    r"(?<![0-9A-Za-z])\d{2}(?:[ ./-]?\d{2}){2}[ ./-]?\d{3}[ ./-]?\d{2}(?![0-9A-Za-z])"
)

# Changed and broken link: the two ways an entry can fail the check.
CHANGED = "changed"
BROKEN_LINK = "link"


@dataclass(frozen=True)
class VerifyResult:
    """What :func:`verify` found: the whole trail intact, or the first broken link."""

    intact: bool
    checked: int  # entries read, up to and including the broken one
    entry_id: int | None = None  # the first entry that fails, when one does
    problem: str = ""  # CHANGED or BROKEN_LINK
    reason: str = ""  # a sentence for people (translated)
    # The hash of the last entry of an intact trail: noted down, it shows later whether
    # entries were cut off at the end (the one thing the chain alone cannot show).
    head: str = GENESIS_HASH

    @property
    def message(self) -> str:
        if self.intact:
            return ngettext(
                "The chain is intact ({n} entry).",
                "The chain is intact ({n} entries).",
                self.checked,
            ).format(n=self.checked)
        return self.reason


def entry_hash(
    prev_hash: str,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    reference: str,
    detail: str,
) -> str:
    """The SHA-256 (hex) of an entry's canonical form (see the module's documentation)."""
    canonical = json.dumps(
        [prev_hash, _iso(at), actor, action, entity, entity_id, reference, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _iso(at: dt.datetime) -> str:
    """The moment in UTC, ISO 8601 with microseconds; a naive value (as SQLite gives the
    stored moments back) is UTC already."""
    moment = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    return moment.isoformat(timespec="microseconds")


def current_actor(session: Session | None = None) -> str:
    """Who acts: the account signed in on ``session``'s store (a shared database), else the
    operating system's user name, or "user" when it cannot be told."""
    account = session.info.get("account") if session is not None else None
    if account:
        return str(account)
    try:
        name = getpass.getuser()
    except Exception:  # no USER/LOGNAME and no password database entry (containers, services)
        return ACTOR_FALLBACK
    return name.strip()[:100] or ACTOR_FALLBACK


def looks_like_niss(value: str) -> bool:
    """True when ``value`` holds eleven digits written like a NISS or BIS number."""
    return _NISS_LIKE.search(value) is not None


def record(
    action: str,
    *,
    session: Session,
    entity: str = "",
    entity_id: int | None = None,
    reference: str = "",
    detail: str = "",
    actor: str | None = None,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Append an entry to the trail, in the caller's transaction (it is kept only if that
    transaction commits, with the change it tells about).

    ``detail`` is machine text: ids, counts, names of the fields that changed. A value that
    looks like a NISS is refused (ValueError), as are malformed codes and a naive ``at``.
    """
    action = action.strip()
    if not _ACTION_CODE.fullmatch(action):
        raise ValueError(f"audit action must be a short lower-case code, not {action!r}")
    entity = entity.strip()
    if entity and not _ENTITY_CODE.fullmatch(entity):
        raise ValueError(f"audit entity must be a table name, not {entity!r}")
    if entity_id is not None and (isinstance(entity_id, bool) or not isinstance(entity_id, int)):
        raise ValueError("audit entity_id must be a whole number")
    reference = reference.strip()
    detail = detail.strip()
    if len(reference) > 30:
        raise ValueError("audit reference is longer than 30 characters")
    if len(detail) > 500:
        raise ValueError("audit detail is longer than 500 characters")
    for name, value in (("detail", detail), ("reference", reference)):
        if looks_like_niss(value):
            # The value itself is not repeated: the message may reach a log.
            raise ValueError(f"audit {name} holds a number that looks like a NISS")
    actor = (actor.strip()[:100] if actor is not None else "") or current_actor(session)
    if at is None:
        at = utcnow()
    elif at.tzinfo is None:
        raise ValueError("audit moment must be timezone-aware")
    at = at.astimezone(dt.UTC)

    _hold_write_lock(session)
    previous = session.scalar(
        select(col(AuditEntry.hash)).order_by(col(AuditEntry.id).desc()).limit(1)
    )
    prev_hash = previous or GENESIS_HASH
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        reference=reference,
        detail=detail,
        prev_hash=prev_hash,
        hash=entry_hash(prev_hash, at, actor, action, entity, entity_id, reference, detail),
    )
    session.add(entry)
    session.flush()
    return entry


def latest_id(*, session: Session) -> int:
    """The newest entry's id (0 for an empty trail): every change the desk makes writes an
    entry, so this moves whenever someone changes something (amudesk.ui.changewatch)."""
    return int(session.scalar(select(func.max(col(AuditEntry.id)))) or 0)


def hold_sqlite_write_lock(session: Session) -> None:
    """Take SQLite's single write lock now, until the session's transaction ends: a write
    statement takes it even when it changes no row (and so fires no trigger); the driver
    opens the transaction before it. Whatever is read next is what the commit overwrites."""
    session.execute(text("UPDATE audit_entry SET id = id WHERE 0"))


def _hold_write_lock(session: Session) -> None:
    """Take the database's write lock now, until the caller's transaction ends, so that
    no other process appends between reading the latest hash and inserting after it."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        hold_sqlite_write_lock(session)
    elif dialect == "postgresql":  # pragma: no cover - exercised against a server only
        # Conflicts with itself, not with readers.
        session.execute(text("LOCK TABLE audit_entry IN SHARE ROW EXCLUSIVE MODE"))


def verify(*, session: Session, progress: Callable[[int, int], None] | None = None) -> VerifyResult:
    """Walk the trail in id order and report the first entry that was changed (its hash
    does not match its content) or whose link to the entry before is broken (an entry was
    removed, inserted or moved). ``progress(done, total)`` is called every few thousand
    entries; it may raise to stop the walk."""
    total = int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
    if progress is not None:
        progress(0, total)
    columns = (
        col(AuditEntry.id),
        # As stored, not through the DateTime type: a moment overwritten with text that is
        # no date must be reported as a changed entry, not stop the check.
        type_coerce(col(AuditEntry.at), String),
        col(AuditEntry.actor),
        col(AuditEntry.action),
        col(AuditEntry.entity),
        col(AuditEntry.entity_id),
        col(AuditEntry.reference),
        col(AuditEntry.detail),
        col(AuditEntry.prev_hash),
        col(AuditEntry.hash),
    )
    expected_prev = GENESIS_HASH
    previous_id: int | None = None
    checked = 0
    last_id = -1
    while True:
        # Pages by id (keyset): memory stays flat however long the trail is.
        rows = session.execute(
            select(*columns)
            .where(col(AuditEntry.id) > last_id)
            .order_by(col(AuditEntry.id))
            .limit(VERIFY_BATCH)
        ).all()
        if not rows:
            break
        for entry_id, at, actor, action, entity, entity_id, reference, detail, prev, stored in rows:
            checked += 1
            if prev != expected_prev:
                return _broken(checked, entry_id, BROKEN_LINK, _link_reason(entry_id, previous_id))
            moment = _stored_moment(at)
            if moment is None or stored != entry_hash(
                prev, moment, actor, action, entity, entity_id, reference, detail
            ):
                reason = _(
                    "Entry {entry} was changed after it was written: its content no longer "
                    "matches its hash."
                ).format(entry=entry_id)
                return _broken(checked, entry_id, CHANGED, reason)
            expected_prev, previous_id = stored, entry_id
        last_id = rows[-1][0]
        if progress is not None:
            progress(checked, max(total, checked))
    return VerifyResult(intact=True, checked=checked, head=expected_prev)


def head(*, session: Session) -> tuple[int, str]:
    """How many entries the trail holds and the hash of the last one (``GENESIS_HASH``
    when there is none), read in one statement: one moment even while others append. For
    an intact trail these are :func:`verify`'s ``checked`` and ``head``, without the walk."""
    number = select(func.count()).select_from(AuditEntry).scalar_subquery()
    last = (
        select(col(AuditEntry.hash)).order_by(col(AuditEntry.id).desc()).limit(1)
    ).scalar_subquery()
    row = session.execute(select(number, last)).one()
    return int(row[0] or 0), str(row[1] or GENESIS_HASH)


def hash_at(number: int, *, session: Session) -> str | None:
    """The stored hash of entry ``number`` of the trail (1 = the first, in id order), or
    None when the trail is shorter."""
    if number < 1:
        return GENESIS_HASH if number == 0 else None
    return session.scalar(
        select(col(AuditEntry.hash)).order_by(col(AuditEntry.id)).offset(number - 1).limit(1)
    )


def _stored_moment(value: object) -> dt.datetime | None:
    """A stored moment: SQLite gives its text back ('2026-11-24 09:15:02.123456', UTC),
    PostgreSQL a datetime. None when it is no moment at all."""
    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _link_reason(entry_id: int, previous_id: int | None) -> str:
    if previous_id is None:
        return _(
            "Entry {entry} is the first one left but does not start the trail: "
            "entries before it were removed."
        ).format(entry=entry_id)
    return _(
        "Entry {entry} does not follow entry {previous}: an entry between them was removed, "
        "or entries were inserted or moved."
    ).format(entry=entry_id, previous=previous_id)


def _broken(checked: int, entry_id: int, problem: str, reason: str) -> VerifyResult:
    return VerifyResult(
        intact=False, checked=checked, entry_id=entry_id, problem=problem, reason=reason
    )


def _filtered(statement: Select[Any], action: str | None, reference: str | None) -> Select[Any]:
    if action:
        statement = statement.where(col(AuditEntry.action) == action)
    query = (reference or "").strip().upper()
    if query:
        statement = statement.where(_names_case(query))
    return statement


def _names_case(query: str) -> Any:
    """Entries whose case, as :func:`case_names` shows it, has a reference containing
    ``query``: the reference written in the entry, else the request's own reference (a
    request entry) or the reference of the person's latest request (a person entry)."""
    stored = col(AuditEntry.reference)
    unstored = and_(stored == "", col(AuditEntry.entity_id).is_not(None))
    matching = col(Request.reference).contains(query, autoescape=True)
    later = aliased(Request)
    latest_matching = (
        select(col(Request.person_id))
        .where(matching)
        .where(~exists().where(col(later.person_id) == col(Request.person_id), _after(later)))
    )
    return or_(
        stored.contains(query, autoescape=True),
        and_(
            unstored,
            col(AuditEntry.entity) == "request",
            col(AuditEntry.entity_id).in_(select(col(Request.id)).where(matching)),
        ),
        and_(
            unstored,
            col(AuditEntry.entity) == "person",
            col(AuditEntry.entity_id).in_(latest_matching),
        ),
    )


def _request_moment(request: Any) -> Any:
    """When a request counts as made: received by the CPAS, else recorded."""
    return func.coalesce(request.received_at, request.created_at)


def _after(other: Any) -> Any:
    """``other`` is a later request than ``Request`` (by that moment, then by id)."""
    mine, theirs = _request_moment(Request), _request_moment(other)
    return or_(theirs > mine, and_(theirs == mine, col(other.id) > col(Request.id)))


# --- how an entry names its case ---------------------------------------------------------


@dataclass(frozen=True)
class CaseName:
    """The case an entry is about, as a worker knows it: by reference, never by a name,
    a NISS or an internal number."""

    reference: str = ""  # AMU-2026-0042, or "" when no reference is known
    # The reference is the person's latest request, not one the entry itself names.
    latest_of_person: bool = False
    # The entry is about a person on file who has no request.
    no_request: bool = False


def case_names(found: list[AuditEntry], *, session: Session) -> dict[int, CaseName]:
    """How each entry of a page names its case, by entry id.

    An entry that wrote a reference keeps it (the case it was about then). A request entry
    without one shows the request's reference; a person entry without one the reference of
    the person's latest request (by date received, then the newest), or says the person has
    no request. The references of the whole page are read in one statement, whatever its
    size; an erased record leaves the entry's own reference, or none."""
    names = {e.id: CaseName(reference=e.reference) for e in found if e.id is not None}
    wanted: dict[str, set[int]] = {"request": set(), "person": set()}
    for entry in found:
        if not entry.reference and entry.entity in wanted and entry.entity_id is not None:
            wanted[entry.entity].add(entry.entity_id)
    if not any(wanted.values()):
        return names
    looked_up: dict[tuple[str, int], str | None] = {}
    for kind, record_id, reference in session.execute(_references_statement(wanted)):
        looked_up[(str(kind), int(record_id))] = reference
    for entry in found:
        if entry.id is None or entry.reference or entry.entity_id is None:
            continue
        key = (entry.entity, entry.entity_id)
        if key not in looked_up:
            continue  # the record was erased, or the entry is about something else
        reference = looked_up[key] or ""
        if entry.entity == "request":
            names[entry.id] = CaseName(reference=reference)
        elif reference:
            names[entry.id] = CaseName(reference=reference, latest_of_person=True)
        else:
            names[entry.id] = CaseName(no_request=True)
    return names


def _references_statement(wanted: dict[str, set[int]]) -> Any:
    """('request', id, its reference) and ('person', id, its latest request's reference
    or NULL) for the ids wanted, in one statement."""
    parts: list[Any] = []
    if wanted["request"]:
        parts.append(
            select(literal("request"), col(Request.id), col(Request.reference)).where(
                col(Request.id).in_(sorted(wanted["request"]))
            )
        )
    if wanted["person"]:
        people = sorted(wanted["person"])
        later = aliased(Request)
        latest = (
            select(col(Request.person_id), col(Request.reference))
            .where(col(Request.person_id).in_(people))
            .where(~exists().where(col(later.person_id) == col(Request.person_id), _after(later)))
            .subquery()
        )
        parts.append(
            select(literal("person"), col(Person.id), latest.c.reference)
            .select_from(Person)
            .outerjoin(latest, latest.c.person_id == col(Person.id))
            .where(col(Person.id).in_(people))
        )
    return parts[0] if len(parts) == 1 else union_all(*parts)


def entries(
    *,
    session: Session,
    limit: int = 200,
    offset: int = 0,
    action: str | None = None,
    reference: str | None = None,
) -> list[AuditEntry]:
    """One page of the trail, newest first; ``reference`` matches part of a reference."""
    statement = _filtered(select(AuditEntry), action, reference)
    statement = statement.order_by(col(AuditEntry.id).desc()).offset(offset).limit(limit)
    return list(session.scalars(statement))


def count(*, session: Session, action: str | None = None, reference: str | None = None) -> int:
    """How many entries :func:`entries` pages through with the same filters."""
    statement = _filtered(select(func.count()).select_from(AuditEntry), action, reference)
    return int(session.scalar(statement) or 0)


def position(
    entry_id: int,
    *,
    session: Session,
    action: str | None = None,
    reference: str | None = None,
) -> int | None:
    """The row of entry ``entry_id`` in :func:`entries` with these filters (0 = newest),
    or None when it is not there."""
    found = session.scalar(
        _filtered(select(col(AuditEntry.id)), action, reference).where(
            col(AuditEntry.id) == entry_id
        )
    )
    if found is None:
        return None
    newer = _filtered(select(func.count()).select_from(AuditEntry), action, reference)
    return int(session.scalar(newer.where(col(AuditEntry.id) > entry_id)) or 0)


def actions_in_use(*, session: Session) -> list[str]:
    """The action codes found in the trail (read through the index on ``action``)."""
    rows = session.scalars(
        select(col(AuditEntry.action)).distinct().order_by(col(AuditEntry.action))
    )
    return list(rows)


def action_label(code: str) -> str:
    label = ACTIONS.get(code)
    return _(label) if label else code


def entity_label(code: str) -> str:
    label = ENTITIES.get(code)
    return _(label) if label else code


# --- what the services write -------------------------------------------------------------

# Bookkeeping columns that change with every save and say nothing about what was done.
IGNORED_FIELDS = frozenset({"updated_at", "created_at", "search_text", "version", "updated_by"})


def changed_fields(obj: Any) -> list[str]:
    """Names of the columns of ``obj`` changed since it was loaded (before the flush);
    empty for an object not yet in the database."""
    state = inspect(obj)
    if state.transient or state.pending:
        return []
    return sorted(
        attr.key
        for attr in state.attrs
        if attr.key not in IGNORED_FIELDS and attr.history.has_changes()
    )


def record_saved(
    entity: str,
    entity_id: int | None,
    *,
    session: Session,
    created: bool,
    fields: list[str],
    reference: str = "",
) -> None:
    """A create, or an edit naming the changed columns (nothing when none changed)."""
    if created:
        record("create", session=session, entity=entity, entity_id=entity_id, reference=reference)
    elif fields:
        record(
            "edit",
            session=session,
            entity=entity,
            entity_id=entity_id,
            reference=reference,
            detail="fields=" + ",".join(fields),
        )


def record_unlock(*, session: Session, failed_at: list[dt.datetime]) -> None:
    """The wrong passphrases typed before this unlock (they could not be written while the
    database was closed), each at its own moment, then the unlock itself."""
    for number, moment in enumerate(failed_at, start=1):
        record("failed-unlock", session=session, detail=f"attempt={number}", at=moment)
    record("unlock", session=session)
