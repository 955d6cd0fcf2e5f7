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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from amudesk.deadlines import add_months
from amudesk.documents.layout import Letterhead
from amudesk.i18n import BRUSSELS, N_, _, format_date, gettext_for
from amudesk.models import (
    CHANNEL_LABELS,
    Card,
    CardStatus,
    Cpas,
    Decision,
    Document,
    Office,
    Person,
    Request,
)
from amudesk.models.base import utcnow
from amudesk.models.document import DOCUMENT_KINDS
from amudesk.models.office import PROFILE_LANGUAGES
from amudesk.services import FieldError, NotFound, audit, clock
from amudesk.services.cases import (
    filed_at,
    get_case,
    get_request,
    next_number,
    positive_decision,
)
from amudesk.services.office import get_office, require_office
from amudesk.store import Store

RECEIPT = "receipt"
AAMU_FORM = "aamu"
INFO_FORM = "info-form"
CARD = "card"
# Each kind numbers its documents per year: AR-2026-00042, AM-…, FI-…, CM-….
PREFIXES: dict[str, str] = {
    RECEIPT: "AR",
    AAMU_FORM: "AM",
    INFO_FORM: "FI",
    CARD: "CM",
    # The letters: each numbered in its own series.
    "reminder": "RC",
    "formal-notice": "MD",
    "reasons-request": "DM",
    "appeal": "RQ",
    "transfer-reasons": "TR",
}
LANGUAGES = ("fr", "nl", "en")
# An AAMU asks for aid for a period; a year is what doctors are usually asked to propose.
AAMU_SUGGESTED_MONTHS = 12


@dataclass(frozen=True)
class IssuedDocument:
    id: int
    kind: str
    number: str
    language: str
    issued_at: dt.datetime
    actor: str
    sha256: str


def document_number(kind: str, year: int, number: int) -> str:
    """``AR-2026-00042``: the kind's prefix, the year, the number in the year."""
    return f"{PREFIXES[kind]}-{year}-{number:05d}"


def _next_document_number(kind: str, now: dt.datetime, session: Session) -> str:
    year = now.astimezone(ZoneInfo(BRUSSELS)).year
    prefix = PREFIXES[kind]
    return document_number(kind, year, next_number(prefix, year, session=session))


def _office_for(session: Session) -> Office:
    return require_office(
        session=session,
        message=N_(
            "Office: fill in the office profile first; its name and address are printed "
            "on every document."
        ),
    )


def _archive(
    kind: str,
    number: str,
    pdf: bytes,
    *,
    request: Any,
    person_id: int | None,
    language: str,
    now: dt.datetime,
    session: Session,
) -> Document:
    """Keep ``pdf`` in the archive with its fingerprint; an audit ``print`` entry goes with it."""
    document = Document(
        kind=kind,
        number=number,
        request_id=request.id,
        person_id=person_id,
        language=language,
        issued_at=now,
        actor=audit.current_actor(session),
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
        detail=f"kind={kind};number={number};language={language}",
    )
    return document


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
    from amudesk.documents.receipt import ReceiptFacts, render_receipt

    office = require_office(
        session=session,
        message=N_(
            "Office: fill in the office profile first; its name and address go on the receipt."
        ),
    )
    language = document_language(language, office)
    # The request, its person and its CPAS are all the receipt shows: not the whole case.
    request = get_request(request_id, session=session)
    received_at = filed_at(request)  # a request being prepared has nothing to acknowledge
    person = session.get(Person, request.person_id)
    cpas = session.get(Cpas, request.cpas_id)
    assert person is not None and cpas is not None
    now = now or utcnow()
    number = _next_document_number(RECEIPT, now, session)
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
    facts = ReceiptFacts(
        number=number,
        issued_at=now,
        language=language,
        letterhead=Letterhead.from_office(office, language),
        office_kind=office.kind,
        signatory_name=office.signatory_name or "",
        signatory_title=office.localised("signatory_title", language) or "",
        labour_court_address=office.court_for(language) or "",
        reference=request.reference,
        family_name=person.family_name,
        given_names=person.given_names or "",
        birth_date=person.birth_date or "",
        niss=person.niss or "",
        cpas_name=cpas.display_name(language),
        cpas_address=cpas.address_in(language),
        received_at=received_at,
        first_filed_on=request.first_filed_on,
        channel_label=gettext_for(language, CHANNEL_LABELS.get(request.channel, "")),
        accompanied_by=request.accompanied_by or "",
        aamu_handed_in=bool(request.aamu_handed_in),
        decision_due=decision.due if decision is not None else None,
        notification_due_days=8,
        appeal_from=appeal_from,
        appeal_months=3,
        latin_name=person.latin_name or "",
    )
    pdf = render_receipt(facts)
    return _archive(
        RECEIPT,
        number,
        pdf,
        request=request,
        person_id=person.id,
        language=language,
        now=now,
        session=session,
    )


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


