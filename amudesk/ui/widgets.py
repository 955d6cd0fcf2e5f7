"""Reusable inputs of the case forms, and the base of those forms.

- ``PartialDateEdit``: a birth date typed as 2/3/1984, 03/1984, 1984 or ISO, with its reading shown.
- ``OptionalDateEdit``: a day that may be empty, typed or picked from a calendar.
- ``SearchCombo`` / ``CountryCombo``: an editable list found by any part of a name, accents ignored.
- ``LanguagesEdit``: several languages, added by typing a few letters and Enter.
- ``PhotoField``: the ID photo (35:45), from a file or the camera, framed by the user and
  cleaned by ``amudesk.photos``.
- ``PersonPicker``: find an existing person by name or NISS.
- ``FormDialog``: OK/Cancel, Ctrl+Enter, and a save that shows a ``FieldError`` on its field.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QDate,
    QLocale,
    QModelIndex,
    QObject,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QPixmap,
    QShortcut,
    QShowEvent,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QScrollArea,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from amudesk import i18n
from amudesk.i18n import _, ngettext
from amudesk.identifiers import IdentifierError, parse_niss
from amudesk.photos import MAX_INPUT_BYTES, PhotoError, load_photo_file
from amudesk.services import FieldError, NotFound
from amudesk.services import validation as v
from amudesk.text import fold
from amudesk.ui import photocapture
from amudesk.ui.forms import ErrorLabel, add_row, clear_field_errors, show_field_error

log = logging.getLogger(__name__)


HINT_STYLE = "color: #555555;"
GOOD_STYLE = "color: #1d6b2a;"
BAD_STYLE = "color: #a4000f;"
WARNING_STYLE = (
    "background: #fff4ce; color: #4a3b00; border: 1px solid #e0c060;"
    " border-radius: 3px; padding: 4px 6px; font-weight: 600;"
)
SEARCH_DELAY_MS = 250


def hint_label(text: str = "") -> QLabel:
    """A small grey explanatory line under a field."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


def warning_label(text: str) -> QLabel:
    """A clearly visible reminder (yellow box)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(WARNING_STYLE)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName(text)
    return label


def set_hint(label: QLabel, text: str, style: str = HINT_STYLE) -> None:
    label.setText(text)
    label.setStyleSheet(style)
    label.setAccessibleDescription(text)
    label.setVisible(bool(text))


def add_composite_row(
    form: QFormLayout, text: str, container: QWidget, editor: QWidget, *, name: str | None = None
) -> QLabel:
    """A row holding ``container`` whose label focuses and names ``editor`` inside it."""
    label = add_row(form, text, container)
    label.setBuddy(editor)
    editor.setAccessibleName(name or text.replace("&", "").replace(" *", ""))
    return label


def add_hint_row(form: QFormLayout, label: QLabel) -> None:
    """A wrapped hint spanning the form (so it reflows), indented to the field column
    by ``align_label_columns``."""
    label.setProperty("hint_row", True)
    form.addRow(label)


def align_label_columns(forms: Sequence[QFormLayout]) -> None:
    """Give the label columns of several stacked forms the same width; indent hint rows."""
    labels = [
        item.widget()
        for form in forms
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
        and item.widget() is not None
    ]
    width = max((label.sizeHint().width() for label in labels if label), default=0)
    for label in labels:
        if label is not None:
            label.setMinimumWidth(width)
    for form in forms:
        spacing = form.horizontalSpacing() if form.horizontalSpacing() >= 0 else 6
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.SpanningRole)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QLabel) and widget.property("hint_row"):
                widget.setContentsMargins(width + spacing, 0, 0, 0)


# --- dates -------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2}|\?\?|xx|XX)(?:-(\d{1,2}|\?\?|xx|XX))?)?$")
_SEPARATORS = re.compile(r"[/.\-\s]+")
_UNKNOWN = {"?", "??", "x", "xx", "0", "00"}


class DateSyntaxError(ValueError):
    """The text cannot be read as a date at all."""


def _year(token: str, *, past: bool, today: dt.date) -> int:
    if not token.isascii() or not token.isdigit() or len(token) not in (2, 4):
        raise DateSyntaxError(token)
    year = int(token)
    if len(token) == 2:
        # Two digits: the most recent matching year (birth dates), or up to 20 years ahead.
        limit = today.year if past else today.year + 20
        year += 2000 if 2000 + year <= limit else 1900
    return year


def _part(token: str) -> int | None:
    if token.lower() in _UNKNOWN:
        return None
    if not token.isascii() or not token.isdigit() or len(token) > 2:
        raise DateSyntaxError(token)
    return int(token)


def _tokens(text: str) -> list[str]:
    parts = [p for p in _SEPARATORS.split(text) if p]
    if len(parts) == 1 and parts[0].isascii() and parts[0].isdigit():
        digits = parts[0]
        if len(digits) == 8:  # 02031984
            return [digits[:2], digits[2:4], digits[4:]]
        if len(digits) == 6:  # 031984 (month, year) or 020384 (day, month, two-digit year)
            if 1800 <= int(digits[2:]) <= 2200:
                return [digits[:2], digits[2:]]
            return [digits[:2], digits[2:4], digits[4:]]
    return parts


def split_date(
    text: str, *, past: bool = True, today: dt.date | None = None
) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) of a date typed day first or ISO; None when empty.

    Accepts ``2/3/1984``, ``02.03.84``, ``02031984``, ``03/1984``, ``1984``, ``1984-03-02``,
    ``1984-03``; ``?``, ``x`` or ``00`` mark an unknown day or month. Raises
    :class:`DateSyntaxError` when the text is not a date at all. The numbers are not
    checked (31 February comes back as it is).
    """
    today = today or dt.date.today()
    text = text.strip()
    if not text:
        return None
    iso = _ISO.match(text)
    if iso:
        year_text, month_text, day_text = iso.groups()
        year = int(year_text)
        month = _part(month_text) if month_text else None
        day = _part(day_text) if day_text else None
    else:
        parts = _tokens(text)
        if not 1 <= len(parts) <= 3:
            raise DateSyntaxError(text)
        year = _year(parts[-1], past=past, today=today)
        month = _part(parts[-2]) if len(parts) >= 2 else None
        day = _part(parts[-3]) if len(parts) == 3 else None
    if day is not None and month is None:
        raise DateSyntaxError(text)
    return year, month, day


