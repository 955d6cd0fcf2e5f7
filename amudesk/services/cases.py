"""AMU requests (cases): registering them, their attestations, decisions and timeline."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, delete, func, select, text
from sqlmodel import Session, col

from amudesk.dates import brussels_today
from amudesk.deadlines import (
    DECISION_MAX_MONTHS,
    MENTIONS,
    NOTIFICATION_LABELS,
    NotificationMethod,
    add_months,
    registered_letter_effect,
)
from amudesk.i18n import BRUSSELS, _, format_date, get_locale
from amudesk.identifiers import IdentifierError, parse_inami
from amudesk.letters import KINDS as LETTER_KINDS
from amudesk.models import (
    APPEAL_OUTCOME_LABELS,
    CARE_CATEGORIES,
    CLOSE_REASON_LABELS,
    Aamu,
    Appeal,
    CaseStatus,
    Channel,
    Consent,
    Counter,
    Cpas,
    Decision,
    DecisionKind,
    DecisionReason,
    Person,
    Request,
)

# The labels live with their models; the window still reads them here.
from amudesk.models import CARE_KIND_LABELS as CARE_KIND_LABELS
from amudesk.models import CHANNEL_LABELS as CHANNEL_LABELS
from amudesk.models import DECISION_LABELS as DECISION_LABELS
from amudesk.models import STATUS_LABELS as STATUS_LABELS
from amudesk.models import URGENT_REASON_LABELS as URGENT_REASON_LABELS
from amudesk.models.base import utcnow
from amudesk.models.document import DOCUMENT_KINDS, Document
from amudesk.refusals import REASONED_KINDS, REASONS
from amudesk.services import FieldError, NotFound, audit
from amudesk.services import validation as v
from amudesk.services.editing import bump, check_version, fetched, locked
from amudesk.services.people import dependants
from amudesk.services.search import case_condition, few_matches

REFERENCE_PREFIX = "AMU"
REFERENCE_PATTERN = re.compile(r"^AMU-(\d{4})-(\d{4,})$")
# What a reference typed or imported may hold: it ends up in file names and logs.
REFERENCE_CHARACTERS = re.compile(r"[A-Z0-9][A-Z0-9._/-]*")
REFERENCE_MAX_LENGTH = 30
# The oldest request and the oldest start of care the desk takes: anything before is a typo.
FIRST_FILING_DAY = dt.date(2000, 1, 1)
FIRST_CARE_DAY = dt.date(1990, 1, 1)

STATUS_OF_DECISION = {
    DecisionKind.PRINCIPLE: CaseStatus.DECIDED,
    DecisionKind.GUARANTEE: CaseStatus.DECIDED,
    DecisionKind.REFUSAL: CaseStatus.REFUSED,
    DecisionKind.INCOMPETENT: CaseStatus.TRANSFERRED,
}


def to_utc(moment: dt.datetime) -> dt.datetime:
    """Stored form of a moment: aware UTC. Naive input is Brussels local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(BRUSSELS))
    return moment.astimezone(dt.UTC)


