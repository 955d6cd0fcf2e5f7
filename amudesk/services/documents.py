"""Issuing documents: numbered, rendered, archived in the encrypted store, audited.

A document is rendered once, when it is issued; the PDF bytes and their SHA-256 are kept
in the ``document`` table (inside the encrypted database, never as a plain file) so that
the copy handed out can be found and reopened exactly as it was. Receipt numbers run per
office and year (``AR-2026-00042``): the counter moves in the same transaction as the
archived copy, so a number is never used twice and never skipped by a document that was
kept (a failed rendering rolls the counter back with everything else).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from amudesk.i18n import BRUSSELS, _, gettext_for
from amudesk.models import Document, Office
from amudesk.models.base import utcnow
from amudesk.services import FieldError, NotFound, audit
from amudesk.services.cases import CHANNEL_LABELS, get_case, next_number

RECEIPT = "receipt"
RECEIPT_PREFIX = "AR"
LANGUAGES = ("fr", "nl", "en")


@dataclass(frozen=True)
class IssuedDocument:
    id: int
    kind: str
    number: str
    language: str
    issued_at: dt.datetime
    actor: str
    sha256: str


def receipt_number(year: int, number: int) -> str:
    return f"{RECEIPT_PREFIX}-{year}-{number:05d}"


def document_language(language: str | None, office: Office | None) -> str:
    """The language asked for, else the office's default document language, else French."""
    chosen = language or (office.document_language if office is not None else None) or "fr"
    if chosen not in LANGUAGES:
        raise FieldError("language", _("Language: choose French, Dutch or English."))
    return chosen


def issue_receipt(
    request_id: int,
    *,
    session: Session,
    language: str | None = None,
    now: dt.datetime | None = None,
    clock_settings: Any = None,
) -> Document:
    """Number, render and archive the acknowledgement of receipt of a request (a proof of
    filing when the office is an association); an audit entry ``print`` goes with it.
    ``clock_settings`` (amudesk.settings' ``clock_settings()``) say how the dates move."""
    from zoneinfo import ZoneInfo

    from amudesk.documents.layout import Letterhead
    from amudesk.documents.receipt import ReceiptFacts, render_receipt
    from amudesk.services import clock
    from amudesk.services.office import get_office

    office = get_office(session=session)
    if office is None:
        raise FieldError(
            "office",
            _("Office: fill in the office profile first; its name and address go on the receipt."),
        )
    language = document_language(language, office)
    case = get_case(request_id, session=session)
    now = now or utcnow()
    year = now.astimezone(ZoneInfo(BRUSSELS)).year
    number = receipt_number(year, next_number(RECEIPT_PREFIX, year, session=session))
    found = {
        d.rule: d
        for d in clock.deadlines(
            session=session,
            today=now.astimezone(ZoneInfo(BRUSSELS)).date(),
            request_ids=[request_id],
            settings=clock_settings,
            language=language,
        )
    }
    decision = found.get("decision")
    no_decision = found.get("appeal-no-decision")
    appeal_from = None
    if no_decision is not None and no_decision.event_on is not None:
        appeal_from = no_decision.event_on + dt.timedelta(days=1)
    person, request = case.person, case.request
    facts = ReceiptFacts(
        number=number,
        issued_at=now,
        language=language,
        letterhead=Letterhead.from_office(office),
        office_kind=office.kind,
        signatory_name=office.signatory_name or "",
        signatory_title=office.signatory_title or "",
        labour_court_address=office.labour_court_address or "",
        reference=request.reference,
        family_name=person.family_name,
        given_names=person.given_names or "",
        birth_date=person.birth_date or "",
        niss=person.niss or "",
        cpas_name=case.cpas.display_name(language),
        cpas_address=case.cpas.address or "",
        received_at=request.received_at,
        channel_label=gettext_for(language, CHANNEL_LABELS.get(request.channel, "")),
        accompanied_by=request.accompanied_by or "",
        aamu_handed_in=bool(request.aamu_handed_in),
        decision_due=decision.due if decision is not None else None,
        notification_due_days=8,
        appeal_from=appeal_from,
        appeal_months=3,
    )
    pdf = render_receipt(facts)
    document = Document(
        kind=RECEIPT,
        number=number,
        request_id=request.id,
        person_id=person.id,
        language=language,
        issued_at=now,
        actor=audit.current_actor(),
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    session.add(document)
    session.flush()
    audit.record(
        "print",
        session=session,
        entity="document",
        entity_id=document.id,
        reference=request.reference,
        detail=f"kind={RECEIPT};number={number};language={language}",
    )
    return document


def documents_of_request(request_id: int, *, session: Session) -> Sequence[IssuedDocument]:
    """Every document issued for a request, newest first (without the PDF bytes)."""
    rows = session.execute(
        select(
            col(Document.id),
            col(Document.kind),
            col(Document.number),
            col(Document.language),
            col(Document.issued_at),
            col(Document.actor),
            col(Document.sha256),
        )
        .where(col(Document.request_id) == request_id)
        .order_by(col(Document.issued_at).desc(), col(Document.id).desc())
    ).all()
    return [IssuedDocument(*row) for row in rows]


def archived_pdf(document_id: int, *, session: Session) -> bytes:
    """The PDF exactly as it was handed out; refused if its bytes no longer match their hash."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(_("This document is not in the archive."))
    if hashlib.sha256(document.pdf).hexdigest() != document.sha256:
        raise FieldError(
            "document",
            _("Document {number}: the archived copy does not match its fingerprint.").format(
                number=document.number
            ),
        )
    return document.pdf
