"""Filing a prepared request, and the follow-on request a transfer creates at the CPAS it
went to.

An association registers a person and hands out the AAMU form before anything is filed: the
request is "preparing", with no date and no clock. Filing it gives it its CPAS and the day
and time the CPAS received it; from then on its limits run.

A CPAS that holds itself not competent sends the request on (loi organique des CPAS, art.
58 §3). The CPAS it went to receives it later: its own limits run from that day, not from
the first filing, since it cannot be blamed for a late transfer (SPP IS, MediPrima
instructions §3.2). The follow-on request keeps both: the first filing day (the claimant's
proof of when they asked, printed on its documents) and its own receipt.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from amudesk.i18n import _
from amudesk.models import CaseStatus, Request
from amudesk.services import FieldError
from amudesk.services import validation as v
from amudesk.services.cases import (
    RequestData,
    filed_at,
    get_request,
    local_date,
    register_request,
    request_to_edit,
    save_request,
)


def file_request(
    request_id: int,
    *,
    cpas_id: int | None,
    received_at: dt.datetime | None,
    session: Session,
    channel: str | None = None,
) -> Request:
    """File a request that was being prepared with ``cpas_id``, received at ``received_at``:
    it becomes open and its clocks start. Checked like any request (both are required)."""
    request = get_request(request_id, session=session)
    if request.status != CaseStatus.PREPARING:
        raise FieldError(
            "status",
            _("Request {reference} is already filed.").format(reference=request.reference),
        )
    return register_request(
        RequestData(
            person_id=request.person_id,
            cpas_id=cpas_id,
            received_at=received_at,
            channel=channel or request.channel,
            accompanied_by=request.accompanied_by,
            aamu_handed_in=request.aamu_handed_in,
            care_started_on=request.care_started_on,
            care_kind=request.care_kind,
            reference=request.reference,
            urgent=request.urgent,
            urgent_reason=request.urgent_reason,
        ),
        session=session,
        request_id=request_id,
    )


def first_filed_on(request: Request) -> dt.date:
    """The day the claimant first asked: the first CPAS's receipt for a follow-on request."""
    return request.first_filed_on or local_date(filed_at(request))


def follow_on(request_id: int, received_at: dt.datetime, *, session: Session) -> Request:
    """Create, at the CPAS the transfer of ``request_id`` went to, the request it received
    at ``received_at``; returns it (or the one already created)."""
    request = get_request(request_id, session=session)
    if request.transferred_on is None or request.transferred_to_id is None:
        raise FieldError(
            "transferred_to_id",
            _("Sent to: record the transfer and the CPAS it went to first."),
        )
    existing = following(request_id, session=session)
    if existing is not None:
        return existing
    if local_date(received_at) < request.transferred_on:
        raise FieldError(
            "received_at",
            _("Received on: the CPAS cannot receive the request before it was sent on."),
        )
    created = register_request(
        RequestData(
            person_id=request.person_id,
            cpas_id=request.transferred_to_id,
            received_at=received_at,
            channel=request.channel,
            accompanied_by=request.accompanied_by,
            aamu_handed_in=request.aamu_handed_in,
            care_started_on=request.care_started_on,
            care_kind=request.care_kind,
            urgent=request.urgent,
            urgent_reason=request.urgent_reason,
        ),
        session=session,
    )
    created.previous_id = request.id
    created.first_filed_on = first_filed_on(request)
    session.add(created)
    session.flush()
    return created


def following(request_id: int, *, session: Session) -> Request | None:
    """The follow-on request created after the transfer of ``request_id``, if any."""
    return session.scalar(select(Request).where(col(Request.previous_id) == request_id))


def record_spp_referral(
    request_id: int, day: dt.date | None, *, session: Session, version: int | None = None
) -> Request:
    """The day this CPAS, found not competent after a transfer, referred the conflict to the
    SPP IS (None to clear). ``version``: the request's, as the form showed it."""
    request = request_to_edit(request_id, version, session=session)
    if day is not None:
        v.not_in_future(day, "spp_referred_on", _("Referred to the SPP IS on"))
        if day < local_date(filed_at(request)):
            raise FieldError(
                "spp_referred_on",
                _("Referred to the SPP IS on: the referral cannot come before the request."),
            )
    request.spp_referred_on = day
    save_request(request, session=session)
    return request
