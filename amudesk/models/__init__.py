"""The tables. Importing this package registers every table on ``SQLModel.metadata``."""

from amudesk.models.audit import GENESIS_HASH, AuditEntry
from amudesk.models.card import CARD_STATUS_LABELS, Card, CardStatus
from amudesk.models.counter import Counter
from amudesk.models.cpas import Cpas
from amudesk.models.document import DOCUMENT_KINDS, Document
from amudesk.models.office import Office, OfficeKind
from amudesk.models.person import Person, Sex
from amudesk.models.request import (
    CARE_CATEGORIES,
    Aamu,
    CareKind,
    CaseStatus,
    Channel,
    DeadlineMark,
    Decision,
    DecisionKind,
    Request,
)

__all__ = [
    "CARD_STATUS_LABELS",
    "CARE_CATEGORIES",
    "DOCUMENT_KINDS",
    "GENESIS_HASH",
    "Aamu",
    "AuditEntry",
    "Card",
    "CardStatus",
    "CareKind",
    "CaseStatus",
    "Channel",
    "Counter",
    "Cpas",
    "DeadlineMark",
    "Decision",
    "DecisionKind",
    "Document",
    "Office",
    "OfficeKind",
    "Person",
    "Request",
    "Sex",
]