def local_date(moment: dt.datetime) -> dt.date:
    """The Brussels calendar day of a moment (naive moments are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(BRUSSELS)).date()


def filed_at(request: Request) -> dt.datetime:
    """When the CPAS received the request; a FieldError naming the case while it is still
    being prepared (no CPAS, no date yet)."""
    if request.received_at is None:
        raise FieldError(
            "received_at",
            _("Request {reference} has not been filed with a CPAS yet: file it first.").format(
                reference=request.reference
            ),
        )
    return request.received_at


def next_number(kind: str, year: int, *, session: Session) -> int:
    """The next number of a yearly series; numbers are never reused.

    One statement creates or advances the counter and returns the new number, so two
    processes issuing at the same time can never read the same last number (SQLite and
    PostgreSQL both take the write lock for it; the second waits for the first to commit).
    """
    session.flush()  # pending counter changes made through the ORM go first
    number = session.execute(
        text(
            "INSERT INTO counter (kind, year, last) VALUES (:kind, :year, 1) "
            "ON CONFLICT (kind, year) DO UPDATE SET last = counter.last + 1 RETURNING last"
        ),
        {"kind": kind, "year": year},
    ).scalar_one()
    counter = session.get(Counter, (kind, year))
    if counter is not None:
        session.refresh(counter)  # an object already loaded shows the new value
    return int(number)


def raise_counter(kind: str, year: int, at_least: int, *, session: Session) -> Counter:
    """Make sure the next number of the series comes after ``at_least`` (a number given by hand)."""
    counter = session.get(Counter, (kind, year)) or Counter(kind=kind, year=year, last=0)
    counter.last = max(counter.last, at_least)
    session.add(counter)
    return counter


def check_care(
    started_on: dt.date | None, kind: str | None, *, today: dt.date | None = None
) -> None:
    """The start of care is neither in the future nor before 1990; its kind is MediPrima
    or other."""
    v.not_in_future(started_on, "care_started_on", _("Care started on"), today=today)
    if started_on is not None and started_on < FIRST_CARE_DAY:
        raise FieldError(
            "care_started_on",
            _("Care started on: the date is before 1 January 1990; check the year."),
        )
    if kind is not None and kind not in CARE_KIND_LABELS:
        raise FieldError("care_kind", _("Kind of care: use “mediprima” or “other”."))


def check_reference(text: str | None) -> str:
    """A reference typed or imported, in capitals: letters A–Z, digits and the signs
    - _ . / only, starting with a letter or a digit, never two dots in a row, never
    eleven digits written like a NISS; '' when empty. The forms and the import both
    check references here."""
    reference = v.clean(text, "reference", _("Reference"), max_length=REFERENCE_MAX_LENGTH).upper()
    if not reference:
        return ""
    if not REFERENCE_CHARACTERS.fullmatch(reference) or ".." in reference:
        raise FieldError(
            "reference",
            _(
                "Reference: use letters, digits and the signs - _ . / only. Begin with a "
                "letter or a digit, and never put two dots in a row (got “{value}”)."
            ).format(value=v.quoted(reference)),
        )
    if audit.looks_like_niss(reference):
        raise FieldError(
            "reference",
            _("Reference: this looks like a NISS number; a reference must not identify a person."),
        )
    return reference


def check_received(received: dt.datetime, *, birth_date: str | None = None) -> None:
    """When a request was received (an aware moment): not in the future, not before
    2000, and not before the birth of the person (``birth_date``, possibly partial)."""
    v.not_in_future(received, "received_at", _("Received on"))
    day = local_date(received)
    if day < FIRST_FILING_DAY:
        raise FieldError(
            "received_at", _("Received on: the date is before 1 January 2000; check the year.")
        )
    v.born_by(birth_date, day, "received_at", _("Received on"))


def make_reference(year: int, number: int) -> str:
    return f"{REFERENCE_PREFIX}-{year}-{number:04d}"


def new_reference(year: int, *, session: Session) -> str:
    while True:
        reference = make_reference(year, next_number(REFERENCE_PREFIX, year, session=session))
        if (
            session.scalar(select(col(Request.id)).where(col(Request.reference) == reference))
            is None
        ):
            return reference


@dataclass
class RequestData:
    person_id: int | None = None
    cpas_id: int | None = None
    received_at: dt.datetime | None = None
    channel: str = Channel.IN_PERSON
    accompanied_by: str = ""
    aamu_handed_in: bool = False
    care_started_on: dt.date | None = None
    care_kind: str | None = None
    reference: str = ""
    # Registered before anything is filed (an association's order of things): no date, the
    # CPAS perhaps not known yet, no clock.
    preparing: bool = False
    urgent: bool = False
    urgent_reason: str | None = None
    version: int | None = None  # the version the form showed (amudesk.services.editing)


def check_urgency(urgent: bool, reason: str | None) -> str | None:
    """The urgency's reason key (None when not urgent): a category, never free words."""
    if not urgent:
        return None
    if reason not in URGENT_REASON_LABELS:
        raise FieldError("urgent_reason", _("Urgent: choose why the request is urgent."))
    return reason


