"""Documents handed out: each issued PDF kept exactly as it was printed, with its SHA-256."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary
from sqlmodel import Field, SQLModel

from amudesk.i18n import N_
from amudesk.models.base import utcnow

# The kinds of documents, and their names for people (translated when shown).
DOCUMENT_KINDS: dict[str, str] = {
    "receipt": N_("Acknowledgement of receipt"),
    "aamu": N_("AAMU form for a doctor"),
    "info-form": N_("Information form (MediPrima)"),
    "card": N_("Medical card"),
    # The letters (amudesk.letters: the same names).
    "reminder": N_("Reminder to the CPAS"),
    "formal-notice": N_("Formal notice to the CPAS"),
    "reasons-request": N_("Request for a reasoned decision"),
    "appeal": N_("Appeal to the labour court"),
    "transfer-reasons": N_("Letter on the transfer of the request"),
}


class Document(SQLModel, table=True):
    """One issued document. The PDF lives in the encrypted database, never in a plain file;
    ``number`` (``AR-2026-00042`` for receipts) is unique and never reused."""

    __tablename__ = "document"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)  # a key of DOCUMENT_KINDS
    number: str = Field(max_length=30, unique=True)
    request_id: int | None = Field(default=None, foreign_key="request.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    language: str = Field(max_length=2)
    issued_at: dt.datetime = Field(default_factory=utcnow)
    actor: str = Field(default="", max_length=100)
    pdf: bytes = Field(sa_type=LargeBinary)
    sha256: str = Field(max_length=64)
