"""Appeals to the labour court: when and how filed, where, the role number, the hearings
and the outcome. The request's ``appealed_on`` (what stops the appeal clocks) is the day
the first appeal was filed, kept in step here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session, col

from amudesk.dates import brussels_today
from amudesk.i18n import _
from amudesk.models import APPEAL_FILING_LABELS, APPEAL_OUTCOME_LABELS, Appeal, Request
from amudesk.models.base import utcnow
from amudesk.services import FieldError, NotFound, audit
from amudesk.services import validation as v
from amudesk.services.cases import filed_at, get_request, local_date, save_request
from amudesk.services.editing import check_version, locked

MAX_HEARINGS = 10


@dataclass
class AppealData:
    filed_on: dt.date | None = None
    filed_how: str = "registered-letter"
    court: str = ""
    role_number: str = ""
    hearing_dates: Sequence[dt.date] = field(default_factory=list)
    outcome: str | None = None
    outcome_on: dt.date | None = None
    # The appeal's version the form showed (None: not read first).
    version: int | None = None


def check_appeal(data: AppealData, received_on: dt.date, *, today: dt.date | None = None) -> None:
    """Raise FieldError for the first thing wrong with an appeal of a request received on
    ``received_on``."""
    today = today or brussels_today()
    if data.filed_on is None:
        raise FieldError("filed_on", _("Filed on: this field is required."))
    v.not_in_future(data.filed_on, "filed_on", _("Filed on"), today=today)
    if data.filed_on < received_on:
        raise FieldError("filed_on", _("Filed on: the appeal cannot come before the request."))
    if data.filed_how not in APPEAL_FILING_LABELS:
        raise FieldError(
            "filed_how", _("How it was filed: choose the registry or a registered letter.")
        )
    if len(data.hearing_dates) > MAX_HEARINGS:
        raise FieldError(
            "hearing_dates",
            _("Hearings: at most {n} hearing days.").format(n=MAX_HEARINGS),
        )
    for day in data.hearing_dates:
        if day < data.filed_on:
            raise FieldError(
                "hearing_dates", _("Hearings: a hearing cannot come before the filing.")
            )
    if data.outcome is not None and data.outcome not in APPEAL_OUTCOME_LABELS:
        raise FieldError("outcome", _("Outcome: choose one of the outcomes listed."))
    if data.outcome is None and data.outcome_on is not None:
        raise FieldError("outcome", _("Outcome: say what the outcome was, or clear its date."))
    if data.outcome is not None:
        if data.outcome_on is None:
            raise FieldError("outcome_on", _("Outcome on: give the day of the outcome."))
        v.not_in_future(data.outcome_on, "outcome_on", _("Outcome on"), today=today)
        if data.outcome_on < data.filed_on:
            raise FieldError(
                "outcome_on", _("Outcome on: the outcome cannot come before the filing.")
            )


def appeals_of(request_id: int, *, session: Session) -> list[Appeal]:
    return list(
        session.scalars(
            select(Appeal)
            .where(col(Appeal.request_id) == request_id)
            .order_by(col(Appeal.filed_on), col(Appeal.id))
        )
    )


def record_appeal(
    request_id: int,
    data: AppealData,
    *,
    session: Session,
    appeal_id: int | None = None,
    today: dt.date | None = None,
) -> Appeal:
    """Record (or correct) an appeal of the request; audited; the appeal clocks stop on the
    day the first appeal was filed."""
    request = get_request(request_id, session=session)
    check_appeal(data, local_date(filed_at(request)), today=today)
    appeal = locked(Appeal, appeal_id, session) if appeal_id is not None else None
    if appeal_id is not None and (appeal is None or appeal.request_id != request_id):
        raise NotFound(_("This appeal is not in the database."))
    if appeal is not None:
        check_version(appeal, data.version)
    assert data.filed_on is not None
    if appeal is None:
        appeal = Appeal(request_id=request_id, filed_on=data.filed_on)
    appeal.filed_on = data.filed_on
    appeal.filed_how = data.filed_how
    appeal.court = v.clean(data.court, "court", _("Court"), max_length=300, printed=True)
    appeal.role_number = v.note(data.role_number, "role_number", _("Role number"), max_length=40)
    appeal.hearing_dates = ",".join(day.isoformat() for day in sorted(set(data.hearing_dates)))
    appeal.outcome = data.outcome
    appeal.outcome_on = data.outcome_on
    appeal.updated_at = utcnow()
    created, fields = appeal.id is None, audit.changed_fields(appeal)
    session.add(appeal)
    session.flush()
    audit.record_saved(
        "appeal",
        appeal.id,
        session=session,
        created=created,
        fields=fields,
        reference=request.reference,
    )
    _follow(request, session)
    return appeal


def delete_appeal(appeal_id: int, *, session: Session) -> None:
    """Remove an appeal recorded by mistake; audited; the clocks follow."""
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(_("This appeal is not in the database."))
    request = get_request(appeal.request_id, session=session)
    session.delete(appeal)
    session.flush()
    audit.record(
        "delete", session=session, entity="appeal", entity_id=appeal_id, reference=request.reference
    )
    _follow(request, session)


def set_first_filing(request_id: int, day: dt.date | None, *, session: Session) -> Request:
    """What the short "record the appeal" form does: the day the (first) appeal was filed,
    or None to remove the appeals recorded."""
    request = get_request(request_id, session=session)
    found = appeals_of(request_id, session=session)
    if day is None:
        for appeal in found:
            delete_appeal(appeal.id or 0, session=session)
        return request
    if not found:
        record_appeal(request_id, AppealData(filed_on=day), session=session)
        return request
    first = found[0]
    record_appeal(
        request_id,
        AppealData(
            filed_on=day,
            filed_how=first.filed_how,
            court=first.court,
            role_number=first.role_number,
            hearing_dates=first.hearing_list,
            outcome=first.outcome,
            outcome_on=first.outcome_on,
        ),
        session=session,
        appeal_id=first.id,
    )
    return request


def _follow(request: Request, session: Session) -> None:
    """The request's ``appealed_on``: the day the first appeal still recorded was filed."""
    days = [appeal.filed_on for appeal in appeals_of(request.id or 0, session=session)]
    first = min(days) if days else None
    if request.appealed_on != first:
        request.appealed_on = first
        request.updated_at = utcnow()
        save_request(request, session=session)
