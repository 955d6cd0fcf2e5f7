"""A person the office accompanies, and the minors who depend on them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from amudesk.i18n import N_
from amudesk.models.base import utcnow


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    OTHER = "X"
    UNKNOWN = "U"


# The values of Sex for people (translated when shown).
SEX_LABELS: dict[str, str] = {
    Sex.FEMALE: N_("Female"),
    Sex.MALE: N_("Male"),
    Sex.OTHER: N_("X (neither F nor M)"),
    Sex.UNKNOWN: N_("Unknown"),
}


def display_name(family_name: str, given_names: str) -> str:
    """'NGUYỄN Văn An': the family name in capitals, as on Belgian forms."""
    return f"{family_name.upper()} {given_names}".strip()


class Person(SQLModel, table=True):
    __table_args__ = (
        Index("ix_person_match", "family_name", "given_names", "birth_date"),
        # Sorting the case list by name follows the folded names: Öztürk sorts with O.
        Index("ix_person_search_text", "search_text"),
    )

    id: int | None = Field(default=None, primary_key=True)
    family_name: str = Field(max_length=200)
    given_names: str = Field(default="", max_length=200)
    # The names in Latin letters as Belgian registers and pharmacists read them, when the
    # names above use another script: "KONSTANTINOPOLSKAYA Anna" under "Константинопольская Анна".
    latin_name: str = Field(default="", max_length=400)
    sex: str = Field(default=Sex.UNKNOWN, max_length=1)
    # 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY': unknown parts are common and real.
    birth_date: str | None = Field(default=None, max_length=10)
    niss: str | None = Field(default=None, max_length=11, unique=True)
    nationality: str | None = Field(default=None, max_length=2)
    # ISO 639-1 codes separated by commas, most used first.
    languages: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=50)
    commune: str = Field(default="", max_length=200)
    no_fixed_abode: bool = Field(default=False)
    usual_place: str = Field(default="", max_length=300)
    photo: bytes | None = Field(default=None)
    notes: str = Field(default="", sa_type=Text)
    guardian_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # Folded names and numbers, kept in step by the services, indexed for search.
    search_text: str = Field(default="", sa_type=Text)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    # Raised at each edit (amudesk.services.editing): a form saving over a newer version is
    # refused. Who made the latest change: an account, or the system user on a laptop.
    version: int = Field(default=1)
    updated_by: str = Field(default="", max_length=100)

    @property
    def full_name(self) -> str:
        return display_name(self.family_name, self.given_names)

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]
