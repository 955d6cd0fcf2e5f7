"""The office using the desk: a CPAS or an association. One row."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Field, SQLModel


class OfficeKind(StrEnum):
    CPAS = "cpas"
    ASSOCIATION = "association"


class Office(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default=OfficeKind.CPAS, max_length=20)
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=200)
    bce: str | None = Field(default=None, max_length=10)
    logo: bytes | None = Field(default=None)
    signatory_name: str = Field(default="", max_length=200)
    signatory_title: str = Field(default="", max_length=200)
    document_language: str = Field(default="fr", max_length=2)
    labour_court_address: str = Field(default="", max_length=500)
    # Where a Dutch-speaking claimant appeals when it differs (Brussels has two labour
    # courts); "" when the court above serves both languages.
    labour_court_address_nl: str = Field(default="", max_length=500)

    def court_for(self, language: str) -> str:
        """The labour court's address for documents in ``language``."""
        if language == "nl" and self.labour_court_address_nl.strip():
            return self.labour_court_address_nl
        return self.labour_court_address
