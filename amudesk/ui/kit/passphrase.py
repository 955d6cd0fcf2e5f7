"""Passphrase fields: a masked edit kept out of input-method dictionaries, the strength score
and its meter, shared by the unlock, first-run, backup, restore and change-passphrase dialogs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QProgressBar, QWidget

from amudesk.i18n import N_, _
from amudesk.ui.kit.hints import GOOD_STYLE, HINT_STYLE

MIN_LENGTH = 10
MIN_SCORE = 3
MAX_SCORE = 4
# zxcvbn gets slow on long inputs (about 50 ms at 100 characters): it never sees more.
MAX_CHECKED = 100
MAX_PASSPHRASE = 1000
MIN_WIDTH = 420
# Words zxcvbn should count as guessable in a passphrase chosen for this program.
GUESSABLE_WORDS = ("amudesk", "amu", "desk", "aide médicale urgente", "cpas", "ocmw")

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


def passphrase_strength(passphrase: str) -> int:
    """zxcvbn's score, 0 (very weak) .. 4 (very strong), of the first 100 characters."""
    if not passphrase:
        return 0
    from zxcvbn import zxcvbn  # about 0.1 s to import its word lists: only when needed

    checked = passphrase[:MAX_CHECKED]
    try:
        result = zxcvbn(checked, user_inputs=list(GUESSABLE_WORDS), max_length=MAX_CHECKED)
    except TypeError:  # zxcvbn before 4.5 has neither the argument nor the 72-character limit
        result = zxcvbn(checked, user_inputs=list(GUESSABLE_WORDS))
    return max(0, min(MAX_SCORE, int(result["score"])))


def strength_word(score: int) -> str:
    """'very weak' … 'very strong', translated."""
    return _(STRENGTH_WORDS[max(0, min(MAX_SCORE, score))])


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
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


def _intro_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("font-size: 11pt;")
    return label


class StrengthMeter(QWidget):
    """The strength bar and word of the first-run passphrase dialog, for any field."""

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