def register_request(
    data: RequestData, *, session: Session, request_id: int | None = None
) -> Request:
    """Create (or, with ``request_id``, correct) an AMU request after checking it. A request
    ``preparing`` has no filing date and perhaps no CPAS yet; saved without ``preparing``
    and with both, it is filed and its clocks start."""
    if data.person_id is None or session.get(Person, data.person_id) is None:
        raise FieldError("person_id", _("Person: choose the person who makes the request."))
    request = None
    if request_id is not None:
        request = get_request(request_id, session=session, for_update=True)
        check_version(request, data.version)
    received: dt.datetime | None = None
    if data.preparing:
        if request is not None and request.status != CaseStatus.PREPARING:
            raise FieldError(
                "status",
                _("Status: a request filed with a CPAS cannot go back to being prepared."),
            )
        if data.cpas_id is not None and session.get(Cpas, data.cpas_id) is None:
            raise FieldError("cpas_id", _("CPAS: this CPAS is not in the directory."))
        if data.received_at is not None:
            raise FieldError(
                "received_at",
                _(
                    "Received on: a request being prepared has no filing date yet; it gets "
                    "one when it is filed."
                ),
            )
    else:
        if data.cpas_id is None or session.get(Cpas, data.cpas_id) is None:
            raise FieldError("cpas_id", _("CPAS: choose the CPAS the request is filed with."))
        if data.received_at is None:
            raise FieldError(
                "received_at", _("Received on: give the date and time the request was received.")
            )
        received = to_utc(data.received_at)
        person = session.get(Person, data.person_id)
        check_received(received, birth_date=person.birth_date if person is not None else None)
    urgent_reason = check_urgency(data.urgent, data.urgent_reason)
    if data.channel not in CHANNEL_LABELS:
        raise FieldError("channel", _("Channel: choose how the request was made."))
    check_care(data.care_started_on, data.care_kind)
    accompanied_by = v.clean(
        data.accompanied_by, "accompanied_by", _("Accompanied by"), printed=True
    )
    reference = check_reference(data.reference)
    if reference:
        clash = session.scalar(select(col(Request.id)).where(col(Request.reference) == reference))
        if clash is not None and (request is None or clash != request.id):
            raise FieldError(
                "reference",
                _("Reference: {reference} is already used.").format(reference=reference),
            )
        match = REFERENCE_PATTERN.match(reference)
        if match:
            raise_counter(REFERENCE_PREFIX, int(match[1]), int(match[2]), session=session)
    elif request is None:
        year = local_date(received).year if received is not None else local_date(utcnow()).year
        reference = new_reference(year, session=session)
    if request is None:
        request = Request(
            reference=reference,
            person_id=data.person_id,
            cpas_id=data.cpas_id,
            received_at=received,
            status=CaseStatus.PREPARING if data.preparing else CaseStatus.OPEN,
        )
    else:
        request.reference = reference or request.reference
        request.updated_at = utcnow()
    request.person_id = data.person_id
    request.cpas_id = data.cpas_id
    request.received_at = received
    request.channel = data.channel
    request.accompanied_by = accompanied_by
    request.aamu_handed_in = data.aamu_handed_in
    request.care_started_on = data.care_started_on
    request.care_kind = data.care_kind
    request.urgent = data.urgent
    request.urgent_reason = urgent_reason
    if request.status == CaseStatus.PREPARING and not data.preparing:
        request.status = CaseStatus.OPEN  # filed now: the clocks start
    save_request(request, session=session)
    return request


def save_request(request: Request, *, session: Session) -> None:
    """Add and flush ``request``; its creation, or the names of the columns changed
    (nothing when none changed), goes into the audit trail."""
    created, fields = request.id is None, audit.changed_fields(request)
    session.add(request)
    session.flush()
    audit.record_saved(
        "request",
        request.id,
        session=session,
        created=created,
        fields=fields,
        reference=request.reference,
    )


def get_request(request_id: int | None, *, session: Session, for_update: bool = False) -> Request:
    """The request ``request_id``; with ``for_update``, read again and locked until the
    transaction ends, to be changed."""
    return fetched(
        Request,
        request_id,
        session,
        for_update=for_update,
        missing=_("This request is not in the database."),
    )


def request_to_edit(request_id: int, version: int | None, *, session: Session) -> Request:
    """The request ``request_id`` locked to be changed, refused with EditConflict when it
    is no longer at ``version``, the one the form showed (None: not read first)."""
    request = get_request(request_id, session=session, for_update=True)
    check_version(request, version)
    return request


def find_request(reference: str, *, session: Session) -> Request:
    request = session.scalar(
        select(Request).where(col(Request.reference) == reference.strip().upper())
    )
    if request is None:
        raise NotFound(
            _("No request has the reference {reference}.").format(reference=v.quoted(reference))
        )
    return request


@dataclass
class AamuData:
    issued_on: dt.date | None = None
    doctor_name: str = ""
    inami: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    care_categories: list[str] = field(default_factory=list)
    # The attestation's version the form showed (None: not read first).
    version: int | None = None


def record_aamu(
    request_id: int, data: AamuData, *, session: Session, aamu_id: int | None = None
) -> Aamu:
    """Record the attestation a doctor signed: dates, doctor, categories. No diagnosis, ever."""
    request = get_request(request_id, session=session)
    if data.issued_on is None:
        raise FieldError("issued_on", _("Date of the attestation: this field is required."))
    if data.issued_on > brussels_today():
        raise FieldError("issued_on", _("Date of the attestation: the date is in the future."))
    doctor = v.clean(data.doctor_name, "doctor_name", _("Doctor"), required=True, printed=True)
    try:
        inami = parse_inami(data.inami) if data.inami.strip() else None
    except IdentifierError as exc:
        raise FieldError("inami", str(exc)) from None
    v.date_order(data.valid_from, data.valid_to, "valid_to", _("Requested validity"))
    unknown = [c for c in data.care_categories if c not in CARE_CATEGORIES]
    if unknown:
        raise FieldError(
            "care_categories",
            _("Care categories: unknown category {code}.").format(code=unknown[0]),
        )
    if aamu_id is not None:
        aamu = locked(Aamu, aamu_id, session)
        if aamu is None or aamu.request_id != request.id:
            raise NotFound(_("This attestation is not in the database."))
        check_version(aamu, data.version)
    else:
        aamu = Aamu(request_id=request.id or 0, issued_on=data.issued_on, doctor_name=doctor)
    aamu.issued_on = data.issued_on
    aamu.doctor_name = doctor
    aamu.inami = inami
    aamu.valid_from = data.valid_from
    aamu.valid_to = data.valid_to
    aamu.care_categories = ",".join(c for c in CARE_CATEGORIES if c in data.care_categories)
    request.aamu_handed_in = True
    created, fields = aamu.id is None, audit.changed_fields(aamu)
    session.add_all([aamu, request])
    session.flush()
    audit.record_saved(
        "aamu",
        aamu.id,
        session=session,
        created=created,
        fields=fields,
        reference=request.reference,
    )
    return aamu


