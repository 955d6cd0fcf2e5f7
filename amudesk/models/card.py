"""Durable medical cards: one row per card made, with its life from printing to handing over."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlmodel import Field, SQLModel

from amudesk.i18n import N_
from amudesk.models.base import utcnow


class CardStatus(StrEnum):
    NEW = "new"  # made (and archived), not printed yet
    PRINTED = "printed"
    HANDED_OVER = "handed_over"


CARD_STATUS_LABELS: dict[str, str] = {
    CardStatus.NEW: N_("new"),
    CardStatus.PRINTED: N_("printed"),
    CardStatus.HANDED_OVER: N_("handed over"),
}


class Card(SQLModel, table=True):
    """A medical card for one person (the applicant, or a minor in their care) under one
    positive decision. Its validity never exceeds the decision's. ``number`` is the number
    of the archived card (``CM-2026-00012``); every print after the first is a reprint,
    counted here and written in the audit trail."""

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    document_id: int | None = Field(default=None, foreign_key="document.id")
    language: str = Field(max_length=2)
    valid_from: dt.date
    valid_to: dt.date
    status: str = Field(default=CardStatus.NEW, max_length=20, index=True)
    prints: int = Field(default=0)
    created_at: dt.datetime = Field(default_factory=utcnow)
    printed_at: dt.datetime | None = Field(default=None)
    handed_over_at: dt.datetime | None = Field(default=None)
