"""The office's duties under the GDPR towards the people in its register.

- Access (art. 15, and portability art. 20): :func:`person_record` gathers everything the
  database holds about one person; :func:`export_person` writes it as JSON and as a
  readable PDF, named after a request reference, never after the person.
- Erasure (art. 17): :func:`plan_erasure` says what would go, :func:`erase_person` deletes
  it, and :func:`compact` then removes the deleted bytes from the database file and its
  journal (search index merged, ``secure_delete``, ``VACUUM``, WAL truncated).
- Storage limitation (art. 5(1)(e)): :func:`retention_candidates` lists the people whose
  cases all closed more than N years ago, and :func:`full_names` names them on screen.
- Records of processing (art. 30): :func:`record_of_processing` writes the office's
  record from its profile and the facts of this software.

What an erasure takes: the person, their requests with the attestations, decisions and
deadline marks, and their minor dependants. A dependant with requests of their own is a
case in their own right: they are kept (detached from the erased adult, so that no link
remains) and reported, to be erased on their own when that is due. Erasing a dependant
never touches the adult. The audit trail keeps its entries (ids and references only,
never names: see ``amudesk.models.audit``) and gains one for the erasure; encrypted
backups keep the erased data until they expire.

Exports and erasures append their own audit entries in the caller's transaction.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, delete, func, inspect, or_, select, text, update
from sqlmodel import Session, SQLModel, col

from amudesk import outputs
from amudesk.dates import brussels_today
from amudesk.deadlines import DECISION_MAX_MONTHS, add_months
from amudesk.documents import access  # the module: a test replaces its renderer
from amudesk.documents.layout import Letterhead
from amudesk.documents.processing import processing_record, render_processing
from amudesk.i18n import LANGUAGES, N_, _
from amudesk.models import (
    Aamu,
    Appeal,
    AuditEntry,
    Card,
    CaseStatus,
    Consent,
    Cpas,
    DeadlineMark,
    Decision,
    DecisionReason,
    Document,
    Person,
    Request,
)
from amudesk.services import FieldError, audit
from amudesk.services.cases import (
    decision_summaries,
    find_request,
    local_date,
    positive_decision,
)
from amudesk.services.consents import consents_of
from amudesk.services.office import require_office
from amudesk.services.people import dependants, get_person
from amudesk.store import Store, StoreError, StoreLocked

if TYPE_CHECKING:
    from amudesk.documents.processing import ProcessingRecord

log = logging.getLogger(__name__)

RECORD_FORMAT = "amudesk-person-record"
RECORD_VERSION = 1
DEFAULT_RETENTION_YEARS = 5
MIN_RETENTION_YEARS = 1
MAX_RETENTION_YEARS = 30
ACCESS_SUFFIX = "-access"
NAMES_PER_QUERY = 500  # ids in one ``IN (…)``: well below SQLite's limit on parameters


# --- what is stored about a person ------------------------------------------------------


def _iso_moment(value: dt.datetime) -> str:
    """Stored moments are UTC; SQLite hands them back without their zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def media_type(data: bytes) -> str:
    """The kind of image ``data`` is, from its first bytes."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _iso_moment(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return {
            "media_type": media_type(value),
            "encoding": "base64",
            "data": base64.b64encode(value).decode("ascii"),
        }
    if isinstance(value, Enum):
        return value.value
    return value


def _columns(row: SQLModel, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Every stored column of ``row`` (new columns included without changing this code),
    in JSON form: dates in ISO 8601, moments in UTC, bytes in base64."""
    skipped = set(skip)
    mapper = inspect(type(row))
    return {
        attr.key: _json_value(getattr(row, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in skipped
    }


def _person_part(person: Person) -> dict[str, Any]:
    values = _columns(person, skip={"photo"})
    values["has_photo"] = bool(person.photo)
    values["photo"] = _json_value(person.photo) if person.photo else None
    return values


def _cpas_part(cpas_id: int | None, session: Session) -> dict[str, Any] | None:
    cpas = session.get(Cpas, cpas_id) if cpas_id is not None else None
    return {"id": cpas.id, "name_fr": cpas.name_fr, "name_nl": cpas.name_nl} if cpas else None


def _requests_part(person_id: int, session: Session) -> list[dict[str, Any]]:
    requests = list(
        session.scalars(
            select(Request)
            .where(col(Request.person_id) == person_id)
            .order_by(col(Request.received_at), col(Request.id))
        )
    )
    result: list[dict[str, Any]] = []
    for request in requests:
        values = _columns(request)
        values["cpas"] = _cpas_part(request.cpas_id, session)
        # What the ids point to, for the document: the CPAS it was sent on to, and the
        # reference of the request it follows (the same person's, at another CPAS).
        values["transferred_to"] = _cpas_part(request.transferred_to_id, session)
        previous = session.get(Request, request.previous_id) if request.previous_id else None
        values["previous_reference"] = previous.reference if previous else None
        values["attestations"] = _rows_of(Aamu, Aamu.issued_on, request.id, session)
        values["decisions"] = _rows_of(Decision, Decision.decided_on, request.id, session)
        for decision in values["decisions"]:
            decision["reasons"] = [
                _columns(reason)
                for reason in session.scalars(
                    select(DecisionReason)
                    .where(col(DecisionReason.decision_id) == decision["id"])
                    .order_by(col(DecisionReason.id))
                )
            ]
        values["deadline_marks"] = _rows_of(DeadlineMark, DeadlineMark.rule, request.id, session)
        values["appeals"] = _rows_of(Appeal, Appeal.filed_on, request.id, session)
        result.append(values)
    return result


def _rows_of(
    model: type[Aamu | Decision | DeadlineMark | Appeal],
    order: Any,
    request_id: int | None,
    session: Session,
) -> list[dict[str, Any]]:
    """The rows of ``model`` about one request, by ``order`` then id, as plain values."""
    return [
        _columns(row)
        for row in session.scalars(
            select(model)
            .where(col(model.request_id) == request_id)
            .order_by(col(order), col(model.id))
        )
    ]


def _audit_part(
    people: Sequence[int], requests: Sequence[dict[str, Any]], session: Session
) -> list[dict[str, Any]]:
    """The trail's entries about these people's records. The actor (a colleague's user
    name) is left out: it is not the person's data."""
    ids: dict[str, set[int]] = {
        "person": set(people),
        "request": set(),
        "aamu": set(),
        "decision": set(),
        "deadline_mark": set(),
        "appeal": set(),
        "consent": set(),
    }
    references = set()
    for request in requests:
        ids["request"].add(request["id"])
        references.add(request["reference"])
        ids["aamu"].update(row["id"] for row in request["attestations"])
        ids["decision"].update(row["id"] for row in request["decisions"])
        ids["deadline_mark"].update(row["id"] for row in request["deadline_marks"])
        ids["appeal"].update(row["id"] for row in request.get("appeals", []))
    ids["consent"].update(
        session.scalars(select(col(Consent.id)).where(col(Consent.person_id).in_(list(people))))
    )
    conditions: list[ColumnElement[bool]] = [
        (col(AuditEntry.entity) == entity) & col(AuditEntry.entity_id).in_(sorted(numbers))
        for entity, numbers in ids.items()
        if numbers
    ]
    if references:
        conditions.append(col(AuditEntry.reference).in_(sorted(references)))
    if not conditions:
        return []
    rows = session.scalars(select(AuditEntry).where(or_(*conditions)).order_by(col(AuditEntry.id)))
    return [
        {
            "at": _json_value(row.at),
            "action": row.action,
            "entity": row.entity,
            "entity_id": row.entity_id,
            "reference": row.reference,
            "detail": row.detail,
        }
        for row in rows
    ]


def person_record(person_id: int, *, session: Session) -> dict[str, Any]:
    """Everything the database holds about one person (GDPR art. 15), as JSON-ready values:
    their own columns (the photo in base64, flagged by ``has_photo``), every request with
    its CPAS, attestations, decisions and deadline marks, their minor dependants with
    their own requests, and the audit trail's entries about these records. Nothing about
    anyone else: a responsible adult appears by number only (``guardian_id``).
    """
    person = get_person(person_id, session=session)
    own_requests = _requests_part(person_id, session)
    minors: list[dict[str, Any]] = []
    all_requests = list(own_requests)
    people = [person_id]
    for minor in dependants(person_id, session=session):
        minor_requests = _requests_part(minor.id or 0, session)
        all_requests.extend(minor_requests)
        minors.append({"person": _person_part(minor), "requests": minor_requests})
        people.append(minor.id or 0)
    return {
        "format": RECORD_FORMAT,
        "version": RECORD_VERSION,
        "generated_at": _iso_moment(dt.datetime.now(dt.UTC)),
        "person": _person_part(person),
        "consents": [_columns(consent) for consent in consents_of(person_id, session=session)],
        "requests": own_requests,
        "dependants": minors,
        "documents_issued": _documents_part(people, session),
        "medical_cards": _cards_part(people, session),
        "audit_trail": _audit_part(people, all_requests, session),
    }


def _documents_part(people: list[int], session: Session) -> list[dict[str, Any]]:
    """The documents handed out to these people: number, kind, language, when, fingerprint
    (each archived PDF can be reopened from the case)."""
    rows = session.execute(
        select(
            col(Document.number),
            col(Document.kind),
            col(Document.language),
            col(Document.issued_at),
            col(Document.sha256),
        )
        .where(col(Document.person_id).in_(people))
        .order_by(col(Document.issued_at), col(Document.id))
    ).all()
    return [
        {
            "number": number,
            "kind": kind,
            "language": language,
            "issued_at": _iso_moment(issued_at),
            "sha256": sha256,
        }
        for number, kind, language, issued_at, sha256 in rows
    ]


def _cards_part(people: list[int], session: Session) -> list[dict[str, Any]]:
    """The medical cards made for these people: number, validity, status, prints."""
    cards = session.scalars(
        select(Card).where(col(Card.person_id).in_(people)).order_by(col(Card.id))
    ).all()
    return [
        {
            "number": card.number,
            "valid_from": card.valid_from.isoformat(),
            "valid_to": card.valid_to.isoformat(),
            "status": card.status,
            "prints": card.prints,
            "created_at": _iso_moment(card.created_at),
        }
        for card in cards
    ]


def request_for_reference(reference: str, *, session: Session) -> Request:
    """The request with ``reference``: FieldError when none is typed, NotFound when no
    request has it."""
    if not reference.strip():
        raise FieldError(
            "reference",
            _("Reference: type the reference of one of the person's requests (AMU-2026-0042)."),
        )
    return find_request(reference, session=session)


def access_file_names(reference: str) -> tuple[str, str]:
    """The names of the JSON and PDF files of an access export: the reference only."""
    # Only letters, digits, - _ . stay: a reference never leads out of the chosen folder.
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", reference).lstrip(".") or "export"
    stem = f"{safe}{ACCESS_SUFFIX}"
    return f"{stem}.json", f"{stem}.pdf"


def export_person(
    reference: str, folder: Path, *, session: Session, language: str
) -> tuple[Path, Path]:
    """Write everything held about the person of request ``reference`` into ``folder``:
    ``<reference>-access.json`` (the :func:`person_record`) and ``<reference>-access.pdf``
    (the same, for people to read, in ``language``). Both files or neither; an audit
    entry ``export`` is added to the session's transaction."""
    if language not in LANGUAGES:
        raise FieldError("language", _("Language: choose French, Dutch or English."))
    request = request_for_reference(reference, session=session)
    try:
        folder = outputs.check_folder(Path(folder), label=_("Folder"))
    except outputs.OutputError as exc:
        raise FieldError("folder", str(exc)) from None
    office = require_office(
        session=session,
        message=N_(
            "Office: fill in the office profile first; its name and address go on the export."
        ),
    )
    record = person_record(request.person_id, session=session)
    json_name, pdf_name = access_file_names(request.reference)
    content = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    pdf = access.render_access(
        record, Letterhead.from_office(office), language=language, reference=request.reference
    )
    json_path, pdf_path = folder / json_name, folder / pdf_name
    # The entry first: if the files cannot be written, the caller's transaction (and the
    # entry with it) rolls back; if the entry cannot be made, no file is written.
    audit.record(
        "export",
        session=session,
        entity="person",
        entity_id=request.person_id,
        reference=request.reference,
        detail="access: json, pdf",
    )
    try:
        outputs.write_files({json_path: content, pdf_path: pdf}, label=_("Folder"))
    except outputs.OutputError as exc:
        raise FieldError("folder", str(exc)) from None
    log.info("access export written for %s", request.reference)
    return json_path, pdf_path


# --- erasure ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure removes (or removed): counts, and the dependants kept."""

    person_id: int
    references: tuple[str, ...] = ()
    people: int = 0  # the person and the dependants erased with them
    dependants: int = 0
    dependants_kept: tuple[int, ...] = ()  # with requests of their own: detached, not erased
    requests: int = 0
    open_requests: int = 0
    attestations: int = 0
    decisions: int = 0
    deadline_marks: int = 0
    search_entries: int = 0
    photos: int = 0
    done: bool = False

    def detail(self) -> str:
        """The counts as machine text, for the audit trail: no names, no identifiers."""
        return (
            f"people={self.people} dependants={self.dependants} "
            f"kept_dependants={len(self.dependants_kept)} requests={self.requests} "
            f"aamu={self.attestations} decisions={self.decisions} marks={self.deadline_marks}"
        )


@dataclass
class _Plan:
    people: list[Person] = field(default_factory=list)
    kept: list[Person] = field(default_factory=list)
    request_ids: list[int] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    open_requests: int = 0


def _plan(person_id: int, session: Session) -> _Plan:
    person = get_person(person_id, session=session)
    plan = _Plan(people=[person])
    for minor in dependants(person_id, session=session):
        has_requests = session.scalar(
            select(col(Request.id)).where(col(Request.person_id) == minor.id).limit(1)
        )
        (plan.kept if has_requests is not None else plan.people).append(minor)
    ids = [p.id for p in plan.people if p.id is not None]
    rows = session.execute(
        select(col(Request.id), col(Request.reference), col(Request.status))
        .where(col(Request.person_id).in_(ids))
        .order_by(col(Request.received_at), col(Request.id))
    ).all()
    plan.request_ids = [row[0] for row in rows]
    plan.references = [row[1] for row in rows]
    plan.open_requests = sum(1 for row in rows if row[2] == CaseStatus.OPEN)
    return plan


def _count(session: Session, model: type[SQLModel], request_ids: list[int]) -> int:
    if not request_ids:
        return 0
    column = model.request_id  # type: ignore[attr-defined]
    return int(
        session.scalar(select(func.count()).select_from(model).where(column.in_(request_ids))) or 0
    )


def _report(person_id: int, plan: _Plan, session: Session, *, done: bool) -> ErasureReport:
    return ErasureReport(
        person_id=person_id,
        references=tuple(plan.references),
        people=len(plan.people),
        dependants=len(plan.people) - 1,
        dependants_kept=tuple(p.id for p in plan.kept if p.id is not None),
        requests=len(plan.request_ids),
        open_requests=plan.open_requests,
        attestations=_count(session, Aamu, plan.request_ids),
        decisions=_count(session, Decision, plan.request_ids),
        deadline_marks=_count(session, DeadlineMark, plan.request_ids),
        search_entries=len(plan.people) if _is_sqlite(session) else 0,
        photos=sum(1 for p in plan.people if p.photo),
        done=done,
    )


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def plan_erasure(person_id: int, *, session: Session) -> ErasureReport:
    """What :func:`erase_person` would remove, changing nothing (``done`` is False)."""
    return _report(person_id, _plan(person_id, session), session, done=False)


def erase_person(person_id: int, *, session: Session) -> ErasureReport:
    """Delete a person (GDPR art. 17) with their requests, attestations, decisions,
    deadline marks and the minor dependants who have no requests of their own (those who
    have are detached and listed in ``dependants_kept``). The search index follows through
    its triggers. Runs in the caller's transaction, with an ``erase`` audit entry; call
    :func:`compact` after the commit so that the bytes leave the file too."""
    plan = _plan(person_id, session)
    report = _report(person_id, plan, session, done=True)
    if _is_sqlite(session):
        # Freed space is overwritten with zeros from now on, on this connection.
        session.execute(text("PRAGMA secure_delete = ON"))
    ids = [p.id for p in plan.people if p.id is not None]
    kept = [p.id for p in plan.kept if p.id is not None]
    # The medical cards and the archived copies of documents handed out carry the
    # person's name: they go too (cards first: they point to their archived copy).
    session.execute(
        delete(Card).where(
            or_(col(Card.person_id).in_(ids), col(Card.request_id).in_(plan.request_ids))
        )
    )
    session.execute(
        delete(Document).where(
            or_(col(Document.person_id).in_(ids), col(Document.request_id).in_(plan.request_ids))
        )
    )
    session.execute(delete(Consent).where(col(Consent.person_id).in_(ids)))
    if plan.request_ids:
        session.execute(
            delete(DecisionReason).where(
                col(DecisionReason.decision_id).in_(
                    select(col(Decision.id)).where(col(Decision.request_id).in_(plan.request_ids))
                )
            )
        )
        for model in (DeadlineMark, Decision, Aamu, Appeal):
            session.execute(
                delete(model).where(
                    model.request_id.in_(plan.request_ids)  # type: ignore[attr-defined]
                )
            )
        session.execute(delete(Request).where(col(Request.id).in_(plan.request_ids)))
    if kept:
        session.execute(update(Person).where(col(Person.id).in_(kept)).values(guardian_id=None))
    # Dependants first: they point to the adult.
    session.execute(delete(Person).where(col(Person.id).in_(ids[1:])))
    session.execute(delete(Person).where(col(Person.id) == person_id))
    session.flush()
    audit.record(
        "erase",
        session=session,
        entity="person",
        entity_id=person_id,
        reference=plan.references[-1] if plan.references else "",
        detail=report.detail(),
    )
    log.info("person %s erased (%s)", person_id, report.detail())
    return report


def compact(store: Store) -> None:
    """Remove the bytes of deleted rows from the database file and its journal: merge the
    search index (dropping deleted entries), overwrite freed space (``secure_delete``),
    rebuild the file (``VACUUM``, outside any transaction) and empty the write-ahead log
    (``wal_checkpoint(TRUNCATE)``). Raises StoreError when another connection kept the
    log from being emptied (the erasure itself stands). Does nothing for PostgreSQL."""
    if store.locked:
        raise StoreLocked(_("AMU Desk is locked."))
    if not store.is_sqlite:
        return
    with store.engine.connect() as connection:
        auto = connection.execution_options(isolation_level="AUTOCOMMIT")
        auto.exec_driver_sql("PRAGMA secure_delete = ON")
        has_index = auto.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'person_fts'"
        ).first()
        if has_index:
            auto.exec_driver_sql("INSERT INTO person_fts(person_fts) VALUES ('optimize')")
        auto.exec_driver_sql("VACUUM")
        row = auto.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
    if row is not None and row[0]:
        raise StoreError(
            _(
                "The erasure is done, but the database file could not be cleaned of its "
                "traces yet: another window or program is reading it. Close it and try "
                "the clean-up again."
            )
        )
    log.info("database compacted")


# --- retention -----------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionCandidate:
    """A person whose cases are all closed, the last activity older than the limit."""

    person_id: int
    reference: str  # the latest request
    references: tuple[str, ...]
    last_activity: dt.date


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` years earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def check_years(years: int) -> None:
    if not MIN_RETENTION_YEARS <= years <= MAX_RETENTION_YEARS:
        raise FieldError(
            "years",
            _("Retention: give a number of years from {low} to {high}.").format(
                low=MIN_RETENTION_YEARS, high=MAX_RETENTION_YEARS
            ),
        )


def _closed_until(status: str, decisions: Sequence[Any]) -> dt.date | None:
    """The day a case ended, from its status and decisions; None while it is still open
    (no decision, or a positive decision still valid). A refusal or a finding of
    incompetence closes it on the decision day; a positive decision at the end of its
    validity (12 months from its start when no end was recorded)."""
    if status == CaseStatus.OPEN or not decisions:
        return None
    latest = decisions[-1]
    decided: dt.date = latest.decided_on
    valid_to: dt.date | None = latest.valid_to
    if not positive_decision(latest.kind):
        return decided
    if valid_to is not None:
        return valid_to
    start: dt.date = latest.valid_from or decided
    return add_months(start - dt.timedelta(days=1), DECISION_MAX_MONTHS)


def retention_candidates(
    *, session: Session, years: int = DEFAULT_RETENTION_YEARS, today: dt.date | None = None
) -> list[RetentionCandidate]:
    """People whose every request is closed (by the office, or a decision exists and, for a
    positive one, its validity ended) and whose last activity (received, decided, notified,
    end of validity, transfer, appeal or closing) lies more than ``years`` years before ``today``, oldest first.
    Never listed: anyone with an open or recent request, a dependant (their data belong
    to their adult's file), or an adult one of whose dependants has an open or recent
    request."""
    check_years(years)
    today = today or brussels_today()
    limit = years_before(today, years)
    limit_moment = dt.datetime.combine(limit + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    busy = (
        select(col(Request.person_id))
        .where(
            or_(
                # Open and not closed by the office: still followed.
                and_(col(Request.status) == CaseStatus.OPEN, col(Request.closed_on).is_(None)),
                col(Request.received_at) >= limit_moment,
            )
        )
        .scalar_subquery()
    )
    minors_busy = (
        select(col(Person.guardian_id))
        .where(col(Person.guardian_id).is_not(None), col(Person.id).in_(busy))
        .scalar_subquery()
    )
    conditions = (
        col(Person.guardian_id).is_(None),
        or_(col(Request.status) != CaseStatus.OPEN, col(Request.closed_on).is_not(None)),
        col(Request.person_id).not_in(busy),
        col(Request.person_id).not_in(minors_busy),
    )
    # Plain rows rather than objects: the list may cover most of a large register.
    requests = session.execute(
        select(
            col(Request.id),
            col(Request.person_id),
            col(Request.reference),
            col(Request.status),
            col(Request.received_at),
            col(Request.transferred_on),
            col(Request.appealed_on),
            col(Request.closed_on),
        )
        .join(Person, col(Person.id) == col(Request.person_id))
        .where(*conditions)
        .order_by(col(Request.person_id), col(Request.received_at), col(Request.id))
    ).all()
    eligible = (
        select(col(Request.id))
        .join(Person, col(Person.id) == col(Request.person_id))
        .where(*conditions)
    )
    decisions: dict[int, list[Any]] = {}
    for decision in session.execute(
        decision_summaries().where(col(Decision.request_id).in_(eligible))
    ):
        decisions.setdefault(decision.request_id, []).append(decision)
    by_person: dict[int, list[Any]] = {}
    for request in requests:
        by_person.setdefault(request.person_id, []).append(request)
    candidates = []
    for person_id, own in by_person.items():
        last: dt.date | None = None
        for request in own:
            made = decisions.get(request.id, [])
            # Closed by the office (withdrawn, person gone …): it ended that day.
            ended = request.closed_on or _closed_until(request.status, made)
            if ended is None or ended >= today:
                last = None
                break
            days: list[dt.date | None] = [local_date(request.received_at), ended]
            days += [request.transferred_on, request.appealed_on]
            for decision in made:
                days += [decision.decided_on, decision.notified_on, decision.valid_to]
            latest = max(day for day in days if day is not None)
            last = latest if last is None else max(last, latest)
        if last is not None and last < limit:
            candidates.append(
                RetentionCandidate(
                    person_id=person_id,
                    reference=own[-1].reference,
                    references=tuple(r.reference for r in own),
                    last_activity=last,
                )
            )
    candidates.sort(key=lambda c: (c.last_activity, c.reference))
    return candidates


def full_names(person_ids: Sequence[int], *, session: Session) -> dict[int, str]:
    """The full names of the people ``person_ids``, by id, for a list on screen (the
    retention candidates); an id no longer in the register is left out. Read
    ``NAMES_PER_QUERY`` ids at a time, so that a long list stays within what one query
    may carry."""
    names: dict[int, str] = {}
    for start in range(0, len(person_ids), NAMES_PER_QUERY):
        batch = person_ids[start : start + NAMES_PER_QUERY]
        for person in session.scalars(select(Person).where(col(Person.id).in_(batch))):
            if person.id is not None:
                names[person.id] = person.full_name
    return names


# --- record of processing (art. 30) ----------------------------------------------------


def record_of_processing(
    *,
    session: Session,
    language: str,
    retention_years: int = DEFAULT_RETENTION_YEARS,
    today: dt.date | None = None,
) -> ProcessingRecord:
    """The office's record of processing activities (GDPR art. 30), in ``language``, from
    its profile and what this software does (``amudesk.documents.processing``)."""
    if language not in LANGUAGES:
        raise FieldError("language", _("Language: choose French, Dutch or English."))
    check_years(retention_years)
    office = require_office(
        session=session,
        message=N_("Office: fill in the office profile first; the record names the controller."),
    )
    return processing_record(
        office, language=language, retention_years=retention_years, today=today
    )


def write_record_of_processing(
    path: Path,
    *,
    session: Session,
    language: str,
    retention_years: int = DEFAULT_RETENTION_YEARS,
) -> Path:
    """Write the record of processing activities as a PDF at ``path`` (atomically)."""
    record = record_of_processing(
        session=session, language=language, retention_years=retention_years
    )
    path = Path(path)
    try:
        outputs.write_files({path: render_processing(record)}, label=_("File"))
    except outputs.OutputError as exc:
        raise FieldError("path", str(exc)) from None
    return path