@dataclass
class DecisionData:
    kind: str = ""
    decided_on: dt.date | None = None
    notified_on: dt.date | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    mediprima_number: str = ""
    notification_method: str | None = None
    posted_on: dt.date | None = None
    missing_mentions: list[str] = field(default_factory=list)
    encoded_on: dt.date | None = None
    ticket_moderateur: bool | None = None
    # A refusal's or an incompetence's reasons: (amudesk.refusals key, explanation).
    reasons: list[tuple[str, str]] = field(default_factory=list)
    # Taken to carry out a labour court judgment (exempt from the 60-day back-dating limit).
    court_ordered: bool = False
    court_judgment_on: dt.date | None = None
    court_name: str = ""
    # The decision's version the form showed (None: not read first).
    version: int | None = None


def check_decision(
    data: DecisionData, received_on: dt.date, *, today: dt.date | None = None
) -> None:
    """Raise FieldError for the first thing wrong with a decision of a request received on ``received_on``."""
    today = today or brussels_today()
    if data.kind not in DECISION_LABELS:
        raise FieldError("kind", _("Kind of decision: choose one."))
    if data.decided_on is None:
        raise FieldError("decided_on", _("Decided on: this field is required."))
    if data.decided_on > today:
        raise FieldError("decided_on", _("Decided on: the date is in the future."))
    if data.decided_on < received_on:
        raise FieldError(
            "decided_on", _("Decided on: the decision cannot come before the request.")
        )
    check_notification(data, today=today)
    if data.notified_on is not None:
        if data.notified_on < data.decided_on:
            raise FieldError(
                "notified_on", _("Notified on: the notification cannot come before the decision.")
            )
        if data.notified_on > today:
            raise FieldError("notified_on", _("Notified on: the date is in the future."))
    positive = positive_decision(data.kind)
    if not positive and (data.valid_from or data.valid_to):
        raise FieldError(
            "valid_from", _("Validity: only a positive decision has a validity period.")
        )
    v.date_order(data.valid_from, data.valid_to, "valid_to", _("Validity"))
    if data.valid_from and data.valid_to:
        longest = add_months(data.valid_from - dt.timedelta(days=1), DECISION_MAX_MONTHS)
        if data.valid_to > longest:
            raise FieldError(
                "valid_to",
                _("Validity: a decision lasts at most 12 months, here until {date}.").format(
                    date=format_date(longest)
                ),
            )
    if data.encoded_on is not None:
        if not positive_decision(data.kind):
            raise FieldError(
                "encoded_on", _("Encoded in MediPrima on: only positive decisions are encoded.")
            )
        if data.encoded_on < data.decided_on:
            raise FieldError(
                "encoded_on",
                _("Encoded in MediPrima on: the encoding cannot come before the decision."),
            )
        v.not_in_future(data.encoded_on, "encoded_on", _("Encoded in MediPrima on"), today=today)
    check_reasons(data)
    check_court_order(data, today=today)
    if (
        not data.court_ordered
        and data.valid_from
        and data.valid_from < data.decided_on - dt.timedelta(days=60)
    ):
        raise FieldError(
            "valid_from",
            _("Validity: a decision can start at most 60 days before the decision date."),
        )


def check_reasons(data: DecisionData) -> None:
    """A refusal or an incompetence may give reasons (amudesk.refusals); "other" says which;
    each explanation is printable (a letter quotes it). Cleans them in place."""
    if not data.reasons:
        return
    if data.kind not in REASONED_KINDS:
        raise FieldError(
            "reasons", _("Reasons: only a refusal or a finding of incompetence gives reasons.")
        )
    cleaned: dict[str, str] = {}
    for key, explanation in data.reasons:
        if key not in REASONS:
            raise FieldError(
                "reasons", _("Reasons: {key} is not a reason listed.").format(key=v.quoted(key))
            )
        text = v.note(explanation, "reasons", _("Reasons"), max_length=500)
        text = v.clean(text, "reasons", _("Reasons"), max_length=500, printed=True)
        if key == "other" and not text:
            raise FieldError("reasons", _("Reasons: say what the other reason was."))
        cleaned[key] = text or cleaned.get(key, "")
    data.reasons = list(cleaned.items())


