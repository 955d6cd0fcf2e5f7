"""The pieces the case panel's sections are built of: selectable labels, a section's
heading and rule, a form of captions and values, a row of text with its button, and the
row of a time limit (its state badge, due day and how it was counted).

Shared by the panel (``casepanel``) and its documents section (``casedocuments``), so that
every section looks alike and neither imports the other for a helper.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.deadlines import ACTOR_LABELS, RUNNING_STATES, STATE_LABELS, Deadline, State
from amudesk.i18n import _
from amudesk.ui.kit.buttons import action_button

NOT_RECORDED = "—"
SPACING = 6  # between the rows of the panel (and of a section that is a widget of its own)


class SelectableLabel(QLabel):
    """A wrapping label whose text can be selected and is never read as HTML.

    Selectable labels are drawn through a text document that clips what rises above
    its first line, cutting stacked accents (the tilde of Vietnamese "Ễ"); a margin
    inside the document keeps them whole.
    """

    def __init__(self, text: str, *, name: str | None = None, object_name: str = "") -> None:
        super().__init__()
        self._plain = text
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setText(selectable_html(text))
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        if object_name:
            self.setObjectName(object_name)
        self.setAccessibleName(name or text)

    def plain_text(self) -> str:
        return self._plain


def selectable_html(text: str) -> str:
    body = html.escape(text).replace("\n", "<br>")
    return (
        '<table cellspacing="0" cellpadding="0" style="margin-top:3px">'
        f"<tr><td>{body}</td></tr></table>"
    )


def plain_label(text: str, *, name: str | None = None, object_name: str = "") -> SelectableLabel:
    return SelectableLabel(text, name=name, object_name=object_name)


def section(layout: QVBoxLayout, title: str) -> None:
    """A section's heading and the rule under it."""
    heading = plain_label(title, object_name="sectionTitle")
    heading.setAccessibleName(title)
    layout.addSpacing(8)
    layout.addWidget(heading)
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setObjectName("sectionRule")
    layout.addWidget(line)


def form(layout: QVBoxLayout, rows: list[tuple[str, str]]) -> QFormLayout:
    """Captions and their values (a dash for a value not recorded)."""
    fields = QFormLayout()
    fields.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    fields.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    fields.setHorizontalSpacing(12)
    fields.setVerticalSpacing(4)
    for caption, value in rows:
        shown = value or NOT_RECORDED
        key = plain_label(caption, object_name="fieldName")
        fields.addRow(
            key,
            plain_label(shown, name=_("{label}: {value}").format(label=caption, value=shown)),
        )
    layout.addLayout(fields)
    return fields


def item_row(
    text: str,
    slot: Callable[[], None],
    *,
    object_name: str,
    name: str,
    needs: str,
    button: str = "",
) -> QHBoxLayout:
    """A text and, on its right, the button that acts on it ("Edit…" unless told);
    ``needs``: what the button does, as :func:`action_button` takes it."""
    row = QHBoxLayout()
    row.addWidget(plain_label(text), 1)
    button_widget = action_button(
        button or _("Edit…"), slot, object_name=object_name, name=name, needs=needs
    )
    row.addWidget(button_widget, 0, Qt.AlignmentFlag.AlignTop)
    return row


def button_row(text: str, slot: Callable[[], None], object_name: str, *, needs: str) -> QHBoxLayout:
    """A button alone on its row, on the left (``needs`` as :func:`action_button` takes it)."""
    row = QHBoxLayout()
    row.addWidget(action_button(text, slot, object_name=object_name, needs=needs))
    row.addStretch(1)
    return row


# --- time limits ------------------------------------------------------------------

WEEKDAY_DATE = "EEE d MMM y"  # 'Tue 18 Aug 2026', as in the clock's explanations

