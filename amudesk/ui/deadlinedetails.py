"""The deadlines board's right-hand pane: how the selected time limit's date was counted,
its legal basis (the setting's sentence on administrative limits in a small footnote), the
next action with the button that does it, and what else can be done with it (mark handled,
snooze, clear the mark, open its case). With several time limits selected it says how many,
and marks them together. The board does the work; the pane asks for it with its signals."""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from amudesk import i18n
from amudesk.deadlines import ACTOR_LABELS, Deadline, State
from amudesk.i18n import N_, _, ngettext
from amudesk.services import worklist
from amudesk.services.accounts import allowed, refusal
from amudesk.services.board import bucket_label
from amudesk.services.worklist import NextAction
from amudesk.ui.deadlinemodel import BUCKET_COLOURS, DeadlineTableModel, Group
from amudesk.ui.kit.buttons import NEEDS, action_button
from amudesk.ui.kit.labels import format_number
from amudesk.ui.kit.selectable import make_selectable

HANDLED_KIND = worklist.HANDLED  # the kinds of mark (services.clock.MARK_KINDS)
SNOOZED_KIND = worklist.SNOOZED
# The next action's button, by what it does (Alt+T in any language: its place in the pane).
ACTION_LABELS: dict[str, str] = {
    worklist.RECORD_DECISION: N_("Record &the decision…"),
    worklist.RECORD_TRANSFER: N_("Record &the transfer…"),
    worklist.RECORD_APPEAL: N_("Record &the appeal…"),
    # A late CPAS: the letter that fits (written from the case, then issued).
    worklist.REMIND: N_("Write &the reminder…"),
    worklist.FORMAL_NOTICE: N_("Write &the formal notice…"),
    worklist.LABOUR_COURT: N_("Write &the appeal…"),
}
# The latest decision completed, by the limit it stops.
UPDATE_LABELS: dict[str, str] = {
    "notification": N_("Record &the notification…"),
    "mediprima": N_("Record &the encoding…"),
}
SEVERAL_LISTED = 12  # lines listed when several are selected; the rest are counted
FOOTNOTE_STYLE = "font-size: small; color: #4f545b;"