def check_court_order(data: DecisionData, *, today: dt.date) -> None:
    """A decision taken to carry out a judgment names the judgment's day and court."""
    if not data.court_ordered:
        data.court_judgment_on, data.court_name = None, ""
        return
    if data.court_judgment_on is None:
        raise FieldError("court_judgment_on", _("Judgment of: give the day of the judgment."))
    v.not_in_future(data.court_judgment_on, "court_judgment_on", _("Judgment of"), today=today)
    if data.decided_on is not None and data.court_judgment_on > data.decided_on:
        raise FieldError(
            "court_judgment_on",
            _("Judgment of: the judgment comes before the decision that carries it out."),
        )
    data.court_name = v.clean(
        data.court_name, "court_name", _("Court"), required=True, max_length=300, printed=True
    )


def check_notification(data: DecisionData, *, today: dt.date) -> None:
    """How the decision was notified. A registered letter whose posting day alone is known
    takes effect on the third working day after posting (Code judiciaire art. 53bis):
    ``notified_on`` is filled in from ``posted_on`` then."""
    method = data.notification_method or None
    if method is not None and method not in NOTIFICATION_LABELS:
        raise FieldError(
            "notification_method", _("Notified by: choose how the decision was notified.")
        )
    if data.posted_on is not None:
        if method != NotificationMethod.REGISTERED:
            raise FieldError(
                "posted_on", _("Posted on: only a registered letter has a posting date.")
            )
        if data.decided_on and data.posted_on < data.decided_on:
            raise FieldError(
                "posted_on", _("Posted on: the letter cannot be posted before the decision.")
            )
        v.not_in_future(data.posted_on, "posted_on", _("Posted on"), today=today)
        effect = registered_letter_effect(data.posted_on)
        if data.notified_on is None and effect <= today:
            data.notified_on = effect
        elif data.notified_on is not None and data.notified_on < data.posted_on:
            raise FieldError(
                "notified_on",
                _("Notified on: a registered letter cannot take effect before it is posted."),
            )
    unknown = [code for code in data.missing_mentions if code not in MENTIONS]
    if unknown:
        raise FieldError(
            "missing_mentions",
            _("Missing mentions: unknown mention {code}.").format(code=unknown[0]),
        )
    if data.missing_mentions and data.notified_on is None:
        raise FieldError("missing_mentions", _("Missing mentions: record the notification first."))


def record_decision(
    request_id: int, data: DecisionData, *, session: Session, decision_id: int | None = None
) -> Decision:
    """Record (or correct) the CPAS decision on a request; the case status follows the latest one."""
    request = get_request(request_id, session=session)
    check_decision(data, local_date(filed_at(request)))
    if decision_id is not None:
        found = locked(Decision, decision_id, session)
        if found is None or found.request_id != request.id:
            raise NotFound(_("This decision is not in the database."))
        check_version(found, data.version)
        decision = found
    else:
        decision = Decision(
            request_id=request.id or 0,
            kind=data.kind,
            decided_on=data.decided_on or brussels_today(),
        )
    decision.kind = data.kind
    decision.decided_on = data.decided_on or decision.decided_on
    decision.notified_on = data.notified_on
    decision.valid_from = data.valid_from
    decision.valid_to = data.valid_to
    decision.mediprima_number = v.clean(
        data.mediprima_number, "mediprima_number", _("MediPrima number"), max_length=40
    )
    decision.notification_method = data.notification_method or None
    decision.posted_on = data.posted_on
    decision.missing_mentions = ",".join(c for c in MENTIONS if c in data.missing_mentions)
    decision.encoded_on = data.encoded_on
    decision.ticket_moderateur = data.ticket_moderateur if positive_decision(data.kind) else None
    decision.court_ordered = data.court_ordered
    decision.court_judgment_on = data.court_judgment_on
    decision.court_name = data.court_name
    created, fields = decision.id is None, audit.changed_fields(decision)
    session.add(decision)
    session.flush()
    if _replace_reasons(decision.id or 0, data.reasons, session):
        if not fields:  # only the reasons changed: still an edit of the decision
            bump(decision, session)
            session.flush()
        fields = sorted({*fields, "reasons"})
    refresh_status(request, session=session)
    audit.record_saved(
        "decision",
        decision.id,
        session=session,
        created=created,
        fields=fields,
        reference=request.reference,
    )
    return decision


def reasons_of(decision_id: int, *, session: Session) -> list[DecisionReason]:
    return list(
        session.scalars(
            select(DecisionReason)
            .where(col(DecisionReason.decision_id) == decision_id)
            .order_by(col(DecisionReason.id))
        )
    )


def _replace_reasons(decision_id: int, reasons: list[tuple[str, str]], session: Session) -> bool:
    """Store ``reasons`` as the decision's (in the refusal table's order); whether they changed."""
    before = [(r.key, r.explanation) for r in reasons_of(decision_id, session=session)]
    order = {key: number for number, key in enumerate(REASONS)}
    wanted = sorted(reasons, key=lambda pair: order[pair[0]])
    if before == wanted:
        return False
    session.execute(delete(DecisionReason).where(col(DecisionReason.decision_id) == decision_id))
    for key, explanation in wanted:
        session.add(DecisionReason(decision_id=decision_id, key=key, explanation=explanation))
    session.flush()
    return True