# Badge colours of a deadline's state (text on background at least 4.5:1).
BADGE_BASE = "border-radius: 3px; padding: 1px 6px; font-weight: 600;"
STATE_STYLES: dict[str, str] = {
    State.OVERDUE: "background: #a4000f; color: #ffffff; border: 1px solid #a4000f;",
    State.DUE: "background: #ffd9a8; color: #5c2c00; border: 1px solid #d9822b;",
    State.UPCOMING: "background: #e8f0fa; color: #1d3a5f; border: 1px solid #a9bfd9;",
    State.DONE: "background: #dff0e1; color: #1d5a2a; border: 1px solid #9fcaa7;",
    State.NOT_STARTED: "background: #eef0f2; color: #3d4249; border: 1px solid #b5bac1;",
    State.LAPSED: "background: #f3efe9; color: #5b4d3a; border: 1px solid #c9bba5;",
    State.CLOSED: "background: #eef0f2; color: #3d4249; border: 1px solid #b5bac1;",
}
HANDLED_STYLE = STATE_STYLES[State.NOT_STARTED]


def weekday_date(day: dt.date) -> str:
    return i18n.format_date(day, WEEKDAY_DATE)


def state_text(deadline: Deadline, today: dt.date) -> str:
    """'Overdue', 'Due today' … and whether a user marked it handled or snoozed it."""
    label = STATE_LABELS.get(deadline.state)
    text = _(label) if label else str(deadline.state)
    if deadline.state in RUNNING_STATES and deadline.handled:
        return _("{state}, marked handled").format(state=text)
    if deadline.state in RUNNING_STATES and deadline.snoozed(today) and deadline.mark:
        until = deadline.mark.until
        assert until is not None
        return _("{state}, snoozed until {date}").format(state=text, date=weekday_date(until))
    return text


def state_style(deadline: Deadline) -> str:
    """The badge's colours: red overdue, orange due today, green done, grey not started."""
    if deadline.state in RUNNING_STATES and deadline.handled:
        return HANDLED_STYLE + BADGE_BASE
    return STATE_STYLES.get(deadline.state, HANDLED_STYLE) + BADGE_BASE


def state_badge(deadline: Deadline, today: dt.date) -> QLabel:
    text = state_text(deadline, today)
    badge = QLabel(text)
    badge.setTextFormat(Qt.TextFormat.PlainText)
    badge.setStyleSheet("QLabel { " + state_style(deadline) + " }")
    badge.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    badge.setAccessibleName(_("State: {state}").format(state=text))
    badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
    # As wide as the widest state, so that the rules' names line up.
    bold = QFont(badge.font())
    bold.setWeight(QFont.Weight.DemiBold)
    widest = max(QFontMetrics(bold).horizontalAdvance(_(label)) for label in STATE_LABELS.values())
    badge.setMinimumWidth(widest + 16)
    badge.setObjectName(f"deadlineState-{deadline.rule}")
    badge.setProperty("state", str(deadline.state))
    return badge


def due_text(deadline: Deadline) -> str:
    """'Due Tue 18 Aug 2026 · done on … · to be done by: CPAS'."""
    parts = []
    if deadline.due is not None:
        parts.append(_("Due {date}").format(date=weekday_date(deadline.due)))
    else:
        parts.append(_("Not running yet"))
    if deadline.done_on is not None:
        parts.append(_("done on {date}").format(date=weekday_date(deadline.done_on)))
    actor = ACTOR_LABELS.get(deadline.actor)
    parts.append(
        _("to be done by: {actor}").format(actor=_(actor) if actor else str(deadline.actor))
    )
    return " · ".join(parts)


def deadline_row(deadline: Deadline, today: dt.date) -> QWidget:
    """Badge and rule, the due day and who acts, then how it was counted."""
    row = QWidget()
    row.setObjectName(f"deadline-{deadline.rule}")
    column = QVBoxLayout(row)
    column.setContentsMargins(0, 4, 0, 4)
    column.setSpacing(1)
    top = QHBoxLayout()
    top.setSpacing(8)
    top.addWidget(state_badge(deadline, today), 0, Qt.AlignmentFlag.AlignTop)
    title = plain_label(deadline.title, object_name="deadlineTitle")
    title.setStyleSheet("font-weight: 600;")
    top.addWidget(title, 1)
    column.addLayout(top)
    column.addWidget(plain_label(due_text(deadline), object_name="deadlineDue"))
    explanation = plain_label(deadline.explanation, object_name="deadlineExplanation")
    basis = _("Legal basis: {basis}").format(basis=deadline.basis)
    explanation.setToolTip(basis)
    explanation.setAccessibleDescription(basis)
    explanation.setStyleSheet("color: #50565e;")
    column.addWidget(explanation)
    return row
