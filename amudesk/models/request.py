"""An AMU request (the case), the attestations handed in and the CPAS decisions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from amudesk.i18n import N_
from amudesk.models.base import utcnow


class Channel(StrEnum):
    IN_PERSON = "in_person"
    SERVICE = "service"
    HOSPITAL = "hospital"
    ONLINE = "online"
    POST = "post"
    EMAIL = "email"


class DecisionKind(StrEnum):
    PRINCIPLE = "principle"
    GUARANTEE = "guarantee"
    REFUSAL = "refusal"
    INCOMPETENT = "incompetent"


class CaseStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"
    REFUSED = "refused"
    TRANSFERRED = "transferred"
    # Registered, and perhaps an AAMU form issued, before anything was filed with a CPAS: no
    # CPAS, no date, no clock. Filing it sets both and makes it open.
    PREPARING = "preparing"


class UrgentReason(StrEnum):
    """Why a request is urgent, as a category: never a diagnosis."""

    HOSPITAL = "hospital"  # in hospital or about to be admitted
    TREATMENT = "treatment"  # a treatment that cannot wait (medicines, dialysis, care under way)
    PREGNANCY = "pregnancy"
    CHILD = "child"  # care for a child
    OTHER = "other"


class CloseReason(StrEnum):
    COVERED = "covered"
    LEFT = "left"
    WITHDRAWN = "withdrawn"
    TRANSFERRED = "transferred"
    APPEAL_ENDED = "appeal-ended"
    OTHER = "other"


class CareKind(StrEnum):
    MEDIPRIMA = "mediprima"
    OTHER = "other"


# The names of the values above for people (translated when shown).
CHANNEL_LABELS: dict[str, str] = {
    Channel.IN_PERSON: N_("In person"),
    Channel.SERVICE: N_("Through a social service"),
    Channel.HOSPITAL: N_("Hospital social service"),
    Channel.ONLINE: N_("Online"),
    Channel.POST: N_("By post"),
    Channel.EMAIL: N_("By e-mail"),
}
DECISION_LABELS: dict[str, str] = {
    DecisionKind.PRINCIPLE: N_("Decision in principle"),
    DecisionKind.GUARANTEE: N_("Coverage guarantee"),
    DecisionKind.REFUSAL: N_("Refusal"),
    DecisionKind.INCOMPETENT: N_("Territorial incompetence"),
}
STATUS_LABELS: dict[str, str] = {
    CaseStatus.OPEN: N_("Open"),
    CaseStatus.DECIDED: N_("Decided"),
    CaseStatus.REFUSED: N_("Refused"),
    CaseStatus.TRANSFERRED: N_("Transferred"),
    CaseStatus.PREPARING: N_("Preparing (not filed yet)"),
}
URGENT_REASON_LABELS: dict[str, str] = {
    UrgentReason.HOSPITAL: N_("In hospital or about to be admitted"),
    UrgentReason.TREATMENT: N_("Treatment that cannot wait"),
    UrgentReason.PREGNANCY: N_("Pregnancy"),
    UrgentReason.CHILD: N_("Care for a child"),
    UrgentReason.OTHER: N_("Other urgency"),
}
CLOSE_REASON_LABELS: dict[str, str] = {
    CloseReason.COVERED: N_("Care received and covered"),
    CloseReason.LEFT: N_("Person left or cannot be reached"),
    CloseReason.WITHDRAWN: N_("Request withdrawn"),
    CloseReason.TRANSFERRED: N_("Transferred and followed up elsewhere"),
    CloseReason.APPEAL_ENDED: N_("Appeal ended"),
    CloseReason.OTHER: N_("Other reason (in the note)"),
}
CARE_KIND_LABELS: dict[str, str] = {
    CareKind.MEDIPRIMA: N_("Billed through MediPrima (hospital, GP)"),
    CareKind.OTHER: N_("Other care"),
}


# MediPrima care categories: stable codes and their English names (translated when shown).
CARE_CATEGORIES: dict[str, str] = {
    "hospital": N_("Hospitalisation"),
    "ambulatory": N_("Ambulatory care"),
    "gp": N_("General practitioner"),
    "paramedical": N_("Paramedical care"),
    "pharmacy": N_("Pharmaceutical costs"),
    "prostheses": N_("Prostheses"),
    "transport": N_("Medical transport"),
    "other": N_("Miscellaneous"),
}


class Request(SQLModel, table=True):
    # The "overdue" filter reads its cases in next-limit order from this index.
    __table_args__ = (Index("ix_request_next", "next_state", "next_due"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=30, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    # Both None while the request is being prepared (CaseStatus.PREPARING), set when filed.
    cpas_id: int | None = Field(default=None, foreign_key="cpas.id", index=True)
    received_at: dt.datetime | None = Field(default=None, index=True)  # aware, stored as UTC
    channel: str = Field(default=Channel.IN_PERSON, max_length=20)
    accompanied_by: str = Field(default="", max_length=200)
    aamu_handed_in: bool = Field(default=False)
    care_started_on: dt.date | None = Field(default=None)
    care_kind: str | None = Field(default=None, max_length=20)
    # Follows the latest decision; kept here so the case list filters without a join.
    status: str = Field(default=CaseStatus.OPEN, max_length=20, index=True)
    # A CPAS that held itself not competent sent the request on to another CPAS: when, and
    # to which (None when not recorded).
    transferred_on: dt.date | None = Field(default=None)
    transferred_to_id: int | None = Field(default=None, foreign_key="cpas.id")
    # A follow-on request, received by the CPAS a transfer went to: the request it follows
    # on from, and the day the claimant first filed (their proof of when they asked; this
    # request's own limits run from received_at, the day this CPAS received it).
    previous_id: int | None = Field(default=None, foreign_key="request.id")
    first_filed_on: dt.date | None = Field(default=None)
    # A second CPAS that also holds itself not competent refers the conflict to the SPP IS.
    spp_referred_on: dt.date | None = Field(default=None)
    # Flagged urgent at filing (UrgentReason, never a diagnosis): first on the worklist.
    urgent: bool = Field(default=False)
    urgent_reason: str | None = Field(default=None, max_length=20)
    # The claimant appealed to the labour court.
    appealed_on: dt.date | None = Field(default=None)
    # The office closed the case (CloseReason, and a note for "other"); reopening clears them.
    closed_on: dt.date | None = Field(default=None, index=True)
    closed_reason: str | None = Field(default=None, max_length=20)
    closed_note: str = Field(default="", max_length=300)
    # The case's next time limit as the clock last counted it (services.nextdue keeps it in
    # step in the transaction of every change, and recounts all once a day): the case list
    # sorts and filters by it without counting 100,000 cases. None when nothing runs.
    next_due: dt.date | None = Field(default=None, index=True)
    next_rule: str | None = Field(default=None, max_length=30)
    next_state: str | None = Field(default=None, max_length=20)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)  # as on Person (amudesk.services.editing)
    updated_by: str = Field(default="", max_length=100)


class Aamu(SQLModel, table=True):
    """An urgent medical aid attestation: dates, doctor and care categories, never a diagnosis."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    issued_on: dt.date
    doctor_name: str = Field(max_length=200)
    inami: str | None = Field(default=None, max_length=11)
    valid_from: dt.date | None = Field(default=None)
    valid_to: dt.date | None = Field(default=None)
    # Codes of CARE_CATEGORIES separated by commas.
    care_categories: str = Field(default="", max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)  # as on Person (amudesk.services.editing)
    updated_by: str = Field(default="", max_length=100)

    @property
    def category_list(self) -> list[str]:
        return [code for code in self.care_categories.split(",") if code]


