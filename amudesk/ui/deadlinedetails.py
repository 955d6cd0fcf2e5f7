"""The deadlines board's right-hand pane: how the selected time limit's date was counted,
its legal basis, and what can be done with it (mark handled, snooze, clear the mark, open
its case). The board does the work; the pane asks for it with its signals."""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from amudesk import i18n
from amudesk.deadlines import ACTOR_LABELS, Deadline, State
from amudesk.i18n import _
from amudesk.services.board import bucket_label
from amudesk.ui.deadlinemodel import BUCKET_COLOURS, DeadlineTableModel, Group
from amudesk.ui.kit.buttons import action_button
from amudesk.ui.kit.selectable import make_selectable

HANDLED_KIND = "handled"  # the kinds of mark (services.clock.MARK_KINDS)
SNOOZED_KIND = "snoozed"


class DeadlineDetails(QWidget):
    """The explanation of the row selected in ``model``'s list, and the buttons that act on it."""

    mark_requested = Signal(str)  # HANDLED_KIND or SNOOZED_KIND
    clear_requested = Signal()
    open_requested = Signal()

    def __init__(self, model: DeadlineTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setMinimumWidth(320)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.setSpacing(4)
        title = QLabel(_("How the date was &computed"))
        self.browser = QTextBrowser()
        self.browser.setObjectName("deadlineDetails")
        self.browser.setAccessibleName(_("How the date was computed"))
        self.browser.setOpenLinks(False)
        make_selectable(self.browser)
        self.browser.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        title.setBuddy(self.browser)
        layout.addWidget(title)
        layout.addWidget(self.browser, 1)
        self.mark_button = action_button(
            _("Mark &handled…"),
            lambda: self.mark_requested.emit(HANDLED_KIND),
            object_name="markHandled",
        )
        self.snooze_button = action_button(
            _("S&nooze…"),
            lambda: self.mark_requested.emit(SNOOZED_KIND),
            object_name="snoozeDeadline",
        )
        self.clear_button = action_button(
            _("C&lear mark"), self.clear_requested.emit, object_name="clearMark"
        )
        self.open_button = action_button(
            _("&Open case"), self.open_requested.emit, object_name="openCase"
        )
        self.mark_button.setToolTip(_("The deadline leaves the open lists, with your reason"))
        self.snooze_button.setToolTip(_("Hide the reminder until a day you choose"))
        self.open_button.setToolTip(_("Show this case in the main window (Enter)"))
        grid = QVBoxLayout()
        grid.setSpacing(4)
        for pair in (
            (self.mark_button, self.snooze_button),
            (self.clear_button, self.open_button),
        ):
            line = QHBoxLayout()
            for button in pair:
                line.addWidget(button, 1)
            grid.addLayout(line)
        layout.addLayout(grid)

    def explain(self, index: QModelIndex) -> None:
        """Show what the row at ``index`` is (a time limit, a case, nothing) and enable the
        buttons that apply to it."""
        deadline = self.model.deadline_at(index)
        group = self.model.group_at(index) if deadline is None else None
        if deadline is not None:
            self.browser.setHtml(self._deadline_html(deadline))
        elif group is not None:
            self.browser.setHtml(self._group_html(group))
        else:
            self.browser.setHtml(
                "<p>"
                + html.escape(_("Select a time limit to see how its date was computed."))
                + "</p>"
            )
        request_id = self.model.request_id_at(index)
        running = deadline is not None and deadline.state in (
            State.OVERDUE,
            State.DUE,
            State.UPCOMING,
        )
        self.mark_button.setEnabled(
            deadline is not None and deadline.state != State.DONE and not deadline.handled
        )
        self.snooze_button.setEnabled(running)
        self.clear_button.setEnabled(deadline is not None and deadline.mark is not None)
        self.open_button.setEnabled(request_id is not None)

    def plain_text(self) -> str:
        """What the explanation says (plain text)."""
        return self.browser.toPlainText()

    def _deadline_html(self, deadline: Deadline) -> str:
        bucket = self.model.board.bucket(deadline) if self.model.board else None
        colour = BUCKET_COLOURS.get(bucket or "", "#1a1a1a")
        e = html.escape
        title = _("{reference} — {rule}").format(
            reference=deadline.case.reference, rule=deadline.title
        )
        # Labels are taken out of the f-strings below so that the catalog extractor sees them.
        due_label = _("Due date:")
        actor_label = _("Who acts:")
        state_label = _("State:")
        basis_label = _("Legal basis")
        lines = []
        if deadline.due is not None:
            when = self.model.when_text(deadline.due) if deadline.state != State.DONE else ""
            due = i18n.format_date(deadline.due, "full")
            lines.append(f"<b>{e(due_label)}</b> {e(due)}" + (f" ({e(when)})" if when else ""))
        lines.append(f"<b>{e(actor_label)}</b> {e(_(ACTOR_LABELS[deadline.actor]))}")
        lines.append(
            f"<b>{e(state_label)}</b> "
            f"<span style='color:{colour}'>{e(self.model.state_text(deadline))}</span>"
        )
        return (
            f"<h3>{e(title)}</h3>"
            f"<p>{'<br>'.join(lines)}</p>"
            f"<p>{e(deadline.explanation)}</p>"
            f"<p><b>{e(basis_label)}</b><br>{e(deadline.basis)}</p>"
        )

    def _group_html(self, group: Group) -> str:
        e = html.escape
        board = self.model.board
        if group.bucket is not None or board is None:
            return "<p>{}</p>".format(e(_("Select a time limit to see how its date was computed.")))
        items = []
        for deadline in group.rows:
            bucket = board.bucket(deadline)
            due = self.model.due_text(deadline.due)
            items.append(
                "<li>{title}{due} — <span style='color:{colour}'>{state}</span></li>".format(
                    title=e(deadline.title),
                    due=f", {e(due)}" if due else "",
                    colour=BUCKET_COLOURS.get(bucket, "#1a1a1a"),
                    state=e(bucket_label(bucket, board.within_days)),
                )
            )
        return (
            f"<h3>{e(group.reference)}</h3><ul>{''.join(items)}</ul>"
            f"<p>{e(_('Select a time limit to see how its date was computed.'))}</p>"
        )