def decision_summaries() -> Select[
    int, str, dt.date, dt.date | None, dt.date | None, dt.date | None
]:
    """Every decision's request id, kind, day decided, day notified and validity (from,
    to): by request, then in the order they were decided."""
    return select(
        col(Decision.request_id),
        col(Decision.kind),
        col(Decision.decided_on),
        col(Decision.notified_on),
        col(Decision.valid_from),
        col(Decision.valid_to),
    ).order_by(col(Decision.request_id), col(Decision.decided_on), col(Decision.id))


def positive_decision(kind: str) -> bool:
    """A decision that grants aid (in principle, or a guarantee of payment)."""
    return kind in (DecisionKind.PRINCIPLE, DecisionKind.GUARANTEE)


def latest_decision(request_id: int, *, session: Session) -> Decision | None:
    return session.scalar(
        select(Decision)
        .where(col(Decision.request_id) == request_id)
        .order_by(col(Decision.decided_on).desc(), col(Decision.id).desc())
        .limit(1)
    )


def refresh_status(request: Request, *, session: Session) -> None:
    decision = latest_decision(request.id or 0, session=session)
    request.status = (
        STATUS_OF_DECISION[DecisionKind(decision.kind)] if decision else CaseStatus.OPEN
    )
    request.updated_at = utcnow()
    session.add(request)
    session.flush()


# --- the case list -----------------------------------------------------------------

SORT_KEYS = ("reference", "name", "cpas", "received_at", "status", "next_due")
# The case list's filters beyond the statuses: by the stored next time limit, and closed.
OVERDUE_FILTER, SOON_FILTER, CLOSED_FILTER = "overdue", "soon", "closed"
SOON_DAYS = 7
LIST_FILTERS = (OVERDUE_FILTER, SOON_FILTER, CLOSED_FILTER)


@dataclass(frozen=True)
class CaseRow:
    request_id: int
    reference: str
    person_id: int
    family_name: str
    given_names: str
    cpas_name_fr: str | None
    cpas_name_nl: str | None  # None (both) while a request being prepared has no CPAS
    received_at: dt.datetime | None  # None while the request is being prepared
    status: str
    next_due: dt.date | None = None
    next_rule: str | None = None
    next_state: str | None = None
    closed_on: dt.date | None = None
    urgent: bool = False


def _filter_condition(status: str | None, today: dt.date | None) -> Any:
    """The condition of a status or LIST_FILTERS key: a closed case shows only under
    "closed" (and with no filter at all)."""
    if not status:
        return None
    if status == CLOSED_FILTER:
        return col(Request.closed_on).is_not(None)
    still_open = col(Request.closed_on).is_(None)
    if status == OVERDUE_FILTER:
        return and_(still_open, col(Request.next_state) == "overdue")
    if status == SOON_FILTER:
        day = today or local_date(utcnow())
        return and_(
            still_open,
            col(Request.next_due) >= day,
            col(Request.next_due) <= day + dt.timedelta(days=SOON_DAYS),
        )
    return and_(still_open, col(Request.status) == status)


def _case_statement(query: str, status: str | None, session: Session, today: dt.date | None):  # type: ignore[no-untyped-def]
    statement = (
        select(
            col(Request.id),
            col(Request.reference),
            col(Person.id),
            col(Person.family_name),
            col(Person.given_names),
            # The commune alone: "CPAS de" on every line says nothing and costs the name room.
            func.coalesce(func.nullif(col(Cpas.commune_fr), ""), col(Cpas.name_fr)),
            func.coalesce(func.nullif(col(Cpas.commune_nl), ""), col(Cpas.name_nl)),
            col(Request.received_at),
            col(Request.status),
            col(Request.next_due),
            col(Request.next_rule),
            col(Request.next_state),
            col(Request.closed_on),
            col(Request.urgent),
        )
        .join(Person, col(Person.id) == col(Request.person_id))
        .join(Cpas, col(Cpas.id) == col(Request.cpas_id), isouter=True)  # none while preparing
    )
    condition = case_condition(query, session)
    if condition is not None:
        statement = statement.where(condition)
    filtered = _filter_condition(status, today)
    if filtered is not None:
        statement = statement.where(filtered)
    return statement


def _sort_columns(sort: str) -> list[Any]:
    columns: dict[str, list[Any]] = {
        "reference": [col(Request.reference)],
        "name": [col(Person.search_text)],
        "cpas": [col(Cpas.name_nl) if get_locale() == "nl" else col(Cpas.name_fr)],
        "received_at": [col(Request.received_at)],
        "status": [col(Request.status)],
        # Cases with nothing running come after every dated one, whichever the direction.
        "next_due": [col(Request.next_due)],
    }
    if sort not in columns:
        raise ValueError(f"unknown sort key {sort!r}")
    return columns[sort]


