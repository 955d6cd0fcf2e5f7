"""The audit trail: who did what to which record, when; each entry chained to the one before.

An entry holds codes, ids, references and the names of changed fields only: never a
claimant's name, NISS or health data. ``hash`` is the SHA-256 of the entry and of the
previous entry's hash (``amudesk.services.audit`` computes and checks it), so an entry
changed, removed, inserted or moved afterwards breaks the chain where it happened.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from amudesk.i18n import N_
from amudesk.models.base import utcnow

# The ``prev_hash`` of the first entry: there is no entry before it.
GENESIS_HASH = "0" * 64

# The actions the application records, and their names for people (translated when shown).
# Other codes are accepted and shown as they are.
ACTIONS: dict[str, str] = {
    "create": N_("Created"),
    "edit": N_("Changed"),
    "delete": N_("Deleted"),
    "print": N_("Printed"),
    "reprint": N_("Printed again"),
    "export": N_("Exported"),
    "import": N_("Imported"),
    "unlock": N_("Unlocked"),
    "failed-unlock": N_("Unlock refused"),
    "backup": N_("Backed up"),
    "restore": N_("Restored"),
    "erase": N_("Erased"),
    "rekey": N_("Passphrase changed"),
    "close": N_("Case closed"),
    "reopen": N_("Case reopened"),
}

# The records an entry can be about, for people.
ENTITIES: dict[str, str] = {
    "person": N_("Person"),
    "request": N_("Request"),
    "decision": N_("Decision"),
    "aamu": N_("AAMU attestation"),
    "document": N_("Document"),
    "card": N_("Medical card"),
    "deadline_mark": N_("Deadline mark"),
    "cpas": N_("CPAS"),
    "office": N_("Office"),
    "appeal": N_("Appeal"),
    "consent": N_("Consent"),
}


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)  # aware, stored as UTC
    # The operating system's user name or a worker label; never a claimant's name.
    actor: str = Field(max_length=100)
    # A short code: create, edit, delete, print, export, unlock, failed-unlock, backup …
    action: str = Field(max_length=30, index=True)
    # The table the entry is about ("person", "request", "decision", "document"), or "".
    entity: str = Field(default="", max_length=30)
    entity_id: int | None = Field(default=None)
    reference: str = Field(default="", max_length=30)  # AMU-2026-0042, or ""
    # Machine text: ids, counts, names of the fields that changed. No names, NISS or health data.
    detail: str = Field(default="", max_length=500)
    # Unique: two entries following the same one would be a fork, refused by the database.
    prev_hash: str = Field(max_length=64, unique=True)
    hash: str = Field(max_length=64)
