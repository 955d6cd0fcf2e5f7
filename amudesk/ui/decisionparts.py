"""What the case panel says of a decision beyond its kind and dates: the reasons a refusal or
an incompetence gave, and the judgment a decision carried out."""

from __future__ import annotations

from amudesk import i18n
from amudesk.i18n import _
from amudesk.models import Decision
from amudesk.refusals import REASONS, UNLAWFUL_KEYS

Reasons = dict[int, list[tuple[str, str]]]  # decision id → (key, explanation)


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
