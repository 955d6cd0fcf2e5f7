"""The office using the desk: a CPAS or an association. One row."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Field, SQLModel


class OfficeKind(StrEnum):
    CPAS = "cpas"
    ASSOCIATION = "association"


# The profile's fields a document prints in its own language. The plain column holds for
# every language without its own; "<field>_fr" and "<field>_nl" hold that language's words
# ("" when it has none of its own).
LOCALISED_FIELDS = ("name", "address", "signatory_title", "labour_court_address")
# The languages a field can have its own words in; English documents take the office's
# main language's.
PROFILE_LANGUAGES = ("fr", "nl")


class Office(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default=OfficeKind.CPAS, max_length=20)
    name: str = Field(max_length=200)
    name_fr: str = Field(default="", max_length=200)
    name_nl: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)
    address_fr: str = Field(default="", max_length=500)
    address_nl: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=200)
    bce: str | None = Field(default=None, max_length=10)
    logo: bytes | None = Field(default=None)
    signatory_name: str = Field(default="", max_length=200)
    signatory_title: str = Field(default="", max_length=200)
    signatory_title_fr: str = Field(default="", max_length=200)
    signatory_title_nl: str = Field(default="", max_length=200)
    document_language: str = Field(default="fr", max_length=2)
    # The labour court of the office's area (name and address as printed). Brussels has a
    # French-speaking and a Dutch-speaking one: each language's goes in its own column.
    labour_court_address: str = Field(default="", max_length=500)
    labour_court_address_fr: str = Field(default="", max_length=500)
    labour_court_address_nl: str = Field(default="", max_length=500)

    def localised(self, field: str, language: str) -> str:
        """``field`` (one of LOCALISED_FIELDS) as a document in ``language`` prints it: that
        language's own words, else (English) the main language's, else the plain column."""
        if field not in LOCALISED_FIELDS:
            raise ValueError(field)
        code = language if language in PROFILE_LANGUAGES else self.document_language
        if code in PROFILE_LANGUAGES:
            own = str(getattr(self, f"{field}_{code}"))
            if own.strip():
                return own
        return str(getattr(self, field))

    def court_for(self, language: str) -> str:
        """The labour court's name and address for documents in ``language``."""
        return self.localised("labour_court_address", language)
