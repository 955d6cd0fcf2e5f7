"""The tables. Importing this package registers every table on ``SQLModel.metadata``."""

from amudesk.models.audit import GENESIS_HASH, AuditEntry
from amudesk.models.card import CARD_STATUS_LABELS, Card, CardStatus
from amudesk.models.counter import Counter
from amudesk.models.cpas import Cpas
from amudesk.models.document import DOCUMENT_KINDS, Document
from amudesk.models.office import Office, OfficeKind
from amudesk.models.person import SEX_LABELS, Person, Sex
from amudesk.models.request import (
    CARE_CATEGORIES,
    CARE_KIND_LABELS,
    CHANNEL_LABELS,
    CLOSE_REASON_LABELS,
    DECISION_LABELS,
    MARK_LABELS,
    STATUS_LABELS,
    Aamu,
    CareKind,
    CaseStatus,
    Channel,
    ClockStamp,
    CloseReason,
    DeadlineMark,
    Decision,
    DecisionKind,
    Request,
)

__all__ = [
    "CARD_STATUS_LABELS",
    "CARE_CATEGORIES",
    "CARE_KIND_LABELS",
    "CHANNEL_LABELS",
    "CLOSE_REASON_LABELS",
    "DECISION_LABELS",
    "DOCUMENT_KINDS",
    "GENESIS_HASH",
    "MARK_LABELS",
    "SEX_LABELS",
    "STATUS_LABELS",
    "Aamu",
    "AuditEntry",
    "Card",
    "CardStatus",
    "CareKind",
    "CaseStatus",
    "Channel",
    "ClockStamp",
    "CloseReason",
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
