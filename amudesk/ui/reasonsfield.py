"""The reasons a refusal or a finding of incompetence gave: one box per reason of
``amudesk.refusals`` (those the law does not allow marked so), each with a one-line
explanation for the letter that answers it.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from amudesk.i18n import _
from amudesk.refusals import REASONS, UNLAWFUL_KEYS, RefusalReason
from amudesk.services import FieldError
from amudesk.services.cases import DecisionData, check_reasons
from amudesk.ui.decisionparts import reason_text
from amudesk.ui.kit.hints import BAD_STYLE, hint_label

EXPLANATION_LENGTH = 500  # as the service keeps it


def reason_tooltip(reason: RefusalReason) -> str:
    """What answers the reason, and the text it rests on (empty for "other")."""
    if not reason.answer:
        return ""
    return _("{answer} ({basis})").format(answer=_(reason.answer), basis=_(reason.basis))


class ReasonsField(QGroupBox):
    """Tick the reasons given; an explanation is typed once its reason is ticked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Reasons &given"), parent)
        self.setObjectName("reasonsField")
        column = QVBoxLayout(self)
        column.addWidget(
            hint_label(
                _(
                    "Tick each reason the decision gives, even one the law does not allow; "
                    "the explanation is quoted in the letters that answer it."
                )
            )
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        self.boxes: dict[str, QCheckBox] = {}
        self.explanations: dict[str, QLineEdit] = {}
        for row, reason in enumerate(REASONS.values()):
            box = QCheckBox(_(reason.label))
            box.setObjectName(f"reason-{reason.key}")
            box.setAccessibleName(
                _("Reason given: {reason}").format(reason=reason_text(reason.key, ""))
            )
            tip = reason_tooltip(reason)
            box.setToolTip(tip)
            box.setAccessibleDescription(tip)
            holder = QWidget()
            line = QHBoxLayout(holder)
            line.setContentsMargins(0, 0, 0, 0)
            line.setSpacing(6)
            line.addWidget(box)
            if reason.key in UNLAWFUL_KEYS:
                unlawful = QLabel(_("not allowed by law"))
                unlawful.setObjectName("unlawfulReason")
                unlawful.setStyleSheet(BAD_STYLE + " font-size: 90%;")
                unlawful.setToolTip(tip)
                line.addWidget(unlawful)
            line.addStretch(1)
            edit = QLineEdit()
            edit.setObjectName(f"reasonExplanation-{reason.key}")
            edit.setMaxLength(EXPLANATION_LENGTH)
            edit.setEnabled(False)
            if reason.key == "other":
                edit.setPlaceholderText(_("Which reason (required)"))
                name = _("Other reason: which (required)")
            else:
                edit.setPlaceholderText(_("Explanation (optional)"))
                name = _("Explanation of: {reason}").format(reason=_(reason.label))
            edit.setAccessibleName(name)
            box.toggled.connect(edit.setEnabled)
            grid.addWidget(holder, row, 0)
            grid.addWidget(edit, row, 1)
            self.boxes[reason.key] = box
            self.explanations[reason.key] = edit
        column.addLayout(grid)
        self.setFocusProxy(next(iter(self.boxes.values())))

    def tab_chain(self) -> list[QWidget]:
        """Each box, then its explanation (skipped by Tab while disabled)."""
        return [w for key in self.boxes for w in (self.boxes[key], self.explanations[key])]

    def value(self) -> list[tuple[str, str]]:
        """The ticked reasons (key, explanation), in the table's order."""
        return [
            (key, self.explanations[key].text())
            for key, box in self.boxes.items()
            if box.isChecked()
        ]

    def set_value(self, reasons: list[tuple[str, str]]) -> None:
        given = dict(reasons)
        for key, box in self.boxes.items():
            box.setChecked(key in given)
            self.explanations[key].setText(given.get(key, ""))

    def error_target(self, kind: str) -> QWidget:
        """The input a reasons' FieldError is about: the first ticked reason the service
        refuses on its own (its explanation), else the first box."""
        for key, explanation in self.value():
            try:
                check_reasons(DecisionData(kind=kind, reasons=[(key, explanation)]))
            except FieldError:
                return self.explanations[key]
        return next(iter(self.boxes.values()))
