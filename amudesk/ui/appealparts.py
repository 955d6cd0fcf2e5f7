"""The appeals of a case in the panel's time limits: each with its filing, court, role
number, hearings and outcome, and the button that corrects it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import QVBoxLayout

from amudesk import i18n
from amudesk.i18n import _
from amudesk.models import APPEAL_FILING_LABELS, APPEAL_OUTCOME_LABELS, Appeal
from amudesk.ui.caseparts import item_row


def appeal_lines(appeal: Appeal) -> list[str]:
    """'Appeal filed on 6 Jul 2026 — Sent by registered letter to the registry', the court
    and its role number, the hearings, the outcome."""
    how = APPEAL_FILING_LABELS.get(appeal.filed_how)
    lines = [
        _("Appeal filed on {date} — {how}").format(
            date=i18n.format_date(appeal.filed_on), how=_(how) if how else appeal.filed_how
        )
    ]
    if appeal.court and appeal.role_number:
        lines.append(
            _("{court}, role number {number}").format(court=appeal.court, number=appeal.role_number)
        )
    elif appeal.court:
        lines.append(appeal.court)
    elif appeal.role_number:
        lines.append(_("Role number {number}").format(number=appeal.role_number))
    hearings = appeal.hearing_list
    if hearings:
        lines.append(
            _("Hearings: {dates}").format(
                dates=", ".join(i18n.format_date(day) for day in hearings)
            )
        )
    outcome = APPEAL_OUTCOME_LABELS.get(appeal.outcome or "")
    if appeal.outcome and appeal.outcome_on:
        lines.append(
            _("Outcome: {outcome}, on {date}").format(
                outcome=_(outcome) if outcome else appeal.outcome,
                date=i18n.format_date(appeal.outcome_on),
            )
        )
    else:
        lines.append(_("No outcome yet."))
    return lines


def appeal_rows(
    layout: QVBoxLayout, appeals: list[Appeal], edit: Callable[[int | None], None]
) -> None:
    """One row per appeal, with its "Edit appeal…" button."""
    for number, appeal in enumerate(appeals):
        layout.addLayout(
            item_row(
                "\n".join(appeal_lines(appeal)),
                partial(edit, appeal.id),
                object_name=f"editAppeal{number}",
                name=_("Edit the appeal filed on {date}").format(
                    date=i18n.format_date(appeal.filed_on)
                ),
                needs="cases",
                button=_("Edit appeal…"),
            )
        )
