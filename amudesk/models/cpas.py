"""The directory of CPAS / OCMW a request can be filed with."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Cpas(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name_fr: str = Field(max_length=200)
    name_nl: str = Field(max_length=200)
    commune_fr: str = Field(default="", max_length=200)
    commune_nl: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)
    # In Brussels a street has a French and a Dutch name: the address in Dutch, for the
    # documents in Dutch ("" when the one address serves both).
    address_nl: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=200)
    bce: str | None = Field(default=None, max_length=10)
    amu_contact: str = Field(default="", max_length=200)

    def display_name(self, locale: str) -> str:
        return self.name_nl if locale == "nl" and self.name_nl else self.name_fr

    def address_in(self, locale: str) -> str:
        """The address a document in ``locale`` prints: the Dutch one in Dutch when filled
        in, else the address."""
        return self.address_nl if locale == "nl" and self.address_nl.strip() else self.address