def list_cases(
    *,
    session: Session,
    query: str = "",
    status: str | None = None,
    offset: int = 0,
    limit: int = 200,
    sort: str = "received_at",
    descending: bool = True,
    today: dt.date | None = None,
) -> list[CaseRow]:
    """One page of the case list, filtered by typed words and a status or one of
    LIST_FILTERS (``today`` says which days are "soon"; Brussels' today by default)."""
    statement = _ordered(_case_statement(query, status, session, today), sort, descending)
    rows = session.execute(statement.offset(offset).limit(limit))
    return [CaseRow(*row) for row in rows]


def _ordered(statement: Any, sort: str, descending: bool) -> Any:
    order_columns = [*_sort_columns(sort), col(Request.id)]
    ordering = [c.desc() if descending else c.asc() for c in order_columns]
    if sort == "next_due":
        ordering[0] = ordering[0].nulls_last()
    return statement.order_by(*ordering)


def first_page(
    *,
    session: Session,
    query: str = "",
    status: str | None = None,
    count_limit: int | None = None,
    limit: int = 200,
    sort: str = "received_at",
    descending: bool = True,
    today: dt.date | None = None,
) -> tuple[int, list[CaseRow] | None]:
    """How many cases match (as :func:`count_cases`, up to ``count_limit``) and, when the
    search index found the few people they belong to, their first page, read in the same
    statement (the cases are then all gathered anyway to be sorted: counting them costs
    nothing more, where a count of its own would find them all again). Otherwise the page
    is None: read it with :func:`list_cases`."""
    if not query or case_condition(query, session) is None or not few_matches(query, session):
        count = count_cases(
            session=session, query=query, status=status, limit=count_limit, today=today
        )
        return count, None
    statement = _ordered(_case_statement(query, status, session, today), sort, descending)
    rows = session.execute(statement.add_columns(func.count().over()).limit(limit)).all()
    total = int(rows[0][-1]) if rows else 0
    if count_limit is not None:
        total = min(total, count_limit)
    return total, [CaseRow(*row[:-1]) for row in rows]


def count_cases(
    *,
    session: Session,
    query: str = "",
    status: str | None = None,
    limit: int | None = None,
    today: dt.date | None = None,
) -> int:
    """How many cases match; with ``limit``, counting stops there (the list shows "1,000+")."""
    statement = select(col(Request.id))
    condition = case_condition(query, session)
    if condition is not None:
        statement = statement.join(Person, col(Person.id) == col(Request.person_id)).where(
            condition
        )
    filtered = _filter_condition(status, today)
    if filtered is not None:
        statement = statement.where(filtered)
    if limit is not None:
        statement = statement.limit(limit)
    return int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)


# --- one case ------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    day: dt.date
    moment: dt.datetime | None
    kind: str
    text: str


@dataclass
class CaseDetail:
    request: Request
    person: Person
    cpas: Cpas | None  # None while a request being prepared has no CPAS yet
    aamus: list[Aamu]
    decisions: list[Decision]
    dependants: list[Person]
    other_requests: list[Request]
    timeline: list[TimelineEvent]
    # Appeals to the labour court, first filed first (read here: services.appeals imports
    # this module).
    appeals: list[Appeal] = field(default_factory=list)
    # The letters issued for the request: (kind, number, issued at), oldest first.
    letters: list[tuple[str, str, dt.datetime]] = field(default_factory=list)
    # Each decision's reasons, (key, explanation) in order: decision id → reasons.
    reasons: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    # The person's consents, withdrawn ones included, oldest first.
    consents: list[Consent] = field(default_factory=list)


def get_case(request_id: int, *, session: Session) -> CaseDetail:
    request = get_request(request_id, session=session)
    person = session.get(Person, request.person_id)
    cpas = session.get(Cpas, request.cpas_id) if request.cpas_id is not None else None
    assert person is not None
    aamus = list(
        session.scalars(
            select(Aamu).where(col(Aamu.request_id) == request_id).order_by(col(Aamu.issued_on))
        )
    )
    decisions = list(
        session.scalars(
            select(Decision)
            .where(col(Decision.request_id) == request_id)
            .order_by(col(Decision.decided_on), col(Decision.id))
        )
    )
    others = list(
        session.scalars(
            select(Request)
            .where(col(Request.person_id) == person.id, col(Request.id) != request_id)
            .order_by(col(Request.received_at).desc())
        )
    )
    appeals = list(
        session.scalars(
            select(Appeal)
            .where(col(Appeal.request_id) == request_id)
            .order_by(col(Appeal.filed_on), col(Appeal.id))
        )
    )
    detail = CaseDetail(
        request=request,
        person=person,
        cpas=cpas,
        aamus=aamus,
        decisions=decisions,
        dependants=list(dependants(person.id or 0, session=session)),
        other_requests=others,
        timeline=[],
        appeals=appeals,
        letters=[
            (row[0], row[1], row[2])
            for row in session.execute(
                select(col(Document.kind), col(Document.number), col(Document.issued_at))
                .where(
                    col(Document.request_id) == request_id,
                    col(Document.kind).in_(LETTER_KINDS),
                )
                .order_by(col(Document.issued_at), col(Document.id))
            )
        ],
    )
    decision_ids = [d.id for d in decisions if d.id is not None]
    for reason in session.scalars(
        select(DecisionReason)
        .where(col(DecisionReason.decision_id).in_(decision_ids))
        .order_by(col(DecisionReason.id))
    ):
        detail.reasons.setdefault(reason.decision_id, []).append((reason.key, reason.explanation))
    detail.consents = list(
        session.scalars(
            select(Consent)
            .where(col(Consent.person_id) == person.id)
            .order_by(col(Consent.given_on), col(Consent.id))
        )
    )
    detail.timeline = timeline(detail)
    return detail