def record_reprint(document_id: int, *, session: Session, how: str = "print") -> None:
    """An archived copy was printed or saved again (``how``: print or save): audited."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(_("This document is not in the archive."))
    reference = ""
    if document.request_id is not None:
        request = session.get(Request, document.request_id)
        reference = request.reference if request is not None else ""
    audit.record(
        "reprint",
        session=session,
        entity="document",
        entity_id=document.id,
        reference=reference,
        detail=f"kind={document.kind};number={document.number};how={how}",
    )


# --- the AAMU form ----------------------------------------------------------------------


def issue_aamu_form(
    request_id: int,
    *,
    session: Session,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> Document:
    """Number, render and archive an AAMU form for the applicant of a request: their identity
    filled in, the rest left for the doctor; a validity of one year from today suggested."""
    from amudesk.documents.aamu import AamuFacts, render_aamu

    office = _office_for(session)
    language = document_language(language, office)
    case = get_case(request_id, session=session)
    now = now or utcnow()
    today = now.astimezone(ZoneInfo(BRUSSELS)).date()
    number = _next_document_number(AAMU_FORM, now, session)
    person, request = case.person, case.request
    # A request still being prepared has no CPAS yet: part 1 then names none.
    cpas: Cpas | None = case.cpas
    decision = _latest_positive(case)
    facts = AamuFacts(
        number=number,
        issued_at=now,
        language=language,
        letterhead=Letterhead.from_office(office, language),
        reference=request.reference,
        family_name=person.family_name,
        given_names=person.given_names or "",
        sex=person.sex or "U",
        birth_date=person.birth_date or "",
        niss=person.niss or "",
        cpas_name=cpas.display_name(language) if cpas is not None else "",
        cpas_address=cpas.address_in(language) if cpas is not None else "",
        suggested_valid_from=today,
        suggested_valid_to=add_months(today, AAMU_SUGGESTED_MONTHS) - dt.timedelta(days=1),
        latin_name=person.latin_name or "",
        cpas_phone=(cpas.phone or "") if cpas is not None else "",
        mediprima_number=(decision.mediprima_number or "") if decision is not None else "",
    )
    return _archive(
        AAMU_FORM,
        number,
        render_aamu(facts),
        request=request,
        person_id=person.id,
        language=language,
        now=now,
        session=session,
    )


# --- the information form (MediPrima) -----------------------------------------------------


def _dependant(case: Any, dependant: int | None) -> Any:
    """The ``dependant``-th minor of the case's applicant (1 = the eldest), or None."""
    if dependant is None:
        return None
    minors = case.dependants
    if not minors:
        raise FieldError(
            "dependant",
            _("Dependant: {reference} has no minor registered in their care.").format(
                reference=case.request.reference
            ),
        )
    if not 1 <= dependant <= len(minors):
        raise FieldError(
            "dependant",
            _("Dependant: choose a number from 1 to {count}.").format(count=len(minors)),
        )
    return minors[dependant - 1]


def _needs_photo(person: Any, kind: str) -> None:
    if not person.photo:
        raise FieldError(
            "photo",
            _("Photo: {name} has no photo; add one to their file first ({document}).").format(
                name=person.full_name, document=_(DOCUMENT_KINDS[kind])
            ),
        )


def _holder(person: Any, *, photo: bool) -> Any:
    from amudesk.documents.infoform import Holder

    return Holder(
        family_name=person.family_name,
        given_names=person.given_names or "",
        sex=person.sex or "U",
        birth_date=person.birth_date or "",
        niss=person.niss or "",
        photo=person.photo if photo else None,
        latin_name=person.latin_name or "",
    )