class Decision(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    kind: str = Field(max_length=20)
    decided_on: dt.date
    notified_on: dt.date | None = Field(default=None)
    valid_from: dt.date | None = Field(default=None)
    valid_to: dt.date | None = Field(default=None)
    mediprima_number: str = Field(default="", max_length=40)
    # How the decision was notified: hand, registered or ordinary (deadlines.NotificationMethod).
    notification_method: str | None = Field(default=None, max_length=20)
    # Posting date of a registered letter; notified_on is then the day it took effect.
    posted_on: dt.date | None = Field(default=None)
    # Mandatory mentions the notification lacks (deadlines.MENTIONS codes, comma separated).
    missing_mentions: str = Field(default="", max_length=200)
    # The day the decision was encoded in MediPrima.
    encoded_on: dt.date | None = Field(default=None)
    # Whether the CPAS also covers the ticket modérateur (remgeld) of ambulatory care;
    # None: the decision does not say. Printed on the medical card.
    ticket_moderateur: bool | None = Field(default=None)
    # Taken to carry out a labour court judgment: its validity may start earlier than the
    # 60 days an ordinary decision may reach back.
    court_ordered: bool = Field(default=False)
    court_judgment_on: dt.date | None = Field(default=None)
    court_name: str = Field(default="", max_length=300)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)  # as on Person (amudesk.services.editing)
    updated_by: str = Field(default="", max_length=100)

    @property
    def missing_mention_list(self) -> list[str]:
        return [code for code in self.missing_mentions.split(",") if code]