class DeadlineDetails(QWidget):
    """The explanation of the row selected in ``model``'s list, and the buttons that act on it."""

    mark_requested = Signal(str)  # HANDLED_KIND or SNOOZED_KIND
    clear_requested = Signal()
    open_requested = Signal()
    action_requested = Signal(str)  # the next action's key (services.worklist)

    def __init__(self, model: DeadlineTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        # The signed-in role on a shared database (None: a laptop's store, no roles).
        self.role: str | None = None
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
        self.next_label = QLabel()
        self.next_label.setObjectName("nextAction")
        self.next_label.setWordWrap(True)
        self.next_label.setTextFormat(Qt.TextFormat.RichText)
        self.next_label.setAccessibleName(_("Next action"))
        self.next_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.next_label)
        self.action = NextAction(worklist.NOTHING, "")
        self.action_button = action_button(
            _(ACTION_LABELS[worklist.RECORD_DECISION]),
            lambda: self.action_requested.emit(self.action.key),
            object_name="nextActionButton",
            needs="cases",  # or "documents" for a letter: set with each action
        )
        self.action_button.setToolTip(_("Show the case in the main window and do this there"))
        layout.addWidget(self.action_button)
        self.mark_button = action_button(
            _("Mark &handled…"),
            lambda: self.mark_requested.emit(HANDLED_KIND),
            object_name="markHandled",
            needs="deadlines",
        )
        self.snooze_button = action_button(
            _("S&nooze…"),
            lambda: self.mark_requested.emit(SNOOZED_KIND),
            object_name="snoozeDeadline",
            needs="deadlines",
        )
        self.clear_button = action_button(
            _("C&lear mark"), self.clear_requested.emit, object_name="clearMark", needs="deadlines"
        )
        self.open_button = action_button(
            _("&Open case"), self.open_requested.emit, object_name="openCase", needs="read"
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

    @property
    def may_mark(self) -> bool:
        """Whether the signed-in role may mark time limits (a reader may not)."""
        return self.role is None or allowed(self.role, "deadlines")

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
        self._show_action(self._next_action(deadline) if deadline is not None else None, deadline)
        request_id = self.model.request_id_at(index)
        self.mark_button.setEnabled(
            self.may_mark
            and deadline is not None
            and worklist.can_mark(deadline, HANDLED_KIND)
            and not deadline.handled
        )
        self.snooze_button.setEnabled(
            self.may_mark and deadline is not None and worklist.can_mark(deadline, SNOOZED_KIND)
        )
        self.clear_button.setEnabled(
            self.may_mark and deadline is not None and deadline.mark is not None
        )
        self.open_button.setEnabled(request_id is not None)

    def show_several(self, deadlines: list[Deadline]) -> None:
        """Several time limits selected: how many, which, and the buttons that mark them
        together (those that cannot be marked are left out when it is done)."""
        e = html.escape
        n = len(deadlines)
        title = ngettext("{n} time limit selected", "{n} time limits selected", n).format(
            n=format_number(n)
        )
        items = "".join(
            f"<li>{e(self.model.case_text(d.case.request_id, d.case.reference))}"
            f" — {e(d.title)}</li>"
            for d in deadlines[:SEVERAL_LISTED]
        )
        more = n - SEVERAL_LISTED
        rest = (
            "<p>{}</p>".format(
                e(
                    ngettext("… and {n} more.", "… and {n} more.", more).format(
                        n=format_number(more)
                    )
                )
            )
            if more > 0
            else ""
        )
        hint = _("Mark handled or snooze them together, with one reason.")
        self.browser.setHtml(f"<h3>{e(title)}</h3><ul>{items}</ul>{rest}<p>{e(hint)}</p>")
        self._show_action(None)
        self.mark_button.setEnabled(
            self.may_mark and any(worklist.can_mark(d, HANDLED_KIND) for d in deadlines)
        )
        self.snooze_button.setEnabled(
            self.may_mark and any(worklist.can_mark(d, SNOOZED_KIND) for d in deadlines)
        )
        self.clear_button.setEnabled(False)
        self.open_button.setEnabled(len({d.case.request_id for d in deadlines}) == 1)

    def plain_text(self) -> str:
        """What the explanation says (plain text)."""
        return self.browser.toPlainText()

    def next_action_text(self) -> str:
        """What the next action says (plain text; empty when none is shown)."""
        return self.action.text if self.next_label.isVisible() else ""

    # --- the next action -----------------------------------------------------------

    def _next_action(self, deadline: Deadline) -> NextAction:
        board = self.model.board
        if board is None:
            return NextAction(worklist.NOTHING, "")
        return worklist.next_action(
            deadline,
            board.office_kind,
            board.today,
            case_deadlines=board.by_case.get(deadline.case.request_id),
            sent=board.letters.get(deadline.case.request_id),
        )

    def _show_action(self, action: NextAction | None, deadline: Deadline | None = None) -> None:
        """The next action's sentence and its button (none when nothing is left to do, or
        when the case is to be opened: the Open case button does that)."""
        self.action = action or NextAction(worklist.NOTHING, "")
        self.next_label.setVisible(bool(self.action.text))
        self.next_label.setText(
            "<b>{label}</b> {text}".format(
                label=html.escape(_("Next action:")), text=html.escape(self.action.text)
            )
        )
        label = self._action_label(self.action.key, deadline.rule if deadline else "")
        self.action_button.setVisible(bool(label))
        if label:
            self.action_button.setText(label)
            self.action_button.setAccessibleName(label.replace("&", "").rstrip("…"))
            # The form or the letter it opens is one the signed-in role may save.
            needs = "documents" if self.action.key in worklist.LETTER_ACTIONS else "cases"
            self.action_button.setProperty(NEEDS, needs)
            may = self.role is None or allowed(self.role, needs)
            self.action_button.setEnabled(may)
            self.action_button.setToolTip(
                _("Show the case in the main window and do this there")
                if may
                else refusal(self.role or "", needs)
            )

    def _action_label(self, key: str, rule: str) -> str:
        if key == worklist.UPDATE_DECISION:
            return _(UPDATE_LABELS.get(rule, UPDATE_LABELS["notification"]))
        return _(ACTION_LABELS[key]) if key in ACTION_LABELS else ""

    def _deadline_html(self, deadline: Deadline) -> str:
        bucket = self.model.board.bucket(deadline) if self.model.board else None
        colour = BUCKET_COLOURS.get(bucket or "", "#1a1a1a")
        e = html.escape
        title = _("{reference} — {rule}").format(
            reference=self.model.case_text(deadline.case.request_id, deadline.case.reference),
            rule=deadline.title,
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
        explanation, footnote = deadline.explanation_parts()
        return (
            f"<h3>{e(title)}</h3>"
            f"<p>{'<br>'.join(lines)}</p>"
            f"<p>{e(explanation)}</p>"
            + (f"<p style='{FOOTNOTE_STYLE}'>{e(footnote)}</p>" if footnote else "")
            + f"<p><b>{e(basis_label)}</b><br>{e(deadline.basis)}</p>"
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
            f"<h3>{e(self.model.case_text(group.request_id or 0, group.reference))}</h3>"
            f"<ul>{''.join(items)}</ul>"
            f"<p>{e(_('Select a time limit to see how its date was computed.'))}</p>"
        )