def issue_info_form(
    request_id: int,
    *,
    session: Session,
    language: str | None = None,
    dependant: int | None = None,
    now: dt.datetime | None = None,
) -> Document:
    """Number, render and archive the MediPrima information form of the applicant (with the
    table of their minor dependants), or with ``dependant`` (1 = the eldest) the separate
    form of one minor with the minor's photo. The holder must have a photo."""
    from amudesk.documents.infoform import InfoFormFacts, render_info_form

    office = _office_for(session)
    language = document_language(language, office)
    case = get_case(request_id, session=session)
    minor = _dependant(case, dependant)
    holder = minor if minor is not None else case.person
    _needs_photo(holder, INFO_FORM)
    decision = _latest_positive(case)
    now = now or utcnow()
    # The form tells care providers how to reach the CPAS: a request not filed with one
    # yet has none to name (FieldError, before a number is taken).
    filed_at(case.request)
    cpas = case.cpas
    assert cpas is not None  # a filed request has its CPAS
    number = _next_document_number(INFO_FORM, now, session)
    facts = InfoFormFacts(
        number=number,
        issued_at=now,
        language=language,
        letterhead=Letterhead.from_office(office, language),
        reference=case.request.reference,
        holder=_holder(holder, photo=True),
        dependants=()
        if minor is not None
        else tuple(_holder(child, photo=False) for child in case.dependants),
        for_minor=minor is not None,
        guardian_name=case.person.full_name if minor is not None else "",
        cpas_name=cpas.display_name(language),
        cpas_address=cpas.address_in(language),
        cpas_phone=cpas.phone or "",
        cpas_email=cpas.email or "",
        cpas_contact=cpas.amu_contact or "",
        mediprima_number=decision.mediprima_number if decision is not None else "",
    )
    return _archive(
        INFO_FORM,
        number,
        render_info_form(facts),
        request=case.request,
        person_id=holder.id,
        language=language,
        now=now,
        session=session,
    )


def _latest_positive(case: Any) -> Any:
    """The case's latest decision granting aid, or None."""
    positive = [d for d in case.decisions if positive_decision(d.kind)]
    return positive[-1] if positive else None


# --- medical cards --------------------------------------------------------------------------


@dataclass(frozen=True)
class CardRow:
    """A card as the case shows it."""

    id: int
    number: str
    person_name: str
    valid_from: dt.date
    valid_to: dt.date
    status: str
    prints: int
    document_id: int | None


def _card_facts(card: Card, office: Office, session: Session) -> Any:
    """What the card shows, from the database as it is now (names, photo, decision), and
    the ``office`` (read once by the caller for all its cards: it carries the logo)."""
    from amudesk.documents.card import CardFacts

    person = session.get(Person, card.person_id)
    decision = session.get(Decision, card.decision_id)
    request = session.get(Request, card.request_id)
    assert person is not None and decision is not None and request is not None
    cpas = session.get(Cpas, request.cpas_id)
    assert cpas is not None
    return CardFacts(
        number=card.number,
        language=card.language,
        photo=person.photo,
        family_name=person.family_name,
        given_names=person.given_names or "",
        niss=person.niss or "",
        mediprima_number=decision.mediprima_number or "",
        valid_from=card.valid_from,
        valid_to=card.valid_to,
        ticket_moderateur_covered=decision.ticket_moderateur,
        cpas_name=cpas.display_name(card.language),
        cpas_phone=cpas.phone or "",
        office_name=office.localised("name", card.language),
        office_phone=office.phone or "",
        office_email=office.email or "",
        latin_name=person.latin_name or "",
        birth_date=person.birth_date or "",
        cpas_address=cpas.address_in(card.language),
    )


