"""Passphrase fields, shared by the unlock, first-run, restore and change-passphrase dialogs
(and the intro of the backups): a masked edit kept out of input-method dictionaries, the
"Show the passphrase" box, the strength score and its meter, a new passphrase typed twice
with the rules it must follow, and the buttons, error display and layout these dialogs have
in common.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from amudesk.crypto import MAX_CHECKED as MAX_CHECKED
from amudesk.crypto import MAX_SCORE, MIN_LENGTH, MIN_SCORE, passphrase_strength
from amudesk.i18n import N_, _
from amudesk.services import FieldError
from amudesk.ui.kit.fielderrors import ErrorLabel, clear_field_errors, show_field_error
from amudesk.ui.kit.formrows import add_composite_row, add_row
from amudesk.ui.kit.hints import GOOD_STYLE, HINT_STYLE, hint_label, warning_label
from amudesk.ui.kit.taborder import chain_tab_order

MAX_PASSPHRASE = 1000
MIN_WIDTH = 420

# Our own words for zxcvbn's score 0..4 (its English feedback is never shown).
STRENGTH_WORDS = (
    N_("very weak"),
    N_("weak"),
    N_("fair"),
    N_("strong"),
    N_("very strong"),
)
STRENGTH_COLOURS = ("#a4000f", "#a4000f", "#b35c00", "#1d6b2a", "#1d6b2a")
METER_STYLE = (
    "QProgressBar {{ border: 1px solid #8a8a8a; border-radius: 3px; background: #f4f4f4; }}"
    " QProgressBar::chunk {{ background: {colour}; }}"
)


def strength_word(score: int) -> str:
    """'very weak' … 'very strong', translated."""
    return _(STRENGTH_WORDS[max(0, min(MAX_SCORE, score))])


# --- the pieces -----------------------------------------------------------------------------


def password_edit(object_name: str = "") -> QLineEdit:
    """A masked field for a passphrase, kept out of input-method dictionaries."""
    edit = QLineEdit()
    if object_name:
        edit.setObjectName(object_name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(MAX_PASSPHRASE)
    # No input method suggestions, no prediction: the text must stay out of any dictionary.
    edit.setInputMethodHints(
        Qt.InputMethodHint.ImhHiddenText
        | Qt.InputMethodHint.ImhSensitiveData
        | Qt.InputMethodHint.ImhNoPredictiveText
        | Qt.InputMethodHint.ImhNoAutoUppercase
    )
    return edit


def intro_label(text: str) -> QLabel:
    """The sentences at the top of a dialog that say what it does."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("font-size: 11pt;")
    return label


def lost_passphrase_warning() -> QLabel:
    """The warning of the dialogs that set a passphrase: a lost one cannot be recovered."""
    return warning_label(
        _(
            "If the passphrase is lost, nobody can recover it or the data, not even the "
            "AMU Desk developers. Write it down and keep it somewhere safe."
        )
    )


def passphrase_form() -> QFormLayout:
    """The form of a passphrase dialog: long rows wrap under their labels."""
    form = QFormLayout()
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return form


def show_passphrase_check(edits: Sequence[QLineEdit], *, plural: bool = False) -> QCheckBox:
    """The box that shows the text of ``edits`` while checked: "Show the passphrase", or
    "…passphrases" (``plural``)."""
    if plural:
        check = QCheckBox(_("&Show the passphrases"))
        check.setAccessibleName(_("Show the passphrases"))
    else:
        check = QCheckBox(_("&Show the passphrase"))
        check.setAccessibleName(_("Show the passphrase"))
    shown_edits = tuple(edits)

    def show_text(shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        for edit in shown_edits:
            edit.setEchoMode(mode)

    check.toggled.connect(show_text)
    return check


def passphrase_buttons(
    dialog: QDialog, text: str, name: str, *, cancel_name: str = ""
) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """The button box and its two buttons: ``text`` (named ``name``) accepts; the other
    closes, "Quit" (AMU Desk) before the main window or Cancel (named ``cancel_name``) in
    it, and never takes Enter."""
    buttons = QDialogButtonBox()
    accept = buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
    accept.setAccessibleName(name)
    if cancel_name:
        close = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        close.setAccessibleName(cancel_name)
    else:
        close = buttons.addButton(_("&Quit"), QDialogButtonBox.ButtonRole.RejectRole)
        close.setAccessibleName(_("Quit AMU Desk"))
    close.setAutoDefault(False)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, accept, close


def show_problem(
    error: FieldError | None,
    fields: dict[str, QWidget],
    label: ErrorLabel,
    *,
    select: Collection[str] = (),
) -> bool:
    """Clear the last problem shown, then show ``error`` on its field (its text selected
    when the field is one of ``select``); False when there is none."""
    clear_field_errors(fields, label)
    if error is None:
        return False
    show_field_error(error, fields, label)
    edit = fields.get(error.field)
    if error.field in select and isinstance(edit, QLineEdit):
        edit.selectAll()
    return True


def lay_out(
    dialog: QDialog,
    parts: Sequence[QWidget | QLayout],
    buttons: QDialogButtonBox,
    *,
    tab_order: list[QWidget],
    default: QPushButton,
    width: int,
) -> None:
    """``parts`` top to bottom and ``buttons`` at the bottom of ``dialog``; Tab goes along
    ``tab_order``, whose first widget has the focus, and Enter presses ``default``. The
    dialog is ``width`` wide unless its contents need more (never under ``MIN_WIDTH``), and
    as high as they need."""
    layout = QVBoxLayout(dialog)
    for part in parts:
        if isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part)
    layout.addStretch(1)
    layout.addWidget(buttons)
    chain_tab_order(tab_order)
    default.setDefault(True)  # once it belongs to the dialog
    dialog.setMinimumWidth(MIN_WIDTH)
    dialog.resize(max(width, dialog.sizeHint().width()), dialog.sizeHint().height())
    tab_order[0].setFocus(Qt.FocusReason.OtherFocusReason)


