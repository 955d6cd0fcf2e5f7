"""Dates typed day first (2/3/1984, 03/1984, 1984, ISO): the parser and the two date edits.

- ``PartialDateEdit``: a birth date typed as 2/3/1984, 03/1984, 1984 or ISO, with its reading shown.
- ``OptionalDateEdit``: a day that may be empty, typed or picked from a calendar.
"""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDate, QLocale, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from amudesk import i18n
from amudesk.i18n import _, ngettext
from amudesk.services import FieldError
from amudesk.services import validation as v
from amudesk.services.people import age_on
from amudesk.ui.kit.hints import BAD_STYLE, GOOD_STYLE, HINT_STYLE, hint_label, set_hint

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
