"""What the case panel says of a decision beyond its kind and dates: the reasons a refusal or
an incompetence gave, and the judgment a decision carried out."""

from __future__ import annotations

from collections.abc import Sequence

from amudesk import i18n
from amudesk.i18n import _
from amudesk.models import Decision
from amudesk.refusals import REASONED_KINDS, REASONS, UNLAWFUL_KEYS
from amudesk.services import cases
from amudesk.store import Store

Reasons = dict[int, list[tuple[str, str]]]  # decision id → (key, explanation)


def read_reasons(store: Store, decisions: Sequence[Decision]) -> Reasons:
    """The reasons of the refusals and incompetences among ``decisions``."""
    ids = [d.id for d in decisions if d.id is not None and d.kind in REASONED_KINDS]
    if not ids:
        return {}
    with store.session() as session:
        return {
            decision_id: [
                (r.key, r.explanation) for r in cases.reasons_of(decision_id, session=session)
            ]
            for decision_id in ids
        }


def reason_text(key: str, explanation: str) -> str:
    """'No address, or homeless (not allowed by law) — sleeps at the station'."""
    reason = REASONS.get(key)
    text = _(reason.label) if reason is not None else key
    if key in UNLAWFUL_KEYS:
        text = _("{reason} (not allowed by law)").format(reason=text)
    if explanation:
        text = _("{reason} — {explanation}").format(reason=text, explanation=explanation)
    return text


def decision_lines(decision: Decision, reasons: Reasons) -> list[str]:
    """The judgment it carries out, then the reasons it gave (each line, when there is one)."""
    lines = []
    if decision.court_ordered and decision.court_judgment_on is not None:
        lines.append(
            _("Ordered by the judgment of {date}, {court}").format(
                date=i18n.format_date(decision.court_judgment_on), court=decision.court_name
            )
        )
    given = reasons.get(decision.id or 0, [])
    if given:
        lines.append(
            _("Reasons: {reasons}").format(
                reasons="; ".join(reason_text(key, text) for key, text in given)
            )
        )
    return lines