def timeline(detail: CaseDetail) -> list[TimelineEvent]:
    """The case's events in order, each in one translated sentence."""
    request = detail.request
    events: list[TimelineEvent] = []
    if request.received_at is not None and detail.cpas is not None:
        events.append(
            TimelineEvent(
                local_date(request.received_at),
                request.received_at,
                "received",
                _("Request received by {cpas} ({channel}).").format(
                    cpas=detail.cpas.display_name(get_locale()),
                    channel=_(CHANNEL_LABELS[request.channel]),
                ),
            )
        )
    if request.care_started_on:
        events.append(TimelineEvent(request.care_started_on, None, "care", _("Care started.")))
    for aamu in detail.aamus:
        events.append(
            TimelineEvent(
                aamu.issued_on,
                None,
                "aamu",
                _("Urgent medical aid attestation signed by {doctor}.").format(
                    doctor=aamu.doctor_name
                ),
            )
        )
    for decision in detail.decisions:
        events.append(
            TimelineEvent(
                decision.decided_on,
                None,
                "decision",
                _("Decision: {kind}.").format(kind=_(DECISION_LABELS[decision.kind])),
            )
        )
        if decision.notified_on:
            events.append(
                TimelineEvent(decision.notified_on, None, "notification", _("Decision notified."))
            )
    for appeal in detail.appeals:
        events.extend(appeal_events(appeal))
    for kind, number, issued_at in detail.letters:
        events.append(
            TimelineEvent(
                local_date(issued_at),
                issued_at,
                "letter",
                _("{letter} {number} issued.").format(
                    letter=_(DOCUMENT_KINDS.get(kind, kind)), number=number
                ),
            )
        )
    if request.closed_on is not None:
        reason = CLOSE_REASON_LABELS.get(request.closed_reason or "")
        events.append(
            TimelineEvent(
                request.closed_on,
                None,
                "closed",
                _("Case closed: {reason}.").format(reason=_(reason) if reason else ""),
            )
        )
    order = {
        "received": 0,
        "care": 1,
        "aamu": 2,
        "decision": 3,
        "notification": 4,
        "appeal": 5,
        "hearing": 6,
        "appeal-outcome": 7,
        "letter": 8,
        "closed": 9,
    }
    return sorted(events, key=lambda e: (e.day, order[e.kind]))


def appeal_events(appeal: Appeal) -> list[TimelineEvent]:
    """An appeal's filing, its hearings and its outcome, for the timeline."""
    court = appeal.court
    if appeal.filed_how == "registry":
        filed = (
            _("Appeal filed at {court} (handed in at the registry).")
            if court
            else _("Appeal filed (handed in at the court's registry).")
        )
    else:
        filed = (
            _("Appeal filed at {court} (by registered letter).")
            if court
            else _("Appeal filed (by registered letter).")
        )
    filed = filed.format(court=court)
    if appeal.role_number:
        filed += " " + _("Role number {number}.").format(number=appeal.role_number)
    events = [TimelineEvent(appeal.filed_on, None, "appeal", filed)]
    hearing = _("Hearing at {court}.").format(court=court) if court else _("Hearing.")
    events.extend(TimelineEvent(day, None, "hearing", hearing) for day in appeal.hearing_list)
    if appeal.outcome is not None and appeal.outcome_on is not None:
        label = APPEAL_OUTCOME_LABELS.get(appeal.outcome)
        events.append(
            TimelineEvent(
                appeal.outcome_on,
                None,
                "appeal-outcome",
                _("Appeal outcome: {outcome}.").format(
                    outcome=_(label) if label else appeal.outcome
                ),
            )
        )
    return events


def person_requests(person_id: int, *, session: Session) -> Sequence[Request]:
    return list(
        session.scalars(
            select(Request)
            .where(col(Request.person_id) == person_id)
            .order_by(col(Request.received_at))
        )
    )
