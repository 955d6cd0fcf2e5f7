"""Mark a deadline handled, or snooze it until a day, with a reason (kept in the database);
several deadlines at once with one reason, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from amudesk import i18n
from amudesk.deadlines import Deadline
from amudesk.i18n import _, ngettext
from amudesk.services import clock, worklist
from amudesk.store import Store
from amudesk.ui.kit.dates import OptionalDateEdit
from amudesk.ui.kit.formdialog import FormDialog, problem_of
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import hint_label

HANDLED, SNOOZED = "handled", "snoozed"
DEFAULT_SNOOZE_DAYS = 7
REASON_MAX = 300
LISTED = 5  # time limits named in the summary when several are marked; the rest counted


class MarkDialog(FormDialog):
    """Reason (and, to snooze, the day the reminder comes back) for one deadline or several;
    saved by the worklist service in one transaction. ``skipped``: selected deadlines the
    board left out (done or closed), said in the summary."""

    def __init__(
        self,
        store: Store,
        deadlines: Deadline | Sequence[Deadline],
        kind: str,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
        skipped: int = 0,
    ) -> None:
        super().__init__(store, parent)
        if kind not in (HANDLED, SNOOZED):
            raise ValueError(f"unknown mark {kind!r}")
        self.deadlines = [deadlines] if isinstance(deadlines, Deadline) else list(deadlines)
        if not self.deadlines:
            raise ValueError("nothing to mark")
        self.deadline = self.deadlines[0]
        self.skipped = skipped
        self.kind = kind
        self.today = today or clock.today_in_brussels()
        self.setObjectName("markDialog")
        self.setWindowTitle(_("Mark as handled") if kind == HANDLED else _("Snooze the reminder"))

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        summary = QLabel(self._summary())
        summary.setObjectName("markSummary")
        summary.setWordWrap(True)
        summary.setStyleSheet("font-weight: 600;")
        layout.addWidget(summary)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.until: OptionalDateEdit | None = None
        if kind == SNOOZED:
            self.until = OptionalDateEdit(label=_("Snooze until"))
            self.until.setObjectName("snoozeUntil")
            self.until.set_value(self.today + dt.timedelta(days=DEFAULT_SNOOZE_DAYS))
            add_row(form, _("Snooze &until"), self.until, name=_("Snooze until"))
            self.fields["until"] = problem_of(self.until, self.until.edit)
        self.reason = QLineEdit()
        self.reason.setObjectName("markReason")
        self.reason.setMaxLength(REASON_MAX)
        self.reason.setMinimumWidth(380)
        self.reason.setPlaceholderText(
            _("e.g. appeal lodged by the lawyer")
            if kind == HANDLED
            else _("e.g. waiting for the CPAS's answer")
        )
        add_row(
            form, _("&Reason") if kind == HANDLED else _("&Reason *"), self.reason, name=_("Reason")
        )
        self.fields["reason"] = self.reason
        layout.addLayout(form)
        hint = hint_label(
            _("The deadline leaves the open lists; the mark and its reason stay with the case.")
            if kind == HANDLED
            else _("The reminder leaves the open lists until that day, then comes back.")
        )
        layout.addWidget(hint)
        self.finish_layout(body)
        self.ok_button.setText(_("Mark as handled") if kind == HANDLED else _("Snooze"))
        self.ok_button.setAccessibleName(self.ok_button.text())
        first = self.until.edit if self.until is not None else self.reason
        first.setFocus()
        if self.until is not None:
            QWidget.setTabOrder(self.until.edit, self.reason)
        QWidget.setTabOrder(self.reason, self.ok_button)
        QWidget.setTabOrder(self.ok_button, self.cancel_button)

    def _summary(self) -> str:
        if len(self.deadlines) > 1:
            return self._several_summary()
        deadline = self.deadline
        text = _("{reference} — {rule}").format(
            reference=deadline.case.reference, rule=deadline.title
        )
        if deadline.due is not None:
            text += "\n" + _("Last day: {date}").format(date=i18n.format_date(deadline.due, "full"))
        return text + self._skipped_line()

    def _several_summary(self) -> str:
        n = len(self.deadlines)
        lines = [ngettext("{n} time limit:", "{n} time limits:", n).format(n=n)]
        lines.extend(
            _("{reference} — {rule}").format(reference=d.case.reference, rule=d.title)
            for d in self.deadlines[:LISTED]
        )
        if n > LISTED:
            lines.append(
                ngettext("… and {n} more.", "… and {n} more.", n - LISTED).format(n=n - LISTED)
            )
        return "\n".join(lines) + self._skipped_line()

    def _skipped_line(self) -> str:
        if not self.skipped:
            return ""
        return "\n" + ngettext(
            "{n} selected time limit is done or closed: it is left as it is.",
            "{n} selected time limits are done or closed: they are left as they are.",
            self.skipped,
        ).format(n=self.skipped)

    def save(self, session: Any) -> int | None:
        marks = worklist.mark_deadlines(
            [(d.case.request_id, d.rule) for d in self.deadlines],
            session=session,
            kind=self.kind,
            reason=self.reason.text(),
            until=self.until.value() if self.until is not None else None,
            today=self.today,
        )
        return marks[0].id if marks else None