def issue_card(
    request_id: int,
    *,
    session: Session,
    language: str | None = None,
    dependant: int | None = None,
    valid_to: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Card:
    """Make a medical card (status *new*) for the applicant of a request, or for the
    ``dependant``-th minor in their care, under the case's latest decision granting aid.
    The card is valid as long as the decision, or until ``valid_to`` if that is sooner,
    never longer; the holder needs a photo. Its PDF (front and back) is archived."""
    from amudesk.documents.card import render_card

    office = _office_for(session)
    language = document_language(language, office)
    case = get_case(request_id, session=session)
    minor = _dependant(case, dependant)
    holder = minor if minor is not None else case.person
    _needs_photo(holder, CARD)
    decision = _latest_positive(case)
    if decision is None or decision.valid_from is None or decision.valid_to is None:
        raise FieldError(
            "decision",
            _(
                "Decision: {reference} has no decision granting aid with a validity period; "
                "a card cannot be valid longer than its decision."
            ).format(reference=case.request.reference),
        )
    end = decision.valid_to
    if valid_to is not None:
        if valid_to < decision.valid_from:
            raise FieldError("valid_to", _("Valid until: the day is before the decision starts."))
        end = min(end, valid_to)
    now = now or utcnow()
    if end < now.astimezone(ZoneInfo(BRUSSELS)).date():
        raise FieldError(
            "decision",
            _(
                "Decision: the aid granted to {reference} ended on {date}; a card made now "
                "would already have expired."
            ).format(reference=case.request.reference, date=format_date(end)),
        )
    card = Card(
        number=_next_document_number(CARD, now, session),
        request_id=case.request.id or 0,
        person_id=holder.id or 0,
        decision_id=decision.id or 0,
        language=language,
        valid_from=decision.valid_from,
        valid_to=end,
        created_at=now,
    )
    session.add(card)
    session.flush()
    document = _archive(
        CARD,
        card.number,
        render_card(_card_facts(card, office, session)),
        request=case.request,
        person_id=holder.id,
        language=language,
        now=now,
        session=session,
    )
    card.document_id = document.id
    session.add(card)
    session.flush()
    return card


def cards_of_request(request_id: int, *, session: Session) -> list[CardRow]:
    """The cards made under a request, newest first."""
    rows = session.execute(
        select(Card, col(Person.family_name), col(Person.given_names))
        .join(Person, col(Person.id) == col(Card.person_id))
        .where(col(Card.request_id) == request_id)
        .order_by(col(Card.id).desc())
    ).all()
    return [
        CardRow(
            id=card.id or 0,
            number=card.number,
            person_name=f"{family.upper()} {given}".strip(),
            valid_from=card.valid_from,
            valid_to=card.valid_to,
            status=card.status,
            prints=card.prints,
            document_id=card.document_id,
        )
        for card, family, given in rows
    ]


def _get_card(card_id: int, session: Session) -> Card:
    card = session.get(Card, card_id)
    if card is None:
        raise NotFound(_("This card does not exist (any more)."))
    return card


def _card_reference(card: Card, session: Session) -> str:
    request = session.get(Request, card.request_id)
    return request.reference if request is not None else ""


def mark_cards_printed(
    card_ids: Sequence[int], *, session: Session, now: dt.datetime | None = None
) -> None:
    """The cards went to the printer: a new card becomes *printed*; printing one again is a
    reprint, counted and audited as such (its status does not go back)."""
    now = now or utcnow()
    for card_id in card_ids:
        card = _get_card(card_id, session)
        action = "print" if card.prints == 0 else "reprint"
        card.prints += 1
        card.printed_at = now
        if card.status == CardStatus.NEW:
            card.status = CardStatus.PRINTED
        session.add(card)
        audit.record(
            action,
            session=session,
            entity="card",
            entity_id=card.id,
            reference=_card_reference(card, session),
            detail=f"number={card.number};prints={card.prints}",
        )
    session.flush()


def hand_over_card(card_id: int, *, session: Session, now: dt.datetime | None = None) -> Card:
    """The holder received the card. Only a printed card can be handed over."""
    card = _get_card(card_id, session)
    if card.status == CardStatus.NEW:
        raise FieldError("status", _("Card {number}: print it first.").format(number=card.number))
    if card.status == CardStatus.HANDED_OVER:
        return card
    card.status = CardStatus.HANDED_OVER
    card.handed_over_at = now or utcnow()
    session.add(card)
    audit.record(
        "edit",
        session=session,
        entity="card",
        entity_id=card.id,
        reference=_card_reference(card, session),
        detail="fields=status",
    )
    session.flush()
    return card


def card_pdf(
    card_ids: Sequence[int],
    *,
    session: Session,
    sheet: bool,
    on_card: Callable[[int], None] | None = None,
) -> bytes:
    """The cards ``card_ids`` as one PDF, rendered in memory from the data as it is now:
    card-printer pages (front, back, front…) or, with ``sheet``, A4 sheets of 10 with cut
    marks and the backs mirrored. ``on_card(n)`` follows the drawing (see
    ``amudesk.documents.card.render_cards``). Recording the print is
    :func:`mark_cards_printed`'s job."""
    from amudesk.documents.card import render_card_sheet, render_cards

    office: Office | None = None
    facts: list[Any] = []
    for card_id in card_ids:
        card = _get_card(card_id, session)
        # The office, logo included, once for all the cards, at the first one: an empty
        # choice, or an unknown first card, is reported before a missing office.
        if office is None:
            office = _office_for(session)
        facts.append(_card_facts(card, office, session))
    if not facts:
        raise FieldError("cards", _("Cards: choose at least one card."))
    render = render_card_sheet if sheet else render_cards
    return render(facts, on_card=on_card)


@dataclass
class CardBatch:
    """Cards gathered for printing together: their ids, and the cases left out with why."""

    card_ids: list[int]
    skipped: list[tuple[str, str]]  # (reference, message)
    cancelled: bool = False


def gather_cards(
    request_ids: Sequence[int],
    *,
    store: Store,
    language: str | None = None,
    progress: Any = None,
    cancelled: Any = None,
) -> CardBatch:
    """For each request, the applicant's newest card not printed yet, else a new card
    (each in its own transaction: a case that cannot have a card is listed in ``skipped``
    with the reason and does not stop the others). ``progress(done, total)`` and
    ``cancelled()`` come from a background task; once cancelled it stops and says so
    (cards made until then are kept, unprinted, for the next batch)."""
    batch = CardBatch(card_ids=[], skipped=[])
    today = utcnow().astimezone(ZoneInfo(BRUSSELS)).date()
    total = len(request_ids)
    for done, request_id in enumerate(request_ids):
        if cancelled is not None and cancelled():
            batch.cancelled = True
            break
        try:
            with store.transaction() as session:
                request = get_request(request_id, session=session)
                waiting = session.scalar(
                    select(col(Card.id))
                    .where(
                        col(Card.request_id) == request_id,
                        col(Card.person_id) == request.person_id,
                        col(Card.status) == CardStatus.NEW,
                        col(Card.valid_to) >= today,  # an expired card waits in vain
                    )
                    .order_by(col(Card.id).desc())
                    .limit(1)
                )
                if waiting is None:
                    waiting = issue_card(request_id, session=session, language=language).id
                batch.card_ids.append(int(waiting or 0))
        except (FieldError, NotFound) as exc:
            with store.session() as session:
                found = session.get(Request, request_id)
                reference = found.reference if found is not None else str(request_id)
            batch.skipped.append((reference, str(exc)))
        if progress is not None:
            progress(done + 1, total)
    return batch


# --- what a document would print without ----------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """A detail a document prints that is not filled in: ``owner`` "office" (the office
    profile) or "cpas" (the CPAS directory, ``cpas_id``), ``field`` the column to fill in,
    ``label`` in plain words of the interface's language ("the CPAS's phone number")."""

    owner: str
    field: str
    label: str
    cpas_id: int | None = None


