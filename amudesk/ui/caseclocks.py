"""The case panel's time limits, shown at the top of a case: whether the case is closed,
the next limit, the running ones in full, and the finished ones folded away; the appeals
recorded; with the buttons that record the events stopping them and close or reopen the
case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from amudesk import i18n
from amudesk.deadlines import NEGATIVE, RUNNING_STATES, Deadline
from amudesk.i18n import _, ngettext
from amudesk.models import CLOSE_REASON_LABELS, CaseStatus, Request
from amudesk.services import cases, nextdue
from amudesk.ui.appealparts import appeal_rows
from amudesk.ui.caseparts import deadline_row, plain_label, section, state_text, weekday_date
from amudesk.ui.kit.buttons import NEEDS, action_button


@dataclass(frozen=True)
class ClockActions:
    """What the section's buttons do (the panel's methods)."""

    record_transfer: Callable[[], None]
    # A new appeal (None) or the one of this id.
    record_appeal: Callable[[int | None], None]
    close_case: Callable[[], None]
    reopen_case: Callable[[], None]
    # Filing a request being prepared, and the referral to the SPP IS of a follow-on request.
    file_request: Callable[[], None] | None = None
    record_spp_referral: Callable[[], None] | None = None


def closed_text(request: Request) -> str:
    assert request.closed_on is not None
    reason = CLOSE_REASON_LABELS.get(request.closed_reason or "")
    text = _("Closed on {date}: {reason}.").format(
        date=i18n.format_date(request.closed_on), reason=_(reason) if reason else ""
    )
    if request.closed_note:
        text += " " + request.closed_note
    return text


def clock_section(
    layout: QVBoxLayout,
    detail: cases.CaseDetail,
    deadlines: list[Deadline],
    today: dt.date,
    *,
    pending: bool,
    actions: ClockActions,
) -> None:
    section(layout, _("Time limits"))
    request = detail.request
    if request.closed_on is not None:
        banner = plain_label(closed_text(request), object_name="caseClosed")
        banner.setStyleSheet("font-weight: 600; color: #3d4249;")
        layout.addWidget(banner)
    if pending:
        layout.addWidget(plain_label(_("Counting the time limits…"), object_name="hint"))
    elif request.status == CaseStatus.PREPARING:
        layout.addWidget(
            plain_label(
                _(
                    "Being prepared: not filed with a CPAS yet, so no time limit runs. File it "
                    "when the CPAS receives it."
                ),
                object_name="hint",
            )
        )
    elif not deadlines:
        layout.addWidget(plain_label(_("No time limit runs for this case."), object_name="hint"))
    if request.previous_id is not None and request.first_filed_on is not None:
        layout.addWidget(
            plain_label(
                _(
                    "Came by transfer: first filed on {filed}, with another CPAS; this CPAS's "
                    "limits run from the day it received it."
                ).format(filed=weekday_date(request.first_filed_on)),
                object_name="followOnNote",
            )
        )
    coming = nextdue.next_deadline(deadlines, today) if request.closed_on is None else None
    if coming is not None and coming.due is not None:
        label = plain_label(
            _("Next: {title}, due {date} ({state}).").format(
                title=coming.title, date=weekday_date(coming.due), state=state_text(coming, today)
            ),
            object_name="nextDeadline",
        )
        label.setStyleSheet("font-weight: 600;")
        layout.addWidget(label)
    running = [d for d in deadlines if d.state in RUNNING_STATES]
    others = [d for d in deadlines if d.state not in RUNNING_STATES]
    for deadline in running:
        layout.addWidget(deadline_row(deadline, today))
    if others:
        _folded(layout, others, today, expanded=not running)
    appeal_rows(layout, detail.appeals, actions.record_appeal)
    _buttons(layout, detail, deadlines, today, actions)


def _folded(layout: QVBoxLayout, others: list[Deadline], today: dt.date, *, expanded: bool) -> None:
    """The finished limits (done, lapsed, closed, not started) behind a button."""
    box = QWidget()
    box.setObjectName("otherDeadlines")
    inner = QVBoxLayout(box)
    inner.setContentsMargins(0, 0, 0, 0)
    for deadline in others:
        inner.addWidget(deadline_row(deadline, today))
    shown_text = ngettext(
        "Hide the {n} other time limit", "Hide the {n} other time limits", len(others)
    ).format(n=len(others))
    hidden_text = ngettext(
        "Show the {n} other time limit (done, lapsed or not started)",
        "Show the {n} other time limits (done, lapsed or not started)",
        len(others),
    ).format(n=len(others))
    toggle = QPushButton()
    toggle.setObjectName("toggleOtherDeadlines")
    toggle.setProperty(NEEDS, "read")
    toggle.setCheckable(True)
    toggle.setFlat(True)
    toggle.setStyleSheet("text-align: left; color: #1d3a5f; padding: 2px 0;")

    def show(visible: bool) -> None:
        box.setVisible(visible)
        toggle.setText(shown_text if visible else hidden_text)
        toggle.setAccessibleName(toggle.text())

    toggle.toggled.connect(show)
    toggle.setChecked(expanded)
    show(expanded)
    row = QHBoxLayout()
    row.addWidget(toggle)
    row.addStretch(1)
    layout.addLayout(row)
    layout.addWidget(box)


def _buttons(
    layout: QVBoxLayout,
    detail: cases.CaseDetail,
    deadlines: list[Deadline],
    today: dt.date,
    actions: ClockActions,
) -> None:
    buttons = QHBoxLayout()
    request = detail.request
    if request.status == CaseStatus.PREPARING and actions.file_request is not None:
        button = action_button(
            _("&File the request…"), actions.file_request, object_name="fileRequest", needs="cases"
        )
        button.setToolTip(_("Its CPAS and the day it received it; the time limits start then"))
        buttons.addWidget(button)
    if (
        request.previous_id is not None
        and any(d.kind == "incompetent" for d in detail.decisions)
        and actions.record_spp_referral is not None
    ):
        buttons.addWidget(
            action_button(
                _("Record the referral to the SPP IS…"),
                actions.record_spp_referral,
                object_name="recordSppReferral",
                needs="cases",
            )
        )
    if can_record_transfer(detail) and request.previous_id is None:
        buttons.addWidget(
            action_button(
                _("Record tra&nsfer…"),
                actions.record_transfer,
                object_name="recordTransfer",
                needs="cases",
            )
        )
    if can_record_appeal(detail, deadlines, today):
        buttons.addWidget(
            action_button(
                _("Record appea&l…"),
                partial(actions.record_appeal, None),
                object_name="recordAppeal",
                needs="cases",
            )
        )
    if detail.request.closed_on is None:
        button = action_button(
            _("Close the case…"), actions.close_case, object_name="closeCase", needs="cases"
        )
        button.setToolTip(_("Its time limits stop running; nothing is deleted"))
    else:
        button = action_button(
            _("Reopen…"), actions.reopen_case, object_name="reopenCase", needs="cases"
        )
    buttons.addWidget(button)
    buttons.addStretch(1)
    layout.addLayout(buttons)


def can_record_transfer(detail: cases.CaseDetail) -> bool:
    incompetent = any(d.kind == "incompetent" for d in detail.decisions)
    return incompetent or detail.request.transferred_on is not None


def can_record_appeal(detail: cases.CaseDetail, deadlines: list[Deadline], today: dt.date) -> bool:
    if detail.request.appealed_on is not None or detail.appeals:
        return True
    if any(d.kind in NEGATIVE for d in detail.decisions):
        return True
    # Without a decision, the claimant may appeal once the month to decide has passed.
    return any(
        d.rule == "appeal-no-decision"
        and d.state in RUNNING_STATES
        and d.event_on is not None
        and d.event_on < today
        for d in deadlines
    )
