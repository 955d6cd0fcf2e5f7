"""The accounts of a shared database: each worker signs in under their own name.

A single laptop's store has none (its passphrase opens it); a shared PostgreSQL database
has one per worker. The password is kept only as an Argon2id hash; an account of the
``server`` kind has none: its holder signs in as the PostgreSQL role of the same name,
checked by the server itself (``amudesk.services.accounts``).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlmodel import Field, SQLModel

from amudesk.i18n import N_
from amudesk.models.base import utcnow


class Role(StrEnum):
    ADMINISTRATOR = "administrator"  # office profile, accounts, erasure, exports of everything
    WORKER = "worker"  # cases, documents, deadlines
    READER = "reader"  # looks cases up and prints receipts and cards; no export, no erasure


ROLE_LABELS = {
    Role.ADMINISTRATOR: N_("administrator"),
    Role.WORKER: N_("worker"),
    Role.READER: N_("reader"),
}


class Account(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)  # as typed; signing in ignores case
    folded: str = Field(max_length=100, unique=True)  # the name folded: one account per name
    role: str = Field(max_length=20)  # a Role
    password_hash: str = Field(default="", max_length=200)  # Argon2id; "" for a server role
    server_role: bool = Field(default=False)  # signs in as the PostgreSQL role of that name
    created_at: dt.datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=100)
    disabled_at: dt.datetime | None = Field(default=None)
    failed_count: int = Field(default=0)  # wrong passwords since the last sign-in
    locked_until: dt.datetime | None = Field(default=None)  # throttled until then
    last_sign_in_at: dt.datetime | None = Field(default=None)