# The letter kinds (``amudesk.letters.KINDS``), named here: this module cannot import
# services.letters, which imports it.
_REMINDERS = ("reminder", "formal-notice", "reasons-request")
_APPEAL = "appeal"
_TRANSFER = "transfer-reasons"
# What each kind prints from the office profile (the letterhead's address and phone; the
# card's back only the phone), and from the CPAS directory.
_OFFICE_CONTACTS: dict[str, tuple[str, ...]] = {
    RECEIPT: ("address", "phone", "labour_court_address"),
    AAMU_FORM: ("address", "phone"),
    INFO_FORM: ("address", "phone"),
    CARD: ("phone",),
    **{kind: ("address", "phone") for kind in _REMINDERS},
    _APPEAL: ("address", "phone", "labour_court_address"),
    _TRANSFER: ("address", "phone"),
}
_CPAS_CONTACTS: dict[str, tuple[str, ...]] = {
    RECEIPT: (),
    AAMU_FORM: ("address",),
    INFO_FORM: ("phone", "address"),
    CARD: ("phone",),  # and its address when it has no phone: see missing_contacts
    **{kind: ("address",) for kind in _REMINDERS},
    _APPEAL: ("address",),
    _TRANSFER: (),
}
# The office's words each kind prints in the document's language (Office.localised).
_OFFICE_WORDINGS: dict[str, tuple[str, ...]] = {
    RECEIPT: ("name", "address", "signatory_title", "labour_court_address"),
    AAMU_FORM: ("name", "address"),
    INFO_FORM: ("name", "address"),
    CARD: ("name",),
    **{kind: ("name", "address", "signatory_title") for kind in (*_REMINDERS, _TRANSFER)},
    _APPEAL: ("name", "address", "signatory_title", "labour_court_address"),
}
_OFFICE_LABELS: dict[str, str] = {
    "address": N_("the office's address"),
    "phone": N_("the office's phone number"),
    "labour_court_address": N_("the labour court's name and address"),
}
_CPAS_LABELS: dict[str, str] = {
    "address": N_("the CPAS's address"),
    "phone": N_("the CPAS's phone number"),
}
_WORDING_LABELS: dict[str, str] = {
    "name_fr": N_("the office's name in French"),
    "name_nl": N_("the office's name in Dutch"),
    "address_fr": N_("the office's address in French"),
    "address_nl": N_("the office's address in Dutch"),
    "signatory_title_fr": N_("the signatory's title in French"),
    "signatory_title_nl": N_("the signatory's title in Dutch"),
    "labour_court_address_fr": N_("the French-speaking labour court"),
    "labour_court_address_nl": N_("the Dutch-speaking labour court"),
}
_KIND_ALIASES = {"info": INFO_FORM}


