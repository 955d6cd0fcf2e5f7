"""Counters for numbers that are unique per year and never reused (AMU-2026-0042)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Counter(SQLModel, table=True):
    kind: str = Field(primary_key=True, max_length=20)
    year: int = Field(primary_key=True)
    last: int = Field(default=0)
