"""What a person agreed to: the association's follow-up, letters on their behalf (the
mandate), statistics without names. Kept so that the consent can be shown (GDPR art. 7(1))
and withdrawn (art. 7(3)); a withdrawn record stays, with its day."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlmodel import Field, SQLModel

from amudesk.i18n import N_
from amudesk.models.base import utcnow


class ConsentHow(StrEnum):
    SIGNED = "signed"
    ORAL = "oral"  # given aloud, before a witness named in the note
    ELECTRONIC = "electronic"


class ConsentUse(StrEnum):
    FOLLOW_UP = "follow-up"  # following the request up with the CPAS
    LETTERS = "letters"  # letters on the person's behalf: the mandate
    STATISTICS = "statistics"  # counted in statistics without names


CONSENT_HOW_LABELS: dict[str, str] = {
    ConsentHow.SIGNED: N_("Signed form"),
    ConsentHow.ORAL: N_("Given orally, before a witness"),
    ConsentHow.ELECTRONIC: N_("Electronically"),
}
CONSENT_USE_LABELS: dict[str, str] = {
    ConsentUse.FOLLOW_UP: N_("Follow-up of the request with the CPAS"),
    ConsentUse.LETTERS: N_("Letters on the person's behalf (mandate)"),
    ConsentUse.STATISTICS: N_("Statistics without names"),
}


class Consent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    given_on: dt.date
    how: str = Field(default=ConsentHow.SIGNED, max_length=20)
    # ConsentUse codes separated by commas.
    uses: str = Field(default="", max_length=100)
    withdrawn_on: dt.date | None = Field(default=None)
    note: str = Field(default="", max_length=300)
    created_at: dt.datetime = Field(default_factory=utcnow)

    @property
    def use_list(self) -> list[str]:
        return [code for code in self.uses.split(",") if code]

    @property
    def mandate(self) -> bool:
        return ConsentUse.LETTERS in self.use_list
