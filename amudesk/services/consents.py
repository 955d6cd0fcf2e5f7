"""A person's consent: to the association's follow-up with the CPAS, to letters on their
behalf (the mandate), to statistics without names. It must be demonstrable (GDPR art.
7(1)): when and how it was given is kept; it can be withdrawn at any time (art. 7(3)), and
the withdrawn record stays, with its day, as the proof of both."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session, col

from amudesk.dates import brussels_today
from amudesk.i18n import _
from amudesk.models import CONSENT_HOW_LABELS, CONSENT_USE_LABELS, Consent, ConsentUse, Person
from amudesk.services import FieldError, NotFound, audit
from amudesk.services import validation as v


@dataclass
class ConsentData:
    given_on: dt.date | None = None
    how: str = "signed"
    uses: Sequence[str] = field(default_factory=list)
    note: str = ""


def record_consent(
    person_id: int, data: ConsentData, *, session: Session, today: dt.date | None = None
) -> Consent:
    """Record what the person agreed to; audited (the uses' codes, never the note)."""
    if session.get(Person, person_id) is None:
        raise NotFound(_("This person is not in the database."))
    if data.given_on is None:
        raise FieldError("given_on", _("Given on: this field is required."))
    v.not_in_future(data.given_on, "given_on", _("Given on"), today=today)
    if data.how not in CONSENT_HOW_LABELS:
        raise FieldError("how", _("How it was given: choose one."))
    uses = [code for code in CONSENT_USE_LABELS if code in data.uses]
    unknown = [code for code in data.uses if code not in CONSENT_USE_LABELS]
    if unknown or not uses:
        raise FieldError("uses", _("Uses: tick at least one of those listed."))
    note = v.note(data.note, "note", _("Note"), max_length=300)
    if data.how == "oral" and not note:
        raise FieldError("note", _("Note: name the witness of a consent given orally."))
    consent = Consent(
        person_id=person_id, given_on=data.given_on, how=data.how, uses=",".join(uses), note=note
    )
    session.add(consent)
    session.flush()
    audit.record(
        "create",
        session=session,
        entity="consent",
        entity_id=consent.id,
        detail=f"person={person_id};uses={consent.uses}",
    )
    return consent


def withdraw_consent(
    consent_id: int, *, session: Session, day: dt.date | None = None, today: dt.date | None = None
) -> Consent:
    """The person withdrew this consent on ``day`` (today by default); audited."""
    consent = session.get(Consent, consent_id)
    if consent is None:
        raise NotFound(_("This consent is not in the database."))
    if consent.withdrawn_on is not None:
        raise FieldError("withdrawn_on", _("Withdrawn on: this consent is already withdrawn."))
    day = day or today or brussels_today()
    v.not_in_future(day, "withdrawn_on", _("Withdrawn on"), today=today)
    if day < consent.given_on:
        raise FieldError(
            "withdrawn_on", _("Withdrawn on: the withdrawal cannot come before the consent.")
        )
    consent.withdrawn_on = day
    session.add(consent)
    session.flush()
    audit.record(
        "edit",
        session=session,
        entity="consent",
        entity_id=consent.id,
        detail=f"person={consent.person_id};fields=withdrawn_on",
    )
    return consent


def consents_of(person_id: int, *, session: Session) -> list[Consent]:
    """Every consent the person gave, withdrawn ones included, oldest first."""
    return list(
        session.scalars(
            select(Consent)
            .where(col(Consent.person_id) == person_id)
            .order_by(col(Consent.given_on), col(Consent.id))
        )
    )


def current_uses(person_id: int, *, session: Session, on: dt.date | None = None) -> set[str]:
    """What the person agrees to on ``on`` (today by default): the uses of every consent
    given by then and not withdrawn by then."""
    on = on or brussels_today()
    return {
        use
        for consent in consents_of(person_id, session=session)
        if consent.given_on <= on and (consent.withdrawn_on is None or consent.withdrawn_on > on)
        for use in consent.use_list
    }


def has_mandate(person_id: int, *, session: Session, on: dt.date | None = None) -> bool:
    """Whether letters may be sent on the person's behalf: a mandate given, not withdrawn."""
    return ConsentUse.LETTERS in current_uses(person_id, session=session, on=on)