class DecisionReason(SQLModel, table=True):
    """One reason a refusal or a finding of incompetence gave (amudesk.refusals' keys),
    with what the office notes about it for a letter."""

    __tablename__ = "decision_reason"

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    key: str = Field(max_length=30)
    explanation: str = Field(default="", max_length=500)


class AppealOutcome(StrEnum):
    GRANTED = "granted"
    PARTLY = "partly"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REVISED = "revised"  # the CPAS changed its decision before the judgment


class AppealFiling(StrEnum):
    REGISTRY = "registry"  # handed in at the court's registry
    REGISTERED_LETTER = "registered-letter"


APPEAL_OUTCOME_LABELS: dict[str, str] = {
    AppealOutcome.GRANTED: N_("Granted"),
    AppealOutcome.PARTLY: N_("Partly granted"),
    AppealOutcome.REJECTED: N_("Rejected"),
    AppealOutcome.WITHDRAWN: N_("Withdrawn"),
    AppealOutcome.REVISED: N_("The CPAS revised its decision"),
}
APPEAL_FILING_LABELS: dict[str, str] = {
    AppealFiling.REGISTRY: N_("Filed at the court's registry"),
    AppealFiling.REGISTERED_LETTER: N_("Sent by registered letter to the registry"),
}


class Appeal(SQLModel, table=True):
    """An appeal to the labour court against a decision of the CPAS, or its silence."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    filed_on: dt.date
    filed_how: str = Field(default=AppealFiling.REGISTERED_LETTER, max_length=20)
    court: str = Field(default="", max_length=300)
    role_number: str = Field(default="", max_length=40)
    # Hearing days, ISO dates separated by commas, in order.
    hearing_dates: str = Field(default="", max_length=200)
    outcome: str | None = Field(default=None, max_length=20)
    outcome_on: dt.date | None = Field(default=None)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)  # as on Person (amudesk.services.editing)
    updated_by: str = Field(default="", max_length=100)

    @property
    def hearing_list(self) -> list[dt.date]:
        return [dt.date.fromisoformat(day) for day in self.hearing_dates.split(",") if day]


# The kinds of a DeadlineMark, and their names for people (translated when shown).
MARK_LABELS: dict[str, str] = {"handled": N_("Handled"), "snoozed": N_("Snoozed")}


class DeadlineMark(SQLModel, table=True):
    """A user's note on one deadline of a case: handled, or snoozed until a day, and why."""

    __tablename__ = "deadline_mark"
    __table_args__ = (UniqueConstraint("request_id", "rule", name="uq_deadline_mark"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    rule: str = Field(max_length=30)
    kind: str = Field(max_length=10)  # handled or snoozed
    until: dt.date | None = Field(default=None)
    reason: str = Field(default="", max_length=300)
    created_at: dt.datetime = Field(default_factory=utcnow)
    actor: str = Field(default="", max_length=100)  # who marked it


class ClockStamp(SQLModel, table=True):
    """One row: for which day, setting and rule book the cases' next time limits were counted."""

    __tablename__ = "clock_stamp"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default="", max_length=200)