# --- a new passphrase -----------------------------------------------------------------------


class StrengthMeter(QWidget):
    """The strength bar and word of a new passphrase, for any field."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.score = 0
        self.bar = QProgressBar()
        self.bar.setRange(0, MAX_SCORE)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(self.fontMetrics().height() // 2 + 4)
        self.bar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.bar.setAccessibleName(_("Passphrase strength"))
        self.word = QLabel()
        self.word.setTextFormat(Qt.TextFormat.PlainText)
        # As wide as the longest word, so that the bar keeps its length while typing.
        self.word.setMinimumWidth(
            max(self.fontMetrics().horizontalAdvance(strength_word(n)) for n in range(5)) + 4
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.word)
        self.show_strength("")

    def show_strength(self, text: str) -> int:
        """Show the strength of ``text`` (at most 'fair' while too short); returns it."""
        score = passphrase_strength(text)
        if len(text) < MIN_LENGTH:
            score = min(score, MIN_SCORE - 1)
        self.score = score
        self.bar.setValue(score if text else 0)
        self.bar.setStyleSheet(METER_STYLE.format(colour=STRENGTH_COLOURS[score]))
        level = strength_word(score) if text else "—"
        self.word.setText(level)
        description = _("Passphrase strength: {level}").format(level=level)
        self.bar.setAccessibleDescription(description)
        self.word.setAccessibleDescription(description)
        self.word.setStyleSheet(GOOD_STYLE if text and score >= MIN_SCORE else HINT_STYLE)
        return score


class NewPassphraseFields:
    """A new passphrase typed twice, the rule it follows and its strength meter, as rows of
    the dialog's ``form`` (so that they share the column of its other labels).

    ``label`` names the passphrase row, ``again`` describes the confirmation. The Strength
    label leads to the bar (``strength_buddy``) or is a plain label.
    """

    def __init__(
        self, form: QFormLayout, label: str, again: str, *, strength_buddy: bool = False
    ) -> None:
        self.edit = password_edit()
        self.confirmation_edit = password_edit()
        self.meter = StrengthMeter()
        add_row(form, label, self.edit)
        rule = _(
            "At least {n} characters. Several unrelated words are strong and easy to remember."
        ).format(n=MIN_LENGTH)
        self.edit.setAccessibleDescription(rule)
        form.addRow("", hint_label(rule))
        if strength_buddy:
            add_composite_row(form, _("Strength"), self.meter, self.meter.bar)
        else:
            # A plain label: the bar takes no focus, so a buddy and mnemonic would lead nowhere.
            form.addRow(QLabel(_("Strength")), self.meter)
        add_row(form, _("Con&firmation"), self.confirmation_edit)
        self.confirmation_edit.setAccessibleDescription(again)
        self.edit.textChanged.connect(self.meter.show_strength)

    def problem(
        self,
        field: str,
        *,
        empty: str,
        too_short: str,
        too_weak: str,
        mismatch: str,
        current: str | None = None,
        same: str = "",
    ) -> FieldError | None:
        """What keeps the new passphrase from being accepted, said in the dialog's words:
        on ``field``, ``empty``, ``too_short`` (its ``{n}`` is the least length), ``same``
        (as ``current``, when given) or ``too_weak``; on the confirmation, ``mismatch``.
        None when fine."""
        new = self.edit.text()
        if not new:
            return FieldError(field, empty)
        if len(new) < MIN_LENGTH:
            return FieldError(field, too_short.format(n=MIN_LENGTH))
        if current is not None and new == current:
            return FieldError(field, same)
        if self.meter.score < MIN_SCORE:
            return FieldError(field, too_weak)
        if self.confirmation_edit.text() != new:
            return FieldError("confirmation", mismatch)
        return None