def missing_contacts(
    kind: str, request_id: int, *, session: Session, language: str | None = None
) -> list[Missing]:
    """What the document of ``kind`` ("receipt", "aamu", "info", "card" or a letter's
    kind) would print for request ``request_id`` in ``language`` (by default the office's
    document language, as issuing it does) but cannot, because it is not filled in: the
    office's address and phone on the letterhead, the labour court, the CPAS's phone and
    address where the document tells how to reach it, and the office's own words in the
    document's language when only another language's would print. Nothing here stops a
    document: it prints without them, and says nothing about what it lacks."""
    kind = _KIND_ALIASES.get(kind, kind)
    if kind not in _OFFICE_CONTACTS:
        raise ValueError(f"unknown document kind: {kind}")
    request = get_request(request_id, session=session)
    office = get_office(session=session)
    if office is None:
        return [Missing("office", "name", _("the office profile (its name and address)"))]
    language = document_language(language, office)
    found: list[Missing] = []
    for name in _OFFICE_CONTACTS[kind]:
        localised = name in ("address", "labour_court_address")
        value = office.localised(name, language) if localised else getattr(office, name)
        if not str(value or "").strip():
            found.append(Missing("office", name, _(_OFFICE_LABELS[name])))
    # The main language's words stand in for the reader's when the profile lacks them.
    if language in PROFILE_LANGUAGES and language != office.document_language:
        for name in _OFFICE_WORDINGS[kind]:
            own = f"{name}_{language}"
            if str(getattr(office, name) or "").strip() and not str(getattr(office, own)).strip():
                found.append(Missing("office", own, _(_WORDING_LABELS[own])))
    cpas = session.get(Cpas, request.cpas_id) if request.cpas_id is not None else None
    if cpas is not None:
        wanted = list(_CPAS_CONTACTS[kind])
        if kind == CARD and not cpas.phone.strip():
            wanted.append("address")  # the back then says where the CPAS is
        for name in wanted:
            if not str(getattr(cpas, name) or "").strip():
                found.append(Missing("cpas", name, _(_CPAS_LABELS[name]), cpas_id=cpas.id))

    return found