def partial_text(parts: tuple[int, int | None, int | None] | None) -> str:
    """'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or ''."""
    if parts is None:
        return ""
    year, month, day = parts
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_full_date(text: str, *, today: dt.date | None = None) -> dt.date | None:
    """A complete day typed as 2/3/2026, 02.03.26, 02032026 or ISO; None when empty."""
    parts = split_date(text, past=False, today=today)
    if parts is None:
        return None
    year, month, day = parts
    if month is None or day is None:
        raise DateSyntaxError(text)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateSyntaxError(text) from None


def numeric_date_pattern(locale: str | None = None) -> str:
    """The locale's short date pattern with two-digit day and month and a four-digit year."""
    from babel.dates import get_date_format

    pattern = get_date_format("short", locale=i18n.babel_locale(locale)).pattern
    pattern = re.sub(r"d+", "dd", pattern)
    pattern = re.sub(r"M+", "MM", pattern)
    return re.sub(r"y+", "yyyy", pattern)


def date_placeholder(pattern: str) -> str:
    """'dd/MM/yyyy' written with the reader's letters: JJ/MM/AAAA, DD/MM/JJJJ, DD/MM/YYYY."""
    return pattern.replace("dd", _("DD")).replace("MM", _("MM")).replace("yyyy", _("YYYY"))


def _age_text(birth: str) -> str:
    from amudesk.services.people import age_on

    age = age_on(birth, dt.date.today())
    if age is None or age < 0:
        return ""
    return ngettext("{n} year old", "{n} years old", age).format(n=age)


class _DateLineEdit(QLineEdit):
    """A line edit that opens its calendar on Alt+Down or F4."""

    calendar_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        alt_down = event.key() == Qt.Key.Key_Down and (
            event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if alt_down or event.key() == Qt.Key.Key_F4:
            self.calendar_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class PartialDateEdit(QWidget):
    """A date whose day, or day and month, may be unknown; its reading is shown under it."""

    changed = Signal()

    def __init__(
        self, *, label: str | None = None, show_age: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._label = label or _("Birth date")
        self._show_age = show_age
        self.edit = QLineEdit()
        self.edit.setMaxLength(20)
        self.edit.setPlaceholderText(_("e.g. 2/3/1984, 3/1984 or 1984"))
        self.edit.setToolTip(
            _(
                "Type the day, month and year (2/3/1984), the month and year (3/1984) or the "
                "year only (1984). Use ? or 00 for an unknown day or month."
            )
        )
        self.hint = hint_label()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.hint)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._update_hint)
        self.edit.editingFinished.connect(self._tidy)
        self._update_hint()

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 (Qt name)
        super().setAccessibleName(name)
        self.edit.setAccessibleName(name)

    def _parts(self) -> tuple[int, int | None, int | None] | None:
        return split_date(self.edit.text(), past=True)

    def value(self) -> str:
        """'YYYY-MM-DD', 'YYYY-MM', 'YYYY', '' when empty, the typed text when unreadable."""
        try:
            return partial_text(self._parts())
        except DateSyntaxError:
            return self.edit.text().strip()

    def set_value(self, text: str | None) -> None:
        text = text or ""
        try:
            parts = split_date(text, past=True)
        except DateSyntaxError:
            self.edit.setText(text)
            return
        self.edit.setText(self._display(parts))

    def problem(self) -> str | None:
        """What is wrong with the typed date, as a sentence naming the field; None when fine."""
        try:
            parts = self._parts()
        except DateSyntaxError:
            return _("{field}: write the date as 2/3/1984, 3/1984 or 1984 (got “{value}”).").format(
                field=self._label, value=self.edit.text().strip()
            )
        try:
            v.partial_date(partial_text(parts), "birth_date", self._label)
        except FieldError as error:
            return error.message
        return None

    @staticmethod
    def _display(parts: tuple[int, int | None, int | None] | None) -> str:
        if parts is None:
            return ""
        year, month, day = parts
        if month is None:
            return f"{year:04d}"
        if day is None:
            return f"{month:02d}/{year:04d}"
        return f"{day:02d}/{month:02d}/{year:04d}"

    def _tidy(self) -> None:
        if self.problem() is None and self.edit.text().strip():
            self.edit.setText(self._display(self._parts()))

    def _update_hint(self, *_args: object) -> None:
        if not self.edit.text().strip():
            set_hint(self.hint, _("Unknown — leave empty if nobody knows."))
        elif (message := self.problem()) is not None:
            set_hint(self.hint, message, BAD_STYLE)
        else:
            set_hint(self.hint, self.reading(), GOOD_STYLE)
        self.changed.emit()

    def reading(self) -> str:
        """The interpreted date in words: '2 Mar 1984 — 42 years old', 'March 1984 — day unknown'."""
        value = self.value()
        shown = i18n.format_partial_date(value)
        if value.count("-") == 1:
            shown = _("{date} — day unknown").format(date=shown)
        elif value and "-" not in value:
            shown = _("{year} — day and month unknown").format(year=shown)
        age = _age_text(value) if self._show_age else ""
        return f"{shown} — {age}" if age else shown


class OptionalDateEdit(QWidget):
    """A day that may be left empty: typed (2/3/2026, ISO …) or picked in a calendar."""

    changed = Signal()

    def __init__(self, *, label: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = label
        self.edit = _DateLineEdit()
        self.edit.setMaxLength(20)
        self.edit.setPlaceholderText(date_placeholder(self._pattern()))
        self.edit.setToolTip(_("Type the date (e.g. 2/3/2026) or press Alt+Down for a calendar."))
        self.calendar_button = QToolButton()
        self.calendar_button.setArrowType(Qt.ArrowType.DownArrow)
        self.calendar_button.setAccessibleName(_("Choose the date in a calendar"))
        self.calendar_button.setToolTip(_("Choose the date in a calendar (Alt+Down)"))
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.reading = QLabel()
        self.reading.setStyleSheet(HINT_STYLE)
        self.reading.setMinimumWidth(
            self.fontMetrics().horizontalAdvance("Wednesday 30 September 2026")
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(self.calendar_button)
        layout.addWidget(self.reading, 1)
        self.edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 24)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._update_reading)
        self.edit.editingFinished.connect(self._tidy)
        self.edit.calendar_requested.connect(self.open_calendar)
        self.calendar_button.clicked.connect(self.open_calendar)
        self._update_reading()

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 (Qt name)
        super().setAccessibleName(name)
        self.edit.setAccessibleName(name)
        if not self._label:
            self._label = name

    @staticmethod
    def _pattern() -> str:
        return numeric_date_pattern()

    def _parsed(self) -> dt.date | None:
        return parse_full_date(self.edit.text())

    def value(self) -> dt.date | None:
        """The day, or None when empty or unreadable (``problem()`` tells which)."""
        try:
            return self._parsed()
        except DateSyntaxError:
            return None

    def set_value(self, day: dt.date | None) -> None:
        self.edit.setText(i18n.format_date(day, self._pattern()) if day else "")

    def problem(self) -> str | None:
        try:
            self._parsed()
        except DateSyntaxError:
            return _("{field}: “{value}” is not a date; write it like {example}.").format(
                field=self._label or _("Date"),
                value=self.edit.text().strip(),
                example=i18n.format_date(dt.date.today(), self._pattern()),
            )
        return None

    def _tidy(self) -> None:
        day = self.value()
        if day is not None:
            self.set_value(day)

    def _update_reading(self, *_args: object) -> None:
        if not self.edit.text().strip():
            self.reading.setText(_("no date"))
            self.reading.setStyleSheet(HINT_STYLE)
        elif self.problem() is not None:
            self.reading.setText(_("not a date"))
            self.reading.setStyleSheet(BAD_STYLE)
        else:
            self.reading.setText(i18n.format_date(self.value(), "full"))
            self.reading.setStyleSheet(HINT_STYLE)
        self.reading.setAccessibleDescription(self.reading.text())
        self.changed.emit()

    def open_calendar(self) -> None:
        menu = QMenu(self)
        calendar = QCalendarWidget()
        calendar.setLocale(QLocale(i18n.babel_locale(None)))
        calendar.setGridVisible(True)
        current = self.value() or dt.date.today()
        calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        action = QWidgetAction(menu)
        action.setDefaultWidget(calendar)
        menu.addAction(action)

        def chosen(day: QDate) -> None:
            self.set_value(dt.date(day.year(), day.month(), day.day()))
            menu.close()
            self.edit.setFocus(Qt.FocusReason.PopupFocusReason)

        calendar.activated.connect(chosen)
        calendar.clicked.connect(chosen)
        calendar.setFocus()
        menu.popup(self.edit.mapToGlobal(QPoint(0, self.edit.height())))
        self._calendar_menu = menu


# --- searchable lists ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    key: Hashable
    label: str
    folded: str
    extras: tuple[str, ...]


class Finder:
    """Ranks entries for a typed text: name start, word start, anywhere, then other names."""

    def __init__(self, entries: Sequence[tuple[Hashable, str, Sequence[str]]]) -> None:
        self.entries = [
            _Entry(key, label, fold(label), tuple(fold(x) for x in extra if x))
            for key, label, extra in entries
        ]

    def matches(self, text: str, limit: int = 50) -> list[_Entry]:
        needle = fold(text)
        if not needle:
            return []
        ranked: list[tuple[int, str, _Entry]] = []
        for entry in self.entries:
            rank = self._rank(needle, entry)
            if rank is not None:
                ranked.append((rank, entry.folded, entry))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [entry for _rank, _key, entry in ranked[:limit]]

    @staticmethod
    def _rank(needle: str, entry: _Entry) -> int | None:
        if entry.folded == needle or needle in entry.extras:
            return 0  # the name, another language's name or the code
        if entry.folded.startswith(needle):
            return 1
        if f" {needle}" in f" {entry.folded}":
            return 2
        if needle in entry.folded:
            return 3
        if any(f" {needle}" in f" {extra}" for extra in entry.extras):
            return 4
        if any(needle in extra for extra in entry.extras):
            return 5
        return None

    def best(self, text: str) -> _Entry | None:
        found = self.matches(text, limit=1)
        return found[0] if found else None


class _CompletionModel(QStandardItemModel):
    def fill(self, entries: Sequence[_Entry]) -> None:
        self.clear()
        for entry in entries:
            item = QStandardItem(entry.label)
            item.setData(entry.key, Qt.ItemDataRole.UserRole)
            item.setEditable(False)
            self.appendRow(item)


def _hide_popup(completer: QCompleter) -> None:
    popup = completer.popup()
    if popup is not None:
        popup.hide()


def _popup_completer(owner: QWidget, model: QStandardItemModel) -> QCompleter:
    completer = QCompleter(owner)
    completer.setModel(model)
    completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setMaxVisibleItems(10)
    return completer


class _EmptyEntryDelegate(QStyledItemDelegate):
    """Shows the blank "unknown" entry of a list as its label, in grey italics."""

    def __init__(self, label: str, parent: QObject) -> None:
        super().__init__(parent)
        self._label = label

    def initStyleOption(self, option: QStyleOptionViewItem, index: Any) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        if index.row() == 0 and not index.data():
            option.text = self._label
            option.font.setItalic(True)
            option.palette.setColor(QPalette.ColorRole.Text, QColor("#666666"))


class SearchCombo(QComboBox):
    """An editable list where typing any part of a name (accents ignored) offers the matches.

    ``entries`` are (key, label, other names); ``empty_label`` adds a first entry meaning
    "unknown" (key None). Leaving the field picks the best match of what was typed.
    """

    changed = Signal()

    def __init__(
        self,
        entries: Sequence[tuple[Hashable, str, Sequence[str]]],
        *,
        empty_label: str | None = None,
        label: str = "",
        placeholder: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._label = label
        self._empty_label = empty_label
        self.finder = Finder(entries)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(18)
        if empty_label is not None:
            # An empty first entry: the field stays blank (placeholder shows the label);
            # the list shows the label in grey italics.
            self.addItem("", None)
            self.setItemData(0, empty_label, Qt.ItemDataRole.AccessibleTextRole)
            self.setItemDelegate(_EmptyEntryDelegate(empty_label, self))
        for key, text, _extra in entries:
            self.addItem(text, key)
        self.line_edit().setPlaceholderText(placeholder or empty_label or "")
        self.line_edit().setClearButtonEnabled(True)
        self._model = _CompletionModel(self)
        self._completer = _popup_completer(self, self._model)
        self.setCompleter(self._completer)
        self._completer.activated[str].connect(self._on_completion)  # type: ignore[index]
        self.line_edit().textEdited.connect(self._on_edited)
        self.line_edit().editingFinished.connect(self.resolve)
        self.currentIndexChanged.connect(self._emit_changed)
        self.setCurrentIndex(0 if empty_label is not None else -1)

    def line_edit(self) -> QLineEdit:
        line = self.lineEdit()
        assert line is not None  # always editable
        return line

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 (Qt name)
        super().setAccessibleName(name)
        self.line_edit().setAccessibleName(name)
        if not self._label:
            self._label = name

    def _emit_changed(self, *_args: object) -> None:
        self.changed.emit()

    def _on_edited(self, text: str) -> None:
        self._model.fill(self.finder.matches(text))
        if self._model.rowCount():
            self._completer.complete()
        else:
            _hide_popup(self._completer)

    def _on_completion(self, text: str) -> None:
        index = self.findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            self.setCurrentIndex(index)

    def _typed_matches_current(self) -> bool:
        return self.currentIndex() >= 0 and self.itemText(self.currentIndex()) == self.currentText()

    def _resolved_index(self) -> int | None:
        """The row the typed text stands for; -1/0 for empty; None when nothing matches."""
        if self._typed_matches_current():
            return self.currentIndex()
        text = self.currentText().strip()
        if not text:
            return 0 if self._empty_label is not None else -1
        if self._empty_label is not None and fold(text) == fold(self._empty_label):
            return 0
        best = self.finder.best(text)
        return None if best is None else self.findData(best.key)

    def resolve(self) -> None:
        """Turn what was typed into the entry it stands for (kept as typed if none)."""
        index = self._resolved_index()
        if index is None:
            return
        if index != self.currentIndex():
            self.setCurrentIndex(index)
        elif index >= 0 and self.currentText() != self.itemText(index):
            self.setEditText(self.itemText(index))
        elif index < 0:
            self.setEditText("")

    def key(self) -> Any:
        index = self._resolved_index()
        return None if index is None or index < 0 else self.itemData(index)

    def set_key(self, key: Hashable | None) -> None:
        index = self.findData(key) if key is not None else -1
        if index < 0 and self._empty_label is not None:
            index = 0
        self.setCurrentIndex(index)
        if index < 0:
            self.setEditText("")

    def problem(self) -> str | None:
        if self._resolved_index() is None:
            return _("{field}: nothing matches “{value}”; choose from the list.").format(
                field=self._label, value=self.currentText().strip()
            )
        return None


class CountryCombo(SearchCombo):
    """A country typed in any of our languages (or as its code); ``value()`` is alpha-2 or ''."""

    def __init__(self, locale: str | None = None, *, parent: QWidget | None = None) -> None:
        locale = locale or i18n.get_locale()
        others = [code for code in i18n.LANGUAGES if code != locale]
        entries = [
            (code, name, [code, *(i18n.country_name(code, other) for other in others)])
            for code, name in i18n.countries(locale)
        ]
        super().__init__(entries, empty_label=_("Unknown"), label=_("Nationality"), parent=parent)
        self.line_edit().setPlaceholderText(_("Type a few letters, e.g. belg"))

    def value(self) -> str:
        key = self.key()
        return str(key) if key else ""

    def set_value(self, code: str | None) -> None:
        self.set_key(code.upper() if code else None)


# --- languages ---------------------------------------------------------------------------


class FlowLayout(QLayout):
    """Lays its items out left to right, wrapping onto new lines."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt name)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt name)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt name)
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt name)
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt name)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt name)
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt name)
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt name)
        size = QSize(0, 0)
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x > rect.x() and x + hint.width() > rect.right() + 1:
                x, y, line = rect.x(), y + line + self._gap, 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line = max(line, hint.height())
        return y + line - rect.y()


class _AddLineEdit(QLineEdit):
    """Enter adds what was typed (instead of closing the dialog) when there is text."""

    add_requested = Signal()
    remove_last = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.text().strip():
            self.add_requested.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Backspace and not self.text():
            self.remove_last.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class _Chip(QToolButton):
    """One chosen language; clicking (or Space) removes it."""

    remove_requested = Signal(str)

    def __init__(self, code: str, name: str) -> None:
        super().__init__()
        self.code = code
        self.setText(f"{name}  ✕")
        self.setAccessibleName(_("Remove {language}").format(language=name))
        self.setToolTip(_("Remove {language}").format(language=name))
        self.setStyleSheet(
            "QToolButton { border: 1px solid #8a9bb0; border-radius: 9px;"
            " background: #e8eef6; padding: 1px 8px; }"
            " QToolButton:focus { border: 2px solid #2a5db0; }"
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.clicked.connect(self._on_clicked)

    def _on_clicked(self, *_args: object) -> None:
        self.remove_requested.emit(self.code)


class LanguagesEdit(QWidget):
    """Spoken languages, most used first: type a few letters, Enter adds; ✕ removes."""

    changed = Signal()

    def __init__(self, locale: str | None = None, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        locale = locale or i18n.get_locale()
        others = [code for code in i18n.LANGUAGES if code != locale]
        self._names = dict(i18n.languages(locale))
        self.finder = Finder(
            [
                (code, name, [code, *(i18n.language_name(code, other) for other in others)])
                for code, name in i18n.languages(locale)
            ]
        )
        self._codes: list[str] = []
        self.input = _AddLineEdit()
        self.input.setPlaceholderText(_("Type a language and press Enter"))
        self.input.setToolTip(
            _("Type a few letters of a language and press Enter; Backspace removes the last one.")
        )
        self._model = _CompletionModel(self)
        self._completer = _popup_completer(self, self._model)
        self.input.setCompleter(self._completer)
        self._completer.activated[QModelIndex].connect(self._on_completion)  # type: ignore[index]
        self.chips = QWidget()
        self.chips_layout = FlowLayout(self.chips)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.input)
        layout.addWidget(self.chips)
        self.setFocusProxy(self.input)
        self.input.textEdited.connect(self._on_edited)
        self.input.add_requested.connect(self.add_typed)
        self.input.remove_last.connect(self._remove_last)
        self.input.editingFinished.connect(self._on_leave)
        self._refresh()

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 (Qt name)
        super().setAccessibleName(name)
        self.input.setAccessibleName(name)

    def _on_edited(self, text: str) -> None:
        found = [e for e in self.finder.matches(text, limit=30) if e.key not in self._codes]
        self._model.fill(found)
        if found:
            self._completer.complete()
        else:
            _hide_popup(self._completer)

    def _on_completion(self, index: QModelIndex) -> None:
        code = index.data(Qt.ItemDataRole.UserRole)
        if code:
            self.add(str(code))
        QTimer.singleShot(0, self.input.clear)

    def _pending(self) -> str | None:
        """The language the unfinished text stands for, if any."""
        best = self.finder.best(self.input.text()) if self.input.text().strip() else None
        return None if best is None else str(best.key)

    def add_typed(self) -> None:
        code = self._pending()
        if code is not None:
            self.add(code)
            self.input.clear()
            _hide_popup(self._completer)

    def _on_leave(self) -> None:
        popup = self._completer.popup()
        if popup is not None and popup.isVisible():
            return
        self.add_typed()

    def add(self, code: str) -> None:
        if code in self._names and code not in self._codes:
            self._codes.append(code)
            self._refresh()
            self.changed.emit()

    def remove(self, code: str) -> None:
        if code in self._codes:
            self._codes.remove(code)
            self._refresh()
            self.changed.emit()
            self.input.setFocus(Qt.FocusReason.OtherFocusReason)

    def _remove_last(self) -> None:
        if self._codes:
            self.remove(self._codes[-1])

    def _refresh(self) -> None:
        while self.chips_layout.count():
            item = self.chips_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for code in self._codes:
            name = self._names.get(code, code)
            chip = _Chip(code, name)
            chip.remove_requested.connect(self.remove)
            self.chips_layout.addWidget(chip)
        self.chips.setVisible(bool(self._codes))
        self.chips.updateGeometry()

    def value(self) -> list[str]:
        pending = self._pending()
        if pending is not None and pending not in self._codes:
            return [*self._codes, pending]
        return list(self._codes)

    def set_value(self, codes: Sequence[str]) -> None:
        self._codes = [
            c for c in dict.fromkeys(c.strip().lower() for c in codes) if c in self._names
        ]
        self.input.clear()
        self._refresh()

    def problem(self) -> str | None:
        text = self.input.text().strip()
        if text and self._pending() is None:
            return _("Spoken languages: no language matches “{value}”.").format(value=text)
        return None


# --- photo -------------------------------------------------------------------------------

PHOTO_FILTER = "*.jpg *.jpeg *.png *.webp *.bmp *.tif *.tiff *.gif"


def action_button(
    text: str, slot: Callable[[], object], *, object_name: str, name: str = ""
) -> QPushButton:
    """A button that never takes Enter from a field (no auto-default), named for screen
    readers by its text without the mnemonic, ellipsis or colon unless ``name`` is given."""
    button = QPushButton(text)
    button.setObjectName(object_name)
    button.setAccessibleName(name or text.replace("&", "").rstrip(":…").strip())
    button.setAutoDefault(False)
    # clicked(bool) would fill the first default argument of a lambda: call the slot bare.
    button.clicked.connect(lambda _checked=False: slot())
    return button


class PhotoField(QWidget):
    """The ID photo (35:45): thumbnail, Choose photo…, Take photo… and Remove; ``failed`` says
    what went wrong.

    A chosen file is cropped by default at once, then shown in the crop dialog so that the
    frame can be adjusted (Cancel there restores the previous photo). Take photo… opens the
    camera dialog; without a camera it is disabled and says so. The dialogs come from
    ``crop_dialog_factory(data, parent)`` and ``camera_dialog_factory(parent)`` (tests replace
    them) and are opened window-modal without blocking.
    """

    changed = Signal()
    failed = Signal(str)
    THUMBNAIL = QSize(105, 135)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data: bytes | None = None
        self.crop_dialog_factory: Callable[[bytes, QWidget], photocapture.PhotoDialog] = (
            photocapture.PhotoCropDialog
        )
        self.camera_dialog_factory: Callable[[QWidget], photocapture.PhotoDialog] = (
            photocapture.CameraDialog
        )
        self.dialog: photocapture.PhotoDialog | None = None  # the crop or camera dialog, while open
        self._camera_watch: Any = None
        self._ordered = False
        self.thumbnail = QLabel()
        self.thumbnail.setFixedSize(self.THUMBNAIL)
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumbnail.setWordWrap(True)
        self.thumbnail.setStyleSheet(
            "border: 1px dashed #8a8a8a; color: #555555; background: #fafafa;"
        )
        self.choose_button = QPushButton(_("C&hoose photo…"))
        self.choose_button.setAccessibleName(_("Choose photo"))
        self.take_button = QPushButton(_("Ta&ke photo…"))
        self.take_button.setAccessibleName(_("Take photo"))
        self.remove_button = QPushButton(_("Remove photo"))
        self.remove_button.setAccessibleName(_("Remove photo"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.thumbnail, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.choose_button)
        layout.addWidget(self.take_button)
        layout.addWidget(self.remove_button)
        layout.addStretch(1)
        self.setFocusProxy(self.choose_button)
        self.choose_button.clicked.connect(self.choose)
        self.take_button.clicked.connect(self.take_photo)
        self.remove_button.clicked.connect(self.clear)
        self._show()

    def value(self) -> bytes | None:
        return self._data

    def set_value(self, data: bytes | None) -> None:
        self._data = data or None
        self._show()

    def clear(self) -> None:
        self.set_value(None)
        self.changed.emit()
        self.choose_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def choose(self) -> None:
        """Pick a file, take it with the default crop, then let the user adjust the frame."""
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose a photo"),
            "",
            _("Images ({patterns})").format(patterns=PHOTO_FILTER),
        )
        if not path:
            return
        previous = self._data
        if not self.load_file(path):
            return
        try:
            with open(path, "rb") as handle:
                original = handle.read(MAX_INPUT_BYTES + 1)
        except OSError:
            return  # read a moment ago: keep the default crop
        dialog = self.crop_dialog_factory(original, self)
        dialog.finished.connect(lambda _result: self._cropped(dialog, previous))
        self._open(dialog)

    def _cropped(self, dialog: photocapture.PhotoDialog, previous: bytes | None) -> None:
        photo = dialog.photo()
        self._closed(dialog)
        self.set_value(photo if photo else previous)  # Cancel: the photo from before
        self.changed.emit()

    def load_file(self, path: str) -> bool:
        """Read, check and crop the image in ``path``; on a PhotoError emit ``failed``."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            data = load_photo_file(path)
        except PhotoError as error:
            self.failed.emit(str(error))
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.set_value(data)
        self.changed.emit()
        return True

    def take_photo(self) -> None:
        """Open the camera dialog; its photo replaces the current one."""
        if not self.refresh_camera():
            return
        dialog = self.camera_dialog_factory(self)
        dialog.finished.connect(lambda _result: self._taken(dialog))
        self._open(dialog)

    def _taken(self, dialog: photocapture.PhotoDialog) -> None:
        photo = dialog.photo()
        self._closed(dialog)
        if photo:
            self.set_value(photo)
            self.changed.emit()
        self.take_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open(self, dialog: photocapture.PhotoDialog) -> None:
        self.dialog = dialog
        dialog.open()

    def _closed(self, dialog: photocapture.PhotoDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def refresh_camera(self) -> bool:
        """Enable Take photo… when a camera is connected; otherwise say that there is none."""
        available = photocapture.camera_available()
        self.take_button.setEnabled(available)
        if available:
            self.take_button.setText(_("Ta&ke photo…"))
            self.take_button.setToolTip(_("Take the photo with the camera"))
            self.take_button.setAccessibleDescription("")
        else:
            explanation = _("No camera is connected: connect one, or choose a photo file.")
            self.take_button.setText(_("No camera found"))
            self.take_button.setToolTip(explanation)
            self.take_button.setAccessibleDescription(explanation)
        return available

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._ordered:
            # After the form's own tab order: Take photo… comes right after Choose photo….
            self._ordered = True
            QWidget.setTabOrder(self.choose_button, self.take_button)
        self.refresh_camera()
        if self._camera_watch is None:
            self._camera_watch = photocapture.watch_cameras(self, self.refresh_camera)

    def _show(self) -> None:
        pixmap = QPixmap()
        if self._data and pixmap.loadFromData(self._data):
            self.thumbnail.setPixmap(
                pixmap.scaled(
                    self.THUMBNAIL,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            self.thumbnail.setAccessibleName(_("Photo of the person"))
        else:
            self.thumbnail.clear()
            self.thumbnail.setText(_("No photo"))
            self.thumbnail.setAccessibleName(_("No photo"))
        self.remove_button.setEnabled(self._data is not None)


# --- person picker ---------------------------------------------------------------------


def person_line(person: Any) -> str:
    """'NGUYỄN Văn An — 2 Mar 1984 — 85.07.30-033.28' (parts left out when unknown)."""
    parts = [person.full_name]
    if person.birth_date:
        parts.append(i18n.format_partial_date(person.birth_date))
    if person.niss:
        try:
            parts.append(parse_niss(person.niss).formatted)
        except IdentifierError:
            parts.append(person.niss)
    return " — ".join(parts)


class _SearchLineEdit(QLineEdit):
    """Down goes to the results; Enter picks the first result when none is chosen yet."""

    go_down = Signal()
    pick_first = Signal()

    def __init__(self, picker: PersonPicker) -> None:
        super().__init__()
        self._picker = picker

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        if event.key() == Qt.Key.Key_Down:
            self.go_down.emit()
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._picker.wants_enter():
            self.pick_first.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class PersonPicker(QWidget):
    """Search box and results for choosing an existing person; ``value()`` is the id."""

    changed = Signal()

    def __init__(
        self, store: Any, *, adults_only: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._adults_only = adults_only
        self._chosen: int | None = None
        self._searched = ""
        self.search = _SearchLineEdit(self)
        self.search.setPlaceholderText(_("Type a name or a NISS…"))
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName(_("People found"))
        self.results.setWordWrap(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = self.fontMetrics().lineSpacing() + 6
        self.results.setFixedHeight(rows * 5 + 6)
        self.status = hint_label()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addWidget(self.status)
        self.setFocusProxy(self.search)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.search.textEdited.connect(self._restart_timer)
        self.search.go_down.connect(self._enter_results)
        self.search.pick_first.connect(self._enter_results)
        self.results.currentItemChanged.connect(self._on_current)
        self._show_status()

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 (Qt name)
        super().setAccessibleName(name)
        self.search.setAccessibleName(name)

    def _restart_timer(self, *_args: object) -> None:
        self._timer.start()

    def value(self) -> int | None:
        return self._chosen

    def wants_enter(self) -> bool:
        return self.results.count() > 0 and self._chosen is None

    def search_now(self) -> None:
        self._timer.stop()
        query = self.search.text().strip()
        self._searched = query
        people: Sequence[Any] = []
        if len(query) >= 2:
            from amudesk.services import people as people_service

            with self._store.session() as session:
                people = people_service.find_people(
                    query, session=session, limit=20, adults_only=self._adults_only
                )
        self._fill(people)

    def set_person(self, person_id: int | None) -> None:
        """Show and choose ``person_id`` (None clears)."""
        self._timer.stop()
        self.search.clear()
        self._searched = ""
        if person_id is None:
            self._fill([])
            return
        from amudesk.services import people as people_service

        with self._store.session() as session:
            try:
                person = people_service.get_person(person_id, session=session)
            except NotFound:
                self._fill([])
                return
        self._chosen = person_id
        self._fill([person])

    def _fill(self, people: Sequence[Any]) -> None:
        chosen = self._chosen
        self.results.blockSignals(True)
        self.results.clear()
        for person in people:
            item = QListWidgetItem(person_line(person))
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            self.results.addItem(item)
            if person.id == chosen:
                self.results.setCurrentItem(item)
        self.results.blockSignals(False)
        if self.results.currentItem() is None and chosen is not None:
            self._chosen = None
            self.changed.emit()
        self._show_status()

    def _enter_results(self) -> None:
        if self._timer.isActive():
            self.search_now()
        if self.results.count():
            if self.results.currentRow() < 0:
                self.results.setCurrentRow(0)
            self.results.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_current(self, current: QListWidgetItem | None, _previous: Any) -> None:
        self._chosen = None if current is None else int(current.data(Qt.ItemDataRole.UserRole))
        self._show_status()
        self.changed.emit()

    def chosen_text(self) -> str:
        item = self.results.currentItem()
        return item.text() if item is not None else ""

    def _show_status(self) -> None:
        if self._chosen is not None:
            set_hint(
                self.status, _("Chosen: {person}").format(person=self.chosen_text()), GOOD_STYLE
            )
        elif len(self._searched) < 2:
            set_hint(self.status, _("Type at least two letters of a name, or digits of a NISS."))
        elif not self.results.count():
            set_hint(self.status, _("No one found for “{query}”.").format(query=self._searched))
        else:
            count = self.results.count()
            set_hint(
                self.status,
                ngettext(
                    "{n} person found: choose with the arrow keys.",
                    "{n} people found: choose with the arrow keys.",
                    count,
                ).format(n=count),
            )


# --- the base of the case forms ----------------------------------------------------------


class FormDialog(QDialog):
    """OK/Cancel with Ctrl+Enter; OK checks the widgets, saves in one transaction, or shows
    the ``FieldError`` on its field and stays open with nothing saved."""

    MAX_HEIGHT = 700
    # Each form defines ``save(session)``: it calls the service inside the transaction and
    # returns the saved record's id.
    save: Callable[[Any], int | None]

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.fields: dict[str, QWidget] = {}
        self.scroll_area: QScrollArea | None = None
        self.error_label = ErrorLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("OK"))
        ok.setAccessibleName(_("OK"))
        ok.setAccessibleDescription(_("Save and close (Ctrl+Enter)"))
        ok.setToolTip(_("Save and close (Ctrl+Enter)"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_("Cancel"))
        cancel.setAccessibleName(_("Cancel"))
        cancel.setAccessibleDescription(_("Close without saving (Esc)"))
        cancel.setToolTip(_("Close without saving (Esc)"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.submit)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    @property
    def cancel_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Cancel)

    def finish_layout(self, body: QWidget, *, scroll: bool = False) -> None:
        """Body (scrolled when long), then the error line and the buttons."""
        layout = QVBoxLayout(self)
        if scroll:
            self.scroll_area = QScrollArea()
            self.scroll_area.setWidgetResizable(True)
            self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
            self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.scroll_area.setWidget(body)
            self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            layout.addWidget(self.scroll_area, 1)
        else:
            layout.addWidget(body, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMaximumHeight(self.MAX_HEIGHT)
        # Enter in a field saves: OK is the default button (set once it is in the dialog).
        for button in self.findChildren(QPushButton):
            button.setDefault(False)
        self.ok_button.setDefault(True)

    def fit_to_screen(self, width: int, height: int) -> None:
        """Start at ``width``×``height`` but never larger than the screen (or 700 px high)."""
        screen = self.screen().availableGeometry() if self.screen() else QRect(0, 0, 1366, 728)
        self.resize(
            min(width, screen.width() - 20), min(height, screen.height() - 40, self.MAX_HEIGHT)
        )

    # --- saving ----------------------------------------------------------------------

    def check(self) -> None:
        """Raise FieldError for what the widgets already know is wrong (unreadable dates …)."""
        for key, widget in self.fields_to_check().items():
            owner = getattr(widget, "_problem_owner", widget)
            problem = getattr(owner, "problem", None)
            if callable(problem) and (message := problem()):
                raise FieldError(key, message)

    def fields_to_check(self) -> dict[str, QWidget]:
        return self.fields

    def saved(self, record_id: int | None) -> None:
        """After the commit: remember the id."""

    def submit(self) -> None:
        clear_field_errors(self.fields, self.error_label)
        try:
            self.check()
            with self.store.transaction() as session:
                record_id = self.save(session)
        except FieldError as error:
            self.show_error(error)
            return
        except IdentifierError as error:
            self.show_error(FieldError(self.identifier_field(), str(error)))
            return
        except PhotoError as error:
            self.show_error(FieldError("photo", str(error)))
            return
        except NotFound as error:
            self.error_label.show_message(str(error))
            return
        except Exception as error:
            from sqlalchemy.exc import SQLAlchemyError

            if not isinstance(error, SQLAlchemyError):
                raise
            log.error("saving %s failed: %s", type(self).__name__, type(error).__name__)
            self.error_label.show_message(
                _("Nothing was saved: the database is busy or cannot be written. Try again.")
            )
            return
        self.saved(record_id)
        self.accept()

    def identifier_field(self) -> str:
        return "niss"

    def show_error(self, error: FieldError) -> None:
        show_field_error(error, self.fields, self.error_label)
        widget = self.fields.get(error.field)
        if widget is not None and self.scroll_area is not None:
            self.scroll_area.ensureWidgetVisible(widget)


def problem_of(owner: QObject, widget: QWidget) -> QWidget:
    """Mark ``widget`` (the input that gets the red border) as reporting ``owner.problem()``."""
    widget._problem_owner = owner  # type: ignore[attr-defined]
    return widget
